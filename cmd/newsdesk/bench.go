package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"newsdesk"
	"newsdesk/demo"
	"newsdesk/index"
	"newsdesk/recommend"
	"newsdesk/related"
	"newsdesk/site"
	"newsdesk/store/sqlite"
	"newsdesk/web"
)

const benchUsage = `usage:
  newsdesk bench gen --articles N --db PATH [--sources 200] [--entities 3000] [--seed 1]
      fill an empty database with a synthetic corpus through the store API
  newsdesk bench pages --db PATH [--requests 300]
      uncached render times of the site's pages and search times on that database`

// bench runs the benchmark helpers.
func (m *Main) bench(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return &exitError{2, errors.New(benchUsage)}
	}
	switch args[0] {
	case "gen":
		return m.benchGen(ctx, args[1:])
	case "pages":
		return m.benchPages(ctx, args[1:])
	}
	return &exitError{2, fmt.Errorf("bench: unknown verb %q\n%s", args[0], benchUsage)}
}

// startCPUProfile writes a CPU profile of the process to path until stop
// is called (NEWSDESK_CPUPROFILE=FILE, for the benchmarks in bench/).
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// writeHeapProfile writes the live heap at the end of a verb
// (NEWSDESK_MEMPROFILE=FILE).
func writeHeapProfile(path string, stderr io.Writer) {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(stderr, "heap profile:", err)
		return
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		fmt.Fprintln(stderr, "heap profile:", err)
	}
}

// genOptions shape the synthetic corpus.
type genOptions struct {
	Articles   int
	Sources    int
	Entities   int
	Readers    int
	PerRound   int // articles per source per stored batch
	Seed       uint64
	Now        time.Time
	PerDay     int // articles per day across all sources
	StoryShare float64
}

func (m *Main) benchGen(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench gen", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	cfg := m.flags(fs)
	o := genOptions{Now: time.Now().UTC().Truncate(time.Minute)}
	fs.IntVar(&o.Articles, "articles", 10_000, "articles to generate")
	fs.IntVar(&o.Sources, "sources", 200, "sources the articles come from")
	fs.IntVar(&o.Entities, "entities", 3000, "people, organisations and places")
	fs.IntVar(&o.Readers, "readers", 0, "readers with a reading history (default articles/100, at least 50)")
	fs.IntVar(&o.PerRound, "batch", 25, "articles per source in one UpsertArticles batch")
	fs.IntVar(&o.PerDay, "per-day", 5000, "articles published per day across all sources")
	fs.Uint64Var(&o.Seed, "seed", 1, "seed of the generator")
	cacheMiB := fs.Int("cache-mib", 1024, "page cache of the SQLite writer while generating: FTS5's merges re-read their segments through it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.Articles <= 0 || o.Sources <= 0 || o.PerRound <= 0 || o.PerDay <= 0 {
		return &exitError{2, errors.New("bench gen: --articles, --sources, --batch and --per-day must be positive")}
	}
	if o.Readers == 0 {
		o.Readers = max(50, o.Articles/100)
	}
	o.StoryShare = 0.5
	st, err := openStoreOptions(ctx, cfg.DB, sqlite.Options{WriterCacheKiB: *cacheMiB << 10})
	if err != nil {
		return err
	}
	defer st.Close()
	started := time.Now()
	g := &corpusGen{st: st, o: o, rng: rand.New(rand.NewPCG(o.Seed, 0x6e6577736465736b)), ix: index.New(st), out: m.Stderr}
	if err := g.run(ctx); err != nil {
		return fmt.Errorf("bench gen: %w", err)
	}
	took := time.Since(started)
	size := fileSize(strings.TrimPrefix(cfg.DB, "sqlite:"))
	fmt.Fprintf(m.Stdout, "generated %d articles (%d stories, %d entities, %d sources, %d read events) in %s: %.0f articles/s; articles %s, reads %s; database %.1f MiB, %.1f KiB per article\n",
		g.stored, g.stories, len(g.entities), len(g.sources), g.reads, took.Round(time.Millisecond),
		float64(g.stored)/g.articleTime.Seconds(), g.articleTime.Round(time.Millisecond), g.readTime.Round(time.Millisecond),
		float64(size)/(1<<20), float64(size)/1024/float64(max(g.stored, 1)))
	return nil
}

