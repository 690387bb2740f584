// Package entity finds the people, organisations and places an article
// names, resolves each to one stored entity with its aliases ("MEK", "MKO"
// and "Mujahedeen-e-Khalq" are one), and records aliases it discovers in
// the text ("X, also known as Y") for editors to accept.
package entity

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode"

	"newsdesk"
	"newsdesk/enrich"
	"newsdesk/gazetteer"
)

//go:embed dictionary.json
var dictionaryJSON []byte

// Entry is one entity of the dictionary.
type Entry struct {
	Name        string              `json:"name"`
	Kind        newsdesk.EntityKind `json:"kind"`
	Aliases     []string            `json:"aliases"`
	Description string              `json:"description"`
}

// Dictionary returns the embedded dictionary of the region's entities.
func Dictionary() ([]Entry, error) {
	var d []Entry
	if err := json.Unmarshal(dictionaryJSON, &d); err != nil {
		return nil, fmt.Errorf("entity dictionary: %w", err)
	}
	return d, nil
}

// Mention is one entity found in a text, before resolution.
type Mention struct {
	Name       string // canonical name: the dictionary's, the gazetteer's, or as written
	Kind       newsdesk.EntityKind
	Aliases    []string // known aliases (dictionary entries, country names)
	Forms      []string // how the text wrote it
	Count      int
	Confidence float64 // 1 for dictionary and gazetteer matches
	Dictionary bool
	Place      string // gazetteer country code of a place
	Entry      *Entry
}

// AliasPair is an alias found in the text: Alias names the entity Of.
type AliasPair struct {
	Of, Alias string
	Evidence  string
}

// Detector finds entity mentions in text. It is read-only after New and
// safe for concurrent use.
type Detector struct {
	dict    []Entry
	phrases gazetteer.Phrases
	g       *gazetteer.Gazetteer
}

// NewDetector builds a detector from dictionary entries and a gazetteer.
func NewDetector(dict []Entry, g *gazetteer.Gazetteer) *Detector {
	d := &Detector{dict: dict, g: g}
	for i, e := range dict {
		d.phrases.Add(e.Name, i)
		for _, a := range e.Aliases {
			d.phrases.Add(a, i)
		}
	}
	return d
}

// Person and organisation cues.
func isTitle(key string) bool {
	switch key {
	case "president", "gen", "general", "maj", "major", "col", "colonel", "lt", "capt", "captain", "adm", "admiral",
		"sgt", "mr", "ms", "mrs", "dr", "ambassador", "minister", "sen", "senator", "rep", "gov", "governor",
		"ayatollah", "sheikh", "king", "prince", "queen", "secretary", "chairman", "spokesman", "spokeswoman",
		"commander", "judge", "cleric", "mayor", "leader", "envoy", "premier", "chancellor", "professor", "prof",
		"imam", "emir", "sultan", "crown", "vice", "deputy", "director", "chief", "pope", "rev", "father", "from", "by":
		return true
	}
	return false
}

func isOrgWord(key string) bool {
	switch key {
	case "ministry", "organization", "organisation", "council", "party", "front", "army", "guard", "guards",
		"agency", "bank", "company", "committee", "corp", "corporation", "inc", "ltd", "group", "union",
		"association", "department", "court", "parliament", "assembly", "movement", "forces", "brigade",
		"brigades", "university", "institute", "foundation", "commission", "office", "service", "police",
		"navy", "corps", "fund", "league", "federation", "authority", "network", "news", "society", "works",
		"chamber", "commerce", "administration", "secretariat", "exchange", "board", "bureau", "alliance",
		"coalition", "embassy", "tribunal", "crescent":
		return true
	}
	return false
}

func isSentenceWord(key string) bool {
	switch key {
	case "the", "a", "an", "and", "but", "in", "on", "at", "for", "when", "while", "both", "despite", "however", "officials", "former":
		return true
	}
	return false
}

func isSpeechVerb(key string) bool {
	switch key {
	case "said", "says", "told", "added", "wrote", "stated", "announced", "warned", "insisted", "declared":
		return true
	}
	return false
}

// joiner words may sit inside a name: "Shirwan al-Wa'eli", "Committee of the Red Cross".
func isJoiner(key string) bool {
	switch key {
	case "al", "el", "bin", "ibn", "abu", "de", "e", "i", "of", "the", "van", "von", "der", "for", "and":
		return true
	}
	return false
}

