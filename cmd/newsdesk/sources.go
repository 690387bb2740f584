package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"newsdesk"
	"newsdesk/fetch"
	"newsdesk/opml"
	"newsdesk/parse"
)

const sourcesUsage = `usage:
  newsdesk sources add URL [--name NAME] [--kind feed|page] [--licence full|excerpt|headline] [--extract | --no-page-fetch] [--language CODE] [--interval 30m]
  newsdesk sources list
  newsdesk sources pause|resume|remove ID
  newsdesk sources import [--extract | --no-page-fetch] FILE.opml
  newsdesk sources export > sources.opml`

func (m *Main) sources(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return &exitError{2, errors.New(sourcesUsage)}
	}
	verb, args := args[0], args[1:]
	fs := flag.NewFlagSet("sources "+verb, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	cfg := m.flags(fs)
	var add struct {
		name, kind, licence, language string
		extract, noPageFetch          bool
		interval                      time.Duration
	}
	if verb == "add" {
		fs.StringVar(&add.name, "name", "", "display name used in attribution (default: the feed's title)")
		fs.StringVar(&add.kind, "kind", "feed", "feed (RSS, Atom, RDF, JSON Feed) or page (one article URL)")
		fs.StringVar(&add.licence, "licence", "full", "what the site may show: full, excerpt or headline")
		fs.StringVar(&add.language, "language", "", "language of the source, e.g. en, fa, ar")
		fs.BoolVar(&add.extract, "extract", false, "fetch each item's page and extract the full text")
		fs.BoolVar(&add.noPageFetch, "no-page-fetch", false, "never fetch this source's article pages, not even for short summaries (the publisher's wish)")
		fs.DurationVar(&add.interval, "interval", ingestDefaultInterval, "base polling interval")
	}
	var imp pageUse
	if verb == "import" {
		fs.BoolVar(&imp.extract, "extract", false, "fetch each item's page and extract the full text, for every imported source")
		fs.BoolVar(&imp.noPageFetch, "no-page-fetch", false, "never fetch the imported sources' article pages, not even for short summaries: their feed text only")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	args = fs.Args()
	st, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()

	switch verb {
	case "add":
		if len(args) != 1 {
			return &exitError{2, errors.New(sourcesUsage)}
		}
		src := &newsdesk.Source{Name: add.name, Kind: newsdesk.SourceKind(add.kind), URL: args[0],
			Licence: newsdesk.Licence(add.licence), Language: add.language, Extract: add.extract, Interval: add.interval,
			NoPageFetch: add.noPageFetch}
		if src.NoPageFetch && src.Extract {
			return &exitError{2, errors.New("sources add: --extract and --no-page-fetch contradict each other")}
		}
		if u, err := url.Parse(src.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("sources add: %q is not an http(s) URL", src.URL)
		}
		if src.Name == "" {
			src.Name = m.discoverName(ctx, cfg, src)
		}
		if err := st.CreateSource(ctx, src); err != nil {
			return fmt.Errorf("sources add: %s", newsdesk.ErrorMessage(err))
		}
		fmt.Fprintf(m.Stdout, "added source %d: %s (%s)\n", src.ID, src.Name, src.URL)
		return nil
	case "list":
		return m.listSources(ctx, st)
	case "pause", "resume", "remove":
		if len(args) != 1 {
			return &exitError{2, errors.New(sourcesUsage)}
		}
		id, err := strconv.ParseInt(args[0], 10, 64)
		if err != nil {
			return fmt.Errorf("sources %s: %q is not a source id", verb, args[0])
		}
		if verb == "remove" {
			if err := st.DeleteSource(ctx, id); err != nil {
				return fmt.Errorf("sources remove: %s", newsdesk.ErrorMessage(err))
			}
			fmt.Fprintf(m.Stdout, "removed source %d (its articles stay, attributed)\n", id)
			return nil
		}
		src, err := st.Source(ctx, id)
		if err != nil {
			return fmt.Errorf("sources %s: %s", verb, newsdesk.ErrorMessage(err))
		}
		src.Paused = verb == "pause"
		if err := st.UpdateSource(ctx, src); err != nil {
			return fmt.Errorf("sources %s: %s", verb, newsdesk.ErrorMessage(err))
		}
		fmt.Fprintf(m.Stdout, "source %d %sd\n", id, verb)
		return nil
	case "import":
		if len(args) != 1 {
			return &exitError{2, errors.New(sourcesUsage)}
		}
		if imp.extract && imp.noPageFetch {
			return &exitError{2, errors.New("sources import: --extract and --no-page-fetch contradict each other")}
		}
		return m.importOPML(ctx, st, args[0], imp)
	case "export":
		return m.exportOPML(ctx, st, cfg)
	}
	return &exitError{2, fmt.Errorf("sources: unknown verb %q\n%s", verb, sourcesUsage)}
}

const ingestDefaultInterval = 30 * time.Minute

// discoverName fetches a feed to name the source after its title, falling
// back to the host name.
func (m *Main) discoverName(ctx context.Context, cfg *Config, src *newsdesk.Source) string {
	u, _ := url.Parse(src.URL)
	fallback := strings.TrimPrefix(u.Hostname(), "www.")
	if src.Kind != newsdesk.SourceFeed {
		return fallback
	}
	log, err := cfg.logger(m)
	if err != nil {
		return fallback
	}
	fc, err := newFetcher(cfg, log, nil)
	if err != nil {
		return fallback
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	resp, err := fc.Fetch(ctx, fetch.Request{URL: src.URL})
	if err != nil {
		fmt.Fprintf(m.Stderr, "warning: %v; naming the source %q\n", err, fallback)
		return fallback
	}
	f, err := parse.Feed(u, resp.Body, resp.ContentType)
	if err != nil || strings.TrimSpace(f.Title) == "" {
		if err != nil {
			fmt.Fprintf(m.Stderr, "warning: %v; naming the source %q\n", err, fallback)
		}
		return fallback
	}
	if src.Language == "" {
		src.Language = f.Language
	}
	return strings.TrimSpace(f.Title)
}

func (m *Main) listSources(ctx context.Context, st newsdesk.Store) error {
	srcs, _, err := st.Sources(ctx, newsdesk.SourceFilter{})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tKIND\tSTATUS\tLAST FETCH\tLAST SUCCESS\tITEMS/DAY\tURL\tLAST ERROR")
	for _, s := range srcs {
		status := "ok"
		switch {
		case s.Paused:
			status = "paused"
		case s.Failures > 0:
			status = fmt.Sprintf("failing (%d)", s.Failures)
		case s.LastFetchAt.IsZero():
			status = "new"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%.1f\t%s\t%s\n", s.ID, s.Name, s.Kind, status,
			ago(s.LastFetchAt), ago(s.LastSuccessAt), s.ItemsPerDay, s.URL, s.LastError)
	}
	return tw.Flush()
}

func ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := time.Since(t).Round(time.Second)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	}
	return t.Format("2006-01-02")
}

