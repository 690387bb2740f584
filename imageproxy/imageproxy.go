// Package imageproxy serves the images of ingested articles from the site
// itself, so that readers' browsers never contact a third party: lead and
// inline images are fetched once through newsdesk's guarded fetcher,
// checked, resized to a few responsive widths and cached.
//
// Proxy URLs are signed with a site secret, so the proxy cannot be used as
// an open proxy: only URLs the site itself wrote can be fetched.
package imageproxy

import (
	"bytes"
	"container/list"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // registers the GIF decoder
	"image/jpeg"
	"image/png"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// Widths are the sizes images are resized to; 0 means the original size.
var Widths = []int{0, 320, 640, 960, 1280}

// Fetcher gets an image's bytes and content type.
type Fetcher func(ctx context.Context, rawURL string) (body []byte, contentType string, err error)

// Proxy is an http.Handler for GET /img/{sig}/{width}/{src}.
type Proxy struct {
	key        []byte
	fetch      Fetcher
	maxBytes   int
	maxPixels  int
	log        *slog.Logger
	cacheBytes int

	mu    sync.Mutex
	lru   *list.List // of *entry, most recent first
	byKey map[string]*list.Element
	used  int
	// inflight deduplicates concurrent fetches of one image.
	inflight map[string]*call
}

type entry struct {
	key         string
	body        []byte
	contentType string
	etag        string
}

type call struct {
	done chan struct{}
	e    *entry
	err  error
}

// Options configures a Proxy.
type Options struct {
	Key        []byte // secret for signing URLs; at least 16 bytes
	Fetch      Fetcher
	MaxBytes   int // largest source image accepted (default 8 MiB)
	MaxPixels  int // largest decoded image (default 40 megapixels)
	CacheBytes int // memory for resized images (default 64 MiB)
	Logger     *slog.Logger
}

// New returns a proxy.
func New(o Options) (*Proxy, error) {
	if len(o.Key) < 16 {
		return nil, errors.New("imageproxy: signing key must have at least 16 bytes")
	}
	if o.Fetch == nil {
		return nil, errors.New("imageproxy: no fetcher")
	}
	p := &Proxy{key: o.Key, fetch: o.Fetch, maxBytes: o.MaxBytes, maxPixels: o.MaxPixels, log: o.Logger,
		cacheBytes: o.CacheBytes, lru: list.New(), byKey: map[string]*list.Element{}, inflight: map[string]*call{}}
	if p.maxBytes <= 0 {
		p.maxBytes = 8 << 20
	}
	if p.maxPixels <= 0 {
		p.maxPixels = 40_000_000
	}
	if p.cacheBytes <= 0 {
		p.cacheBytes = 64 << 20
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	return p, nil
}

func (p *Proxy) sign(width int, enc string) string {
	m := hmac.New(sha256.New, p.key)
	fmt.Fprintf(m, "%d/%s", width, enc)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// URL returns the proxied URL of src at width (0: original size), or "" if
// src is not an absolute http(s) URL.
func (p *Proxy) URL(src string, width int) string {
	u, err := url.Parse(src)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	if !slices.Contains(Widths, width) {
		width = 0
	}
	enc := base64.RawURLEncoding.EncodeToString([]byte(src))
	return "/img/" + p.sign(width, enc) + "/" + strconv.Itoa(width) + "/" + enc
}

// SrcSet returns a srcset attribute value for src over the resized widths.
func (p *Proxy) SrcSet(src string) string {
	var parts []string
	for _, w := range Widths[1:] {
		if u := p.URL(src, w); u != "" {
			parts = append(parts, u+" "+strconv.Itoa(w)+"w")
		}
	}
	return strings.Join(parts, ", ")
}

// Register adds the proxy's route to mux.
func (p *Proxy) Register(mux *http.ServeMux) {
	mux.Handle("GET /img/{sig}/{width}/{src}", p)
}

// ServeHTTP implements http.Handler.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sig, ws, enc := r.PathValue("sig"), r.PathValue("width"), r.PathValue("src")
	width, err := strconv.Atoi(ws)
	if err != nil || !slices.Contains(Widths, width) {
		http.Error(w, "unknown image width", http.StatusNotFound)
		return
	}
	if !hmac.Equal([]byte(sig), []byte(p.sign(width, enc))) {
		http.Error(w, "invalid image signature", http.StatusForbidden)
		return
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		http.Error(w, "invalid image address", http.StatusBadRequest)
		return
	}
	e, err := p.get(r.Context(), string(raw), width)
	if err != nil {
		p.log.WarnContext(r.Context(), "image proxy", slog.String("src", string(raw)), slog.Any("error", err))
		http.Error(w, "image unavailable", http.StatusBadGateway)
		return
	}
	h := w.Header()
	h.Set("Content-Type", e.contentType)
	h.Set("Cache-Control", "public, max-age=604800, immutable")
	h.Set("ETag", e.etag)
	// An image is never a document: no script, even for SVG opened directly.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	h.Set("X-Content-Type-Options", "nosniff")
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, e.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(e.body)))
	_, _ = w.Write(e.body)
}

