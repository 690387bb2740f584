package sqlite

import (
	"context"
	"fmt"
	"strings"

	"newsdesk"
	"newsdesk/store"
)

// descendantsSQL selects the section bound to its one parameter and all the
// sections below it.
const descendantsSQL = `WITH RECURSIVE d(id) AS (SELECT ? UNION SELECT c.id FROM sections c JOIN d ON c.parent_id = d.id) SELECT id FROM d`

// maxEntityRanges is how many entities of ArticleFilter.AnyEntity are read
// as one river range each and merged; a longer list is read through the
// articles' date order instead.
const maxEntityRanges = 64

// listQuery is how Articles reads a filter: page selects the IDs of the
// page in order; rows selects one row per match, for counting.
type listQuery struct {
	page     string
	pageArgs []any
	rows     string
	rowArgs  []any
}

// articlesQuery plans a filter. Lists of published articles of a section
// or an entity are ranges of section_river or entity_river, already in
// publication order, with any other condition checked on the way; lists
// naming any of several entities merge one such range per entity. Other
// lists walk the articles' date indexes.
func articlesQuery(f newsdesk.ArticleFilter) listQuery {
	dir := " DESC"
	if f.Oldest {
		dir = ""
	}
	window := limitOffset(f.Limit, f.Offset)
	anyEnt := uniqueIDs(f.AnyEntity)
	if f.IncludeUnpublished || f.IDs != nil {
		return articlesScan(f, dir, window)
	}
	var table, key string
	var keys []int64
	switch {
	case f.EntityID != nil:
		table, key, keys = "entity_river", "entity_id", []int64{*f.EntityID}
	case len(anyEnt) > 0 && len(anyEnt) <= maxEntityRanges:
		table, key, keys = "entity_river", "entity_id", anyEnt
	case f.SectionID != nil:
		table, key, keys = "section_river", "section_id", []int64{*f.SectionID}
	default:
		return articlesScan(f, dir, window)
	}
	var where []string
	var args []any
	join := false
	add := func(cond string, a ...any) { where, args = append(where, cond), append(args, a...) }
	if f.SourceID != nil {
		add("a.source_id = ?", *f.SourceID)
		join = true
	}
	if f.StoryID != nil {
		add("a.story_id = ?", *f.StoryID)
		join = true
	}
	if f.SectionID != nil && table != "section_river" {
		add("EXISTS (SELECT 1 FROM section_river x WHERE x.section_id = ? AND x.published_at = r.published_at AND x.article_id = r.article_id)", *f.SectionID)
	}
	if f.AnyEntity != nil && len(keys) == 1 && (f.EntityID != nil || table == "section_river") {
		add("EXISTS (SELECT 1 FROM article_entities x WHERE x.article_id = r.article_id AND x.entity_id IN (SELECT value FROM json_each(?)))", jsonIDs(f.AnyEntity))
	}
	if f.Since != nil {
		add("r.published_at >= ?", tm(*f.Since))
	}
	if f.Before != nil {
		add("r.published_at < ?", tm(*f.Before))
	}
	if f.ExcludeDuplicates {
		add("r.duplicate = 0")
	}
	from := " FROM " + table + " r"
	if join {
		// The river stays the outer loop: it is in the order wanted.
		from += " CROSS JOIN articles a ON a.id = r.article_id"
	}
	cond := ""
	if len(where) > 0 {
		cond = " AND " + strings.Join(where, " AND ")
	}
	order := " ORDER BY r.published_at" + dir + ", r.article_id" + dir
	if len(keys) == 1 {
		return listQuery{
			page:     `SELECT r.article_id AS id` + from + ` WHERE r.` + key + ` = ?` + cond + order + window,
			pageArgs: append([]any{keys[0]}, args...),
			rows:     `SELECT 1` + from + ` WHERE r.` + key + ` = ?` + cond,
			rowArgs:  append([]any{keys[0]}, args...),
		}
	}
	// One range per entity, each cut at the page's end: an article among
	// the first offset+limit naming any entity is among the first
	// offset+limit naming one of them.
	armWindow := ""
	if f.Limit > 0 {
		armWindow = fmt.Sprintf(" LIMIT %d", max(f.Offset, 0)+f.Limit)
	}
	arms := make([]string, len(keys))
	var pageArgs []any
	for i, k := range keys {
		arms[i] = `SELECT * FROM (SELECT r.article_id AS id, r.published_at AS p` + from + ` WHERE r.entity_id = ?` + cond + order + armWindow + `)`
		pageArgs = append(append(pageArgs, k), args...)
	}
	return listQuery{
		page:     `SELECT id FROM (` + strings.Join(arms, " UNION ") + `) ORDER BY p` + dir + `, id` + dir + window,
		pageArgs: pageArgs,
		rows:     `SELECT DISTINCT r.article_id` + from + ` WHERE r.entity_id IN (SELECT value FROM json_each(?))` + cond,
		rowArgs:  append([]any{jsonIDs(keys)}, args...),
	}
}

