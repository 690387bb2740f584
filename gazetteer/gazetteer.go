// Package gazetteer holds the place data newsdesk files articles by: the
// countries of the world with their names, variants, demonyms, capitals and
// major cities (in English, and in Persian and Arabic for the countries of
// the region), the regions above them, and the Reuters-21578 place codes. It
// also provides the tokenizer and phrase matcher that section filing and
// entity detection share.
package gazetteer

import (
	_ "embed"
	"fmt"
	"strings"
)

//go:embed places.tsv
var placesTSV string

//go:embed regions.tsv
var regionsTSV string

//go:embed areas.tsv
var areasTSV string

// Kind says what a place term names.
type Kind uint8

const (
	KindName    Kind = iota // the country's name or a variant: "Iraq", "U.S."
	KindDemonym             // "Iraqi", "Saudi"
	KindCity                // a capital, city or province: "Baghdad"
	KindRegion              // a region: "Middle East", "Gulf"
	KindBlock               // a phrase that names no place ("Indian Ocean")
)

func (k Kind) String() string {
	return [...]string{"name", "demonym", "city", "region", "block"}[k]
}

// Country is one country or territory.
type Country struct {
	Code     string // ISO 3166 alpha-2, lower case: "iq"
	Reuters  string // Reuters-21578 place code, "" if none: "iraq"
	Region   string // region code: "middle-east"
	Name     string // English short name: "Iraq"
	Names    []string
	Demonyms []string
	Cities   []string // capital first
	Persian  []string
	Arabic   []string
}

// Capital is the first city listed, or "".
func (c *Country) Capital() string {
	if len(c.Cities) == 0 {
		return ""
	}
	return c.Cities[0]
}

// Term is one phrase of the gazetteer and the place it names.
type Term struct {
	Phrase string
	// Name is the place's English name: the phrase itself, or the name a
	// variant or a Persian or Arabic phrase stands for ("Teheran" and
	// "تهران" are "Tehran").
	Name string
	Code string // a country code for names, demonyms and cities; a region code for regions
	Kind Kind
	Weak bool // ambiguous on its own ("Georgia", "Jordan")
}

// Mention is a term found in text.
type Mention struct {
	Term       *Term
	Start, End int // byte offsets in the text
}

// Gazetteer is the loaded place data. It is read-only, but for the small
// cache of Tokens, and safe for concurrent use.
type Gazetteer struct {
	Countries []*Country
	Regions   []string // region codes
	terms     []Term
	phrases   Phrases
	byCode    map[string]*Country
	byReuters map[string]*Country
	areas     map[string]string // folded area name → country code
	seen      map[string]bool   // folded phrase and code, while loading
	cache     tokenCache
}

// New loads the embedded data. The data is part of the program, so New
// panics if it is malformed; the package tests load it.
func New() *Gazetteer {
	g, err := parse(placesTSV, regionsTSV, areasTSV)
	if err != nil {
		panic(err)
	}
	return g
}

func splitList(s string) []string {
	if s == "-" || s == "" {
		return nil
	}
	return strings.Split(s, "|")
}

func parse(places, regions, areas string) (*Gazetteer, error) {
	g := &Gazetteer{byCode: map[string]*Country{}, byReuters: map[string]*Country{}, areas: map[string]string{}, seen: map[string]bool{}}
	defer func() { g.seen = nil }()
	for n, line := range strings.Split(places, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 8 {
			return nil, fmt.Errorf("parse places.tsv line %d: %d columns, want 8", n+1, len(f))
		}
		c := &Country{Code: f[0], Region: f[2]}
		if f[1] != "-" {
			c.Reuters = f[1]
		}
		names := splitList(f[3])
		if len(names) == 0 {
			return nil, fmt.Errorf("parse places.tsv line %d: no name", n+1)
		}
		c.Name, _, _ = strings.Cut(strings.TrimPrefix(names[0], "~"), "=")
		if _, dup := g.byCode[c.Code]; dup {
			return nil, fmt.Errorf("parse places.tsv line %d: duplicate code %q", n+1, c.Code)
		}
		// An entry "Teheran=Tehran" is a variant or translation of an
		// English entry of its row, and takes that entry's name (and, in
		// the Persian and Arabic columns, its kind). Persian and Arabic
		// entries without one are names of the country.
		type entry struct{ phrase, name string }
		cols := [5][]entry{}
		kinds := [5]Kind{KindName, KindDemonym, KindCity, KindName, KindName}
		english := map[string]Kind{}
		for i, list := range [][]string{names, splitList(f[4]), splitList(f[5]), splitList(f[6]), splitList(f[7])} {
			for _, s := range list {
				phrase, name, _ := strings.Cut(s, "=")
				cols[i] = append(cols[i], entry{phrase, name})
				if i < 3 {
					english[strings.TrimPrefix(phrase, "~")] = kinds[i]
				}
			}
		}
		phrases := func(es []entry) []string {
			out := make([]string, len(es))
			for i, e := range es {
				out[i] = e.phrase
			}
			return out
		}
		c.Names, c.Demonyms, c.Cities = phrases(cols[0]), phrases(cols[1]), phrases(cols[2])
		c.Persian, c.Arabic = phrases(cols[3]), phrases(cols[4])
		g.byCode[c.Code] = c
		if c.Reuters != "" {
			g.byReuters[c.Reuters] = c
		}
		g.Countries = append(g.Countries, c)
		for i, es := range cols {
			for _, e := range es {
				kind := kinds[i]
				if e.name != "" {
					k, ok := english[e.name]
					if !ok {
						return nil, fmt.Errorf("parse places.tsv line %d: %q stands for %q, not an English entry of %s", n+1, e.phrase, e.name, c.Code)
					}
					if i >= 3 {
						kind = k
					}
				}
				g.addTerm(e.phrase, e.name, c.Code, kind)
			}
		}
	}
	for n, line := range strings.Split(regions, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			return nil, fmt.Errorf("parse regions.tsv line %d: %d columns, want 4", n+1, len(f))
		}
		kind := KindRegion
		if f[0] == "-" {
			kind = KindBlock
		} else {
			g.Regions = append(g.Regions, f[0])
		}
		for _, col := range f[1:] {
			for _, s := range splitList(col) {
				g.addTerm(s, "", f[0], kind)
			}
		}
	}
	for n, line := range strings.Split(areas, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		code, names, ok := strings.Cut(line, "\t")
		if !ok || g.byCode[code] == nil {
			return nil, fmt.Errorf("parse areas.tsv line %d: want a country code and names", n+1)
		}
		for _, s := range splitList(names) {
			g.areas[areaKey(s)] = code
		}
	}
	return g, nil
}

