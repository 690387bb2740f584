package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"newsdesk"
	"newsdesk/index"
	"newsdesk/store/postgres"
)

// migrate opens the database, which applies any pending migration; with
// --from and --to it copies a whole SQLite site into PostgreSQL.
func (m *Main) migrate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	cfg := m.flags(fs)
	from := fs.String("from", "", "copy this site (sqlite:PATH) …")
	to := fs.String("to", "", "… into this empty PostgreSQL database (postgres://…)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*from == "") != (*to == "") {
		return &exitError{2, errors.New("migrate: --from and --to go together")}
	}
	if *from != "" {
		return m.copySite(ctx, *from, *to)
	}
	st, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(m.Stdout, "database %s is up to date\n", redactDSN(cfg.DB))
	return nil
}

// copySite copies every source, section, entity, article (IDs kept), story,
// pick, user and reading event of a SQLite site into PostgreSQL, then
// builds the search index there.
func (m *Main) copySite(ctx context.Context, from, to string) error {
	if !strings.HasPrefix(from, "sqlite:") {
		return &exitError{2, fmt.Errorf("migrate: --from must be sqlite:PATH, got %q", from)}
	}
	if !strings.HasPrefix(to, "postgres://") && !strings.HasPrefix(to, "postgresql://") {
		return &exitError{2, fmt.Errorf("migrate: --to must be a postgres:// URL")}
	}
	src, err := openStore(ctx, from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, to)
	if err != nil {
		return fmt.Errorf("open database %s: %w", redactDSN(to), err)
	}
	defer dst.Close()
	started := time.Now()
	var bar *progress
	stage := ""
	err = dst.CopyFrom(ctx, src, func(s string, done, total int) {
		if s != stage {
			if bar != nil {
				bar.done()
			}
			stage, bar = s, newProgress(m.Stderr, "copying "+s, total)
		}
		bar.set(done)
	})
	if bar != nil {
		bar.done()
	}
	if err != nil {
		return fmt.Errorf("migrate: copy: %w", err)
	}
	// The search index is rebuilt rather than copied: PostgreSQL keeps its
	// own weighted documents.
	idx := index.New(dst)
	_, total, err := dst.Articles(ctx, newsdesk.ArticleFilter{Limit: 1})
	if err != nil {
		return err
	}
	bar = newProgress(m.Stderr, "indexing", total)
	for offset := 0; offset < total; offset += 500 {
		arts, _, err := dst.Articles(ctx, newsdesk.ArticleFilter{Oldest: true, Offset: offset, Limit: 500, NoTotal: true})
		if err != nil {
			return err
		}
		if err := idx.Index(ctx, arts); err != nil {
			return fmt.Errorf("migrate: index: %w", err)
		}
		bar.set(min(offset+len(arts), total))
	}
	bar.done()
	fmt.Fprintf(m.Stdout, "copied %s into %s in %s\n", strings.TrimPrefix(from, "sqlite:"), redactDSN(to), time.Since(started).Round(time.Millisecond))
	return nil
}