// fileSize is the size of a SQLite database with its WAL.
func fileSize(path string) int64 {
	var n int64
	for _, p := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			n += fi.Size()
		}
	}
	return n
}

type genStory struct {
	id        int64
	left      int // articles still to come
	section   newsdesk.SectionRef
	entities  []newsdesk.EntityRef
	words     []string // words the headlines of the story share
	sources   map[int64]bool
	lastRound int
}

type corpusGen struct {
	st  newsdesk.Store
	o   genOptions
	rng *rand.Rand
	ix  *index.Indexer
	out io.Writer

	countries []newsdesk.SectionRef
	sources   []*newsdesk.Source
	entities  []newsdesk.EntityRef
	open      []*genStory
	recent    []int64 // article IDs of the last week, for reads

	stored, stories, reads int
	articleTime, readTime  time.Duration
}

func (g *corpusGen) run(ctx context.Context) error {
	_, n, err := g.st.Sources(ctx, newsdesk.SourceFilter{Limit: 1})
	if err != nil {
		return err
	}
	if n > 0 {
		return errors.New("the database already has sources; generate into an empty one")
	}
	if err := g.sections(ctx); err != nil {
		return err
	}
	if err := g.makeSources(ctx); err != nil {
		return err
	}
	if err := g.makeEntities(ctx); err != nil {
		return err
	}
	t := time.Now()
	if err := g.articles(ctx); err != nil {
		return err
	}
	g.articleTime = time.Since(t)
	t = time.Now()
	if err := g.readEvents(ctx); err != nil {
		return err
	}
	g.readTime = time.Since(t)
	return nil
}

func (g *corpusGen) sections(ctx context.Context) error {
	secs, err := g.st.Sections(ctx)
	if err != nil {
		return err
	}
	if len(secs) == 0 {
		ids := map[string]int64{}
		pos := map[string]int{}
		for _, spec := range demo.Sections() {
			s := &newsdesk.Section{ParentID: ids[spec.ParentSlug], Slug: spec.Slug, Name: spec.Name,
				Description: spec.Description, Code: spec.Code, Position: pos[spec.ParentSlug]}
			pos[spec.ParentSlug]++
			if err := g.st.CreateSection(ctx, s); err != nil {
				return fmt.Errorf("section %s: %w", spec.Slug, err)
			}
			ids[spec.Slug] = s.ID
			secs = append(secs, s)
		}
	}
	for _, s := range secs {
		if s.Code != "" || s.ParentID == 0 && len(secs) == 1 {
			g.countries = append(g.countries, newsdesk.SectionRef{ID: s.ID, Slug: s.Slug, Name: s.Name})
		}
	}
	for _, s := range secs {
		if s.Slug == "world" {
			g.countries = append(g.countries, newsdesk.SectionRef{ID: s.ID, Slug: s.Slug, Name: s.Name})
		}
	}
	if len(g.countries) == 0 {
		return errors.New("no sections to file under")
	}
	return nil
}

func (g *corpusGen) makeSources(ctx context.Context) error {
	for i := 1; i <= g.o.Sources; i++ {
		name := titleCase(g.word()) + " " + pick(g.rng, sourceKinds)
		s := &newsdesk.Source{Name: fmt.Sprintf("%s %d", name, i), Kind: newsdesk.SourceFeed,
			URL:     fmt.Sprintf("https://source-%d.bench.invalid/feed.xml", i),
			SiteURL: fmt.Sprintf("https://source-%d.bench.invalid/", i), Language: "en",
			Licence: newsdesk.LicenceFull, Interval: 30 * time.Minute, Paused: true}
		if err := g.st.CreateSource(ctx, s); err != nil {
			return fmt.Errorf("source %d: %w", i, err)
		}
		g.sources = append(g.sources, s)
	}
	return nil
}

