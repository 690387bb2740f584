package section

import (
	"slices"
	"strings"

	"newsdesk"
	"newsdesk/gazetteer"
)

// What editors filed by hand teaches two things: how far each place term in
// each zone of an article can be trusted (a term whose country editors
// usually keep weighs more, one they usually drop weighs less), and which
// country a dateline place unknown to the gazetteer is in. Nothing is
// persisted: the lessons are rebuilt at start from the stored locked
// articles.

type hit struct {
	zone   Zone
	phrase string // the term's canonical phrase
	code   string
}

type lesson struct {
	hits     []hit
	dateline string // folded dateline place the gazetteer does not know, or ""
	sections []newsdesk.SectionRef
}

type learned struct {
	factors   map[hit]float64
	datelines map[string]string
}

// Learning needs this many articles naming a term before it moves the
// term's weight, and bounds how far it moves it.
const (
	minSupport = 3
	minFactor  = 0.15
	maxFactor  = 2.5
)

// Learn adds what the articles whose sections an editor locked teach.
// Articles not locked are ignored. Safe for concurrent use with Enrich.
func (f *Filer) Learn(articles []*newsdesk.Article) {
	var ls []lesson
	for _, a := range articles {
		if !a.SectionsLocked || len(a.Sections) == 0 {
			continue
		}
		ls = append(ls, f.lessonOf(a))
	}
	if len(ls) == 0 {
		return
	}
	f.mu.Lock()
	f.lessons = append(f.lessons, ls...)
	f.learned, f.ltree = nil, nil
	f.mu.Unlock()
}

// Lessons is the number of locked articles learned from.
func (f *Filer) Lessons() int {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return len(f.lessons)
}

func (f *Filer) lessonOf(a *newsdesk.Article) lesson {
	l := lesson{sections: slices.Clone(a.Sections)}
	seen := map[hit]bool{}
	texts, toks := f.zoneTokens(a)
	for z, text := range texts {
		for _, m := range f.g.FindTokens(text, toks[z]) {
			h := hit{zone: Zone(z), phrase: m.Term.Phrase, code: m.Term.Code}
			if !seen[h] {
				seen[h] = true
				l.hits = append(l.hits, h)
			}
		}
	}
	if a.DatelinePlace != "" && f.datelineArea(a.DatelinePlace) == "" && len(f.g.Find(a.DatelinePlace)) == 0 {
		l.dateline = foldPlace(a.DatelinePlace)
	}
	return l
}

func foldPlace(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// learnedFor returns the lessons folded for this tree, folding them again
// when the tree or the lessons changed.
func (f *Filer) learnedFor(tree *newsdesk.SectionTree) *learned {
	f.mu.RLock()
	l, t, n := f.learned, f.ltree, len(f.lessons)
	f.mu.RUnlock()
	if n == 0 {
		return nil
	}
	if l != nil && t == tree {
		return l
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.learned != nil && f.ltree == tree {
		return f.learned
	}
	f.learned, f.ltree = fold(f.lessons, tree, f.g), tree
	return f.learned
}

func fold(lessons []lesson, tree *newsdesk.SectionTree, g *gazetteer.Gazetteer) *learned {
	type count struct{ n, k float64 }
	counts := map[hit]*count{}
	var zone [nZones]count
	places := map[string]map[string]int{}
	for _, ls := range lessons {
		assigned := codes(tree, ls.sections)
		for _, h := range ls.hits {
			c := counts[h]
			if c == nil {
				c = &count{}
				counts[h] = c
			}
			c.n++
			zone[h.zone].n++
			if slices.Contains(assigned, h.code) {
				c.k++
				zone[h.zone].k++
			}
		}
		if ls.dateline != "" {
			for _, code := range assigned {
				if g.Country(code) != nil {
					if places[ls.dateline] == nil {
						places[ls.dateline] = map[string]int{}
					}
					places[ls.dateline][code]++
					break
				}
			}
		}
	}
	l := &learned{factors: map[hit]float64{}, datelines: map[string]string{}}
	for h, c := range counts {
		if c.n < minSupport {
			continue
		}
		p := (zone[h.zone].k + 1) / (zone[h.zone].n + 2)
		l.factors[h] = min(maxFactor, max(minFactor, (c.k+2*p)/(c.n+2)/p))
	}
	for place, byCode := range places {
		total, best, bestCode := 0, 0, ""
		for code, n := range byCode {
			total += n
			if n > best || n == best && code < bestCode {
				best, bestCode = n, code
			}
		}
		if best >= 2 && float64(best) >= 0.6*float64(total) {
			l.datelines[place] = bestCode
		}
	}
	return l
}

// factor is the learned weight of a term in a zone, 1 when nothing was
// learned.
func (l *learned) factor(z Zone, t *gazetteer.Term) float64 {
	if l == nil {
		return 1
	}
	if w, ok := l.factors[hit{zone: z, phrase: t.Phrase, code: t.Code}]; ok {
		return w
	}
	return 1
}

// datelinePlace is the country learned for a dateline place the gazetteer
// does not know, or "".
func (l *learned) datelinePlace(place string) string {
	if l == nil {
		return ""
	}
	return l.datelines[foldPlace(place)]
}
