package demo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"text/template"
	"time"

	"newsdesk"
)

// Content types of the documents the demo sources serve.
const (
	typeRSS  = "application/rss+xml; charset=utf-8"
	typeAtom = "application/atom+xml; charset=utf-8"
	typeJSON = "application/feed+json; charset=utf-8"
	typeHTML = "text/html; charset=utf-8"
	typeText = "text/plain; charset=utf-8"
)

// Site is the demo sources' web: every feed, article page and image,
// rendered once for a start time and served from memory. It is an
// http.Handler that routes on the request's host.
type Site struct {
	now   time.Time
	hosts map[string]map[string]*file // host → path → file
}

// file is one document served by a demo host.
type file struct {
	body        []byte
	contentType string
	modTime     time.Time
	etag        string
}

func newFile(body []byte, contentType string, mod time.Time) *file {
	sum := sha256.Sum256(body)
	return &file{body: body, contentType: contentType, modTime: mod.UTC().Truncate(time.Second),
		etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
}

// itemView is an article as the templates see it, with its times and URLs
// fixed for one start time.
type itemView struct {
	*article
	Source      *sourceDef
	URL         string
	SectionName string
	ImageURL    string
	Published   time.Time
	Updated     time.Time
	Body        string
	Related     []*itemView
}

// BodyHTML is the body for html/template.
func (v *itemView) BodyHTML() htmltemplate.HTML { return htmltemplate.HTML(v.Body) } //nolint:gosec // demo text written for the project, escaped by BodyHTML

// JSONLD is the page's schema.org NewsArticle metadata.
func (v *itemView) JSONLD() (htmltemplate.JS, error) {
	ld := map[string]any{
		"@context":         "https://schema.org",
		"@type":            "NewsArticle",
		"headline":         v.Title,
		"description":      v.Summary,
		"datePublished":    v.Published.Format(time.RFC3339),
		"dateModified":     v.Updated.Format(time.RFC3339),
		"inLanguage":       v.Language,
		"articleSection":   v.SectionName,
		"mainEntityOfPage": map[string]string{"@type": "WebPage", "@id": v.URL},
		"publisher": map[string]any{"@type": "NewsMediaOrganization", "name": v.Source.Name,
			"url": v.Source.SiteURL(), "logo": map[string]string{"@type": "ImageObject", "url": v.Source.SiteURL() + "img/logo.svg"}},
	}
	if v.Author != "" {
		ld["author"] = []map[string]string{{"@type": "Person", "name": v.Author}}
	}
	if v.ImageURL != "" {
		ld["image"] = []string{v.ImageURL}
	}
	b, err := json.Marshal(ld)
	if err != nil {
		return "", fmt.Errorf("json-ld %s: %w", v.Slug, err)
	}
	return htmltemplate.JS(b), nil //nolint:gosec // json.Marshal escapes <, > and &
}

// feedView is a feed as its template sees it.
type feedView struct {
	Source  *sourceDef
	Updated time.Time
	Items   []*itemView
}

func templateFuncs() map[string]any {
	return map[string]any{
		"rfc822":  func(t time.Time) string { return t.Format(time.RFC1123Z) },
		"rfc3339": func(t time.Time) string { return t.Format(time.RFC3339) },
		"day":     func(t time.Time) string { return t.Format("2 January 2006, 15:04 MST") },
		"xml": func(s string) (string, error) {
			var b strings.Builder
			if err := xml.EscapeText(&b, []byte(s)); err != nil {
				return "", err
			}
			return b.String(), nil
		},
		"dir":      newsdesk.LanguageDirection,
		"feedtype": feedType,
		"json": func(v any) (string, error) {
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(v); err != nil {
				return "", err
			}
			return strings.TrimSuffix(b.String(), "\n"), nil
		},
	}
}

// NewSite renders every demo source for a start time: articles are dated
// by their age before now.
func NewSite(now time.Time) (*Site, error) {
	now = now.UTC().Truncate(time.Minute)
	s := &Site{now: now, hosts: map[string]map[string]*file{}}
	sectionNames := map[string]string{}
	for _, sp := range Sections() {
		sectionNames[sp.Slug] = sp.Name
	}
	images, err := loadImages(content, now)
	if err != nil {
		return nil, err
	}
	for _, d := range catalogue() {
		files := map[string]*file{}
		for p, f := range images {
			files[p] = f
		}
		files["/robots.txt"] = newFile([]byte("User-agent: *\nAllow: /\n"), typeText, now)
		arts, err := loadArticles(content, d)
		if err != nil {
			return nil, err
		}
		views := make([]*itemView, 0, len(arts))
		for _, a := range arts {
			name, ok := sectionNames[a.Section]
			if !ok {
				return nil, fmt.Errorf("demo article %s/%s: unknown section %q", d.Dir, a.Slug, a.Section)
			}
			v := &itemView{article: a, Source: d, URL: d.ArticleURL(a.Slug), SectionName: name,
				Published: now.Add(-a.Age), Body: a.BodyHTML()}
			v.Updated = v.Published
			if a.Edited > 0 {
				v.Updated = now.Add(-a.Edited)
			}
			if a.Image != "" {
				if _, ok := images["/img/"+a.Image]; !ok {
					return nil, fmt.Errorf("demo article %s/%s: no image %q", d.Dir, a.Slug, a.Image)
				}
				v.ImageURL = "https://" + d.Host() + "/img/" + a.Image
			}
			views = append(views, v)
		}
		for i, v := range views {
			for j := 1; j <= 3 && j < len(views); j++ {
				v.Related = append(v.Related, views[(i+j)%len(views)])
			}
		}
		fv := &feedView{Source: d, Items: views}
		for _, v := range views {
			if v.Updated.After(fv.Updated) {
				fv.Updated = v.Updated
			}
		}
		feed, err := renderText(content, path.Join("sources", d.Dir, "feed.tmpl"), fv)
		if err != nil {
			return nil, err
		}
		files[d.FeedPath] = newFile(feed, feedType(d.Format), fv.Updated)
		page, err := pageTemplate(content, d)
		if err != nil {
			return nil, err
		}
		for _, v := range views {
			var b bytes.Buffer
			if err := page.ExecuteTemplate(&b, "page", v); err != nil {
				return nil, fmt.Errorf("demo page %s/%s: %w", d.Dir, v.Slug, err)
			}
			files[d.ArticlePath(v.Slug)] = newFile(b.Bytes(), typeHTML, v.Updated)
		}
		var b bytes.Buffer
		if err := page.ExecuteTemplate(&b, "home", fv); err != nil {
			return nil, fmt.Errorf("demo home %s: %w", d.Dir, err)
		}
		files["/"] = newFile(b.Bytes(), typeHTML, fv.Updated)
		s.hosts[d.Host()] = files
	}
	return s, nil
}

func feedType(format string) string {
	switch format {
	case formatAtom:
		return typeAtom
	case formatJSON:
		return typeJSON
	}
	return typeRSS
}

func renderText(fsys fs.FS, name string, data any) ([]byte, error) {
	src, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("demo template %s: %w", name, err)
	}
	t, err := template.New(path.Base(name)).Funcs(templateFuncs()).Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("demo template %s: %w", name, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("demo template %s: %w", name, err)
	}
	return b.Bytes(), nil
}

