package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"newsdesk"
	"newsdesk/store"
)

const articleCols = `a.id, COALESCE(a.source_id, 0), COALESCE(s.name, a.source_name), COALESCE(s.licence, a.source_licence),
	a.guid, a.url, a.slug, a.headline, a.lede, a.body, a.text, a.author, a.image_url, a.image_alt,
	a.dateline_place, a.dateline_agency, a.language, a.published_at, a.updated_at, a.fetched_at, a.status,
	a.fingerprint, a.simhash, a.duplicate_of, a.story_id, a.sections_locked, a.body_removed_at`

// cardCols are articleCols for a list of cards (ArticleFilter.Cards): no
// body, the start of the text only when there is no lede (so that no
// article's full text is read out of its TOAST table), and no
// body_removed_at.
var cardCols = strings.NewReplacer("a.body,", "'',",
	"a.text,", fmt.Sprintf("CASE WHEN a.lede = '' THEN left(a.text, %d) ELSE '' END,", newsdesk.CardText),
	"a.body_removed_at", "NULL::timestamptz").Replace(articleCols)

const articleFrom = ` FROM articles a LEFT JOIN sources s ON s.id = a.source_id`

func scanArticle(sc pgx.Row, pre []any, extra ...any) (*newsdesk.Article, error) {
	return dialect().ScanArticle(sc, pre, extra...)
}

// loadRefs fills the sections (primary first) and entities (most mentions
// first) of arts with one query each.
func loadRefs(ctx context.Context, q querier, arts []*newsdesk.Article) error {
	if len(arts) == 0 {
		return nil
	}
	refs := store.NewRefs(arts)
	rows, err := q.Query(ctx, `SELECT x.article_id, s.id, s.slug, s.name FROM article_sections x
		JOIN sections s ON s.id = x.section_id
		WHERE x.article_id = ANY($1) ORDER BY x.article_id, x.position`, refs.IDs)
	if err != nil {
		return fmt.Errorf("article sections: %w", err)
	}
	err = refs.ScanSections(rows)
	rows.Close()
	if err != nil {
		return fmt.Errorf("article sections: %w", err)
	}
	rows, err = q.Query(ctx, `SELECT x.article_id, e.id, e.slug, e.name, e.kind, x.mentions FROM article_entities x
		JOIN entities e ON e.id = x.entity_id
		WHERE x.article_id = ANY($1) ORDER BY x.article_id, x.mentions DESC, x.position`, refs.IDs)
	if err != nil {
		return fmt.Errorf("article entities: %w", err)
	}
	defer rows.Close()
	if err := refs.ScanEntities(rows); err != nil {
		return fmt.Errorf("article entities: %w", err)
	}
	refs.Share()
	return nil
}

func queryArticles(ctx context.Context, q querier, query string, args ...any) ([]*newsdesk.Article, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	out, err := store.ScanAll(rows, func(r store.Row) (*newsdesk.Article, error) { return scanArticle(r, nil) })
	rows.Close()
	if err != nil {
		return nil, err
	}
	if err := loadRefs(ctx, q, out); err != nil {
		return nil, err
	}
	return out, nil
}

