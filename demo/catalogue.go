package demo

import (
	"bufio"
	"embed"
	"fmt"
	"html"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"newsdesk"
)

// content holds the demo sources (feed templates, page templates and the
// articles they are rendered from) and the lead images.
//
//go:embed sources images
var content embed.FS

// Feed formats of the demo sources.
const (
	formatRSS  = "rss"  // RSS 2.0
	formatAtom = "atom" // Atom 1.0
	formatJSON = "json" // JSON Feed 1.1
)

// sourceDef is one demo source: how it publishes and where.
type sourceDef struct {
	Dir      string // folder under sources/, also the host's first label
	Name     string
	Tagline  string
	Format   string
	FeedPath string
	// ArticlePrefix and ArticleSuffix frame an article's slug in its URL.
	ArticlePrefix string
	ArticleSuffix string
	Language      string
	Licence       newsdesk.Licence
	// Extract: the feed carries summaries only, so the pipeline must fetch
	// and extract each article page.
	Extract bool
	// FullText: the feed carries each article's full text.
	FullText bool
}

// catalogue lists the demo sources. Each is a fresh value.
func catalogue() []*sourceDef {
	return []*sourceDef{
		{Dir: "gulfwire", Name: "Gulf Wire", Tagline: "Wire reports from the Gulf and beyond",
			Format: formatRSS, FeedPath: "/feed.xml", ArticlePrefix: "/news/",
			Language: "en", Licence: newsdesk.LicenceFull, FullText: true},
		{Dir: "caspianpost", Name: "Caspian Post", Tagline: "The South Caucasus, Iran and the Caspian",
			Format: formatAtom, FeedPath: "/atom.xml", ArticlePrefix: "/stories/",
			Language: "en", Licence: newsdesk.LicenceExcerpt, Extract: true},
		{Dir: "tigrisdaily", Name: "Tigris Daily", Tagline: "Iraq's independent English daily",
			Format: formatRSS, FeedPath: "/rss", ArticlePrefix: "/article/", ArticleSuffix: ".html",
			Language: "en", Licence: newsdesk.LicenceFull, Extract: true},
		{Dir: "levantreport", Name: "Levant Report", Tagline: "Syria, Turkey and the Levant",
			Format: formatJSON, FeedPath: "/feed.json", ArticlePrefix: "/reports/",
			Language: "en", Licence: newsdesk.LicenceFull, FullText: true},
		{Dir: "kabuldispatch", Name: "Kabul Dispatch", Tagline: "Afghanistan and Pakistan, from the ground",
			Format: formatAtom, FeedPath: "/feeds/all.atom", ArticlePrefix: "/dispatch/",
			Language: "en", Licence: newsdesk.LicenceFull, FullText: true},
		{Dir: "persianservice", Name: "Persian Service (فارسی)", Tagline: "گزارش‌های خبری به زبان فارسی",
			Format: formatRSS, FeedPath: "/fa/rss.xml", ArticlePrefix: "/fa/news/",
			Language: "fa", Licence: newsdesk.LicenceFull, FullText: true},
		{Dir: "arabdesk", Name: "Arab Desk (عربي)", Tagline: "أخبار المنطقة بالعربية",
			Format: formatRSS, FeedPath: "/ar/feed", ArticlePrefix: "/ar/", ArticleSuffix: ".html",
			Language: "ar", Licence: newsdesk.LicenceFull, Extract: true},
	}
}

// Host is the source's host name.
func (d *sourceDef) Host() string { return d.Dir + DomainSuffix }

// SiteURL is the source's home page.
func (d *sourceDef) SiteURL() string { return "https://" + d.Host() + "/" }

// FeedURL is the source's feed.
func (d *sourceDef) FeedURL() string { return "https://" + d.Host() + d.FeedPath }

// ArticlePath is the path of an article's page.
func (d *sourceDef) ArticlePath(slug string) string { return d.ArticlePrefix + slug + d.ArticleSuffix }

// ArticleURL is the canonical URL of an article's page.
func (d *sourceDef) ArticleURL(slug string) string {
	return "https://" + d.Host() + d.ArticlePath(slug)
}

