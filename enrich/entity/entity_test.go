package entity

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"newsdesk"
	"newsdesk/gazetteer"
)

func seedText(tb testing.TB) string {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "reference", "seed-page.txt"))
	if err != nil {
		tb.Skipf("seed page absent: %v", err)
	}
	text := string(b)
	start := strings.Index(text, "CNN: An Iranian")
	end := strings.Index(text, "Latest news")
	return text[start:end]
}

func newDetector(t testing.TB) *Detector {
	d, err := Dictionary()
	if err != nil {
		t.Fatal(err)
	}
	return NewDetector(d, gazetteer.New())
}

func TestFindSeed(t *testing.T) {
	t.Parallel()
	ms, pairs := newDetector(t).Find(seedText(t))
	got := map[string]*Mention{}
	for _, m := range ms {
		got[m.Name] = m
	}
	want := []struct {
		name string
		kind newsdesk.EntityKind
	}{
		{"Mujahedeen-e-Khalq", newsdesk.EntityOrganisation},
		{"Michael Ware", newsdesk.EntityPerson},
		{"Zalmay Khalilzad", newsdesk.EntityPerson},
		{"Mojgan Parsaii", newsdesk.EntityPerson},
		{"John D. Gardner", newsdesk.EntityPerson},
		{"Shirwan al-Wa’eli", newsdesk.EntityPerson},
		{"Camp Ashraf", newsdesk.EntityPlace},
		{"Baghdad", newsdesk.EntityPlace},
		{"Zahedan", newsdesk.EntityPlace},
		{"Iraq", newsdesk.EntityPlace},
		{"International Committee of the Red Cross", newsdesk.EntityOrganisation},
		{"U.S. State Department", newsdesk.EntityOrganisation},
	}
	for _, w := range want {
		m := got[w.name]
		if m == nil {
			var names []string
			for _, m := range ms {
				names = append(names, m.Name)
			}
			t.Errorf("%q not found among %q", w.name, names)
			continue
		}
		if m.Kind != w.kind {
			t.Errorf("%q is a %s, want %s", w.name, m.Kind, w.kind)
		}
	}
	// MEK, MKO and Mujahedeen-e-Khalq are one entity, the most mentioned.
	mek := got["Mujahedeen-e-Khalq"]
	if mek == nil || ms[0] != mek || mek.Count < 12 {
		t.Errorf("MEK first with all its mentions: %+v", ms[0])
	}
	for _, f := range []string{"MEK", "MKO", "Mujahedeen-e-Khalq", "Mojahedin Khalq Organization"} {
		if mek != nil && !containsFold(mek.Forms, f) {
			t.Errorf("MEK forms %q lack %q", mek.Forms, f)
		}
	}
	if p := got["Mojgan Parsaii"]; p == nil || p.Count != 2 {
		t.Errorf("Parsaii's surname alone should count toward her: %+v", p)
	}
	if got["ICRC"] != nil || got["Red Cross"] != nil {
		t.Error("ICRC and Red Cross should resolve to the International Committee of the Red Cross")
	}
	if len(pairs) != 0 {
		t.Errorf("seed page states only known aliases, got %+v", pairs)
	}
	for _, bad := range []string{"It", "The", "However", "Green Berets", "Everyone’s"} {
		if m := got[bad]; m != nil && m.Confidence >= 0.8 {
			t.Errorf("%q detected with confidence %.1f", bad, m.Confidence)
		}
	}
}

func TestAliasPairs(t *testing.T) {
	t.Parallel()
	d := newDetector(t)
	tests := []struct{ text, of, alias string }{
		{"The Syrian Democratic Forces (SDF) took the town.", "Syrian Democratic Forces", "SDF"},
		{"Officials of the Kataib Hezbollah Brigades, or KHB, denied it.", "Kataib Hezbollah Brigades", "KHB"},
		{"The Islamic Revolutionary Guard Corps, also known as the Pasdaran Army, said so.", "", ""},
		{"The Free Officers Movement, also called FOM, marched.", "Free Officers Movement", "FOM"},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			_, pairs := d.Find(tc.text)
			if tc.alias == "" {
				for _, p := range pairs {
					if p.Of == "Islamic Revolutionary Guard Corps" && p.Alias == "Pasdaran" {
						t.Errorf("known alias proposed again: %+v", p)
					}
				}
				return
			}
			if len(pairs) != 1 || pairs[0].Of != tc.of || pairs[0].Alias != tc.alias {
				t.Fatalf("pairs %+v, want %s = %s", pairs, tc.alias, tc.of)
			}
			if !strings.Contains(pairs[0].Evidence, tc.alias) {
				t.Errorf("evidence %q", pairs[0].Evidence)
			}
		})
	}
}

