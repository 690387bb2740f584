package server

import (
	"bufio"
	"compress/gzip"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"newsdesk/logging"
)

// RequestID gives every request an id, in its context (so log lines carry
// it) and in the X-Request-Id response header. Ids are a random prefix
// drawn once per process and a counter, in 16 hex digits: unique per
// process and, in practice, across the processes of a site, without
// reading random bytes per request.
func RequestID(next http.Handler) http.Handler {
	var seed [4]byte
	_, _ = rand.Read(seed[:])
	var prefix [8]byte
	hex.Encode(prefix[:], seed[:])
	var counter atomic.Uint32
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [16]byte
		copy(b[:], prefix[:])
		n := counter.Add(1)
		const digits = "0123456789abcdef"
		for i := 15; i >= 8; i-- {
			b[i] = digits[n&0xf]
			n >>= 4
		}
		id := string(b[:])
		w.Header()["X-Request-Id"] = []string{id}
		next.ServeHTTP(w, r.WithContext(logging.WithRequestID(r.Context(), id)))
	})
}

// Recover turns a panic in a handler into a logged 500.
func Recover(next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(r.Context(), "panic serving request", slog.String("path", r.URL.Path),
					slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
				http.Error(w, "Internal server error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// AccessLog writes one debug line per request (method, path, status, bytes,
// duration) and a warning for server errors. Query strings, cookies and
// reader ids are never logged.
func AccessLog(next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		level := slog.LevelDebug
		if sw.status >= 500 {
			level = slog.LevelWarn
		}
		if log.Enabled(r.Context(), level) {
			log.LogAttrs(r.Context(), level, "http request",
				slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", sw.status), slog.Int("bytes", sw.bytes),
				slog.Duration("took", time.Since(start)))
		}
	})
}

// SecurityHeaders sets the Content-Security-Policy and the usual hardening
// headers on every response.
func SecurityHeaders(next http.Handler, csp string, hsts bool) http.Handler {
	// The values are built once and shared by every response; each slice has
	// len == cap, so a handler's Header().Add appends to a copy, and Set
	// replaces the slice. Keys are already in canonical form.
	one := func(v string) []string { return []string{v}[:1:1] }
	fixed := []struct {
		key string
		val []string
	}{
		{"Content-Security-Policy", one(csp)},
		{"X-Content-Type-Options", one("nosniff")},
		{"X-Frame-Options", one("DENY")},
		{"Referrer-Policy", one("strict-origin-when-cross-origin")},
		{"Permissions-Policy", one("camera=(), microphone=(), geolocation=(), interest-cohort=(), browsing-topics=()")},
		{"Cross-Origin-Opener-Policy", one("same-origin")},
	}
	if hsts {
		fixed = append(fixed, struct {
			key string
			val []string
		}{"Strict-Transport-Security", one("max-age=31536000; includeSubDomains")})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for _, f := range fixed {
			h[f.key] = f.val
		}
		next.ServeHTTP(w, r)
	})
}

var gzipPool = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(io.Discard, gzip.DefaultCompression)
	return w
}}

// Compress gzips compressible responses for clients that accept it, unless
// the handler already encoded the body (cached pages carry their own gzip).
func Compress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !acceptsGzip(r) || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		cw := &compressWriter{ResponseWriter: w}
		defer cw.close()
		next.ServeHTTP(cw, r)
	})
}

// acceptsGzip reports whether Accept-Encoding lists gzip with a non-zero
// quality. It allocates nothing: it runs on every request.
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header["Accept-Encoding"] {
		for v != "" {
			var part string
			part, v, _ = strings.Cut(v, ",")
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
				continue
			}
			return qualityNonZero(params)
		}
	}
	return false
}

// qualityNonZero reads the parameters after a coding ("q=0.5"): true
// unless they give a quality of zero or one that cannot be read.
func qualityNonZero(params string) bool {
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, q, ok := strings.Cut(p, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(q), 64)
		return err == nil && f > 0
	}
	return true
}

type compressWriter struct {
	http.ResponseWriter
	gz      *gzip.Writer
	decided bool
}

func compressible(ct string) bool {
	ct = strings.ToLower(ct)
	for _, p := range []string{"text/", "application/json", "application/xml", "application/rss+xml",
		"application/atom+xml", "application/feed+json", "application/ld+json", "image/svg+xml",
		"application/javascript", "application/opensearchdescription+xml"} {
		if strings.HasPrefix(ct, p) {
			return true
		}
	}
	return false
}

func (w *compressWriter) decide(status int) {
	if w.decided {
		return
	}
	w.decided = true
	h := w.Header()
	if !varies(h, "Accept-Encoding") {
		h.Add("Vary", "Accept-Encoding")
	}
	if h.Get("Content-Encoding") != "" || status == http.StatusNotModified || status == http.StatusNoContent ||
		status < 200 || !compressible(h.Get("Content-Type")) {
		return
	}
	if cl := h.Get("Content-Length"); cl != "" && len(cl) < 4 { // under 1000 bytes: not worth it
		return
	}
	h.Del("Content-Length")
	h.Set("Content-Encoding", "gzip")
	if et := h.Get("ETag"); et != "" && !strings.HasPrefix(et, "W/") {
		h.Set("ETag", "W/"+et) // the encoded bytes differ from the identity ones
	}
	gz := gzipPool.Get().(*gzip.Writer)
	gz.Reset(w.ResponseWriter)
	w.gz = gz
}

// varies reports whether the Vary header already names field.
func varies(h http.Header, field string) bool {
	for _, v := range h["Vary"] {
		for v != "" {
			var f string
			f, v, _ = strings.Cut(v, ",")
			if f = strings.TrimSpace(f); f == "*" || strings.EqualFold(f, field) {
				return true
			}
		}
	}
	return false
}

func (w *compressWriter) WriteHeader(code int) {
	w.decide(code)
	w.ResponseWriter.WriteHeader(code)
}

func (w *compressWriter) Write(p []byte) (int, error) {
	if !w.decided {
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", http.DetectContentType(p))
		}
		w.WriteHeader(http.StatusOK)
	}
	if w.gz != nil {
		return w.gz.Write(p)
	}
	return w.ResponseWriter.Write(p)
}

// Flush sends what was written so far, through the writers below (found
// by Unwrap, as the access log's is).
func (w *compressWriter) Flush() { _ = w.FlushError() }

func (w *compressWriter) FlushError() error {
	if w.gz != nil {
		if err := w.gz.Flush(); err != nil {
			return err
		}
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *compressWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

func (w *compressWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *compressWriter) close() {
	if w.gz != nil {
		_ = w.gz.Close()
		w.gz.Reset(io.Discard)
		gzipPool.Put(w.gz)
		w.gz = nil
	}
}
