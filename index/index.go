// Package index turns articles into search documents and runs searches,
// folding text so that Persian and Arabic are found however they are typed.
package index

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"newsdesk"
)

// Indexer writes search documents through a newsdesk.SearchIndex.
type Indexer struct {
	si      newsdesk.SearchIndex
	aliases aliasSource
}

// aliasSource is what the indexer needs to add entity aliases; the store
// that implements SearchIndex usually implements it too.
type aliasSource interface {
	Entity(ctx context.Context, id int64) (*newsdesk.Entity, error)
}

// New returns an Indexer over si. When si can also look entities up (as
// the stores can), documents carry each entity's aliases too.
func New(si newsdesk.SearchIndex) *Indexer {
	ix := &Indexer{si: si}
	if a, ok := si.(aliasSource); ok {
		ix.aliases = a
	}
	return ix
}

// Document returns the search document of an article: every field folded
// with Normalize, entities as their names and aliases.
func (ix *Indexer) Document(ctx context.Context, a *newsdesk.Article, cache map[int64][]string) (newsdesk.SearchDoc, error) {
	var names []string
	for _, e := range a.Entities {
		names = append(names, e.Name)
		if ix.aliases == nil || e.ID == 0 {
			continue
		}
		al, ok := cache[e.ID]
		if !ok {
			ent, err := ix.aliases.Entity(ctx, e.ID)
			if err != nil && newsdesk.ErrorCode(err) != newsdesk.ENOTFOUND {
				return newsdesk.SearchDoc{}, fmt.Errorf("entity %d aliases: %w", e.ID, err)
			}
			if ent != nil {
				al = ent.Aliases
			}
			cache[e.ID] = al
		}
		names = append(names, al...)
	}
	body := a.Text
	return newsdesk.SearchDoc{
		ArticleID: a.ID,
		Headline:  Normalize(a.Headline),
		Lede:      Normalize(a.Lede),
		Body:      Normalize(body),
		Entities:  Normalize(strings.Join(names, " ")),
	}, nil
}

// Documents returns the search documents of stored articles (with IDs),
// as a store writes them with the articles
// (newsdesk.ArticleStore.UpsertArticlesIndexed).
func (ix *Indexer) Documents(ctx context.Context, articles []*newsdesk.Article) ([]newsdesk.SearchDoc, error) {
	docs := make([]newsdesk.SearchDoc, 0, len(articles))
	cache := make(map[int64][]string)
	for _, a := range articles {
		if a.ID == 0 {
			return nil, newsdesk.Errorf(newsdesk.EINVALID, "Article %q has no ID to index.", a.Headline)
		}
		d, err := ix.Document(ctx, a, cache)
		if err != nil {
			return nil, fmt.Errorf("index article %d: %w", a.ID, err)
		}
		docs = append(docs, d)
	}
	return docs, nil
}

// Index adds or replaces the documents of stored articles (with IDs).
func (ix *Indexer) Index(ctx context.Context, articles []*newsdesk.Article) error {
	docs, err := ix.Documents(ctx, articles)
	if err != nil || len(docs) == 0 {
		return err
	}
	if err := ix.si.IndexArticles(ctx, docs); err != nil {
		return fmt.Errorf("index %d articles: %w", len(docs), err)
	}
	return nil
}

// Search folds the query text like the documents and runs the query.
func (ix *Indexer) Search(ctx context.Context, q newsdesk.SearchQuery) (*newsdesk.SearchResult, error) {
	q.Text = Normalize(q.Text)
	res, err := ix.si.Search(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", q.Text, err)
	}
	for i := range res.Hits {
		res.Hits[i].Snippet = licensedSnippet(res.Hits[i], q.Text)
	}
	return res, nil
}

// licensedSnippet keeps a search snippet within what the article's source
// allows the site to show: the store's snippet may quote the body, which an
// excerpt-only source shows nowhere, so those hits quote the lede instead,
// and headline-only sources quote nothing.
func licensedSnippet(h newsdesk.SearchHit, query string) string {
	a := h.Article
	if a == nil {
		return ""
	}
	switch a.Licence {
	case newsdesk.LicenceExcerpt:
		return markTerms(a.Lede, query)
	case newsdesk.LicenceHeadline:
		return ""
	}
	return h.Snippet
}

// markTerms puts the snippet markers around the words of text that match a
// word of the query (both folded by Normalize and case).
func markTerms(text, query string) string {
	want := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(Normalize(query)), notWordRune) {
		want[w] = true
	}
	var b strings.Builder
	word := func(w string) {
		if want[strings.ToLower(Normalize(w))] {
			b.WriteString(newsdesk.SnippetMarkStart + w + newsdesk.SnippetMarkEnd)
		} else {
			b.WriteString(w)
		}
	}
	start := -1
	for i, r := range text {
		if notWordRune(r) {
			if start >= 0 {
				word(text[start:i])
				start = -1
			}
			b.WriteRune(r)
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		word(text[start:])
	}
	return b.String()
}

func notWordRune(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
}

// Normalize folds text for search, the same for documents and queries:
//
//   - invalid UTF-8 becomes U+FFFD; NFKC folds compatibility forms (Arabic
//     presentation forms, full-width Latin, ligatures);
//   - Arabic letter variants take their Persian form: ي ى ئ → ی, ك → ک,
//     ة ۀ → ه, أ إ آ ٱ → ا, ؤ → و;
//   - tatweel (ـ), harakat and other Arabic marks (U+0610–U+061A,
//     U+064B–U+065F, U+0670, U+06D6–U+06ED) are removed;
//   - Persian and Arabic-Indic digits become ASCII digits;
//   - ZWNJ (U+200C) becomes a space. In Persian it joins the parts of one
//     word (می‌خواهم, کتاب‌ها) and readers type those parts with a space, a
//     ZWNJ or nothing; the full-text tokenisers already split at ZWNJ, so
//     a space makes documents and queries agree with them and with each
//     other. Other invisible format characters (ZWJ, direction marks, BOM,
//     soft hyphen) are removed;
//   - runs of white space become one space; the ends are trimmed.
//
// Latin diacritics and case are kept: the full-text index folds those.
func Normalize(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = norm.NFKC.String(s)
	s = fold(s)
	// Removing marks can let neighbours compose; a second pass settles it.
	if !norm.NFKC.IsNormalString(s) {
		s = fold(norm.NFKC.String(s))
	}
	return s
}

func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == 'ي' || r == 'ى' || r == 'ئ':
			r = 'ی'
		case r == 'ك':
			r = 'ک'
		case r == 'ة' || r == 'ۀ':
			r = 'ه'
		case r == 'أ' || r == 'إ' || r == 'آ' || r == 'ٱ':
			r = 'ا'
		case r == 'ؤ':
			r = 'و'
		case r >= '۰' && r <= '۹':
			r = '0' + (r - '۰')
		case r >= '٠' && r <= '٩':
			r = '0' + (r - '٠')
		case r == 'ـ', r >= 0x0610 && r <= 0x061A, r >= 0x064B && r <= 0x065F, r == 0x0670,
			r >= 0x06D6 && r <= 0x06ED && r != 0x06E5 && r != 0x06E6:
			continue
		case r == '\u200C':
			r = ' '
		case r == '\u00AD', r == '\uFEFF', r == '\u200B', r == '\u200D', r == '\u200E', r == '\u200F',
			r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
			continue
		}
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}
