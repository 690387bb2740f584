package store

import (
	"strings"
	"time"

	"newsdesk"
)

// Row is one result row to scan: *sql.Row and *sql.Rows of database/sql,
// pgx.Row and pgx.Rows alike.
type Row interface {
	Scan(dest ...any) error
}

// Rows is a cursor over result rows of either driver. Closing it is left to
// the caller, since database/sql and pgx close rows differently.
type Rows interface {
	Row
	Next() bool
	Err() error
}

// Dialect is what the shared scanners need to know of a store's driver:
// how a time and a boolean column reach Go.
type Dialect struct {
	// Time returns the scan destination of a time column that fills *t,
	// the zero time for an unset time.
	Time func(t *time.Time) any
	// Bool returns the scan destination of a boolean column that fills *b;
	// nil scans into *b itself.
	Bool func(b *bool) any
}

func (d Dialect) bool(b *bool) any {
	if d.Bool == nil {
		return b
	}
	return d.Bool(b)
}

// ScanArticle scans an article, after the columns of pre and before those
// of extra, from the columns id, source ID, source name, licence, guid,
// url, slug, headline, lede, body, text, author, image_url, image_alt,
// dateline_place, dateline_agency, language, published_at, updated_at,
// fetched_at, status, fingerprint, simhash, duplicate_of, story_id,
// sections_locked, body_removed_at. Sections and entities are left to Refs.
func (d Dialect) ScanArticle(sc Row, pre []any, extra ...any) (*newsdesk.Article, error) {
	var a newsdesk.Article
	var simhash int64
	dest := append(pre, &a.ID, &a.SourceID, &a.Source, &a.Licence,
		&a.GUID, &a.URL, &a.Slug, &a.Headline, &a.Lede, &a.Body, &a.Text, &a.Author, &a.ImageURL, &a.ImageAlt,
		&a.DatelinePlace, &a.DatelineAgency, &a.Language, d.Time(&a.PublishedAt), d.Time(&a.UpdatedAt), d.Time(&a.FetchedAt), &a.Status,
		&a.Fingerprint, &simhash, &a.DuplicateOf, &a.StoryID, d.bool(&a.SectionsLocked), d.Time(&a.BodyRemovedAt))
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	a.SimHash = uint64(simhash)
	return &a, nil
}

// BriefCols are the columns ScanBrief reads, for an articles table a
// joined to its source s.
const BriefCols = `a.id, COALESCE(a.source_id, 0), COALESCE(s.name, a.source_name), a.story_id, a.duplicate_of,
	a.status, a.published_at, a.fingerprint, a.headline, a.lede`

// ScanBrief scans an article brief from BriefCols and then the columns of
// extra. Its entity IDs are left to the caller.
func (d Dialect) ScanBrief(sc Row, extra ...any) (newsdesk.ArticleBrief, error) {
	var b newsdesk.ArticleBrief
	err := sc.Scan(append([]any{&b.ID, &b.SourceID, &b.Source, &b.StoryID, &b.DuplicateOf, &b.Status, d.Time(&b.PublishedAt),
		&b.Fingerprint, &b.Headline, &b.Lede}, extra...)...)
	return b, err
}

// Refs fills the sections (primary first) and entities (most mentions
// first) of a list of articles from one query each, over IDs. An article
// listed twice (same ID) gets the refs of the other.
type Refs struct {
	IDs  []int64 // the articles' distinct IDs, in list order
	arts []*newsdesk.Article
	byID map[int64]*newsdesk.Article
}

// NewRefs clears the sections and entities of arts, to be loaded.
func NewRefs(arts []*newsdesk.Article) *Refs {
	r := &Refs{
		IDs:  make([]int64, 0, len(arts)),
		arts: arts,
		byID: make(map[int64]*newsdesk.Article, len(arts)),
	}
	for _, a := range arts {
		a.Sections, a.Entities = nil, nil
		if _, dup := r.byID[a.ID]; !dup {
			r.IDs = append(r.IDs, a.ID)
		}
		r.byID[a.ID] = a
	}
	return r
}

