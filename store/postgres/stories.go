package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

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
	_, err := q.Exec(ctx, refreshStoriesSQL, ids)
	if err != nil {
		return fmt.Errorf("refresh stories: %w", err)
	}
	return nil
}

// refreshStoriesSQL recomputes the stories whose IDs are its parameter.
const refreshStoriesSQL = `UPDATE stories SET
		articles = c.articles, sources = c.sources, first_at = c.first_at, last_at = c.last_at,
		first_article_id = COALESCE((SELECT a.id FROM articles a WHERE a.story_id = stories.id
			ORDER BY a.status <> 'published', a.published_at, a.id LIMIT 1), 0)
		FROM (SELECT s.id,
				count(a.id) AS articles,
				count(DISTINCT a.source_name) AS sources,
				min(a.published_at) AS first_at,
				max(a.published_at) AS last_at
			FROM (SELECT DISTINCT id FROM unnest($1::bigint[]) AS u(id)) s
			LEFT JOIN articles a ON a.story_id = s.id AND a.status = 'published'
			GROUP BY s.id) c
		WHERE stories.id = c.id`

// dropEmptyStories deletes those of the stories that have no article left.
func dropEmptyStories(ctx context.Context, q querier, ids []int64) error {
	_, err := q.Exec(ctx, `DELETE FROM stories WHERE id = ANY($1)
		AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.story_id = stories.id)`, ids)
	if err != nil {
		return fmt.Errorf("drop empty stories: %w", err)
	}
	return nil
}

const storyCols = `id, title, first_article_id, articles, sources, first_at, last_at, created_at`

// Story returns one story with its counts, ENOTFOUND if missing.
func (db *DB) Story(ctx context.Context, id int64) (*newsdesk.Story, error) {
	s, err := dialect().ScanStory(db.pool.QueryRow(ctx, `SELECT `+storyCols+` FROM stories WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("Story", id)
	} else if err != nil {
		return nil, fmt.Errorf("story %d: %w", id, err)
	}
	return s, nil
}

// Stories returns stories with at least one published article matching the
// filter, most recently active first.
func (db *DB) Stories(ctx context.Context, f newsdesk.StoryFilter) ([]*newsdesk.Story, error) {
	var a args
	query := `SELECT ` + storyCols + ` FROM stories WHERE articles > 0`
	if f.Since != nil {
		query += ` AND last_at >= ` + a.add(f.Since.UTC())
	}
	if f.MinSources > 0 {
		query += ` AND sources >= ` + a.add(f.MinSources)
	}
	rows, err := db.pool.Query(ctx, query+` ORDER BY last_at DESC, id DESC`+limitOffset(f.Limit, f.Offset), a...)
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
func moveArticles(ctx context.Context, tx pgx.Tx, story int64, articleIDs []int64) error {
	ids := uniqueIDs(articleIDs)
	rows, err := tx.Query(ctx, `SELECT story_id FROM articles WHERE id = ANY($1) FOR UPDATE`, ids)
	if err != nil {
		return err
	}
	found := 0
	seen := map[int64]bool{}
	var old []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		found++
		if !seen[id] {
			seen[id] = true
			old = append(old, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if found != len(ids) {
		return newsdesk.Errorf(newsdesk.ENOTFOUND, "%d of the %d articles not found.", len(ids)-found, len(ids))
	}
	if _, err := tx.Exec(ctx, `UPDATE articles SET story_id = $1 WHERE id = ANY($2)`, story, ids); err != nil {
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
	err := db.tx(ctx, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM stories WHERE id = $1)`, storyID).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return notFound("Story", storyID)
		}
		if err := moveArticles(ctx, tx, storyID, articleIDs); err != nil {
			return err
		}
		return db.notify(ctx, tx, "stories")
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
	var story *newsdesk.Story
	err := db.tx(ctx, func(tx pgx.Tx) error {
		var title string
		err := tx.QueryRow(ctx, `SELECT headline FROM articles WHERE id = ANY($1) ORDER BY published_at, id LIMIT 1`, articleIDs).Scan(&title)
		if errors.Is(err, pgx.ErrNoRows) {
			return newsdesk.Errorf(newsdesk.ENOTFOUND, "Articles not found.")
		} else if err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO stories (title, created_at) VALUES ($1, $2) RETURNING id`, title, db.now()).Scan(&id); err != nil {
			return err
		}
		if err := moveArticles(ctx, tx, id, articleIDs); err != nil {
			return err
		}
		if story, err = dialect().ScanStory(tx.QueryRow(ctx, `SELECT `+storyCols+` FROM stories WHERE id = $1`, id)); err != nil {
			return err
		}
		return db.notify(ctx, tx, "stories")
	})
	if err != nil {
		return nil, fmt.Errorf("split articles: %w", err)
	}
	return story, nil
}

// UpdateStoryTitle sets the story's title. EINVALID if empty, ENOTFOUND if
// the story is missing.
func (db *DB) UpdateStoryTitle(ctx context.Context, id int64, title string) error {
	if title == "" {
		return newsdesk.Errorf(newsdesk.EINVALID, "Story title required.")
	}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE stories SET title = $1 WHERE id = $2`, title, id)
		if err != nil {
			return err
		}
		if err := affected(tag, "Story", id); err != nil {
			return err
		}
		return db.notify(ctx, tx, "stories")
	})
	if err != nil {
		return fmt.Errorf("update story %d: %w", id, err)
	}
	return nil
}
