package site

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"newsdesk"
)

type searchPage struct {
	page
	Form     searchForm
	Sections []*newsdesk.Section
	Sources  []*newsdesk.Source
	Entities []*newsdesk.Entity
	// Entity is the entity the search is narrowed to, or nil.
	Entity   *newsdesk.Entity
	Problems []string
	Searched bool
	// Total is the number of results, or when TotalCapped the number
	// counted (there are more): Results words it either way.
	Total       int
	TotalCapped bool
	Results     string // "1 result", "37 results", "500+ results"
	Hits        []newsdesk.SearchHit
	Pager       pager
}

type searchForm struct {
	Q        string
	Section  string
	SourceID int64
	Entity   string // slug
	From, To string
	Sort     string
}

// Search limits: hostile or accidental input is cut down, never refused
// with an error page.
const (
	searchPerPage = 10
	searchMaxPage = 50
	// searchMaxShown is the most results the pages reach; the store counts
	// one more, to tell that there are more than it.
	searchMaxShown = searchMaxPage * searchPerPage
	searchMaxRunes = 200
	searchMaxWords = 12
	// searchEntityOptions is the most entities the form offers as a list;
	// a site naming more offers only the one carried from an entity page.
	searchEntityOptions = 300
)

func (h *Handler) searchPage(w http.ResponseWriter, r *http.Request) {
	h.cached(w, r, func(ctx context.Context, buf *bytes.Buffer) error {
		p, err := h.searchData(ctx, r.URL.Query())
		if err != nil {
			return err
		}
		return h.web.Render(buf, "site/search", p)
	})
}

func (h *Handler) searchData(ctx context.Context, q url.Values) (*searchPage, error) {
	p := &searchPage{page: h.basePage(ctx, "Search", "/search")}
	p.NoIndex = true
	p.Description = "Search the reports of " + h.name + "."
	t, err := h.tree(ctx)
	if err != nil {
		return nil, err
	}
	p.Sections = t.All
	if p.Sources, _, err = h.store.Sources(ctx, newsdesk.SourceFilter{Limit: 500}); err != nil {
		return nil, fmt.Errorf("search sources: %w", err)
	}

	p.Form.Q = cleanQuery(q.Get("q"))
	sq := newsdesk.SearchQuery{Text: p.Form.Q, Sort: newsdesk.SortRelevance, Limit: searchPerPage, MaxTotal: searchMaxShown + 1, Cards: true}
	if v := q.Get("section"); v != "" {
		if s := t.BySlug(v); s != nil {
			p.Form.Section = s.Slug
			id := s.ID
			sq.SectionID = &id
		} else {
			p.Problems = append(p.Problems, "There is no such section; searching all sections.")
		}
	}
	if v := q.Get("source"); v != "" {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			p.Form.SourceID = id
			sq.SourceID = &id
		} else {
			p.Problems = append(p.Problems, "There is no such source; searching all sources.")
		}
	}
	if v := q.Get("entity"); v != "" {
		e, err := h.store.EntityBySlug(ctx, v)
		switch newsdesk.ErrorCode(err) {
		case "":
			p.Entity, p.Form.Entity = e, e.Slug
			id := e.ID
			sq.EntityID = &id
		case newsdesk.ENOTFOUND:
			p.Problems = append(p.Problems, "There is no such person, organisation or place; searching all reports.")
		default:
			return nil, fmt.Errorf("search entity: %w", err)
		}
	}
	ents, entTotal, err := h.store.Entities(ctx, newsdesk.EntityFilter{Limit: searchEntityOptions})
	if err != nil {
		return nil, fmt.Errorf("search entities: %w", err)
	}
	if entTotal <= searchEntityOptions {
		p.Entities = ents
	}
	if p.Entity != nil && !slices.ContainsFunc(p.Entities, func(e *newsdesk.Entity) bool { return e.ID == p.Entity.ID }) {
		p.Entities = append(p.Entities, p.Entity)
	}
	if v := q.Get("from"); v != "" {
		if d, err := time.Parse(time.DateOnly, v); err == nil {
			p.Form.From = d.Format(time.DateOnly)
			sq.From = &d
		} else {
			p.Problems = append(p.Problems, "The start date was not understood; write it as 2025-06-02.")
		}
	}
	if v := q.Get("to"); v != "" {
		if d, err := time.Parse(time.DateOnly, v); err == nil {
			p.Form.To = d.Format(time.DateOnly)
			end := d.Add(24*time.Hour - time.Nanosecond) // the whole day
			sq.To = &end
		} else {
			p.Problems = append(p.Problems, "The end date was not understood; write it as 2025-06-02.")
		}
	}
	if sq.From != nil && sq.To != nil && sq.To.Before(*sq.From) {
		p.Problems = append(p.Problems, "The end date is before the start date.")
	}
	if q.Get("sort") == string(newsdesk.SortNewest) {
		p.Form.Sort = string(newsdesk.SortNewest)
		sq.Sort = newsdesk.SortNewest
	}
	n := 1
	if v := q.Get("page"); v != "" {
		if k, err := strconv.Atoi(v); err == nil && k >= 1 {
			n = min(k, searchMaxPage)
		}
	}
	sq.Offset = (n - 1) * searchPerPage
	if p.Entity != nil {
		p.Title = "Search reports naming " + p.Entity.Name
	}
	if p.Form.Q == "" {
		if strings.TrimSpace(q.Get("q")) != "" {
			p.Problems = append(p.Problems, "Type a word to search for.")
		}
		return p, nil
	}
	p.Title = "Search: " + p.Form.Q
	res, err := h.search.Search(ctx, sq)
	switch newsdesk.ErrorCode(err) {
	case "":
	case newsdesk.EINVALID:
		p.Problems = append(p.Problems, "The search could not be understood: "+newsdesk.ErrorMessage(err))
		return p, nil
	default:
		return nil, fmt.Errorf("search: %w", err)
	}
	p.Searched = true
	// Past the last page reached, or where the store stopped counting,
	// the count is a lower bound: the page says so, and the pager links
	// no further.
	p.Total, p.TotalCapped = min(res.Total, searchMaxShown), res.TotalCapped || res.Total > searchMaxShown
	p.Results = resultsText(p.Total, p.TotalCapped)
	p.Hits = res.Hits
	keep := url.Values{}
	for _, k := range []string{"q", "section", "source", "entity", "from", "to", "sort"} {
		if v := q.Get(k); v != "" {
			keep.Set(k, v)
		}
	}
	keep.Set("q", p.Form.Q)
	total := p.Total
	if pg, err := paginate(&p.page, "/search", keep, n, total, searchPerPage); err == nil {
		p.Pager = pg
	} else {
		// A page past the last one shows no hits, not an error.
		p.Pager = pager{Page: n, Pages: max(1, (total+searchPerPage-1)/searchPerPage)}
	}
	return p, nil
}

