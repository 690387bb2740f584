// Package section files articles under the country sections of the site
// (Section.Code "iq") and their region, from the places an article names:
// its dateline, headline, lede and body, in English, Persian and Arabic.
// It learns small per-term corrections from the articles editors filed by
// hand.
package section

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"

	"newsdesk"
	"newsdesk/enrich"
	"newsdesk/gazetteer"
)

// Zone is where in an article a place is named.
type Zone uint8

const (
	ZoneDateline Zone = iota
	ZoneHeadline
	ZoneLede
	ZoneBody
	nZones
)

func (z Zone) String() string { return [...]string{"dateline", "headline", "lede", "body"}[z] }

// Options tune the filer. Zero values take the defaults.
type Options struct {
	// Gazetteer is the place data; nil loads the embedded one.
	Gazetteer *gazetteer.Gazetteer
	// MaxSections bounds the country sections filed (default 3).
	MaxSections int
	// MinScore is the score a country needs to be filed at all (default 1.5).
	MinScore float64
	// SecondaryShare is the share of the primary's score a further country
	// needs, on top of MinScore (default 0.35).
	SecondaryShare float64
}

// Filer is the section step.
type Filer struct {
	tree func(context.Context) (*newsdesk.SectionTree, error)
	g    *gazetteer.Gazetteer
	opts Options

	mu      sync.RWMutex
	lessons []lesson // what each locked article taught
	learned *learned // folded from lessons for one tree
	ltree   *newsdesk.SectionTree
}

// New returns the section step. tree returns the current section tree; it
// is called on every article, so it should be cheap (a cached tree).
func New(tree func(context.Context) (*newsdesk.SectionTree, error), opts Options) *Filer {
	if opts.Gazetteer == nil {
		opts.Gazetteer = gazetteer.New()
	}
	if opts.MaxSections <= 0 {
		opts.MaxSections = 3
	}
	if opts.MinScore <= 0 {
		opts.MinScore = 1.5
	}
	if opts.SecondaryShare <= 0 {
		opts.SecondaryShare = 0.35
	}
	return &Filer{tree: tree, g: opts.Gazetteer, opts: opts}
}

var _ enrich.Step = (*Filer)(nil)

// Name is "section".
func (f *Filer) Name() string { return "section" }

// Evidence is one place term found in an article.
type Evidence struct {
	Zone   Zone
	Phrase string // as written
	Term   *gazetteer.Term
	Weight float64 // after learning
}

// Score is the case for one place code (a country, or a region).
type Score struct {
	Code     string
	Region   bool // Code is a region code
	Score    float64
	Evidence []Evidence
}

// zoneWeight is the weight of the first mention of a place in a zone and
// of each further one (body mentions are counted, up to bodyCap).
func zoneWeight(z Zone, first bool) float64 {
	if first {
		return [nZones]float64{4, 2.5, 1.5, 0.6}[z]
	}
	return [nZones]float64{0, 0.5, 0.3, 0.45}[z]
}

const bodyCap = 4.0

func kindWeight(t *gazetteer.Term) float64 {
	w := 1.0
	switch t.Kind {
	case gazetteer.KindDemonym:
		w = 0.8
	case gazetteer.KindCity:
		w = 0.9
	}
	if t.Weak {
		w *= 0.3
	}
	return w
}

