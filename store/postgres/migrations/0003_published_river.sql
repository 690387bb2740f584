-- The river of published articles: the front page reads its first rows
-- and counts them from this index alone.
CREATE INDEX articles_published_river ON articles (published_at DESC, id DESC) WHERE status = 'published';
