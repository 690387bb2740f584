package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"newsdesk"
)

// picksSQL selects picks with their articles. The picks are the outer loop
// (CROSS JOIN keeps SQLite from reordering): an editor keeps a handful,
// while a planner starting from the published articles would walk all of
// them to find the few picked.
func picksSQL(cond string) string {
	return `SELECT p.id, p.article_id, p.position, p.expires_at, p.created_by, p.created_at, ` + articleCols + `
		FROM picks p CROSS JOIN articles a ON a.id = p.article_id LEFT JOIN sources s ON s.id = a.source_id` + cond + `
		ORDER BY p.position, p.id`
}

func (db *DB) queryPicks(ctx context.Context, cond string, args ...any) ([]*newsdesk.Pick, error) {
	rows, err := db.r.QueryContext(ctx, picksSQL(cond), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var picks []*newsdesk.Pick
	var arts []*newsdesk.Article
	for rows.Next() {
		var p newsdesk.Pick
		a, err := dialect().ScanArticle(rows, []any{&p.ID, &p.ArticleID, &p.Position, microsTime(&p.ExpiresAt), &p.CreatedBy, microsTime(&p.CreatedAt)})
		if err != nil {
			return nil, err
		}
		p.Article = a
		picks, arts = append(picks, &p), append(arts, a)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if err := loadRefs(ctx, db.r, arts); err != nil {
		return nil, err
	}
	return picks, nil
}

// activePicks is the condition of Picks: unexpired picks of published
// articles.
const activePicks = ` WHERE a.status = 'published' AND (p.expires_at = 0 OR p.expires_at > ?)`

// Picks returns the picks active at now, in position order, each with its
// published article. Picks of unpublished articles are left out.
func (db *DB) Picks(ctx context.Context, now time.Time) ([]*newsdesk.Pick, error) {
	picks, err := db.queryPicks(ctx, activePicks, tm(now))
	if err != nil {
		return nil, fmt.Errorf("picks: %w", err)
	}
	return picks, nil
}

// AllPicks returns every pick, expired ones and those of unpublished
// articles included.
func (db *DB) AllPicks(ctx context.Context) ([]*newsdesk.Pick, error) {
	picks, err := db.queryPicks(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("all picks: %w", err)
	}
	return picks, nil
}

// pickCount is the number of picks; positions are kept 0..n-1.
func pickCount(ctx context.Context, tx *sql.Tx) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM picks`).Scan(&n)
	return n, err
}

// CreatePick pins an article at p.Position (clamped to the list), shifting
// later picks down, and sets p.ID and p.CreatedAt. ECONFLICT if the article
// is already picked; ENOTFOUND if the article does not exist.
func (db *DB) CreatePick(ctx context.Context, p *newsdesk.Pick) error {
	now := db.now()
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM articles WHERE id = ?`, p.ArticleID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return notFound("Article", p.ArticleID)
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM picks WHERE article_id = ?`, p.ArticleID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return newsdesk.Errorf(newsdesk.ECONFLICT, "Article %d is already picked.", p.ArticleID)
		}
		count, err := pickCount(ctx, tx)
		if err != nil {
			return err
		}
		p.Position = min(max(p.Position, 0), count)
		if _, err := tx.ExecContext(ctx, `UPDATE picks SET position = position + 1 WHERE position >= ?`, p.Position); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `INSERT INTO picks (article_id, position, expires_at, created_by, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, p.ArticleID, p.Position, tm(p.ExpiresAt), p.CreatedBy, tm(now)).Scan(&p.ID)
	})
	if err != nil {
		return fmt.Errorf("create pick of article %d: %w", p.ArticleID, err)
	}
	p.CreatedAt = now
	return nil
}

// MovePick moves a pick to a new position (clamped to the list), shifting
// the others. ENOTFOUND if missing.
func (db *DB) MovePick(ctx context.Context, id int64, position int) error {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var from int
		err := tx.QueryRowContext(ctx, `SELECT position FROM picks WHERE id = ?`, id).Scan(&from)
		if err == sql.ErrNoRows {
			return notFound("Pick", id)
		} else if err != nil {
			return err
		}
		count, err := pickCount(ctx, tx)
		if err != nil {
			return err
		}
		to := min(max(position, 0), count-1)
		switch {
		case to < from:
			_, err = tx.ExecContext(ctx, `UPDATE picks SET position = position + 1 WHERE position >= ? AND position < ?`, to, from)
		case to > from:
			_, err = tx.ExecContext(ctx, `UPDATE picks SET position = position - 1 WHERE position > ? AND position <= ?`, from, to)
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE picks SET position = ? WHERE id = ?`, to, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("move pick %d: %w", id, err)
	}
	return nil
}

// UpdatePickExpiry sets a pick's expiry (zero: never). ENOTFOUND if missing.
func (db *DB) UpdatePickExpiry(ctx context.Context, id int64, expires time.Time) error {
	res, err := db.w.ExecContext(ctx, `UPDATE picks SET expires_at = ? WHERE id = ?`, tm(expires), id)
	if err != nil {
		return fmt.Errorf("update pick %d: %w", id, err)
	}
	return affected(res, "Pick", id)
}

// DeletePick unpins, closing the gap. ENOTFOUND if missing.
func (db *DB) DeletePick(ctx context.Context, id int64) error {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var pos int
		err := tx.QueryRowContext(ctx, `DELETE FROM picks WHERE id = ? RETURNING position`, id).Scan(&pos)
		if err == sql.ErrNoRows {
			return notFound("Pick", id)
		} else if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE picks SET position = position - 1 WHERE position > ?`, pos)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete pick %d: %w", id, err)
	}
	return nil
}
