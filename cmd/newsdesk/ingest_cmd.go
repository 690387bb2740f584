package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"newsdesk"
	"newsdesk/ingest"
)

// ingest runs ingest workers: one pass with --once, one source with
// --source N (optionally --dry-run, which stores nothing), or a loop.
func (m *Main) ingest(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	cfg := m.flags(fs)
	once := fs.Bool("once", false, "make one pass over the sources that are due, then exit")
	sourceID := fs.Int64("source", 0, "fetch only this source, now, whether due or not")
	dryRun := fs.Bool("dry-run", false, "with --source: run the pipeline and print the articles without storing them")
	workers := fs.Int("workers", cfg.Workers, "sources fetched concurrently (env NEWSDESK_WORKERS)")
	quiet := fs.Bool("quiet", false, "no progress lines")
	fs.StringVar(&cfg.BaseURL, "base-url", cfg.BaseURL, "public URL of the site's web nodes, where WebSub hubs push (env NEWSDESK_BASE_URL)")
	leaseTTL := fs.Duration("lease-ttl", 10*time.Minute, "how long a source stays leased to this worker; a crashed worker's sources are taken over after it")
	tick := fs.Duration("tick", 30*time.Second, "without --once: how often the worker looks for due sources (and for sources a crashed worker left)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dryRun && *sourceID == 0 {
		return &exitError{2, fmt.Errorf("ingest: --dry-run needs --source N")}
	}
	log, err := cfg.logger(m)
	if err != nil {
		return err
	}
	st, err := cfg.openWriting(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	fc, err := newFetcher(cfg, log, nil)
	if err != nil {
		return err
	}
	enricher, err := buildEnricher(ctx, st, log)
	if err != nil {
		return err
	}

	if *sourceID != 0 {
		src, err := st.Source(ctx, *sourceID)
		if err != nil {
			return fmt.Errorf("ingest: source %d: %s", *sourceID, newsdesk.ErrorMessage(err))
		}
		var p *ingest.Pipeline
		if *dryRun {
			p = newPipeline(fc, nil, enricher, log)
		} else {
			p = newPipeline(fc, st, enricher, log)
		}
		res, err := p.RunSource(ctx, src)
		if res != nil {
			for _, w := range res.Warnings {
				fmt.Fprintln(m.Stderr, "warning:", w)
			}
			if *dryRun {
				for _, a := range res.Articles {
					fmt.Fprintf(m.Stdout, "%s\t%s\t%s\t%s\n", a.PublishedAt.Format(time.RFC3339), a.URL, sectionNames(a), a.Headline)
				}
			} else {
				fmt.Fprintf(m.Stdout, "source %d: %d items, %d new, %d updated, %d skipped\n", src.ID, res.Items, res.Created, res.Updated, res.Skipped)
			}
		}
		if err != nil {
			return fmt.Errorf("ingest: source %d: %w", src.ID, err)
		}
		return nil
	}

	p := newPipeline(fc, st, enricher, log)
	sched := &ingest.Scheduler{Pipeline: p, Sources: st, Owner: leaseOwner(), Workers: *workers, Logger: log, LeaseTTL: *leaseTTL, Tick: *tick}
	if !*once {
		// A worker subscribes to the hubs its feeds name; the hubs push to
		// the web nodes at --base-url, which run the same pipeline.
		ws := wireWebSub(ctx, cfg.BaseURL, st, fc, p, log)
		defer ws.close()
		fmt.Fprintln(m.Stderr, "newsdesk: ingest worker running; Ctrl-C stops it")
		return sched.Run(ctx)
	}
	started := time.Now()
	progress := func(done int, src *newsdesk.Source, res *ingest.Result, err error) {
		if *quiet {
			return
		}
		status := "ok"
		switch {
		case err != nil:
			status = "error: " + err.Error()
		case res != nil && res.NotModified:
			status = "not modified"
		case res != nil:
			status = fmt.Sprintf("%d items, %d new, %d updated", res.Items, res.Created, res.Updated)
		}
		fmt.Fprintf(m.Stderr, "[%d] %s: %s\n", done, src.Name, status)
	}
	sum, err := sched.RunOnce(ctx, progress)
	fmt.Fprintf(m.Stdout, "%d sources (%d failed, %d not modified), %d items, %d new, %d updated in %s\n",
		sum.Sources, sum.Failed, sum.NotModified, sum.Items, sum.Created, sum.Updated, time.Since(started).Round(time.Millisecond))
	return err
}

func sectionNames(a *newsdesk.Article) string {
	s := ""
	for i, sec := range a.Sections {
		if i > 0 {
			s += ","
		}
		s += sec.Slug
	}
	if s == "" {
		return "-"
	}
	return s
}
