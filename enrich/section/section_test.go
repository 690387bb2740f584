package section

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"newsdesk"
	"newsdesk/enrich"
	"newsdesk/gazetteer"
)

// siteTree is the seed site's tree: a region with its countries.
func siteTree() *newsdesk.SectionTree {
	return newsdesk.NewSectionTree([]*newsdesk.Section{
		{ID: 1, Slug: "iran-and-neighbours", Name: "Iran & Its Neighbours", Code: "middle-east"},
		{ID: 2, ParentID: 1, Slug: "iran", Name: "Iran", Code: "ir"},
		{ID: 3, ParentID: 1, Slug: "iraq", Name: "Iraq", Code: "iq"},
		{ID: 4, ParentID: 1, Slug: "afghanistan", Name: "Afghanistan", Code: "af"},
		{ID: 5, ParentID: 1, Slug: "gulf", Name: "Gulf", Code: "gulf"},
		{ID: 6, ParentID: 5, Slug: "saudi-arabia", Name: "Saudi Arabia", Code: "sa"},
		{ID: 7, Slug: "world", Name: "World", Code: ""},
		{ID: 8, ParentID: 7, Slug: "united-states", Name: "United States", Code: "us"},
	})
}

func newFiler(g *gazetteer.Gazetteer) *Filer {
	tree := siteTree()
	return New(func(context.Context) (*newsdesk.SectionTree, error) { return tree, nil }, Options{Gazetteer: g})
}

func seedArticle(t *testing.T) *newsdesk.Article {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "reference", "seed-page.txt"))
	if err != nil {
		t.Skipf("seed page absent: %v", err)
	}
	text := string(b)
	start := strings.Index(text, "BAGHDAD, Iraq (CNN)")
	end := strings.Index(text, "Latest news")
	return &newsdesk.Article{
		Headline:      "U.S. protects Iranian opposition group in Iraq",
		DatelinePlace: "Baghdad, Iraq",
		Lede:          "An Iranian opposition group based in Iraq, despite being considered terrorists by the United States, continues to receive protection from the American military in the face of Iraqi pressure to leave the country.",
		Text:          text[start:end],
	}
}

func slugs(refs []newsdesk.SectionRef) string {
	var s []string
	for _, r := range refs {
		s = append(s, r.Slug)
	}
	return strings.Join(s, ",")
}

func TestEnrich(t *testing.T) {
	t.Parallel()
	g := gazetteer.New()
	f := newFiler(g)
	tests := []struct {
		name string
		a    *newsdesk.Article
		want string
	}{
		{"seed page", seedArticle(t), "iraq,united-states,iran,iran-and-neighbours,world"},
		{"dateline decides", &newsdesk.Article{DatelinePlace: "Kabul, Afghanistan", Headline: "Taliban announce new cabinet", Text: "The group named ministers on Tuesday."}, "afghanistan,iran-and-neighbours"},
		{"persian", &newsdesk.Article{Headline: "سفر وزیر خارجه ایران به بغداد", Text: "وزیر امور خارجه ایران امروز وارد بغداد شد و با همتای عراقی خود دیدار کرد. عراق و ایران"}, "iraq,iran,iran-and-neighbours"},
		{"arabic", &newsdesk.Article{Headline: "ولي العهد السعودي يزور الرياض", Text: "وصل إلى الرياض اليوم."}, "saudi-arabia,gulf,iran-and-neighbours"},
		{"region only", &newsdesk.Article{Headline: "Tensions rise in the Persian Gulf", Text: "Shipping in the Strait of Hormuz slowed."}, "gulf,iran-and-neighbours"},
		{"no place", &newsdesk.Article{Headline: "Markets steady", Text: "Shares were little changed."}, ""},
		{"country without section files under its region", &newsdesk.Article{Headline: "Qatar hosts talks", DatelinePlace: "Doha, Qatar", Text: "Qatar said talks would resume."}, "gulf,iran-and-neighbours"},
		{"province in the dateline", &newsdesk.Article{DatelinePlace: "Khoy, West Azerbaijan", Headline: "Quake injures dozens", Text: "Villages were damaged."}, "iran,iran-and-neighbours"},
		{"province, not the country it is named after", &newsdesk.Article{Headline: "Quake hits West Azerbaijan", Text: "The governor of West Azerbaijan province said 31 people were hurt around Khoy."}, "iran,iran-and-neighbours"},
		{"persian province", &newsdesk.Article{Headline: "زلزله در آذربایجان غربی", Text: "استاندار آذربایجان غربی گفت در شهرستان خوی ۳۱ نفر مصدوم شدند."}, "iran,iran-and-neighbours"},
		{"locked", &newsdesk.Article{Headline: "Iraq votes", SectionsLocked: true, Sections: []newsdesk.SectionRef{{ID: 2, Slug: "iran"}}}, "iran"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ex := &enrich.Explanation{}
			if err := f.Enrich(context.Background(), tc.a, ex); err != nil {
				t.Fatal(err)
			}
			if got := slugs(tc.a.Sections); got != tc.want {
				t.Errorf("sections %q, want %q\n%s", got, tc.want, ex)
			}
			if len(ex.Lines) != 1 {
				t.Errorf("explanation: %q", ex)
			}
		})
	}
}

