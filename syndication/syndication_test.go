package syndication

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"newsdesk"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

var base = time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)

var channel = Channel{
	Title:       "News On Iran & Its Neighbours",
	Description: "Reports from Iran & its neighbours <regional desk>",
	SiteURL:     "https://news.example/",
	Link:        "https://news.example/section/iraq",
	FeedURL:     "https://news.example/section/iraq/feed.rss",
	Language:    "en",
}

func fixtures() []*newsdesk.Article {
	return []*newsdesk.Article{
		{
			ID: 42, Slug: "camp-talks-resume", Source: "Tigris Daily", Licence: newsdesk.LicenceFull,
			URL:      "https://tigris.example/2025/03/camp-talks?utm=x&id=7",
			Headline: "Talks on camp's future resume: \"A & B < C > D\"",
			Lede:     "Iraqi officials & the ICRC met on Friday <again> to discuss the camp's future.",
			Body:     `<p>Iraqi officials &amp; the ICRC met on Friday.</p><blockquote><p>“We will respect the deadline,” a spokesman said.</p></blockquote>`,
			Author:   "Layla Haddad", ImageURL: "https://tigris.example/img/camp.png",
			Language:    "en",
			PublishedAt: base.Add(-3 * time.Hour), UpdatedAt: base.Add(-1 * time.Hour),
			Sections: []newsdesk.SectionRef{{ID: 2, Slug: "iraq", Name: "Iraq"}, {ID: 1, Slug: "iran-neighbours", Name: "Iran & its neighbours"}},
		},
		{
			ID: 43, Slug: "opec-output", Source: "Gulf Wire", Licence: newsdesk.LicenceExcerpt,
			URL:      "https://gulfwire.example/opec-output",
			Headline: "OPEC+ keeps output steady",
			Lede: "OPEC and its allies kept their production targets unchanged on Sunday, delegates said, " +
				"after a short online meeting in which ministers weighed weak demand in Asia against the risk " +
				"of a price slide, and agreed to meet again in June to review the market with fresh figures " +
				"from the secretariat and the views of the largest producers in the group.",
			Body:        "<p>This body must never appear in a feed.</p>",
			Author:      "",
			Language:    "en",
			PublishedAt: base.Add(-10 * time.Hour),
			Sections:    []newsdesk.SectionRef{{ID: 5, Slug: "saudi-arabia", Name: "Saudi Arabia"}},
		},
		{
			ID: 44, Slug: "headline-only", Source: "Caspian Post", Licence: newsdesk.LicenceHeadline,
			URL:         "https://caspian.example/baku-port",
			Headline:    "Baku port expands container terminal",
			Lede:        "This lede must never appear in a feed.",
			Body:        "<p>Nor this body.</p>",
			Author:      "Elnur Mammadli",
			Language:    "en",
			PublishedAt: base.Add(-20 * time.Hour),
			Sections:    []newsdesk.SectionRef{{ID: 7, Slug: "azerbaijan", Name: "Azerbaijan"}},
		},
		{
			ID: 45, Slug: "تهران-آب", Source: "سرویس فارسی", Licence: "",
			URL:         "https://persian.example/news/tehran-water",
			Headline:    "کاهش ذخایر آب سدهای تهران به کمترین سطح در ده سال اخیر",
			Lede:        "مدیران شرکت آب منطقه‌ای تهران روز سه‌شنبه اعلام کردند ذخایر سدهای پنج‌گانه پایتخت به کمترین سطح ده سال گذشته رسیده است.",
			Body:        `<p dir="rtl">مدیران شرکت آب منطقه‌ای تهران روز سه‌شنبه اعلام کردند ذخایر سدهای پنج‌گانه پایتخت کاهش یافته است.</p>`,
			Author:      "مریم احمدی",
			Language:    "fa",
			PublishedAt: base.Add(-30 * time.Hour),
			Sections:    []newsdesk.SectionRef{{ID: 3, Slug: "iran", Name: "ایران"}},
		},
		{
			ID: 46, Slug: "old-report", Source: "Levant Report", Licence: newsdesk.LicenceFull,
			URL:         "https://levant.example/old",
			Headline:    "An older report from Damascus",
			Lede:        "Too old for the news sitemap.",
			Body:        "<p>Too old for the news sitemap.</p>",
			Author:      "Karim Nassar",
			Language:    "en",
			PublishedAt: base.Add(-72 * time.Hour),
			Sections:    []newsdesk.SectionRef{{ID: 9, Slug: "syria", Name: "Syria"}},
		},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}

func TestGolden(t *testing.T) {
	t.Parallel()
	arts := fixtures()
	urls := []URL{
		{Loc: "https://news.example/", LastMod: base},
		{Loc: "https://news.example/section/iraq"},
		{Loc: "https://news.example/article/42/camp-talks-resume?a=1&b=2", LastMod: base.Add(-time.Hour)},
		{Loc: "https://news.example/article/45/%D8%AA%D9%87%D8%B1%D8%A7%D9%86"},
	}
	tests := []struct {
		name  string
		build func() ([]byte, error)
	}{
		{"rss", func() ([]byte, error) { return RSS(channel, arts) }},
		{"atom", func() ([]byte, error) { return Atom(channel, arts) }},
		{"jsonfeed", func() ([]byte, error) { return JSONFeed(channel, arts) }},
		{"rss-empty", func() ([]byte, error) { return RSS(Channel{Title: "Empty", SiteURL: "https://news.example"}, nil) }},
		{"atom-empty", func() ([]byte, error) { return Atom(Channel{Title: "Empty", SiteURL: "https://news.example"}, nil) }},
		{"sitemap", func() ([]byte, error) { return Sitemap(urls) }},
		{"sitemapindex", func() ([]byte, error) {
			return SitemapIndex([]URL{{Loc: "https://news.example/sitemap-1.xml", LastMod: base}, {Loc: "https://news.example/sitemap-2.xml"}})
		}},
		{"newssitemap", func() ([]byte, error) {
			return NewsSitemap("News On Iran & Its Neighbours", "en", "https://news.example", base, arts)
		}},
		{"robots", func() ([]byte, error) { return Robots("https://news.example/"), nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.build()
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, got)
		})
	}
}

