package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"newsdesk"
	"newsdesk/store"
)

// rankWeights are the weights of ts_rank_cd for the labels {D, C, B, A}:
// body 1, lede 3, entities 5, headline 10, as the bm25 weights on SQLite.
const rankWeights = `'{0.1, 0.3, 0.5, 1.0}'`

// snippetOptions make ts_headline give the best passage of 12 to 24 words
// with the matches between the snippet markers. (Its fragment mode would
// cost four times as much on long bodies.)
var snippetOptions = `StartSel="` + newsdesk.SnippetMarkStart + `", StopSel="` + newsdesk.SnippetMarkEnd +
	`", MaxWords=24, MinWords=12`

// maxTerms bounds the terms of a query; words past it are ignored.
const maxTerms = 32

// IndexArticles adds or replaces the documents, keyed by article ID, in
// one statement.
func (db *DB) IndexArticles(ctx context.Context, docs []newsdesk.SearchDoc) error {
	if len(docs) == 0 {
		return nil
	}
	if err := db.tx(ctx, func(tx pgx.Tx) error { return db.indexDocs(ctx, tx, docs) }); err != nil {
		return fmt.Errorf("index articles: %w", err)
	}
	return nil
}

// indexDocs adds or replaces the documents in transaction tx.
func (db *DB) indexDocs(ctx context.Context, tx pgx.Tx, docs []newsdesk.SearchDoc) error {
	if len(docs) == 0 {
		return nil
	}
	// The last document of an article wins, as if indexed one by one.
	last := make(map[int64]int, len(docs))
	for i, d := range docs {
		if d.ArticleID == 0 {
			return newsdesk.Errorf(newsdesk.EINVALID, "Search document without article ID.")
		}
		last[d.ArticleID] = i
	}
	n := len(last)
	ids := make([]int64, 0, n)
	headlines, ledes, bodies, entities := make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
	for i, d := range docs {
		if last[d.ArticleID] != i {
			continue
		}
		ids = append(ids, d.ArticleID)
		headlines, ledes = append(headlines, noNUL(d.Headline)), append(ledes, noNUL(d.Lede))
		bodies, entities = append(bodies, noNUL(d.Body)), append(entities, noNUL(d.Entities))
	}
	_, err := tx.Exec(ctx, `INSERT INTO search_docs (article_id, headline, lede, body, entities)
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])
		ON CONFLICT (article_id) DO UPDATE SET headline = excluded.headline, lede = excluded.lede,
			body = excluded.body, entities = excluded.entities`, ids, headlines, ledes, bodies, entities)
	if err != nil {
		return err
	}
	return db.notifyScoped(ctx, tx, "search", ids, nil)
}

// noNUL drops NUL characters, which PostgreSQL text cannot hold.
func noNUL(s string) string {
	if strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\x00", "")
}

// tsQuery turns user text into a tsquery expression over placeholders of
// a, its terms ANDed. Each term goes through phraseto_tsquery as a parameter,
// so words are matched as the documents were parsed, "quoted phrases" keep
// their order, and no input can be tsquery syntax. ok is false when the
// text has no word.
func tsQuery(a *args, text string) (query string, ok bool) {
	terms := store.ParseQuery(text)
	if len(terms) == 0 {
		return "", false
	}
	if len(terms) > maxTerms {
		terms = terms[:maxTerms]
	}
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = `phraseto_tsquery('simple', ` + a.add(strings.Join(t.Words, " ")) + `::text)`
	}
	return "(" + strings.Join(parts, " && ") + ")", true
}

