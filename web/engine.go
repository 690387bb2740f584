// Package web renders newsdesk's pages: an html/template engine over
// templates embedded in the binary, the template functions the pages share,
// and the static assets (CSS, JavaScript, images) served under
// content-hashed URLs that browsers may cache forever.
package web

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"
)

//go:embed templates
var templateFS embed.FS

// Option configures an Engine.
type Option func(*options)

type options struct {
	now     func() time.Time
	require []string
	images  Images
}

// Images points article images at the site's own image proxy, so that a
// reader's browser never contacts a source's host. *imageproxy.Proxy is one.
type Images interface {
	// URL is the proxied address of src resized to width (0: original).
	URL(src string, width int) string
	// SrcSet is a srcset attribute value over the proxied sizes of src.
	SrcSet(src string) string
	// RewriteHTML points every image of sanitized HTML at the proxy.
	RewriteHTML(html string) string
}

// WithImages serves article images through imgs (the "img" and "srcset"
// template functions and the images inside article bodies). Without it
// images keep their original addresses.
func WithImages(imgs Images) Option { return func(o *options) { o.images = imgs } }

// WithClock sets the clock relative times ("3 hours ago") are computed
// from; time.Now by default.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// Require names pages ("site/article") that handlers will render; New fails
// if one of them is missing. site.New checks its own pages again.
func Require(pages ...string) Option {
	return func(o *options) { o.require = append(o.require, pages...) }
}

// Engine renders pages. It is safe for concurrent use.
type Engine struct {
	now    func() time.Time
	images Images
	pages  map[string]*template.Template
	assets *assets
}

// New parses every template and hashes every asset. A page is a file under
// templates/<group>/ (other than layout/), named "<group>/<file>" without
// its extension; it is parsed together with templates/layout/*.html. It
// fails if a template does not parse or a required page is missing.
func New(opts ...Option) (*Engine, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	e := &Engine{now: o.now, images: o.images}
	if e.now == nil {
		e.now = time.Now
	}
	a, err := loadAssets()
	if err != nil {
		return nil, err
	}
	e.assets = a
	base, err := template.New("").Funcs(e.funcs()).ParseFS(templateFS, "templates/layout/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout templates: %w", err)
	}
	e.pages = make(map[string]*template.Template)
	err = fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".html") || strings.HasPrefix(p, "templates/layout/") {
			return nil
		}
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/"), ".html")
		t, err := base.Clone()
		if err != nil {
			return fmt.Errorf("clone layout for %s: %w", name, err)
		}
		if _, err := t.ParseFS(templateFS, p); err != nil {
			return fmt.Errorf("parse template %s: %w", name, err)
		}
		if t.Lookup("content") == nil {
			return fmt.Errorf("template %s defines no \"content\"", name)
		}
		e.pages[name] = t
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, name := range o.require {
		if err := e.Check(name); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// Check returns an error unless the page exists.
func (e *Engine) Check(page string) error {
	if _, ok := e.pages[page]; !ok {
		return fmt.Errorf("template %s missing (have %s)", page, strings.Join(e.Pages(), ", "))
	}
	return nil
}

// Pages lists the page names, sorted.
func (e *Engine) Pages() []string {
	names := make([]string, 0, len(e.pages))
	for n := range e.pages {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Render writes the page in the site layout ("base").
func (e *Engine) Render(w io.Writer, page string, data any) error {
	return e.RenderBlock(w, page, "base", data)
}

// RenderBlock writes one named template of a page's set, for parts of a
// page rendered on their own (a personal block, a fragment).
func (e *Engine) RenderBlock(w io.Writer, page, block string, data any) error {
	t, ok := e.pages[page]
	if !ok {
		return fmt.Errorf("render %s: template missing", page)
	}
	if err := t.ExecuteTemplate(w, block, data); err != nil {
		return fmt.Errorf("render %s/%s: %w", page, path.Base(block), err)
	}
	return nil
}
