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
func (db *DB) Search(ctx context.Context, q newsdesk.SearchQuery) (*newsdesk.SearchResult, error) {
	match := matchExpr(q.Text)
	if match == "" {
		return nil, newsdesk.Errorf(newsdesk.EINVALID, "Search for at least one word.")
	}
	where := []string{"search MATCH ?", "a.status = 'published'"}
	args := []any{match}
	if q.SectionID != nil {
		where = append(where, "a.id IN (SELECT article_id FROM section_river WHERE section_id = ?)")
		args = append(args, *q.SectionID)
	}
	if q.SourceID != nil {
		where, args = append(where, "a.source_id = ?"), append(args, *q.SourceID)
	}
	if q.EntityID != nil {
		where, args = append(where, "a.id IN (SELECT article_id FROM article_entities WHERE entity_id = ?)"), append(args, *q.EntityID)
	}
	if q.From != nil {
		where, args = append(where, "a.published_at >= ?"), append(args, tm(*q.From))
	}
	if q.To != nil {
		where, args = append(where, "a.published_at <= ?"), append(args, tm(*q.To))
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	order := " ORDER BY score, a.published_at DESC, a.id DESC"
	if q.Sort == newsdesk.SortNewest {
		order = " ORDER BY a.published_at DESC, a.id DESC"
	}
	query := `SELECT ` + articleCols + `, ` + bm25Rank + ` AS score, snippet(search, -1, ?, ?, '…', ` + fmt.Sprint(snippetTokens) + `)
		FROM search JOIN articles a ON a.id = search.rowid LEFT JOIN sources s ON s.id = a.source_id` + cond + order + limitOffset(q.Limit, q.Offset)
	rows, err := db.r.QueryContext(ctx, query, append([]any{newsdesk.SnippetMarkStart, newsdesk.SnippetMarkEnd}, args...)...)
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
	res.Total = len(res.Hits) + max(q.Offset, 0)
	if q.Limit > 0 && len(res.Hits) == q.Limit || q.Offset > 0 && len(res.Hits) == 0 {
		if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM search JOIN articles a ON a.id = search.rowid`+cond, args...).Scan(&res.Total); err != nil {
			return nil, fmt.Errorf("count search %q: %w", q.Text, err)
		}
	}
	return res, nil
}
