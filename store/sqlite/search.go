package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"

	"newsdesk"
	"newsdesk/store"
)

// Column weights of bm25, in the column order of the search table:
// headline, lede, body, entities.
const bm25Rank = `bm25(search, 10.0, 3.0, 1.0, 5.0)`

// snippetTokens is the length of a search snippet in tokens.
const snippetTokens = 24

// IndexArticles adds or replaces the documents, keyed by article ID.
func (db *DB) IndexArticles(ctx context.Context, docs []newsdesk.SearchDoc) error {
	if len(docs) == 0 {
		return nil
	}
	err := db.tx(ctx, func(tx *sql.Tx) error { return indexDocs(ctx, tx, docs) })
	if err != nil {
		return fmt.Errorf("index articles: %w", err)
	}
	return nil
}

// indexDocs adds or replaces the documents in transaction tx.
func indexDocs(ctx context.Context, tx *sql.Tx, docs []newsdesk.SearchDoc) error {
	if len(docs) == 0 {
		return nil
	}
	del, err := tx.PrepareContext(ctx, `DELETE FROM search WHERE rowid = ?`)
	if err != nil {
		return err
	}
	defer del.Close()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO search (rowid, headline, lede, body, entities) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	for _, d := range docs {
		if d.ArticleID == 0 {
			return newsdesk.Errorf(newsdesk.EINVALID, "Search document without article ID.")
		}
		if _, err := del.ExecContext(ctx, d.ArticleID); err != nil {
			return err
		}
		if _, err := ins.ExecContext(ctx, d.ArticleID, d.Headline, d.Lede, d.Body, d.Entities); err != nil {
			return err
		}
	}
	return nil
}

// matchExpr turns user text into an FTS5 expression in which every term is
// a quoted string: words ANDed, phrases kept. No input can inject FTS5
// syntax. It returns "" when the text has no word.
func matchExpr(text string) string {
	return strings.Join(matchPhrases(text), " ")
}

// matchPhrases is the quoted FTS5 strings of matchExpr, one per word or
// phrase.
func matchPhrases(text string) []string {
	terms := store.ParseQuery(text)
	parts := make([]string, 0, len(terms))
	for _, t := range terms {
		parts = append(parts, `"`+strings.ReplaceAll(strings.Join(t.Words, " "), `"`, `""`)+`"`)
	}
	return parts
}

// Plans of a search. bm25 counts the documents of each word or phrase of
// the query once per query, by reading all of them: for a word in most
// articles that costs as much as reading the whole index, however few
// matches are ranked. So bm25 ranks only queries whose every word and
// phrase matches fewer than searchDense documents, over all their
// full-text matches (each checked against articles_search, a narrow
// index, never the article rows). A query with a denser word is read
// newest first instead: by date, the river of its section, entity or
// source (or all published articles) is walked in chunks, each matched
// against the full-text index by ranges of article IDs, until the page is
// full; by relevance, its newest searchRecent matches (highest IDs, which
// follow arrival, among the newest searchWalkMax/5 articles, or four times
// as many when those do not fill the page; or, when a filter bounds it,
// the newest by the walk) are the candidates, scored from where the words
// are (headline before lede before the rest) and the page taken from
// them. Such a query's total, when capped by MaxTotal, is counted among
// the articles its matches were looked for in, and then only a lower
// bound (TotalCapped).
const (
	searchDense   = 4000
	searchWalkMax = 50000
	// searchRecent is how many of a dense query's newest matches are
	// ranked by relevance.
	searchRecent = 200
	// searchRunGap is the widest gap between the IDs of a chunk of the
	// river that one ID range may span; searchRunsMax is how many ranges
	// a chunk may take before one range spans it all.
	searchRunGap  = 128
	searchRunsMax = 32
)

// searchLimits returns searchDense and searchWalkMax, or the values a
// test set in their place.
func (db *DB) searchLimits() (dense, walkMax int) {
	if db.testSearchDense > 0 {
		return db.testSearchDense, db.testSearchWalkMax
	}
	return searchDense, searchWalkMax
}

// searchHit is a match chosen for a page, before its row is read.
type searchHit struct {
	id, published int64
	score         float64
}

