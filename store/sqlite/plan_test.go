package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"newsdesk"
)

// scanTable matches a plan line reading a whole table (or a whole index
// of it without a bound), as opposed to an index range ("SEARCH").
var scanTable = regexp.MustCompile(`SCAN (a|articles|r|section_river|entity_river|x|article_entities|read_events)( USING (COVERING )?INDEX \S+)?$` +
	// An index range bound by status alone is every published article.
	`|SEARCH (a|articles) USING (COVERING )?INDEX articles_river \(status=\?\)$`)

func explain(t *testing.T, db *DB, query string, args []any) string {
	t.Helper()
	rows, err := db.reader.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", query, err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// TestQueryPlans checks that the queries behind the site's pages read
// index ranges: no scan of the articles or of a river, the expected index
// in use, and lists read in index order (no sort of the matches) where
// the index gives the order. The front page may walk its partial index
// from the newest end: that walk stops at the page's end.
func TestQueryPlans(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sec, ent, src, story := int64(1), int64(2), int64(3), int64(4)
	since := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	until := since.Add(30 * 24 * time.Hour)

	lists := []struct {
		name    string
		f       newsdesk.ArticleFilter
		uses    string // an index or table the plan must name
		ordered bool   // the page is read in index order, unsorted
		scanOK  string // a full index walk allowed (ordered, stops at the limit)
	}{
		{"front page", newsdesk.ArticleFilter{ExcludeDuplicates: true, Limit: 20}, "articles_river_unique", true, "articles_river_unique"},
		{"front page 5", newsdesk.ArticleFilter{ExcludeDuplicates: true, Offset: 80, Limit: 20}, "articles_river_unique", true, "articles_river_unique"},
		{"all published", newsdesk.ArticleFilter{Limit: 20}, "articles_river", true, "articles_river"},
		{"news sitemap", newsdesk.ArticleFilter{Since: &since, ExcludeDuplicates: true, Limit: 1000}, "articles_river_unique", true, ""},
		{"section", newsdesk.ArticleFilter{SectionID: &sec, ExcludeDuplicates: true, Limit: 20}, "SEARCH r USING PRIMARY KEY", true, ""},
		{"section since", newsdesk.ArticleFilter{SectionID: &sec, Since: &since, Limit: 30}, "SEARCH r USING PRIMARY KEY", true, ""},
		{"entity", newsdesk.ArticleFilter{EntityID: &ent, ExcludeDuplicates: true, Limit: 20}, "SEARCH r USING PRIMARY KEY", true, ""},
		{"entity oldest", newsdesk.ArticleFilter{EntityID: &ent, Oldest: true, Limit: 20}, "SEARCH r USING PRIMARY KEY", true, ""},
		{"any entity since", newsdesk.ArticleFilter{AnyEntity: []int64{1, 2, 3, 4, 5}, Since: &since, Limit: 60}, "SEARCH r USING PRIMARY KEY (entity_id=?", false, ""},
		{"any entity", newsdesk.ArticleFilter{AnyEntity: []int64{1, 2}, ExcludeDuplicates: true, Limit: 10}, "SEARCH r USING PRIMARY KEY (entity_id=?", false, ""},
		{"entity and section", newsdesk.ArticleFilter{EntityID: &ent, SectionID: &sec, Limit: 20}, "SEARCH r USING PRIMARY KEY", true, ""},
		{"source", newsdesk.ArticleFilter{SourceID: &src, Limit: 20}, "articles_source_river", true, ""},
		{"story", newsdesk.ArticleFilter{StoryID: &story, Oldest: true, Limit: 11}, "articles_story", false, ""},
		{"ids", newsdesk.ArticleFilter{IDs: []int64{1, 2, 3}, ExcludeDuplicates: true, Limit: 3}, "INTEGER PRIMARY KEY", false, ""},
		// The related articles' pools: the site's and a section's river
		// around the article's days.
		{"days", newsdesk.ArticleFilter{Since: &since, Before: &until, Limit: 60}, "SEARCH a USING COVERING INDEX articles_river (status=? AND published_at>? AND published_at<?)", true, ""},
		{"section days", newsdesk.ArticleFilter{SectionID: &sec, Since: &since, Before: &until, Limit: 60}, "SEARCH r USING PRIMARY KEY (section_id=? AND published_at>? AND published_at<?)", true, ""},
		{"story newest", newsdesk.ArticleFilter{StoryID: &story, Limit: 20}, "articles_story", false, ""},
	}
	check := func(t *testing.T, plan, scanOK string) {
		t.Helper()
		for _, line := range strings.Split(plan, "\n") {
			if scanTable.MatchString(line) && (scanOK == "" || !strings.Contains(line, scanOK)) {
				t.Errorf("plan scans: %q\n%s", line, plan)
			}
		}
	}
	for _, tc := range lists {
		t.Run(tc.name, func(t *testing.T) {
			q := articlesQuery(tc.f)
			page := explain(t, db, q.page, q.pageArgs)
			check(t, page, tc.scanOK)
			if !strings.Contains(page, tc.uses) {
				t.Errorf("plan does not use %s:\n%s", tc.uses, page)
			}
			if tc.ordered && strings.Contains(page, "TEMP B-TREE") {
				t.Errorf("page sorted, not read in index order:\n%s", page)
			}
			check(t, explain(t, db, q.pageSQL(tc.f.Oldest, false), q.pageArgs), tc.scanOK)
			check(t, explain(t, db, q.pageSQL(tc.f.Oldest, true), q.pageArgs), tc.scanOK)
			check(t, explain(t, db, q.briefSQL(tc.f.Oldest), q.pageArgs), tc.scanOK)
			check(t, explain(t, db, countSQL(q.rows, 10000), q.rowArgs), tc.scanOK)
		})
	}

	searches := []struct {
		name string
		q    newsdesk.SearchQuery
		key  string // the river a dense query walks: an index range
	}{
		{"relevance", newsdesk.SearchQuery{Text: "oil", Limit: 20}, "articles_river"},
		{"newest", newsdesk.SearchQuery{Text: "oil prices", Sort: newsdesk.SortNewest, Limit: 20}, "articles_river"},
		{"dates", newsdesk.SearchQuery{Text: "oil", From: &since, To: &until, Limit: 20}, "articles_river"},
		{"dates newest", newsdesk.SearchQuery{Text: "oil", From: &since, Sort: newsdesk.SortNewest, Limit: 20}, "articles_river"},
		{"section", newsdesk.SearchQuery{Text: "oil", SectionID: &sec, From: &since, Limit: 20}, "SEARCH r USING PRIMARY KEY (section_id=? AND published_at>?"},
		{"source", newsdesk.SearchQuery{Text: "oil", SourceID: &src, Sort: newsdesk.SortNewest, Limit: 20}, "articles_source_river"},
		{"entity source", newsdesk.SearchQuery{Text: "oil", EntityID: &ent, SourceID: &src, Limit: 20}, "SEARCH r USING PRIMARY KEY (entity_id=?"},
	}
	// ftsDriven checks that the full-text index drives a plan and that
	// articles are looked up in articles_search alone. ranged says the
	// full-text scan is bounded by rowid (FTS5 writes the constraints of
	// its plan after "M": '>' and '<' for a rowid range).
	ftsDriven := func(t *testing.T, plan string, ranged bool) {
		t.Helper()
		check(t, plan, "")
		first := ""
		for _, l := range strings.Split(plan, "\n") {
			if strings.Contains(l, "SCAN") || strings.Contains(l, "SEARCH") {
				first = l
				break
			}
		}
		if !strings.Contains(first, "search VIRTUAL TABLE") {
			t.Errorf("the full-text index does not drive the query:\n%s", plan)
		}
		if ranged && !regexp.MustCompile(`VIRTUAL TABLE INDEX \d+:M\d*[<>=]*(>[<=]*<|<[>=]*>)`).MatchString(first) {
			t.Errorf("the full-text scan is not a rowid range:\n%s", plan)
		}
		if !strings.Contains(plan, "SEARCH a USING COVERING INDEX articles_search (id=?") {
			t.Errorf("articles not checked in articles_search alone:\n%s", plan)
		}
		if strings.Contains(plan, "articles_river") {
			t.Errorf("full-text plan walks a date index:\n%s", plan)
		}
	}
	for _, tc := range searches {
		t.Run("search "+tc.name, func(t *testing.T) {
			p := newSearchPlan(tc.q, matchExpr(tc.q.Text))
			// Sparse: the matches, with the page's order and the count.
			ftsDriven(t, explain(t, db, p.matches("a.id, a.published_at, "+bm25Rank+" AS score")+p.order()+limitOffset(20, 0), p.args), false)
			ftsDriven(t, explain(t, db, countSQL(p.matches("1"), 1000), p.args), false)
			// Dense: the river newest first, in index order.
			rargs := append(p.rargs, sql.Named("cp", 1), sql.Named("ci", 1), sql.Named("n", 100))
			river := explain(t, db, p.river, rargs)
			check(t, river, "")
			if !strings.Contains(river, tc.key) || strings.Contains(river, "TEMP B-TREE") {
				t.Errorf("river not read in order from %s:\n%s", tc.key, river)
			}
			// and the matches within ranges of its IDs.
			args := append(p.args, sql.Named("lo", 1), sql.Named("hi", 2), sql.Named("klp", 1), sql.Named("kli", 1), sql.Named("khp", 2), sql.Named("khi", 2))
			ftsDriven(t, explain(t, db, p.matches("a.id, a.published_at, 0", "search.rowid BETWEEN :lo AND :hi",
				"(a.published_at, a.id) >= (:klp, :kli)", "(a.published_at, a.id) <= (:khp, :khi)"), args), true)
			// Dense by relevance: the newest matches by ID, read in the
			// full-text index's order and cut at the limit (no sort).
			recent := explain(t, db, p.matches("a.id, a.published_at, 0", "search.rowid > :floor")+" ORDER BY search.rowid DESC LIMIT 200",
				append(p.args, sql.Named("floor", 1)))
			ftsDriven(t, recent, false)
			if !regexp.MustCompile(`VIRTUAL TABLE INDEX \d+:M\d*[<=]*>`).MatchString(recent) {
				t.Errorf("the newest matches are not read from the window's first ID:\n%s", recent)
			}
			if strings.Contains(recent, "TEMP B-TREE") {
				t.Errorf("the newest matches are sorted, not read in order:\n%s", recent)
			}
		})
	}

	// Storing a batch refreshes the rivers of its articles: the listed
	// articles drive those statements, whatever the statistics say (a new
	// database has none until PRAGMA optimize gathers them).
	t.Run("river refresh", func(t *testing.T) {
		for name, query := range map[string]string{
			"section river": fmt.Sprintf(sectionRiverInsert, riverListed("article_sections")),
			"entity river":  fmt.Sprintf(entityRiverInsert, riverListed("article_entities")),
		} {
			plan := explain(t, db, query, []any{"[1,2,3]"})
			check(t, plan, "")
			if !strings.Contains(plan, "SEARCH a USING INTEGER PRIMARY KEY (rowid=?)") {
				t.Errorf("%s: articles not read by ID:\n%s", name, plan)
			}
		}
	})

	t.Run("search place scores", func(t *testing.T) {
		args := []any{sql.Named("match", `"oil"`), sql.Named("lo", 1), sql.Named("hi", 9), sql.Named("ids", "[1,9]"), sql.Named("open", "<"), sql.Named("close", ">")}
		for name, query := range map[string]string{"place scores": placeScoresSQL, "snippets": snippetSQL} {
			plan := explain(t, db, query, args[:len(args)-2+2*strings.Count(query, ":open")])
			if scanTable.MatchString(plan) || !regexp.MustCompile(`SCAN search VIRTUAL TABLE INDEX \d+:M\d*(>[<=]*<|<[>=]*>)`).MatchString(plan) {
				t.Errorf("%s do not read a rowid range of the full-text index:\n%s", name, plan)
			}
		}
	})

	t.Run("most read", func(t *testing.T) {
		for _, sec := range []int64{0, 1} {
			for _, from := range []time.Time{since, {}} {
				query, args := mostReadQuery(sec, from, 10)
				plan := explain(t, db, query, args)
				if !strings.Contains(plan, "SEARCH read_events USING COVERING INDEX read_events_at (at>") {
					t.Errorf("most read does not read the time index:\n%s", plan)
				}
				if !from.IsZero() && !strings.Contains(plan, "SEARCH read_days USING PRIMARY KEY (day>?)") {
					t.Errorf("most read does not sum whole days from read_days:\n%s", plan)
				}
				if scanTable.MatchString(plan) || strings.Contains(plan, "SCAN a\n") || strings.Contains(plan, "SCAN x") || strings.Contains(plan, "SCAN read_days") {
					t.Errorf("most read scans:\n%s", plan)
				}
			}
		}
	})
}

// Ingest looks every new article's fingerprint up: that must be an index
// lookup, or each stored article costs more as the table grows.
func TestFingerprintPlan(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	plan := explain(t, db, `SELECT `+articleCols+articleFrom+byFingerprint, []any{"f"})
	if scanTable.MatchString(plan) || !strings.Contains(plan, "fingerprint") {
		t.Errorf("fingerprint lookup does not use its index:\n%s", plan)
	}
}

// The home page reads the editors' picks: a walk over the picks, each
// article found by its key, never a walk over the published articles.
func TestPicksPlan(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	plan := explain(t, db, picksSQL(activePicks), []any{int64(0)})
	first, _, _ := strings.Cut(plan, "\n")
	if !strings.HasPrefix(first, "SCAN p") || !strings.Contains(plan, "SEARCH a USING INTEGER PRIMARY KEY") {
		t.Errorf("picks are not the outer loop:\n%s", plan)
	}
}

// TestStatisticsGathered checks that a long-running process gathers the
// planner's statistics: once optimizeEvery has passed, the next write
// runs PRAGMA optimize, and a table that has grown gets its statistics.
func TestStatisticsGathered(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "stats.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	src := &newsdesk.Source{Name: "Wire", Kind: newsdesk.SourceFeed, URL: "https://wire.example/feed"}
	if err := db.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	analysed := func() int {
		var n int
		if err := db.writer.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'articles'`).Scan(&n); err != nil {
			return 0 // no sqlite_stat1 yet
		}
		return n
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	store := func(from, n int) {
		t.Helper()
		batch := make([]*newsdesk.Article, n)
		for i := range batch {
			batch[i] = &newsdesk.Article{GUID: fmt.Sprint(from + i), Headline: fmt.Sprintf("Report %d", from+i),
				PublishedAt: at.Add(time.Duration(from+i) * time.Minute)}
		}
		if _, err := db.UpsertArticles(ctx, src.ID, batch); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 2000; i += 100 {
		store(i, 100)
	}
	if n := analysed(); n != 0 {
		t.Fatalf("articles analysed within the first hour (%d rows of statistics); the test cannot tell", n)
	}
	db.optimized.Store(time.Now().Add(-2 * optimizeEvery).Unix())
	store(2000, 1)
	if analysed() == 0 {
		t.Error("no statistics for articles after an hour of writes")
	}
	if since := time.Now().Unix() - db.optimized.Load(); since > 60 {
		t.Errorf("optimize not recorded as run (%d s ago)", since)
	}
}