func (g *corpusGen) makeEntities(ctx context.Context) error {
	seen := map[string]bool{}
	for tries := 0; len(g.entities) < g.o.Entities && tries < g.o.Entities*20; tries++ {
		e := &newsdesk.Entity{}
		switch r := g.rng.IntN(10); {
		case r < 5:
			first, last := pick(g.rng, firstNames), titleCase(g.rareWord())
			e.Kind, e.Name = newsdesk.EntityPerson, first+" "+last
			e.Aliases = []string{first[:1] + ". " + last}
		case r < 8:
			a, b := titleCase(g.rareWord()), titleCase(g.word())
			e.Kind, e.Name = newsdesk.EntityOrganisation, a+" "+b+" "+pick(g.rng, orgKinds)
			e.Aliases = []string{strings.ToUpper(a[:1] + b[:1] + e.Name[strings.LastIndexByte(e.Name, ' ')+1:][:1] + a[1:2])}
		default:
			e.Kind, e.Name = newsdesk.EntityPlace, titleCase(g.rareWord())+" "+pick(g.rng, placeKinds)
		}
		key := strings.ToLower(e.Name)
		if seen[key] {
			continue
		}
		err := g.st.CreateEntity(ctx, e)
		if newsdesk.ErrorCode(err) == newsdesk.ECONFLICT && len(e.Aliases) > 0 {
			e.Aliases = nil
			err = g.st.CreateEntity(ctx, e)
		}
		if newsdesk.ErrorCode(err) == newsdesk.ECONFLICT {
			continue
		}
		if err != nil {
			return fmt.Errorf("entity %q: %w", e.Name, err)
		}
		seen[key] = true
		g.entities = append(g.entities, newsdesk.EntityRef{ID: e.ID, Slug: e.Slug, Name: e.Name, Kind: e.Kind})
	}
	return nil
}

// articles stores the corpus oldest first in rounds: in each round every
// source publishes a batch, and reports join stories begun in earlier
// rounds by other sources.
func (g *corpusGen) articles(ctx context.Context) error {
	perRound := g.o.Sources * g.o.PerRound
	rounds := (g.o.Articles + perRound - 1) / perRound
	roundDur := time.Duration(float64(perRound) / float64(g.o.PerDay) * float64(24*time.Hour))
	start := g.o.Now.Add(-time.Duration(rounds) * roundDur)
	weekAgo := g.o.Now.Add(-7 * 24 * time.Hour)
	report := max(g.o.Articles/10, 1)
	next := report
	began := time.Now()
	seq := 0
	for r := 0; r < rounds && g.stored < g.o.Articles; r++ {
		var fresh []*genStory
		// The search index takes a round's articles in one batch (one
		// transaction, one FTS5 segment): what ends up indexed is the same
		// as indexing each source's batch, at a fraction of the commits.
		var roundCreated []*newsdesk.Article
		for si, src := range g.sources {
			n := min(g.o.PerRound, g.o.Articles-g.stored)
			if n <= 0 {
				break
			}
			batch := make([]*newsdesk.Article, 0, n)
			starts := make([]*genStory, 0, n)
			for k := 0; k < n; k++ {
				seq++
				at := start.Add(time.Duration(r)*roundDur + time.Duration((float64(si*g.o.PerRound+k)+g.rng.Float64())/float64(perRound)*float64(roundDur)))
				a, s := g.article(src, seq, at, r)
				batch = append(batch, a)
				starts = append(starts, s)
			}
			created, err := g.st.UpsertArticles(ctx, src.ID, batch)
			if err != nil {
				return err
			}
			roundCreated = append(roundCreated, created...)
			for i, a := range batch {
				if s := starts[i]; s != nil {
					s.id = a.StoryID
					fresh = append(fresh, s)
					g.stories++
				}
				if a.PublishedAt.After(weekAgo) {
					g.recent = append(g.recent, a.ID)
				}
			}
			g.stored += len(created)
			if g.stored >= next {
				el := time.Since(began)
				fmt.Fprintf(g.out, "bench gen: %d/%d articles, %.0f/s\n", g.stored, g.o.Articles, float64(g.stored)/el.Seconds())
				next += report
			}
		}
		if err := g.ix.Index(ctx, roundCreated); err != nil {
			return err
		}
		// Stories stay open for about three rounds (a day or so of news).
		kept := g.open[:0]
		for _, s := range g.open {
			if s.left > 0 && r-s.lastRound < 3 {
				kept = append(kept, s)
			}
		}
		g.open = append(kept, fresh...)
		if len(g.open) > 5000 {
			g.open = g.open[len(g.open)-5000:]
		}
	}
	return nil
}

