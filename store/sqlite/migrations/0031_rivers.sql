-- entity_river lists each published article under every entity it names,
-- in publication order, so that an entity page, or the latest articles
-- naming any of a few entities, is one index range per entity. The store
-- keeps it with section_river whenever an article's entities, status or
-- duplicate-of change.
--
-- duplicate, in both rivers, is 1 for an article that nearly copies an
-- earlier one (duplicate_of <> 0): lists that leave copies out are then
-- read and counted from the river alone.
CREATE TABLE entity_river (
	entity_id    INTEGER NOT NULL,
	published_at INTEGER NOT NULL,
	article_id   INTEGER NOT NULL,
	duplicate    INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (entity_id, published_at, article_id)
) WITHOUT ROWID;
CREATE INDEX entity_river_article ON entity_river (article_id);
INSERT OR IGNORE INTO entity_river (entity_id, published_at, article_id, duplicate)
	SELECT x.entity_id, a.published_at, a.id, a.duplicate_of <> 0
	FROM article_entities x JOIN articles a ON a.id = x.article_id
	WHERE a.status = 'published';

ALTER TABLE section_river ADD COLUMN duplicate INTEGER NOT NULL DEFAULT 0;
UPDATE section_river SET duplicate = 1
	WHERE article_id IN (SELECT id FROM articles WHERE duplicate_of <> 0);

-- The front page and the site's feeds: published articles that copy no
-- other, newest first; counted from the index alone.
CREATE INDEX articles_river_unique ON articles (published_at DESC, id DESC)
	WHERE status = 'published' AND duplicate_of = 0;
