package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"newsdesk"
	"newsdesk/store"
)

// lockClassSource is the first key of the transaction advisory locks that
// keep two upserts of one source from running at once (a worker whose
// lease expired while it was still storing, say), which could otherwise
// both create the same new article.
const lockClassSource = 0x6e64_0001

// UpsertArticles stores a batch from one source (0: manual) in one
// transaction. See newsdesk.ArticleStore. An article matching a stored one
// keeps its ID, story, status and, when locked, sections; only a change of
// headline, lede, body, author or image updates it (and its UpdatedAt: the
// article's own UpdatedAt when later than the stored one, else now). A
// batch that created or changed an article notifies the other nodes.
//
// The batch takes a handful of round trips whatever its size: one reads
// the stored versions, the sections and entities named by slug or name
// and the stories given; one draws the IDs of the new stories and
// articles; one sends every write, pipelined.
func (db *DB) UpsertArticles(ctx context.Context, sourceID int64, articles []*newsdesk.Article) ([]*newsdesk.Article, error) {
	return db.UpsertArticlesIndexed(ctx, sourceID, articles, nil)
}

// UpsertArticlesIndexed is UpsertArticles that also indexes the documents
// docs gives for the stored articles, in the same transaction.
func (db *DB) UpsertArticlesIndexed(ctx context.Context, sourceID int64, articles []*newsdesk.Article,
	docs func(ctx context.Context, stored []*newsdesk.Article) ([]newsdesk.SearchDoc, error)) ([]*newsdesk.Article, error) {
	for i, a := range articles {
		if a == nil {
			return nil, newsdesk.Errorf(newsdesk.EINVALID, "Article %d of the batch is nil.", i)
		}
		if err := a.Validate(); err != nil {
			return nil, err
		}
		cleanText(a)
	}
	if len(articles) == 0 {
		return nil, nil
	}
	var created []*newsdesk.Article
	err := db.tx(ctx, func(tx pgx.Tx) error {
		u := &upsert{db: db, tx: tx, sourceID: sourceID, now: db.now(), articles: articles}
		var err error
		created, err = u.run(ctx)
		if err != nil || docs == nil {
			return err
		}
		ds, err := docs(ctx, store.WithIDs(articles))
		if err != nil {
			return fmt.Errorf("search documents: %w", err)
		}
		return db.indexDocs(ctx, tx, ds)
	})
	if err != nil {
		return nil, fmt.Errorf("upsert articles of source %d: %w", sourceID, err)
	}
	return created, nil
}

// cleanText makes the article's strings valid UTF-8 without NUL, which
// PostgreSQL text cannot hold (SQLite stores them as they come).
func cleanText(a *newsdesk.Article) {
	for _, p := range []*string{&a.Source, &a.GUID, &a.URL, &a.Headline, &a.Lede, &a.Body, &a.Text, &a.Author,
		&a.ImageURL, &a.ImageAlt, &a.DatelinePlace, &a.DatelineAgency, &a.Language, &a.Fingerprint} {
		*p = noNUL(strings.ToValidUTF8(*p, "\uFFFD"))
	}
}

// upsert is one UpsertArticles batch under way.
type upsert struct {
	db       *DB
	tx       pgx.Tx
	sourceID int64
	now      time.Time
	articles []*newsdesk.Article

	srcName    string
	srcLicence newsdesk.Licence
	byGUID     map[string]*storedArticle // the lowest ID of the source with each GUID
	byURL      map[string]*storedArticle
	stories    map[int64]bool   // stories that exist
	sections   map[string]int64 // by slug
	entities   map[string]int64 // by name key
}

