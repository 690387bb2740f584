// Command newsdesk runs a self-hosted newsroom: the site, the admin, the
// API, the scheduler and the ingest workers, and the verbs that manage them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `newsdesk — a self-hosted newsroom

Usage:
  newsdesk serve [--demo] [--addr :8080] [--db ./newsdesk.db]   run the site, scheduler and ingest workers
  newsdesk ingest [--once] [--source N] [--dry-run]              fetch due sources (or one source)
  newsdesk sources add|list|pause|resume|remove|import|export    manage the sources the site follows
  newsdesk extract [--url URL] [--format text|json|html]         extract an article page (stdin or --url)
  newsdesk feed parse [--url URL]                                parse a feed document on stdin to JSON
  newsdesk users add|passwd|remove|list                          accounts of the admin (password on stdin)
  newsdesk enrich --explain ID | --all                           why an article was filed as it was; re-run enrichment
  newsdesk eval sections|stories|duplicates|recommend FILE        measure understanding on a data set file
  newsdesk migrate                                               apply database migrations
  newsdesk config check|print [--config FILE]                    validate the configuration; print it resolved, secrets masked
  newsdesk backup [--force] PATH                                 consistent copy of a running SQLite site
  newsdesk restore [--force] [--db PATH] BACKUP                  check a backup and put it in place
  newsdesk retention [--dry-run] [--vacuum]                      apply the retention rules once
  newsdesk version

Every verb takes --config FILE, --db, --allow-private CIDR and --log-level; see "newsdesk VERB -h".
Settings: defaults < config file (--config, NEWSDESK_CONFIG, or ./newsdesk.toml) < environment < flags.
Environment: NEWSDESK_DB (or NEWSDESK_DATABASE_URL), NEWSDESK_ADDR, NEWSDESK_BASE_URL,
NEWSDESK_SITE_NAME, NEWSDESK_ALLOW_PRIVATE (comma-separated), NEWSDESK_LOG_FORMAT, NEWSDESK_LOG_LEVEL,
NEWSDESK_USER_AGENT, NEWSDESK_SECRET, NEWSDESK_METRICS_ADDR, NEWSDESK_METRICS_TOKEN, NEWSDESK_WORKERS,
NEWSDESK_PER_HOST_INTERVAL, NEWSDESK_PER_HOST_CONCURRENCY, NEWSDESK_SQLITE_CACHE_MIB,
NEWSDESK_RETENTION_BODIES, NEWSDESK_RETENTION_READ_EVENTS. See docs/newsdesk.example.toml and docs/operations.md.
`

// Version is set at build time with -ldflags "-X main.Version=…".
var Version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	if err := m.Run(ctx, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "newsdesk:", err)
		}
		os.Exit(exitCode(err))
	}
}

// exitError carries a specific exit status.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

// Main is the program, with its standard streams and environment injected
// so that tests can run every verb in-process.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Ready, when set, is called by serve once the site accepts requests,
	// with its address.
	Ready func(addr string)

	conf *resolved // defaults, config file and environment, before flags
}

// Run runs one verb.
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return &exitError{2, errors.New("no verb given")}
	}
	verb, rest := args[0], args[1:]
	if path := m.Getenv("NEWSDESK_CPUPROFILE"); path != "" {
		stop, err := startCPUProfile(path)
		if err != nil {
			return err
		}
		defer stop()
	}
	if path := m.Getenv("NEWSDESK_MEMPROFILE"); path != "" {
		defer writeHeapProfile(path, m.Stderr)
	}
	switch verb {
	case "version", "help", "-h", "--help", "config":
	default:
		if err := m.loadConfig(rest); err != nil {
			return err
		}
	}
	switch verb {
	case "config":
		return m.configVerb(ctx, rest)
	case "backup":
		return m.backup(ctx, rest)
	case "restore":
		return m.restore(ctx, rest)
	case "retention":
		return m.retention(ctx, rest)
	case "serve":
		return m.serve(ctx, rest)
	case "ingest":
		return m.ingest(ctx, rest)
	case "sources":
		return m.sources(ctx, rest)
	case "extract":
		return m.extract(ctx, rest)
	case "feed":
		return m.feed(ctx, rest)
	case "migrate":
		return m.migrate(ctx, rest)
	case "users":
		return m.users(ctx, rest)
	case "eval":
		return m.eval(ctx, rest)
	case "bench":
		return m.bench(ctx, rest)
	case "enrich":
		return m.enrichVerb(ctx, rest)
	case "version":
		fmt.Fprintln(m.Stdout, "newsdesk", Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(m.Stdout, usage)
		return nil
	}
	fmt.Fprint(m.Stderr, usage)
	return &exitError{2, fmt.Errorf("unknown verb %q", verb)}
}
