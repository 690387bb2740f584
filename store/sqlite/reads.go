package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"strings"
	"time"

	"newsdesk"
)

// RecordRead stores a view. Repeated views of the same article by the same
// reader count once; the latest time is kept.
func (db *DB) RecordRead(ctx context.Context, e newsdesk.ReadEvent) error {
	if e.ReaderID == "" || e.ArticleID == 0 {
		return newsdesk.Errorf(newsdesk.EINVALID, "A read needs a reader and an article.")
	}
	if e.At.IsZero() {
		e.At = db.now()
	}
	_, err := db.w.ExecContext(ctx, `INSERT INTO read_events (reader_id, article_id, at) VALUES (?, ?, ?)
		ON CONFLICT (reader_id, article_id) DO UPDATE SET at = max(at, excluded.at)`, e.ReaderID, e.ArticleID, tm(e.At))
	if err != nil {
		return fmt.Errorf("record read: %w", err)
	}
	return nil
}

// RecordReads stores many views in one transaction, up to readsPerInsert
// in each INSERT: one statement (and one statement journal) per many rows
// rather than one each, which is most of the cost of a row. Rows of one
// statement are upserted in order, so a reader's repeat view in the same
// batch keeps the later time as RecordRead does.
func (db *DB) RecordReads(ctx context.Context, events []newsdesk.ReadEvent) error {
	now := db.now()
	err := db.tx(ctx, func(tx *sql.Tx) error {
		args := make([]any, 0, 3*min(len(events), readsPerInsert))
		flush := func() error {
			if len(args) == 0 {
				return nil
			}
			_, err := tx.ExecContext(ctx, readsInsert(len(args)/3), args...)
			args = args[:0]
			// Views are written in the background while pages are
			// served: a batch of a few hundred is milliseconds of CPU,
			// and the requests queued behind it on this processor would
			// wait that long. Letting them run between statements took
			// the first-visit p99 under wrk -c64 from 12-14 to 10-11 ms.
			runtime.Gosched()
			return err
		}
		for _, e := range events {
			if e.ReaderID == "" || e.ArticleID == 0 {
				continue
			}
			if e.At.IsZero() {
				e.At = now
			}
			args = append(args, e.ReaderID, e.ArticleID, tm(e.At))
			if len(args) == 3*readsPerInsert {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return flush()
	})
	if err != nil {
		return fmt.Errorf("record %d reads: %w", len(events), err)
	}
	return nil
}

// readsPerInsert is the most views one INSERT of RecordReads writes
// (3 parameters each, well under SQLite's 32,766).
const readsPerInsert = 64

var readsInserts [readsPerInsert + 1]string

func init() {
	for n := 1; n <= readsPerInsert; n++ {
		var b strings.Builder
		b.WriteString("INSERT INTO read_events (reader_id, article_id, at) VALUES (?, ?, ?)")
		for range n - 1 {
			b.WriteString(", (?, ?, ?)")
		}
		b.WriteString(" ON CONFLICT (reader_id, article_id) DO UPDATE SET at = max(at, excluded.at)")
		readsInserts[n] = b.String()
	}
}

// readsInsert is the INSERT of n views.
func readsInsert(n int) string { return readsInserts[n] }

var _ newsdesk.ReadBatcher = (*DB)(nil)

// ReadHistory returns a reader's views, newest first.
func (db *DB) ReadHistory(ctx context.Context, readerID string, limit int) ([]newsdesk.ReadEvent, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT article_id, at FROM read_events WHERE reader_id = ?
		ORDER BY at DESC, article_id DESC`+limitOffset(limit, 0), readerID)
	if err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	defer rows.Close()
	var out []newsdesk.ReadEvent
	for rows.Next() {
		e := newsdesk.ReadEvent{ReaderID: readerID}
		var at int64
		if err := rows.Scan(&e.ArticleID, &at); err != nil {
			return nil, fmt.Errorf("read history: %w", err)
		}
		e.At = ft(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	return out, nil
}

// DeleteReader erases every event of a reader.
func (db *DB) DeleteReader(ctx context.Context, readerID string) error {
	if _, err := db.w.ExecContext(ctx, `DELETE FROM read_events WHERE reader_id = ?`, readerID); err != nil {
		return fmt.Errorf("delete reader: %w", err)
	}
	return nil
}

func scanCounts(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
}) ([]newsdesk.ArticleCount, error) {
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

// dayMicros is a UTC day in the microseconds times are stored in; the
// read_days table counts readers per day of this length.
const dayMicros = 86400000000

// MostRead returns the most-read published articles since a time (readers
// counted once each), optionally within a section (0: all) and its
// descendants; ties go to the newer article. Whole days since the time are
// summed from read_days (one row per article and day); the views of the
// part-day before the first whole day are counted from the read_events_at
// index. Only the articles read are then checked (published, in the
// section), once each.
func (db *DB) MostRead(ctx context.Context, sectionID int64, since time.Time, limit int) ([]newsdesk.ArticleCount, error) {
	query, args := mostReadQuery(sectionID, since, limit)
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("most read: %w", err)
	}
	defer rows.Close()
	out, err := scanCounts(rows)
	if err != nil {
		return nil, fmt.Errorf("most read: %w", err)
	}
	return out, nil
}

func mostReadQuery(sectionID int64, since time.Time, limit int) (string, []any) {
	from := tm(since)
	// The narrow articles_search index (id, status, ...) answers the
	// status of each article read without reading its row, which is large:
	// a week's list checks thousands.
	check := `EXISTS (SELECT 1 FROM articles a INDEXED BY articles_search WHERE a.id = g.article_id AND a.status = 'published')`
	if sectionID != 0 {
		// The section river lists published articles only.
		check = `EXISTS (SELECT 1 FROM section_river x WHERE x.article_id = g.article_id AND x.section_id = :section)`
	}
	order := ` ORDER BY g.n DESC, g.article_id DESC` + limitOffset(limit, 0)
	var query string
	args := []any{sql.Named("from", from)}
	if from <= 0 {
		// Every view: days are at / dayMicros, which SQLite truncates
		// toward zero, so views before 1970 would share day 0.
		query = `SELECT g.article_id, g.n FROM (
				SELECT article_id, count(*) AS n FROM read_events INDEXED BY read_events_at WHERE at >= :from GROUP BY article_id) g
			WHERE ` + check + order
	} else {
		// The first whole day at or after since.
		day := (from + dayMicros - 1) / dayMicros
		args = append(args, sql.Named("day", day), sql.Named("day_start", day*dayMicros))
		query = `SELECT g.article_id, g.n FROM (
				SELECT article_id, sum(n) AS n FROM (
					SELECT article_id, readers AS n FROM read_days WHERE day >= :day
					UNION ALL
					SELECT article_id, 1 AS n FROM read_events INDEXED BY read_events_at WHERE at >= :from AND at < :day_start)
				GROUP BY article_id) g
			WHERE g.n > 0 AND ` + check + order
	}
	if sectionID != 0 {
		args = append(args, sql.Named("section", sectionID))
	}
	return query, args
}

// coReadSample bounds how many of the latest views of the given articles
// CoRead follows to their readers, so that a very popular article costs no
// more than an ordinary one.
const coReadSample = 500

// CoRead returns the published articles most often read by readers who
// read any of articleIDs (each reader counted once per article), excluding
// those articles, counting reads since a time. The readers are those of the
// latest 500 views of each of articleIDs.
func (db *DB) CoRead(ctx context.Context, articleIDs []int64, since time.Time, limit int) ([]newsdesk.ArticleCount, error) {
	if len(articleIDs) == 0 {
		return nil, nil
	}
	// The latest readers of each article, each an index range in time order.
	seen := map[string]bool{}
	var readers []string
	for _, id := range uniqueIDs(articleIDs) {
		rows, err := db.r.QueryContext(ctx, `SELECT reader_id FROM read_events WHERE article_id = ? AND at >= ?
			ORDER BY at DESC LIMIT ?`, id, tm(since), coReadSample)
		if err != nil {
			return nil, fmt.Errorf("co-read: %w", err)
		}
		for rows.Next() {
			var r string
			if err := rows.Scan(&r); err != nil {
				rows.Close()
				return nil, fmt.Errorf("co-read: %w", err)
			}
			if !seen[r] {
				seen[r] = true
				readers = append(readers, r)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("co-read: %w", err)
		}
	}
	if len(readers) == 0 {
		return nil, nil
	}
	// CROSS JOIN keeps the readers as the outer loop (SQLite's planner
	// knows nothing of json_each's size).
	rows, err := db.r.QueryContext(ctx, `SELECT g.article_id, g.n FROM (
			SELECT r.article_id, count(*) AS n FROM json_each(?1) x
			CROSS JOIN read_events r ON r.reader_id = x.value
			WHERE r.at >= ?2 AND r.article_id NOT IN (SELECT value FROM json_each(?3))
			GROUP BY r.article_id) g
		JOIN articles a ON a.id = g.article_id AND a.status = 'published'
		ORDER BY g.n DESC, g.article_id DESC`+limitOffset(limit, 0), jsonStrings(readers), tm(since), jsonIDs(articleIDs))
	if err != nil {
		return nil, fmt.Errorf("co-read: %w", err)
	}
	defer rows.Close()
	out, err := scanCounts(rows)
	if err != nil {
		return nil, fmt.Errorf("co-read: %w", err)
	}
	return out, nil
}

// PurgeReadEvents deletes events older than before and returns how many.
func (db *DB) PurgeReadEvents(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.w.ExecContext(ctx, `DELETE FROM read_events WHERE at < ?`, tm(before))
	if err != nil {
		return 0, fmt.Errorf("purge read events: %w", err)
	}
	return res.RowsAffected()
}

// ReadEvents lists every stored view in (reader, article) order, starting
// after the given key, for copying a store. See newsdesk.ReadEventLister.
func (db *DB) ReadEvents(ctx context.Context, after newsdesk.ReadEventKey, limit int) ([]newsdesk.ReadEvent, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT reader_id, article_id, at FROM read_events
		WHERE (reader_id, article_id) > (?, ?) ORDER BY reader_id, article_id`+limitOffset(limit, 0), after.ReaderID, after.ArticleID)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	defer rows.Close()
	var out []newsdesk.ReadEvent
	for rows.Next() {
		var e newsdesk.ReadEvent
		var at int64
		if err := rows.Scan(&e.ReaderID, &e.ArticleID, &at); err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		e.At = ft(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return out, nil
}