func (u *upsert) run(ctx context.Context) ([]*newsdesk.Article, error) {
	if err := u.load(ctx); err != nil {
		return nil, err
	}
	// Match each article, in batch order, against the stored ones and the
	// new ones earlier in the batch, as if stored one by one.
	type step struct {
		a       *newsdesk.Article
		m       *storedArticle // the stored version matched; nil: new
		reg     *storedArticle // for a new article: how later ones see it
		changed bool
		story   bool // a new story is needed
	}
	steps := make([]step, len(u.articles))
	newStories, newArticles := 0, 0
	for i, a := range u.articles {
		var m *storedArticle
		if a.GUID != "" {
			m = u.byGUID[a.GUID]
		}
		if m == nil && a.URL != "" {
			m = u.byURL[a.URL]
		}
		if m == nil {
			newArticles++
			st := step{a: a}
			if a.StoryID == 0 || !u.stories[a.StoryID] {
				a.StoryID = 0
				st.story = true
				newStories++
			}
			u.prepareNew(a)
			st.reg = &storedArticle{headline: a.Headline, lede: a.Lede, body: a.Body, author: a.Author, image: a.ImageURL,
				alt: a.ImageAlt, slug: a.Slug, locked: a.SectionsLocked, updatedAt: a.UpdatedAt}
			if a.GUID != "" {
				u.byGUID[a.GUID] = st.reg
			}
			if a.URL != "" && u.byURL[a.URL] == nil {
				u.byURL[a.URL] = st.reg
			}
			steps[i] = st
			continue
		}
		st := step{a: a, m: m, changed: u.planUpdate(m, a)}
		if st.changed {
			// The stored version is now this one, for later matches.
			m.headline, m.lede, m.body, m.author, m.image, m.alt, m.slug = a.Headline, a.Lede, a.Body, a.Author, a.ImageURL, a.ImageAlt, a.Slug
			m.updatedAt = a.UpdatedAt
			if a.GUID != "" && u.byGUID[a.GUID] == nil {
				u.byGUID[a.GUID] = m
			}
			if a.URL != "" && u.byURL[a.URL] == nil {
				u.byURL[a.URL] = m
			}
		}
		steps[i] = st
	}
	// IDs of the new stories and articles, drawn in batch order.
	storyIDs, articleIDs, err := u.drawIDs(ctx, newStories, newArticles)
	if err != nil {
		return nil, err
	}
	var created []*newsdesk.Article
	b := &pgx.Batch{}
	var checks []func(err error) error // one per queued statement, in order
	queue := func(check func(error) error, sql string, args ...any) {
		b.Queue(sql, args...)
		checks = append(checks, check)
	}
	touched := map[int64]bool{}
	var changed []int64 // the articles created or changed, and those they copy
	for _, st := range steps {
		a := st.a
		if st.m == nil {
			a.ID, articleIDs = articleIDs[0], articleIDs[1:]
			if st.story {
				a.StoryID, storyIDs = storyIDs[0], storyIDs[1:]
				queue(nil, `INSERT INTO stories (id, title, created_at) VALUES ($1, $2, $3)`, a.StoryID, a.Headline, u.now)
			}
			st.reg.id, st.reg.storyID = a.ID, a.StoryID
			queue(nil, `INSERT INTO articles (id, source_id, source_name, source_licence, guid, url, slug, headline, lede, body, text,
				author, image_url, image_alt, dateline_place, dateline_agency, language, published_at, updated_at, fetched_at,
				status, fingerprint, simhash, duplicate_of, story_id, sections_locked)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)`,
				a.ID, nullID(u.sourceID), a.Source, string(a.Licence), a.GUID, a.URL, a.Slug,
				a.Headline, a.Lede, a.Body, a.Text, a.Author, a.ImageURL, a.ImageAlt, a.DatelinePlace, a.DatelineAgency,
				a.Language, a.PublishedAt.UTC(), ts(a.UpdatedAt), ts(a.FetchedAt), string(a.Status), a.Fingerprint,
				int64(a.SimHash), a.DuplicateOf, a.StoryID, a.SectionsLocked)
			u.queueSections(queue, a.ID, a.Sections)
			u.queueEntities(queue, a.ID, a.Entities)
			touched[a.StoryID] = true
			changed = appendCopied(changed, a)
			created = append(created, a)
			continue
		}
		m := st.m
		a.ID, a.StoryID = m.id, m.storyID // known now also for articles new in this batch
		if !st.changed {
			continue
		}
		queue(nil, `UPDATE articles SET guid = CASE WHEN guid = '' THEN $1 ELSE guid END, url = CASE WHEN $2 <> '' THEN $2 ELSE url END,
			slug = $3, headline = $4, lede = $5, body = $6, text = $7, author = $8, image_url = $9, image_alt = $10,
			dateline_place = $11, dateline_agency = $12, language = $13, updated_at = $14, fetched_at = $15, fingerprint = $16, simhash = $17
			WHERE id = $18`, a.GUID, a.URL, a.Slug, a.Headline, a.Lede, a.Body, a.Text, a.Author,
			a.ImageURL, a.ImageAlt, a.DatelinePlace, a.DatelineAgency, a.Language, ts(a.UpdatedAt), ts(a.FetchedAt),
			a.Fingerprint, int64(a.SimHash), m.id)
		if !m.locked && a.Sections != nil {
			queue(nil, `DELETE FROM article_sections WHERE article_id = $1`, m.id)
			u.queueSections(queue, m.id, a.Sections)
		}
		if a.Entities != nil {
			queue(nil, `DELETE FROM article_entities WHERE article_id = $1`, m.id)
			u.queueEntities(queue, m.id, a.Entities)
		}
		touched[m.storyID] = true
		changed = appendCopied(changed, a)
	}
	if len(touched) == 0 {
		return created, nil
	}
	ids := make([]int64, 0, len(touched))
	for id := range touched {
		ids = append(ids, id)
	}
	queue(nil, refreshStoriesSQL, ids)
	queue(nil, `SELECT pg_notify($1, $2)`, u.db.channel, u.db.scopedPayload("articles", changed, ids))
	br := u.tx.SendBatch(ctx, b)
	for _, check := range checks {
		if _, err := br.Exec(); err != nil {
			br.Close()
			if check != nil {
				if derr := check(err); derr != nil {
					return nil, derr
				}
			}
			return nil, err
		}
	}
	if err := br.Close(); err != nil {
		return nil, err
	}
	return created, nil
}

