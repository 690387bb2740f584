package section_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"newsdesk"
	"newsdesk/demo"
	"newsdesk/enrich"
	"newsdesk/enrich/dateline"
	"newsdesk/enrich/section"
	"newsdesk/gazetteer"
)

// demoReport reads a demo report (demo/sources/<source>/articles/<name>)
// as the pipeline has it after the dateline step: headline, dateline place,
// lede and text, and the section its writer meant it for.
func demoReport(t *testing.T, g *gazetteer.Gazetteer, file string) (a *newsdesk.Article, meant string) {
	t.Helper()
	src, name, _ := strings.Cut(file, "/")
	b, err := os.ReadFile(filepath.Join("..", "..", "demo", "sources", src, "articles", name))
	if err != nil {
		t.Fatal(err)
	}
	head, body, ok := strings.Cut(string(b), "\n---\n")
	if !ok {
		t.Fatalf("%s: no header", file)
	}
	a = &newsdesk.Article{}
	for _, line := range strings.Split(head, "\n") {
		k, v, _ := strings.Cut(line, ":")
		switch k {
		case "title":
			a.Headline = strings.TrimSpace(v)
		case "section":
			meant = strings.TrimSpace(v)
		}
	}
	var paras []string
	for _, p := range strings.Split(body, "\n\n") {
		if p = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(p), "## ")); p != "" {
			paras = append(paras, p)
		}
	}
	// The feeds' summary is the first paragraph.
	a.Lede, a.Text = paras[0], strings.Join(paras, "\n\n")
	if err := dateline.New(g).Enrich(context.Background(), a, nil); err != nil {
		t.Fatal(err)
	}
	return a, meant
}

// demoFiler files under the demo's section tree.
func demoFiler(g *gazetteer.Gazetteer) *section.Filer {
	ids := map[string]int64{}
	var secs []*newsdesk.Section
	for i, s := range demo.Sections() {
		ids[s.Slug] = int64(i + 1)
		secs = append(secs, &newsdesk.Section{ID: int64(i + 1), ParentID: ids[s.ParentSlug], Slug: s.Slug, Name: s.Name, Code: s.Code})
	}
	tree := newsdesk.NewSectionTree(secs)
	return section.New(func(context.Context) (*newsdesk.SectionTree, error) { return tree, nil }, section.Options{Gazetteer: g})
}

// TestDemoSections files every demo report, in English, Persian and
// Arabic, and checks that it goes first under the section its writer meant,
// and that a Persian or Arabic report goes under no section the English
// reports of the same event do not.
func TestDemoSections(t *testing.T) {
	t.Parallel()
	g := gazetteer.New()
	f := demoFiler(g)
	file := func(t *testing.T, rel string) (got []string, meant, why string) {
		a, meant := demoReport(t, g, rel)
		ex := &enrich.Explanation{}
		if err := f.Enrich(context.Background(), a, ex); err != nil {
			t.Fatal(err)
		}
		for _, r := range a.Sections {
			got = append(got, r.Slug)
		}
		return got, meant, ex.String()
	}
	files, err := filepath.Glob(filepath.Join("..", "..", "demo", "sources", "*", "articles", "*.txt"))
	if err != nil || len(files) < 60 {
		t.Fatalf("demo reports: %d, %v", len(files), err)
	}
	sort.Strings(files)
	for _, path := range files {
		rel := filepath.Base(filepath.Dir(filepath.Dir(path))) + "/" + filepath.Base(path)
		if got, meant, why := file(t, rel); len(got) == 0 || got[0] != meant {
			t.Errorf("%s: filed under %q, meant for %s\n%s", rel, got, meant, why)
		}
	}
	english := map[string][]string{
		"persianservice/iaea-inspectors-isfahan.txt": {"gulfwire/iaea-inspectors-isfahan.txt"},
		"persianservice/khoy-earthquake.txt":         {"caspianpost/quake-van-khoy.txt", "levantreport/quake-eastern-turkey.txt"},
		"persianservice/mojahedin-khalq-camp.txt":    {"gulfwire/mko-camp-deadline-iraq.txt", "tigrisdaily/mek-camp-deadline.txt"},
		"persianservice/torkham-reopens.txt":         {"kabuldispatch/torkham-reopens.txt", "gulfwire/torkham-border-reopens-trade.txt"},
		"arabdesk/doha-hormuz-talks.txt":             {"gulfwire/doha-talks-shipping.txt", "levantreport/doha-shipping-talks.txt"},
		"arabdesk/icrc-convoys-syria.txt":            {"levantreport/icrc-convoy-idlib.txt", "tigrisdaily/qaim-crossing-aid-convoy.txt"},
		"arabdesk/mojahedin-khalq-deadline.txt":      {"gulfwire/mko-camp-deadline-iraq.txt", "tigrisdaily/mek-camp-deadline.txt"},
		"arabdesk/opec-output-steady.txt":            {"gulfwire/opec-plus-holds-output.txt", "levantreport/opec-plus-keeps-output-steady.txt"},
		"arabdesk/tigris-water-release.txt":          {"tigrisdaily/tigris-water-release-turkey.txt", "levantreport/ilisu-dam-tigris-flows.txt"},
	}
	for report, others := range english {
		got, _, why := file(t, report)
		filed := map[string]bool{}
		for _, o := range others {
			secs, _, _ := file(t, o)
			for _, s := range secs {
				filed[s] = true
			}
		}
		for _, s := range got {
			if !filed[s] {
				t.Errorf("%s: filed under %s, which no English report of the event is\n%s", report, s, why)
			}
		}
	}
}
