// Package store holds what the SQL stores share whatever their dialect: the
// migration runner over embedded numbered .sql files, a transaction helper
// and the parser of search queries into words and phrases.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode"
)

// InTx runs fn in a transaction on db, committing when fn returns nil and
// rolling back otherwise (also when fn panics).
func InTx(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Term is one part of a search query: a single word, or a phrase whose
// words must appear in order.
type Term struct {
	Words  []string
	Phrase bool
}

// ParseQuery splits user search text into terms: bare words (to be ANDed)
// and "quoted phrases". Everything that is neither a letter nor a digit
// separates words, so no character of the input ever reaches a query
// language as syntax; an unclosed quote runs to the end of the text. Words
// are returned as typed (the text is normalised before, by the index stage).
func ParseQuery(text string) []Term {
	var terms []Term
	rest := text
	for rest != "" {
		i := strings.IndexByte(rest, '"')
		if i < 0 {
			terms = appendWords(terms, rest)
			break
		}
		terms = appendWords(terms, rest[:i])
		rest = rest[i+1:]
		j := strings.IndexByte(rest, '"')
		phrase := rest
		if j >= 0 {
			phrase, rest = rest[:j], rest[j+1:]
		} else {
			rest = ""
		}
		words := Words(phrase)
		switch len(words) {
		case 0:
		case 1:
			terms = append(terms, Term{Words: words})
		default:
			terms = append(terms, Term{Words: words, Phrase: true})
		}
	}
	return terms
}

func appendWords(terms []Term, s string) []Term {
	for _, w := range Words(s) {
		terms = append(terms, Term{Words: []string{w}})
	}
	return terms
}

// Words splits s into runs of letters, digits and combining marks.
func Words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r))
	})
}