// Scores returns the case for every place the article names, best first.
// It does not change the article.
func (f *Filer) Scores(a *newsdesk.Article, l *learned) []Score {
	byCode := map[string]*Score{}
	zoneSum := map[string]*[nZones]float64{}
	add := func(z Zone, text string, toks []gazetteer.Token) {
		for _, m := range f.g.FindTokens(text, toks) {
			w := kindWeight(m.Term) * l.factor(z, m.Term)
			s := byCode[m.Term.Code]
			if s == nil {
				s = &Score{Code: m.Term.Code, Region: m.Term.Kind == gazetteer.KindRegion}
				byCode[m.Term.Code] = s
				zoneSum[m.Term.Code] = &[nZones]float64{}
			}
			seen := false
			for _, e := range s.Evidence {
				if e.Zone == z {
					seen = true
					break
				}
			}
			inc := zoneWeight(z, !seen) * w
			zs := zoneSum[m.Term.Code]
			if z == ZoneDateline && seen {
				inc = 0
			}
			if z == ZoneBody && zs[z]+inc > bodyCap {
				inc = max(0, bodyCap-zs[z])
			}
			zs[z] += inc
			s.Score += inc
			s.Evidence = append(s.Evidence, Evidence{Zone: z, Phrase: text[m.Start:m.End], Term: m.Term, Weight: inc})
		}
	}
	zones, toks := f.zoneTokens(a)
	if code := f.datelineArea(zones[ZoneDateline]); code != "" {
		// "COMMACK, N.Y.": the state settles the country, whatever the town
		// might also name.
		w := zoneWeight(ZoneDateline, true)
		byCode[code] = &Score{Code: code, Score: w,
			Evidence: []Evidence{{Zone: ZoneDateline, Phrase: a.DatelinePlace, Weight: w}}}
		zoneSum[code] = &[nZones]float64{ZoneDateline: w}
		zones[ZoneDateline], toks[ZoneDateline] = "", nil
	}
	for z, text := range zones {
		add(Zone(z), text, toks[z])
	}
	if zones[ZoneDateline] != "" && byCode != nil && !hasZone(byCode, ZoneDateline) {
		if code := l.datelinePlace(a.DatelinePlace); code != "" {
			w := zoneWeight(ZoneDateline, true)
			s := byCode[code]
			if s == nil {
				s = &Score{Code: code}
				byCode[code] = s
			}
			s.Score += w
			s.Evidence = append(s.Evidence, Evidence{Zone: ZoneDateline, Phrase: a.DatelinePlace, Weight: w})
		}
	}
	out := make([]Score, 0, len(byCode))
	for _, s := range byCode {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Code < out[j].Code
	})
	return out
}

// datelineArea returns the country of the state or province closing a
// dateline place ("Commack, N.Y."), or "" when the place has no such part
// or a country is written there.
func (f *Filer) datelineArea(place string) string {
	i := strings.LastIndexByte(place, ',')
	if i < 0 {
		return ""
	}
	area := strings.TrimSpace(place[i+1:])
	if terms := f.g.Lookup(area); len(terms) > 0 && terms[0].Kind == gazetteer.KindName {
		return terms[0].Code
	}
	if c := f.g.Area(area); c != nil {
		return c.Code
	}
	return ""
}

func hasZone(byCode map[string]*Score, z Zone) bool {
	for _, s := range byCode {
		for _, e := range s.Evidence {
			if e.Zone == z {
				return true
			}
		}
	}
	return false
}

// zoneTokens returns the texts of the article's zones and their tokens;
// the body leaves out the lede when the text opens with it. The headline's
// and the text's tokens are shared with the other steps that read them
// (entities): the body's are those of the whole text from the body on, with
// offsets in the whole text, which is then the body zone's text.
func (f *Filer) zoneTokens(a *newsdesk.Article) (texts [nZones]string, toks [nZones][]gazetteer.Token) {
	lede := strings.TrimSpace(a.Lede)
	start := len(a.Text) - len(strings.TrimLeftFunc(a.Text, unicode.IsSpace))
	if body := strings.TrimSpace(a.Text); lede != "" && strings.HasPrefix(body, lede) {
		start += len(lede)
	}
	texts = [nZones]string{a.DatelinePlace, a.Headline, lede, a.Text}
	toks = [nZones][]gazetteer.Token{gazetteer.Tokenize(a.DatelinePlace), f.g.Tokens(a.Headline), gazetteer.Tokenize(lede), f.g.Tokens(a.Text)}
	if start > 0 {
		all := toks[ZoneBody]
		k, _ := slices.BinarySearchFunc(all, start, func(t gazetteer.Token, at int) int { return cmp.Compare(t.End, at+1) })
		// k is the first token ending after start; a word cut by the end
		// of the lede is tokenized again as the body's first word.
		if k < len(all) && all[k].Start < start {
			texts[ZoneBody] = a.Text[start:]
			toks[ZoneBody] = gazetteer.Tokenize(texts[ZoneBody])
		} else {
			toks[ZoneBody] = all[k:]
		}
	}
	return texts, toks
}

