package server

import (
	"compress/gzip"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func testHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("ETag", `"abc"`)
		io.WriteString(w, strings.Repeat("<p>newsdesk</p>", 500))
	})
	mux.HandleFunc("GET /png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(make([]byte, 5000))
	})
	mux.HandleFunc("GET /pre", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		gz := gzip.NewWriter(w)
		io.WriteString(gz, "already")
		gz.Close()
	})
	mux.HandleFunc("GET /panic", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	return mux
}

func TestMiddleware(t *testing.T) {
	s := New(Config{Addr: "127.0.0.1:0", Handler: testHandler(), Logger: slog.New(slog.DiscardHandler),
		Ready: func(context.Context) error { return errors.New("database down") }})
	srv := httptest.NewServer(s.srv.Handler)
	defer srv.Close()
	tr := &http.Transport{DisableCompression: true}
	client := &http.Client{Transport: tr}

	get := func(path, enc string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if enc != "" {
			req.Header.Set("Accept-Encoding", enc)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}

	t.Run("security headers", func(t *testing.T) {
		resp := get("/big", "")
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP = %q", csp)
		}
		for _, h := range []string{"X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "X-Request-Id"} {
			if resp.Header.Get(h) == "" {
				t.Errorf("missing %s", h)
			}
		}
	})
	t.Run("gzip text", func(t *testing.T) {
		resp := get("/big", "br, gzip;q=0.8")
		if resp.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("not compressed: %v", resp.Header)
		}
		if resp.Header.Get("ETag") != `W/"abc"` {
			t.Errorf("ETag = %q, want weak", resp.Header.Get("ETag"))
		}
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(zr)
		if !strings.HasPrefix(string(b), "<p>newsdesk</p>") {
			t.Errorf("body %q", b[:20])
		}
	})
	t.Run("no gzip when refused", func(t *testing.T) {
		if resp := get("/big", "gzip;q=0"); resp.Header.Get("Content-Encoding") != "" {
			t.Error("compressed although q=0")
		}
	})
	t.Run("images not compressed", func(t *testing.T) {
		if resp := get("/png", "gzip"); resp.Header.Get("Content-Encoding") != "" {
			t.Error("png compressed")
		}
	})
	t.Run("pre-encoded kept", func(t *testing.T) {
		resp := get("/pre", "gzip")
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(zr)
		if string(b) != "already" {
			t.Errorf("double-encoded: %q", b)
		}
	})
	t.Run("panic", func(t *testing.T) {
		if resp := get("/panic", ""); resp.StatusCode != 500 {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
	t.Run("health", func(t *testing.T) {
		if resp := get("/healthz", ""); resp.StatusCode != 200 {
			t.Errorf("healthz %d", resp.StatusCode)
		}
		if resp := get("/readyz", ""); resp.StatusCode != 503 {
			t.Errorf("readyz %d, want 503 when not ready", resp.StatusCode)
		}
	})
}

func TestStartShutdown(t *testing.T) {
	s := New(Config{Addr: "127.0.0.1:0", Handler: testHandler(), Logger: slog.New(slog.DiscardHandler)})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + s.Addr() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get("http://" + s.Addr() + "/healthz"); err == nil {
		t.Error("still serving after shutdown")
	}
}
