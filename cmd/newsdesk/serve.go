package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"newsdesk"
	"newsdesk/admin"
	"newsdesk/api"
	"newsdesk/demo"
	"newsdesk/fetch"
	"newsdesk/imageproxy"
	"newsdesk/index"
	"newsdesk/ingest"
	"newsdesk/metrics"
	"newsdesk/recommend"
	"newsdesk/related"
	"newsdesk/server"
	"newsdesk/site"
	"newsdesk/store/postgres"
	"newsdesk/web"
)

// serve runs the site, and unless --no-ingest the scheduler and ingest
// workers, in one process until interrupted.
func (m *Main) serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	cfg := m.flags(fs)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (env NEWSDESK_ADDR)")
	fs.StringVar(&cfg.BaseURL, "base-url", cfg.BaseURL, "public URL of the site, e.g. https://news.example (env NEWSDESK_BASE_URL)")
	fs.StringVar(&cfg.SiteName, "site-name", cfg.SiteName, "name of the site (env NEWSDESK_SITE_NAME)")
	withDemo := fs.Bool("demo", false, "on an empty database, follow the bundled demo sources (served in-process, no network needed)")
	noIngest := fs.Bool("no-ingest", false, "serve the site only; leave fetching to `newsdesk ingest` workers")
	workers := fs.Int("workers", cfg.Workers, "sources fetched concurrently (env NEWSDESK_WORKERS)")
	metricsAddr := fs.String("metrics-addr", cfg.MetricsAddr, "serve Prometheus /metrics on this separate listener, e.g. 127.0.0.1:9090 (env NEWSDESK_METRICS_ADDR); or set NEWSDESK_METRICS_TOKEN to serve it on the main listener behind a bearer token")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := m.checkFlags(cfg, visited(fs)); err != nil {
		return err
	}
	log, err := cfg.logger(m)
	if err != nil {
		return err
	}
	gcFloor(ctx, m.Getenv, defaultGCFloor, time.Second)
	if *withDemo && cfg.SiteName == DefaultConfig().SiteName {
		cfg.SiteName = demo.SiteName
	}
	st, err := cfg.openWriting(ctx)
	if err != nil {
		return err
	}
	defer st.Close()

	var wrap func(http.RoundTripper) http.RoundTripper
	if *withDemo {
		wrap = demo.Transport
		if err := demo.Setup(ctx, st); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	fc, err := newFetcher(cfg, log, wrap)
	if err != nil {
		return err
	}
	// A web node that never ingests needs the enrichment chain only when
	// an editor runs a source from the admin or a WebSub push arrives:
	// its indexes (hundreds of MiB on a large site) are built then, not at
	// start.
	var enricher ingest.Enricher
	if *noIngest {
		enricher = &lazyEnricher{build: func(ctx context.Context) (ingest.Enricher, error) {
			return buildEnricher(ctx, st, log)
		}}
	} else {
		e, err := buildEnricher(ctx, st, log)
		if err != nil {
			return err
		}
		enricher = e
	}

	secret, err := m.siteSecret(cfg.DB, cfg.Secret)
	if err != nil {
		return err
	}
	images, err := imageproxy.New(imageproxy.Options{Key: secret, Logger: log,
		Fetch: func(ctx context.Context, src string) ([]byte, string, error) {
			resp, err := fc.Fetch(ctx, fetch.Request{URL: src, Accept: "image/avif,image/webp,image/png,image/svg+xml,image/*;q=0.8"})
			if err != nil {
				return nil, "", err
			}
			return resp.Body, resp.ContentType, nil
		}})
	if err != nil {
		return err
	}
	engine, err := web.New(web.Require(site.Pages()...), web.Require(admin.Pages()...), web.WithImages(images))
	if err != nil {
		return fmt.Errorf("templates: %w", err)
	}
	baseURL := cfg.BaseURL
	if baseURL == "" {
		baseURL = "http://" + displayAddr(cfg.Addr)
	}
	reg := prometheus.NewRegistry()
	mx := metrics.New(reg, sourceStates(st))
	siteH, err := site.New(site.Config{
		Store:     st,
		Related:   relatedFinder(st),
		Recommend: recommend.New(st, time.Now),
		Search:    index.New(st),
		Web:       engine,
		SiteName:  cfg.SiteName,
		BaseURL:   strings.TrimSuffix(baseURL, "/"),
		Now:       time.Now,
		Logger:    log,
		Observer:  mx,
	})
	if err != nil {
		return err
	}

	p := newPipeline(fc, st, enricher, log)
	p.Metrics = mx
	// Ingest refreshes the site's pages at most once a second, and only
	// those its stores can change (site.Handler.Refresh); an editor's
	// change (admin, API) still drops them all at once.
	var storedMu sync.Mutex
	var changes site.Changes
	stored := newCoalesced(func() {
		storedMu.Lock()
		c := changes
		changes = site.Changes{}
		storedMu.Unlock()
		siteH.Refresh(c)
	}, time.Second)
	p.OnStored = func(created, updated []*newsdesk.Article) {
		storedMu.Lock()
		changes.Add(created...)
		changes.Add(updated...)
		storedMu.Unlock()
		stored.call()
	}
	// A push is stored through p, whose OnStored refreshes the site as
	// after a poll.
	ws := wireWebSub(ctx, cfg.BaseURL, st, fc, p, log)
	defer ws.close()
	sched := &ingest.Scheduler{Pipeline: p, Sources: st, Owner: leaseOwner(), Workers: *workers, Logger: log}

	if *withDemo {
		started := time.Now()
		sum, err := sched.RunOnce(ctx, nil)
		if err != nil {
			return fmt.Errorf("demo ingest: %w", err)
		}
		if err := demo.PinPicks(ctx, st, time.Now()); err != nil {
			return fmt.Errorf("demo picks: %w", err)
		}
		stored.covered()
		siteH.Invalidate()
		log.Info("demo ingested", slog.Int("sources", sum.Sources), slog.Int("created", sum.Created),
			slog.Int("failed", sum.Failed), slog.Duration("took", time.Since(started)))
	}

	// checks are the facts /readyz and the admin's status page report.
	checks := func(ctx context.Context) []admin.StatusCheck {
		out := []admin.StatusCheck{{Name: "Database", OK: true, Detail: "reachable"}}
		if err := st.Ping(ctx); err != nil {
			out[0].OK, out[0].Detail = false, err.Error()
		}
		mig := admin.StatusCheck{Name: "Migrations", OK: true, Detail: "applied"}
		if err := schemaCurrent(ctx, st); err != nil {
			mig.OK, mig.Detail = false, err.Error()
		}
		sch := admin.StatusCheck{Name: "Scheduler", OK: true}
		switch running, last := sched.Running(); {
		case *noIngest:
			sch.Detail = "off on this node (--no-ingest): ingest workers fetch"
		case !running:
			sch.OK, sch.Detail = false, "not running"
		case last.IsZero():
			sch.Detail = "running; first pass under way"
		default:
			sch.Detail = "running; last pass ended " + last.UTC().Format(time.RFC3339)
		}
		return append(out, mig, sch)
	}
	secure := strings.HasPrefix(baseURL, "https://")
	searcher := index.New(st)
	adminH, err := admin.New(admin.Config{
		Store: st, Web: engine, SiteName: cfg.SiteName, BaseURL: strings.TrimSuffix(baseURL, "/"),
		Logger: log, Invalidate: siteH.Invalidate, Secure: secure, Search: searcher, Reindex: searcher.Index,
		Status: checks,
		Ingest: func(ctx context.Context, sourceID int64) error {
			src, err := st.Source(ctx, sourceID)
			if err != nil {
				return err
			}
			_, err = p.RunSource(ctx, src)
			return err
		},
	})
	if err != nil {
		return err
	}
	apiH := api.New(api.Config{Store: st, Search: searcher, BaseURL: strings.TrimSuffix(baseURL, "/"),
		Logger: log, Invalidate: siteH.Invalidate})
	if *withDemo {
		password, created, err := admin.EnsureEditor(ctx, st, demo.EditorUsername)
		if err != nil {
			return fmt.Errorf("demo editor: %w", err)
		}
		if created {
			fmt.Fprintf(m.Stderr, "newsdesk: demo editor account: %s / %s (sign in at %s/admin/login)\n",
				demo.EditorUsername, password, strings.TrimSuffix(baseURL, "/"))
		} else {
			fmt.Fprintf(m.Stderr, "newsdesk: demo editor account %s exists (reset its password with: newsdesk users passwd %s)\n",
				demo.EditorUsername, demo.EditorUsername)
		}
	}

	mux := http.NewServeMux()
	siteH.Register(mux)
	images.Register(mux)
	ws.register(mux)
	adminH.Register(mux)
	apiH.Register(mux)
	srv := server.New(server.Config{
		Addr: cfg.Addr, Handler: mux, Logger: log, HSTS: secure,
		Metrics: mx, MetricsToken: cfg.MetricsToken,
		Ready: func(ctx context.Context) error {
			for _, c := range checks(ctx) {
				if !c.OK {
					return fmt.Errorf("%s: %s", strings.ToLower(c.Name), c.Detail)
				}
			}
			return nil
		},
	})
	if err := srv.Start(); err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "newsdesk: serving %s on http://%s\n", cfg.SiteName, displayAddr(srv.Addr()))
	if *metricsAddr != "" {
		msrv := &http.Server{Addr: *metricsAddr, Handler: mx.Handler(""), ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := msrv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("metrics listener", slog.Any("error", err))
			}
		}()
		defer msrv.Close()
	}
	if m.Ready != nil {
		m.Ready(srv.Addr())
	}

	if l, ok := st.(interface {
		Listen(context.Context, func(postgres.Change)) error
	}); ok {
		// Other nodes' changes reach this node's cached pages: a batch an
		// ingest worker stored refreshes only the pages it can change, with
		// this node's own ingest, at most once a second (site.Refresh); an
		// editor's change, or one unknown, drops every page at once.
		onChange := func(c postgres.Change) {
			if !c.Scoped {
				siteH.Invalidate()
				return
			}
			storedMu.Lock()
			changes.AddIDs(c.Articles, c.Stories)
			storedMu.Unlock()
			stored.call()
		}
		go func() {
			if err := l.Listen(ctx, onChange); err != nil && ctx.Err() == nil {
				log.Error("listen for changes", slog.Any("error", err))
			}
		}()
	}

	ingestDone := make(chan struct{})
	if *noIngest {
		close(ingestDone)
	} else {
		go func() {
			defer close(ingestDone)
			_ = sched.Run(ctx)
		}()
	}
	go retentionLoop(ctx, st, cfg.Retention, log, retentionFirst, retentionEvery, siteH.Invalidate)
	<-ctx.Done()
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err = srv.Shutdown(sctx)
	siteH.Close() // write the reading events still queued
	<-ingestDone
	return err
}

