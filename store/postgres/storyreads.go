package postgres

import (
	"context"
	"fmt"
	"time"

	"newsdesk"
)

// StoryReads returns the read events in [since, until) of the published
// articles of each of storyIDs, by story. See newsdesk.StoryReadCounter.
func (db *DB) StoryReads(ctx context.Context, storyIDs []int64, since, until time.Time) ([]newsdesk.StoryCount, error) {
	if len(storyIDs) == 0 {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT a.story_id, count(*) AS n
		FROM articles a JOIN read_events r ON r.article_id = a.id
		WHERE a.story_id = ANY($1) AND a.status = 'published' AND r.at >= $2 AND r.at < $3
		GROUP BY a.story_id ORDER BY n DESC, a.story_id DESC`, storyIDs, since.UTC(), until.UTC())
	if err != nil {
		return nil, fmt.Errorf("story reads: %w", err)
	}
	defer rows.Close()
	var out []newsdesk.StoryCount
	for rows.Next() {
		var c newsdesk.StoryCount
		if err := rows.Scan(&c.StoryID, &c.Count); err != nil {
			return nil, fmt.Errorf("story reads: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("story reads: %w", err)
	}
	return out, nil
}
