package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"newsdesk"
)

var _ newsdesk.RetentionStore = (*DB)(nil)

// stripBatch is how many articles one retention transaction strips, so
// that ingest waits for the writer a few milliseconds at a time, not for
// the whole run.
const stripBatch = 500

// primarySQL is the primary section of article a (NULL when unfiled).
const primarySQL = `(SELECT x.section_id FROM article_sections x WHERE x.article_id = a.id ORDER BY x.position LIMIT 1)`

// bodyRuleWhere is the condition selecting the articles of r.
func bodyRuleWhere(r newsdesk.BodyRule) (string, []any) {
	where := []string{"a.published_at < ?", "a.body_removed_at = 0", "(a.body <> '' OR a.text <> '')"}
	args := []any{tm(r.Before)}
	if r.Sections != nil {
		where = append(where, primarySQL+` IN (SELECT value FROM json_each(?))`)
		args = append(args, jsonIDs(r.Sections))
	}
	if len(r.Except) > 0 {
		where = append(where, `COALESCE(`+primarySQL+`, 0) NOT IN (SELECT value FROM json_each(?))`)
		args = append(args, jsonIDs(r.Except))
	}
	return strings.Join(where, " AND "), args
}

// StripBodies removes the body and text of the articles r selects, from
// the articles and from the full-text index (whose body column is emptied,
// so a search no longer finds them by their body), and records when. It
// works in transactions of stripBatch articles. See newsdesk.RetentionStore.
func (db *DB) StripBodies(ctx context.Context, r newsdesk.BodyRule, dryRun bool) (int64, error) {
	if r.Before.IsZero() {
		return 0, newsdesk.Errorf(newsdesk.EINVALID, "Retention needs a cut-off time.")
	}
	cond, args := bodyRuleWhere(r)
	if dryRun {
		var n int64
		if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM articles a WHERE `+cond, args...).Scan(&n); err != nil {
			return 0, fmt.Errorf("count bodies to strip: %w", err)
		}
		return n, nil
	}
	now := tm(db.now())
	var total int64
	for {
		var n int64
		err := db.tx(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT a.id FROM articles a WHERE `+cond+` ORDER BY a.id LIMIT ?`, append(args, stripBatch)...)
			if err != nil {
				return err
			}
			var ids []int64
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				ids = append(ids, id)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if len(ids) == 0 {
				return nil
			}
			idj := jsonIDs(ids)
			if _, err := tx.ExecContext(ctx, `UPDATE articles SET body = '', text = '', body_removed_at = ?
				WHERE id IN (SELECT value FROM json_each(?))`, now, idj); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE search SET body = '' WHERE rowid IN (SELECT value FROM json_each(?))`, idj); err != nil {
				return err
			}
			n = int64(len(ids))
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("strip bodies: %w", err)
		}
		total += n
		if n < stripBatch {
			return total, nil
		}
	}
}

// CountReadEvents returns how many read events are older than before.
func (db *DB) CountReadEvents(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM read_events WHERE at < ?`, tm(before)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count read events: %w", err)
	}
	return n, nil
}

// CountExpiredSessions returns how many sessions are expired at now.
func (db *DB) CountExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM sessions WHERE expires_at <= ?`, tm(now)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count expired sessions: %w", err)
	}
	return n, nil
}

// Space is how the database file uses its pages.
type Space struct {
	PageSize   int64
	Pages      int64 // pages in the file
	FreePages  int64 // pages on the free list, reused before the file grows
	AutoVacuum string
	// Reclaimed is the number of free pages Compact gave back to the
	// file system.
	Reclaimed int64
}

// Bytes is the size of the database file (without its WAL).
func (s Space) Bytes() int64 { return s.PageSize * s.Pages }

// Space reports the page use of the database.
func (db *DB) Space(ctx context.Context) (Space, error) {
	var s Space
	var mode int
	for _, p := range []struct {
		pragma string
		dst    any
	}{{"page_size", &s.PageSize}, {"page_count", &s.Pages}, {"freelist_count", &s.FreePages}, {"auto_vacuum", &mode}} {
		if err := db.writer.QueryRowContext(ctx, "PRAGMA "+p.pragma).Scan(p.dst); err != nil {
			return s, fmt.Errorf("pragma %s: %w", p.pragma, err)
		}
	}
	s.AutoVacuum = [...]string{"none", "full", "incremental"}[min(max(mode, 0), 2)]
	return s, nil
}

// Compact gives the free pages back to the file system when the database
// is in incremental auto-vacuum mode (every database created by Open is).
// An older database in "none" mode keeps its free pages, which new rows
// reuse before the file grows; Vacuum converts it.
func (db *DB) Compact(ctx context.Context) (Space, error) {
	before, err := db.Space(ctx)
	if err != nil {
		return before, err
	}
	if before.AutoVacuum != "incremental" || before.FreePages == 0 {
		return before, nil
	}
	if _, err := db.writer.ExecContext(ctx, "PRAGMA incremental_vacuum"); err != nil {
		return before, fmt.Errorf("incremental vacuum: %w", err)
	}
	after, err := db.Space(ctx)
	if err != nil {
		return after, err
	}
	after.Reclaimed = before.FreePages - after.FreePages
	return after, nil
}

// Vacuum rebuilds the whole database into the smallest file, in
// incremental auto-vacuum mode from then on. It blocks writers for its
// duration and needs free disk space of about the database's size.
func (db *DB) Vacuum(ctx context.Context) (Space, error) {
	before, err := db.Space(ctx)
	if err != nil {
		return before, err
	}
	if _, err := db.writer.ExecContext(ctx, "PRAGMA auto_vacuum = INCREMENTAL"); err != nil {
		return before, fmt.Errorf("vacuum: %w", err)
	}
	if _, err := db.writer.ExecContext(ctx, "VACUUM"); err != nil {
		return before, fmt.Errorf("vacuum: %w", err)
	}
	after, err := db.Space(ctx)
	if err != nil {
		return after, err
	}
	after.Reclaimed = before.Pages - after.Pages
	return after, nil
}