// TestLearn checks that what editors filed moves a term's weight: after
// editors kept filing "Washington"-datelined reports about Iran under Iran
// only, such a dateline no longer files under the United States.
func TestLearn(t *testing.T) {
	t.Parallel()
	g := gazetteer.New()
	f := newFiler(g)
	mk := func() *newsdesk.Article {
		return &newsdesk.Article{DatelinePlace: "Washington", Headline: "Sanctions on Iran tightened", Text: "Officials said Iran would feel the measures."}
	}
	a := mk()
	if err := f.Enrich(context.Background(), a, nil); err != nil {
		t.Fatal(err)
	}
	if got := slugs(a.Sections); !strings.Contains(got, "united-states") {
		t.Fatalf("before learning: %q, want the United States among them", got)
	}
	var locked []*newsdesk.Article
	for range 10 {
		l := mk()
		l.SectionsLocked = true
		l.Sections = []newsdesk.SectionRef{{ID: 2, Slug: "iran"}}
		locked = append(locked, l)
	}
	locked = append(locked, &newsdesk.Article{Headline: "not locked", DatelinePlace: "Washington"})
	f.Learn(locked)
	if f.Lessons() != 10 {
		t.Fatalf("learned from %d articles, want 10", f.Lessons())
	}
	a = mk()
	ex := &enrich.Explanation{}
	if err := f.Enrich(context.Background(), a, ex); err != nil {
		t.Fatal(err)
	}
	if got := slugs(a.Sections); got != "iran,iran-and-neighbours" {
		t.Errorf("after learning: %q, want iran only\n%s", got, ex)
	}
}

func TestEvalReutersSmall(t *testing.T) {
	t.Parallel()
	in := `{"newid": 1, "title": "IRAN SAYS OIL OUTPUT UP", "dateline": "TEHRAN, March 3 -", "body": "Iran said its oil output rose.", "places": ["iran"]}
{"newid": 2, "title": "ACME CORP <ACM> 4TH QTR NET", "dateline": "COMMACK, N.Y., Feb 26 -", "body": "Shr 34 cts vs 1.19 dlrs", "places": ["usa"]}
{"newid": 3, "title": "WEATHER", "dateline": "", "body": "Blah blah blah.", "places": []}
{"newid": 4, "title": "JAPAN AND U.S. TALK TRADE", "dateline": "TOKYO, March 3 -", "body": "Japanese and U.S. officials met. The United States wants Japan to open.", "places": ["japan", "usa"]}
`
	var out, score strings.Builder
	if err := EvalReuters(strings.NewReader(in), &out, &score, nil); err != nil {
		t.Fatal(err)
	}
	want := `{"newid":1,"places":["iran"]}
{"newid":2,"places":["usa"]}
{"newid":3,"places":[]}
{"newid":4,"places":["japan","usa"]}
`
	if out.String() != want {
		t.Errorf("predictions\n%s\nwant\n%s", out.String(), want)
	}
	if !strings.Contains(score.String(), "F1 1.0000") {
		t.Errorf("score %q", score.String())
	}
	// The gold column is not read: wrong gold changes the score only.
	out.Reset()
	score.Reset()
	if err := EvalReuters(strings.NewReader(strings.ReplaceAll(in, `["iran"]`, `["iraq"]`)), &out, &score, nil); err != nil {
		t.Fatal(err)
	}
	if out.String() != want || strings.Contains(score.String(), "F1 1.0000") {
		t.Errorf("gold leaked into predictions: %s / %s", out.String(), score.String())
	}
}

func BenchmarkEnrich(b *testing.B) {
	f := newFiler(gazetteer.New())
	a := benchArticle()
	for b.Loop() {
		// Each article arrives with its own text: nothing is known of it.
		a.Headline, a.Text = strings.Clone(a.Headline), strings.Clone(a.Text)
		a.Sections = nil
		if err := f.Enrich(context.Background(), a, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// benchArticle is an 800-word report.
func benchArticle() *newsdesk.Article {
	para := "The U.S. military, though, regularly escorts MEK supply runs between Baghdad and its base, Camp Ashraf, according to Iraqi officials and Iranian exiles who spoke in Tehran and Erbil on Monday about the security agreement. "
	var b strings.Builder
	for b.Len() < 800*6 {
		b.WriteString(para)
	}
	return &newsdesk.Article{Headline: "U.S. protects Iranian opposition group in Iraq", DatelinePlace: "Baghdad, Iraq", Lede: para, Text: b.String()}
}
