// Package story clusters articles into stories as they arrive: an article
// about the same event as a recent story joins it, decided on arrival with
// no look-ahead.
//
// The clusterer keeps, for the articles of a recent window (72 hours by
// default), an inverted index from terms to the stories using them, the
// document frequency of every term, and each story's centroid. An article's
// vector has three fields, scored apart so that a headline and a whole
// article are judged on the same scale:
//
//   - title: the headline's words, stemmed, and the words of its URL slug
//     (they often carry a longer headline). Names, acronyms and tickers
//     weigh more than common words.
//   - body: the lede and the start of the text, with saturated term counts.
//   - named: the entities found by the entity step (people and
//     organisations weigh more than places; the source's own name is left
//     out) and the figures of the text, both the same in every language.
//
// Candidate stories come from the postings of the article's rarest terms
// and of its heaviest named things, within the window on either side of the
// article and capped, so the cost of a decision does not grow with the
// index. A candidate's score is, for each field the article and the story
// both have, a mix of the TF-IDF cosine to the story's centroid and the
// mean cosine to its few most similar recent members, averaged over those
// fields, each counted in units of its own threshold so that a headline and
// a whole article meet the same bar, and halved for every six hours between
// the article and the story's span (a source's backlog arrives after later
// reports). It is then raised by how busy the story is around the
// article's time, 1 + ½·ln(1 + A) with A the sum over its reports of a
// weight halving for every ninety minutes apart: of two stories the words
// fit alike, the one being reported now is the likelier to get the next
// report, as in a Chinese restaurant process whose tables age. Two guards keep common words from joining different events: a
// join the text takes part in must be backed by named things or by names
// the headlines share ("port", "cargo" and "Europe" back nothing), and a
// story none of whose reports is in the article's language is compared on
// what reads the same in every language only (named things and the ASCII
// words of the headline, such as a URL's), with named things in common
// required. The best candidate at or above the threshold wins. A near
// duplicate (DuplicateOf set by dedup) joins its original's story.
package story

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"newsdesk"
	"newsdesk/enrich"
	"newsdesk/textsim"
)

// Defaults.
const (
	DefaultWindow      = 72 * time.Hour
	DefaultThreshold   = 0.11
	DefaultMaxArticles = 1_000_000
	DefaultMaxBytes    = 512 << 20
)

// Fields of a vector. A term's key starts with its field's mark, except for
// title terms.
const (
	fieldTitle = iota
	fieldBody
	fieldEntity
	nFields
)

const (
	markBody   = "\x01"
	markEntity = "\x02"
	markFigure = "#" // after markEntity: a figure of the text
)

func fieldOf(key string) int {
	if key != "" {
		switch key[0] {
		case markBody[0]:
			return fieldBody
		case markEntity[0]:
			return fieldEntity
		}
	}
	return fieldTitle
}

// Limits that keep a decision's cost flat and memory bounded.
const (
	textWords        = 200 // words of Text read
	bodyTerms        = 48  // body terms kept per article, the most frequent
	queryTerms       = 16  // heaviest terms of the article used to find candidates
	namedTerms       = 8   // heaviest named things used to find candidates, besides
	candidatesScored = 32  // candidate stories scored in full
	postingsRead     = 24  // most recent postings read per query term
	postingsScanned  = 96  // postings looked at per query term, in or out of the window
	centroidMax      = 400 // terms kept per story centroid
	recentMax        = 12  // latest members of a story compared one by one
	figuresMax       = 12  // figures kept per article
	figureBytes      = 4000
)

// params are the weights of the model. New uses defaultParams; tests vary
// them to measure.
type params struct {
	threshold   float64
	slug        float64 // slug words not in the headline
	name        float64 // factor for names, acronyms and tickers
	number      float64 // factor for figures
	fieldWeight [nFields]float64
	// fieldThreshold is the score at which each field alone would join,
	// the title's being threshold: field scores are counted in these units
	// so that a headline and a whole article meet the same threshold.
	// Body cosines run higher than headline ones, since even unrelated
	// texts share words, and entity sets higher still, since reports on one
	// country name the same places.
	fieldThreshold [nFields]float64
	mixCentroid    float64 // share of the centroid cosine, the rest is the members'
	knn            int     // most similar recent members averaged
	halfLife       float64 // hours: the score halves for each halfLife between the article and the story
	// place is the weight of a place among entities, people and
	// organisations weighing 1: reports on one country name the same
	// places whatever the event.
	place float64
	// figure is the weight of a number of the text (a toll, a magnitude,
	// a price) among entities.
	figure float64
	// support is the least headline or entity score, in units of the
	// threshold, that a join carried by body words must have: body words
	// alone ("port", "cargo", "Europe") are shared by different events.
	support float64
	// crossSupport is the least named score, in units of the threshold,
	// of a join across languages: the ASCII words of a headline in
	// another script are few and may be generic ("water").
	crossSupport float64
	// slugWords is the least number of words a URL slug needs to be read.
	slugWords float64
	// activity raises the score of a story by how many of its reports lie
	// near the article in time: times 1 + activity·ln(1 + A), A the sum
	// over members of 2^(-hours apart/activityHalfLife).
	activity, activityHalfLife float64
}