// resultsText words a number of results: "1 result", "37 results", or,
// for a count that is a lower bound, "500+ results".
func resultsText(n int, capped bool) string {
	if capped {
		return strconv.Itoa(n) + "+ results"
	}
	if n == 1 {
		return "1 result"
	}
	return strconv.Itoa(n) + " results"
}

// cleanQuery keeps what a search can use: letters, marks, digits, spaces,
// apostrophes, hyphens and balanced double quotes, at most searchMaxRunes
// characters and searchMaxWords words. Everything else (operators, control
// and private-use characters, the snippet markers) becomes a space, so no
// input reaches the index as syntax.
func cleanQuery(s string) string {
	var b strings.Builder
	quotes, n := 0, 0
	for _, r := range s {
		if n >= searchMaxRunes {
			break
		}
		n++
		switch {
		case unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		case r == '\'' || r == '’' || r == '-':
			b.WriteRune(r)
		case r == '"':
			quotes++
			b.WriteRune(r)
		case r == '\u200c' || r == '\u200d': // Persian zero-width (non-)joiner
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	out := b.String()
	if quotes%2 == 1 {
		i := strings.LastIndexByte(out, '"')
		out = out[:i] + " " + out[i+1:]
	}
	words := strings.Fields(out)
	// Hyphens and apostrophes alone are not words.
	kept := words[:0]
	for _, w := range words {
		if strings.Trim(w, "-'’\"") != "" {
			kept = append(kept, w)
		}
	}
	if len(kept) > searchMaxWords {
		kept = kept[:searchMaxWords]
	}
	out = strings.Join(kept, " ")
	if strings.Count(out, `"`)%2 == 1 {
		out = strings.ReplaceAll(out, `"`, "")
	}
	return out
}
