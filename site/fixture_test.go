package site

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"newsdesk"
	"newsdesk/index"
	"newsdesk/recommend"
	"newsdesk/related"
	"newsdesk/store/sqlite"
	"newsdesk/web"
)

// testNow is the clock of every test: 2 June 2025, 17:05 UTC.
var testNow = time.Date(2025, 6, 2, 17, 5, 0, 0, time.UTC)

const testBase = "https://news.example"

// The seed page's article, written into the fixture through the store API.
const (
	seedHeadline = "U.S. protects Iranian opposition group in Iraq"
	seedLede     = "An Iranian opposition group based in Iraq, despite being considered terrorists by the United States, continues to receive protection from the American military in the face of Iraqi pressure to leave the country."
	seedBody     = `<p>BAGHDAD, Iraq (CNN) — An Iranian opposition group based in Iraq, despite being considered terrorists by the United States, continues to receive protection from the American military in the face of Iraqi pressure to leave the country.</p>
<p>It’s a paradox possible only because the United States considers the Mujahedeen-e-Khalq, or MEK, a source of valuable intelligence on Iran.</p>
<blockquote><p>“The coalition remains deeply committed to the security and rights of the protected people of Ashraf,” U.S. Maj. Gen. John D. Gardner wrote in March 2006.</p></blockquote>
<p>Despite repeated requests, neither Iran’s ambassador in Baghdad nor the U.S. military would comment on MEK, also known as Mojahedin Khalq Organization, or MKO.</p>`
	excerptOnlySentence = "The journalist was taken from a hotel lobby in central Tehran"
)

// fixture is a site on a real SQLite database filled through the store API.
type fixture struct {
	db      *sqlite.DB
	h       *Handler
	mux     *http.ServeMux
	seed    *newsdesk.Article // CNN, full licence, sections Iraq, entities MEK
	reuters *newsdesk.Article // excerpt licence, picked, story with afp
	afp     *newsdesk.Article // full licence, picked
	wire    *newsdesk.Article // headline licence
	persian *newsdesk.Article // fa
	fillers []*newsdesk.Article
	sources map[string]*newsdesk.Source
}

// relatedFunc is a RelatedFinder seam for tests that need a finder
// misbehaving on purpose.
type relatedFunc func(ctx context.Context, a *newsdesk.Article, limit int) ([]*newsdesk.Article, error)

func (f relatedFunc) Related(ctx context.Context, a *newsdesk.Article, limit int) ([]*newsdesk.Article, error) {
	return f(ctx, a, limit)
}

