package api

import (
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"newsdesk"
)

// The JSON shapes of the API. Times are RFC 3339 in UTC; a zero time is
// left out.

type list[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}

type sourceRef struct {
	ID   int64  `json:"id,omitempty"`
	Name string `json:"name"`
}

type sectionRef struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

type entityRef struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

type articleJSON struct {
	ID            int64        `json:"id"`
	Link          string       `json:"link"` // the page on this site
	URL           string       `json:"url"`  // the original
	Headline      string       `json:"headline"`
	Lede          string       `json:"lede,omitempty"`
	Body          string       `json:"body,omitempty"` // sanitized HTML, full licence only
	Author        string       `json:"author,omitempty"`
	ImageURL      string       `json:"image_url,omitempty"`
	ImageAlt      string       `json:"image_alt,omitempty"`
	Source        sourceRef    `json:"source"`
	Licence       string       `json:"licence"`
	Language      string       `json:"language,omitempty"`
	DatelinePlace string       `json:"dateline_place,omitempty"`
	PublishedAt   time.Time    `json:"published_at"`
	UpdatedAt     time.Time    `json:"updated_at,omitzero"`
	Status        string       `json:"status"`
	StoryID       int64        `json:"story_id"`
	Sections      []sectionRef `json:"sections"`
	Entities      []entityRef  `json:"entities"`
	// SectionsLocked is shown to editors only.
	SectionsLocked *bool `json:"sections_locked,omitempty"`
}

// article shapes a for the caller: the source's licence decides how much
// text anonymous readers get (full: body; excerpt: lede; headline: neither);
// editors get everything.
func (h *Handler) article(a *newsdesk.Article, editor bool) articleJSON {
	out := articleJSON{ID: a.ID, Link: h.baseURL + a.Path(), URL: a.URL, Headline: a.Headline, Author: a.Author,
		ImageURL: a.ImageURL, ImageAlt: a.ImageAlt, Source: sourceRef{ID: a.SourceID, Name: a.Source},
		Licence: string(a.Licence), Language: a.Language, DatelinePlace: a.DatelinePlace,
		PublishedAt: a.PublishedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC(), Status: string(a.Status), StoryID: a.StoryID,
		Sections: []sectionRef{}, Entities: []entityRef{}}
	if out.Licence == "" {
		out.Licence = string(newsdesk.LicenceFull)
	}
	switch {
	case editor || a.Licence == newsdesk.LicenceFull || a.Licence == "":
		out.Lede, out.Body = a.Lede, a.Body
	case a.Licence == newsdesk.LicenceExcerpt:
		out.Lede = a.Lede
	}
	if editor {
		locked := a.SectionsLocked
		out.SectionsLocked = &locked
	}
	for _, s := range a.Sections {
		out.Sections = append(out.Sections, sectionRef{ID: s.ID, Slug: s.Slug, Name: s.Name})
	}
	for _, e := range a.Entities {
		out.Entities = append(out.Entities, entityRef{ID: e.ID, Slug: e.Slug, Name: e.Name, Kind: string(e.Kind)})
	}
	return out
}

func (h *Handler) articles(arts []*newsdesk.Article, editor bool) []articleJSON {
	out := make([]articleJSON, 0, len(arts))
	for _, a := range arts {
		out = append(out, h.article(a, editor))
	}
	return out
}

type sectionJSON struct {
	ID          int64  `json:"id"`
	ParentID    int64  `json:"parent_id"`
	Slug        string `json:"slug"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Code        string `json:"code,omitempty"`
	Position    int    `json:"position"`
	Link        string `json:"link"`
}

func (h *Handler) section(s *newsdesk.Section) sectionJSON {
	return sectionJSON{ID: s.ID, ParentID: s.ParentID, Slug: s.Slug, Name: s.Name, Description: s.Description,
		Code: s.Code, Position: s.Position, Link: h.baseURL + s.Path()}
}

type entityJSON struct {
	ID          int64    `json:"id"`
	Kind        string   `json:"kind"`
	Slug        string   `json:"slug"`
	Name        string   `json:"name"`
	Aliases     []string `json:"aliases"`
	Description string   `json:"description,omitempty"`
	Link        string   `json:"link"`
}

func (h *Handler) entity(e *newsdesk.Entity) entityJSON {
	aliases := e.Aliases
	if aliases == nil {
		aliases = []string{}
	}
	return entityJSON{ID: e.ID, Kind: string(e.Kind), Slug: e.Slug, Name: e.Name, Aliases: aliases,
		Description: e.Description, Link: h.baseURL + e.Path()}
}

type candidateJSON struct {
	ID        int64     `json:"id"`
	EntityID  int64     `json:"entity_id"`
	Alias     string    `json:"alias"`
	Evidence  string    `json:"evidence"`
	ArticleID int64     `json:"article_id,omitempty"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at,omitzero"`
}

type storyJSON struct {
	ID       int64     `json:"id"`
	Title    string    `json:"title"`
	Articles int       `json:"articles"`
	Sources  int       `json:"sources"`
	FirstAt  time.Time `json:"first_at,omitzero"`
	LastAt   time.Time `json:"last_at,omitzero"`
	Link     string    `json:"link"`
	// Coverage is the story's articles, oldest first (single story only).
	Coverage []articleJSON `json:"coverage,omitempty"`
}

