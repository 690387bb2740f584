package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"newsdesk"
)

func (db *DB) queryPicks(ctx context.Context, cond string, args ...any) ([]*newsdesk.Pick, error) {
	rows, err := db.pool.Query(ctx, `SELECT p.id, p.article_id, p.position, p.expires_at, p.created_by, p.created_at, `+articleCols+`
		FROM picks p JOIN articles a ON a.id = p.article_id LEFT JOIN sources s ON s.id = a.source_id`+cond+`
		ORDER BY p.position, p.id`, args...)
	if err != nil {
		return nil, err
	}
	var picks []*newsdesk.Pick
	var arts []*newsdesk.Article
	for rows.Next() {
		var p newsdesk.Pick
		a, err := scanArticle(rows, []any{&p.ID, &p.ArticleID, &p.Position, tsp(&p.ExpiresAt), &p.CreatedBy, tsp(&p.CreatedAt)})
		if err != nil {
			rows.Close()
			return nil, err
		}
		p.Article = a
		picks, arts = append(picks, &p), append(arts, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := loadRefs(ctx, db.pool, arts); err != nil {
		return nil, err
	}
	return picks, nil
}

// Picks returns the picks active at now, in position order, each with its
// published article. Picks of unpublished articles are left out.
func (db *DB) Picks(ctx context.Context, now time.Time) ([]*newsdesk.Pick, error) {
	picks, err := db.queryPicks(ctx, ` WHERE a.status = 'published' AND (p.expires_at IS NULL OR p.expires_at > $1)`, now.UTC())
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

// lockPicks serialises changes of the pick list: positions are kept dense
// (0..n-1), which concurrent shifts would break.
func lockPicks(ctx context.Context, tx pgx.Tx) (count int, err error) {
	if _, err := tx.Exec(ctx, `LOCK TABLE picks IN EXCLUSIVE MODE`); err != nil {
		return 0, err
	}
	err = tx.QueryRow(ctx, `SELECT count(*) FROM picks`).Scan(&count)
	return count, err
}

// CreatePick pins an article at p.Position (clamped to the list), shifting
// later picks down, and sets p.ID and p.CreatedAt. ECONFLICT if the article
// is already picked; ENOTFOUND if the article does not exist.
func (db *DB) CreatePick(ctx context.Context, p *newsdesk.Pick) error {
	now := db.now()
	err := db.tx(ctx, func(tx pgx.Tx) error {
		count, err := lockPicks(ctx, tx)
		if err != nil {
			return err
		}
		var exists, picked bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM articles WHERE id = $1),
			EXISTS (SELECT 1 FROM picks WHERE article_id = $1)`, p.ArticleID).Scan(&exists, &picked); err != nil {
			return err
		}
		if !exists {
			return notFound("Article", p.ArticleID)
		}
		if picked {
			return newsdesk.Errorf(newsdesk.ECONFLICT, "Article %d is already picked.", p.ArticleID)
		}
		p.Position = min(max(p.Position, 0), count)
		if _, err := tx.Exec(ctx, `UPDATE picks SET position = position + 1 WHERE position >= $1`, p.Position); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO picks (article_id, position, expires_at, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, p.ArticleID, p.Position, ts(p.ExpiresAt), p.CreatedBy, now).Scan(&p.ID); err != nil {
			return err
		}
		return db.notify(ctx, tx, "picks")
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
	err := db.tx(ctx, func(tx pgx.Tx) error {
		count, err := lockPicks(ctx, tx)
		if err != nil {
			return err
		}
		var from int
		err = tx.QueryRow(ctx, `SELECT position FROM picks WHERE id = $1`, id).Scan(&from)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("Pick", id)
		} else if err != nil {
			return err
		}
		to := min(max(position, 0), count-1)
		switch {
		case to < from:
			_, err = tx.Exec(ctx, `UPDATE picks SET position = position + 1 WHERE position >= $1 AND position < $2`, to, from)
		case to > from:
			_, err = tx.Exec(ctx, `UPDATE picks SET position = position - 1 WHERE position > $1 AND position <= $2`, from, to)
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE picks SET position = $1 WHERE id = $2`, to, id); err != nil {
			return err
		}
		return db.notify(ctx, tx, "picks")
	})
	if err != nil {
		return fmt.Errorf("move pick %d: %w", id, err)
	}
	return nil
}

// UpdatePickExpiry sets a pick's expiry (zero: never). ENOTFOUND if missing.
func (db *DB) UpdatePickExpiry(ctx context.Context, id int64, expires time.Time) error {
	err := db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE picks SET expires_at = $1 WHERE id = $2`, ts(expires), id)
		if err != nil {
			return err
		}
		if err := affected(tag, "Pick", id); err != nil {
			return err
		}
		return db.notify(ctx, tx, "picks")
	})
	if err != nil {
		return fmt.Errorf("update pick %d: %w", id, err)
	}
	return nil
}

// DeletePick unpins, closing the gap. ENOTFOUND if missing.
func (db *DB) DeletePick(ctx context.Context, id int64) error {
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if _, err := lockPicks(ctx, tx); err != nil {
			return err
		}
		var pos int
		err := tx.QueryRow(ctx, `DELETE FROM picks WHERE id = $1 RETURNING position`, id).Scan(&pos)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("Pick", id)
		} else if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE picks SET position = position - 1 WHERE position > $1`, pos); err != nil {
			return err
		}
		return db.notify(ctx, tx, "picks")
	})
	if err != nil {
		return fmt.Errorf("delete pick %d: %w", id, err)
	}
	return nil
}
