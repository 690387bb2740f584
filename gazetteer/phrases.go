package gazetteer

import "strings"

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
		first = p.root.next[stripArabicClitic(toks[i].Key)]
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
		n = n.next[toks[j].Key]
	}
	return best, best.IDs != nil
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

// stripArabicClitic removes a leading conjunction or preposition (و، ب، ل، ف)
// glued to a word: "والعراق" → "العراق".
func stripArabicClitic(key string) string {
	for _, p := range []string{"و", "ب", "ل", "ف"} {
		if rest, ok := strings.CutPrefix(key, p); ok && len([]rune(rest)) >= 3 {
			return rest
		}
	}
	return key
}