// articlesScan plans a filter over the articles table: unpublished
// articles included, a list of IDs, or no section or entity.
func articlesScan(f newsdesk.ArticleFilter, dir, window string) listQuery {
	var where []string
	var args []any
	add := func(cond string, a ...any) { where, args = append(where, cond), append(args, a...) }
	if f.IDs != nil {
		add("a.id IN (SELECT value FROM json_each(?))", jsonIDs(f.IDs))
	}
	if f.SourceID != nil {
		add("a.source_id = ?", *f.SourceID)
	}
	if f.EntityID != nil {
		add("a.id IN (SELECT article_id FROM article_entities WHERE entity_id = ?)", *f.EntityID)
	}
	if f.AnyEntity != nil {
		add("a.id IN (SELECT article_id FROM article_entities WHERE entity_id IN (SELECT value FROM json_each(?)))", jsonIDs(f.AnyEntity))
	}
	if f.StoryID != nil {
		add("a.story_id = ?", *f.StoryID)
	}
	if f.Since != nil {
		add("a.published_at >= ?", tm(*f.Since))
	}
	if f.Before != nil {
		add("a.published_at < ?", tm(*f.Before))
	}
	if f.SectionID != nil {
		if f.IncludeUnpublished {
			add("a.id IN (SELECT article_id FROM article_sections WHERE section_id IN ("+descendantsSQL+"))", *f.SectionID)
		} else {
			add("a.id IN (SELECT article_id FROM section_river WHERE section_id = ?)", *f.SectionID)
		}
	}
	if f.IDs != nil {
		// A list of IDs is read by ID, never through the date indexes
		// (the unary + keeps the partial river index out of the plan).
		if f.ExcludeDuplicates {
			add("+a.duplicate_of = 0")
		}
		if !f.IncludeUnpublished {
			add("+a.status = 'published'")
		}
	} else {
		if f.ExcludeDuplicates {
			add("a.duplicate_of = 0")
		}
		if !f.IncludeUnpublished {
			add("a.status = 'published'")
		}
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	from := " FROM articles a"
	if f.ExcludeDuplicates && !f.IncludeUnpublished && f.IDs == nil && f.SourceID == nil && f.StoryID == nil &&
		f.EntityID == nil && f.AnyEntity == nil && f.SectionID == nil {
		// The front page: its own partial index, in order and counted
		// without reading a row (the planner, knowing nothing of how
		// few copies there are, would take the wider articles_river).
		from += " INDEXED BY articles_river_unique"
	}
	return listQuery{
		page:     `SELECT a.id` + from + cond + ` ORDER BY a.published_at` + dir + `, a.id` + dir + window,
		pageArgs: args,
		rows:     `SELECT 1` + from + cond,
		rowArgs:  args,
	}
}

// Articles returns the articles matching the filter, newest first, with
// their sections and entities, and the total matching: -1 with NoTotal,
// and counted up to MaxTotal only when that is set. A page that is not
// full gives the total without counting.
func (db *DB) Articles(ctx context.Context, f newsdesk.ArticleFilter) ([]*newsdesk.Article, int, error) {
	q := articlesQuery(f)
	arts, err := queryArticles(ctx, db.r, q.pageSQL(f.Oldest, f.Cards), q.pageArgs...)
	if err != nil {
		return nil, 0, fmt.Errorf("articles: %w", err)
	}
	if f.NoTotal {
		return arts, -1, nil
	}
	total := len(arts) + max(f.Offset, 0)
	if f.Limit > 0 && len(arts) == f.Limit || f.Offset > 0 && len(arts) == 0 {
		if total, err = db.count(ctx, q.rows, f.MaxTotal, q.rowArgs); err != nil {
			return nil, 0, fmt.Errorf("count articles: %w", err)
		}
	}
	if f.MaxTotal > 0 {
		total = min(total, f.MaxTotal)
	}
	return arts, total, nil
}

// pageSQL reads the page whole, or as cards. The page is chosen on IDs
// and dates alone; only its rows are read.
func (q listQuery) pageSQL(oldest, cards bool) string {
	dir := " DESC"
	if oldest {
		dir = " ASC"
	}
	return `WITH page AS (` + q.page + `)
		SELECT ` + columns(cards) + ` FROM page JOIN articles a ON a.id = page.id LEFT JOIN sources s ON s.id = a.source_id
		ORDER BY a.published_at` + dir + `, a.id` + dir
}

// briefSQL reads the page's briefs: the small columns of its rows.
func (q listQuery) briefSQL(oldest bool) string {
	dir := " DESC"
	if oldest {
		dir = " ASC"
	}
	return `WITH page AS (` + q.page + `)
		SELECT ` + store.BriefCols + `
		FROM page JOIN articles a ON a.id = page.id LEFT JOIN sources s ON s.id = a.source_id
		ORDER BY a.published_at` + dir + `, a.id` + dir
}

// countSQL counts the rows of a query, stopping at limit when positive.
func countSQL(rows string, limit int) string {
	if limit > 0 {
		return `SELECT count(*) FROM (` + rows + fmt.Sprintf(` LIMIT %d)`, limit)
	}
	return `SELECT count(*) FROM (` + rows + `)`
}

// count counts the rows of a query, stopping at limit when it is positive.
func (db *DB) count(ctx context.Context, rows string, limit int, args []any) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, countSQL(rows, limit), args...).Scan(&n)
	return n, err
}