// Find returns the entities named in text, most mentioned first, and the
// aliases the text states.
func (d *Detector) Find(text string) ([]*Mention, []AliasPair) {
	return d.FindTokens(text, gazetteer.Tokenize(text))
}

// FindTokens is Find on text already tokenized (gazetteer.Tokenize, or
// tokens of the text's parts with their offsets in text).
func (d *Detector) FindTokens(text string, toks []gazetteer.Token) ([]*Mention, []AliasPair) {
	byName := map[string]*Mention{}
	var order []*Mention
	add := func(m *Mention, form string) *Mention {
		key := strings.ToLower(m.Name)
		if have := byName[key]; have != nil {
			have.Count++
			if !containsFold(have.Forms, form) {
				have.Forms = append(have.Forms, form)
			}
			return have
		}
		m.Count, m.Forms = 1, []string{form}
		byName[key] = m
		order = append(order, m)
		return m
	}
	allCaps := isAllCaps(text)
	// spans[i] is the mention that covers token i, for alias patterns.
	spans := make([]*Mention, len(toks))
	var people []*Mention
	for i := 0; i < len(toks); {
		form := func(end int) string { return text[toks[i].Start:toks[end-1].End] }
		// The dictionary and the gazetteer each offer their longest phrase
		// starting here; the longer wins ("West Azerbaijan" the province,
		// not Azerbaijan), the dictionary on a tie.
		dm, dok := d.phrases.MatchAt(toks, i)
		if dok && allCaps && dm.End-dm.Start == 1 && toks[i].Shape == gazetteer.ShapeUpper {
			dok = false // "IRAN WARNS UN": capitals say nothing of an acronym
		}
		t, tend := d.g.TermAt(toks, i)
		if t != nil && (t.Kind == gazetteer.KindDemonym || t.Kind == gazetteer.KindRegion) {
			t = nil
		}
		if t != nil && t.Weak && tend == i+1 && tend < len(toks) && !allCaps &&
			(toks[tend].Shape == gazetteer.ShapeTitle || toks[tend].Shape == gazetteer.ShapeUpper) &&
			!strings.ContainsAny(text[toks[i].End:toks[tend].Start], ",.;:()") {
			t = nil // an ambiguous name opening a longer one: "Jordan Peterson", "Van Dorn"
		}
		if dok && (t == nil || dm.End >= tend) {
			e := &d.dict[dm.IDs[0]]
			got := add(&Mention{Name: e.Name, Kind: e.Kind, Aliases: e.Aliases, Confidence: 1, Dictionary: true, Entry: e}, form(dm.End))
			for k := dm.Start; k < dm.End; k++ {
				spans[k] = got
			}
			i = dm.End
			continue
		}
		if t != nil {
			name := t.Name
			var aliases []string
			if c := d.g.Country(t.Code); c != nil && t.Kind == gazetteer.KindName {
				name = c.Name
				for _, n := range c.Names {
					if n = strings.TrimPrefix(n, "~"); n != name {
						aliases = append(aliases, n)
					}
				}
			}
			got := add(&Mention{Name: name, Kind: newsdesk.EntityPlace, Aliases: aliases, Confidence: 1, Place: t.Code}, form(tend))
			for k := i; k < tend; k++ {
				spans[k] = got
			}
			i = tend
			continue
		}
		// A run of capitalised words.
		if toks[i].Shape != gazetteer.ShapeTitle && toks[i].Shape != gazetteer.ShapeUpper || allCaps {
			i++
			continue
		}
		end := i + 1
		for end < len(toks) {
			t := toks[end]
			if t.Shape == gazetteer.ShapeTitle || t.Shape == gazetteer.ShapeUpper && len(t.Key) <= 2 {
				end++
				continue
			}
			if isJoiner(t.Key) && end+1 < len(toks) && toks[end+1].Shape == gazetteer.ShapeTitle && !strings.ContainsAny(text[t.End:toks[end+1].Start], ",.;:") {
				end += 2
				continue
			}
			break
		}
		// Names do not run across punctuation other than hyphens, apostrophes
		// and initials' dots, nor across lines.
		for k := i + 1; k < end; k++ {
			gap := text[toks[k-1].End:toks[k].Start]
			if strings.ContainsAny(gap, ",;:()\"“”\n") || strings.Contains(gap, ". ") && len(toks[k-1].Key) > 1 {
				end = k
				break
			}
		}
		// Leading titles are cues, not part of the name, and a capitalised
		// article opening a sentence is not either.
		start, titled := i, false
		for start < end-1 && isSentenceWord(toks[start].Key) {
			start++
		}
		for start < end-1 && isTitle(toks[start].Key) {
			start, titled = start+1, true
		}
		if !titled && start > 0 && isTitle(toks[start-1].Key) {
			titled = true
		}
		// "The European Union", "President Ali Khamenei": what follows the
		// cue may be a name of the dictionary, matched from there. (A place
		// after "The" is left to the run, as it always was: "The U.S.
		// military" does not count as a mention of the United States.)
		if start > i {
			if _, ok := d.phrases.MatchAt(toks, start); ok {
				i = start
				continue
			}
		}
		n := end - start
		if n == 0 {
			i = end
			continue
		}
		name := text[toks[start].Start:toks[end-1].End]
		last := toks[end-1].Key
		var m *Mention
		switch {
		case isOrgWord(last) && n >= 2 || n >= 2 && toks[start].Key == "ministry":
			m = &Mention{Name: name, Kind: newsdesk.EntityOrganisation, Confidence: 0.8}
		case toks[start].Key == "camp" && n >= 2:
			m = &Mention{Name: name, Kind: newsdesk.EntityPlace, Confidence: 0.8}
		case n >= 2 && n <= 4 && (titled || end < len(toks) && isSpeechVerb(toks[end].Key) || start > 0 && isSpeechVerb(toks[start-1].Key)):
			m = &Mention{Name: name, Kind: newsdesk.EntityPerson, Confidence: 0.8}
		case n == 1:
			// A surname alone: a person already named in full ("Khalilzad said").
			for _, p := range people {
				if strings.HasSuffix(strings.ToLower(p.Name), " "+toks[start].Key) {
					m = p
					break
				}
			}
		case n >= 2 && n <= 4:
			m = &Mention{Name: name, Kind: newsdesk.EntityPerson, Confidence: 0.4}
		}
		if m != nil {
			got := add(m, name)
			if got.Kind == newsdesk.EntityPerson && got.Confidence < m.Confidence {
				got.Confidence = m.Confidence
			}
			if got.Kind == newsdesk.EntityPerson && got.Confidence >= 0.8 && !containsMention(people, got) {
				people = append(people, got)
			}
			for k := start; k < end; k++ {
				spans[k] = got
			}
		}
		i = end
	}
	sort.SliceStable(order, func(a, b int) bool { return order[a].Count > order[b].Count })
	return order, aliasPairs(text, toks, spans)
}