func TestFindPersianArabic(t *testing.T) {
	t.Parallel()
	ms, _ := newDetector(t).Find("سپاه پاسداران اعلام کرد که آیت‌الله خامنه‌ای در تهران سخنرانی کرد. الحرس الثوري")
	names := map[string]int{}
	for _, m := range ms {
		names[m.Name] = m.Count
	}
	if names["Islamic Revolutionary Guard Corps"] != 2 || names["Ali Khamenei"] != 1 || names["Tehran"] != 1 {
		t.Errorf("got %v", names)
	}
}

func TestAcronymCase(t *testing.T) {
	t.Parallel()
	ms, _ := newDetector(t).Find("The un-named official said the who and the Un of it. IRAN WARNS UN")
	for _, m := range ms {
		if m.Name == "United Nations" || m.Name == "World Health Organization" {
			t.Errorf("acronym matched in lower case or an all-caps line: %+v", m)
		}
	}
}

func BenchmarkFind(b *testing.B) {
	d := newDetector(b)
	text := benchText()
	for b.Loop() {
		d.Find(text)
	}
}

func benchText() string {
	para := "The U.S. military, though, regularly escorts MEK supply runs between Baghdad and its base, Camp Ashraf, said Mojgan Parsaii, vice president of MEK, as the International Committee of the Red Cross watched. "
	var b strings.Builder
	for len(strings.Fields(b.String())) < 800 {
		b.WriteString(para)
	}
	return b.String()
}

// TestLongestMatch checks that a longer name wins over the shorter one it
// starts with, whether each comes from the dictionary or the gazetteer.
func TestLongestMatch(t *testing.T) {
	t.Parallel()
	d := newDetector(t)
	custom := NewDetector([]Entry{{Name: "Kurdistan", Kind: newsdesk.EntityOrganisation}}, gazetteer.New())
	tests := []struct {
		d         *Detector
		text      string
		want, not []string
	}{
		{d, "The governor of West Azerbaijan province said Azerbaijan sent help.", []string{"West Azerbaijan", "Azerbaijan"}, nil},
		{d, "The governor of West Azerbaijan province said so.", []string{"West Azerbaijan"}, []string{"Azerbaijan"}},
		{d, "استاندار آذربایجان غربی گفت", []string{"West Azerbaijan"}, []string{"Azerbaijan"}},
		{d, "قال محافظ أذربيجان الغربية", []string{"West Azerbaijan"}, []string{"Azerbaijan"}},
		{d, "MEK supply runs to Camp Ashraf", []string{"Mujahedeen-e-Khalq", "Camp Ashraf"}, nil},
		{custom, "Officials in the Kurdistan Region and Kurdistan met.", []string{"Kurdistan Region", "Kurdistan"}, nil},
		{d, "Jordan Peterson spoke. Jordan said it would help.", []string{"Jordan"}, nil},
		{d, "Jordan Peterson spoke on Monday.", nil, []string{"Jordan"}},
		// Persian and Arabic: no lower-case letters, yet not an all-caps text.
		{d, "قالت أوبك إن الإنتاج", []string{"OPEC"}, nil},
		{d, "این سازمان با نام MEK شناخته می‌شود", []string{"Mujahedeen-e-Khalq"}, nil},
		{d, "IRAN WARNS UN", []string{"Iran"}, []string{"United Nations"}},
	}
	for _, tc := range tests {
		ms, _ := tc.d.Find(tc.text)
		got := map[string]bool{}
		for _, m := range ms {
			got[m.Name] = true
		}
		for _, w := range tc.want {
			if !got[w] {
				t.Errorf("%s: %q not found in %v", tc.text, w, got)
			}
		}
		for _, n := range tc.not {
			if got[n] {
				t.Errorf("%s: %q found", tc.text, n)
			}
		}
	}
	if ms, _ := d.Find("Camp Ashraf"); len(ms) != 1 || !ms[0].Dictionary {
		t.Errorf("a name both in the dictionary and the gazetteer is the dictionary's: %+v", ms)
	}
}

// TestKnownNameAfterCue checks that a dictionary name opening a sentence
// after "The" is the dictionary's entity, not a new name read as a run of
// capitals.
func TestKnownNameAfterCue(t *testing.T) {
	t.Parallel()
	ms, _ := newDetector(t).Find("Ships wait. The European Union has pledged funds. The Turkish Red Crescent set up kitchens. The International Committee of the Red Cross said so.")
	got := map[string]*Mention{}
	for _, m := range ms {
		got[m.Name] = m
	}
	for _, name := range []string{"European Union", "Turkish Red Crescent", "International Committee of the Red Cross"} {
		if m := got[name]; m == nil || !m.Dictionary {
			t.Errorf("%q: %+v, want the dictionary's entity", name, m)
		}
	}
	if got["International Committee"] != nil {
		t.Error("part of a known name taken for a new one")
	}
}
