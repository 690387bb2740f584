package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"newsdesk"
)

var _ newsdesk.RetentionStore = (*DB)(nil)

// stripBatch is how many articles one retention transaction strips, so
// that no transaction holds many rows for long.
const stripBatch = 500

// primarySQL is the primary section of article a (NULL when unfiled).
const primarySQL = `(SELECT x.section_id FROM article_sections x WHERE x.article_id = a.id ORDER BY x.position LIMIT 1)`

// bodyRuleWhere is the condition selecting the articles of r.
func bodyRuleWhere(a *args, r newsdesk.BodyRule) string {
	where := []string{"a.published_at < " + a.add(r.Before.UTC()), "a.body_removed_at IS NULL", "(a.body <> '' OR a.text <> '')"}
	if r.Sections != nil {
		where = append(where, primarySQL+" = ANY("+a.add(r.Sections)+"::bigint[])")
	}
	if len(r.Except) > 0 {
		where = append(where, "NOT (COALESCE("+primarySQL+", 0) = ANY("+a.add(r.Except)+"::bigint[]))")
	}
	return strings.Join(where, " AND ")
}

// StripBodies removes the body and text of the articles r selects, from
// the articles and from the search documents (whose body is emptied, so a
// search no longer finds them by it), and records when, in transactions of
// stripBatch articles. See newsdesk.RetentionStore.
func (db *DB) StripBodies(ctx context.Context, r newsdesk.BodyRule, dryRun bool) (int64, error) {
	if r.Before.IsZero() {
		return 0, newsdesk.Errorf(newsdesk.EINVALID, "Retention needs a cut-off time.")
	}
	var a args
	cond := bodyRuleWhere(&a, r)
	if dryRun {
		var n int64
		if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM articles a WHERE `+cond, a...).Scan(&n); err != nil {
			return 0, fmt.Errorf("count bodies to strip: %w", err)
		}
		return n, nil
	}
	nowP := a.add(db.now())
	var total int64
	for {
		var n int64
		err := db.tx(ctx, func(tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `UPDATE articles SET body = '', text = '', body_removed_at = `+nowP+`
				WHERE id IN (SELECT a.id FROM articles a WHERE `+cond+` ORDER BY a.id LIMIT `+fmt.Sprint(stripBatch)+` FOR UPDATE SKIP LOCKED)
				RETURNING id`, a...)
			if err != nil {
				return err
			}
			ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
			if err != nil || len(ids) == 0 {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE search_docs SET body = '' WHERE article_id = ANY($1)`, ids); err != nil {
				return err
			}
			n = int64(len(ids))
			// The stripped articles' pages change, no list does: other
			// nodes refresh those pages rather than drop every page
			// after each batch of a long pass.
			return db.notifyScoped(ctx, tx, "articles", ids, nil)
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
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM read_events WHERE at < $1`, before.UTC()).Scan(&n); err != nil {
		return 0, fmt.Errorf("count read events: %w", err)
	}
	return n, nil
}

// CountExpiredSessions returns how many sessions are expired at now.
func (db *DB) CountExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM sessions WHERE expires_at <= $1`, now.UTC()).Scan(&n); err != nil {
		return 0, fmt.Errorf("count expired sessions: %w", err)
	}
	return n, nil
}