// isAllCaps reports whether the text is written in capitals: Latin
// letters, none of them lower case. A Persian or Arabic text with an
// acronym or two ("MEK") is not.
func isAllCaps(text string) bool {
	upper, other := 0, 0
	for _, r := range text {
		switch {
		case r >= 'a' && r <= 'z':
			return false
		case r >= 'A' && r <= 'Z':
			upper++
		case r >= 0x80 && unicode.IsLetter(r):
			if unicode.IsLower(r) {
				return false
			}
			other++
		}
	}
	return upper > other
}

// aliasPairs finds "X, or Y", "X (Y)", "X, also known as Y", "X, also
// called Y" and "X, known as Y" where X and Y are two different mentions,
// or Y an acronym not yet known.
func aliasPairs(text string, toks []gazetteer.Token, spans []*Mention) []AliasPair {
	var out []AliasPair
	for i := 1; i < len(toks); i++ {
		x := spans[i-1]
		if x == nil || x.Kind == newsdesk.EntityPlace {
			continue
		}
		gap := text[toks[i-1].End:toks[i].Start]
		j := i
		switch {
		case strings.TrimSpace(gap) == "(":
		case strings.TrimSpace(gap) == "," && toks[i].Key == "or":
			j = i + 1
		case strings.TrimSpace(gap) == ",":
			k := i
			if toks[k].Key == "also" {
				k++
			}
			if k+1 < len(toks) && (toks[k].Key == "known" && toks[k+1].Key == "as" || toks[k].Key == "called") {
				j = k + 1
				if toks[k].Key == "known" {
					j = k + 2
				}
			} else {
				continue
			}
		default:
			continue
		}
		if j >= len(toks) || spans[j] == x {
			continue
		}
		// Y: the mention at j, or an acronym.
		var alias string
		end := j
		if y := spans[j]; y != nil {
			for end < len(toks) && spans[end] == y {
				end++
			}
			if y.Dictionary && x.Dictionary {
				continue // two known entities: nothing to learn
			}
			alias = text[toks[j].Start:toks[end-1].End]
		} else if toks[j].Shape == gazetteer.ShapeUpper && len(toks[j].Key) >= 2 {
			alias, end = text[toks[j].Start:toks[j].End], j+1
		} else {
			continue
		}
		if strings.TrimSpace(gap) == "(" && !strings.HasPrefix(strings.TrimSpace(text[toks[end-1].End:]), ")") {
			continue
		}
		if strings.EqualFold(alias, x.Name) || containsFold(x.Aliases, alias) {
			continue
		}
		out = append(out, AliasPair{Of: x.Name, Alias: alias, Evidence: sentence(text, toks[i-1].Start)})
	}
	return out
}