// Article returns one article with its sections and entities, ENOTFOUND if
// there is none.
func (db *DB) Article(ctx context.Context, id int64) (*newsdesk.Article, error) {
	arts, err := queryArticles(ctx, db.pool, `SELECT `+articleCols+articleFrom+` WHERE a.id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("article %d: %w", id, err)
	}
	if len(arts) == 0 {
		return nil, notFound("Article", id)
	}
	return arts[0], nil
}

// descendantIDs is descendants as an array for "section_id = ANY(…)": the
// planner then looks the sections' articles up by index instead of
// guessing the size of the recursive query.
func descendantIDs(p string) string { return "ANY(ARRAY(" + descendants(p) + "))" }

// countSQL counts the rows of a query, stopping at limit when positive.
func countSQL(rows string, limit int) string {
	if limit > 0 {
		return `SELECT count(*) FROM (` + rows + ` LIMIT ` + strconv.Itoa(limit) + `) x`
	}
	return `SELECT count(*) FROM (` + rows + `) x`
}

// sourceCond selects the articles of a source, or the manual ones for 0,
// in a form the indexes serve.
func sourceCond(a *args, sourceID int64) string {
	if sourceID == 0 {
		return "source_id IS NULL"
	}
	return "source_id = " + a.add(sourceID)
}

// descendants selects the section with the ID of placeholder p and all the
// sections below it.
func descendants(p string) string {
	return `WITH RECURSIVE d(id) AS (SELECT ` + p + `::bigint UNION SELECT c.id FROM sections c JOIN d ON c.parent_id = d.id) SELECT id FROM d`
}

// articlesWhere is the condition and order of a filter's articles, with
// their arguments.
func articlesWhere(f newsdesk.ArticleFilter) (cond, order string, a args) {
	var where []string
	if f.IDs != nil {
		where = append(where, "a.id = ANY("+a.add(f.IDs)+"::bigint[])")
	}
	if f.SourceID != nil {
		where = append(where, "a.source_id = "+a.add(*f.SourceID))
	}
	if f.SectionID != nil {
		where = append(where, "a.id IN (SELECT article_id FROM article_sections WHERE section_id = "+descendantIDs(a.add(*f.SectionID))+")")
	}
	if f.EntityID != nil {
		where = append(where, "a.id IN (SELECT article_id FROM article_entities WHERE entity_id = "+a.add(*f.EntityID)+")")
	}
	if f.AnyEntity != nil {
		where = append(where, "a.id IN (SELECT article_id FROM article_entities WHERE entity_id = ANY("+a.add(f.AnyEntity)+"::bigint[]))")
	}
	if f.StoryID != nil {
		where = append(where, "a.story_id = "+a.add(*f.StoryID))
	}
	if f.Since != nil {
		where = append(where, "a.published_at >= "+a.add(f.Since.UTC()))
	}
	if f.Before != nil {
		where = append(where, "a.published_at < "+a.add(f.Before.UTC()))
	}
	if !f.IncludeUnpublished {
		where = append(where, "a.status = 'published'")
	}
	if f.ExcludeDuplicates {
		where = append(where, "a.duplicate_of = 0")
	}
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	order = " ORDER BY a.published_at DESC, a.id DESC"
	if f.Oldest {
		order = " ORDER BY a.published_at, a.id"
	}
	return cond, order, a
}

// Articles returns the articles matching the filter, newest first, with
// their sections and entities, and the total matching: -1 with NoTotal,
// and counted up to MaxTotal only when that is set. A page that is not
// full gives the total without counting.
func (db *DB) Articles(ctx context.Context, f newsdesk.ArticleFilter) ([]*newsdesk.Article, int, error) {
	cond, order, a := articlesWhere(f)
	cols := articleCols
	if f.Cards {
		cols = cardCols
	}
	arts, err := queryArticles(ctx, db.pool, `SELECT `+cols+articleFrom+cond+order+limitOffset(f.Limit, f.Offset), a...)
	if err != nil {
		return nil, 0, fmt.Errorf("articles: %w", err)
	}
	if f.NoTotal {
		return arts, -1, nil
	}
	total := len(arts) + max(f.Offset, 0)
	if f.Limit > 0 && len(arts) == f.Limit || f.Offset > 0 && len(arts) == 0 {
		if err := db.pool.QueryRow(ctx, countSQL(`SELECT 1 FROM articles a`+cond, f.MaxTotal), a...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count articles: %w", err)
		}
	}
	if f.MaxTotal > 0 {
		total = min(total, f.MaxTotal)
	}
	return arts, total, nil
}

// FindByFingerprint returns published articles with this fingerprint,
// oldest first.
func (db *DB) FindByFingerprint(ctx context.Context, fingerprint string) ([]*newsdesk.Article, error) {
	if fingerprint == "" {
		return nil, nil
	}
	arts, err := queryArticles(ctx, db.pool, `SELECT `+articleCols+articleFrom+`
		WHERE a.fingerprint = $1 AND a.status = 'published' ORDER BY a.published_at, a.id`, fingerprint)
	if err != nil {
		return nil, fmt.Errorf("find by fingerprint: %w", err)
	}
	return arts, nil
}

// ArticleExists reports the ID of the article of sourceID (0: manual) with
// this GUID, else this URL, or 0.
func (db *DB) ArticleExists(ctx context.Context, sourceID int64, guid, url string) (int64, error) {
	for _, k := range []struct{ col, v string }{{"guid", guid}, {"url", url}} {
		if k.v == "" {
			continue
		}
		var id int64
		var a args
		err := db.pool.QueryRow(ctx, `SELECT id FROM articles WHERE `+sourceCond(&a, sourceID)+` AND `+k.col+` <> '' AND `+k.col+` = `+a.add(k.v)+`
			ORDER BY id LIMIT 1`, a...).Scan(&id)
		if err == nil {
			return id, nil
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return 0, fmt.Errorf("article exists: %w", err)
		}
	}
	return 0, nil
}

// storedArticle is what an upsert compares a new version with.
type storedArticle struct {
	id                                             int64
	headline, lede, body, author, image, alt, slug string
	storyID                                        int64
	locked                                         bool
	updatedAt                                      time.Time
	bodyRemovedAt                                  time.Time // by retention; zero while kept
}

const storedCols = `id, headline, lede, body, author, image_url, image_alt, slug, story_id, sections_locked, updated_at, body_removed_at`

func scanStored(row pgx.Row) (*storedArticle, error) {
	var m storedArticle
	err := row.Scan(&m.id, &m.headline, &m.lede, &m.body, &m.author, &m.image, &m.alt, &m.slug, &m.storyID, &m.locked,
		tsp(&m.updatedAt), tsp(&m.bodyRemovedAt))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return &m, nil
}

// writeSections files the article under refs, in order; refs by slug are
// resolved, unknown slugs skipped. EINVALID for an unknown section ID.
func writeSections(ctx context.Context, tx pgx.Tx, articleID int64, refs []newsdesk.SectionRef) error {
	for i, r := range refs {
		id := r.ID
		if id == 0 && r.Slug != "" {
			if err := tx.QueryRow(ctx, `SELECT id FROM sections WHERE slug = $1`, r.Slug).Scan(&id); errors.Is(err, pgx.ErrNoRows) {
				continue
			} else if err != nil {
				return err
			}
		}
		if id == 0 {
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO article_sections (article_id, section_id, position) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, articleID, id, i); err != nil {
			if isForeignKey(err) {
				return newsdesk.Errorf(newsdesk.EINVALID, "Unknown section %d.", id)
			}
			return err
		}
	}
	return nil
}

// writeEntities links the article to refs; refs by name are resolved,
// unknown names skipped. EINVALID for an unknown entity ID.
func writeEntities(ctx context.Context, tx pgx.Tx, articleID int64, refs []newsdesk.EntityRef) error {
	for i, r := range refs {
		id := r.ID
		if id == 0 && r.Name != "" {
			if err := tx.QueryRow(ctx, `SELECT entity_id FROM entity_names WHERE name_key = $1`, store.NameKey(r.Name)).Scan(&id); errors.Is(err, pgx.ErrNoRows) {
				continue
			} else if err != nil {
				return err
			}
		}
		if id == 0 {
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO article_entities (article_id, entity_id, mentions, position) VALUES ($1, $2, $3, $4)
			ON CONFLICT DO NOTHING`, articleID, id, max(r.Mentions, 1), i); err != nil {
			if isForeignKey(err) {
				return newsdesk.Errorf(newsdesk.EINVALID, "Unknown entity %d.", id)
			}
			return err
		}
	}
	return nil
}

