package sqlite

import (
	"context"
	"fmt"
)

// sectionRiverInsert files published articles under their sections and all
// the ancestors of those. %s is the condition choosing the articles.
const sectionRiverInsert = `INSERT OR IGNORE INTO section_river (section_id, published_at, article_id, duplicate)
	WITH RECURSIVE up(article_id, section_id) AS (
		SELECT x.article_id, x.section_id FROM article_sections x JOIN articles a ON a.id = x.article_id
		WHERE a.status = 'published' %s
		UNION
		SELECT up.article_id, s.parent_id FROM up JOIN sections s ON s.id = up.section_id WHERE s.parent_id IS NOT NULL)
	SELECT up.section_id, a.published_at, up.article_id, a.duplicate_of <> 0 FROM up JOIN articles a ON a.id = up.article_id`

// entityRiverInsert lists published articles under the entities they
// name. %s is the condition choosing the articles.
const entityRiverInsert = `INSERT OR IGNORE INTO entity_river (entity_id, published_at, article_id, duplicate)
	SELECT x.entity_id, a.published_at, a.id, a.duplicate_of <> 0
	FROM article_entities x JOIN articles a ON a.id = x.article_id
	WHERE a.status = 'published' %s`

// refreshRivers rebuilds the section and entity river rows of the
// articles, after their filing, entities, status or duplicate-of changed.
func refreshRivers(ctx context.Context, q querier, articleIDs []int64) error {
	if err := refreshSectionRiver(ctx, q, articleIDs); err != nil {
		return err
	}
	if len(articleIDs) == 0 {
		return nil
	}
	idj := jsonIDs(articleIDs)
	if _, err := q.ExecContext(ctx, `DELETE FROM entity_river WHERE article_id IN (SELECT value FROM json_each(?))`, idj); err != nil {
		return fmt.Errorf("entity river: %w", err)
	}
	if _, err := q.ExecContext(ctx, fmt.Sprintf(entityRiverInsert, `AND a.id IN (SELECT value FROM json_each(?))`), idj); err != nil {
		return fmt.Errorf("entity river: %w", err)
	}
	return nil
}

// refreshSectionRiver rebuilds the section river rows of the articles.
func refreshSectionRiver(ctx context.Context, q querier, articleIDs []int64) error {
	if len(articleIDs) == 0 {
		return nil
	}
	idj := jsonIDs(articleIDs)
	if _, err := q.ExecContext(ctx, `DELETE FROM section_river WHERE article_id IN (SELECT value FROM json_each(?))`, idj); err != nil {
		return fmt.Errorf("section river: %w", err)
	}
	if _, err := q.ExecContext(ctx, fmt.Sprintf(sectionRiverInsert, `AND a.id IN (SELECT value FROM json_each(?))`), idj); err != nil {
		return fmt.Errorf("section river: %w", err)
	}
	return nil
}

// rebuildSectionRiver rebuilds the whole section river, after the section
// tree changed.
func rebuildSectionRiver(ctx context.Context, q querier) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM section_river`); err != nil {
		return fmt.Errorf("section river: %w", err)
	}
	if _, err := q.ExecContext(ctx, fmt.Sprintf(sectionRiverInsert, "")); err != nil {
		return fmt.Errorf("section river: %w", err)
	}
	return nil
}

// rebuildEntityRiver rebuilds the whole entity river.
func rebuildEntityRiver(ctx context.Context, q querier) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM entity_river`); err != nil {
		return fmt.Errorf("entity river: %w", err)
	}
	if _, err := q.ExecContext(ctx, fmt.Sprintf(entityRiverInsert, "")); err != nil {
		return fmt.Errorf("entity river: %w", err)
	}
	return nil
}