// searchPlan is a query's match, filters and river.
type searchPlan struct {
	q       newsdesk.SearchQuery
	match   string
	conds   []string // on search and a (articles_search), with named args
	args    []any
	river   string // newest first from the river: rows (id, published_at)
	rargs   []any
	bounded bool // the river is not every published article
}

func newSearchPlan(q newsdesk.SearchQuery, match string) *searchPlan {
	p := &searchPlan{q: q, match: match}
	add := func(cond string, name string, v any) {
		p.conds, p.args = append(p.conds, cond), append(p.args, sql.Named(name, v))
	}
	p.args = []any{sql.Named("match", match)}
	p.conds = []string{"search MATCH :match", "a.status = 'published'"}
	var rconds []string
	radd := func(cond string, name string, v any) {
		rconds, p.rargs = append(rconds, cond), append(p.rargs, sql.Named(name, v))
	}
	if q.SectionID != nil {
		add("EXISTS (SELECT 1 FROM section_river x WHERE x.section_id = :section AND x.published_at = a.published_at AND x.article_id = a.id)", "section", *q.SectionID)
	}
	if q.SourceID != nil {
		add("a.source_id = :source", "source", *q.SourceID)
	}
	if q.EntityID != nil {
		add("EXISTS (SELECT 1 FROM article_entities x WHERE x.article_id = a.id AND x.entity_id = :entity)", "entity", *q.EntityID)
	}
	if q.From != nil {
		add("a.published_at >= :from", "from", tm(*q.From))
		radd("r.published_at >= :from", "from", tm(*q.From))
	}
	if q.To != nil {
		add("a.published_at <= :to", "to", tm(*q.To))
		radd("r.published_at <= :to", "to", tm(*q.To))
	}
	p.bounded = q.From != nil || q.To != nil || q.SectionID != nil || q.EntityID != nil || q.SourceID != nil
	var from string
	switch {
	case q.EntityID != nil:
		from = "SELECT r.article_id AS id, r.published_at AS published_at FROM entity_river r WHERE r.entity_id = :rkey"
		p.rargs = append(p.rargs, sql.Named("rkey", *q.EntityID))
	case q.SectionID != nil:
		from = "SELECT r.article_id AS id, r.published_at AS published_at FROM section_river r WHERE r.section_id = :rkey"
		p.rargs = append(p.rargs, sql.Named("rkey", *q.SectionID))
	case q.SourceID != nil:
		from = "SELECT r.id AS id, r.published_at AS published_at FROM articles r INDEXED BY articles_source_river WHERE r.source_id = :rkey AND r.status = 'published'"
		p.rargs = append(p.rargs, sql.Named("rkey", *q.SourceID))
	default:
		from = "SELECT r.id AS id, r.published_at AS published_at FROM articles r INDEXED BY articles_river WHERE r.status = 'published'"
	}
	idCol := "r.id"
	if q.EntityID != nil || q.SectionID != nil {
		idCol = "r.article_id"
	}
	for _, c := range rconds {
		from += " AND " + c
	}
	p.river = from + " AND (r.published_at, " + idCol + ") < (:cp, :ci) ORDER BY r.published_at DESC, " + idCol + " DESC LIMIT :n"
	return p
}

// matches is the full-text matches with their articles' checks: one row
// per match, a being the article (from articles_search alone). extra are
// further conditions.
func (p *searchPlan) matches(cols string, extra ...string) string {
	return `SELECT ` + cols + ` FROM search CROSS JOIN articles a INDEXED BY articles_search ON a.id = search.rowid WHERE ` +
		strings.Join(append(p.conds[:len(p.conds):len(p.conds)], extra...), " AND ")
}

// order is the order of a plan's hits.
func (p *searchPlan) order() string {
	if p.q.Sort == newsdesk.SortNewest {
		return " ORDER BY a.published_at DESC, a.id DESC"
	}
	return " ORDER BY score, a.published_at DESC, a.id DESC"
}