func areaKey(s string) string {
	var b strings.Builder
	for _, t := range Tokenize(s) {
		b.WriteString(t.Key)
	}
	return b.String()
}

// Area returns the country of a state or province written after a town in
// a dateline ("N.Y.", "Calif.", "Ontario"), or nil.
func (g *Gazetteer) Area(name string) *Country {
	return g.byCode[g.areas[areaKey(name)]]
}

func (g *Gazetteer) addTerm(phrase, name, code string, kind Kind) {
	weak := strings.HasPrefix(phrase, "~")
	phrase = strings.TrimPrefix(phrase, "~")
	if name == "" {
		name = phrase
	}
	var key strings.Builder
	for _, t := range Tokenize(phrase) {
		key.WriteString(t.Key + " ")
	}
	k := key.String() + code
	if g.seen[k] {
		return // "São Paulo" and "Sao Paulo" are one phrase
	}
	g.seen[k] = true
	g.terms = append(g.terms, Term{Phrase: phrase, Name: name, Code: code, Kind: kind, Weak: weak})
	g.phrases.Add(phrase, len(g.terms)-1)
}

// Country returns the country with this ISO code, or nil.
func (g *Gazetteer) Country(code string) *Country { return g.byCode[strings.ToLower(code)] }

// ByReuters returns the country with this Reuters-21578 place code, or nil.
func (g *Gazetteer) ByReuters(code string) *Country { return g.byReuters[code] }

// Terms is the number of phrases the gazetteer knows.
func (g *Gazetteer) Terms() int { return len(g.terms) }

// Find returns the place terms in text, longest match first at each word,
// not overlapping. Blocking phrases ("Indian Ocean") are consumed and not
// returned.
func (g *Gazetteer) Find(text string) []Mention {
	return g.FindTokens(text, Tokenize(text))
}

// FindTokens is Find on text already tokenized.
func (g *Gazetteer) FindTokens(text string, toks []Token) []Mention {
	var out []Mention
	for _, m := range g.phrases.Find(toks) {
		for _, id := range m.IDs {
			t := &g.terms[id]
			if t.Kind == KindBlock {
				break
			}
			out = append(out, Mention{Term: t, Start: toks[m.Start].Start, End: toks[m.End-1].End})
		}
	}
	return out
}

// Lookup resolves a place name as a whole ("TEHRAN", "Abu Dhabi", "Iraq")
// to the terms it names. It returns nil if the name is not exactly a known
// place.
func (g *Gazetteer) Lookup(name string) []*Term {
	toks := Tokenize(name)
	if len(toks) == 0 {
		return nil
	}
	m, ok := g.phrases.MatchAt(toks, 0)
	if !ok || m.End != len(toks) {
		return nil
	}
	var out []*Term
	for _, id := range m.IDs {
		if g.terms[id].Kind != KindBlock {
			out = append(out, &g.terms[id])
		}
	}
	return out
}

// TermAt returns the place term of the longest phrase starting at token i
// (the first, when the phrase names several) and the token after the
// phrase. It returns nil and i when no phrase starts there, and nil and
// the phrase's end for a blocking phrase ("Indian Ocean").
func (g *Gazetteer) TermAt(toks []Token, i int) (*Term, int) {
	m, ok := g.phrases.MatchAt(toks, i)
	if !ok {
		return nil, i
	}
	t := &g.terms[m.IDs[0]]
	if t.Kind == KindBlock {
		return nil, m.End
	}
	return t, m.End
}