// wellFormed reports the first XML syntax error in doc.
func wellFormed(doc []byte) error {
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

const nsAtom = "http://www.w3.org/2005/Atom"

type parsedRSS struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	Channel struct {
		Title string `xml:"title"`
		// Links holds both <link> and <atom:link>: encoding/xml matches a
		// field without a namespace in any namespace.
		Links []struct {
			XMLName xml.Name
			Href    string `xml:"href,attr"`
			Rel     string `xml:"rel,attr"`
			Value   string `xml:",chardata"`
		} `xml:"link"`
		Items []struct {
			Title string `xml:"title"`
			Link  string `xml:"link"`
			GUID  struct {
				IsPermaLink string `xml:"isPermaLink,attr"`
				Value       string `xml:",chardata"`
			} `xml:"guid"`
			PubDate     string   `xml:"pubDate"`
			Creator     string   `xml:"http://purl.org/dc/elements/1.1/ creator"`
			Categories  []string `xml:"category"`
			Description *string  `xml:"description"`
			Content     *string  `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
		} `xml:"item"`
	} `xml:"channel"`
}

func TestRSSParsesBack(t *testing.T) {
	t.Parallel()
	arts := fixtures()
	doc, err := RSS(channel, arts)
	if err != nil {
		t.Fatal(err)
	}
	var f parsedRSS
	if err := xml.Unmarshal(doc, &f); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	var link, self string
	for _, l := range f.Channel.Links {
		switch l.XMLName.Space {
		case "":
			link = l.Value
		case nsAtom:
			if l.Rel == "self" {
				self = l.Href
			}
		}
	}
	if f.Version != "2.0" || f.Channel.Title != channel.Title || link != channel.Link || self != channel.FeedURL {
		t.Fatalf("channel: version %q title %q link %q self %q", f.Version, f.Channel.Title, link, self)
	}
	if len(f.Channel.Items) != len(arts) {
		t.Fatalf("%d items, want %d", len(f.Channel.Items), len(arts))
	}
	for i, it := range f.Channel.Items {
		a := arts[i]
		want := ArticleURL(channel.SiteURL, a)
		if it.Title != a.Headline || it.Link != want || it.GUID.Value != want || it.GUID.IsPermaLink != "true" {
			t.Errorf("item %d: title %q link %q guid %+v", i, it.Title, it.Link, it.GUID)
		}
		if _, err := time.Parse(time.RFC1123Z, it.PubDate); err != nil {
			t.Errorf("item %d pubDate: %v", i, err)
		}
		if len(it.Categories) != len(a.Sections) || it.Categories[0] != a.Sections[0].Name {
			t.Errorf("item %d categories %q", i, it.Categories)
		}
		if it.Creator == "" {
			t.Errorf("item %d: no dc:creator", i)
		}
		switch licence(a) {
		case newsdesk.LicenceFull:
			if it.Content == nil || *it.Content != a.Body || it.Description == nil {
				t.Errorf("item %d (full): content %v description %v", i, it.Content, it.Description)
			}
		case newsdesk.LicenceExcerpt:
			if it.Content != nil || it.Description == nil || !strings.HasSuffix(*it.Description, "…") {
				t.Errorf("item %d (excerpt): content %v description %v", i, it.Content, it.Description)
			}
		case newsdesk.LicenceHeadline:
			if it.Content != nil || it.Description != nil {
				t.Errorf("item %d (headline): text leaked", i)
			}
		}
	}
	if strings.Contains(string(doc), "must never appear") {
		t.Error("licensed-out text in RSS")
	}
}

type parsedAtom struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Links   []struct {
		Href string `xml:"href,attr"`
		Rel  string `xml:"rel,attr"`
	} `xml:"link"`
	Entries []struct {
		Lang      string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
		ID        string `xml:"id"`
		Title     string `xml:"title"`
		Updated   string `xml:"updated"`
		Published string `xml:"published"`
		Author    struct {
			Name string `xml:"name"`
		} `xml:"author"`
		Links []struct {
			Href string `xml:"href,attr"`
			Rel  string `xml:"rel,attr"`
		} `xml:"link"`
		Summary *struct {
			Type  string `xml:"type,attr"`
			Value string `xml:",chardata"`
		} `xml:"summary"`
		Content *struct {
			Type  string `xml:"type,attr"`
			Value string `xml:",chardata"`
		} `xml:"content"`
	} `xml:"entry"`
}

func TestAtomParsesBack(t *testing.T) {
	t.Parallel()
	arts := fixtures()
	doc, err := Atom(channel, arts)
	if err != nil {
		t.Fatal(err)
	}
	var f parsedAtom
	if err := xml.Unmarshal(doc, &f); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	if f.ID != channel.FeedURL || f.Title != channel.Title {
		t.Fatalf("feed id %q title %q", f.ID, f.Title)
	}
	if _, err := time.Parse(time.RFC3339, f.Updated); err != nil || f.Updated != "2025-03-14T11:00:00Z" {
		t.Fatalf("feed updated %q (%v), want the newest article's", f.Updated, err)
	}
	if len(f.Entries) != len(arts) {
		t.Fatalf("%d entries, want %d", len(f.Entries), len(arts))
	}
	ids := map[string]bool{}
	for i, e := range f.Entries {
		a := arts[i]
		if ids[e.ID] || !strings.HasPrefix(e.ID, "https://news.example/article/") {
			t.Errorf("entry %d id %q", i, e.ID)
		}
		ids[e.ID] = true
		if e.Title != a.Headline || e.Author.Name == "" || e.Lang != a.Language {
			t.Errorf("entry %d: title %q author %q lang %q", i, e.Title, e.Author.Name, e.Lang)
		}
		rels := map[string]string{}
		for _, l := range e.Links {
			rels[l.Rel] = l.Href
		}
		if rels["alternate"] != ArticleURL(channel.SiteURL, a) || rels["related"] != a.URL {
			t.Errorf("entry %d links %v", i, rels)
		}
		switch licence(a) {
		case newsdesk.LicenceFull:
			if e.Content == nil || e.Content.Type != "html" || e.Content.Value != a.Body || e.Summary == nil {
				t.Errorf("entry %d (full): content %+v", i, e.Content)
			}
		case newsdesk.LicenceExcerpt:
			if e.Content != nil || e.Summary == nil {
				t.Errorf("entry %d (excerpt): content %+v summary %+v", i, e.Content, e.Summary)
			}
		case newsdesk.LicenceHeadline:
			if e.Content != nil || e.Summary != nil {
				t.Errorf("entry %d (headline): text leaked", i)
			}
		}
	}
}

func TestJSONFeedParsesBack(t *testing.T) {
	t.Parallel()
	arts := fixtures()
	doc, err := JSONFeed(channel, arts)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Version     string `json:"version"`
		Title       string `json:"title"`
		HomePageURL string `json:"home_page_url"`
		FeedURL     string `json:"feed_url"`
		Items       []struct {
			ID            string              `json:"id"`
			URL           string              `json:"url"`
			ExternalURL   string              `json:"external_url"`
			Title         string              `json:"title"`
			ContentHTML   *string             `json:"content_html"`
			ContentText   *string             `json:"content_text"`
			Summary       *string             `json:"summary"`
			DatePublished string              `json:"date_published"`
			DateModified  string              `json:"date_modified"`
			Authors       []map[string]string `json:"authors"`
			Language      string              `json:"language"`
			Tags          []string            `json:"tags"`
		} `json:"items"`
	}
	if err := json.Unmarshal(doc, &f); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	if f.Version != JSONFeedVersion || f.Title != channel.Title || f.HomePageURL != channel.Link || f.FeedURL != channel.FeedURL {
		t.Fatalf("feed = %+v", f)
	}
	if len(f.Items) != len(arts) {
		t.Fatalf("%d items", len(f.Items))
	}
	for i, it := range f.Items {
		a := arts[i]
		if it.URL != ArticleURL(channel.SiteURL, a) || it.ExternalURL != a.URL || it.Title != a.Headline || it.ID == "" {
			t.Errorf("item %d: %+v", i, it)
		}
		if it.Language != a.Language || len(it.Authors) != 1 || len(it.Tags) != len(a.Sections) {
			t.Errorf("item %d: language %q authors %v tags %v", i, it.Language, it.Authors, it.Tags)
		}
		if _, err := time.Parse(time.RFC3339, it.DatePublished); err != nil {
			t.Errorf("item %d date_published: %v", i, err)
		}
		if it.ContentHTML == nil && it.ContentText == nil {
			t.Errorf("item %d has neither content_html nor content_text", i)
		}
		switch licence(a) {
		case newsdesk.LicenceFull:
			if it.ContentHTML == nil || *it.ContentHTML != a.Body {
				t.Errorf("item %d (full): no body", i)
			}
		case newsdesk.LicenceExcerpt:
			if it.ContentHTML != nil || it.Summary == nil {
				t.Errorf("item %d (excerpt): %+v", i, it)
			}
		case newsdesk.LicenceHeadline:
			if it.ContentHTML != nil || it.Summary != nil || !strings.Contains(*it.ContentText, a.URL) {
				t.Errorf("item %d (headline): %+v", i, it)
			}
		}
	}
	if strings.Contains(string(doc), "must never appear") {
		t.Error("licensed-out text in JSON Feed")
	}
}

func TestNewsSitemapWindow(t *testing.T) {
	t.Parallel()
	arts := fixtures()
	unpublished := *arts[0]
	unpublished.ID, unpublished.Status = 99, newsdesk.StatusUnpublished
	arts = append(arts, &unpublished)
	tests := []struct {
		name string
		now  time.Time
		want []int64
	}{
		{"injected now", base, []int64{42, 43, 44, 45}},
		{"zero now uses newest", time.Time{}, []int64{42, 43, 44, 45}},
		{"a day later", base.Add(24 * time.Hour), []int64{42, 43, 44}},
		{"long after", base.Add(30 * 24 * time.Hour), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := NewsSitemap("Desk", "en", "https://news.example", tt.now, arts)
			if err != nil {
				t.Fatal(err)
			}
			var set struct {
				URLs []struct {
					Loc  string `xml:"loc"`
					Lang string `xml:"news>publication>language"`
				} `xml:"url"`
			}
			if err := xml.Unmarshal(doc, &set); err != nil {
				t.Fatal(err)
			}
			if len(set.URLs) != len(tt.want) {
				t.Fatalf("%d urls, want %d:\n%s", len(set.URLs), len(tt.want), doc)
			}
			for i, id := range tt.want {
				var a *newsdesk.Article
				for _, x := range arts {
					if x.ID == id {
						a = x
					}
				}
				if set.URLs[i].Loc != ArticleURL("https://news.example", a) || set.URLs[i].Lang != a.Language {
					t.Errorf("url %d = %+v", i, set.URLs[i])
				}
			}
		})
	}
}

func TestSitemapLimit(t *testing.T) {
	t.Parallel()
	urls := make([]URL, MaxSitemapURLs+1)
	for i := range urls {
		urls[i] = URL{Loc: "https://news.example/p"}
	}
	if _, err := Sitemap(urls); newsdesk.ErrorCode(err) != newsdesk.EINVALID {
		t.Fatalf("Sitemap(%d) error = %v, want EINVALID", len(urls), err)
	}
	parts := SplitURLs(urls)
	if len(parts) != 2 || len(parts[0]) != MaxSitemapURLs || len(parts[1]) != 1 {
		t.Fatalf("SplitURLs: %d parts", len(parts))
	}
	for _, p := range parts {
		if _, err := Sitemap(p); err != nil {
			t.Fatal(err)
		}
	}
	if got := SplitURLs(nil); len(got) != 1 || len(got[0]) != 0 {
		t.Fatalf("SplitURLs(nil) = %v", got)
	}
}

func TestExcerpt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short text", 20, "short text"},
		{"  spaced \n text  ", 20, "spaced text"},
		{"one two three four", 10, "one two…"},
		{"one two, three", 9, "one two…"},
		{"verylongwordwithoutspaces", 5, "veryl…"},
		{"سلام بر همه دوستان عزیز", 12, "سلام بر همه…"},
		{"", 5, ""},
	}
	for _, tt := range tests {
		got := Excerpt(tt.in, tt.max)
		if got != tt.want {
			t.Errorf("Excerpt(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
		if n := utf8.RuneCountInString(strings.TrimSuffix(got, "…")); n > tt.max {
			t.Errorf("Excerpt(%q, %d) has %d runes", tt.in, tt.max, n)
		}
	}
}

func TestRobots(t *testing.T) {
	t.Parallel()
	got := string(Robots("https://news.example"))
	for _, want := range []string{"User-agent: *\n", "Disallow: /admin\n", "Disallow: /search?\n",
		"Sitemap: https://news.example/sitemap.xml\n", "Sitemap: https://news.example/sitemap-news.xml\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("robots.txt lacks %q:\n%s", want, got)
		}
	}
}

// xmlChar reports whether r may appear in an XML 1.0 document.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

func FuzzFeeds(f *testing.F) {
	f.Add("Talks & <more> talks", "<p>Body & co</p>", "Lede ]]> here", "Layla")
	f.Add("کاهش ذخایر آب", "<p dir=\"rtl\">متن</p>", "مدیران شرکت آب", "مریم")
	f.Add("\x00\x01 bad\xff", "\ufffe\uffff", "\r\n\t", "")
	f.Fuzz(func(t *testing.T, title, body, lede, author string) {
		arts := []*newsdesk.Article{
			{ID: 1, Slug: "a", Headline: title, Lede: lede, Body: body, Author: author, Source: author,
				URL: "https://x.example/?q=" + title, PublishedAt: base, Language: "fa",
				Sections: []newsdesk.SectionRef{{Slug: title, Name: title}}},
			{ID: 2, Headline: title, Lede: lede, Body: body, Licence: newsdesk.LicenceExcerpt, PublishedAt: base},
		}
		ch := Channel{Title: title, Description: lede, SiteURL: "https://news.example", FeedURL: "https://news.example/f?x=" + title}
		builders := map[string]func() ([]byte, error){
			"rss":  func() ([]byte, error) { return RSS(ch, arts) },
			"atom": func() ([]byte, error) { return Atom(ch, arts) },
			"news": func() ([]byte, error) { return NewsSitemap(title, "en", "https://news.example", base, arts) },
			"sitemap": func() ([]byte, error) {
				return Sitemap([]URL{{Loc: "https://news.example/" + title, LastMod: base}})
			},
		}
		for name, build := range builders {
			doc, err := build()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if err := wellFormed(doc); err != nil {
				t.Fatalf("%s not well-formed: %v\n%s", name, err, doc)
			}
		}
		doc, err := RSS(ch, arts)
		if err != nil {
			t.Fatal(err)
		}
		var p parsedRSS
		if err := xml.Unmarshal(doc, &p); err != nil {
			t.Fatal(err)
		}
		if utf8.ValidString(title) && strings.IndexFunc(title, func(r rune) bool { return !xmlChar(r) }) < 0 {
			if got := p.Channel.Items[0].Title; got != title {
				t.Fatalf("title %q came back as %q", title, got)
			}
		}
		js, err := JSONFeed(ch, arts)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(js) {
			t.Fatalf("invalid JSON Feed:\n%s", js)
		}
	})
}

func BenchmarkRSS(b *testing.B) {
	arts := make([]*newsdesk.Article, 0, 50)
	for range 10 {
		arts = append(arts, fixtures()...)
	}
	for b.Loop() {
		if _, err := RSS(channel, arts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONFeed(b *testing.B) {
	arts := make([]*newsdesk.Article, 0, 50)
	for range 10 {
		arts = append(arts, fixtures()...)
	}
	for b.Loop() {
		if _, err := JSONFeed(channel, arts); err != nil {
			b.Fatal(err)
		}
	}
}