// Choose picks the codes to file under from scores: the best country, any
// clearly strong further ones, or, when no country qualifies, the best
// region.
func (f *Filer) Choose(scores []Score) []Score {
	var out []Score
	var top float64
	for _, s := range scores {
		if s.Region || s.Score < f.opts.MinScore {
			continue
		}
		if len(out) == 0 {
			top = s.Score
		} else if s.Score < f.opts.SecondaryShare*top || len(out) >= f.opts.MaxSections {
			continue
		}
		out = append(out, s)
	}
	if len(out) > 0 {
		return out
	}
	for _, s := range scores {
		if s.Region && s.Score >= f.opts.MinScore {
			return []Score{s}
		}
	}
	return nil
}

// Enrich files a under the sections of the places it names, unless an
// editor locked its sections.
func (f *Filer) Enrich(ctx context.Context, a *newsdesk.Article, ex *enrich.Explanation) error {
	if a.SectionsLocked {
		ex.Add(f.Name(), "kept the %d sections an editor chose", len(a.Sections))
		return nil
	}
	tree, err := f.tree(ctx)
	if err != nil {
		return fmt.Errorf("section tree: %w", err)
	}
	l := f.learnedFor(tree)
	scores := f.Scores(a, l)
	chosen := f.Choose(scores)
	refs := f.refs(tree, chosen)
	if len(refs) > 0 {
		a.Sections = refs
	}
	if ex == nil {
		return nil // the reasons are written only when asked for
	}
	if len(refs) == 0 {
		ex.Add(f.Name(), "no section: %s", describe(scores, 3))
		return nil
	}
	names := make([]string, len(refs))
	for i, r := range refs {
		names[i] = r.Slug
	}
	ex.Add(f.Name(), "filed under %s: %s", strings.Join(names, ", "), describe(chosen, 3))
	return nil
}

// refs maps chosen codes to sections: the country's own section, or its
// region's when the tree has none for it; then the regions above them.
func (f *Filer) refs(tree *newsdesk.SectionTree, chosen []Score) []newsdesk.SectionRef {
	var refs []newsdesk.SectionRef
	var parents []*newsdesk.Section
	have := map[int64]bool{}
	for _, s := range chosen {
		sec := tree.ByCode(s.Code)
		if sec == nil && !s.Region {
			if c := f.g.Country(s.Code); c != nil {
				sec = tree.ByCode(c.Region)
			}
		}
		if sec == nil || have[sec.ID] {
			continue
		}
		have[sec.ID] = true
		refs = append(refs, newsdesk.SectionRef{ID: sec.ID, Slug: sec.Slug, Name: sec.Name})
		anc := tree.Ancestors(sec)
		for i := len(anc) - 2; i >= 0; i-- {
			parents = append(parents, anc[i])
		}
	}
	for _, p := range parents {
		if !have[p.ID] {
			have[p.ID] = true
			refs = append(refs, newsdesk.SectionRef{ID: p.ID, Slug: p.Slug, Name: p.Name})
		}
	}
	return refs
}

func describe(scores []Score, n int) string {
	if len(scores) == 0 {
		return "no place named"
	}
	var parts []string
	for i, s := range scores {
		if i == n {
			break
		}
		var ev []string
		for _, e := range s.Evidence {
			if len(ev) == 4 {
				ev = append(ev, "…")
				break
			}
			ev = append(ev, fmt.Sprintf("%s %q", e.Zone, e.Phrase))
		}
		parts = append(parts, fmt.Sprintf("%s %.1f (%s)", s.Code, s.Score, strings.Join(ev, ", ")))
	}
	return strings.Join(parts, "; ")
}

// codes returns the place codes of the sections an article is filed
// under, with the regions above them.
func codes(tree *newsdesk.SectionTree, refs []newsdesk.SectionRef) []string {
	var out []string
	for _, r := range refs {
		s := tree.ByID(r.ID)
		if s == nil && r.Slug != "" {
			s = tree.BySlug(r.Slug)
		}
		if s == nil {
			continue
		}
		for _, a := range tree.Ancestors(s) {
			if a.Code != "" && !slices.Contains(out, a.Code) {
				out = append(out, a.Code)
			}
		}
	}
	return out
}
