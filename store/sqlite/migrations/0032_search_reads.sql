-- Searches check every full-text match against its article's status, date
-- and source: this narrow index answers that without reading the article
-- rows, which are large.
CREATE INDEX articles_search ON articles (id, status, published_at, source_id);

-- read_days counts, per UTC day (Unix microseconds / 86400000000) and
-- article, the readers whose view of the article (read_events keeps the
-- latest) fell on that day. Triggers keep it as read_events change, so
-- that most-read lists sum a few rows per article and day instead of
-- counting every view.
CREATE TABLE read_days (
	day        INTEGER NOT NULL,
	article_id INTEGER NOT NULL,
	readers    INTEGER NOT NULL,
	PRIMARY KEY (day, article_id)
) WITHOUT ROWID;
INSERT INTO read_days (day, article_id, readers)
	SELECT at / 86400000000, article_id, count(*) FROM read_events GROUP BY 1, 2;

CREATE TRIGGER read_days_insert AFTER INSERT ON read_events BEGIN
	INSERT INTO read_days (day, article_id, readers) VALUES (new.at / 86400000000, new.article_id, 1)
		ON CONFLICT (day, article_id) DO UPDATE SET readers = readers + 1;
END;
CREATE TRIGGER read_days_update AFTER UPDATE OF at, article_id ON read_events
	WHEN old.at / 86400000000 <> new.at / 86400000000 OR old.article_id <> new.article_id BEGIN
	DELETE FROM read_days WHERE day = old.at / 86400000000 AND article_id = old.article_id AND readers <= 1;
	UPDATE read_days SET readers = readers - 1 WHERE day = old.at / 86400000000 AND article_id = old.article_id;
	INSERT INTO read_days (day, article_id, readers) VALUES (new.at / 86400000000, new.article_id, 1)
		ON CONFLICT (day, article_id) DO UPDATE SET readers = readers + 1;
END;
CREATE TRIGGER read_days_delete AFTER DELETE ON read_events BEGIN
	DELETE FROM read_days WHERE day = old.at / 86400000000 AND article_id = old.article_id AND readers <= 1;
	UPDATE read_days SET readers = readers - 1 WHERE day = old.at / 86400000000 AND article_id = old.article_id;
END;