func (p *Proxy) get(ctx context.Context, src string, width int) (*entry, error) {
	key := strconv.Itoa(width) + " " + src
	p.mu.Lock()
	if el, ok := p.byKey[key]; ok {
		p.lru.MoveToFront(el)
		p.mu.Unlock()
		return el.Value.(*entry), nil
	}
	if c, ok := p.inflight[key]; ok {
		p.mu.Unlock()
		select {
		case <-c.done:
			return c.e, c.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	c := &call{done: make(chan struct{})}
	p.inflight[key] = c
	p.mu.Unlock()

	// The fetch outlives one impatient reader: others may be waiting on it.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	c.e, c.err = p.load(fctx, src, width)
	cancel()
	if c.e != nil {
		c.e.key = key
	}
	p.mu.Lock()
	delete(p.inflight, key)
	if c.err == nil {
		p.add(c.e)
	}
	p.mu.Unlock()
	close(c.done)
	return c.e, c.err
}

func (p *Proxy) add(e *entry) {
	if len(e.body) > p.cacheBytes/4 {
		return
	}
	p.byKey[e.key] = p.lru.PushFront(e)
	p.used += len(e.body)
	for p.used > p.cacheBytes {
		last := p.lru.Back()
		old := last.Value.(*entry)
		p.lru.Remove(last)
		delete(p.byKey, old.key)
		p.used -= len(old.body)
	}
}

// allowedTypes are the image types served; anything else is refused.
var allowedTypes = map[string]bool{
	"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true, "image/svg+xml": true, "image/avif": true,
}

func (p *Proxy) load(ctx context.Context, src string, width int) (*entry, error) {
	body, ct, err := p.fetch(ctx, src)
	if err != nil {
		return nil, err
	}
	if len(body) > p.maxBytes {
		return nil, fmt.Errorf("image of %d bytes exceeds %d", len(body), p.maxBytes)
	}
	ct = strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
	sniffed := http.DetectContentType(body)
	switch {
	case sniffed == "image/svg+xml" || (ct == "image/svg+xml" && looksLikeSVG(body)):
		ct = "image/svg+xml"
	case strings.HasPrefix(sniffed, "image/"):
		ct = sniffed
	}
	if !allowedTypes[ct] {
		return nil, fmt.Errorf("content type %q (sniffed %q) is not an image", ct, sniffed)
	}
	e := &entry{body: body, contentType: ct}
	if width > 0 && ct != "image/svg+xml" && ct != "image/avif" {
		if resized, rct, err := p.resize(body, ct, width); err == nil && resized != nil {
			e.body, e.contentType = resized, rct
		} else if err != nil {
			return nil, err
		}
	}
	sum := sha256.Sum256(e.body)
	e.etag = `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
	return e, nil
}

func looksLikeSVG(b []byte) bool {
	head := bytes.ToLower(b[:min(len(b), 512)])
	return bytes.Contains(head, []byte("<svg"))
}

// resize scales the image down to width (never up). It returns nil when the
// original is already small enough.
func (p *Proxy) resize(body []byte, ct string, width int) ([]byte, string, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(body))
	if err != nil && ct == "image/webp" {
		cfg, err = webp.DecodeConfig(bytes.NewReader(body))
		format = "webp"
	}
	if err != nil {
		return nil, "", fmt.Errorf("decode image header: %w", err)
	}
	if cfg.Width*cfg.Height > p.maxPixels {
		return nil, "", fmt.Errorf("image of %dx%d pixels is too large", cfg.Width, cfg.Height)
	}
	if cfg.Width <= width {
		return nil, "", nil
	}
	var src image.Image
	if format == "webp" {
		src, err = webp.Decode(bytes.NewReader(body))
	} else {
		src, _, err = image.Decode(bytes.NewReader(body))
	}
	if err != nil {
		return nil, "", fmt.Errorf("decode image: %w", err)
	}
	h := max(1, cfg.Height*width/cfg.Width)
	dst := image.NewRGBA(image.Rect(0, 0, width, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Over, nil)
	var buf bytes.Buffer
	if format == "png" || format == "gif" {
		if err := png.Encode(&buf, dst); err != nil {
			return nil, "", err
		}
		return buf.Bytes(), "image/png", nil
	}
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 82}); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), "image/jpeg", nil
}
