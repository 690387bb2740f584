package entity_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"newsdesk"
	"newsdesk/enrich"
	"newsdesk/enrich/entity"
	"newsdesk/enrich/section"
	"newsdesk/gazetteer"
	"newsdesk/store/sqlite"
)

func openStore(t testing.TB) newsdesk.EntityStore {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "newsdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestStepSeedPage(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "reference", "seed-page.txt"))
	if err != nil {
		t.Skipf("seed page absent: %v", err)
	}
	text := string(b)
	text = text[strings.Index(text, "CNN: An Iranian"):strings.Index(text, "Latest news")]
	ctx := context.Background()
	store := openStore(t)
	s, err := entity.New(store, entity.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := &newsdesk.Article{ID: 1, Headline: "U.S. protects Iranian opposition group in Iraq", Text: text}
	ex := &enrich.Explanation{}
	if err := s.Enrich(ctx, a, ex); err != nil {
		t.Fatal(err)
	}
	if len(a.Entities) == 0 || a.Entities[0].Name != "Mujahedeen-e-Khalq" {
		t.Fatalf("entities %+v", a.Entities)
	}
	for _, name := range []string{"MEK", "MKO", "PMOI", "Mujahedeen-e-Khalq"} {
		e, err := store.EntityByName(ctx, name)
		if err != nil {
			t.Fatalf("EntityByName(%q): %v", name, err)
		}
		if e.ID != a.Entities[0].ID {
			t.Errorf("%q is entity %d, want %d", name, e.ID, a.Entities[0].ID)
		}
	}
	byName := map[string]newsdesk.EntityRef{}
	for _, r := range a.Entities {
		byName[r.Name] = r
	}
	for name, kind := range map[string]newsdesk.EntityKind{
		"Michael Ware": newsdesk.EntityPerson, "Zalmay Khalilzad": newsdesk.EntityPerson, "Mojgan Parsaii": newsdesk.EntityPerson,
		"John D. Gardner": newsdesk.EntityPerson, "Camp Ashraf": newsdesk.EntityPlace, "Baghdad": newsdesk.EntityPlace,
		"Zahedan": newsdesk.EntityPlace, "International Committee of the Red Cross": newsdesk.EntityOrganisation,
	} {
		if r, ok := byName[name]; !ok || r.Kind != kind || r.ID == 0 {
			t.Errorf("%q: %+v, want a stored %s", name, r, kind)
		}
	}
	icrc, err := store.EntityByName(ctx, "ICRC")
	if err != nil || icrc.ID != byName["International Committee of the Red Cross"].ID {
		t.Errorf("ICRC: %v %v", icrc, err)
	}
	// A second article reuses the stored entities.
	b2 := &newsdesk.Article{ID: 2, Headline: "MKO members leave Camp Ashraf", Text: "The MKO said its members left."}
	if err := s.Enrich(ctx, b2, nil); err != nil {
		t.Fatal(err)
	}
	if b2.Entities[0].ID != a.Entities[0].ID || b2.Entities[0].Mentions != 2 {
		t.Errorf("second article: %+v", b2.Entities)
	}
	t.Log(ex)
}

func TestStepAliasCandidates(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	s, err := entity.New(store, entity.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := &newsdesk.Article{Headline: "Fighting in the north", Text: "The Syrian Democratic Forces (SDF) took the town, the Syrian Democratic Forces said."}
	if err := s.Enrich(ctx, a, nil); err != nil {
		t.Fatal(err)
	}
	cands, err := store.AliasCandidates(ctx, newsdesk.AliasPending, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(cands) != 1 || cands[0].Alias != "SDF" {
		t.Fatalf("candidates %+v", cands)
	}
	e, err := store.Entity(ctx, cands[0].EntityID)
	if err != nil || e.Name != "Syrian Democratic Forces" {
		t.Errorf("candidate's entity %+v %v", e, err)
	}
	// A name seen without any cue is not stored.
	if _, err := store.EntityByName(ctx, "Fighting"); newsdesk.ErrorCode(err) != newsdesk.ENOTFOUND {
		t.Errorf("uncued name stored: %v", err)
	}
}

func BenchmarkStep(b *testing.B) {
	ctx := context.Background()
	s, err := entity.New(openStore(b), entity.Options{})
	if err != nil {
		b.Fatal(err)
	}
	para := "The U.S. military, though, regularly escorts MEK supply runs between Baghdad and its base, Camp Ashraf, said Mojgan Parsaii, vice president of MEK, as the International Committee of the Red Cross watched. "
	var sb strings.Builder
	for len(strings.Fields(sb.String())) < 800 {
		sb.WriteString(para)
	}
	a := &newsdesk.Article{Headline: "U.S. protects Iranian opposition group in Iraq", Text: sb.String()}
	if err := s.Enrich(ctx, a, nil); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		// Each article arrives with its own text: nothing is known of it.
		a.Text = strings.Clone(a.Text)
		if err := s.Enrich(ctx, a, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSectionAndEntity is the two steps that read an article's places
// as the enricher runs them, sections then entities, on each new article.
func BenchmarkSectionAndEntity(b *testing.B) {
	ctx := context.Background()
	g := gazetteer.New()
	s, err := entity.New(openStore(b), entity.Options{Gazetteer: g})
	if err != nil {
		b.Fatal(err)
	}
	tree := newsdesk.NewSectionTree([]*newsdesk.Section{
		{ID: 1, Slug: "iran-and-neighbours", Name: "Iran & Its Neighbours", Code: "middle-east"},
		{ID: 2, ParentID: 1, Slug: "iran", Name: "Iran", Code: "ir"},
		{ID: 3, ParentID: 1, Slug: "iraq", Name: "Iraq", Code: "iq"},
	})
	f := section.New(func(context.Context) (*newsdesk.SectionTree, error) { return tree, nil }, section.Options{Gazetteer: g})
	para := "The U.S. military, though, regularly escorts MEK supply runs between Baghdad and its base, Camp Ashraf, said Mojgan Parsaii, vice president of MEK, according to Iraqi officials and Iranian exiles who spoke in Tehran and Erbil. "
	var sb strings.Builder
	for len(strings.Fields(sb.String())) < 800 {
		sb.WriteString(para)
	}
	a := &newsdesk.Article{Headline: "U.S. protects Iranian opposition group in Iraq", DatelinePlace: "Baghdad, Iraq", Lede: para, Text: sb.String()}
	if err := s.Enrich(ctx, a, nil); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		a.Headline, a.Lede, a.Text = strings.Clone(a.Headline), strings.Clone(a.Lede), strings.Clone(a.Text)
		a.Sections = nil
		if err := f.Enrich(ctx, a, nil); err != nil {
			b.Fatal(err)
		}
		if err := s.Enrich(ctx, a, nil); err != nil {
			b.Fatal(err)
		}
	}
}
