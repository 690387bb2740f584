package entity_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"newsdesk"
	"newsdesk/enrich/entity"
	"newsdesk/gazetteer"
)

// demoReport reads a demo report (demo/sources/<source>/articles/<name>)
// as the entity step reads it: headline and text.
func demoReport(t *testing.T, file string) (headline, text string) {
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
	for _, line := range strings.Split(head, "\n") {
		if v, ok := strings.CutPrefix(line, "title:"); ok {
			headline = strings.TrimSpace(v)
		}
	}
	var paras []string
	for _, p := range strings.Split(body, "\n\n") {
		if p = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(p), "## ")); p != "" {
			paras = append(paras, p)
		}
	}
	return headline, strings.Join(paras, "\n\n")
}

// TestDemoPersianArabic runs the demo's Persian and Arabic reports and
// checks that each finds the entities the English reports of the same
// event find, and no place they do not name.
func TestDemoPersianArabic(t *testing.T) {
	t.Parallel()
	dict, err := entity.Dictionary()
	if err != nil {
		t.Fatal(err)
	}
	d := entity.NewDetector(dict, gazetteer.New())
	find := func(t *testing.T, file string) map[string]*entity.Mention {
		h, text := demoReport(t, file)
		ms, _ := d.Find(h + ".\n" + text)
		got := map[string]*entity.Mention{}
		for _, m := range ms {
			if m.Confidence >= 0.8 {
				got[m.Name] = m
			}
		}
		return got
	}
	tests := []struct {
		report  string
		english []string
		want    []string
	}{
		{"persianservice/iaea-inspectors-isfahan.txt", []string{"gulfwire/iaea-inspectors-isfahan.txt"},
			[]string{"International Atomic Energy Agency", "Atomic Energy Organization of Iran", "Iran", "Isfahan", "Tehran", "Vienna"}},
		{"persianservice/khoy-earthquake.txt", []string{"caspianpost/quake-van-khoy.txt", "levantreport/quake-eastern-turkey.txt"},
			[]string{"Iran", "Turkey", "Khoy", "West Azerbaijan", "Özalp", "Van", "Iranian Red Crescent Society"}},
		{"persianservice/mojahedin-khalq-camp.txt", []string{"gulfwire/mko-camp-deadline-iraq.txt", "tigrisdaily/mek-camp-deadline.txt"},
			[]string{"Mujahedeen-e-Khalq", "International Committee of the Red Cross", "Iraq", "Iran", "Baghdad", "Diyala"}},
		{"persianservice/torkham-reopens.txt", []string{"kabuldispatch/torkham-reopens.txt", "gulfwire/torkham-border-reopens-trade.txt"},
			[]string{"Torkham", "Afghanistan", "Pakistan", "Jalalabad", "Nangarhar"}},
		{"arabdesk/doha-hormuz-talks.txt", []string{"gulfwire/doha-talks-shipping.txt", "levantreport/doha-shipping-talks.txt"},
			[]string{"Doha", "Qatar", "Iran", "Tehran", "Dubai", "Gulf Cooperation Council", "International Maritime Organization"}},
		{"arabdesk/icrc-convoys-syria.txt", []string{"levantreport/icrc-convoy-idlib.txt", "tigrisdaily/qaim-crossing-aid-convoy.txt"},
			[]string{"International Committee of the Red Cross", "Syrian Arab Red Crescent", "Syria", "Iraq", "Damascus", "Idlib", "Deir ez-Zor", "Qaim", "Baghdad"}},
		{"arabdesk/mojahedin-khalq-deadline.txt", []string{"gulfwire/mko-camp-deadline-iraq.txt", "tigrisdaily/mek-camp-deadline.txt"},
			[]string{"Mujahedeen-e-Khalq", "International Committee of the Red Cross", "Iraq", "Baghdad", "Diyala", "Tehran"}},
		{"arabdesk/opec-output-steady.txt", []string{"gulfwire/opec-plus-holds-output.txt", "levantreport/opec-plus-keeps-output-steady.txt"},
			[]string{"OPEC", "Saudi Arabia", "Riyadh", "China", "India", "Vienna"}},
		{"arabdesk/tigris-water-release.txt", []string{"tigrisdaily/tigris-water-release-turkey.txt", "levantreport/ilisu-dam-tigris-flows.txt"},
			[]string{"Iraq", "Turkey", "Tigris", "Euphrates", "Baghdad", "Ankara", "Wasit", "Maysan", "Basra", "Ilisu Dam", "Shatt al-Arab", "Chibayish"}},
	}
	for _, tc := range tests {
		t.Run(tc.report, func(t *testing.T) {
			got := find(t, tc.report)
			english := map[string]bool{}
			for _, f := range tc.english {
				for name := range find(t, f) {
					english[name] = true
				}
			}
			for _, w := range tc.want {
				if !english[w] {
					t.Errorf("%q: the English reports do not find it either", w)
				}
				if got[w] == nil {
					t.Errorf("%q not found", w)
				}
			}
			for name, m := range got {
				if m.Kind == newsdesk.EntityPlace && !english[name] {
					t.Errorf("place %q (%q) is named in no English report of the event", name, m.Forms)
				}
			}
			if t.Failed() {
				var names []string
				for n := range got {
					names = append(names, n)
				}
				slices.Sort(names)
				t.Logf("found %q", names)
			}
		})
	}
}