func defaultParams() params {
	return params{
		threshold:        DefaultThreshold,
		slug:             0.8,
		name:             1.5,
		number:           1,
		fieldWeight:      [nFields]float64{1, 3, 0.5},
		fieldThreshold:   [nFields]float64{0, 0.15, 0.7},
		mixCentroid:      0.8,
		knn:              3,
		halfLife:         6,
		place:            0.5,
		figure:           0.5,
		support:          0.5,
		crossSupport:     0.5,
		slugWords:        3,
		activity:         0.5,
		activityHalfLife: 1.5,
	}
}

// Options configure a Clusterer.
type Options struct {
	Window      time.Duration // stories idle this long (from the newest article seen) are closed
	Threshold   float64       // least score to join a story
	MaxArticles int           // most articles kept in the index
	// MaxBytes bounds the memory the index holds, as estimated by
	// indexBytes: beyond it the oldest articles leave first.
	MaxBytes int64
	Logger   *slog.Logger
}

// Clusterer is the story enrichment step. It is safe for concurrent use.
type Clusterer struct {
	opt Options
	p   params
	log *slog.Logger

	mu      sync.Mutex
	terms   map[string]*term
	stories map[int64]*story
	docs    map[int64]*doc
	aging   *enrich.Aging[*doc] // the live articles and some gone ones, oldest first, for eviction
	newest  time.Time
	stamp   uint64 // of the current decision
	termIDs uint64 // the last term id given
	bytes   int64  // estimated size of the live articles, by indexBytes

	computed enrich.Kept[Vector] // from Enrich to Stored
}

type term struct {
	key      string
	id       uint64 // order of creation: a story's centroid is sorted by it
	field    uint8
	ascii    bool      // written in ASCII: slug words, Latin names, figures
	df       int       // live articles using the term
	postings []posting // stories using the term, in order of use
	// The query being decided, when it has the term, and its weight
	// there: a stamp instead of a map per decision.
	qstamp uint64
	qw     float64
	qidf   float64
	qname  bool
}

type posting struct {
	st *story
	at int64 // unix seconds of the use
}

type story struct {
	id      int64
	members int // live articles
	first   time.Time
	last    time.Time
	// cent is nil while the story has one member: its centroid is then
	// that member's vector (see only), kept once.
	cent   centroid
	norm   [nFields]float64 // TF-IDF norm of the centroid per field
	normA  float64          // TF-IDF norm of the ASCII title terms
	normN  int              // index size when norm was computed
	langs  []langCount      // live members per language ("" unknown)
	recent []*doc           // the latest members, at most recentMax
	hours  []hourCount
}

// cterm is a term of a story's centroid: the sum of its weights over the
// story's members, and when the story was last posted for it.
type cterm struct {
	t      *term
	w      float64
	posted uint32 // unix seconds
}

// centroid is a story's terms, sorted by term id: 24 bytes a term (the
// sums are kept in float64: a float32 sum moves decisions at the threshold).
type centroid []cterm

