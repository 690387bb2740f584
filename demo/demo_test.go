package demo

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"newsdesk"
	"newsdesk/parse"
	"newsdesk/store/sqlite"
)

var start = time.Date(2025, 6, 10, 9, 30, 0, 0, time.UTC)

// noNetwork fails any request that the demo transport passes on.
type noNetwork struct{ t *testing.T }

func (n noNetwork) RoundTrip(r *http.Request) (*http.Response, error) {
	n.t.Errorf("request for %s left the demo transport", r.URL)
	return nil, errors.New("no network in tests")
}

func newClient(t *testing.T) (*Site, *http.Client) {
	t.Helper()
	s, err := NewSite(start)
	if err != nil {
		t.Fatal(err)
	}
	return s, &http.Client{Transport: s.Transport(noNetwork{t})}
}

func get(t *testing.T, c *http.Client, u string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// feedItem is what the tests need of an item, from any of the formats.
type feedItem struct {
	Link, Title, Summary, Content, Category string
	Published                               time.Time
}

func decodeFeed(t *testing.T, d *sourceDef, body []byte) []feedItem {
	t.Helper()
	var out []feedItem
	switch d.Format {
	case formatRSS:
		var f struct {
			Items []struct {
				Link        string `xml:"link"`
				Title       string `xml:"title"`
				PubDate     string `xml:"pubDate"`
				Category    string `xml:"category"`
				Description string `xml:"description"`
				Content     string `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
			} `xml:"channel>item"`
		}
		if err := xml.Unmarshal(body, &f); err != nil {
			t.Fatalf("%s: RSS: %v", d.Name, err)
		}
		for _, it := range f.Items {
			p, err := time.Parse(time.RFC1123Z, it.PubDate)
			if err != nil {
				t.Errorf("%s: pubDate %q: %v", d.Name, it.PubDate, err)
			}
			out = append(out, feedItem{it.Link, it.Title, it.Description, it.Content, it.Category, p})
		}
	case formatAtom:
		var f struct {
			XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
			Entries []struct {
				Link struct {
					Href string `xml:"href,attr"`
				} `xml:"link"`
				Title     string `xml:"title"`
				Published string `xml:"published"`
				Summary   string `xml:"summary"`
				Content   string `xml:"content"`
				Category  struct {
					Term  string `xml:"term,attr"`
					Label string `xml:"label,attr"`
				} `xml:"category"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal(body, &f); err != nil {
			t.Fatalf("%s: Atom: %v", d.Name, err)
		}
		for _, e := range f.Entries {
			p, err := time.Parse(time.RFC3339, e.Published)
			if err != nil {
				t.Errorf("%s: published %q: %v", d.Name, e.Published, err)
			}
			cat := e.Category.Label
			if cat == "" {
				cat = e.Category.Term
			}
			out = append(out, feedItem{e.Link.Href, e.Title, e.Summary, e.Content, cat, p})
		}
	case formatJSON:
		var f struct {
			Version string `json:"version"`
			Items   []struct {
				URL           string   `json:"url"`
				Title         string   `json:"title"`
				Summary       string   `json:"summary"`
				ContentHTML   string   `json:"content_html"`
				DatePublished string   `json:"date_published"`
				Tags          []string `json:"tags"`
			} `json:"items"`
		}
		if err := json.Unmarshal(body, &f); err != nil {
			t.Fatalf("%s: JSON Feed: %v", d.Name, err)
		}
		if f.Version != "https://jsonfeed.org/version/1.1" {
			t.Errorf("%s: version %q", d.Name, f.Version)
		}
		for _, it := range f.Items {
			p, err := time.Parse(time.RFC3339, it.DatePublished)
			if err != nil {
				t.Errorf("%s: date_published %q: %v", d.Name, it.DatePublished, err)
			}
			out = append(out, feedItem{it.URL, it.Title, it.Summary, it.ContentHTML, strings.Join(it.Tags, ","), p})
		}
	}
	return out
}

func TestFeeds(t *testing.T) {
	_, c := newClient(t)
	sectionByName := map[string]SectionSpec{}
	for _, s := range Sections() {
		sectionByName[s.Name] = s
	}
	links := map[string]bool{}
	countries := map[string]int{}
	var all strings.Builder
	langs := map[string]int{}
	for _, d := range catalogue() {
		resp, body := get(t, c, d.FeedURL(), nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", d.FeedURL(), resp.StatusCode)
		}
		if got, want := resp.Header.Get("Content-Type"), feedType(d.Format); got != want {
			t.Errorf("%s: Content-Type %q, want %q", d.Name, got, want)
		}
		items := decodeFeed(t, d, body)
		if len(items) < 5 {
			t.Errorf("%s: %d items", d.Name, len(items))
		}
		for _, it := range items {
			if links[it.Link] {
				t.Errorf("%s: duplicate link %s", d.Name, it.Link)
			}
			links[it.Link] = true
			age := start.Sub(it.Published)
			if age < 50*time.Minute || age > 10*24*time.Hour {
				t.Errorf("%s: %q is %v old", d.Name, it.Title, age)
			}
			if sec, ok := sectionByName[it.Category]; ok && sec.Code != "" {
				countries[sec.Code]++
			} else {
				t.Errorf("%s: %q has category %q, not a country", d.Name, it.Title, it.Category)
			}
			switch {
			case d.FullText && len(it.Content) < 800:
				t.Errorf("%s: %q carries %d bytes of content, want full text", d.Name, it.Title, len(it.Content))
			case d.Extract && it.Content != "":
				t.Errorf("%s: %q carries content, want a summary only", d.Name, it.Title)
			}
			if it.Summary == "" {
				t.Errorf("%s: %q without summary", d.Name, it.Title)
			}
			langs[d.Language]++
		}
		all.Write(body)
	}
	if len(links) < 64 {
		t.Errorf("%d distinct articles, want at least 64", len(links))
	}
	if len(countries) < 8 {
		t.Errorf("coverage of %d countries (%v), want at least 8", len(countries), countries)
	}
	if langs["fa"] < 3 || langs["ar"] < 3 {
		t.Errorf("languages %v: want at least 3 Persian and 3 Arabic reports", langs)
	}
	text := all.String()
	for _, want := range []string{"MEK", "MKO", "Mujahedeen-e-Khalq", "Mojahedin Khalq Organization", "مجاهدین خلق", "مجاهدي خلق", "IAEA", "OPEC", "ICRC", "IRGC"} {
		if !strings.Contains(text, want) {
			t.Errorf("no feed names %q", want)
		}
	}
	t.Logf("%d articles, countries %v, languages %v", len(links), countries, langs)
}

// TestFeedsParse runs every feed through the pipeline's own parser.
func TestFeedsParse(t *testing.T) {
	_, c := newClient(t)
	total := 0
	for _, d := range catalogue() {
		resp, body := get(t, c, d.FeedURL(), nil)
		base, _ := url.Parse(d.FeedURL())
		f, err := parse.Feed(base, body, resp.Header.Get("Content-Type"))
		if err != nil {
			t.Fatalf("%s: parse.Feed: %v", d.Name, err)
		}
		if f.Bozo {
			t.Errorf("%s: feed needed recovery: %s", d.Name, f.BozoReason)
		}
		for _, it := range f.Items {
			if it.Title == "" || it.Link == "" || it.Published.IsZero() {
				t.Errorf("%s: item %+v lacks title, link or date", d.Name, it)
			}
			if !strings.HasPrefix(it.Link, "https://"+d.Host()+"/") {
				t.Errorf("%s: item link %q", d.Name, it.Link)
			}
		}
		total += len(f.Items)
	}
	if total < 64 {
		t.Errorf("parse.Feed found %d items, want at least 64", total)
	}
}

var jsonLD = regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`)

func TestPages(t *testing.T) {
	s, c := newClient(t)
	pages := 0
	for _, d := range catalogue() {
		arts, err := loadArticles(content, d)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range arts {
			resp, body := get(t, c, d.ArticleURL(a.Slug), nil)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != typeHTML {
				t.Fatalf("%s: status %d, type %q", d.ArticleURL(a.Slug), resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			page := string(body)
			m := jsonLD.FindStringSubmatch(page)
			if m == nil {
				t.Fatalf("%s: no JSON-LD", d.ArticleURL(a.Slug))
			}
			var ld map[string]any
			if err := json.Unmarshal([]byte(m[1]), &ld); err != nil {
				t.Fatalf("%s: JSON-LD: %v", d.ArticleURL(a.Slug), err)
			}
			if ld["@type"] != "NewsArticle" || ld["headline"] != a.Title {
				t.Errorf("%s: JSON-LD %v", d.ArticleURL(a.Slug), ld)
			}
			// The body is in the page, among the site's own chrome.
			last := a.Paras[len(a.Paras)-1].Text
			if !strings.Contains(page, htmlEscape(last)) {
				t.Errorf("%s: last paragraph missing", d.ArticleURL(a.Slug))
			}
			if !strings.Contains(page, `rel="canonical" href="`+d.ArticleURL(a.Slug)+`"`) {
				t.Errorf("%s: no canonical link", d.ArticleURL(a.Slug))
			}
			if a.Words() < 150 {
				t.Errorf("%s/%s: %d words", d.Dir, a.Slug, a.Words())
			}
			if a.Image != "" {
				resp, img := get(t, c, "https://"+d.Host()+"/img/"+a.Image, nil)
				ct := resp.Header.Get("Content-Type")
				if resp.StatusCode != http.StatusOK || len(img) == 0 || (ct != "image/svg+xml" && ct != "image/png") {
					t.Errorf("image %s: status %d type %q", a.Image, resp.StatusCode, ct)
				}
			}
			pages++
		}
		resp, _ := get(t, c, d.SiteURL(), nil)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: home status %d", d.SiteURL(), resp.StatusCode)
		}
	}
	if pages < 64 {
		t.Errorf("%d pages", pages)
	}
	if len(s.Hosts()) != len(catalogue()) {
		t.Errorf("%d hosts", len(s.Hosts()))
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

func TestScripts(t *testing.T) {
	counts := map[string]int{}
	for _, d := range catalogue() {
		arts, err := loadArticles(content, d)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range arts {
			var arabicScript, latin int
			for _, r := range a.Title + a.Paras[0].Text {
				switch {
				case unicode.Is(unicode.Arabic, r):
					arabicScript++
				case unicode.Is(unicode.Latin, r):
					latin++
				}
			}
			rtl := a.Language == "fa" || a.Language == "ar"
			if rtl != (arabicScript > latin) {
				t.Errorf("%s/%s: language %q but %d Arabic-script and %d Latin letters", d.Dir, a.Slug, a.Language, arabicScript, latin)
			}
			counts[a.Language]++
		}
	}
	if counts["fa"] < 3 || counts["ar"] < 3 {
		t.Errorf("languages %v", counts)
	}
}

func TestConditionalGet(t *testing.T) {
	_, c := newClient(t)
	for _, d := range catalogue() {
		resp, _ := get(t, c, d.FeedURL(), nil)
		etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
		if etag == "" || lm == "" {
			t.Fatalf("%s: ETag %q Last-Modified %q", d.Name, etag, lm)
		}
		for _, hdr := range []map[string]string{{"If-None-Match": etag}, {"If-Modified-Since": lm}} {
			resp, body := get(t, c, d.FeedURL(), hdr)
			if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
				t.Errorf("%s with %v: status %d, %d bytes", d.Name, hdr, resp.StatusCode, len(body))
			}
		}
		resp, _ = get(t, c, d.FeedURL(), map[string]string{"If-None-Match": `"other"`})
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: stale ETag gave %d", d.Name, resp.StatusCode)
		}
	}
}

func TestTransportRouting(t *testing.T) {
	s, err := NewSite(start)
	if err != nil {
		t.Fatal(err)
	}
	var passed []string
	next := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		passed = append(passed, r.URL.Host)
		return &http.Response{StatusCode: http.StatusTeapot, Body: http.NoBody, Request: r}, nil
	})
	c := &http.Client{Transport: s.Transport(next)}
	tests := []struct {
		url  string
		want int
	}{
		{"https://gulfwire.demo.newsdesk.test/feed.xml", http.StatusOK},
		{"https://GulfWire.Demo.Newsdesk.Test:443/feed.xml", http.StatusOK},
		{"https://gulfwire.demo.newsdesk.test/no-such-page", http.StatusNotFound},
		{"https://nobody.demo.newsdesk.test/feed.xml", http.StatusNotFound},
		{"https://gulfwire.demo.newsdesk.test/robots.txt", http.StatusOK},
		{"https://example.com/feed.xml", http.StatusTeapot},
	}
	for _, tt := range tests {
		resp, _ := get(t, c, tt.url, nil)
		if resp.StatusCode != tt.want {
			t.Errorf("GET %s: %d, want %d", tt.url, resp.StatusCode, tt.want)
		}
	}
	if len(passed) != 1 || passed[0] != "example.com" {
		t.Errorf("passed on: %v", passed)
	}
	// The package-level Transport renders for the current time.
	resp, body := get(t, &http.Client{Transport: Transport(noNetwork{t})}, "https://levantreport.demo.newsdesk.test/feed.json", nil)
	if resp.StatusCode != http.StatusOK || !json.Valid(body) {
		t.Fatalf("Transport: status %d", resp.StatusCode)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestSectionsAndSources(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Sections() {
		if s.ParentSlug != "" && !seen[s.ParentSlug] {
			t.Errorf("section %s before its parent %s", s.Slug, s.ParentSlug)
		}
		if (s.ParentSlug == "") != (s.Code == "") || (s.Code != "" && !regexp.MustCompile(`^[a-z]{2}$`).MatchString(s.Code)) {
			t.Errorf("section %s: code %q", s.Slug, s.Code)
		}
		seen[s.Slug] = true
	}
	for _, src := range Sources() {
		if err := src.Validate(); err != nil {
			t.Errorf("%s: %v", src.Name, err)
		}
		u, err := url.Parse(src.URL)
		if err != nil || !IsDemoHost(u.Host) {
			t.Errorf("%s: URL %q", src.Name, src.URL)
		}
	}
}

func TestParseArticleErrors(t *testing.T) {
	tests := map[string]string{
		"no header end":  "title: x\nsection: iraq\nage: 2\n",
		"unknown header": "title: x\nsection: iraq\nage: 2\nfoo: bar\n---\nText.\n",
		"bad age":        "title: x\nsection: iraq\nage: soon\n---\nText.\n",
		"edited before":  "title: x\nsection: iraq\nage: 2\nedited: 3\n---\nText.\n",
		"no title":       "section: iraq\nage: 2\n---\nText.\n",
	}
	for name, src := range tests {
		if _, err := parseArticle(name+".txt", []byte(src)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	a, err := parseArticle("x.txt", []byte("title: T\nsection: iraq\nage: 1.5\n---\nOne\nline.\n\n## Head\n\nTwo & <three>.\n"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Age != 90*time.Minute || a.Summary != "One line." || a.BodyHTML() != "<p>One line.</p>\n<h2>Head</h2>\n<p>Two &amp; &lt;three&gt;.</p>\n" {
		t.Errorf("parsed %+v body %q", a, a.BodyHTML())
	}
}

func TestSetupAndPicks(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for range 2 {
		if err := Setup(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	secs, err := st.Sections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(secs) != len(Sections()) {
		t.Fatalf("%d sections, want %d", len(secs), len(Sections()))
	}
	tree := newsdesk.NewSectionTree(secs)
	if iq := tree.ByCode("iq"); iq == nil || tree.ByID(iq.ParentID) == nil || tree.ByID(iq.ParentID).Slug != "iran-and-its-neighbours" {
		t.Fatalf("Iraq not under the region: %+v", iq)
	}
	srcs, n, err := st.Sources(ctx, newsdesk.SourceFilter{})
	if err != nil || n != len(Sources()) {
		t.Fatalf("%d sources (%v), want %d", n, err, len(Sources()))
	}

	// Store two of the picked articles, as ingest would, and pin.
	byURL := map[string]*newsdesk.Source{}
	for _, s := range srcs {
		byURL[s.URL] = s
	}
	defs := map[string]*sourceDef{}
	for _, d := range catalogue() {
		defs[d.Dir] = d
	}
	want := []int64{}
	for _, p := range picks()[1:3] {
		d := defs[p.source]
		u := d.ArticleURL(p.slug)
		created, err := st.UpsertArticles(ctx, byURL[d.FeedURL()].ID, []*newsdesk.Article{{
			Source: d.Name, GUID: u, URL: u, Headline: p.slug, Lede: "Lede.", Body: "<p>Body.</p>",
			PublishedAt: start.Add(-time.Hour), Status: newsdesk.StatusPublished,
		}})
		if err != nil || len(created) != 1 {
			t.Fatalf("upsert: %v", err)
		}
		want = append(want, created[0].ID)
	}
	for range 2 {
		if err := PinPicks(ctx, st, start); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.Picks(ctx, start)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d picks, want %d", len(got), len(want))
	}
	for i, p := range got {
		if p.ArticleID != want[i] || !p.ExpiresAt.After(start.Add(24*time.Hour)) {
			t.Errorf("pick %d = article %d expiring %v, want article %d", i, p.ArticleID, p.ExpiresAt, want[i])
		}
	}
	if later, _ := st.Picks(ctx, start.Add(30*24*time.Hour)); len(later) != 0 {
		t.Errorf("picks never expire: %d active a month later", len(later))
	}
}

func BenchmarkNewSite(b *testing.B) {
	for b.Loop() {
		if _, err := NewSite(start); err != nil {
			b.Fatal(err)
		}
	}
}
