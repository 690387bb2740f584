package sqlite

import (
	"context"
	"database/sql"
	"fmt"
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
	err := db.tx(ctx, func(tx *sql.Tx) error {
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
	})
	if err != nil {
		return fmt.Errorf("index articles: %w", err)
	}
	return nil
}

// matchExpr turns user text into an FTS5 expression in which every term is
// a quoted string: words ANDed, phrases kept. No input can inject FTS5
// syntax. It returns "" when the text has no word.
func matchExpr(text string) string {
	terms := store.ParseQuery(text)
	parts := make([]string, 0, len(terms))
	for _, t := range terms {
		parts = append(parts, `"`+strings.ReplaceAll(strings.Join(t.Words, " "), `"`, `""`)+`"`)
	}
	return strings.Join(parts, " ")
}

// Search runs a full-text query over published articles. EINVALID when the
// text has no word to look for. From and To bound PublishedAt, both
// inclusive.
//
// The full-text index drives the query: its matches are joined to their
// articles by rowid and filtered there (dates, section, source, entity),
// never the other way round, so a date bound narrows the work instead of
// turning it into one full-text match per article of the period. The page
// is chosen on IDs, dates and scores alone; only its rows are read whole
// and given a snippet. The total is counted only when the page is full,
// up to MaxTotal when set, and not at all with NoTotal (it is then -1).
func (db *DB) Search(ctx context.Context, q newsdesk.SearchQuery) (*newsdesk.SearchResult, error) {
	match := matchExpr(q.Text)
	if match == "" {
		return nil, newsdesk.Errorf(newsdesk.EINVALID, "Search for at least one word.")
	}
	sq := searchQuery(q, match)
	rows, err := db.r.QueryContext(ctx, sq.page, sq.pageArgs...)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", q.Text, err)
	}
	defer rows.Close()
	res := &newsdesk.SearchResult{}
	var arts []*newsdesk.Article
	for rows.Next() {
		var h newsdesk.SearchHit
		a, err := scanArticle(rows, &h.Score, &h.Snippet)
		if err != nil {
			return nil, fmt.Errorf("search %q: %w", q.Text, err)
		}
		h.Score, h.Article = -h.Score, a
		res.Hits, arts = append(res.Hits, h), append(arts, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search %q: %w", q.Text, err)
	}
	rows.Close()
	if err := loadRefs(ctx, db.r, arts); err != nil {
		return nil, fmt.Errorf("search %q: %w", q.Text, err)
	}
	if q.NoTotal {
		res.Total = -1
		return res, nil
	}
	res.Total = len(res.Hits) + max(q.Offset, 0)
	if q.Limit > 0 && len(res.Hits) == q.Limit || q.Offset > 0 && len(res.Hits) == 0 {
		if res.Total, err = db.count(ctx, sq.rows, q.MaxTotal, sq.rowArgs); err != nil {
			return nil, fmt.Errorf("count search %q: %w", q.Text, err)
		}
	}
	if q.MaxTotal > 0 && res.Total >= q.MaxTotal {
		res.Total, res.TotalCapped = q.MaxTotal, true
	}
	return res, nil
}

// searchQuery plans a search for the FTS5 expression match: page reads
// the hits of the page with their scores and snippets; rows selects one
// row per match, for counting.
func searchQuery(q newsdesk.SearchQuery, match string) listQuery {
	where := []string{"search MATCH ?", "a.status = 'published'"}
	args := []any{match}
	if q.SectionID != nil {
		where = append(where, "EXISTS (SELECT 1 FROM section_river x WHERE x.section_id = ? AND x.published_at = a.published_at AND x.article_id = a.id)")
		args = append(args, *q.SectionID)
	}
	if q.SourceID != nil {
		where, args = append(where, "a.source_id = ?"), append(args, *q.SourceID)
	}
	if q.EntityID != nil {
		where, args = append(where, "EXISTS (SELECT 1 FROM article_entities x WHERE x.article_id = a.id AND x.entity_id = ?)"), append(args, *q.EntityID)
	}
	if q.From != nil {
		where, args = append(where, "a.published_at >= ?"), append(args, tm(*q.From))
	}
	if q.To != nil {
		where, args = append(where, "a.published_at <= ?"), append(args, tm(*q.To))
	}
	// CROSS JOIN keeps the full-text matches as the outer loop.
	from := ` FROM search CROSS JOIN articles a ON a.id = search.rowid WHERE ` + strings.Join(where, " AND ")
	order, outer := " ORDER BY score, published_at DESC, id DESC", " ORDER BY page.score, page.published_at DESC, page.id DESC"
	if q.Sort == newsdesk.SortNewest {
		order, outer = " ORDER BY published_at DESC, id DESC", " ORDER BY page.published_at DESC, page.id DESC"
	}
	// The snippet needs the match again, for the page's rows only.
	query := `WITH page AS (SELECT a.id AS id, a.published_at AS published_at, ` + bm25Rank + ` AS score` + from + order + limitOffset(q.Limit, q.Offset) + `)
		SELECT ` + articleCols + `, page.score, snippet(search, -1, ?, ?, '…', ` + fmt.Sprint(snippetTokens) + `)
		FROM page CROSS JOIN search ON search.rowid = page.id CROSS JOIN articles a ON a.id = page.id LEFT JOIN sources s ON s.id = a.source_id
		WHERE search MATCH ?` + outer
	return listQuery{
		page:     query,
		pageArgs: append(append(args[:len(args):len(args)], newsdesk.SnippetMarkStart, newsdesk.SnippetMarkEnd), match),
		rows:     `SELECT 1` + from,
		rowArgs:  args,
	}
}
