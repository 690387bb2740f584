-- Source rights and retention.
-- no_page_fetch: never fetch the source's article pages (its feed text only).
-- body_removed_at: when retention removed an article's body and text
-- (Unix microseconds; 0 while the body is kept).

ALTER TABLE sources ADD COLUMN no_page_fetch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN body_removed_at INTEGER NOT NULL DEFAULT 0;
