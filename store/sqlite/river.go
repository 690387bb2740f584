package sqlite

import (
	"context"
	"fmt"
)

// sectionRiverInsert files published articles under their sections and all
// the ancestors of those. %s names the articles' filings as x joined to
// their articles as a: riverAll or riverListed.
const sectionRiverInsert = `INSERT OR IGNORE INTO section_river (section_id, published_at, article_id, duplicate)
	WITH RECURSIVE up(article_id, section_id) AS (
		SELECT x.article_id, x.section_id FROM %s
		UNION
		SELECT up.article_id, s.parent_id FROM up JOIN sections s ON s.id = up.section_id WHERE s.parent_id IS NOT NULL)
	SELECT up.section_id, a.published_at, up.article_id, a.duplicate_of <> 0 FROM up JOIN articles a ON a.id = up.article_id`

// entityRiverInsert lists published articles under the entities they
// name. %s names the articles' entities as x joined to their articles as
// a: riverAll or riverListed.
const entityRiverInsert = `INSERT OR IGNORE INTO entity_river (entity_id, published_at, article_id, duplicate)
	SELECT x.entity_id, a.published_at, a.id, a.duplicate_of <> 0 FROM %s`

// riverAll joins every published article to its rows of table x.
func riverAll(table string) string {
	return table + ` x JOIN articles a ON a.id = x.article_id WHERE a.status = 'published'`
}

// riverListed joins the published articles listed in the JSON array
// parameter to their rows of table x. The list drives the join (CROSS
// JOIN keeps that order): without it, a database whose statistics have
// not been gathered yet (a new site, until PRAGMA optimize runs) walks
// every published article for each batch, and storing slows down as the
// site grows.
func riverListed(table string) string {
	return `json_each(?) j CROSS JOIN articles a ON a.id = j.value CROSS JOIN ` + table +
		` x ON x.article_id = a.id WHERE a.status = 'published'`
}

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
	if _, err := q.ExecContext(ctx, fmt.Sprintf(entityRiverInsert, riverListed("article_entities")), idj); err != nil {
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
	if _, err := q.ExecContext(ctx, fmt.Sprintf(sectionRiverInsert, riverListed("article_sections")), idj); err != nil {
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
	if _, err := q.ExecContext(ctx, fmt.Sprintf(sectionRiverInsert, riverAll("article_sections"))); err != nil {
		return fmt.Errorf("section river: %w", err)
	}
	return nil
}

// rebuildEntityRiver rebuilds the whole entity river.
func rebuildEntityRiver(ctx context.Context, q querier) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM entity_river`); err != nil {
		return fmt.Errorf("entity river: %w", err)
	}
	if _, err := q.ExecContext(ctx, fmt.Sprintf(entityRiverInsert, riverAll("article_entities"))); err != nil {
		return fmt.Errorf("entity river: %w", err)
	}
	return nil
}
