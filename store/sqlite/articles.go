package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"newsdesk"
	"newsdesk/store"
)

const articleCols = `a.id, COALESCE(a.source_id, 0), COALESCE(s.name, a.source_name), COALESCE(s.licence, a.source_licence),
	a.guid, a.url, a.slug, a.headline, a.lede, a.body, a.text, a.author, a.image_url, a.image_alt,
	a.dateline_place, a.dateline_agency, a.language, a.published_at, a.updated_at, a.fetched_at, a.status,
	a.fingerprint, a.simhash, a.duplicate_of, a.story_id, a.sections_locked, a.body_removed_at`

// cardCols are articleCols for a list of cards (ArticleFilter.Cards): no
// body, the start of the text only when there is no lede, and no
// body_removed_at. Every column read lies before the body in the row, so
// no overflow page of a long article is read.
var cardCols = strings.NewReplacer("a.body,", "'',",
	"a.text,", fmt.Sprintf("CASE WHEN a.lede = '' THEN substr(a.text, 1, %d) ELSE '' END,", newsdesk.CardText),
	"a.body_removed_at", "0").Replace(articleCols)

// columns are the columns of whole articles, or of cards.
func columns(cards bool) string {
	if cards {
		return cardCols
	}
	return articleCols
}

const articleFrom = ` FROM articles a LEFT JOIN sources s ON s.id = a.source_id`

type scanner interface{ Scan(...any) error }

func scanArticle(sc scanner, extra ...any) (*newsdesk.Article, error) {
	return dialect().ScanArticle(sc, nil, extra...)
}

