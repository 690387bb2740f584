package imageproxy

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func pngBytes(t testing.TB, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, x%h, color.RGBA{200, 30, 30, 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func newTestProxy(t *testing.T, files map[string][]byte, fetches *atomic.Int32) (*Proxy, *http.ServeMux) {
	p, err := New(Options{Key: []byte("0123456789abcdef0123"), Fetch: func(ctx context.Context, u string) ([]byte, string, error) {
		fetches.Add(1)
		b, ok := files[u]
		if !ok {
			return nil, "", errors.New("not found")
		}
		ct := "image/png"
		if strings.HasSuffix(u, ".html") {
			ct = "text/html"
		} else if strings.HasSuffix(u, ".svg") {
			ct = "image/svg+xml"
		}
		return b, ct, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	p.Register(mux)
	return p, mux
}

func TestProxy(t *testing.T) {
	var fetches atomic.Int32
	files := map[string][]byte{
		"https://img.example/big.png":   pngBytes(t, 1600, 900),
		"https://img.example/page.html": []byte("<html><script>alert(1)</script></html>"),
		"https://img.example/logo.svg":  []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`),
	}
	p, mux := newTestProxy(t, files, &fetches)
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec
	}

	u := p.URL("https://img.example/big.png", 640)
	rec := get(u)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "image/png" {
		t.Fatalf("resized image: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	cfg, _, err := image.DecodeConfig(rec.Body)
	if err != nil || cfg.Width != 640 || cfg.Height != 360 {
		t.Errorf("resized to %dx%d (%v), want 640x360", cfg.Width, cfg.Height, err)
	}
	get(u)
	if n := fetches.Load(); n != 1 {
		t.Errorf("fetched %d times, want 1 (cached)", n)
	}
	etag := rec.Header().Get("ETag")
	req := httptest.NewRequest("GET", u, nil)
	req.Header.Set("If-None-Match", etag)
	rec304 := httptest.NewRecorder()
	mux.ServeHTTP(rec304, req)
	if rec304.Code != http.StatusNotModified {
		t.Errorf("conditional request: %d, want 304", rec304.Code)
	}

	// Tampering with the source or the width breaks the signature.
	other := strings.Replace(u, "/640/", "/320/", 1)
	if rec := get(other); rec.Code != http.StatusForbidden {
		t.Errorf("re-sized signature: %d, want 403", rec.Code)
	}
	forged := u[:strings.LastIndex(u, "/")+1] + "aHR0cDovLzEyNy4wLjAuMS8"
	if rec := get(forged); rec.Code != http.StatusForbidden {
		t.Errorf("forged source: %d, want 403", rec.Code)
	}
	if rec := get(p.URL("https://img.example/page.html", 0)); rec.Code != http.StatusBadGateway {
		t.Errorf("HTML as image: %d, want 502", rec.Code)
	}
	rec = get(p.URL("https://img.example/logo.svg", 640))
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("svg: %d, CSP %q", rec.Code, rec.Header().Get("Content-Security-Policy"))
	}
	if p.URL("javascript:alert(1)", 0) != "" || p.URL("/relative.png", 0) != "" {
		t.Error("non-http source got a proxy URL")
	}
	if ss := p.SrcSet("https://img.example/big.png"); strings.Count(ss, "w,")+1 != len(Widths)-1 {
		t.Errorf("srcset %q", ss)
	}
}

func TestNewRefusesWeakKey(t *testing.T) {
	if _, err := New(Options{Key: []byte("short"), Fetch: func(context.Context, string) ([]byte, string, error) { return nil, "", nil }}); err == nil {
		t.Error("short key accepted")
	}
}

func TestRewriteHTML(t *testing.T) {
	var fetches atomic.Int32
	p, _ := newTestProxy(t, nil, &fetches)
	in := `<p>Text</p><figure><img src="https://img.example/a.jpg?x=1&amp;y=2" alt="Crowd in Tehran" srcset="https://img.example/a-2x.jpg 2x" loading="lazy"/><figcaption>c</figcaption></figure><img src="data:image/gif;base64,R0l" alt="">`
	out := p.RewriteHTML(in)
	if strings.Contains(out, "img.example") || strings.Contains(out, "data:") {
		t.Errorf("third-party image left: %s", out)
	}
	if !strings.Contains(out, `alt="Crowd in Tehran"`) || !strings.Contains(out, `src="/img/`) || !strings.Contains(out, `srcset="/img/`) {
		t.Errorf("rewritten image: %s", out)
	}
	if strings.Count(out, "<img") != 1 {
		t.Errorf("unproxiable image kept: %s", out)
	}
	want := p.URL("https://img.example/a.jpg?x=1&y=2", 960)
	if !strings.Contains(out, want) {
		t.Errorf("src not decoded before signing: %s lacks %s", out, want)
	}
}
