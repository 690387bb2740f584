package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"newsdesk"
)

const articleCols = `a.id, COALESCE(a.source_id, 0), COALESCE(s.name, a.source_name), COALESCE(s.licence, a.source_licence),
	a.guid, a.url, a.slug, a.headline, a.lede, a.body, a.text, a.author, a.image_url, a.image_alt,
	a.dateline_place, a.dateline_agency, a.language, a.published_at, a.updated_at, a.fetched_at, a.status,
	a.fingerprint, a.simhash, a.duplicate_of, a.story_id, a.sections_locked`

const articleFrom = ` FROM articles a LEFT JOIN sources s ON s.id = a.source_id`

func scanArticle(sc pgx.Row, pre []any, extra ...any) (*newsdesk.Article, error) {
	var a newsdesk.Article
	var simhash int64
	dest := append(pre, &a.ID, &a.SourceID, &a.Source, &a.Licence,
		&a.GUID, &a.URL, &a.Slug, &a.Headline, &a.Lede, &a.Body, &a.Text, &a.Author, &a.ImageURL, &a.ImageAlt,
		&a.DatelinePlace, &a.DatelineAgency, &a.Language, tsp(&a.PublishedAt), tsp(&a.UpdatedAt), tsp(&a.FetchedAt), &a.Status,
		&a.Fingerprint, &simhash, &a.DuplicateOf, &a.StoryID, &a.SectionsLocked)
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	a.SimHash = uint64(simhash)
	return &a, nil
}