// loadRefs fills the sections (primary first) and entities (most mentions
// first) of arts with one query each.
func loadRefs(ctx context.Context, q querier, arts []*newsdesk.Article) error {
	if len(arts) == 0 {
		return nil
	}
	refs := store.NewRefs(arts)
	idj := jsonIDs(refs.IDs)
	rows, err := q.QueryContext(ctx, `SELECT x.article_id, s.id, s.slug, s.name FROM article_sections x
		JOIN sections s ON s.id = x.section_id
		WHERE x.article_id IN (SELECT value FROM json_each(?)) ORDER BY x.article_id, x.position`, idj)
	if err != nil {
		return fmt.Errorf("article sections: %w", err)
	}
	err = refs.ScanSections(rows)
	rows.Close()
	if err != nil {
		return fmt.Errorf("article sections: %w", err)
	}
	rows, err = q.QueryContext(ctx, `SELECT x.article_id, e.id, e.slug, e.name, e.kind, x.mentions FROM article_entities x
		JOIN entities e ON e.id = x.entity_id
		WHERE x.article_id IN (SELECT value FROM json_each(?)) ORDER BY x.article_id, x.mentions DESC, x.position`, idj)
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
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out, err := store.ScanAll(rows, func(r store.Row) (*newsdesk.Article, error) { return scanArticle(r) })
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
	arts, err := queryArticles(ctx, db.r, `SELECT `+articleCols+articleFrom+` WHERE a.id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("article %d: %w", id, err)
	}
	if len(arts) == 0 {
		return nil, notFound("Article", id)
	}
	return arts[0], nil
}

// byFingerprint selects the published articles with a fingerprint. The
// repeated test against the empty string lets SQLite use the partial
// fingerprint index, and the unary + keeps it off the status index:
// without both, every ingested article would read every published one.
const byFingerprint = `
		WHERE a.fingerprint = ? AND a.fingerprint <> '' AND +a.status = 'published' ORDER BY a.published_at, a.id`

// FindByFingerprint returns published articles with this fingerprint,
// oldest first.
func (db *DB) FindByFingerprint(ctx context.Context, fingerprint string) ([]*newsdesk.Article, error) {
	if fingerprint == "" {
		return nil, nil
	}
	arts, err := queryArticles(ctx, db.r, `SELECT `+articleCols+articleFrom+byFingerprint, fingerprint)
	if err != nil {
		return nil, fmt.Errorf("find by fingerprint: %w", err)
	}
	return arts, nil
}

// ArticleExists reports the ID of the article of sourceID (0: manual) with
// this GUID, else this URL, or 0.
func (db *DB) ArticleExists(ctx context.Context, sourceID int64, guid, url string) (int64, error) {
	id, err := findArticle(ctx, db.r, sourceID, guid, url)
	if err != nil {
		return 0, fmt.Errorf("article exists: %w", err)
	}
	return id, nil
}

func nullSource(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func findArticle(ctx context.Context, q querier, sourceID int64, guid, url string) (int64, error) {
	var id int64
	if guid != "" {
		err := q.QueryRowContext(ctx, `SELECT id FROM articles WHERE source_id IS ? AND guid = ? AND guid <> '' ORDER BY id LIMIT 1`, nullSource(sourceID), guid).Scan(&id)
		if err == nil {
			return id, nil
		} else if err != sql.ErrNoRows {
			return 0, err
		}
	}
	if url != "" {
		err := q.QueryRowContext(ctx, `SELECT id FROM articles WHERE source_id IS ? AND url = ? AND url <> '' ORDER BY id LIMIT 1`, nullSource(sourceID), url).Scan(&id)
		if err == nil {
			return id, nil
		} else if err != sql.ErrNoRows {
			return 0, err
		}
	}
	return 0, nil
}

// upsertStmts are the statements of one UpsertArticles batch, prepared once
// per transaction.
type upsertStmts struct {
	byGUID, byURL, storyExists, newStory, insert, update *sql.Stmt
	delSections, insSection, delEntities, insEntity      *sql.Stmt
	sectionBySlug, entityByName                          *sql.Stmt
}

// upsertQueries are the statements of upsertStmts, in field order.
func (s *upsertStmts) queries() []struct {
	dst   **sql.Stmt
	query string
} {
	return []struct {
		dst   **sql.Stmt
		query string
	}{
		{&s.byGUID, `SELECT id, headline, lede, body, author, image_url, image_alt, slug, story_id, sections_locked, updated_at, body_removed_at
			FROM articles WHERE source_id IS ? AND guid = ? AND guid <> '' ORDER BY id LIMIT 1`},
		{&s.byURL, `SELECT id, headline, lede, body, author, image_url, image_alt, slug, story_id, sections_locked, updated_at, body_removed_at
			FROM articles WHERE source_id IS ? AND url = ? AND url <> '' ORDER BY id LIMIT 1`},
		{&s.storyExists, `SELECT count(*) FROM stories WHERE id = ?`},
		{&s.newStory, `INSERT INTO stories (title, created_at) VALUES (?, ?) RETURNING id`},
		{&s.insert, `INSERT INTO articles (source_id, source_name, source_licence, guid, url, slug, headline, lede, body, text,
			author, image_url, image_alt, dateline_place, dateline_agency, language, published_at, updated_at, fetched_at,
			status, fingerprint, simhash, duplicate_of, story_id, sections_locked)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`},
		{&s.update, `UPDATE articles SET guid = CASE WHEN guid = '' THEN ? ELSE guid END, url = CASE WHEN ? <> '' THEN ? ELSE url END,
			slug = ?, headline = ?, lede = ?, body = ?, text = ?, author = ?, image_url = ?, image_alt = ?,
			dateline_place = ?, dateline_agency = ?, language = ?, updated_at = ?, fetched_at = ?, fingerprint = ?, simhash = ?
			WHERE id = ?`},
		{&s.delSections, `DELETE FROM article_sections WHERE article_id = ?`},
		{&s.insSection, `INSERT OR IGNORE INTO article_sections (article_id, section_id, position) VALUES (?, ?, ?)`},
		{&s.delEntities, `DELETE FROM article_entities WHERE article_id = ?`},
		{&s.insEntity, `INSERT OR IGNORE INTO article_entities (article_id, entity_id, mentions, position) VALUES (?, ?, ?, ?)`},
		{&s.sectionBySlug, `SELECT id FROM sections WHERE slug = ?`},
		{&s.entityByName, `SELECT entity_id FROM entity_names WHERE name_key = ?`},
	}
}

// prepareWriter prepares the upsert statements on the writer, once.
func (db *DB) prepareWriter(ctx context.Context) error {
	for _, p := range (&upsertStmts{}).queries() {
		if _, err := db.w.stmt(ctx, p.query); err != nil {
			return fmt.Errorf("prepare %q: %w", p.query, err)
		}
	}
	return nil
}

func (db *DB) prepareUpsert(ctx context.Context, tx *sql.Tx) (*upsertStmts, error) {
	s := &upsertStmts{}
	for _, p := range s.queries() {
		if st := db.w.cached(p.query); st != nil {
			*p.dst = tx.StmtContext(ctx, st) // prepared on the writer's one connection already
			continue
		}
		st, err := tx.PrepareContext(ctx, p.query)
		if err != nil {
			s.close()
			return nil, err
		}
		*p.dst = st
	}
	return s, nil
}

func (s *upsertStmts) close() {
	for _, st := range []*sql.Stmt{s.byGUID, s.byURL, s.storyExists, s.newStory, s.insert, s.update,
		s.delSections, s.insSection, s.delEntities, s.insEntity, s.sectionBySlug, s.entityByName} {
		if st != nil {
			st.Close()
		}
	}
}

type storedArticle struct {
	id                                             int64
	headline, lede, body, author, image, alt, slug string
	storyID                                        int64
	locked                                         bool
	updatedAt                                      int64
	bodyRemovedAt                                  int64
}

func (s *upsertStmts) match(ctx context.Context, sourceID int64, a *newsdesk.Article) (*storedArticle, error) {
	try := func(st *sql.Stmt, key string) (*storedArticle, error) {
		if key == "" {
			return nil, nil
		}
		var m storedArticle
		var locked int
		err := st.QueryRowContext(ctx, nullSource(sourceID), key).Scan(&m.id, &m.headline, &m.lede, &m.body, &m.author,
			&m.image, &m.alt, &m.slug, &m.storyID, &locked, &m.updatedAt, &m.bodyRemovedAt)
		if err == sql.ErrNoRows {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		m.locked = locked != 0
		return &m, nil
	}
	m, err := try(s.byGUID, a.GUID)
	if m != nil || err != nil {
		return m, err
	}
	return try(s.byURL, a.URL)
}

func (s *upsertStmts) writeSections(ctx context.Context, articleID int64, refs []newsdesk.SectionRef) error {
	for i, r := range refs {
		id := r.ID
		if id == 0 && r.Slug != "" {
			if err := s.sectionBySlug.QueryRowContext(ctx, r.Slug).Scan(&id); err == sql.ErrNoRows {
				continue
			} else if err != nil {
				return err
			}
		}
		if id == 0 {
			continue
		}
		if _, err := s.insSection.ExecContext(ctx, articleID, id, i); err != nil {
			if isForeignKey(err) {
				return newsdesk.Errorf(newsdesk.EINVALID, "Unknown section %d.", id)
			}
			return err
		}
	}
	return nil
}

func (s *upsertStmts) writeEntities(ctx context.Context, articleID int64, refs []newsdesk.EntityRef) error {
	for i, r := range refs {
		id := r.ID
		if id == 0 && r.Name != "" {
			if err := s.entityByName.QueryRowContext(ctx, store.NameKey(r.Name)).Scan(&id); err == sql.ErrNoRows {
				continue
			} else if err != nil {
				return err
			}
		}
		if id == 0 {
			continue
		}
		if _, err := s.insEntity.ExecContext(ctx, articleID, id, max(r.Mentions, 1), i); err != nil {
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
// article's own UpdatedAt when later than the stored one, else now).
func (db *DB) UpsertArticles(ctx context.Context, sourceID int64, articles []*newsdesk.Article) ([]*newsdesk.Article, error) {
	return db.UpsertArticlesIndexed(ctx, sourceID, articles, nil)
}

// UpsertArticlesIndexed is UpsertArticles that also indexes the documents
// docs gives for the stored articles, in the same transaction. docs reads
// through the readers' pool; an in-memory database has one connection,
// which the transaction holds, so there the documents are made and
// written after the articles' transaction.
func (db *DB) UpsertArticlesIndexed(ctx context.Context, sourceID int64, articles []*newsdesk.Article,
	docs func(ctx context.Context, stored []*newsdesk.Article) ([]newsdesk.SearchDoc, error)) ([]*newsdesk.Article, error) {
	if docs != nil && db.reader == db.writer {
		created, err := db.UpsertArticles(ctx, sourceID, articles)
		if err != nil {
			return nil, err
		}
		ds, err := docs(ctx, store.WithIDs(articles))
		if err != nil {
			return nil, fmt.Errorf("search documents of source %d: %w", sourceID, err)
		}
		return created, db.IndexArticles(ctx, ds)
	}
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
	err := db.tx(ctx, func(tx *sql.Tx) error {
		created = created[:0]
		srcName, srcLicence := "", newsdesk.LicenceFull
		if sourceID != 0 {
			err := tx.QueryRowContext(ctx, `SELECT name, licence FROM sources WHERE id = ?`, sourceID).Scan(&srcName, &srcLicence)
			if err == sql.ErrNoRows {
				return notFound("Source", sourceID)
			} else if err != nil {
				return err
			}
		}
		st, err := db.prepareUpsert(ctx, tx)
		if err != nil {
			return err
		}
		defer st.close()
		touched := map[int64]bool{}
		var filed []int64 // articles whose filing may have changed
		for _, a := range articles {
			m, err := st.match(ctx, sourceID, a)
			if err != nil {
				return err
			}
			if m != nil {
				if err := db.updateMatched(ctx, st, m, a, now); err != nil {
					return err
				}
				if tm(a.UpdatedAt) != m.updatedAt {
					filed = append(filed, a.ID)
				}
				continue
			}
			if err := db.insertArticle(ctx, st, sourceID, srcName, srcLicence, a, now); err != nil {
				return err
			}
			touched[a.StoryID] = true
			if len(a.Sections) > 0 || len(a.Entities) > 0 {
				// A new article (IDs are never reused) has no river rows
				// yet: only one filed or naming entities gets some.
				filed = append(filed, a.ID)
			}
			created = append(created, a)
		}
		if err := refreshRivers(ctx, tx, filed); err != nil {
			return err
		}
		ids := make([]int64, 0, len(touched))
		for id := range touched {
			ids = append(ids, id)
		}
		if err := refreshStories(ctx, tx, ids); err != nil || docs == nil {
			return err
		}
		ds, err := docs(ctx, store.WithIDs(articles))
		if err != nil {
			return fmt.Errorf("search documents: %w", err)
		}
		return indexDocs(ctx, tx, ds)
	})
	if err != nil {
		return nil, fmt.Errorf("upsert articles of source %d: %w", sourceID, err)
	}
	return created, nil
}

func (db *DB) insertArticle(ctx context.Context, st *upsertStmts, sourceID int64, srcName string, srcLicence newsdesk.Licence, a *newsdesk.Article, now time.Time) error {
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
		var n int
		if err := st.storyExists.QueryRowContext(ctx, a.StoryID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			a.StoryID = 0
		}
	}
	if a.StoryID == 0 {
		if err := st.newStory.QueryRowContext(ctx, a.Headline, tm(now)).Scan(&a.StoryID); err != nil {
			return err
		}
	}
	err := st.insert.QueryRowContext(ctx, nullSource(sourceID), a.Source, string(a.Licence), a.GUID, a.URL, a.Slug,
		a.Headline, a.Lede, a.Body, a.Text, a.Author, a.ImageURL, a.ImageAlt, a.DatelinePlace, a.DatelineAgency,
		a.Language, tm(a.PublishedAt), tm(a.UpdatedAt), tm(a.FetchedAt), string(a.Status), a.Fingerprint,
		int64(a.SimHash), a.DuplicateOf, a.StoryID, boolInt(a.SectionsLocked)).Scan(&a.ID)
	if err != nil {
		return err
	}
	if err := st.writeSections(ctx, a.ID, a.Sections); err != nil {
		return err
	}
	return st.writeEntities(ctx, a.ID, a.Entities)
}

func (db *DB) updateMatched(ctx context.Context, st *upsertStmts, m *storedArticle, a *newsdesk.Article, now time.Time) error {
	a.ID, a.StoryID = m.id, m.storyID
	if m.bodyRemovedAt != 0 {
		// Retention removed the body: a feed still carrying the item
		// does not bring it back.
		a.Body, a.Text, a.BodyRemovedAt = "", "", ft(m.bodyRemovedAt)
	}
	changed := m.headline != a.Headline || m.lede != a.Lede || m.body != a.Body || m.author != a.Author ||
		m.image != a.ImageURL || m.alt != a.ImageAlt
	if !changed {
		a.Slug = m.slug
		a.UpdatedAt = ft(m.updatedAt)
		return nil
	}
	if a.UpdatedAt.IsZero() || tm(a.UpdatedAt) <= m.updatedAt {
		a.UpdatedAt = now
	}
	if a.FetchedAt.IsZero() {
		a.FetchedAt = now
	}
	a.Slug = articleSlug(a.Headline)
	_, err := st.update.ExecContext(ctx, a.GUID, a.URL, a.URL, a.Slug, a.Headline, a.Lede, a.Body, a.Text, a.Author,
		a.ImageURL, a.ImageAlt, a.DatelinePlace, a.DatelineAgency, a.Language, tm(a.UpdatedAt), tm(a.FetchedAt),
		a.Fingerprint, int64(a.SimHash), m.id)
	if err != nil {
		return err
	}
	if !m.locked && a.Sections != nil {
		if _, err := st.delSections.ExecContext(ctx, m.id); err != nil {
			return err
		}
		if err := st.writeSections(ctx, m.id, a.Sections); err != nil {
			return err
		}
	}
	if a.Entities != nil {
		if _, err := st.delEntities.ExecContext(ctx, m.id); err != nil {
			return err
		}
		if err := st.writeEntities(ctx, m.id, a.Entities); err != nil {
			return err
		}
	}
	return nil
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
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var m storedArticle
		var locked int
		err := tx.QueryRowContext(ctx, `SELECT id, headline, lede, body, author, image_url, image_alt, slug, story_id, sections_locked, updated_at
			FROM articles WHERE id = ?`, a.ID).Scan(&m.id, &m.headline, &m.lede, &m.body, &m.author,
			&m.image, &m.alt, &m.slug, &m.storyID, &locked, &m.updatedAt)
		if err == sql.ErrNoRows {
			return notFound("Article", a.ID)
		} else if err != nil {
			return err
		}
		changed := m.headline != a.Headline || m.lede != a.Lede || m.body != a.Body || m.author != a.Author ||
			m.image != a.ImageURL || m.alt != a.ImageAlt
		updated := ft(m.updatedAt)
		slug := m.slug
		if changed {
			updated = now
			slug = articleSlug(a.Headline)
		}
		story := a.StoryID
		if story == 0 {
			story = m.storyID
		} else if story != m.storyID {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM stories WHERE id = ?`, story).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return notFound("Story", story)
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE articles SET slug = ?, headline = ?, lede = ?, body = ?, text = ?, author = ?,
			image_url = ?, image_alt = ?, status = ?, updated_at = ?, story_id = ?, duplicate_of = ?, sections_locked = ?
			WHERE id = ?`, slug, a.Headline, a.Lede, a.Body, a.Text, a.Author, a.ImageURL, a.ImageAlt, string(a.Status),
			tm(updated), story, a.DuplicateOf, boolInt(a.SectionsLocked), a.ID)
		if err != nil {
			return err
		}
		st, err := db.prepareUpsert(ctx, tx)
		if err != nil {
			return err
		}
		defer st.close()
		if _, err := st.delSections.ExecContext(ctx, a.ID); err != nil {
			return err
		}
		if err := st.writeSections(ctx, a.ID, a.Sections); err != nil {
			return err
		}
		if _, err := st.delEntities.ExecContext(ctx, a.ID); err != nil {
			return err
		}
		if err := st.writeEntities(ctx, a.ID, a.Entities); err != nil {
			return err
		}
		if err := refreshRivers(ctx, tx, []int64{a.ID}); err != nil {
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
		a.Slug, a.UpdatedAt, a.StoryID = slug, updated, story
		return nil
	})
	if err != nil {
		return fmt.Errorf("update article %d: %w", a.ID, err)
	}
	return nil
}
