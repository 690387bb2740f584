package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"newsdesk"
	"newsdesk/store"
)

// refreshStories recomputes the counts kept on the stories: published
// articles, distinct sources (by attributed name), first and last
// publication and the first article.
func refreshStories(ctx context.Context, q querier, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := q.ExecContext(ctx, `UPDATE stories SET
		articles = (SELECT count(*) FROM articles a WHERE a.story_id = stories.id AND a.status = 'published'),
		sources = (SELECT count(DISTINCT a.source_name) FROM articles a WHERE a.story_id = stories.id AND a.status = 'published'),
		first_at = COALESCE((SELECT min(a.published_at) FROM articles a WHERE a.story_id = stories.id AND a.status = 'published'), 0),
		last_at = COALESCE((SELECT max(a.published_at) FROM articles a WHERE a.story_id = stories.id AND a.status = 'published'), 0),
		first_article_id = COALESCE((SELECT a.id FROM articles a WHERE a.story_id = stories.id
			ORDER BY a.status <> 'published', a.published_at, a.id LIMIT 1), 0)
		WHERE id IN (SELECT value FROM json_each(?))`, jsonIDs(ids))
	if err != nil {
		return fmt.Errorf("refresh stories: %w", err)
	}
	return nil
}

// dropEmptyStories deletes those of the stories that have no article left.
func dropEmptyStories(ctx context.Context, q querier, ids []int64) error {
	_, err := q.ExecContext(ctx, `DELETE FROM stories WHERE id IN (SELECT value FROM json_each(?))
		AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.story_id = stories.id)`, jsonIDs(ids))
	if err != nil {
		return fmt.Errorf("drop empty stories: %w", err)
	}
	return nil
}

const storyCols = `id, title, first_article_id, articles, sources, first_at, last_at, created_at`

// Story returns one story with its counts, ENOTFOUND if missing.
func (db *DB) Story(ctx context.Context, id int64) (*newsdesk.Story, error) {
	s, err := dialect().ScanStory(db.r.QueryRowContext(ctx, `SELECT `+storyCols+` FROM stories WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return nil, notFound("Story", id)
	} else if err != nil {
		return nil, fmt.Errorf("story %d: %w", id, err)
	}
	return s, nil
}

// Stories returns stories with at least one published article matching the
// filter, most recently active first.
func (db *DB) Stories(ctx context.Context, f newsdesk.StoryFilter) ([]*newsdesk.Story, error) {
	query := `SELECT ` + storyCols + ` FROM stories WHERE articles > 0`
	var args []any
	if f.Since != nil {
		query += ` AND last_at >= ?`
		args = append(args, tm(*f.Since))
	}
	if f.MinSources > 0 {
		query += ` AND sources >= ?`
		args = append(args, f.MinSources)
	}
	rows, err := db.r.QueryContext(ctx, query+` ORDER BY last_at DESC, id DESC`+limitOffset(f.Limit, f.Offset), args...)
	if err != nil {
		return nil, fmt.Errorf("stories: %w", err)
	}
	defer rows.Close()
	out, err := store.ScanAll(rows, dialect().ScanStory)
	if err != nil {
		return nil, fmt.Errorf("stories: %w", err)
	}
	return out, nil
}

// moveArticles moves the articles into story and refreshes the stories
// involved, dropping those left empty. ENOTFOUND if an article is missing.
func moveArticles(ctx context.Context, tx *sql.Tx, story int64, articleIDs []int64) error {
	idj := jsonIDs(articleIDs)
	var found int
	var old []int64
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT story_id FROM articles WHERE id IN (SELECT value FROM json_each(?))`, idj)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		old = append(old, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM articles WHERE id IN (SELECT value FROM json_each(?))`, idj).Scan(&found); err != nil {
		return err
	}
	if want := len(uniqueIDs(articleIDs)); found != want {
		return newsdesk.Errorf(newsdesk.ENOTFOUND, "%d of the %d articles not found.", want-found, want)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE articles SET story_id = ? WHERE id IN (SELECT value FROM json_each(?))`, story, idj); err != nil {
		return err
	}
	if err := refreshStories(ctx, tx, append(old, story)); err != nil {
		return err
	}
	return dropEmptyStories(ctx, tx, old)
}

func uniqueIDs(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// MoveArticles puts the articles into story storyID and drops stories left
// empty. ENOTFOUND if the story or an article is missing.
func (db *DB) MoveArticles(ctx context.Context, storyID int64, articleIDs []int64) error {
	if len(articleIDs) == 0 {
		return nil
	}
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM stories WHERE id = ?`, storyID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return notFound("Story", storyID)
		}
		return moveArticles(ctx, tx, storyID, articleIDs)
	})
	if err != nil {
		return fmt.Errorf("move articles to story %d: %w", storyID, err)
	}
	return nil
}

// SplitArticles moves the articles into a new story, titled with the
// headline of the earliest of them, and returns it. EINVALID without
// articles, ENOTFOUND if one is missing.
func (db *DB) SplitArticles(ctx context.Context, articleIDs []int64) (*newsdesk.Story, error) {
	if len(articleIDs) == 0 {
		return nil, newsdesk.Errorf(newsdesk.EINVALID, "No articles to split off.")
	}
	var id int64
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var title string
		err := tx.QueryRowContext(ctx, `SELECT headline FROM articles WHERE id IN (SELECT value FROM json_each(?))
			ORDER BY published_at, id LIMIT 1`, jsonIDs(articleIDs)).Scan(&title)
		if err == sql.ErrNoRows {
			return newsdesk.Errorf(newsdesk.ENOTFOUND, "Articles not found.")
		} else if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO stories (title, created_at) VALUES (?, ?) RETURNING id`, title, tm(db.now())).Scan(&id); err != nil {
			return err
		}
		return moveArticles(ctx, tx, id, articleIDs)
	})
	if err != nil {
		return nil, fmt.Errorf("split articles: %w", err)
	}
	s, err := dialect().ScanStory(db.w.QueryRowContext(ctx, `SELECT `+storyCols+` FROM stories WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("split articles: %w", err)
	}
	return s, nil
}

// UpdateStoryTitle sets the story's title. EINVALID if empty, ENOTFOUND if
// the story is missing.
func (db *DB) UpdateStoryTitle(ctx context.Context, id int64, title string) error {
	if title == "" {
		return newsdesk.Errorf(newsdesk.EINVALID, "Story title required.")
	}
	res, err := db.w.ExecContext(ctx, `UPDATE stories SET title = ? WHERE id = ?`, title, id)
	if err != nil {
		return fmt.Errorf("update story %d: %w", id, err)
	}
	return affected(res, "Story", id)
}
