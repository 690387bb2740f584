package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"newsdesk"
	"newsdesk/store/sqlite"
)

// Retention is what the site keeps, and for how long. Zero durations keep
// for ever. Expired admin sessions are always deleted.
type Retention struct {
	// Bodies: an article's body and text are kept this long after
	// publication; then only its headline, lede, link and metadata stay.
	Bodies time.Duration
	// ReadEvents: reader events (for recommendations and most-read lists)
	// are kept this long.
	ReadEvents time.Duration
	// Sections override Bodies for the articles whose primary section is
	// the section or below it (down to a section with its own rule).
	Sections []SectionRetention
}

// SectionRetention is a section's own body rule.
type SectionRetention struct {
	Section string // the section's slug
	Bodies  time.Duration
}

// Retention runs: the first an hour after serve starts (so that a restart
// loop does not strip bodies over and over), then daily.
const (
	retentionFirst = time.Hour
	retentionEvery = 24 * time.Hour
)

// bodyStep is one body rule resolved against the section tree.
type bodyStep struct {
	what     string // "every section but 2 with their own rules", `section "iran" (3 sections)`
	keep     time.Duration
	articles int64
}

// retentionReport is what one application of the rules did (or would do).
type retentionReport struct {
	DryRun     bool
	Bodies     []bodyStep
	ReadEvents int64
	Sessions   int64
	Space      *sqlite.Space
}

// Changed reports whether the site shows something different now.
func (r *retentionReport) Changed() bool {
	for _, b := range r.Bodies {
		if b.articles > 0 {
			return true
		}
	}
	return false
}

func (r *retentionReport) print(w io.Writer, rules Retention) {
	verb := func(done, would string) string {
		if r.DryRun {
			return would
		}
		return done
	}
	if len(r.Bodies) == 0 {
		fmt.Fprintln(w, "bodies: kept for ever (no retention.bodies rule)")
	}
	for _, b := range r.Bodies {
		fmt.Fprintf(w, "bodies older than %s, %s: %s %s\n", formatDays(b.keep), b.what, plural(int(b.articles), "article"), verb("stripped", "would be stripped"))
	}
	if rules.ReadEvents > 0 {
		fmt.Fprintf(w, "reader events older than %s: %d %s\n", formatDays(rules.ReadEvents), r.ReadEvents, verb("deleted", "would be deleted"))
	} else {
		fmt.Fprintln(w, "reader events: kept for ever (no retention.read_events rule)")
	}
	fmt.Fprintf(w, "expired admin sessions: %d %s\n", r.Sessions, verb("deleted", "would be deleted"))
	if s := r.Space; s != nil {
		fmt.Fprintf(w, "database: %s, %d free pages, auto_vacuum %s", byteSize(s.Bytes()), s.FreePages, s.AutoVacuum)
		if s.Reclaimed > 0 {
			fmt.Fprintf(w, ", %d pages (%s) given back", s.Reclaimed, byteSize(s.Reclaimed*s.PageSize))
		}
		fmt.Fprintln(w)
		if s.AutoVacuum == "none" && s.FreePages > 0 {
			fmt.Fprintln(w, "  free pages are reused by new articles; newsdesk retention --vacuum gives them back to the disk once (and switches to incremental mode)")
		}
	}
}

// applyRetention applies the rules once at now.
func applyRetention(ctx context.Context, st newsdesk.Store, rules Retention, now time.Time, dryRun bool) (*retentionReport, error) {
	rs, ok := st.(newsdesk.RetentionStore)
	if !ok {
		return nil, errors.New("retention: this database does not support retention")
	}
	rep := &retentionReport{DryRun: dryRun}
	steps, err := bodyRules(ctx, st, rules, now)
	if err != nil {
		return nil, err
	}
	for _, s := range steps {
		n, err := rs.StripBodies(ctx, s.rule, dryRun)
		if err != nil {
			return rep, fmt.Errorf("retention: %w", err)
		}
		s.step.articles = n
		rep.Bodies = append(rep.Bodies, s.step)
	}
	if rules.ReadEvents > 0 {
		before := now.Add(-rules.ReadEvents)
		if dryRun {
			rep.ReadEvents, err = rs.CountReadEvents(ctx, before)
		} else {
			rep.ReadEvents, err = st.PurgeReadEvents(ctx, before)
		}
		if err != nil {
			return rep, fmt.Errorf("retention: %w", err)
		}
	}
	if dryRun {
		rep.Sessions, err = rs.CountExpiredSessions(ctx, now)
	} else {
		rep.Sessions, err = rs.DeleteExpiredSessions(ctx, now)
	}
	if err != nil {
		return rep, fmt.Errorf("retention: %w", err)
	}
	if db, ok := st.(*sqlite.DB); ok {
		var sp sqlite.Space
		if dryRun {
			sp, err = db.Space(ctx)
		} else {
			sp, err = db.Compact(ctx)
		}
		if err != nil {
			return rep, fmt.Errorf("retention: %w", err)
		}
		rep.Space = &sp
	}
	return rep, nil
}