// appendCopied appends a's ID, and that of the article it copies.
func appendCopied(ids []int64, a *newsdesk.Article) []int64 {
	ids = append(ids, a.ID)
	if a.DuplicateOf != 0 {
		ids = append(ids, a.DuplicateOf)
	}
	return ids
}

// load reads, in one round trip, the source, the stored articles matching
// the batch, the stories it names and the sections and entities it names
// by slug or name; and takes the source's upsert lock.
func (u *upsert) load(ctx context.Context) error {
	var guids, urls, slugs, names []string
	var storyIDs []int64
	for _, a := range u.articles {
		if a.GUID != "" {
			guids = append(guids, a.GUID)
		}
		if a.URL != "" {
			urls = append(urls, a.URL)
		}
		if a.StoryID != 0 {
			storyIDs = append(storyIDs, a.StoryID)
		}
		for _, r := range a.Sections {
			if r.ID == 0 && r.Slug != "" {
				slugs = append(slugs, r.Slug)
			}
		}
		for _, r := range a.Entities {
			if r.ID == 0 && r.Name != "" {
				names = append(names, store.NameKey(r.Name))
			}
		}
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock($1::int4, $2::int4)`, lockClassSource, int32(u.sourceID))
	u.srcName, u.srcLicence = "", newsdesk.LicenceFull
	if u.sourceID != 0 {
		b.Queue(`SELECT name, licence FROM sources WHERE id = $1`, u.sourceID).QueryRow(func(row pgx.Row) error {
			err := row.Scan(&u.srcName, &u.srcLicence)
			if errors.Is(err, pgx.ErrNoRows) {
				return notFound("Source", u.sourceID)
			}
			return err
		})
	}
	u.byGUID, u.byURL = map[string]*storedArticle{}, map[string]*storedArticle{}
	var a args
	src := sourceCond(&a, u.sourceID)
	g, l := a.add(guids), a.add(urls)
	b.Queue(`SELECT `+storedCols+`, guid, url FROM articles WHERE `+src+` AND guid <> '' AND guid = ANY(`+g+`::text[])
		UNION SELECT `+storedCols+`, guid, url FROM articles WHERE `+src+` AND url <> '' AND url = ANY(`+l+`::text[])
		ORDER BY id`, a...).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var m storedArticle
			var guid, url string
			if err := rows.Scan(&m.id, &m.headline, &m.lede, &m.body, &m.author, &m.image, &m.alt, &m.slug, &m.storyID,
				&m.locked, tsp(&m.updatedAt), tsp(&m.bodyRemovedAt), &guid, &url); err != nil {
				return err
			}
			if guid != "" && u.byGUID[guid] == nil {
				u.byGUID[guid] = &m
			}
			if url != "" && u.byURL[url] == nil {
				u.byURL[url] = &m
			}
		}
		return rows.Err()
	})
	u.stories = map[int64]bool{}
	if len(storyIDs) > 0 {
		b.Queue(`SELECT id FROM stories WHERE id = ANY($1)`, storyIDs).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					return err
				}
				u.stories[id] = true
			}
			return rows.Err()
		})
	}
	u.sections = map[string]int64{}
	if len(slugs) > 0 {
		b.Queue(`SELECT slug, id FROM sections WHERE slug = ANY($1)`, slugs).Query(func(rows pgx.Rows) error {
			return scanKeyed(rows, u.sections)
		})
	}
	u.entities = map[string]int64{}
	if len(names) > 0 {
		b.Queue(`SELECT name_key, entity_id FROM entity_names WHERE name_key = ANY($1)`, names).Query(func(rows pgx.Rows) error {
			return scanKeyed(rows, u.entities)
		})
	}
	return u.tx.SendBatch(ctx, b).Close()
}

func scanKeyed(rows pgx.Rows, into map[string]int64) error {
	for rows.Next() {
		var k string
		var id int64
		if err := rows.Scan(&k, &id); err != nil {
			return err
		}
		into[k] = id
	}
	return rows.Err()
}

// drawIDs takes the IDs of the new stories and articles from their
// sequences, in ascending order.
func (u *upsert) drawIDs(ctx context.Context, stories, articles int) (storyIDs, articleIDs []int64, err error) {
	if articles == 0 {
		return nil, nil, nil
	}
	err = u.tx.QueryRow(ctx, `SELECT
		ARRAY(SELECT nextval(pg_get_serial_sequence('stories', 'id')) FROM generate_series(1, $1) ORDER BY 1),
		ARRAY(SELECT nextval(pg_get_serial_sequence('articles', 'id')) FROM generate_series(1, $2) ORDER BY 1)`,
		stories, articles).Scan(&storyIDs, &articleIDs)
	if err != nil {
		return nil, nil, fmt.Errorf("draw IDs: %w", err)
	}
	return storyIDs, articleIDs, nil
}

// prepareNew fills in what a new article takes from the store and the
// source: times, attribution, licence and slug.
func (u *upsert) prepareNew(a *newsdesk.Article) {
	if a.FetchedAt.IsZero() {
		a.FetchedAt = u.now
	}
	if a.PublishedAt.IsZero() {
		a.PublishedAt = a.FetchedAt
	}
	if a.UpdatedAt.IsZero() {
		a.UpdatedAt = a.PublishedAt
	}
	a.SourceID = u.sourceID
	if u.sourceID != 0 {
		a.Source = u.srcName
	}
	a.Licence = u.srcLicence
	a.Slug = articleSlug(a.Headline)
}

// planUpdate sets a's ID, story, slug and UpdatedAt from the stored
// version m and reports whether the content changed.
func (u *upsert) planUpdate(m *storedArticle, a *newsdesk.Article) bool {
	a.ID, a.StoryID = m.id, m.storyID
	if !m.bodyRemovedAt.IsZero() {
		// Retention removed the body: a feed still carrying the item does
		// not bring it back.
		a.Body, a.Text, a.BodyRemovedAt = "", "", m.bodyRemovedAt
	}
	changed := m.headline != a.Headline || m.lede != a.Lede || m.body != a.Body || m.author != a.Author ||
		m.image != a.ImageURL || m.alt != a.ImageAlt
	if !changed {
		a.Slug, a.UpdatedAt = m.slug, m.updatedAt
		return false
	}
	if a.UpdatedAt.IsZero() || !a.UpdatedAt.Truncate(time.Microsecond).After(m.updatedAt) {
		a.UpdatedAt = u.now
	}
	if a.FetchedAt.IsZero() {
		a.FetchedAt = u.now
	}
	a.Slug = articleSlug(a.Headline)
	return true
}

type queueFunc func(check func(error) error, sql string, args ...any)

// queueSections files the article under refs, in order; refs by slug are
// resolved, unknown slugs skipped. EINVALID for an unknown section ID.
func (u *upsert) queueSections(queue queueFunc, articleID int64, refs []newsdesk.SectionRef) {
	for i, r := range refs {
		id := r.ID
		if id == 0 && r.Slug != "" {
			id = u.sections[r.Slug]
		}
		if id == 0 {
			continue
		}
		queue(func(err error) error {
			if isForeignKey(err) {
				return newsdesk.Errorf(newsdesk.EINVALID, "Unknown section %d.", id)
			}
			return nil
		}, `INSERT INTO article_sections (article_id, section_id, position) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, articleID, id, i)
	}
}

// queueEntities links the article to refs; refs by name are resolved,
// unknown names skipped. EINVALID for an unknown entity ID.
func (u *upsert) queueEntities(queue queueFunc, articleID int64, refs []newsdesk.EntityRef) {
	for i, r := range refs {
		id := r.ID
		if id == 0 && r.Name != "" {
			id = u.entities[store.NameKey(r.Name)]
		}
		if id == 0 {
			continue
		}
		queue(func(err error) error {
			if isForeignKey(err) {
				return newsdesk.Errorf(newsdesk.EINVALID, "Unknown entity %d.", id)
			}
			return nil
		}, `INSERT INTO article_entities (article_id, entity_id, mentions, position) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
			articleID, id, max(r.Mentions, 1), i)
	}
}