func articleSlug(headline string) string {
	if s := newsdesk.Slugify(headline); s != "" {
		return s
	}
	return "article"
}

// UpdateArticle saves the editable fields of an article: headline, lede,
// body, author, status, image, sections (and whether they are locked),
// entities, story (0 keeps the current one) and duplicate-of. UpdatedAt is
// set to now when the headline, lede, body, author or image changed.
// ENOTFOUND if missing.
func (db *DB) UpdateArticle(ctx context.Context, a *newsdesk.Article) error {
	if err := a.Validate(); err != nil {
		return err
	}
	cleanText(a)
	now := db.now()
	err := db.tx(ctx, func(tx pgx.Tx) error {
		m, err := scanStored(tx.QueryRow(ctx, `SELECT `+storedCols+` FROM articles WHERE id = $1 FOR UPDATE`, a.ID))
		if err != nil {
			return err
		} else if m == nil {
			return notFound("Article", a.ID)
		}
		changed := m.headline != a.Headline || m.lede != a.Lede || m.body != a.Body || m.author != a.Author ||
			m.image != a.ImageURL || m.alt != a.ImageAlt
		updated, slug := m.updatedAt, m.slug
		if changed {
			updated, slug = now, articleSlug(a.Headline)
		}
		story := a.StoryID
		if story == 0 {
			story = m.storyID
		} else if story != m.storyID {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM stories WHERE id = $1)`, story).Scan(&exists); err != nil {
				return err
			}
			if !exists {
				return notFound("Story", story)
			}
		}
		_, err = tx.Exec(ctx, `UPDATE articles SET slug = $1, headline = $2, lede = $3, body = $4, text = $5, author = $6,
			image_url = $7, image_alt = $8, status = $9, updated_at = $10, story_id = $11, duplicate_of = $12, sections_locked = $13
			WHERE id = $14`, slug, a.Headline, a.Lede, a.Body, a.Text, a.Author, a.ImageURL, a.ImageAlt, string(a.Status),
			ts(updated), story, a.DuplicateOf, a.SectionsLocked, a.ID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM article_sections WHERE article_id = $1`, a.ID); err != nil {
			return err
		}
		if err := writeSections(ctx, tx, a.ID, a.Sections); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM article_entities WHERE article_id = $1`, a.ID); err != nil {
			return err
		}
		if err := writeEntities(ctx, tx, a.ID, a.Entities); err != nil {
			return err
		}
		if err := refreshStories(ctx, tx, []int64{m.storyID, story}); err != nil {
			return err
		}
		if story != m.storyID {
			if err := dropEmptyStories(ctx, tx, []int64{m.storyID}); err != nil {
				return err
			}
		}
		if err := db.notify(ctx, tx, "articles"); err != nil {
			return err
		}
		a.Slug, a.UpdatedAt, a.StoryID = slug, updated, story
		return nil
	})
	if err != nil {
		return fmt.Errorf("update article %d: %w", a.ID, err)
	}
	return nil
}

// ArticleBriefs returns the briefs of the articles Articles would return
// for f, in the same order, in one query: the small columns of each row
// and the IDs of the entities it names (most mentioned first). It never
// counts. See newsdesk.BriefStore.
func (db *DB) ArticleBriefs(ctx context.Context, f newsdesk.ArticleFilter) ([]newsdesk.ArticleBrief, error) {
	cond, order, a := articlesWhere(f)
	rows, err := db.pool.Query(ctx, `SELECT `+store.BriefCols+`,
			ARRAY(SELECT x.entity_id FROM article_entities x WHERE x.article_id = a.id ORDER BY x.mentions DESC, x.position)`+
		articleFrom+cond+order+limitOffset(f.Limit, f.Offset), a...)
	if err != nil {
		return nil, fmt.Errorf("article briefs: %w", err)
	}
	defer rows.Close()
	var out []newsdesk.ArticleBrief
	for rows.Next() {
		var ents []int64
		b, err := dialect().ScanBrief(rows, &ents)
		if err != nil {
			return nil, fmt.Errorf("article briefs: %w", err)
		}
		if len(ents) > 0 {
			b.EntityIDs = ents
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("article briefs: %w", err)
	}
	return out, nil
}