type resolvedRule struct {
	rule newsdesk.BodyRule
	step bodyStep
}

// bodyRules resolves the body rules against the section tree: a section
// rule governs its section and the sections below it, down to any that has
// its own rule; the global rule governs every article no section rule does
// (unfiled ones included).
func bodyRules(ctx context.Context, st newsdesk.Store, rules Retention, now time.Time) ([]resolvedRule, error) {
	var out []resolvedRule
	var governed []int64
	if len(rules.Sections) > 0 {
		secs, err := st.Sections(ctx)
		if err != nil {
			return nil, fmt.Errorf("retention: %w", err)
		}
		tree := newsdesk.NewSectionTree(secs)
		own := map[int64]bool{}
		for _, r := range rules.Sections {
			s := tree.BySlug(r.Section)
			if s == nil {
				return nil, fmt.Errorf("retention: no section %q (retention.sections)", r.Section)
			}
			own[s.ID] = true
		}
		for _, r := range rules.Sections {
			s := tree.BySlug(r.Section)
			ids := []int64{s.ID}
			var walk func(id int64)
			walk = func(id int64) {
				for _, c := range tree.Children(id) {
					if !own[c.ID] {
						ids = append(ids, c.ID)
						walk(c.ID)
					}
				}
			}
			walk(s.ID)
			governed = append(governed, ids...)
			if r.Bodies <= 0 {
				continue // kept for ever
			}
			out = append(out, resolvedRule{
				rule: newsdesk.BodyRule{Before: now.Add(-r.Bodies), Sections: ids},
				step: bodyStep{what: fmt.Sprintf("section %q (%s)", r.Section, plural(len(ids), "section")), keep: r.Bodies},
			})
		}
	}
	if rules.Bodies > 0 {
		what := "every article"
		if len(rules.Sections) > 0 {
			what = fmt.Sprintf("every article outside the %s with their own rule", plural(len(governed), "section"))
		}
		out = append([]resolvedRule{{
			rule: newsdesk.BodyRule{Before: now.Add(-rules.Bodies), Except: governed},
			step: bodyStep{what: what, keep: rules.Bodies},
		}}, out...)
	}
	return out, nil
}

// retention applies the configured rules once.
func (m *Main) retention(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("retention", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	cfg := m.flags(fs)
	dryRun := fs.Bool("dry-run", false, "say what would be removed, remove nothing")
	vacuum := fs.Bool("vacuum", false, "afterwards rebuild the SQLite file to its smallest size (blocks writers while it runs)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := applyRetention(ctx, st, cfg.Retention, time.Now(), *dryRun)
	if rep != nil {
		rep.print(m.Stdout, cfg.Retention)
	}
	if err != nil {
		return err
	}
	if *vacuum && !*dryRun {
		db, ok := st.(*sqlite.DB)
		if !ok {
			return errors.New("retention: --vacuum is for SQLite; PostgreSQL's autovacuum does this")
		}
		started := time.Now()
		sp, err := db.Vacuum(ctx)
		if err != nil {
			return fmt.Errorf("retention: %w", err)
		}
		fmt.Fprintf(m.Stdout, "vacuumed in %s: %s, %d pages given back, auto_vacuum %s\n",
			time.Since(started).Round(time.Millisecond), byteSize(sp.Bytes()), sp.Reclaimed, sp.AutoVacuum)
	}
	return nil
}

// retentionLoop applies the rules after first and then every interval
// until ctx ends, logging counts only (never reader ids or contents).
func retentionLoop(ctx context.Context, st newsdesk.Store, rules Retention, log *slog.Logger, first, every time.Duration, changed func()) {
	t := time.NewTimer(first)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		started := time.Now()
		rep, err := applyRetention(ctx, st, rules, started, false)
		if err != nil {
			log.Error("retention", slog.Any("error", err))
		}
		if rep != nil {
			var stripped int64
			for _, b := range rep.Bodies {
				stripped += b.articles
			}
			attrs := []any{slog.Int64("bodies_stripped", stripped), slog.Int64("read_events_deleted", rep.ReadEvents),
				slog.Int64("sessions_deleted", rep.Sessions), slog.Duration("took", time.Since(started))}
			if rep.Space != nil {
				attrs = append(attrs, slog.Int64("pages_reclaimed", rep.Space.Reclaimed))
			}
			log.Info("retention applied", attrs...)
			if rep.Changed() && changed != nil {
				changed()
			}
		}
		t.Reset(every)
	}
}