func (h *Handler) story(s *newsdesk.Story) storyJSON {
	return storyJSON{ID: s.ID, Title: s.Title, Articles: s.Articles, Sources: s.Sources, FirstAt: s.FirstAt.UTC(),
		LastAt: s.LastAt.UTC(), Link: h.baseURL + s.Path()}
}

// sourceJSON is a source; the fetch details are for admins only (a feed
// address may carry a subscriber's key, an error a server's internals).
type sourceJSON struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	SiteURL  string `json:"site_url,omitempty"`
	Language string `json:"language,omitempty"`
	Licence  string `json:"licence"`
	Link     string `json:"link"`

	URL             string    `json:"url,omitempty"`
	Extract         *bool     `json:"extract,omitempty"`
	Paused          *bool     `json:"paused,omitempty"`
	IntervalSeconds int64     `json:"interval_seconds,omitempty"`
	NextFetchAt     time.Time `json:"next_fetch_at,omitzero"`
	LastFetchAt     time.Time `json:"last_fetch_at,omitzero"`
	LastSuccessAt   time.Time `json:"last_success_at,omitzero"`
	Failures        *int      `json:"failures,omitempty"`
	LastError       string    `json:"last_error,omitempty"`
	ItemsPerDay     *float64  `json:"items_per_day,omitempty"`
}

func (h *Handler) source(s *newsdesk.Source, full bool) sourceJSON {
	out := sourceJSON{ID: s.ID, Name: s.Name, Kind: string(s.Kind), SiteURL: s.SiteURL, Language: s.Language,
		Licence: string(s.Licence), Link: h.baseURL + "/source/" + strconv.FormatInt(s.ID, 10)}
	if full {
		extract, paused, failures, perDay := s.Extract, s.Paused, s.Failures, s.ItemsPerDay
		out.URL, out.Extract, out.Paused, out.IntervalSeconds = s.URL, &extract, &paused, int64(s.Interval/time.Second)
		out.NextFetchAt, out.LastFetchAt, out.LastSuccessAt = s.NextFetchAt.UTC(), s.LastFetchAt.UTC(), s.LastSuccessAt.UTC()
		out.Failures, out.LastError, out.ItemsPerDay = &failures, s.LastError, &perDay
	}
	return out
}

type pickJSON struct {
	ID        int64        `json:"id"`
	Position  int          `json:"position"`
	ExpiresAt time.Time    `json:"expires_at,omitzero"`
	CreatedAt time.Time    `json:"created_at,omitzero"`
	Article   *articleJSON `json:"article,omitempty"`
}

func (h *Handler) pick(p *newsdesk.Pick, editor bool) pickJSON {
	out := pickJSON{ID: p.ID, Position: p.Position, ExpiresAt: p.ExpiresAt.UTC(), CreatedAt: p.CreatedAt.UTC()}
	if p.Article != nil {
		a := h.article(p.Article, editor)
		out.Article = &a
	}
	return out
}

type hitJSON struct {
	Article articleJSON `json:"article"`
	// Snippet is HTML: escaped text with <mark> around the matches.
	Snippet string  `json:"snippet"`
	Score   float64 `json:"score"`
}

// snippetHTML escapes a search snippet and turns its match markers into
// <mark> elements (unbalanced markers are closed or dropped).
func snippetHTML(s string) string {
	esc := html.EscapeString(s)
	var b strings.Builder
	open := false
	for _, r := range esc {
		switch string(r) {
		case newsdesk.SnippetMarkStart:
			if !open {
				b.WriteString("<mark>")
				open = true
			}
		case newsdesk.SnippetMarkEnd:
			if open {
				b.WriteString("</mark>")
				open = false
			}
		default:
			b.WriteRune(r)
		}
	}
	if open {
		b.WriteString("</mark>")
	}
	return b.String()
}

// Query parameters.

const (
	defaultLimit = 20
	maxLimit     = 100
	maxOffset    = 10000
)

// paging reads offset and limit (20 by default, at most 100).
func paging(q url.Values) (offset, limit int, err error) {
	limit = defaultLimit
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > maxLimit {
			return 0, 0, newsdesk.Errorf(newsdesk.EINVALID, "limit must be from 1 to %d.", maxLimit)
		}
	}
	if v := q.Get("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 || offset > maxOffset {
			return 0, 0, newsdesk.Errorf(newsdesk.EINVALID, "offset must be from 0 to %d.", maxOffset)
		}
	}
	return offset, limit, nil
}

// optID reads an optional positive id parameter.
func optID(q url.Values, name string) (*int64, error) {
	v := q.Get(name)
	if v == "" {
		return nil, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return nil, newsdesk.Errorf(newsdesk.EINVALID, "%s must be a positive id.", name)
	}
	return &id, nil
}

// optTime reads an optional RFC 3339 time (or a date) parameter.
func optTime(q url.Values, name string) (*time.Time, error) {
	v := q.Get(name)
	if v == "" {
		return nil, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return &t, nil
		}
	}
	return nil, newsdesk.Errorf(newsdesk.EINVALID, "%s must be an RFC 3339 time or a date (2025-06-02).", name)
}

// pathID reads the {id} path value.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, newsdesk.Errorf(newsdesk.ENOTFOUND, "No such id %q.", r.PathValue("id"))
	}
	return id, nil
}