// Search runs a full-text query over published articles. EINVALID when the
// text has no word to look for. From and To bound PublishedAt, both
// inclusive. Hits are ordered by score (then newest first), or newest
// first. The total is counted only when the page is full, up to MaxTotal
// when set, and not at all with NoTotal (it is then -1). Only the page's
// rows are read whole and given a snippet. See searchDense for the plans.
func (db *DB) Search(ctx context.Context, q newsdesk.SearchQuery) (*newsdesk.SearchResult, error) {
	match := matchExpr(q.Text)
	if match == "" {
		return nil, newsdesk.Errorf(newsdesk.EINVALID, "Search for at least one word.")
	}
	p := newSearchPlan(q, match)
	offset := max(q.Offset, 0)
	res := &newsdesk.SearchResult{}
	var page []searchHit
	total, counted := 0, false
	done, isDense := false, false
	var floor int64 // the lowest ID a dense query was looked for from
	capped := false // total counts the matches from floor on only
	if q.Limit > 0 {
		dense, walkMax := db.searchLimits()
		var err error
		isDense, err = db.searchIsDense(ctx, q.Text, dense)
		if err != nil {
			return nil, fmt.Errorf("search %q: %w", q.Text, err)
		}
		if isDense {
			if q.Sort == newsdesk.SortNewest {
				page, total, counted, done, err = db.searchWalk(ctx, p, walkMax)
				if err == nil && done {
					err = db.searchPlaceScores(ctx, match, page)
				}
			} else {
				var all int
				page, floor, all, err = db.searchRecentRanked(ctx, p, walkMax, walkMax/5)
				if all >= 0 && (floor == 0 || q.MaxTotal > 0) {
					// Every match from floor on is a candidate: counted
					// (a lower bound when floor cuts, which only a capped
					// count allows).
					total, counted, capped = all, true, floor > 0
				}
				done = true
			}
			if err != nil {
				return nil, fmt.Errorf("search %q: %w", q.Text, err)
			}
		}
	}
	if !done {
		// A dense query gets here by date only, when its walk gave up:
		// no bm25 then, the page is scored alone.
		score := bm25Rank
		if isDense {
			score = "0"
		}
		rows, err := db.r.QueryContext(ctx, p.matches("a.id, a.published_at, "+score+" AS score")+p.order()+limitOffset(q.Limit, offset), p.args...)
		if err != nil {
			return nil, fmt.Errorf("search %q: %w", q.Text, err)
		}
		page, err = scanHits(rows)
		if err == nil && isDense {
			err = db.searchPlaceScores(ctx, match, page)
		}
		if err != nil {
			return nil, fmt.Errorf("search %q: %w", q.Text, err)
		}
	}
	var err error
	if res.Hits, err = db.searchPage(ctx, match, page, q.Cards); err != nil {
		return nil, fmt.Errorf("search %q: %w", q.Text, err)
	}
	if q.NoTotal {
		res.Total = -1
		return res, nil
	}
	res.Total = len(res.Hits) + offset
	if capped {
		// Matches may be older than the window: a lower bound, full page
		// or not.
		res.Total, res.TotalCapped = max(total, res.Total), true
	} else if q.Limit > 0 && len(res.Hits) == q.Limit || offset > 0 && len(res.Hits) == 0 {
		switch {
		case counted:
			res.Total = total
		case floor > 0 && q.MaxTotal > 0:
			// Counted where the matches were looked for: a lower bound,
			// unless it reaches MaxTotal anyway.
			args := append(p.args[:len(p.args):len(p.args)], sql.Named("floor", floor))
			n, err := db.count(ctx, p.matches("1", "search.rowid > :floor"), q.MaxTotal, args)
			if err != nil {
				return nil, fmt.Errorf("count search %q: %w", q.Text, err)
			}
			res.Total, res.TotalCapped = max(n, res.Total), true
		default:
			if res.Total, err = db.count(ctx, p.matches("1"), q.MaxTotal, p.args); err != nil {
				return nil, fmt.Errorf("count search %q: %w", q.Text, err)
			}
		}
	}
	if q.MaxTotal > 0 && res.Total >= q.MaxTotal {
		res.Total, res.TotalCapped = q.MaxTotal, true
	}
	return res, nil
}