// ArticleBriefs returns the briefs of the articles Articles would return
// for f, in the same order, from the same plan: only the small columns of
// each row (headline and lede come before the body, so no overflow page
// is read) and the IDs of the entities each names, in two queries.
func (db *DB) ArticleBriefs(ctx context.Context, f newsdesk.ArticleFilter) ([]newsdesk.ArticleBrief, error) {
	q := articlesQuery(f)
	rows, err := db.r.QueryContext(ctx, q.briefSQL(f.Oldest), q.pageArgs...)
	if err != nil {
		return nil, fmt.Errorf("article briefs: %w", err)
	}
	defer rows.Close()
	var out []newsdesk.ArticleBrief
	for rows.Next() {
		b, err := dialect().ScanBrief(rows)
		if err != nil {
			return nil, fmt.Errorf("article briefs: %w", err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("article briefs: %w", err)
	}
	rows.Close()
	if len(out) == 0 {
		return nil, nil
	}
	at := make(map[int64]int, len(out))
	ids := make([]int64, len(out))
	for i, b := range out {
		at[b.ID], ids[i] = i, b.ID
	}
	rows, err = db.r.QueryContext(ctx, `SELECT x.article_id, x.entity_id FROM json_each(?) j
		CROSS JOIN article_entities x ON x.article_id = j.value ORDER BY x.article_id, x.mentions DESC, x.position`, jsonIDs(ids))
	if err != nil {
		return nil, fmt.Errorf("article brief entities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var aid, eid int64
		if err := rows.Scan(&aid, &eid); err != nil {
			return nil, fmt.Errorf("article brief entities: %w", err)
		}
		if i, ok := at[aid]; ok {
			out[i].EntityIDs = append(out[i].EntityIDs, eid)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("article brief entities: %w", err)
	}
	return out, nil
}
