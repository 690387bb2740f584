package sqlite

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"newsdesk"
)

// scanTable matches a plan line reading a whole table (or a whole index
// of it without a bound), as opposed to an index range ("SEARCH").
var scanTable = regexp.MustCompile(`SCAN (a|articles|r|section_river|entity_river|x|article_entities|read_events)( USING (COVERING )?INDEX \S+)?$`)

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
		{"all published", newsdesk.ArticleFilter{Limit: 20}, "articles_river", true, ""},
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
			check(t, explain(t, db, q.pageSQL(tc.f.Oldest), q.pageArgs), tc.scanOK)
			check(t, explain(t, db, countSQL(q.rows, 10000), q.rowArgs), tc.scanOK)
		})
	}

	searches := []struct {
		name string
		q    newsdesk.SearchQuery
	}{
		{"relevance", newsdesk.SearchQuery{Text: "oil", Limit: 20}},
		{"newest", newsdesk.SearchQuery{Text: "oil prices", Sort: newsdesk.SortNewest, Limit: 20}},
		{"dates", newsdesk.SearchQuery{Text: "oil", From: &since, To: &until, Limit: 20}},
		{"dates newest", newsdesk.SearchQuery{Text: "oil", From: &since, Sort: newsdesk.SortNewest, Limit: 20}},
		{"section", newsdesk.SearchQuery{Text: "oil", SectionID: &sec, From: &since, Limit: 20}},
		{"entity source", newsdesk.SearchQuery{Text: "oil", EntityID: &ent, SourceID: &src, Limit: 20}},
	}
	for _, tc := range searches {
		t.Run("search "+tc.name, func(t *testing.T) {
			q := searchQuery(tc.q, matchExpr(tc.q.Text))
			for _, sql := range []string{q.page, countSQL(q.rows, 1000)} {
				plan := explain(t, db, sql, q.pageArgs[:strings.Count(sql, "?")])
				check(t, plan, "")
				// The full-text matches drive; articles are looked up by ID.
				lines := strings.Split(plan, "\n")
				first := ""
				for _, l := range lines {
					if strings.Contains(l, "SCAN") || strings.Contains(l, "SEARCH") {
						first = l
						break
					}
				}
				if !strings.Contains(first, "search VIRTUAL TABLE") {
					t.Errorf("the full-text index does not drive the query:\n%s", plan)
				}
				if strings.Contains(plan, "articles_river") {
					t.Errorf("search walks a date index:\n%s", plan)
				}
			}
		})
	}

	t.Run("most read", func(t *testing.T) {
		for _, sec := range []int64{0, 1} {
			query, args := mostReadQuery(sec, since, 10)
			plan := explain(t, db, query, args)
			if !strings.Contains(plan, "read_events_at") {
				t.Errorf("most read does not read the time index:\n%s", plan)
			}
			if scanTable.MatchString(plan) || strings.Contains(plan, "SCAN a\n") || strings.Contains(plan, "SCAN x") {
				t.Errorf("most read scans:\n%s", plan)
			}
		}
	})
}