// ScanSections reads rows of (article ID, section ID, slug, name) in the
// order of each article's sections.
func (r *Refs) ScanSections(rows Rows) error {
	for rows.Next() {
		var id int64
		var s newsdesk.SectionRef
		if err := rows.Scan(&id, &s.ID, &s.Slug, &s.Name); err != nil {
			return err
		}
		a := r.byID[id]
		a.Sections = append(a.Sections, s)
	}
	return rows.Err()
}

// ScanEntities reads rows of (article ID, entity ID, slug, name, kind,
// mentions) in the order of each article's entities.
func (r *Refs) ScanEntities(rows Rows) error {
	for rows.Next() {
		var id int64
		var e newsdesk.EntityRef
		if err := rows.Scan(&id, &e.ID, &e.Slug, &e.Name, &e.Kind, &e.Mentions); err != nil {
			return err
		}
		a := r.byID[id]
		a.Entities = append(a.Entities, e)
	}
	return rows.Err()
}

// Share gives the articles listed twice the refs loaded for the other.
func (r *Refs) Share() {
	for _, a := range r.arts {
		if b := r.byID[a.ID]; b != a {
			a.Sections, a.Entities = b.Sections, b.Entities
		}
	}
}

// Aliases fills the aliases of a list of entities from one query over IDs.
type Aliases struct {
	IDs  []int64 // the entities' IDs, in list order
	byID map[int64]*newsdesk.Entity
}

// NewAliases clears the aliases of ents, to be loaded.
func NewAliases(ents []*newsdesk.Entity) *Aliases {
	al := &Aliases{IDs: make([]int64, len(ents)), byID: make(map[int64]*newsdesk.Entity, len(ents))}
	for i, e := range ents {
		al.byID[e.ID], al.IDs[i] = e, e.ID
		e.Aliases = nil
	}
	return al
}

// Scan reads rows of (entity ID, alias) in alias order.
func (al *Aliases) Scan(rows Rows) error {
	for rows.Next() {
		var id int64
		var alias string
		if err := rows.Scan(&id, &alias); err != nil {
			return err
		}
		e := al.byID[id]
		e.Aliases = append(e.Aliases, alias)
	}
	return rows.Err()
}

