package parse

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"newsdesk"
)

type jsonAuthor struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

type jsonFeed struct {
	Version     string       `json:"version"`
	Title       string       `json:"title"`
	HomePageURL string       `json:"home_page_url"`
	FeedURL     string       `json:"feed_url"`
	Description string       `json:"description"`
	Language    string       `json:"language"`
	Author      *jsonAuthor  `json:"author"`
	Authors     []jsonAuthor `json:"authors"`
	Hubs        []struct {
		Type string `json:"type"`
		URL  string `json:"url"`
	} `json:"hubs"`
	Items []json.RawMessage `json:"items"`
}

type jsonItem struct {
	ID            json.RawMessage `json:"id"`
	URL           string          `json:"url"`
	ExternalURL   string          `json:"external_url"`
	Title         string          `json:"title"`
	ContentHTML   string          `json:"content_html"`
	ContentText   string          `json:"content_text"`
	Summary       string          `json:"summary"`
	Image         string          `json:"image"`
	BannerImage   string          `json:"banner_image"`
	DatePublished string          `json:"date_published"`
	DateModified  string          `json:"date_modified"`
	Author        *jsonAuthor     `json:"author"`
	Authors       []jsonAuthor    `json:"authors"`
	Tags          []string        `json:"tags"`
	Language      string          `json:"language"`
	Attachments   []struct {
		URL      string  `json:"url"`
		MimeType string  `json:"mime_type"`
		Size     float64 `json:"size_in_bytes"`
	} `json:"attachments"`
}

// jsonFeedDoc builds a feed from JSON Feed 1.0 or 1.1. Fields of the wrong
// type are skipped, and a truncated document yields its complete items.
func jsonFeedDoc(base *url.URL, src string, p *problems) (*newsdesk.Feed, error) {
	var jf jsonFeed
	if err := json.Unmarshal([]byte(src), &jf); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te):
			p.add("JSON field of the wrong type", te.Field)
		default:
			salvaged, ok := salvageJSON(src, &jf)
			if !ok {
				return nil, jsonError(src, err)
			}
			p.add("JSON document truncated or broken", jsonError(src, err).Error()+"; kept "+strconv.Itoa(salvaged)+" complete items")
		}
	}
	if !strings.Contains(jf.Version, "jsonfeed.org/version") {
		if jf.Items == nil {
			return nil, &NotFeedError{Reason: "JSON document is not a JSON Feed (no version or items)"}
		}
		p.add("JSON Feed version missing", "")
	}
	f := &newsdesk.Feed{
		Title:       plainText(jf.Title),
		Link:        resolveURL(base, jf.HomePageURL),
		FeedURL:     resolveURL(base, jf.FeedURL),
		Description: strings.TrimSpace(jf.Description),
		Language:    strings.TrimSpace(jf.Language),
	}
	for _, h := range jf.Hubs {
		if f.HubURL == "" && (strings.EqualFold(h.Type, "websub") || strings.EqualFold(h.Type, "pubsubhubbub") || h.Type == "") {
			f.HubURL = resolveURL(base, h.URL)
		}
	}
	feedAuthor := jsonAuthors(jf.Author, jf.Authors)
	for _, raw := range jf.Items {
		if len(f.Items) >= maxItems {
			p.add("too many items", "only the first "+strconv.Itoa(maxItems)+" were read")
			break
		}
		var ji jsonItem
		if err := json.Unmarshal(raw, &ji); err != nil {
			var te *json.UnmarshalTypeError
			if !errors.As(err, &te) {
				p.add("bad JSON item", err.Error())
				continue
			}
			p.add("JSON field of the wrong type", te.Field)
		}
		it := &newsdesk.Item{
			Link:      resolveURL(base, ji.URL),
			Title:     plainText(ji.Title),
			Summary:   strings.TrimSpace(ji.Summary),
			Content:   strings.TrimSpace(ji.ContentHTML),
			Author:    jsonAuthors(ji.Author, ji.Authors),
			Published: datePtr(ji.DatePublished, p),
			Updated:   datePtr(ji.DateModified, p),
			ImageURL:  resolveURL(base, firstNonEmpty(ji.Image, ji.BannerImage)),
			Language:  strings.TrimSpace(ji.Language),
		}
		if it.Link == "" {
			it.Link = resolveURL(base, ji.ExternalURL)
		}
		if it.Content == "" {
			it.Content = textToHTML(ji.ContentText)
		}
		if it.Summary != "" {
			it.Summary = textToHTML(it.Summary)
		}
		it.GUID = jsonID(ji.ID)
		if it.GUID == "" {
			it.GUID = it.Link
		}
		if it.Author == "" {
			it.Author = feedAuthor
		}
		if it.Language == "" {
			it.Language = f.Language
		}
		if it.Published.IsZero() {
			it.Published = it.Updated
		}
		for _, t := range ji.Tags {
			it.Categories = appendUnique(it.Categories, plainText(t))
		}
		for _, a := range ji.Attachments {
			e := newsdesk.Enclosure{URL: resolveURL(base, a.URL), Type: strings.ToLower(strings.TrimSpace(a.MimeType))}
			if a.Size > 0 && a.Size < 1<<62 {
				e.Length = int64(a.Size)
			}
			if e.URL != "" {
				it.Enclosures = append(it.Enclosures, e)
			}
		}
		f.Items = append(f.Items, it)
	}
	return f, nil
}

func datePtr(s string, p *problems) (t0 time.Time) {
	s = strings.TrimSpace(s)
	if s == "" {
		return t0
	}
	t, err := Date(s)
	if err != nil {
		p.add("unparseable date", strconv.Quote(s))
		return t0
	}
	return t
}

func jsonAuthors(a *jsonAuthor, as []jsonAuthor) string {
	var names []string
	for _, x := range as {
		if n := cleanAuthor(x.Name); n != "" {
			names = append(names, n)
		}
	}
	if len(names) == 0 && a != nil {
		return cleanAuthor(a.Name)
	}
	return strings.Join(names, ", ")
}

// jsonID accepts the id as a string or, as some feeds write it, a number.
func jsonID(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// salvageJSON reads a broken document key by key, keeping every complete
// top-level field and every complete item. It reports how many items it kept.
func salvageJSON(src string, jf *jsonFeed) (int, bool) {
	dec := json.NewDecoder(strings.NewReader(src))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return 0, false
	}
	top := map[string]json.RawMessage{}
	var items []json.RawMessage
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			break
		}
		key, ok := t.(string)
		if !ok {
			break
		}
		if key != "items" {
			var v json.RawMessage
			if dec.Decode(&v) != nil {
				break
			}
			top[key] = v
			continue
		}
		if t, err := dec.Token(); err != nil || t != json.Delim('[') {
			break
		}
		for dec.More() {
			var v json.RawMessage
			if dec.Decode(&v) != nil {
				break
			}
			items = append(items, v)
		}
		if _, err := dec.Token(); err != nil {
			break
		}
	}
	if len(top) == 0 && len(items) == 0 {
		return 0, false
	}
	b, err := json.Marshal(top)
	if err != nil {
		return 0, false
	}
	_ = json.Unmarshal(b, jf) // type errors are tolerated as above
	jf.Items = items
	if jf.Items == nil {
		jf.Items = []json.RawMessage{}
	}
	return len(items), true
}

// jsonError words a JSON syntax error with its line.
func jsonError(src string, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("JSON syntax error on line %d: %s", lineAt(src, int(se.Offset)), se.Error())
	}
	return fmt.Errorf("JSON: %w", err)
}