// storySizes weighs the sizes of stories, 1 to 8 articles.
var storySizes = []int{50, 18, 10, 7, 5, 4, 3, 3}

// article makes one report; it returns the story it begins, if it begins
// one that later reports will join.
func (g *corpusGen) article(src *newsdesk.Source, seq int, at time.Time, round int) (*newsdesk.Article, *genStory) {
	a := &newsdesk.Article{Status: newsdesk.StatusPublished, Language: "en", PublishedAt: at, UpdatedAt: at, FetchedAt: at.Add(3 * time.Minute)}
	var story, begun *genStory
	if len(g.open) > 0 && g.rng.Float64() < g.o.StoryShare {
		for try := 0; try < 3; try++ {
			s := g.open[g.rng.IntN(len(g.open))]
			if s.left > 0 && !s.sources[src.ID] {
				story = s
				break
			}
		}
	}
	if story != nil {
		story.left--
		story.sources[src.ID] = true
		story.lastRound = round
		a.StoryID = story.id
		a.Sections = []newsdesk.SectionRef{story.section}
		a.Entities = append([]newsdesk.EntityRef(nil), story.entities...)
	} else {
		a.Sections = []newsdesk.SectionRef{g.countries[zipfIndex(g.rng, len(g.countries))]}
		ne := 2 + g.rng.IntN(5)
		for len(a.Entities) < ne {
			e := g.entities[zipfIndex(g.rng, len(g.entities))]
			if !slices.ContainsFunc(a.Entities, func(x newsdesk.EntityRef) bool { return x.ID == e.ID }) {
				a.Entities = append(a.Entities, e)
			}
		}
		size := 1 + weighted(g.rng, storySizes)
		if size > 1 {
			begun = &genStory{left: size - 1, section: a.Sections[0], entities: a.Entities,
				words: []string{g.rareWord(), g.rareWord()}, sources: map[int64]bool{src.ID: true}, lastRound: round}
		}
	}
	for i := range a.Entities {
		a.Entities[i].Mentions = 1 + g.rng.IntN(6)
	}
	// Headline: the story's words among common ones.
	hw := make([]string, 0, 12)
	for range 5 + g.rng.IntN(6) {
		hw = append(hw, g.word())
	}
	shared := begun
	if story != nil {
		shared = story
	}
	if shared != nil {
		hw = append(hw, shared.words...)
	}
	hw = append(hw, a.Entities[0].Name)
	g.rng.Shuffle(len(hw), func(i, j int) { hw[i], hw[j] = hw[j], hw[i] })
	a.Headline = titleCase(strings.Join(hw, " "))
	a.Author = pick(g.rng, firstNames) + " " + titleCase(g.rareWord())
	a.DatelinePlace = a.Sections[0].Name
	a.DatelineAgency = src.Name

	// Body: about 500 words in paragraphs; entity names appear in the text.
	var body, text strings.Builder
	words := 420 + g.rng.IntN(160)
	for w := 0; w < words; {
		n := 40 + g.rng.IntN(50)
		p := g.paragraph(n, a.Entities)
		if w == 0 {
			a.Lede = p
		}
		body.WriteString("<p>")
		body.WriteString(p)
		body.WriteString("</p>\n")
		if text.Len() > 0 {
			text.WriteString("\n\n")
		}
		text.WriteString(p)
		w += n
	}
	a.Body, a.Text = body.String(), text.String()
	h := fnv.New64a()
	io.WriteString(h, a.Text)
	a.SimHash = h.Sum64()
	a.Fingerprint = strconv.FormatUint(a.SimHash, 16)
	a.URL = fmt.Sprintf("https://source-%d.bench.invalid/%s/%d.html", src.ID, at.Format("2006/01/02"), seq)
	a.GUID = a.URL
	return a, begun
}