func sentence(text string, at int) string {
	start := strings.LastIndexAny(text[:at], ".!?\n") + 1
	end := strings.IndexAny(text[at:], ".!?\n")
	if end < 0 {
		end = len(text) - at
	}
	return strings.TrimSpace(text[start : at+end+1-boolInt(at+end >= len(text))])
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func containsMention(list []*Mention, m *Mention) bool {
	for _, x := range list {
		if x == m {
			return true
		}
	}
	return false
}

// Options tune the step.
type Options struct {
	Gazetteer *gazetteer.Gazetteer // nil loads the embedded one
	// Dictionary replaces the embedded dictionary when not nil.
	Dictionary []Entry
	// MinConfidence is what a name outside the dictionary and gazetteer
	// needs to become a new entity (default 0.8: a title, speech verb or
	// organisation word next to it).
	MinConfidence float64
	// CacheSize bounds the in-memory name → entity cache (default 10000).
	CacheSize int
	// MaxEntities bounds the entities set on an article (default 20).
	MaxEntities int
}

// Step resolves an article's entities against the store.
type Step struct {
	store newsdesk.EntityStore
	det   *Detector
	opts  Options

	mu    sync.Mutex
	cache map[string]*newsdesk.Entity // lower-cased name → entity; nil entity: known absent
}

// New returns the entity step. It reports an error only if the embedded
// dictionary is malformed.
func New(store newsdesk.EntityStore, opts Options) (*Step, error) {
	if opts.Gazetteer == nil {
		opts.Gazetteer = gazetteer.New()
	}
	if opts.Dictionary == nil {
		d, err := Dictionary()
		if err != nil {
			return nil, err
		}
		opts.Dictionary = d
	}
	if opts.MinConfidence <= 0 {
		opts.MinConfidence = 0.8
	}
	if opts.CacheSize <= 0 {
		opts.CacheSize = 10000
	}
	if opts.MaxEntities <= 0 {
		opts.MaxEntities = 20
	}
	return &Step{store: store, det: NewDetector(opts.Dictionary, opts.Gazetteer), opts: opts, cache: map[string]*newsdesk.Entity{}}, nil
}

var _ enrich.Step = (*Step)(nil)

// Name is "entity".
func (s *Step) Name() string { return "entity" }

// Enrich sets a.Entities and records the aliases the text states.
func (s *Step) Enrich(ctx context.Context, a *newsdesk.Article, ex *enrich.Explanation) error {
	body := a.Text
	if body == "" {
		body = a.Lede
	}
	// The headline's and the body's tokens are shared with the other steps
	// that read them (sections).
	g := s.opts.Gazetteer
	text := a.Headline + ".\n" + body
	head, rest := g.Tokens(a.Headline), g.Tokens(body)
	toks := make([]gazetteer.Token, len(head), len(head)+len(rest))
	copy(toks, head)
	off := len(a.Headline) + 2
	for _, t := range rest {
		t.Start += off
		t.End += off
		toks = append(toks, t)
	}
	mentions, pairs := s.det.FindTokens(text, toks)
	var refs []newsdesk.EntityRef
	idx := map[int64]int{}
	resolved := map[string]*newsdesk.Entity{}
	for _, m := range mentions {
		e, err := s.resolve(ctx, m)
		if err != nil {
			return err
		}
		if e == nil {
			continue
		}
		resolved[strings.ToLower(m.Name)] = e
		if k, ok := idx[e.ID]; ok {
			refs[k].Mentions += m.Count
			continue
		}
		idx[e.ID] = len(refs)
		refs = append(refs, newsdesk.EntityRef{ID: e.ID, Slug: e.Slug, Name: e.Name, Kind: e.Kind, Mentions: m.Count})
	}
	sort.SliceStable(refs, func(i, j int) bool { return refs[i].Mentions > refs[j].Mentions })
	if len(refs) > s.opts.MaxEntities {
		refs = refs[:s.opts.MaxEntities]
	}
	a.Entities = refs
	if ex != nil {
		var names []string
		for _, r := range refs {
			names = append(names, fmt.Sprintf("%s ×%d", r.Name, r.Mentions))
		}
		ex.Add(s.Name(), "%d entities: %s", len(refs), strings.Join(names, ", "))
	}
	for _, p := range pairs {
		e := resolved[strings.ToLower(p.Of)]
		if e == nil || containsFold(e.Aliases, p.Alias) || strings.EqualFold(e.Name, p.Alias) {
			continue
		}
		if other := resolved[strings.ToLower(p.Alias)]; other != nil && other.ID == e.ID {
			continue
		}
		c := &newsdesk.AliasCandidate{EntityID: e.ID, Alias: p.Alias, Evidence: p.Evidence, ArticleID: a.ID, Status: newsdesk.AliasPending}
		if err := s.store.AddAliasCandidate(ctx, c); err != nil {
			return fmt.Errorf("add alias candidate %q: %w", p.Alias, err)
		}
		ex.Add(s.Name(), "alias candidate %q for %s: %q", p.Alias, e.Name, p.Evidence)
	}
	return nil
}

// resolve finds the stored entity of a mention, creating it for dictionary
// and gazetteer hits and confident new names. It returns nil for a name
// too uncertain to store.
func (s *Step) resolve(ctx context.Context, m *Mention) (*newsdesk.Entity, error) {
	names := append([]string{m.Name}, m.Aliases...)
	for _, n := range names {
		e, err := s.lookup(ctx, n)
		if err != nil {
			return nil, err
		}
		if e != nil {
			return e, nil
		}
		if !m.Dictionary {
			break // only the dictionary's aliases are trusted to find an entity
		}
	}
	if !m.Dictionary && m.Place == "" && m.Confidence < s.opts.MinConfidence {
		return nil, nil
	}
	e := &newsdesk.Entity{Kind: m.Kind, Name: m.Name}
	if m.Entry != nil {
		e.Aliases, e.Description = append([]string(nil), m.Entry.Aliases...), m.Entry.Description
	} else if m.Place != "" {
		e.Aliases = append([]string(nil), m.Aliases...)
		if c := s.opts.Gazetteer.Country(m.Place); c != nil {
			e.Description = "Place in " + c.Name
			if c.Name == m.Name {
				e.Description = "Country (" + c.Code + ")"
			}
		}
	}
	if err := s.store.CreateEntity(ctx, e); err != nil {
		if newsdesk.ErrorCode(err) != newsdesk.ECONFLICT {
			return nil, fmt.Errorf("create entity %q: %w", m.Name, err)
		}
		// Another worker created it, or an alias is taken: use what is stored.
		s.forget(names...)
		return s.lookup(ctx, m.Name)
	}
	s.remember(e, m.Name)
	return e, nil
}

func (s *Step) lookup(ctx context.Context, name string) (*newsdesk.Entity, error) {
	key := strings.ToLower(name)
	s.mu.Lock()
	e, ok := s.cache[key]
	s.mu.Unlock()
	if ok && e != nil {
		return e, nil
	}
	e, err := s.store.EntityByName(ctx, name)
	if err != nil {
		if newsdesk.ErrorCode(err) == newsdesk.ENOTFOUND {
			return nil, nil
		}
		return nil, fmt.Errorf("entity by name %q: %w", name, err)
	}
	s.remember(e, name)
	return e, nil
}

func (s *Step) remember(e *newsdesk.Entity, names ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.cache) >= s.opts.CacheSize {
		clear(s.cache) // a simple bound: start again
	}
	for _, n := range append(names, e.Name) {
		s.cache[strings.ToLower(n)] = e
	}
}

func (s *Step) forget(names ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range names {
		delete(s.cache, strings.ToLower(n))
	}
}
