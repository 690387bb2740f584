package sqlite

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
	// CROSS JOIN keeps the stories as the outer loop: each is a range of
	// articles_story, each article a range of read_events_article.
	rows, err := db.r.QueryContext(ctx, `SELECT a.story_id, count(*) AS n FROM json_each(?) x
		CROSS JOIN articles a ON a.story_id = x.value AND a.status = 'published'
		CROSS JOIN read_events r ON r.article_id = a.id AND r.at >= ? AND r.at < ?
		GROUP BY a.story_id ORDER BY n DESC, a.story_id DESC`, jsonIDs(uniqueIDs(storyIDs)), tm(since), tm(until))
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
