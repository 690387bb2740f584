package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"newsdesk/fetch"
	"newsdesk/logging"
)

// Config is every setting, resolved once from defaults, the environment and
// flags (in that order of precedence, flags last) and passed down as values.
type Config struct {
	DB           string // SQLite path (optionally "sqlite:PATH") or a postgres:// URL
	Addr         string
	BaseURL      string // public URL of the site, for canonical links and feeds
	SiteName     string
	AllowPrivate []string // CIDRs the fetcher may reach although private
	LogFormat    string
	LogLevel     string
	UserAgent    string
	// PerHostInterval and PerHostConcurrency override the fetcher's
	// politeness towards one host (zero keeps its defaults).
	PerHostInterval    time.Duration
	PerHostConcurrency int
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{
		DB:        "./newsdesk.db",
		Addr:      ":8080",
		SiteName:  "newsdesk",
		LogFormat: "text",
		LogLevel:  "info",
	}
}

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error {
	*s = append(*s, v)
	return nil
}

// flags registers the common settings on fs, starting from the defaults
// overridden by the environment.
func (m *Main) flags(fs *flag.FlagSet) *Config {
	c := DefaultConfig()
	env := func(name string, dst *string) {
		if v := m.Getenv(name); v != "" {
			*dst = v
		}
	}
	env("NEWSDESK_DB", &c.DB)
	env("NEWSDESK_DATABASE_URL", &c.DB)
	env("NEWSDESK_ADDR", &c.Addr)
	env("NEWSDESK_BASE_URL", &c.BaseURL)
	env("NEWSDESK_SITE_NAME", &c.SiteName)
	env("NEWSDESK_LOG_FORMAT", &c.LogFormat)
	env("NEWSDESK_LOG_LEVEL", &c.LogLevel)
	env("NEWSDESK_USER_AGENT", &c.UserAgent)
	if v := m.Getenv("NEWSDESK_ALLOW_PRIVATE"); v != "" {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				c.AllowPrivate = append(c.AllowPrivate, p)
			}
		}
	}
	cfg := &c
	fs.StringVar(&cfg.DB, "db", c.DB, "database: SQLite file path, or postgres:// URL (env NEWSDESK_DB)")
	fs.StringVar(&cfg.LogFormat, "log-format", c.LogFormat, "log format: text or json")
	fs.StringVar(&cfg.LogLevel, "log-level", c.LogLevel, "log level: debug, info, warn, error")
	fs.StringVar(&cfg.UserAgent, "user-agent", c.UserAgent, "User-Agent for fetches (default names newsdesk)")
	fs.DurationVar(&cfg.PerHostInterval, "per-host-interval", 0, "spacing of request starts to one host (default 250ms; negative: none), e.g. for a feed server on the same machine")
	fs.IntVar(&cfg.PerHostConcurrency, "per-host-concurrency", 0, "requests in flight to one host (default 2)")
	fs.Func("allow-private", "let fetches reach this private `CIDR` (repeatable), e.g. 127.0.0.0/8 for a local feed server", func(v string) error {
		if _, err := fetch.ParseAllowList([]string{v}); err != nil {
			return err
		}
		cfg.AllowPrivate = append(cfg.AllowPrivate, v)
		return nil
	})
	return cfg
}

func (c *Config) allowList() ([]netip.Prefix, error) {
	return fetch.ParseAllowList(c.AllowPrivate)
}

func (c *Config) logger(m *Main) (*slog.Logger, error) {
	log, err := logging.New(m.Stderr, c.LogFormat, c.LogLevel)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return log, nil
}