// pageUse is what ingest may do with the article pages of imported
// sources: extract every one, or fetch none (by default, a page is
// fetched when the feed gives only a short summary).
type pageUse struct{ extract, noPageFetch bool }

func (m *Main) importOPML(ctx context.Context, st newsdesk.Store, path string, pages pageUse) error {
	var r io.Reader = m.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("sources import: %w", err)
		}
		defer f.Close()
		r = f
	}
	outlines, err := opml.Parse(r)
	if err != nil {
		return fmt.Errorf("sources import: %w", err)
	}
	var added, existing, invalid int
	bar := newProgress(m.Stderr, "importing", len(outlines))
	for i, o := range outlines {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		name := o.Title
		if name == "" {
			name = o.XMLURL
		}
		src := &newsdesk.Source{Name: name, Kind: newsdesk.SourceFeed, URL: o.XMLURL, SiteURL: o.HTMLURL,
			Language: o.Language, Licence: newsdesk.LicenceFull, Extract: pages.extract, NoPageFetch: pages.noPageFetch,
			Interval: ingestDefaultInterval}
		switch err := st.CreateSource(ctx, src); newsdesk.ErrorCode(err) {
		case "":
			added++
		case newsdesk.ECONFLICT:
			existing++
		case newsdesk.EINVALID:
			invalid++
			fmt.Fprintf(m.Stderr, "\nskipped %q: %s\n", name, newsdesk.ErrorMessage(err))
		default:
			return fmt.Errorf("sources import: %w", err)
		}
		bar.set(i + 1)
	}
	bar.done()
	fmt.Fprintf(m.Stdout, "imported %d sources (%d already followed, %d invalid)\n", added, existing, invalid)
	return nil
}

func (m *Main) exportOPML(ctx context.Context, st newsdesk.Store, cfg *Config) error {
	srcs, _, err := st.Sources(ctx, newsdesk.SourceFilter{})
	if err != nil {
		return err
	}
	var outs []opml.Outline
	for _, s := range srcs {
		if s.Kind != newsdesk.SourceFeed {
			continue
		}
		outs = append(outs, opml.Outline{Title: s.Name, XMLURL: s.URL, HTMLURL: s.SiteURL, Language: s.Language})
	}
	return opml.Write(m.Stdout, cfg.SiteName+" sources", outs)
}

// progress draws a one-line progress bar on a terminal and a line every
// tenth otherwise.
type progress struct {
	w           io.Writer
	label       string
	total, last int
	tty         bool
	started     time.Time
}

func newProgress(w io.Writer, label string, total int) *progress {
	f, ok := w.(*os.File)
	tty := false
	if ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progress{w: w, label: label, total: total, tty: tty, started: time.Now()}
}

func (p *progress) set(n int) {
	if p.total == 0 {
		return
	}
	if p.tty {
		const width = 30
		filled := n * width / p.total
		fmt.Fprintf(p.w, "\r%s [%s%s] %d/%d", p.label, strings.Repeat("=", filled), strings.Repeat(" ", width-filled), n, p.total)
		return
	}
	step := max(p.total/10, 1)
	if n-p.last >= step || n == p.total {
		p.last = n
		fmt.Fprintf(p.w, "%s %d/%d\n", p.label, n, p.total)
	}
}

func (p *progress) done() {
	if p.tty && p.total > 0 {
		fmt.Fprintf(p.w, " in %s\n", time.Since(p.started).Round(time.Millisecond))
	}
}
