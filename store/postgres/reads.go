package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"newsdesk"
)

// RecordRead stores a view. Repeated views of the same article by the same
// reader count once; the latest time is kept. It is one insert that only
// ever touches the reader's own row, so views never queue behind a shared
// row; a repeated view older than the stored one writes nothing.
func (db *DB) RecordRead(ctx context.Context, e newsdesk.ReadEvent) error {
	if e.ReaderID == "" || e.ArticleID == 0 {
		return newsdesk.Errorf(newsdesk.EINVALID, "A read needs a reader and an article.")
	}
	if e.At.IsZero() {
		e.At = db.now()
	}
	// A view is not worth a disk flush: its transaction commits without
	// waiting for the WAL (a crash may lose the last fraction of a second
	// of views, never corrupt anything), which is most of the cost of a
	// one-row insert.
	err := db.tx(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		b.Queue(`SELECT set_config('synchronous_commit', 'off', true)`)
		b.Queue(`INSERT INTO read_events (reader_id, article_id, at) VALUES ($1, $2, $3)
			ON CONFLICT (reader_id, article_id) DO UPDATE SET at = excluded.at WHERE read_events.at < excluded.at`,
			e.ReaderID, e.ArticleID, e.At.UTC())
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("record read: %w", err)
	}
	return nil
}

// RecordReads stores many views in one transaction, committed without
// waiting for the WAL like RecordRead.
func (db *DB) RecordReads(ctx context.Context, events []newsdesk.ReadEvent) error {
	now := db.now()
	err := db.tx(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		b.Queue(`SELECT set_config('synchronous_commit', 'off', true)`)
		for _, e := range events {
			if e.ReaderID == "" || e.ArticleID == 0 {
				continue
			}
			if e.At.IsZero() {
				e.At = now
			}
			b.Queue(`INSERT INTO read_events (reader_id, article_id, at) VALUES ($1, $2, $3)
				ON CONFLICT (reader_id, article_id) DO UPDATE SET at = excluded.at WHERE read_events.at < excluded.at`,
				e.ReaderID, e.ArticleID, e.At.UTC())
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("record %d reads: %w", len(events), err)
	}
	return nil
}

var _ newsdesk.ReadBatcher = (*DB)(nil)

func collectReads(rows pgx.Rows) ([]newsdesk.ReadEvent, error) {
	defer rows.Close()
	var out []newsdesk.ReadEvent
	for rows.Next() {
		var e newsdesk.ReadEvent
		if err := rows.Scan(&e.ReaderID, &e.ArticleID, tsp(&e.At)); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// ReadHistory returns a reader's views, newest first.
func (db *DB) ReadHistory(ctx context.Context, readerID string, limit int) ([]newsdesk.ReadEvent, error) {
	rows, err := db.pool.Query(ctx, `SELECT reader_id, article_id, at FROM read_events WHERE reader_id = $1
		ORDER BY at DESC, article_id DESC`+limitOffset(limit, 0), readerID)
	if err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	out, err := collectReads(rows)
	if err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	return out, nil
}

// ReadEvents lists every stored view in (reader, article) order, starting
// after the given key, for copying a store. See newsdesk.ReadEventLister.
func (db *DB) ReadEvents(ctx context.Context, after newsdesk.ReadEventKey, limit int) ([]newsdesk.ReadEvent, error) {
	rows, err := db.pool.Query(ctx, `SELECT reader_id, article_id, at FROM read_events
		WHERE (reader_id COLLATE "C", article_id) > ($1 COLLATE "C", $2)
		ORDER BY reader_id COLLATE "C", article_id`+limitOffset(limit, 0), after.ReaderID, after.ArticleID)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	out, err := collectReads(rows)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return out, nil
}

// DeleteReader erases every event of a reader.
func (db *DB) DeleteReader(ctx context.Context, readerID string) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM read_events WHERE reader_id = $1`, readerID); err != nil {
		return fmt.Errorf("delete reader: %w", err)
	}
	return nil
}

func collectCounts(rows pgx.Rows) ([]newsdesk.ArticleCount, error) {
	defer rows.Close()
	var out []newsdesk.ArticleCount
	for rows.Next() {
		var c newsdesk.ArticleCount
		if err := rows.Scan(&c.ArticleID, &c.Count); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// MostRead returns the most-read published articles since a time (readers
// counted once each), optionally within a section (0: all) and its
// descendants; ties go to the newer article.
func (db *DB) MostRead(ctx context.Context, sectionID int64, since time.Time, limit int) ([]newsdesk.ArticleCount, error) {
	var a args
	query := `SELECT r.article_id, count(*) AS n FROM read_events r JOIN articles a ON a.id = r.article_id
		WHERE r.at >= ` + a.add(since.UTC()) + ` AND a.status = 'published'`
	if sectionID != 0 {
		query += ` AND r.article_id IN (SELECT article_id FROM article_sections WHERE section_id = ` + descendantIDs(a.add(sectionID)) + `)`
	}
	rows, err := db.pool.Query(ctx, query+` GROUP BY r.article_id ORDER BY n DESC, r.article_id DESC`+limitOffset(limit, 0), a...)
	if err != nil {
		return nil, fmt.Errorf("most read: %w", err)
	}
	out, err := collectCounts(rows)
	if err != nil {
		return nil, fmt.Errorf("most read: %w", err)
	}
	return out, nil
}

// coReadSample bounds how many of the latest views of the given articles
// CoRead follows to their readers, so that a very popular article costs no
// more than an ordinary one (as on SQLite).
const coReadSample = 500

// CoRead returns the published articles most often read by readers who
// read any of articleIDs (each reader counted once per article), excluding
// those articles, counting reads since a time. The readers are those of the
// latest 500 views of each of articleIDs.
func (db *DB) CoRead(ctx context.Context, articleIDs []int64, since time.Time, limit int) ([]newsdesk.ArticleCount, error) {
	if len(articleIDs) == 0 {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `WITH readers AS (
			SELECT DISTINCT l.reader_id FROM (SELECT DISTINCT unnest($1::bigint[]) AS id) i
			CROSS JOIN LATERAL (SELECT reader_id FROM read_events
				WHERE article_id = i.id AND at >= $2 ORDER BY at DESC LIMIT $3) l)
		SELECT g.article_id, g.n FROM (
			SELECT r.article_id, count(*) AS n FROM readers x
			JOIN read_events r ON r.reader_id = x.reader_id
			WHERE r.at >= $2 AND NOT (r.article_id = ANY($1))
			GROUP BY r.article_id) g
		JOIN articles a ON a.id = g.article_id AND a.status = 'published'
		ORDER BY g.n DESC, g.article_id DESC`+limitOffset(limit, 0), articleIDs, since.UTC(), coReadSample)
	if err != nil {
		return nil, fmt.Errorf("co-read: %w", err)
	}
	out, err := collectCounts(rows)
	if err != nil {
		return nil, fmt.Errorf("co-read: %w", err)
	}
	return out, nil
}

// PurgeReadEvents deletes events older than before and returns how many.
func (db *DB) PurgeReadEvents(ctx context.Context, before time.Time) (int64, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM read_events WHERE at < $1`, before.UTC())
	if err != nil {
		return 0, fmt.Errorf("purge read events: %w", err)
	}
	return tag.RowsAffected(), nil
}