// displayAddr turns ":8080" into "localhost:8080" for messages and links.
func displayAddr(addr string) string {
	if strings.HasPrefix(addr, ":") {
		return "localhost" + addr
	}
	if rest, ok := strings.CutPrefix(addr, "0.0.0.0:"); ok {
		return "localhost:" + rest
	}
	if rest, ok := strings.CutPrefix(addr, "[::]:"); ok {
		return "localhost:" + rest
	}
	return addr
}

// sourceStates counts sources by state for the metrics scrape.
func sourceStates(st newsdesk.SourceStore) func() map[string]int {
	return func() map[string]int {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srcs, _, err := st.Sources(ctx, newsdesk.SourceFilter{})
		if err != nil {
			return nil
		}
		out := map[string]int{"ok": 0, "failing": 0, "paused": 0}
		for _, s := range srcs {
			switch {
			case s.Paused:
				out["paused"]++
			case s.Failures > 0:
				out["failing"]++
			default:
				out["ok"]++
			}
		}
		return out
	}
}

// relatedFinder folds headline words as the search index does, so that
// Persian and Arabic headlines find their related reports.
func relatedFinder(st newsdesk.Store) *related.Finder {
	f := related.New(st)
	f.Fold = index.Normalize
	return f
}

// lazyEnricher builds its enrichment chain on first use. A build that
// fails is tried again on the next use.
type lazyEnricher struct {
	build func(context.Context) (ingest.Enricher, error)
	mu    sync.Mutex
	e     ingest.Enricher
}

func (l *lazyEnricher) get(ctx context.Context) (ingest.Enricher, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.e == nil {
		e, err := l.build(ctx)
		if err != nil {
			return nil, fmt.Errorf("enrichment: %w", err)
		}
		l.e = e
	}
	return l.e, nil
}

func (l *lazyEnricher) Enrich(ctx context.Context, a *newsdesk.Article) error {
	e, err := l.get(ctx)
	if err != nil {
		return err
	}
	return e.Enrich(ctx, a)
}

func (l *lazyEnricher) Stored(ctx context.Context, articles []*newsdesk.Article) {
	if e, err := l.get(ctx); err == nil {
		e.Stored(ctx, articles)
	}
}