func scanHits(rows *sql.Rows) ([]searchHit, error) {
	defer rows.Close()
	var out []searchHit
	for rows.Next() {
		var h searchHit
		if err := rows.Scan(&h.id, &h.published, &h.score); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// snippetSQL is the snippets of the articles of a JSON array of IDs
// within a range of IDs.
var snippetSQL = `SELECT rowid, snippet(search, -1, :open, :close, '…', ` + fmt.Sprint(snippetTokens) + `)
	FROM search WHERE search MATCH :match AND rowid BETWEEN :lo AND :hi AND +rowid IN (SELECT value FROM json_each(:ids))`

// searchPage reads the articles of the hits, in order, with their snippets.
func (db *DB) searchPage(ctx context.Context, match string, page []searchHit, cards bool) ([]newsdesk.SearchHit, error) {
	if len(page) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(page))
	for i, h := range page {
		ids[i] = h.id
	}
	// The snippet needs the match again, for the page's rows only; a
	// snippet, unlike bm25, costs nothing per scan. The rows are read by
	// ranges of IDs, in one scan of the full-text index each, not sought
	// one by one.
	snippets := make(map[int64]string, len(page))
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	for _, r := range readRuns(sorted) {
		rows, err := db.r.QueryContext(ctx, snippetSQL, sql.Named("match", match), sql.Named("lo", r[0]), sql.Named("hi", r[1]),
			sql.Named("ids", jsonIDs(ids)), sql.Named("open", newsdesk.SnippetMarkStart), sql.Named("close", newsdesk.SnippetMarkEnd))
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var sn string
			if err := rows.Scan(&id, &sn); err != nil {
				rows.Close()
				return nil, err
			}
			snippets[id] = sn
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+columns(cards)+`
		FROM json_each(?) j CROSS JOIN articles a ON a.id = j.value LEFT JOIN sources s ON s.id = a.source_id ORDER BY j.key`, jsonIDs(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	score := make(map[int64]float64, len(page))
	for _, h := range page {
		score[h.id] = h.score
	}
	var hits []newsdesk.SearchHit
	var arts []*newsdesk.Article
	for rows.Next() {
		var h newsdesk.SearchHit
		a, err := scanArticle(rows)
		if err != nil {
			return nil, err
		}
		sn, ok := snippets[a.ID]
		if !ok {
			continue // no longer matching
		}
		h.Score, h.Article, h.Snippet = -score[a.ID], a, sn
		hits, arts = append(hits, h), append(arts, a)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if err := loadRefs(ctx, db.r, arts); err != nil {
		return nil, err
	}
	return hits, nil
}

// searchIsDense reports whether a word of the query (alone or in a
// phrase) is in dense documents or more: one count per word, each
// stopping at dense. A phrase of common words costs a reading of all
// their documents however rare the phrase.
func (db *DB) searchIsDense(ctx context.Context, text string, dense int) (bool, error) {
	for _, t := range store.ParseQuery(text) {
		for _, w := range t.Words {
			n, err := db.count(ctx, `SELECT 1 FROM search WHERE search MATCH ?`, dense, []any{`"` + strings.ReplaceAll(w, `"`, `""`) + `"`})
			if err != nil {
				return false, err
			}
			if n >= dense {
				return true, nil
			}
		}
	}
	return false, nil
}

// searchFloor is the lowest article ID of the recent window of a dense
// query: the newest window IDs (0 when that is all of them).
func (db *DB) searchFloor(ctx context.Context, window int) (int64, error) {
	var top sql.NullInt64
	if err := db.r.QueryRowContext(ctx, `SELECT max(id) FROM articles`).Scan(&top); err != nil {
		return 0, err
	}
	return max(top.Int64-int64(window), 0), nil
}

// searchRecentRanked ranks a dense query's newest matches by relevance
// and returns the page: at least searchRecent candidates (more when the
// page reaches past them), the highest IDs among the matches, or, when a
// filter bounds the query, the newest by the walk of its river. Unless
// the filter bounds it, the matches are looked for among the newest
// window article IDs, then among four times as many when those do not
// fill the page, and no further: a query whose words are common is read
// in bounded time, however rare its matches. floor is the lowest ID the
// candidates were looked for from (0: all); all is the number of matches
// from floor on when the candidates are all of them, else -1.
func (db *DB) searchRecentRanked(ctx context.Context, p *searchPlan, walkMax, window int) (page []searchHit, floor int64, all int, err error) {
	offset := max(p.q.Offset, 0)
	want := max(searchRecent, offset+p.q.Limit)
	var cands []searchHit
	ok := false
	if p.bounded {
		wp := *p
		wp.q.Offset, wp.q.Limit, wp.q.NoTotal, wp.q.MaxTotal = 0, want, true, 0
		if cands, _, _, ok, err = db.searchWalk(ctx, &wp, walkMax); err != nil {
			return nil, 0, 0, err
		}
	}
	all = -1
	if !ok {
		for _, w := range []int{window, 4 * window} {
			if floor, err = db.searchFloor(ctx, w); err != nil {
				return nil, 0, 0, err
			}
			args := append(p.args[:len(p.args):len(p.args)], sql.Named("floor", floor))
			rows, err := db.r.QueryContext(ctx, p.matches("a.id, a.published_at, 0", "search.rowid > :floor")+fmt.Sprintf(" ORDER BY search.rowid DESC LIMIT %d", want), args...)
			if err != nil {
				return nil, 0, 0, err
			}
			if cands, err = scanHits(rows); err != nil {
				return nil, 0, 0, err
			}
			if len(cands) >= offset+p.q.Limit || floor == 0 {
				break
			}
		}
		if len(cands) < want {
			all = len(cands)
		}
	}
	if err := db.searchPlaceScores(ctx, p.match, cands); err != nil {
		return nil, 0, 0, err
	}
	slices.SortStableFunc(cands, func(a, b searchHit) int {
		if c := cmp.Compare(a.score, b.score); c != 0 {
			return c
		}
		if c := cmp.Compare(b.published, a.published); c != 0 {
			return c
		}
		return cmp.Compare(b.id, a.id)
	})
	return cands[min(offset, len(cands)):min(offset+p.q.Limit, len(cands))], floor, all, nil
}

// Weights of where a query's words are found, for the candidates of a
// dense query: what bm25 weighs most (headline, lede), without the
// collection statistics that cost bm25 a scan of every match.
const (
	placeHeadline = 10.0
	placeLede     = 3.0
	placeBody     = 1.0
)

// placeScoresSQL counts the matches in the headline and lede of the
// articles of a JSON array of IDs within a range of IDs: highlight marks
// each match with one character. The range is read in one scan of the
// full-text index (a lookup per ID would seek every segment each time).
const placeScoresSQL = `SELECT rowid,
		length(highlight(search, 0, char(1), '')) - length(headline),
		length(highlight(search, 1, char(1), '')) - length(lede)
	FROM search WHERE search MATCH :match AND rowid BETWEEN :lo AND :hi
		AND +rowid IN (SELECT value FROM json_each(:ids))`

// searchPlaceScores sets the scores of hits from the number of matches
// in their headline and lede (each saturating: the second counts half as
// much as the first, and so on), negated like bm25's so that the best
// sorts first. The hits' IDs are read in runs, as searchChunk does.
func (db *DB) searchPlaceScores(ctx context.Context, match string, hits []searchHit) error {
	if len(hits) == 0 {
		return nil
	}
	at := make(map[int64]int, len(hits))
	ids := make([]int64, len(hits))
	for i, h := range hits {
		at[h.id], ids[i] = i, h.id
	}
	slices.Sort(ids)
	sat := func(n float64) float64 { return 2 * n / (n + 1) }
	for _, r := range readRuns(ids) {
		rows, err := db.r.QueryContext(ctx, placeScoresSQL, sql.Named("match", match), sql.Named("lo", r[0]), sql.Named("hi", r[1]),
			sql.Named("ids", jsonIDs(ids)))
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var h, l float64
			if err := rows.Scan(&id, &h, &l); err != nil {
				rows.Close()
				return err
			}
			if i, ok := at[id]; ok {
				hits[i].score = -(placeHeadline*sat(h) + placeLede*sat(l) + placeBody)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// readRuns is the ranges of IDs in which the rows of a few articles
// (sorted IDs) are read from the full-text index: each query sets up a
// cursor on every segment of the index, which costs more than reading a
// few thousand IDs of a doclist, so runs of IDs closer than searchWalkMax
// are read as one range.
func readRuns(sorted []int64) [][2]int64 {
	runs := idRuns(sorted)
	if len(runs) > 4 && sorted[len(sorted)-1]-sorted[0] <= searchWalkMax {
		return [][2]int64{{sorted[0], sorted[len(sorted)-1]}}
	}
	return runs
}

// idRuns splits sorted IDs into ranges of IDs no more than searchRunGap
// apart; past searchRunsMax ranges, one range spans them all.
func idRuns(sorted []int64) [][2]int64 {
	var runs [][2]int64
	for _, id := range sorted {
		if n := len(runs); n > 0 && id-runs[n-1][1] <= searchRunGap {
			runs[n-1][1] = id
		} else {
			runs = append(runs, [2]int64{id, id})
		}
	}
	if len(runs) > searchRunsMax {
		runs = [][2]int64{{sorted[0], sorted[len(sorted)-1]}}
	}
	return runs
}

// searchWalk reads a dense query newest first: chunks of the river, newest
// first, each matched against the full-text index by ranges of its IDs,
// until the page (and, when the river is bounded or MaxTotal is set, the
// total) is known. ok is false when that takes more than searchWalkMax
// articles of the river.
func (db *DB) searchWalk(ctx context.Context, p *searchPlan, walkMax int) (page []searchHit, total int, counted, ok bool, err error) {
	offset := max(p.q.Offset, 0)
	want := offset + p.q.Limit
	target := want
	switch {
	case p.q.NoTotal:
	case p.q.MaxTotal > 0:
		target = max(want, p.q.MaxTotal)
	case p.bounded:
		target = math.MaxInt
	}
	var hits []searchHit
	cp, ci := int64(math.MaxInt64), int64(math.MaxInt64)
	chunk, walked, end := min(2*want+32, 4096), 0, false
	for len(hits) < target && !end {
		if walked >= walkMax {
			break
		}
		args := append(p.rargs[:len(p.rargs):len(p.rargs)], sql.Named("cp", cp), sql.Named("ci", ci), sql.Named("n", chunk))
		rows, err := db.r.QueryContext(ctx, p.river, args...)
		if err != nil {
			return nil, 0, false, false, err
		}
		var ids []int64
		var last int64
		first := true
		var firstP, firstI int64
		for rows.Next() {
			var id, pub int64
			if err := rows.Scan(&id, &pub); err != nil {
				rows.Close()
				return nil, 0, false, false, err
			}
			if first {
				firstP, firstI, first = pub, id, false
			}
			ids, last = append(ids, id), pub
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, 0, false, false, err
		}
		walked += len(ids)
		end = len(ids) < chunk
		if len(ids) == 0 {
			break
		}
		lastI := ids[len(ids)-1]
		got, err := db.searchChunk(ctx, p, ids, [2]int64{last, lastI}, [2]int64{firstP, firstI})
		if err != nil {
			return nil, 0, false, false, err
		}
		hits = append(hits, got...)
		cp, ci = last, lastI
		chunk = min(chunk*4, 16384)
	}
	if len(hits) < want && !end {
		return nil, 0, false, false, nil
	}
	page = hits[min(offset, len(hits)):min(want, len(hits))]
	switch {
	case end:
		return page, len(hits), true, true, nil
	case p.q.MaxTotal > 0 && len(hits) >= p.q.MaxTotal:
		return page, p.q.MaxTotal, true, true, nil
	}
	return page, 0, false, true, nil
}

// searchChunk returns the matches among a chunk of the river, whose IDs
// are ids and whose keys (published_at, id) run from lo to hi, newest
// first: the matches of the full-text index in ranges of the chunk's IDs,
// checked and kept within the chunk's keys.
func (db *DB) searchChunk(ctx context.Context, p *searchPlan, ids []int64, lo, hi [2]int64) ([]searchHit, error) {
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	runs := idRuns(sorted)
	query := p.matches("a.id, a.published_at, 0", "search.rowid BETWEEN :lo AND :hi",
		"(a.published_at, a.id) >= (:klp, :kli)", "(a.published_at, a.id) <= (:khp, :khi)")
	var out []searchHit
	for _, r := range runs {
		args := append(p.args[:len(p.args):len(p.args)], sql.Named("lo", r[0]), sql.Named("hi", r[1]),
			sql.Named("klp", lo[0]), sql.Named("kli", lo[1]), sql.Named("khp", hi[0]), sql.Named("khi", hi[1]))
		rows, err := db.r.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		got, err := scanHits(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	slices.SortFunc(out, func(a, b searchHit) int {
		if c := cmp.Compare(b.published, a.published); c != 0 {
			return c
		}
		return cmp.Compare(b.id, a.id)
	})
	return out, nil
}
