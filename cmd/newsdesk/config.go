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
	// SQLiteCacheMiB is the page cache of a SQLite database's writer (0:
	// the store's default, 16 MB): a large archive's full-text merges
	// re-read their segments through it (docs/operations.md, Scaling).
	SQLiteCacheMiB int
	// Secret signs image-proxy URLs; empty: a key file beside a SQLite
	// database (see siteSecret).
	Secret       string
	MetricsAddr  string // a separate listener for /metrics
	MetricsToken string // or /metrics on the main listener behind this bearer token
	Workers      int    // sources fetched concurrently
	Retention    Retention
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{
		DB:        "./newsdesk.db",
		Addr:      ":8080",
		SiteName:  "newsdesk",
		LogFormat: "text",
		LogLevel:  "info",
		Workers:   4,
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
// overridden by the config file and the environment (config_file.go).
func (m *Main) flags(fs *flag.FlagSet) *Config {
	c := m.baseConfig()
	cfg := &c
	configPath := ""
	if m.conf != nil {
		configPath = m.conf.path
	}
	fs.String("config", configPath, "configuration file (TOML; env NEWSDESK_CONFIG; default ./newsdesk.toml when present)")
	inherited := true // the first --allow-private replaces the list from the file or environment
	fs.StringVar(&cfg.DB, "db", c.DB, "database: SQLite file path, or postgres:// URL (env NEWSDESK_DB)")
	fs.StringVar(&cfg.LogFormat, "log-format", c.LogFormat, "log format: text or json")
	fs.StringVar(&cfg.LogLevel, "log-level", c.LogLevel, "log level: debug, info, warn, error")
	fs.StringVar(&cfg.UserAgent, "user-agent", c.UserAgent, "User-Agent for fetches (default names newsdesk)")
	fs.DurationVar(&cfg.PerHostInterval, "per-host-interval", c.PerHostInterval, "spacing of request starts to one host (default 250ms; negative: none), e.g. for a feed server on the same machine")
	fs.IntVar(&cfg.PerHostConcurrency, "per-host-concurrency", c.PerHostConcurrency, "requests in flight to one host (default 2)")
	fs.Func("allow-private", "let fetches reach this private `CIDR` (repeatable), e.g. 127.0.0.0/8 for a local feed server", func(v string) error {
		if _, err := fetch.ParseAllowList([]string{v}); err != nil {
			return err
		}
		if inherited {
			cfg.AllowPrivate, inherited = nil, false
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