// find returns the index of t in ct, or -1.
func (ct centroid) find(t *term) int {
	lo, hi := 0, len(ct)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ct[m].t.id < t.id {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(ct) && ct[lo].t == t {
		return lo
	}
	return -1
}

// only returns the one member of a story whose centroid is that member's
// vector, or nil when the story keeps a centroid of its own.
func (st *story) only() *doc {
	if st.cent != nil || st.members != 1 || len(st.recent) != 1 {
		return nil
	}
	return st.recent[0]
}

// weight is the centroid weight of t in st, and whether st has t.
func (st *story) weight(t *term) (float64, bool) {
	if d := st.only(); d != nil {
		if i, ok := slices.BinarySearchFunc(d.terms, t.id, func(e *term, id uint64) int { return cmp.Compare(e.id, id) }); ok {
			return d.w[i], true
		}
		return 0, false
	}
	if i := st.cent.find(t); i >= 0 {
		return st.cent[i].w, true
	}
	return 0, false
}

// materialize gives a story with one member a centroid of its own, as a
// second joins: the member's terms, posted when it was added.
func (st *story) materialize() {
	d := st.only()
	if d == nil {
		return
	}
	st.cent = make(centroid, len(d.terms), len(d.terms)+len(d.terms)/2)
	posted := uint32(d.at.Unix())
	for i, t := range d.terms {
		st.cent[i] = cterm{t: t, w: d.w[i], posted: posted}
	}
}

// merge adds terms not in ct (sorted by id) to it, keeping the order.
func (ct centroid) merge(add []cterm) centroid {
	if len(add) == 0 {
		return ct
	}
	n := len(ct)
	if cap(ct) < n+len(add) {
		grown := make(centroid, n, n+len(add)+n/4)
		copy(grown, ct)
		ct = grown
	}
	ct = ct[:n+len(add)]
	i, j, k := n-1, len(add)-1, len(ct)-1
	for j >= 0 {
		if i >= 0 && ct[i].t.id > add[j].t.id {
			ct[k] = ct[i]
			i--
		} else {
			ct[k] = add[j]
			j--
		}
		k--
	}
	return ct
}

// langCount is how many live members of a story are in one language.
type langCount struct {
	lang string
	n    int32
}

// langN is the number of live members of st in language lang.
func (st *story) langN(lang string) int {
	for _, l := range st.langs {
		if l.lang == lang {
			return int(l.n)
		}
	}
	return 0
}

// langAdd adds n members in language lang.
func (st *story) langAdd(lang string, n int32) {
	for i := range st.langs {
		if st.langs[i].lang == lang {
			if st.langs[i].n += n; st.langs[i].n <= 0 {
				st.langs = append(st.langs[:i], st.langs[i+1:]...)
			}
			return
		}
	}
	if n > 0 {
		st.langs = append(st.langs, langCount{lang, n})
	}
}

// hourCount is how many live members of a story fall in one hour.
type hourCount struct {
	hour int32 // unix hours
	n    int32
}

// activity is the sum over a story's live members of 2^(-hours apart/h),
// each member counted at the middle of its hour.
func (st *story) activity(at time.Time, h float64) float64 {
	x := float64(at.Unix()) / 3600
	var a float64
	for _, hc := range st.hours {
		a += float64(hc.n) * math.Exp2(-math.Abs(x-float64(hc.hour)-0.5)/h)
	}
	return a
}

// count adds n members at time at to the story's hours.
func (st *story) count(at time.Time, n int32) {
	h := int32(at.Unix() / 3600)
	for i := range st.hours {
		if st.hours[i].hour == h {
			st.hours[i].n += n
			if st.hours[i].n <= 0 {
				st.hours = append(st.hours[:i], st.hours[i+1:]...)
			}
			return
		}
	}
	if n > 0 {
		st.hours = append(st.hours, hourCount{h, n})
	}
}

type doc struct {
	id    int64
	st    *story
	at    time.Time
	terms []*term   // sorted by term id
	w     []float64 // raw weight of each term (the story's centroid while it is the only member)
	norm  [nFields]float32
	normA float32 // of the ASCII title terms
	lang  string
	normN int // index size when norm was computed
	gone  bool
}

// New returns an empty Clusterer; Warm fills it from the store.
func New(opt Options) *Clusterer {
	return newClusterer(opt, defaultParams())
}

func newClusterer(opt Options, p params) *Clusterer {
	if opt.Window <= 0 {
		opt.Window = DefaultWindow
	}
	if opt.Threshold > 0 {
		p.threshold = opt.Threshold
	}
	opt.Threshold = p.threshold
	if opt.MaxArticles <= 0 {
		opt.MaxArticles = DefaultMaxArticles
	}
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = DefaultMaxBytes
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Clusterer{
		opt:     opt,
		p:       p,
		log:     opt.Logger,
		terms:   make(map[string]*term),
		stories: make(map[int64]*story),
		docs:    make(map[int64]*doc),
		aging:   enrich.NewAging(func(d *doc) time.Time { return d.at }),
	}
}

// Name is the step's name.
func (c *Clusterer) Name() string { return "story" }

// Vector is the weighted terms of an article, before IDF. Body terms are
// keyed with a leading \x01 and entities with a leading \x02.
type Vector map[string]float64

// ArticleVector returns the term weights of an article: headline, slug
// words, lede, the start of the text, and entities.
func ArticleVector(a *newsdesk.Article) Vector {
	return articleVector(a, defaultParams())
}

func articleVector(a *newsdesk.Article, p params) Vector {
	v := make(Vector)
	set := func(k string, w float64) {
		if w > v[k] {
			v[k] = w
		}
	}
	toks := textsim.Tokens(a.Headline)
	titleCase := isTitleCase(toks)
	for i, tok := range toks {
		lower := strings.ToLower(tok)
		if textsim.IsFunctionWord(lower) || utf8.RuneCountInString(lower) < 2 {
			continue
		}
		t := textsim.Stem(lower)
		w := 1.0
		switch {
		case hasDigit(tok):
			w *= p.number
		case isAcronym(tok) || hasInnerUpper(tok) || (!titleCase && i > 0 && startsUpper(tok)):
			w *= p.name
		}
		set(t, w)
	}
	// A slug of two words says little beside an English headline, but
	// beside a headline in another script it is all that reads the same
	// as the English coverage ("/fa/news/torkham-reopens").
	slugMin := int(p.slugWords)
	if !isASCII(a.Headline) {
		slugMin = min(slugMin, 2)
	}
	for _, w := range textsim.SlugWordsMin(a.URL, slugMin) {
		if textsim.IsFunctionWord(w) || len(w) < 2 {
			continue
		}
		t := textsim.Stem(w)
		if _, ok := v[t]; !ok {
			v[t] = p.slug
		}
	}
	// Body: lede and the start of the text, counts saturated as in BM25.
	tf := make(map[string]float64)
	for _, t := range textsim.Terms(a.Lede) {
		if !textsim.IsFunctionWord(t) {
			tf[t] += 1
		}
	}
	for _, t := range textsim.TermsN(a.Text, textWords) {
		if !textsim.IsFunctionWord(t) {
			tf[t] += 0.5
		}
	}
	if len(tf) > 0 {
		type kv struct {
			k string
			n float64
		}
		all := make([]kv, 0, len(tf))
		for k, n := range tf {
			all = append(all, kv{k, n})
		}
		slices.SortFunc(all, func(x, y kv) int {
			if c := cmp.Compare(y.n, x.n); c != 0 {
				return c
			}
			return strings.Compare(x.k, y.k)
		})
		if len(all) > bodyTerms {
			all = all[:bodyTerms]
		}
		const k1 = 1.2
		for _, x := range all {
			v[markBody+x.k] = x.n * (k1 + 1) / (x.n + k1)
		}
	}
	// Named things: entities and figures, the same in every language.
	n := 0
	for _, e := range a.Entities {
		if e.ID == 0 || isSourceName(a, e.Name) {
			continue
		}
		w := 1.0
		if e.Kind == newsdesk.EntityPlace {
			w = p.place
		}
		if n >= 3 {
			w /= 2 // less salient
		}
		n++
		v[markEntity+strconv.FormatInt(e.ID, 10)] = w
	}
	text := a.Text
	if len(text) > figureBytes {
		text = text[:figureBytes]
	}
	for _, f := range textsim.Figures(a.Lede+"\n"+text, figuresMax) {
		set(markEntity+markFigure+f, p.figure)
	}
	return v
}

// isSourceName reports whether an entity is the article's own source or
// agency, named in its dateline or credit: it says who reported, not what.
func isSourceName(a *newsdesk.Article, name string) bool {
	return name != "" && (strings.EqualFold(name, a.Source) || strings.EqualFold(name, a.DatelineAgency))
}

// isTitleCase reports whether most longer words of a headline are
// capitalised, so that capitals say nothing about names.
func isTitleCase(toks []string) bool {
	n, up := 0, 0
	for _, t := range toks {
		if len(t) < 4 || hasDigit(t) {
			continue
		}
		n++
		if startsUpper(t) {
			up++
		}
	}
	return n > 0 && up*10 >= n*6
}

func startsUpper(t string) bool {
	r, _ := utf8.DecodeRuneInString(t)
	return unicode.IsUpper(r)
}

// isAcronym: two to six letters, all capitals (NSA, GM, URBN).
func isAcronym(t string) bool {
	if len(t) < 2 || len(t) > 6 {
		return false
	}
	for _, r := range t {
		if !unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

// hasInnerUpper: a capital after a small letter (iOS, McDonald, JetBlue).
func hasInnerUpper(t string) bool {
	lower := false
	for _, r := range t {
		if unicode.IsUpper(r) && lower {
			return true
		}
		lower = unicode.IsLower(r)
	}
	return false
}

func hasDigit(t string) bool {
	for i := 0; i < len(t); i++ {
		if t[i] >= '0' && t[i] <= '9' {
			return true
		}
	}
	return false
}

// idf is the inverse document frequency of a term over the window. Caller
// holds mu.
func (c *Clusterer) idf(t *term) float64 {
	df := 0
	if t != nil {
		df = t.df
	}
	return math.Log(float64(len(c.docs)+1)/float64(df+1)) + 1
}

// Candidate is a story an article could join, with its score.
type Candidate struct {
	StoryID int64
	Score   float64
	Shared  []string // the article's heaviest terms found in the story
	// Title, Body and Named are the scores of the headline, the text and
	// the named things (entities and figures), each in units of the
	// threshold, before the time between article and story is counted;
	// 0 for a field the two do not both have.
	Title, Body, Named float64
	// CrossLanguage: no live report of the story is in the article's
	// language, so only what reads the same in every language was
	// compared (named things, and ASCII headline words such as a URL's).
	CrossLanguage bool
}

type qterm struct {
	t    *term
	w    float64 // TF-IDF weight
	idf  float64 // the term's IDF, as of the decision
	name bool    // a name of the headline (an acronym, a capitalised word inside a sentence)
}

// Decide returns the stories an article with vector v at time at could
// join, best first.
func (c *Clusterer) Decide(v Vector, at time.Time) []Candidate {
	return c.decide(v, "", at)
}

// DecideLang is Decide for an article in language lang (BCP 47; "" when
// unknown): a story none of whose reports is in that language is compared
// on what reads the same in every language.
func (c *Clusterer) DecideLang(v Vector, lang string, at time.Time) []Candidate {
	return c.decide(v, baseLang(lang), at)
}

func (c *Clusterer) decide(v Vector, lang string, at time.Time) []Candidate {
	c.mu.Lock()
	defer c.mu.Unlock()
	var q []qterm
	var qn query
	for k, w := range v {
		t := c.terms[k]
		idf := c.idf(t)
		tw := w * idf
		f := fieldOf(k)
		qn.norm[f] += tw * tw
		if f == fieldTitle && isASCII(k) {
			qn.normA += tw * tw
		}
		if t != nil {
			q = append(q, qterm{t: t, w: tw, idf: idf, name: f == fieldTitle && c.p.name > 1 && w >= c.p.name})
		}
	}
	for f := range qn.norm {
		qn.norm[f] = math.Sqrt(qn.norm[f])
	}
	qn.normA = math.Sqrt(qn.normA)
	qn.lang = lang
	if len(q) == 0 {
		return nil
	}
	// Heaviest terms first; ties by key for determinism.
	slices.SortFunc(q, func(x, y qterm) int {
		if c := cmp.Compare(y.w, x.w); c != 0 {
			return c
		}
		return strings.Compare(x.t.key, y.t.key)
	})
	c.stamp++
	for _, x := range q {
		x.t.qstamp, x.t.qw, x.t.qidf, x.t.qname = c.stamp, x.w, x.idf, x.name
	}
	// Postings are in order of use, which is the order of time only when
	// reports arrive in it: a source's backlog, or a feed read late, brings
	// older reports after newer ones. A posting counts when its use lies
	// within the window on either side of the article; the scan is bounded
	// either way.
	from, to := at.Add(-c.opt.Window).Unix(), at.Add(c.opt.Window).Unix()
	cands := make(map[*story]float64, 64)
	named := 0
	for i, x := range q {
		// The heaviest terms, and the heaviest named things besides: in
		// another language a story shares nothing else, and an entity or
		// a figure weighs less than a rare word.
		if i >= queryTerms && (x.t.field != fieldEntity || named >= namedTerms) {
			continue
		}
		if x.t.field == fieldEntity {
			named++
		}
		ps := x.t.postings
		for j, n, seen := len(ps)-1, 0, 0; j >= 0 && n < postingsRead && seen < postingsScanned; j-- {
			p := ps[j]
			seen++
			if p.at < from || p.at > to || p.st.members == 0 {
				continue
			}
			cands[p.st] += x.w
			n++
		}
	}
	// Score fully only the stories sharing the most query weight.
	type shared struct {
		st *story
		w  float64
	}
	before := func(x, y shared) bool { return x.w > y.w || x.w == y.w && x.st.id < y.st.id }
	// The best candidatesScored, best first: most candidates fall below
	// the last kept at one comparison.
	top := make([]shared, 0, candidatesScored)
	for st, w := range cands {
		x := shared{st, w}
		if len(top) == candidatesScored {
			if !before(x, top[len(top)-1]) {
				continue
			}
			top = top[:len(top)-1]
		}
		i := len(top)
		top = append(top, x)
		for ; i > 0 && before(x, top[i-1]); i-- {
			top[i] = top[i-1]
		}
		top[i] = x
	}
	out := make([]Candidate, 0, len(top))
	for _, x := range top {
		if cd := c.score(x.st, q, &qn, at); cd.Score > 0 {
			out = append(out, cd)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].StoryID < out[j].StoryID
	})
	if len(out) > 0 {
		// Name the terms behind the best candidate, heaviest first.
		st := c.stories[out[0].StoryID]
		for _, x := range q {
			if out[0].CrossLanguage && x.t.field == fieldBody || out[0].CrossLanguage && x.t.field == fieldTitle && !x.t.ascii {
				continue
			}
			if _, ok := st.weight(x.t); ok && len(out[0].Shared) < 5 {
				out[0].Shared = append(out[0].Shared, printable(x.t.key))
			}
		}
	}
	return out
}

// query is what a decision knows of the article besides its terms.
type query struct {
	norm  [nFields]float64 // TF-IDF norms per field
	normA float64          // of the ASCII title terms
	lang  string           // base language, "" unknown
}

// readsAcross reports whether a term reads the same in every language: a
// named thing, or an ASCII word of a headline.
func readsAcross(t *term) bool {
	return t.field == fieldEntity || t.field == fieldTitle && t.ascii
}

// crossLanguage reports whether no live report of st is in language lang
// (and all have a known one).
func (st *story) crossLanguage(lang string) bool {
	return lang != "" && len(st.langs) > 0 && st.langN(lang) == 0 && st.langN("") == 0
}

// score is how well an article's query terms fit story st. Caller holds mu.
func (c *Clusterer) score(st *story, q []qterm, qn *query, at time.Time) Candidate {
	cd := Candidate{StoryID: st.id}
	// Time apart: none within the story's span, else to its nearer end,
	// so that a report arriving late is judged as one arriving early.
	var dt time.Duration
	switch {
	case at.After(st.last):
		dt = at.Sub(st.last)
	case at.Before(st.first):
		dt = st.first.Sub(at)
	}
	if dt > c.opt.Window {
		return cd
	}
	if n := len(c.docs); n > st.normN+st.normN/8+1 || n < st.normN-st.normN/8-1 {
		// Document frequencies moved on since: while the index is
		// small, as when it is being filled, a norm taken with the IDF
		// of the time would be far off.
		c.renorm(st)
	}
	// Across languages only what reads the same in all of them counts:
	// named things, and the headline's ASCII words (a URL's slug, Latin
	// names); the text is not compared.
	cross := st.crossLanguage(qn.lang)
	cd.CrossLanguage = cross
	var dot [nFields]float64
	var names float64 // the part of the headline's dot product that names carry
	// A story of one report has that report's vector for centroid: its
	// dot product is the member's, computed below.
	only := st.only()
	if only == nil {
		for _, x := range q {
			if cross && !readsAcross(x.t) {
				continue
			}
			if j := st.cent.find(x.t); j >= 0 {
				d := x.w * st.cent[j].w * x.idf
				dot[x.t.field] += d
				if x.name {
					names += d
				}
			}
		}
	}
	qnorm, snorm := qn.norm, st.norm
	if cross {
		qnorm[fieldTitle], snorm[fieldTitle] = qn.normA, st.normA
		qnorm[fieldBody] = 0
	}
	// The recent members' cosines, per field, the best knn averaged.
	var mem [nFields][recentMax]float64
	nm := 0
	for _, m := range st.recent {
		if m.gone {
			continue
		}
		if n := len(c.docs); n > m.normN+m.normN/8+1 || n < m.normN-m.normN/8-1 {
			c.docNorm(m)
		}
		var mdot [nFields]float64
		for i, t := range m.terms {
			if t.qstamp == c.stamp && (!cross || readsAcross(t)) {
				d := t.qw * m.w[i] * t.qidf
				mdot[t.field] += d
				if m == only && t.qname {
					names += d
				}
			}
		}
		if m == only {
			dot = mdot
		}
		mnorm := m.norm
		if cross {
			mnorm[fieldTitle] = m.normA
		}
		for f := range mdot {
			if mnorm[f] > 0 && qnorm[f] > 0 {
				mem[f][nm] = mdot[f] / (qnorm[f] * float64(mnorm[f]))
			}
		}
		nm++
	}
	var fs [nFields]float64
	var sum, wsum float64
	for f := 0; f < nFields; f++ {
		if qnorm[f] == 0 || snorm[f] == 0 {
			continue
		}
		if cross && f == fieldTitle && dot[f] == 0 {
			// Across languages the ASCII words of two headlines are few
			// and happen to be there (a slug here, a name there): none in
			// common says little against the story.
			continue
		}
		cent := dot[f] / (qnorm[f] * snorm[f])
		best := topMean(mem[f][:nm], c.p.knn)
		s := c.p.mixCentroid*cent + (1-c.p.mixCentroid)*best
		if f != fieldTitle {
			s *= c.p.threshold / c.p.fieldThreshold[f]
		}
		fs[f] = s / c.p.threshold
		sum += c.p.fieldWeight[f] * s
		wsum += c.p.fieldWeight[f]
	}
	cd.Title, cd.Body, cd.Named = fs[fieldTitle], fs[fieldBody], fs[fieldEntity]
	if wsum == 0 {
		return cd
	}
	score := sum / wsum
	// Body words are shared by different events ("port", "cargo",
	// "Europe"): a join they carry must be backed by the headline or by
	// named things.
	switch {
	case fs[fieldBody] > 0:
		// The backing: the named things in common, and the names the
		// headlines share; common words of a headline ("port") back
		// nothing.
		backing := fs[fieldEntity]
		if dot[fieldTitle] > 0 {
			backing += fs[fieldTitle] * names / dot[fieldTitle]
		}
		if backing < c.p.support {
			score = min(score, backing*c.p.threshold)
		}
	case cross && fs[fieldEntity] < c.p.crossSupport:
		score = min(score, fs[fieldEntity]*c.p.threshold)
	}
	if c.p.halfLife > 0 {
		score *= math.Exp2(-dt.Hours() / c.p.halfLife)
	}
	if c.p.activity != 0 {
		score *= 1 + c.p.activity*math.Log1p(st.activity(at, c.p.activityHalfLife))
	}
	cd.Score = score
	return cd
}

// docNorm recomputes a member's TF-IDF norms. Caller holds mu.
func (c *Clusterer) docNorm(d *doc) {
	var n [nFields]float64
	var a float64
	for i, t := range d.terms {
		x := d.w[i] * c.idf(t)
		n[t.field] += x * x
		if t.field == fieldTitle && t.ascii {
			a += x * x
		}
	}
	for f := range n {
		d.norm[f] = float32(math.Sqrt(n[f]))
	}
	d.normA = float32(math.Sqrt(a))
	d.normN = len(c.docs)
}

// topMean is the mean of the k largest of xs (all of them when fewer). It
// reorders xs.
func topMean(xs []float64, k int) float64 {
	if len(xs) == 0 {
		return 0
	}
	for i := 1; i < len(xs); i++ { // largest first; xs is short
		for j := i; j > 0 && xs[j] > xs[j-1]; j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
	if k > len(xs) {
		k = len(xs)
	}
	var s float64
	for _, x := range xs[:k] {
		s += x
	}
	return s / float64(k)
}

func printable(k string) string {
	switch fieldOf(k) {
	case fieldEntity:
		if f, ok := strings.CutPrefix(k[1:], markFigure); ok {
			return "figure:" + f
		}
		return "entity:" + k[1:]
	case fieldBody:
		return "body:" + k[1:]
	}
	return k
}

// Enrich sets the article's StoryID to the story it joins, or leaves it 0
// for a story of its own. An article that already has a story keeps it.
func (c *Clusterer) Enrich(ctx context.Context, a *newsdesk.Article, ex *enrich.Explanation) error {
	if a.StoryID != 0 {
		ex.Add(c.Name(), "keeps story %d", a.StoryID)
		return nil
	}
	if a.DuplicateOf != 0 {
		c.mu.Lock()
		d := c.docs[a.DuplicateOf]
		c.mu.Unlock()
		if d != nil && !d.gone {
			a.StoryID = d.st.id
			ex.Add(c.Name(), "joins story %d of article %d, which it copies", a.StoryID, a.DuplicateOf)
			return nil
		}
	}
	v := articleVector(a, c.p)
	c.computed.Keep(a, v)
	cands := c.decide(v, baseLang(a.Language), articleTime(a))
	if len(cands) == 0 || cands[0].Score < c.p.threshold {
		if len(cands) > 0 {
			ex.Add(c.Name(), "new story: best candidate story %d scored %.2f, below %.2f (%s; shared %v)",
				cands[0].StoryID, cands[0].Score, c.p.threshold, cands[0].fields(), cands[0].Shared)
		} else {
			ex.Add(c.Name(), "new story: no recent story shares its terms")
		}
		return nil
	}
	a.StoryID = cands[0].StoryID
	ex.Add(c.Name(), "joins story %d (score %.2f ≥ %.2f; %s; shared %v; %d candidates)",
		a.StoryID, cands[0].Score, c.p.threshold, cands[0].fields(), cands[0].Shared, len(cands))
	return nil
}

// fields renders the field scores of a candidate for an explanation.
func (cd Candidate) fields() string {
	s := fmt.Sprintf("headline %.1f, text %.1f, named %.1f", cd.Title, cd.Body, cd.Named)
	if cd.CrossLanguage {
		s += ", across languages"
	}
	return s
}

// baseLang is the language subtag of a BCP 47 tag, lower case: "en-GB" → "en".
func baseLang(tag string) string {
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return strings.ToLower(tag)
}

// isASCII reports whether s is all ASCII.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func articleTime(a *newsdesk.Article) time.Time {
	if !a.PublishedAt.IsZero() {
		return a.PublishedAt
	}
	return a.FetchedAt
}

// Stored adds stored articles with their story IDs to the index.
func (c *Clusterer) Stored(ctx context.Context, articles []*newsdesk.Article) {
	for _, a := range articles {
		if a.ID == 0 || a.StoryID == 0 || a.Status == newsdesk.StatusUnpublished {
			continue
		}
		v, ok := c.computed.Take(a)
		if !ok {
			v = articleVector(a, c.p)
		}
		c.add(a.ID, a.StoryID, v, baseLang(a.Language), articleTime(a))
	}
}

// Add puts article id, with vector v, at time at, into story storyID.
// Adding an indexed article again moves it.
func (c *Clusterer) Add(id, storyID int64, v Vector, at time.Time) {
	c.add(id, storyID, v, "", at)
}

// AddLang is Add for an article in language lang (BCP 47; "" unknown).
func (c *Clusterer) AddLang(id, storyID int64, v Vector, lang string, at time.Time) {
	c.add(id, storyID, v, baseLang(lang), at)
}

func (c *Clusterer) add(id, storyID int64, v Vector, lang string, at time.Time) {
	lang = strings.Clone(lang) // kept: must not pin the document it came from
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.docs[id]; old != nil {
		c.remove(old)
		delete(c.docs, id)
	}
	if at.Before(c.newest.Add(-c.opt.Window)) {
		// Already out of the window, as a feed's backlog arrives: its
		// story would be closed at once.
		return
	}
	st := c.stories[storyID]
	if st == nil {
		st = &story{id: storyID, first: at, last: at}
		c.stories[storyID] = st
	}
	st.langAdd(lang, 1)
	st.count(at, 1)
	// A new story's centroid is its first article's vector until another
	// joins: most stories have one report, and it is kept once.
	single := st.members == 0
	st.materialize()
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys) // the same article always indexes the same way
	d := &doc{id: id, st: st, at: at, lang: lang, terms: make([]*term, 0, len(v)), w: make([]float64, 0, len(v))}
	for _, k := range keys {
		t := c.terms[k]
		if t == nil {
			// A copy: the key may share memory with the article's text, and
			// through it with a whole fetched feed document.
			c.termIDs++
			t = &term{key: strings.Clone(k), id: c.termIDs, field: uint8(fieldOf(k)), ascii: isASCII(k)}
			c.terms[t.key] = t
		}
		d.terms = append(d.terms, t)
		d.w = append(d.w, v[k])
	}
	sort.Sort(byTermID{d})
	unix := at.Unix()
	st.members++
	var added []cterm
	for i, t := range d.terms {
		t.df++
		w := d.w[i]
		if single {
			c.post(t, posting{st, unix})
			continue
		}
		j := st.cent.find(t)
		if j < 0 {
			added = append(added, cterm{t: t, w: w, posted: uint32(unix)})
		} else {
			st.cent[j].w += w
			if unix-int64(st.cent[j].posted) <= int64(c.opt.Window/time.Second)/4 {
				continue
			}
			st.cent[j].posted = uint32(unix)
		}
		c.post(t, posting{st, unix})
	}
	st.cent = st.cent.merge(added) // added is in term id order, as d.terms
	if at.After(st.last) {
		st.last = at
	}
	if at.Before(st.first) {
		st.first = at
	}
	if len(st.cent) > 2*centroidMax {
		c.prune(st)
	}
	if len(st.recent) == recentMax {
		copy(st.recent, st.recent[1:])
		st.recent = st.recent[:recentMax-1]
	}
	st.recent = append(st.recent, d)
	c.renorm(st) // after recent: a story of one reads that report's terms
	c.docs[id] = d
	c.bytes += indexBytes(len(d.terms))
	c.aging.Push(d)
	if at.After(c.newest) {
		c.newest = at
	}
	c.evict()
}

// byTermID sorts a doc's terms and their weights by term id.
type byTermID struct{ d *doc }

func (b byTermID) Len() int           { return len(b.d.terms) }
func (b byTermID) Less(i, j int) bool { return b.d.terms[i].id < b.d.terms[j].id }
func (b byTermID) Swap(i, j int) {
	b.d.terms[i], b.d.terms[j] = b.d.terms[j], b.d.terms[i]
	b.d.w[i], b.d.w[j] = b.d.w[j], b.d.w[i]
}

// renorm recomputes a story's TF-IDF norms. Caller holds mu.
func (c *Clusterer) renorm(st *story) {
	var n [nFields]float64
	var a float64
	add := func(t *term, w float64) {
		x := w * c.idf(t)
		n[t.field] += x * x
		if t.field == fieldTitle && t.ascii {
			a += x * x
		}
	}
	if d := st.only(); d != nil {
		for i, t := range d.terms {
			add(t, d.w[i])
		}
	} else {
		for _, e := range st.cent {
			add(e.t, e.w)
		}
	}
	for f := range n {
		st.norm[f] = math.Sqrt(n[f])
	}
	st.normA = math.Sqrt(a)
	st.normN = len(c.docs)
}

// prune keeps the centroidMax heaviest terms of a story. Caller holds mu.
func (c *Clusterer) prune(st *story) {
	type tw struct {
		e cterm
		w float64
	}
	all := make([]tw, 0, len(st.cent))
	for _, e := range st.cent {
		all = append(all, tw{e, float64(e.w) * c.idf(e.t)})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].w != all[j].w {
			return all[i].w > all[j].w
		}
		return all[i].e.t.key < all[j].e.t.key
	})
	kept := make(centroid, centroidMax, centroidMax+centroidMax/4)
	for i, x := range all[:centroidMax] {
		kept[i] = x.e
	}
	sort.Slice(kept, func(i, j int) bool { return kept[i].t.id < kept[j].t.id })
	st.cent = kept
}

