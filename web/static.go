package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
)

//go:embed static
var staticFS embed.FS

// StaticPrefix is where assets are served: /static/<hash>/<name>.
const StaticPrefix = "/static/"

type asset struct {
	name        string // "css/site.css"
	hash        string // first 12 hex digits of the SHA-256 of the content
	contentType string
	body        []byte
	gz          []byte // nil when compression does not pay
	url         string
}

type assets struct {
	byName map[string]*asset
}

func loadAssets() (*assets, error) {
	a := &assets{byName: make(map[string]*asset)}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return fmt.Errorf("read asset %s: %w", p, err)
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(body)
		as := &asset{
			name:        name,
			hash:        hex.EncodeToString(sum[:])[:12],
			contentType: mime.TypeByExtension(path.Ext(name)),
			body:        body,
		}
		if as.contentType == "" {
			as.contentType = http.DetectContentType(body)
		}
		if strings.HasSuffix(name, ".svg") {
			as.contentType = "image/svg+xml"
		}
		as.url = StaticPrefix + as.hash + "/" + name
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(body)
		if err := zw.Close(); err != nil {
			return fmt.Errorf("compress asset %s: %w", name, err)
		}
		if buf.Len() < len(body) {
			as.gz = buf.Bytes()
		}
		a.byName[name] = as
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// AssetURL is the content-hashed URL of an asset ("css/site.css" →
// "/static/3f2a…/css/site.css"); an unknown name is an error, so that a
// template naming a missing asset fails to render.
func (e *Engine) AssetURL(name string) (string, error) {
	as, ok := e.assets.byName[name]
	if !ok {
		return "", fmt.Errorf("asset %s missing", name)
	}
	return as.url, nil
}

// ServeStatic serves GET /static/{hash}/{name...}. An asset whose hash
// matches is cached for a year as immutable; a stale hash (a page rendered
// by an older version of the site) still gets the current content, but
// revalidated, so that a rolling upgrade never leaves a page unstyled.
func (e *Engine) ServeStatic(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, StaticPrefix)
	hash, name, ok := strings.Cut(rest, "/")
	as, found := e.assets.byName[name]
	if !ok || !found {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", as.contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	etag := `"` + as.hash + `"`
	h.Set("ETag", etag)
	if hash == as.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if as.gz != nil {
		h.Set("Vary", "Accept-Encoding")
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && ETagMatch(inm, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := as.body
	if as.gz != nil && AcceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = as.gz
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// AcceptsGzip reports whether the request's Accept-Encoding allows gzip
// (and does not refuse it with q=0).
func AcceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			coding = strings.TrimSpace(coding)
			if !strings.EqualFold(coding, "gzip") && coding != "*" {
				continue
			}
			params = strings.ReplaceAll(params, " ", "")
			if q, ok := strings.CutPrefix(params, "q="); ok {
				if f, err := strconv.ParseFloat(q, 64); err == nil && f == 0 {
					return false
				}
			}
			return true
		}
	}
	return false
}

// ETagMatch reports whether an If-None-Match header value names etag
// (weak comparison, as RFC 9110 asks for If-None-Match).
func ETagMatch(header, etag string) bool {
	etag = strings.TrimPrefix(etag, "W/")
	for part := range strings.SplitSeq(header, ",") {
		part = strings.TrimSpace(part)
		if part == "*" || strings.TrimPrefix(part, "W/") == etag {
			return true
		}
	}
	return false
}