// paragraph writes n words of sentences that now and then name an entity.
func (g *corpusGen) paragraph(n int, ents []newsdesk.EntityRef) string {
	var b strings.Builder
	sentence := 0
	for i := 0; i < n; i++ {
		w := g.word()
		if g.rng.IntN(40) == 0 && len(ents) > 0 {
			w = ents[g.rng.IntN(len(ents))].Name
		}
		if sentence == 0 {
			w = titleCase(w)
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
		sentence++
		if sentence > 8 && g.rng.IntN(6) == 0 || i == n-1 {
			b.WriteByte('.')
			sentence = 0
		} else if g.rng.IntN(15) == 0 {
			b.WriteByte(',')
		}
	}
	return b.String()
}

// readEvents gives each reader a history among the last week's articles,
// the popular ones more often.
func (g *corpusGen) readEvents(ctx context.Context) error {
	if len(g.recent) == 0 {
		return nil
	}
	pool := slices.Clone(g.recent)
	g.rng.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	for r := 0; r < g.o.Readers; r++ {
		id := BenchReaderID(r)
		n := 5 + g.rng.IntN(26)
		for range n {
			ev := newsdesk.ReadEvent{ReaderID: id, ArticleID: pool[zipfIndex(g.rng, len(pool))],
				At: g.o.Now.Add(-time.Duration(g.rng.Int64N(int64(7 * 24 * time.Hour))))}
			if err := g.st.RecordRead(ctx, ev); err != nil {
				return err
			}
			g.reads++
		}
	}
	return nil
}

// BenchReaderID is the reader id of the r-th synthetic reader.
func BenchReaderID(r int) string { return fmt.Sprintf("%032x", 0xbe7c4000+r) }

// word draws a word: common news words often, the long tail of the
// vocabulary the rest of the time.
func (g *corpusGen) word() string {
	if g.rng.IntN(3) > 0 {
		return commonWords[zipfIndex(g.rng, len(commonWords))]
	}
	return g.rareWord()
}

// rareWord draws from a vocabulary of about 20,000 made-up words.
func (g *corpusGen) rareWord() string {
	return syntheticWord(zipfIndex(g.rng, 20000))
}

func syntheticWord(i int) string {
	var b strings.Builder
	for n := 0; n < 2 || i > 0; n++ {
		b.WriteString(syllables[i%len(syllables)])
		i /= len(syllables)
	}
	return b.String()
}

// zipfIndex draws 0..n-1 with probability close to 1/(rank+1): the
// head of word, entity and article popularity.
func zipfIndex(r *rand.Rand, n int) int {
	if n <= 1 {
		return 0
	}
	i := int(math.Pow(float64(n+1), r.Float64())) - 1
	return min(max(i, 0), n-1)
}

func weighted(r *rand.Rand, w []int) int {
	total := 0
	for _, x := range w {
		total += x
	}
	n := r.IntN(total)
	for i, x := range w {
		if n < x {
			return i
		}
		n -= x
	}
	return len(w) - 1
}

func pick(r *rand.Rand, s []string) string { return s[r.IntN(len(s))] }

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

var (
	syllables   = strings.Fields("ka ri to ma ne sa lo vi du pe ran tor mel bas kir dan sol ver ash zen ul gor fen mar lin hal tes")
	sourceKinds = []string{"Times", "Herald", "Post", "Daily", "Observer", "Wire", "Tribune", "Monitor", "Gazette", "Report"}
	orgKinds    = []string{"Ministry", "Party", "Council", "Bank", "Company", "Front", "Agency", "Union"}
	placeKinds  = []string{"Province", "Valley", "Port", "District", "Strait", "Airbase"}
	firstNames  = strings.Fields("Ali Reza Sara Maryam Hassan Fatima Omar Layla Karim Nadia Farid Leila Javad Shirin Mehdi Yasmin Tariq Amina Bahram Zahra Arash Nasrin Kamal Hoda Daniel Anna Michael Elena")
	commonWords = strings.Fields(`the of and to in a said on for that with was by as at from his government
minister president officials talks security forces oil prices election parliament border military
people country region week report spokesman ceasefire sanctions agreement nuclear protests court
police attack killed wounded city province capital economy inflation currency central bank deal
meeting foreign ministry statement television agency state leaders opposition vote reform water
drought refugees aid humanitarian trade gas pipeline exports imports tanker strait navy drone
strike missile talks envoy delegation summit crisis negotiations journalists prison release
health hospital schools students women rights court ruling appeal budget tax workers strike
farmers harvest earthquake flood rescue relief energy electricity grid shortages winter summer
football team match league coach museum festival film director award`)
)

// benchPages measures uncached page renders and searches on a database.
func (m *Main) benchPages(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench pages", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	cfg := m.flags(fs)
	requests := fs.Int("requests", 300, "requests per page kind")
	seed := fs.Uint64("seed", 2, "seed of the request choice")
	only := fs.String("only", "", "measure only the rows whose name contains this (e.g. \"article\"), for profiling one page")
	warm := fs.Int("warm", 0, "first serve the home page, every section and this many other articles, unmeasured, as a server that has been running has (its per-section lists counted, its connections' page caches filled)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// The collector as serve sets it: the renders measured are serve's.
	gcFloor(ctx, m.Getenv, defaultGCFloor, time.Second)
	st, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	engine, err := web.New(web.Require(site.Pages()...))
	if err != nil {
		return fmt.Errorf("templates: %w", err)
	}
	ix := index.New(st)
	h, err := site.New(site.Config{Store: st, Related: related.New(st), Recommend: recommend.New(st, time.Now),
		Search: ix, Web: engine, SiteName: cfg.SiteName, BaseURL: "http://bench.invalid", Now: time.Now})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	h.Register(mux)
	rng := rand.New(rand.NewPCG(*seed, 1))

	latest, total, err := st.Articles(ctx, newsdesk.ArticleFilter{Limit: 1})
	if err != nil || len(latest) == 0 {
		return fmt.Errorf("bench pages: no articles (%v)", err)
	}
	secs, err := st.Sections(ctx)
	if err != nil {
		return err
	}
	maxID := latest[0].ID
	// randomPaths picks n stored articles at random (IDs may have gaps).
	randomPaths := func(rng *rand.Rand, n int) ([]string, error) {
		var paths []string
		for len(paths) < n {
			a, err := st.Article(ctx, 1+rng.Int64N(maxID))
			if newsdesk.ErrorCode(err) == newsdesk.ENOTFOUND {
				continue
			} else if err != nil {
				return nil, err
			}
			paths = append(paths, a.Path())
		}
		return paths, nil
	}
	articlePaths, err := randomPaths(rng, *requests)
	if err != nil {
		return err
	}

	warmed := 0
	if *warm > 0 {
		paths := []string{"/"}
		for _, s := range secs {
			paths = append(paths, s.Path())
		}
		others, err := randomPaths(rand.New(rand.NewPCG(*seed+1, 7)), *warm)
		if err != nil {
			return err
		}
		paths = append(paths, others...)
		for _, p := range paths {
			r := httptest.NewRequest("GET", p, nil)
			r.Header.Set("Sec-GPC", "1")
			h.Invalidate()
			mux.ServeHTTP(httptest.NewRecorder(), r)
		}
		warmed = len(paths)
	}

	// Wall time depends on what else the machine runs; the process's CPU
	// time per request (nothing else runs in it meanwhile) much less.
	type result struct {
		name    string
		ds, cpu []time.Duration
	}
	var results []result
	run := func(name string, path func(i int) string, hdrs func(i int) []string) error {
		if !strings.Contains(name, *only) {
			return nil
		}
		ds := make([]time.Duration, 0, *requests)
		var cpu []time.Duration
		for i := 0; i < *requests; i++ {
			r := httptest.NewRequest("GET", path(i), nil)
			hdr := hdrs(i)
			for j := 0; j+1 < len(hdr); j += 2 {
				r.Header.Set(hdr[j], hdr[j+1])
			}
			h.Invalidate()
			w := httptest.NewRecorder()
			c := cpuTime()
			t := time.Now()
			mux.ServeHTTP(w, r)
			ds = append(ds, time.Since(t))
			cpu = append(cpu, cpuTime()-c)
			if w.Code != http.StatusOK {
				return fmt.Errorf("%s %s: status %d", name, r.URL, w.Code)
			}
		}
		results = append(results, result{name, ds, cpu})
		return nil
	}
	gpc := func(int) []string { return []string{"Sec-GPC", "1"} }
	if err := run("home", func(int) string { return "/" }, gpc); err != nil {
		return err
	}
	if err := run("section (country)", func(i int) string {
		for {
			s := secs[rng.IntN(len(secs))]
			if s.Code != "" {
				return s.Path()
			}
		}
	}, gpc); err != nil {
		return err
	}
	for _, s := range secs {
		if s.ParentID == 0 && s.Code == "" && s.Slug != "world" {
			if err := run("section (region, all countries)", func(int) string { return s.Path() }, gpc); err != nil {
				return err
			}
			break
		}
	}
	if err := run("article, anonymous", func(i int) string { return articlePaths[i] }, gpc); err != nil {
		return err
	}
	// Returning readers of bench gen's; Sec-GPC keeps their views out of
	// the database, so every request sees the same histories.
	if err := run("article, returning reader", func(i int) string { return articlePaths[i] }, func(int) []string {
		return []string{"Cookie", "nd_reader=" + BenchReaderID(rng.IntN(50))}
	}); err != nil {
		return err
	}
	queries := []string{"ceasefire", "oil prices", "nuclear talks", "\"central bank\"", "minister", "kator",
		"drought refugees", "election parliament vote", syntheticWord(40) + " " + syntheticWord(3)}
	if err := run("search page", func(i int) string { return "/search?q=" + urlQuery(queries[i%len(queries)]) }, gpc); err != nil {
		return err
	}
	indexOnly := func(name string, q newsdesk.SearchQuery) error {
		if !strings.Contains(name, *only) {
			return nil
		}
		var qs, cpu []time.Duration
		for i := 0; i < *requests; i++ {
			q.Text = queries[i%len(queries)]
			c := cpuTime()
			t := time.Now()
			if _, err := ix.Search(ctx, q); err != nil {
				return err
			}
			qs = append(qs, time.Since(t))
			cpu = append(cpu, cpuTime()-c)
		}
		results = append(results, result{name, qs, cpu})
		return nil
	}
	if err := indexOnly("search (index only, 20 hits)", newsdesk.SearchQuery{Limit: 20}); err != nil {
		return err
	}
	// As a results page that shows "1,000+ results" would ask.
	if err := indexOnly("search (index only, 20 hits, total up to 1,000)", newsdesk.SearchQuery{Limit: 20, MaxTotal: 1000}); err != nil {
		return err
	}

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(m.Stdout, "%d articles in %s (%.1f MiB); %d requests per row, cache invalidated before each",
		total, cfg.DB, float64(fileSize(strings.TrimPrefix(cfg.DB, "sqlite:")))/(1<<20), *requests)
	if warmed > 0 {
		fmt.Fprintf(m.Stdout, "; after %d unmeasured requests (home, every section, %d other articles)", warmed, *warm)
	}
	fmt.Fprint(m.Stdout, "\n\n")
	fmt.Fprintln(m.Stdout, "| page (uncached) | p50 ms | p95 ms | p99 ms | max ms | CPU p50 ms | CPU p95 ms | CPU p99 ms |")
	fmt.Fprintln(m.Stdout, "|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range results {
		slices.Sort(r.ds)
		slices.Sort(r.cpu)
		q := func(ds []time.Duration, p float64) string {
			return fmt.Sprintf("%.2f", float64(ds[min(int(p*float64(len(ds))), len(ds)-1)])/1e6)
		}
		fmt.Fprintf(m.Stdout, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", r.name, q(r.ds, 0.50), q(r.ds, 0.95), q(r.ds, 0.99), q(r.ds, 1),
			q(r.cpu, 0.50), q(r.cpu, 0.95), q(r.cpu, 0.99))
	}
	fmt.Fprintf(m.Stdout, "\nGo heap in use at the end: %.1f MiB\n", float64(ms.HeapInuse)/(1<<20))
	return nil
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func urlQuery(s string) string {
	r := strings.NewReplacer(" ", "+", "\"", "%22")
	return r.Replace(s)
}
