-- Source rights and retention.
-- no_page_fetch: never fetch the source's article pages (its feed text only).
-- body_removed_at: when retention removed an article's body and text (NULL
-- while the body is kept).

ALTER TABLE sources ADD COLUMN no_page_fetch BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE articles ADD COLUMN body_removed_at TIMESTAMPTZ;