// post appends p to a term's postings. Before the postings would grow, it
// drops what no decision reads: postings older than the window and those
// of closed stories (they come in order of use, not of time, so stale ones
// lie anywhere), and, of a long list, all but the last postingsScanned,
// beyond the reach of a decision's scan. Caller holds mu.
func (c *Clusterer) post(t *term, p posting) {
	ps := t.postings
	if len(ps) == cap(ps) && len(ps) > 0 {
		cutoff := c.newest.Add(-c.opt.Window).Unix()
		ps = slices.DeleteFunc(ps, func(p posting) bool { return p.at < cutoff || p.st.members == 0 })
		if len(ps) >= 2*postingsScanned {
			ps = append(ps[:0], ps[len(ps)-(postingsScanned-1):]...)
			clear(ps[len(ps):cap(ps)]) // let closed stories go
		}
	}
	t.postings = append(ps, p)
}

// remove takes a document out of the counts. Caller holds mu.
func (c *Clusterer) remove(d *doc) {
	d.gone = true
	c.bytes -= indexBytes(len(d.terms))
	d.st.members--
	d.st.count(d.at, -1)
	d.st.langAdd(d.lang, -1)
	if st := d.st; st.members <= 0 {
		// Closed: postings may still point at it until they are
		// trimmed, but they need nothing more than its member count.
		delete(c.stories, st.id)
		st.cent, st.recent, st.hours, st.langs = nil, nil, nil, nil
	}
	for _, t := range d.terms {
		t.df--
		if t.df <= 0 {
			// No live article uses the term: its postings can only lead
			// to stories whose other articles do not have it.
			delete(c.terms, t.key)
			t.postings = nil
		}
	}
	// What scoring reads of a member is behind gone; the doc itself may
	// wait in aging and in its story's recent list a while.
	d.terms, d.w = nil, nil
}