func newFixture(tb testing.TB, fillers int) *fixture {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "site.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	db.Now = func() time.Time { return testNow }
	f := &fixture{db: db, sources: map[string]*newsdesk.Source{}}
	ix := index.New(db)

	region := &newsdesk.Section{Slug: "iran-neighbours", Name: "Iran & Its Neighbours", Code: "r-iran"}
	must(tb, db.CreateSection(ctx, region))
	for i, c := range []struct{ slug, name, code string }{{"iran", "Iran", "ir"}, {"iraq", "Iraq", "iq"}, {"afghanistan", "Afghanistan", "af"}} {
		must(tb, db.CreateSection(ctx, &newsdesk.Section{ParentID: region.ID, Slug: c.slug, Name: c.name, Code: c.code, Position: i}))
	}
	gulf := &newsdesk.Section{Slug: "gulf", Name: "The Gulf", Position: 1}
	must(tb, db.CreateSection(ctx, gulf))
	must(tb, db.CreateSection(ctx, &newsdesk.Section{ParentID: gulf.ID, Slug: "saudi-arabia", Name: "Saudi Arabia", Code: "sa"}))

	must(tb, db.CreateEntity(ctx, &newsdesk.Entity{Kind: newsdesk.EntityOrganisation, Name: "Mujahedeen-e-Khalq", Aliases: []string{"MEK", "MKO"}}))
	must(tb, db.CreateEntity(ctx, &newsdesk.Entity{Kind: newsdesk.EntityPlace, Name: "Camp Ashraf"}))

	for _, s := range []*newsdesk.Source{
		{Name: "CNN", Kind: newsdesk.SourceFeed, URL: "https://cnn.example/rss", SiteURL: "https://cnn.example", Licence: newsdesk.LicenceFull},
		{Name: "Reuters", Kind: newsdesk.SourceFeed, URL: "https://reuters.example/rss", SiteURL: "https://reuters.example", Licence: newsdesk.LicenceExcerpt},
		{Name: "AFP", Kind: newsdesk.SourceFeed, URL: "https://afp.example/rss", SiteURL: "https://afp.example", Licence: newsdesk.LicenceFull},
		{Name: "Wire", Kind: newsdesk.SourceFeed, URL: "https://wire.example/rss", Licence: newsdesk.LicenceHeadline},
		{Name: "Radio Farda", Kind: newsdesk.SourceFeed, URL: "https://farda.example/rss", Language: "fa", Licence: newsdesk.LicenceFull},
	} {
		must(tb, db.CreateSource(ctx, s))
		f.sources[s.Name] = s
	}
	put := func(src string, a *newsdesk.Article) *newsdesk.Article {
		tb.Helper()
		if a.GUID == "" {
			a.GUID = a.URL
		}
		if a.Text == "" {
			a.Text = a.Lede
		}
		if a.Body == "" {
			a.Body = "<p>" + a.Text + "</p>"
		}
		if a.Language == "" {
			a.Language = "en"
		}
		a.FetchedAt = testNow
		if _, err := db.UpsertArticles(ctx, f.sources[src].ID, []*newsdesk.Article{a}); err != nil {
			tb.Fatalf("upsert %q: %v", a.Headline, err)
		}
		got, err := db.Article(ctx, a.ID)
		if err != nil {
			tb.Fatal(err)
		}
		must(tb, ix.Index(ctx, []*newsdesk.Article{got}))
		return got
	}

	// Fillers first, older than the named articles, spread over sections.
	slugs := []string{"iran", "iraq", "afghanistan", "saudi-arabia"}
	for i := range fillers {
		f.fillers = append(f.fillers, put("AFP", &newsdesk.Article{
			URL:         fmt.Sprintf("https://afp.example/news/%d", i),
			Headline:    fmt.Sprintf("Report number %d from the region", i),
			Lede:        fmt.Sprintf("For weeks, the social security retirees of province %d have been protesting their bad living condition and lack of money to pay for food and rent.", i),
			PublishedAt: testNow.Add(-time.Duration(10+i) * time.Hour),
			Sections:    []newsdesk.SectionRef{{Slug: slugs[i%len(slugs)]}},
		}))
	}

	f.seed = put("CNN", &newsdesk.Article{
		URL:         "https://cnn.example/2007/world/meast/04/27/mek/",
		Headline:    seedHeadline,
		Lede:        seedLede,
		Body:        seedBody,
		Text:        "BAGHDAD, Iraq (CNN) — " + seedLede + " It’s a paradox possible only because the United States considers the Mujahedeen-e-Khalq, or MEK, a source of valuable intelligence on Iran.",
		Author:      "Michael Ware",
		ImageURL:    "https://cnn.example/img/ashraf.jpg",
		ImageAlt:    "The gate of Camp Ashraf",
		PublishedAt: testNow.Add(-3 * time.Hour),
		UpdatedAt:   testNow.Add(-2 * time.Hour),

		DatelinePlace: "Baghdad, Iraq", DatelineAgency: "CNN",
		Sections: []newsdesk.SectionRef{{Slug: "iraq"}},
		Entities: []newsdesk.EntityRef{{Name: "Mujahedeen-e-Khalq", Mentions: 5}, {Name: "Camp Ashraf", Mentions: 3}},
	})
	f.reuters = put("Reuters", &newsdesk.Article{
		URL:         "https://reuters.example/iran-journalist",
		Headline:    "Iran security forces arrest AFP journalist: agency",
		Lede:        "Iranian security forces arrested an Agence France Presse journalist in Tehran on Monday, the agency said.",
		Text:        "Iranian security forces arrested an Agence France Presse journalist in Tehran on Monday, the agency said. " + excerptOnlySentence + ".",
		Body:        "<p>Iranian security forces arrested an Agence France Presse journalist in Tehran on Monday, the agency said.</p><p>" + excerptOnlySentence + ".</p>",
		PublishedAt: testNow.Add(-2 * time.Hour),
		Sections:    []newsdesk.SectionRef{{Slug: "iran"}},
	})
	f.afp = put("AFP", &newsdesk.Article{
		URL:         "https://afp.example/asia-cup",
		Headline:    "Iran police disperse anti-Saudi demo at Asia Cup match",
		Lede:        "Iranian police dispersed hundreds of youths Tuesday at a stadium in Tehran where they had gathered to protest.",
		PublishedAt: testNow.Add(-90 * time.Minute),
		Sections:    []newsdesk.SectionRef{{Slug: "iran"}},
	})
	f.wire = put("Wire", &newsdesk.Article{
		URL:         "https://wire.example/kabul",
		Headline:    "Kabul airport reopens to civilian flights",
		Lede:        "The secret lede of a headline-only report that must not be shown.",
		PublishedAt: testNow.Add(-60 * time.Minute),
		Sections:    []newsdesk.SectionRef{{Slug: "afghanistan"}},
	})
	f.persian = put("Radio Farda", &newsdesk.Article{
		URL:         "https://farda.example/1",
		Headline:    "بازنشستگان ایران دوباره تجمع کردند",
		Lede:        "بازنشستگان تأمین اجتماعی در چند شهر ایران در اعتراض به وضعیت معیشتی خود تجمع کردند.",
		Language:    "fa",
		PublishedAt: testNow.Add(-30 * time.Minute),
		Sections:    []newsdesk.SectionRef{{Slug: "iran"}},
	})
	// Reuters and AFP report one story: two sources.
	must(tb, db.MoveArticles(ctx, f.reuters.StoryID, []int64{f.afp.ID}))
	f.afp.StoryID = f.reuters.StoryID
	must(tb, db.CreatePick(ctx, &newsdesk.Pick{ArticleID: f.reuters.ID, Position: 0}))
	must(tb, db.CreatePick(ctx, &newsdesk.Pick{ArticleID: f.afp.ID, Position: 1}))

	eng, err := web.New(web.WithClock(func() time.Time { return testNow }), web.Require(Pages()...))
	if err != nil {
		tb.Fatal(err)
	}
	rel := related.New(db)
	rel.Now = func() time.Time { return testNow }
	rel.Fold = index.Normalize
	f.h, err = New(Config{
		Store: db, Related: rel, Recommend: recommend.New(db, func() time.Time { return testNow }), Search: ix, Web: eng,
		SiteName: "News On Iran & Its Neighbours", BaseURL: testBase,
		Now: func() time.Time { return testNow }, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		tb.Fatal(err)
	}
	f.mux = http.NewServeMux()
	f.h.Register(f.mux)
	return f
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// get serves one request; hdr holds header pairs.
func (f *fixture) get(path string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Add(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	f.mux.ServeHTTP(w, r)
	f.h.reads.wait() // views are written behind the request
	return w
}