func (d *sourceDef) source() *newsdesk.Source {
	return &newsdesk.Source{
		Name:     d.Name,
		Kind:     newsdesk.SourceFeed,
		URL:      d.FeedURL(),
		SiteURL:  d.SiteURL(),
		Language: d.Language,
		Licence:  d.Licence,
		Extract:  d.Extract,
		Interval: 30 * time.Minute,
	}
}

// article is one demo report as written in sources/<dir>/articles/*.txt:
// header lines "key: value", a line "---", then paragraphs separated by
// blank lines ("## " starts a subheading).
type article struct {
	Slug     string
	Title    string
	Author   string
	Section  string // section slug
	Summary  string // plain text; the first paragraph when not given
	Image    string // file under images/, or ""
	ImageAlt string
	Language string
	// Age and Edited are how long before the demo's start the report was
	// published and last updated (zero: never).
	Age    time.Duration
	Edited time.Duration
	Paras  []para
}

type para struct {
	Heading bool
	Text    string
}

// BodyHTML is the article's body as HTML.
func (a *article) BodyHTML() string {
	var b strings.Builder
	for _, p := range a.Paras {
		if p.Heading {
			b.WriteString("<h2>" + html.EscapeString(p.Text) + "</h2>\n")
		} else {
			b.WriteString("<p>" + html.EscapeString(p.Text) + "</p>\n")
		}
	}
	return b.String()
}

// Words counts the words of the body.
func (a *article) Words() int {
	n := 0
	for _, p := range a.Paras {
		n += len(strings.Fields(p.Text))
	}
	return n
}

// parseArticle reads one article file.
func parseArticle(name string, data []byte) (*article, error) {
	a := &article{Slug: strings.TrimSuffix(path.Base(name), ".txt")}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	header := true
	var cur []string
	flush := func() {
		if len(cur) == 0 {
			return
		}
		text := strings.Join(cur, " ")
		cur = nil
		if h, ok := strings.CutPrefix(text, "## "); ok {
			a.Paras = append(a.Paras, para{Heading: true, Text: h})
			return
		}
		a.Paras = append(a.Paras, para{Text: text})
	}
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if header {
			if line == "---" {
				header = false
				continue
			}
			if line == "" {
				continue
			}
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				return nil, fmt.Errorf("demo article %s: header line %q", name, line)
			}
			v = strings.TrimSpace(v)
			switch strings.TrimSpace(k) {
			case "title":
				a.Title = v
			case "author":
				a.Author = v
			case "section":
				a.Section = v
			case "summary":
				a.Summary = v
			case "image":
				a.Image = v
			case "alt":
				a.ImageAlt = v
			case "lang":
				a.Language = v
			case "age", "edited":
				h, err := strconv.ParseFloat(v, 64)
				if err != nil {
					return nil, fmt.Errorf("demo article %s: %s: %w", name, k, err)
				}
				d := time.Duration(h * float64(time.Hour))
				if k == "age" {
					a.Age = d
				} else {
					a.Edited = d
				}
			default:
				return nil, fmt.Errorf("demo article %s: unknown header %q", name, k)
			}
			continue
		}
		if line == "" {
			flush()
			continue
		}
		cur = append(cur, line)
	}
	flush()
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("demo article %s: %w", name, err)
	}
	if a.Title == "" || a.Section == "" || a.Age <= 0 || len(a.Paras) == 0 {
		return nil, fmt.Errorf("demo article %s: title, section, age and body required", name)
	}
	if a.Edited >= a.Age {
		return nil, fmt.Errorf("demo article %s: edited %v must be after publication %v", name, a.Edited, a.Age)
	}
	if a.Summary == "" {
		a.Summary = a.Paras[0].Text
	}
	return a, nil
}

// loadArticles reads the articles of a source, newest first.
func loadArticles(fsys fs.FS, d *sourceDef) ([]*article, error) {
	dir := path.Join("sources", d.Dir, "articles")
	names, err := fs.Glob(fsys, dir+"/*.txt")
	if err != nil {
		return nil, fmt.Errorf("demo articles %s: %w", d.Dir, err)
	}
	var out []*article
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("demo articles %s: %w", d.Dir, err)
		}
		a, err := parseArticle(n, data)
		if err != nil {
			return nil, err
		}
		if a.Language == "" {
			a.Language = d.Language
		}
		out = append(out, a)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Age < out[j].Age })
	return out, nil
}