// Search runs a full-text query over published articles. EINVALID when the
// text has no word to look for. From and To bound PublishedAt, both
// inclusive. The total is counted up to MaxTotal when set (TotalCapped
// then says there may be more), and not at all with NoTotal (it is then
// -1). Relevance is ts_rank_cd with the label weights, ties broken by
// the newer article.
func (db *DB) Search(ctx context.Context, q newsdesk.SearchQuery) (*newsdesk.SearchResult, error) {
	var a args
	match, ok := tsQuery(&a, q.Text)
	if !ok {
		return nil, newsdesk.Errorf(newsdesk.EINVALID, "Search for at least one word.")
	}
	where := []string{"d.tsv @@ " + match, "a.status = 'published'"}
	if q.SectionID != nil {
		where = append(where, "a.id IN (SELECT article_id FROM article_sections WHERE section_id = "+descendantIDs(a.add(*q.SectionID))+")")
	}
	if q.SourceID != nil {
		where = append(where, "a.source_id = "+a.add(*q.SourceID))
	}
	if q.EntityID != nil {
		where = append(where, "a.id IN (SELECT article_id FROM article_entities WHERE entity_id = "+a.add(*q.EntityID)+")")
	}
	if q.From != nil {
		where = append(where, "a.published_at >= "+a.add(q.From.UTC()))
	}
	if q.To != nil {
		where = append(where, "a.published_at <= "+a.add(q.To.UTC()))
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	from := ` FROM search_docs d JOIN articles a ON a.id = d.article_id`
	order, outer := " ORDER BY score DESC, a.published_at DESC, a.id DESC", " ORDER BY x.score DESC, x.published_at DESC, x.id DESC"
	if q.Sort == newsdesk.SortNewest {
		order, outer = " ORDER BY a.published_at DESC, a.id DESC", " ORDER BY x.published_at DESC, x.id DESC"
	}
	opts := a.add(snippetOptions)
	// The page is chosen first; snippets, the costly part, are made for its
	// rows only: of the lede and body, of the headline and of the entity
	// names, the first with a match marked is shown (see pickSnippet).
	lb := `d.lede || ' ' || d.body`
	// By relevance every match is ranked; by date only the page's rows are.
	rank := `ts_rank_cd(` + rankWeights + `, d.tsv, ` + match + `, 1)::float8`
	score, outerScore := rank+` AS score`, `x.score`
	if q.Sort == newsdesk.SortNewest {
		score, outerScore = `0 AS score`, rank
	}
	cols := articleCols
	if q.Cards {
		cols = cardCols
	}
	query := `SELECT ` + cols + `, ` + outerScore + `,
			ts_headline('simple', ` + lb + `, ` + match + `, ` + opts + `),
			ts_headline('simple', d.headline, ` + match + `, ` + opts + `),
			CASE WHEN d.entities = '' THEN '' ELSE ts_headline('simple', d.entities, ` + match + `, ` + opts + `) END
		FROM (SELECT d.article_id AS id, a.published_at, ` + score +
		from + cond + order + limitOffset(q.Limit, q.Offset) + `) x
		JOIN search_docs d ON d.article_id = x.id
		JOIN articles a ON a.id = x.id LEFT JOIN sources s ON s.id = a.source_id` + outer
	rows, err := db.pool.Query(ctx, query, a...)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", q.Text, err)
	}
	res := &newsdesk.SearchResult{}
	var arts []*newsdesk.Article
	for rows.Next() {
		var h newsdesk.SearchHit
		var body, headline, entities string
		art, err := scanArticle(rows, nil, &h.Score, &body, &headline, &entities)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("search %q: %w", q.Text, err)
		}
		h.Article, h.Snippet = art, pickSnippet(body, headline, entities)
		res.Hits, arts = append(res.Hits, h), append(arts, art)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search %q: %w", q.Text, err)
	}
	if err := loadRefs(ctx, db.pool, arts); err != nil {
		return nil, fmt.Errorf("search %q: %w", q.Text, err)
	}
	if q.NoTotal {
		res.Total = -1
		return res, nil
	}
	res.Total = len(res.Hits) + max(q.Offset, 0)
	if q.Limit > 0 && len(res.Hits) == q.Limit || q.Offset > 0 && len(res.Hits) == 0 {
		// The count uses the placeholders of the match and the filters but
		// not the snippet options, the last one.
		if err := db.pool.QueryRow(ctx, countSQL(`SELECT 1`+from+cond, q.MaxTotal), a[:len(a)-1]...).Scan(&res.Total); err != nil {
			return nil, fmt.Errorf("count search %q: %w", q.Text, err)
		}
	}
	if q.MaxTotal > 0 && res.Total >= q.MaxTotal {
		res.Total, res.TotalCapped = q.MaxTotal, true
	}
	return res, nil
}

// pickSnippet returns the first of the passages in which a match is
// marked, else the passage of the body.
func pickSnippet(passages ...string) string {
	for _, p := range passages {
		if strings.Contains(p, newsdesk.SnippetMarkStart) {
			return p
		}
	}
	return passages[0]
}