// ScanAll scans every row of rows with scan.
func ScanAll[T any](rows Rows, scan func(Row) (T, error)) ([]T, error) {
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// ScanEntity scans an entity of (id, kind, slug, name, description,
// created_at), without its aliases.
func (d Dialect) ScanEntity(sc Row) (*newsdesk.Entity, error) {
	var e newsdesk.Entity
	if err := sc.Scan(&e.ID, &e.Kind, &e.Slug, &e.Name, &e.Description, d.Time(&e.CreatedAt)); err != nil {
		return nil, err
	}
	return &e, nil
}

// NameKey is the form under which an entity name is unique: trimmed,
// inner spaces collapsed, lowercased in every script.
func NameKey(name string) string {
	return strings.ToLower(strings.Join(strings.Fields(name), " "))
}

// ScanStory scans a story of (id, title, first_article_id, articles,
// sources, first_at, last_at, created_at).
func (d Dialect) ScanStory(sc Row) (*newsdesk.Story, error) {
	var s newsdesk.Story
	if err := sc.Scan(&s.ID, &s.Title, &s.FirstArticleID, &s.Articles, &s.Sources,
		d.Time(&s.FirstAt), d.Time(&s.LastAt), d.Time(&s.CreatedAt)); err != nil {
		return nil, err
	}
	return &s, nil
}

// ScanUser scans a user of (id, username, name, role, password_hash,
// created_at).
func (d Dialect) ScanUser(sc Row) (*newsdesk.User, error) {
	var u newsdesk.User
	if err := sc.Scan(&u.ID, &u.Username, &u.Name, &u.Role, &u.PasswordHash, d.Time(&u.CreatedAt)); err != nil {
		return nil, err
	}
	return &u, nil
}

// ValidRole is EINVALID unless r is a role the site knows.
func ValidRole(r newsdesk.Role) error {
	switch r {
	case newsdesk.RoleAdmin, newsdesk.RoleEditor:
		return nil
	}
	return newsdesk.Errorf(newsdesk.EINVALID, "Unknown role %q.", r)
}

// ValidateUser is EINVALID for a user without a username or with an
// unknown role.
func ValidateUser(u *newsdesk.User) error {
	if u.Username == "" {
		return newsdesk.Errorf(newsdesk.EINVALID, "Username required.")
	}
	return ValidRole(u.Role)
}

// ScanSession scans a session of (token hash, user ID, CSRF token,
// created, expires).
func (d Dialect) ScanSession(sc Row) (*newsdesk.Session, error) {
	var s newsdesk.Session
	if err := sc.Scan(&s.TokenHash, &s.UserID, &s.CSRFToken, d.Time(&s.CreatedAt), d.Time(&s.ExpiresAt)); err != nil {
		return nil, err
	}
	return &s, nil
}

// ScanAuditEntry scans an audit entry of (id, user_id, username, action,
// target, detail, at).
func (d Dialect) ScanAuditEntry(sc Row) (*newsdesk.AuditEntry, error) {
	var e newsdesk.AuditEntry
	if err := sc.Scan(&e.ID, &e.UserID, &e.Username, &e.Action, &e.Target, &e.Detail, d.Time(&e.At)); err != nil {
		return nil, err
	}
	return &e, nil
}

// ScanAPIToken scans an API token of (id, user_id, name, token_hash,
// created_at, expires_at).
func (d Dialect) ScanAPIToken(sc Row) (*newsdesk.APIToken, error) {
	var t newsdesk.APIToken
	if err := sc.Scan(&t.ID, &t.UserID, &t.Name, &t.TokenHash, d.Time(&t.CreatedAt), d.Time(&t.ExpiresAt)); err != nil {
		return nil, err
	}
	return &t, nil
}

// ScanSubscription scans a WebSub subscription of (id, source_id,
// hub_url, topic_url, secret, callback_token, state, lease_seconds,
// expires_at, renew_at, failures, last_error, created_at, updated_at).
func (d Dialect) ScanSubscription(sc Row) (*newsdesk.Subscription, error) {
	var s newsdesk.Subscription
	var state string
	if err := sc.Scan(&s.ID, &s.SourceID, &s.HubURL, &s.TopicURL, &s.Secret, &s.CallbackToken, &state, &s.LeaseSeconds,
		d.Time(&s.ExpiresAt), d.Time(&s.RenewAt), &s.Failures, &s.LastError, d.Time(&s.CreatedAt), d.Time(&s.UpdatedAt)); err != nil {
		return nil, err
	}
	s.State = newsdesk.SubscriptionState(state)
	return &s, nil
}

// ScanSource scans a source of (id, name, kind, url, site_url, language,
// licence, extract, paused, interval_ns, etag, last_modified,
// next_fetch_at, last_fetch_at, last_success_at, failures, last_error,
// items_per_day, created_at, updated_at, no_page_fetch).
func (d Dialect) ScanSource(sc Row) (*newsdesk.Source, error) {
	var s newsdesk.Source
	var interval int64
	if err := sc.Scan(&s.ID, &s.Name, &s.Kind, &s.URL, &s.SiteURL, &s.Language, &s.Licence, d.bool(&s.Extract), d.bool(&s.Paused), &interval,
		&s.ETag, &s.LastModified, d.Time(&s.NextFetchAt), d.Time(&s.LastFetchAt), d.Time(&s.LastSuccessAt), &s.Failures, &s.LastError,
		&s.ItemsPerDay, d.Time(&s.CreatedAt), d.Time(&s.UpdatedAt), d.bool(&s.NoPageFetch)); err != nil {
		return nil, err
	}
	s.Interval = time.Duration(interval)
	return &s, nil
}

// PageTotal is the total of a page of n rows at offset when the page
// tells it, and false when it must be counted: a full page, or an empty
// one past the start.
func PageTotal(n, limit, offset int) (int, bool) {
	if limit > 0 && n == limit || offset > 0 && n == 0 {
		return 0, false
	}
	return n + max(offset, 0), true
}

// NotFound is the ENOTFOUND error of a missing what with this id.
func NotFound(what string, id any) error {
	return newsdesk.Errorf(newsdesk.ENOTFOUND, "%s %v not found.", what, id)
}

// WithIDs returns the articles of a stored batch that have an ID: after
// an upsert, every one, created or matched.
func WithIDs(articles []*newsdesk.Article) []*newsdesk.Article {
	out := make([]*newsdesk.Article, 0, len(articles))
	for _, a := range articles {
		if a.ID != 0 {
			out = append(out, a)
		}
	}
	return out
}