// evict closes what fell out of the window, and beyond the size bounds the
// oldest articles, by their time whatever order they came in. Caller holds
// mu.
func (c *Clusterer) evict() {
	cutoff := c.newest.Add(-c.opt.Window)
	for {
		d, ok := c.aging.Oldest()
		if !ok || !d.gone && len(c.docs) <= c.opt.MaxArticles && c.bytes <= c.opt.MaxBytes && !d.at.Before(cutoff) {
			return
		}
		c.aging.Pop()
		if !d.gone {
			delete(c.docs, d.id)
			c.remove(d)
		}
	}
}

// indexBytes estimates the memory an indexed article with n terms holds:
// its terms and weights (16 bytes a term), its part of its story's
// centroid (24, none while it is its story's only report) and of the
// postings (16), the term table's share, the article's and its story's
// records. BenchmarkIndexBytes10k measures 4.4 KB for articles of about
// seventy terms, each its own story; the estimate, 5.6 KB, counts the
// centroid a story of several reports has.
func indexBytes(n int) int64 {
	return 1024 + 68*int64(n)
}

// Stats is the size of the index.
type Stats struct {
	Articles, Stories, Terms int
	Bytes                    int64 // estimated, see Options.MaxBytes
}

// Stats returns the size of the index.
func (c *Clusterer) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Stats{Articles: len(c.docs), Stories: len(c.stories), Terms: len(c.terms), Bytes: c.bytes}
}

// Warm loads the published articles since a time from the store into the
// index, oldest first, a page at a time.
func (c *Clusterer) Warm(ctx context.Context, store newsdesk.ArticleStore, since time.Time) error {
	const page = 500
	n := 0
	for off := 0; ; off += page {
		as, _, err := store.Articles(ctx, newsdesk.ArticleFilter{Since: &since, Oldest: true, Offset: off, Limit: page})
		if err != nil {
			return fmt.Errorf("warm story index since %s: %w", since.Format(time.RFC3339), err)
		}
		c.Stored(ctx, as)
		n += len(as)
		if len(as) < page {
			break
		}
	}
	c.log.Info("story index warmed", "articles", n, "stories", c.Stats().Stories)
	return nil
}

// Forget takes an article out of the index, so that explaining how it
// would be clustered does not compare it with itself. Its story keeps the
// other members.
func (c *Clusterer) Forget(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := c.docs[id]; d != nil && !d.gone {
		c.remove(d)
		delete(c.docs, id)
	}
}