// loadRefs fills the sections (primary first) and entities (most mentions
// first) of arts with one query each.
func loadRefs(ctx context.Context, q querier, arts []*newsdesk.Article) error {
	if len(arts) == 0 {
		return nil
	}
	byID := make(map[int64]*newsdesk.Article, len(arts))
	ids := make([]int64, 0, len(arts))
	for _, a := range arts {
		a.Sections, a.Entities = nil, nil
		if _, dup := byID[a.ID]; !dup {
			ids = append(ids, a.ID)
		}
		byID[a.ID] = a
	}
	rows, err := q.Query(ctx, `SELECT x.article_id, s.id, s.slug, s.name FROM article_sections x
		JOIN sections s ON s.id = x.section_id
		WHERE x.article_id = ANY($1) ORDER BY x.article_id, x.position`, ids)
	if err != nil {
		return fmt.Errorf("article sections: %w", err)
	}
	for rows.Next() {
		var id int64
		var r newsdesk.SectionRef
		if err := rows.Scan(&id, &r.ID, &r.Slug, &r.Name); err != nil {
			rows.Close()
			return fmt.Errorf("article sections: %w", err)
		}
		a := byID[id]
		a.Sections = append(a.Sections, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("article sections: %w", err)
	}
	rows, err = q.Query(ctx, `SELECT x.article_id, e.id, e.slug, e.name, e.kind, x.mentions FROM article_entities x
		JOIN entities e ON e.id = x.entity_id
		WHERE x.article_id = ANY($1) ORDER BY x.article_id, x.mentions DESC, x.position`, ids)
	if err != nil {
		return fmt.Errorf("article entities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var r newsdesk.EntityRef
		if err := rows.Scan(&id, &r.ID, &r.Slug, &r.Name, &r.Kind, &r.Mentions); err != nil {
			return fmt.Errorf("article entities: %w", err)
		}
		a := byID[id]
		a.Entities = append(a.Entities, r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("article entities: %w", err)
	}
	// Articles listed twice (same ID) share the loaded refs.
	for _, a := range arts {
		if b := byID[a.ID]; b != a {
			a.Sections, a.Entities = b.Sections, b.Entities
		}
	}
	return nil
}

func queryArticles(ctx context.Context, q querier, query string, args ...any) ([]*newsdesk.Article, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var out []*newsdesk.Article
	for rows.Next() {
		a, err := scanArticle(rows, nil)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
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

// descendants selects the section with the ID of placeholder p and all the
// sections below it.
func descendants(p string) string {
	return `WITH RECURSIVE d(id) AS (SELECT ` + p + `::bigint UNION SELECT c.id FROM sections c JOIN d ON c.parent_id = d.id) SELECT id FROM d`
}

// Articles returns the articles matching the filter, newest first, with
// their sections and entities, and the total matching.
func (db *DB) Articles(ctx context.Context, f newsdesk.ArticleFilter) ([]*newsdesk.Article, int, error) {
	var where []string
	var a args
	if f.IDs != nil {
		where = append(where, "a.id = ANY("+a.add(f.IDs)+"::bigint[])")
	}
	if f.SourceID != nil {
		where = append(where, "a.source_id = "+a.add(*f.SourceID))
	}
	if f.SectionID != nil {
		where = append(where, "a.id IN (SELECT article_id FROM article_sections WHERE section_id IN ("+descendants(a.add(*f.SectionID))+"))")
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
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	order := " ORDER BY a.published_at DESC, a.id DESC"
	if f.Oldest {
		order = " ORDER BY a.published_at, a.id"
	}
	arts, err := queryArticles(ctx, db.pool, `SELECT `+articleCols+articleFrom+cond+order+limitOffset(f.Limit, f.Offset), a...)
	if err != nil {
		return nil, 0, fmt.Errorf("articles: %w", err)
	}
	total := len(arts) + max(f.Offset, 0)
	if f.Limit > 0 && len(arts) == f.Limit || f.Offset > 0 && len(arts) == 0 {
		if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM articles a`+cond, a...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count articles: %w", err)
		}
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
		err := db.pool.QueryRow(ctx, `SELECT id FROM articles WHERE source_id IS NOT DISTINCT FROM $1 AND `+k.col+` = $2
			ORDER BY id LIMIT 1`, nullID(sourceID), k.v).Scan(&id)
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
}

const storedCols = `id, headline, lede, body, author, image_url, image_alt, slug, story_id, sections_locked, updated_at`

func scanStored(row pgx.Row) (*storedArticle, error) {
	var m storedArticle
	err := row.Scan(&m.id, &m.headline, &m.lede, &m.body, &m.author, &m.image, &m.alt, &m.slug, &m.storyID, &m.locked, tsp(&m.updatedAt))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return &m, nil
}

// match finds the stored article of the source with a's GUID, else its URL.
func match(ctx context.Context, tx pgx.Tx, sourceID int64, a *newsdesk.Article) (*storedArticle, error) {
	for _, k := range []struct{ col, v string }{{"guid", a.GUID}, {"url", a.URL}} {
		if k.v == "" {
			continue
		}
		m, err := scanStored(tx.QueryRow(ctx, `SELECT `+storedCols+` FROM articles
			WHERE source_id IS NOT DISTINCT FROM $1 AND `+k.col+` = $2 ORDER BY id LIMIT 1`, nullID(sourceID), k.v))
		if m != nil || err != nil {
			return m, err
		}
	}
	return nil, nil
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
			if err := tx.QueryRow(ctx, `SELECT entity_id FROM entity_names WHERE name_key = $1`, nameKey(r.Name)).Scan(&id); errors.Is(err, pgx.ErrNoRows) {
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

// UpsertArticles stores a batch from one source (0: manual) in one
// transaction. See newsdesk.ArticleStore. An article matching a stored one
// keeps its ID, story, status and, when locked, sections; only a change of
// headline, lede, body, author or image updates it (and its UpdatedAt: the
// article's own UpdatedAt when later than the stored one, else now). A
// batch that created or changed an article notifies the other nodes.
func (db *DB) UpsertArticles(ctx context.Context, sourceID int64, articles []*newsdesk.Article) ([]*newsdesk.Article, error) {
	for i, a := range articles {
		if a == nil {
			return nil, newsdesk.Errorf(newsdesk.EINVALID, "Article %d of the batch is nil.", i)
		}
		if err := a.Validate(); err != nil {
			return nil, err
		}
	}
	if len(articles) == 0 {
		return nil, nil
	}
	now := db.now()
	var created []*newsdesk.Article
	err := db.tx(ctx, func(tx pgx.Tx) error {
		created = created[:0]
		srcName, srcLicence := "", newsdesk.LicenceFull
		if sourceID != 0 {
			err := tx.QueryRow(ctx, `SELECT name, licence FROM sources WHERE id = $1`, sourceID).Scan(&srcName, &srcLicence)
			if errors.Is(err, pgx.ErrNoRows) {
				return notFound("Source", sourceID)
			} else if err != nil {
				return err
			}
		}
		touched := map[int64]bool{}
		for _, a := range articles {
			m, err := match(ctx, tx, sourceID, a)
			if err != nil {
				return err
			}
			if m != nil {
				changed, err := updateMatched(ctx, tx, m, a, now)
				if err != nil {
					return err
				}
				if changed {
					touched[m.storyID] = true
				}
				continue
			}
			if err := insertArticle(ctx, tx, sourceID, srcName, srcLicence, a, now); err != nil {
				return err
			}
			touched[a.StoryID] = true
			created = append(created, a)
		}
		if len(touched) == 0 {
			return nil
		}
		ids := make([]int64, 0, len(touched))
		for id := range touched {
			ids = append(ids, id)
		}
		if err := refreshStories(ctx, tx, ids); err != nil {
			return err
		}
		return db.notify(ctx, tx, "articles")
	})
	if err != nil {
		return nil, fmt.Errorf("upsert articles of source %d: %w", sourceID, err)
	}
	return created, nil
}

func insertArticle(ctx context.Context, tx pgx.Tx, sourceID int64, srcName string, srcLicence newsdesk.Licence, a *newsdesk.Article, now time.Time) error {
	if a.FetchedAt.IsZero() {
		a.FetchedAt = now
	}
	if a.PublishedAt.IsZero() {
		a.PublishedAt = a.FetchedAt
	}
	if a.UpdatedAt.IsZero() {
		a.UpdatedAt = a.PublishedAt
	}
	a.SourceID = sourceID
	if sourceID != 0 {
		a.Source = srcName
	}
	a.Licence = srcLicence
	a.Slug = articleSlug(a.Headline)
	if a.StoryID != 0 {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM stories WHERE id = $1)`, a.StoryID).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			a.StoryID = 0
		}
	}
	if a.StoryID == 0 {
		if err := tx.QueryRow(ctx, `INSERT INTO stories (title, created_at) VALUES ($1, $2) RETURNING id`, a.Headline, now).Scan(&a.StoryID); err != nil {
			return err
		}
	}
	err := tx.QueryRow(ctx, `INSERT INTO articles (source_id, source_name, source_licence, guid, url, slug, headline, lede, body, text,
		author, image_url, image_alt, dateline_place, dateline_agency, language, published_at, updated_at, fetched_at,
		status, fingerprint, simhash, duplicate_of, story_id, sections_locked)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25) RETURNING id`,
		nullID(sourceID), a.Source, string(a.Licence), a.GUID, a.URL, a.Slug,
		a.Headline, a.Lede, a.Body, a.Text, a.Author, a.ImageURL, a.ImageAlt, a.DatelinePlace, a.DatelineAgency,
		a.Language, a.PublishedAt.UTC(), ts(a.UpdatedAt), ts(a.FetchedAt), string(a.Status), a.Fingerprint,
		int64(a.SimHash), a.DuplicateOf, a.StoryID, a.SectionsLocked).Scan(&a.ID)
	if err != nil {
		return err
	}
	if err := writeSections(ctx, tx, a.ID, a.Sections); err != nil {
		return err
	}
	return writeEntities(ctx, tx, a.ID, a.Entities)
}

// updateMatched updates the stored article m with a when its content
// changed, and reports whether it did.
func updateMatched(ctx context.Context, tx pgx.Tx, m *storedArticle, a *newsdesk.Article, now time.Time) (bool, error) {
	a.ID, a.StoryID = m.id, m.storyID
	changed := m.headline != a.Headline || m.lede != a.Lede || m.body != a.Body || m.author != a.Author ||
		m.image != a.ImageURL || m.alt != a.ImageAlt
	if !changed {
		a.Slug = m.slug
		a.UpdatedAt = m.updatedAt
		return false, nil
	}
	if a.UpdatedAt.IsZero() || !a.UpdatedAt.Truncate(time.Microsecond).After(m.updatedAt) {
		a.UpdatedAt = now
	}
	if a.FetchedAt.IsZero() {
		a.FetchedAt = now
	}
	a.Slug = articleSlug(a.Headline)
	_, err := tx.Exec(ctx, `UPDATE articles SET guid = CASE WHEN guid = '' THEN $1 ELSE guid END, url = CASE WHEN $2 <> '' THEN $2 ELSE url END,
		slug = $3, headline = $4, lede = $5, body = $6, text = $7, author = $8, image_url = $9, image_alt = $10,
		dateline_place = $11, dateline_agency = $12, language = $13, updated_at = $14, fetched_at = $15, fingerprint = $16, simhash = $17
		WHERE id = $18`, a.GUID, a.URL, a.Slug, a.Headline, a.Lede, a.Body, a.Text, a.Author,
		a.ImageURL, a.ImageAlt, a.DatelinePlace, a.DatelineAgency, a.Language, ts(a.UpdatedAt), ts(a.FetchedAt),
		a.Fingerprint, int64(a.SimHash), m.id)
	if err != nil {
		return false, err
	}
	if !m.locked && a.Sections != nil {
		if _, err := tx.Exec(ctx, `DELETE FROM article_sections WHERE article_id = $1`, m.id); err != nil {
			return false, err
		}
		if err := writeSections(ctx, tx, m.id, a.Sections); err != nil {
			return false, err
		}
	}
	if a.Entities != nil {
		if _, err := tx.Exec(ctx, `DELETE FROM article_entities WHERE article_id = $1`, m.id); err != nil {
			return false, err
		}
		if err := writeEntities(ctx, tx, m.id, a.Entities); err != nil {
			return false, err
		}
	}
	return true, nil
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
