package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"newsdesk"
	"newsdesk/extract"
	"newsdesk/fetch"
	"newsdesk/index"
	"newsdesk/ingest"
	"newsdesk/parse"
	"newsdesk/sanitize"
	"newsdesk/store/postgres"
	"newsdesk/store/sqlite"
)

// openStore opens the database named by dsn.
func openStore(ctx context.Context, dsn string) (newsdesk.Store, error) {
	return openStoreOptions(ctx, dsn, sqlite.Options{})
}

// openWriting opens the configured database for a verb that stores
// articles (serve, ingest, enrich): a SQLite writer gets the configured
// page cache.
func (c *Config) openWriting(ctx context.Context) (newsdesk.Store, error) {
	return openStoreOptions(ctx, c.DB, sqlite.Options{WriterCacheKiB: c.SQLiteCacheMiB << 10})
}

// openStoreOptions is openStore with the options of a SQLite database.
func openStoreOptions(ctx context.Context, dsn string, o sqlite.Options) (newsdesk.Store, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		db, err := postgres.Open(ctx, dsn)
		if err != nil {
			return nil, fmt.Errorf("open database %s: %w", redactDSN(dsn), err)
		}
		return db, nil
	default:
		path := strings.TrimPrefix(dsn, "sqlite:")
		db, err := sqlite.OpenOptions(ctx, path, o)
		if err != nil {
			return nil, fmt.Errorf("open database %s: %w", path, err)
		}
		return db, nil
	}
}

// redactDSN hides a password in a database URL.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// newFetcher builds the one HTTP client every fetch goes through.
func newFetcher(cfg *Config, log *slog.Logger, wrap func(http.RoundTripper) http.RoundTripper) (*fetch.Client, error) {
	allow, err := cfg.allowList()
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	opts := fetch.Options{AllowPrivate: allow, Logger: log, UserAgent: cfg.UserAgent,
		PerHostInterval: cfg.PerHostInterval, PerHostConcurrency: cfg.PerHostConcurrency}
	opts.WrapTransport = wrap
	return fetch.New(opts), nil
}

// newPipeline wires the stages into an ingest pipeline. st and enricher
// may be nil (dry runs, extraction only).
func newPipeline(fc *fetch.Client, st newsdesk.Store, enricher ingest.Enricher, log *slog.Logger) *ingest.Pipeline {
	p := &ingest.Pipeline{
		Fetch: func(ctx context.Context, r ingest.FetchRequest) (*ingest.FetchResponse, error) {
			resp, err := fc.Fetch(ctx, fetch.Request{URL: r.URL, ETag: r.ETag, LastModified: r.LastModified, Accept: r.Accept})
			if err != nil {
				return nil, err
			}
			return &ingest.FetchResponse{URL: resp.URL, NotModified: resp.NotModified, Body: resp.Body,
				ContentType: resp.ContentType, ETag: resp.ETag, LastModified: resp.LastModified, RetryAfter: resp.RetryAfter}, nil
		},
		ParseFeed:    parse.Feed,
		Extract:      extractArticle,
		Sanitize:     sanitize.HTML,
		Text:         sanitize.Text,
		SanitizeText: sanitize.HTMLText,
		Allowed:      fc.Allowed,
		Logger:       log,
		PageWorkers:  4,
	}
	if enricher != nil {
		p.Enrich = enricher
	}
	if st != nil {
		p.Store = st
		p.Index = index.New(st)
	}
	return p
}

func extractArticle(base *url.URL, html []byte) (*ingest.Extracted, error) {
	r, err := extract.Article(base, html)
	if err != nil {
		return nil, err
	}
	return &ingest.Extracted{Title: r.Title, Byline: r.Byline, SiteName: r.SiteName, Lang: r.Lang,
		Description: r.Description, CanonicalURL: r.CanonicalURL, ImageURL: r.ImageURL,
		Published: r.Published, Modified: r.Modified, HTML: r.HTML, Text: r.Text}, nil
}

// leaseOwner names this process in source leases.
func leaseOwner() string {
	return fmt.Sprintf("newsdesk-%d-%d", time.Now().UnixNano(), os.Getpid())
}
