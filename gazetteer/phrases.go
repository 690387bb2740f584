package gazetteer

import (
	"strings"
	"unicode/utf8"
)

// Phrases finds known multi-word phrases in tokenized text: a trie keyed by
// folded tokens, so that matching costs one map look-up per token. Each
// phrase carries an ID chosen by the caller and the letter case it requires:
// a token written in capitals in the phrase ("MEK", "UN") matches only
// capitals, a capitalised one ("Baghdad") matches a capitalised or
// upper-case word, and a lower-case one ("of") matches any.
type Phrases struct {
	root node
	n    int
}

type node struct {
	next  map[string]*node
	terms []terminal
}

type terminal struct {
	id    int
	shape []Shape
}

// Match is a phrase found at tokens [Start, End).
type Match struct {
	Start, End int
	IDs        []int // all phrases of this span whose case fits
}

// Add registers phrase under id. It reports false for a phrase with no token.
func (p *Phrases) Add(phrase string, id int) bool {
	toks := Tokenize(phrase)
	if len(toks) == 0 {
		return false
	}
	n := &p.root
	shape := make([]Shape, len(toks))
	for i, t := range toks {
		if n.next == nil {
			n.next = make(map[string]*node)
		}
		c := n.next[t.Key]
		if c == nil {
			c = &node{}
			n.next[t.Key] = c
		}
		n = c
		shape[i] = t.Shape
	}
	for _, t := range n.terms {
		if t.id == id {
			return true
		}
	}
	n.terms = append(n.terms, terminal{id: id, shape: shape})
	p.n++
	return true
}

// Len is the number of phrases added.
func (p *Phrases) Len() int { return p.n }

// Find returns the longest phrases in toks, left to right, not overlapping.
func (p *Phrases) Find(toks []Token) []Match {
	var out []Match
	for i := 0; i < len(toks); {
		m, ok := p.MatchAt(toks, i)
		if !ok {
			i++
			continue
		}
		out = append(out, m)
		i = m.End
	}
	return out
}

// MatchAt returns the longest phrase starting at token i.
func (p *Phrases) MatchAt(toks []Token, i int) (Match, bool) {
	first := p.root.next[toks[i].Key]
	if first == nil && IsArabicScript(toks[i].Key) {
		first = p.cliticFirst(toks[i].Key)
	}
	if first == nil {
		if stem, ok := possessive(toks[i].Key); ok {
			if n := p.root.next[stem]; n != nil && len(n.terms) > 0 {
				return p.matchEnd(n, toks, i, i+1)
			}
		}
	}
	best := Match{}
	for n, j := first, i; n != nil; {
		j++
		if len(n.terms) > 0 {
			var ids []int
			for _, t := range n.terms {
				if shapeFits(t.shape, toks[i:j]) {
					ids = append(ids, t.id)
				}
			}
			if ids != nil {
				best = Match{Start: i, End: j, IDs: ids}
			}
		}
		if j >= len(toks) || n.next == nil {
			break
		}
		next := n.next[toks[j].Key]
		if next == nil {
			// "Islamic Revolutionary Guard Corps's": a possessive ends a phrase.
			if stem, ok := possessive(toks[j].Key); ok {
				if c := n.next[stem]; c != nil && len(c.terms) > 0 {
					if m, ok := p.matchEnd(c, toks, i, j+1); ok {
						return m, true
					}
				}
			}
		}
		n = next
	}
	return best, best.IDs != nil
}

// matchEnd is the match of the phrase ending at node n, tokens [i, j), if
// the case of the tokens fits.
func (p *Phrases) matchEnd(n *node, toks []Token, i, j int) (Match, bool) {
	var ids []int
	for _, t := range n.terms {
		if shapeFits(t.shape, toks[i:j]) {
			ids = append(ids, t.id)
		}
	}
	return Match{Start: i, End: j, IDs: ids}, ids != nil
}

// possessive returns the word of "iran's" or "iraq’s" without the 's.
func possessive(key string) (string, bool) {
	stem, ok := strings.CutSuffix(key, "'s")
	return stem, ok && stem != ""
}

func shapeFits(want []Shape, toks []Token) bool {
	for k, w := range want {
		got := toks[k].Shape
		switch w {
		case ShapeUpper:
			if got != ShapeUpper {
				return false
			}
		case ShapeTitle:
			if got != ShapeTitle && got != ShapeUpper {
				return false
			}
		}
	}
	return true
}

// cliticFirst finds the node of a word written with a conjunction or
// preposition glued to it: "والعراق", "بالعراق" and "للعراق" are "العراق",
// "وتهران" and "بهتهران" are "تهران". The article is not taken off (the
// data lists the Arabic forms with it: "العراق", "البصرة"), since a Persian
// name is often an Arabic word ("مشهد", a scene). What remains must be at
// least three letters, so that short words are not misread.
func (p *Phrases) cliticFirst(key string) *node {
	try := func(k string) *node {
		if utf8.RuneCountInString(k) < 3 {
			return nil
		}
		return p.root.next[k]
	}
	stems := []string{key}
	for _, c := range []string{"و", "ف"} {
		if rest, ok := strings.CutPrefix(key, c); ok {
			stems = append(stems, rest)
		}
	}
	for _, s := range stems {
		if s != key {
			if n := try(s); n != nil {
				return n
			}
		}
		if rest, ok := strings.CutPrefix(s, "لل"); ok {
			if n := try("ال" + rest); n != nil {
				return n
			}
		}
		for _, prep := range []string{"به", "ب", "ل"} {
			if rest, ok := strings.CutPrefix(s, prep); ok {
				if n := try(rest); n != nil {
					return n
				}
			}
		}
	}
	return nil
}
