// Package server runs newsdesk's HTTP listener: the middleware every
// response goes through (request id, access log, recovery, security
// headers, compression), health checks and graceful shutdown.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"newsdesk/metrics"
)

// Config configures a Server.
type Config struct {
	Addr    string
	Handler http.Handler // the application's routes
	Logger  *slog.Logger
	// Ready reports whether the service can take traffic (database reachable,
	// migrations applied, scheduler running); nil means always ready.
	Ready func(ctx context.Context) error
	// ContentSecurityPolicy overrides DefaultCSP.
	ContentSecurityPolicy string
	// HSTS adds Strict-Transport-Security (set when served over HTTPS).
	HSTS bool
	// Metrics, when set, times every request by route; its handler is
	// mounted at /metrics when MetricsToken is set (else serve it on a
	// separate listener).
	Metrics      *metrics.Metrics
	MetricsToken string
}

// DefaultCSP allows nothing from other origins except images over HTTPS
// (lead images of sources until they are proxied), and no inline script or
// style at all.
const DefaultCSP = "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; " +
	"frame-src https://www.youtube-nocookie.com https://player.vimeo.com"

// Server is newsdesk's HTTP server.
type Server struct {
	cfg  Config
	srv  *http.Server
	ln   net.Listener
	done chan error
}

// New returns a server; Start binds it.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ContentSecurityPolicy == "" {
		cfg.ContentSecurityPolicy = DefaultCSP
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if cfg.Ready != nil {
			ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
			defer cancel()
			if err := cfg.Ready(ctx); err != nil {
				w.WriteHeader(http.StatusServiceUnavailable)
				fmt.Fprintln(w, "not ready:", err)
				return
			}
		}
		fmt.Fprintln(w, "ready")
	})
	if cfg.Metrics != nil && cfg.MetricsToken != "" {
		mux.Handle("GET /metrics", cfg.Metrics.Handler(cfg.MetricsToken))
	}
	if cfg.Handler != nil {
		mux.Handle("/", cfg.Metrics.Middleware(cfg.Handler))
	}
	h := Chain(mux, cfg)
	return &Server{cfg: cfg, srv: &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
		ConnContext:       connContext,
	}}
}

// Chain wraps h in newsdesk's middleware, outermost first: coalesced
// writes, request id, recovery, access log, security headers, compression.
func Chain(h http.Handler, cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ContentSecurityPolicy == "" {
		cfg.ContentSecurityPolicy = DefaultCSP
	}
	h = Compress(h)
	h = SecurityHeaders(h, cfg.ContentSecurityPolicy, cfg.HSTS)
	h = AccessLog(h, cfg.Logger)
	h = Recover(h, cfg.Logger)
	h = RequestID(h)
	h = Coalesce(h)
	return h
}

// Start binds the listener and serves in the background. It returns once
// the server accepts connections.
func (s *Server) Start() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.Addr, err)
	}
	ln = coalesceListener{ln}
	s.ln = ln
	s.done = make(chan error, 1)
	go func() {
		err := s.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.done <- err
	}()
	return nil
}

// Addr is the bound address (useful with ":0").
func (s *Server) Addr() string {
	if s.ln == nil {
		return s.cfg.Addr
	}
	return s.ln.Addr().String()
}

// Shutdown stops accepting connections and waits for requests in flight,
// up to ctx's deadline.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.ln == nil {
		return nil
	}
	err := s.srv.Shutdown(ctx)
	if serr := <-s.done; err == nil {
		err = serr
	}
	return err
}