// pageTemplate is the source's own page layout, defining "page" and
// "home", or the shared one.
func pageTemplate(fsys fs.FS, d *sourceDef) (*htmltemplate.Template, error) {
	name := path.Join("sources", d.Dir, "page.html")
	if _, err := fs.Stat(fsys, name); err != nil {
		name = "sources/page.html"
	}
	src, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("demo template %s: %w", name, err)
	}
	t, err := htmltemplate.New(path.Base(name)).Funcs(templateFuncs()).Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("demo template %s: %w", name, err)
	}
	return t, nil
}

func loadImages(fsys fs.FS, now time.Time) (map[string]*file, error) {
	out := map[string]*file{}
	names, err := fs.Glob(fsys, "images/*")
	if err != nil {
		return nil, fmt.Errorf("demo images: %w", err)
	}
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("demo images: %w", err)
		}
		ct := mime.TypeByExtension(path.Ext(n))
		switch path.Ext(n) {
		case ".svg":
			ct = "image/svg+xml"
		case ".png":
			ct = "image/png"
		}
		out["/img/"+path.Base(n)] = newFile(data, ct, now)
	}
	return out, nil
}

// Now is the start time the site was rendered for.
func (s *Site) Now() time.Time { return s.now }

// Hosts lists the demo hosts.
func (s *Site) Hosts() []string {
	out := make([]string, 0, len(s.hosts))
	for h := range s.hosts {
		out = append(out, h)
	}
	return out
}

// Paths lists the documents a demo host serves.
func (s *Site) Paths(host string) []string {
	out := make([]string, 0, len(s.hosts[host]))
	for p := range s.hosts[host] {
		out = append(out, p)
	}
	return out
}

// ServeHTTP answers GET and HEAD for the demo documents, with ETag and
// Last-Modified validators and conditional requests (304), and 404 for
// anything else.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host := strings.ToLower(r.Host)
	if host == "" {
		host = strings.ToLower(r.URL.Host)
	}
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	files, ok := s.hosts[host]
	if !ok {
		http.Error(w, "unknown demo host", http.StatusNotFound)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	f, ok := files[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.contentType)
	w.Header().Set("ETag", f.etag)
	w.Header().Set("Cache-Control", "max-age=300")
	http.ServeContent(w, r, r.URL.Path, f.modTime, bytes.NewReader(f.body))
}
