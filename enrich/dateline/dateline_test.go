package dateline

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"newsdesk"
	"newsdesk/enrich"
	"newsdesk/gazetteer"
)

func TestParse(t *testing.T) {
	t.Parallel()
	g := gazetteer.New()
	p := &Parser{Gazetteer: g}
	tests := []struct {
		in     string
		want   Dateline
		rest   string
		ok     bool
		useGaz bool
	}{
		{in: "BAGHDAD, Iraq (CNN) — An Iranian opposition group", want: Dateline{Place: "Baghdad", Country: "Iraq", Agency: "CNN"}, rest: "An Iranian opposition group", ok: true},
		{in: "TEHRAN (Reuters) - Iran said on Monday", want: Dateline{Place: "Tehran", Agency: "Reuters"}, rest: "Iran said on Monday", ok: true},
		{in: "TEHRAN (Reuters) - Iran said", want: Dateline{Place: "Tehran", Country: "Iran", Agency: "Reuters"}, rest: "Iran said", ok: true, useGaz: true},
		{in: "KABUL, Afghanistan, June 3 (AP) -- Taliban fighters", want: Dateline{Place: "Kabul", Country: "Afghanistan", Agency: "AP", Date: time.Date(0, 6, 3, 0, 0, 0, 0, time.UTC)}, rest: "Taliban fighters", ok: true},
		{in: "DUBAI, United Arab Emirates — Oil prices rose", want: Dateline{Place: "Dubai", Country: "United Arab Emirates"}, rest: "Oil prices rose", ok: true},
		{in: "BEIRUT: Lebanon's parliament met", want: Dateline{Place: "Beirut"}, rest: "Lebanon's parliament met", ok: true},
		{in: "Beirut: Lebanon's parliament met", want: Dateline{Place: "Beirut", Country: "Lebanon"}, rest: "Lebanon's parliament met", ok: true, useGaz: true},
		{in: "Erbil, Iraq, 3 June 2025 (AFP) – Kurdish officials", want: Dateline{Place: "Erbil", Country: "Iraq", Agency: "AFP", Date: time.Date(2025, 6, 3, 0, 0, 0, 0, time.UTC), YearKnown: true}, rest: "Kurdish officials", ok: true},
		{in: "ABU DHABI (Reuters) - The UAE", want: Dateline{Place: "Abu Dhabi", Country: "United Arab Emirates", Agency: "Reuters"}, rest: "The UAE", ok: true, useGaz: true},
		{in: "NEW DELHI, India (AP) — India", want: Dateline{Place: "New Delhi", Country: "India", Agency: "AP"}, rest: "India", ok: true},
		{in: "NEW YORK, March 3 - Stocks fell", want: Dateline{Place: "New York", Date: time.Date(0, 3, 3, 0, 0, 0, 0, time.UTC)}, rest: "Stocks fell", ok: true},
		{in: "ST. LOUIS, Feb. 26 - Monsanto said", want: Dateline{Place: "St. Louis", Date: time.Date(0, 2, 26, 0, 0, 0, 0, time.UTC)}, rest: "Monsanto said", ok: true},
		{in: "HOUSTON, Texas (AP) — Oil", want: Dateline{Place: "Houston", Area: "Texas", Country: "United States", Agency: "AP"}, rest: "Oil", ok: true, useGaz: true},
		{in: "Mazar-i-Sharif, Afghanistan — Fighting", want: Dateline{Place: "Mazar-i-Sharif", Country: "Afghanistan"}, rest: "Fighting", ok: true},
		{in: "تهران (ایرنا) - رئیس جمهوری", want: Dateline{Place: "تهران", Agency: "ایرنا"}, rest: "رئیس جمهوری", ok: true},
		{in: "الدوحة، قطر (المكتب العربي) — بدأت", want: Dateline{Place: "الدوحة", Country: "قطر", Agency: "المكتب العربي"}, rest: "بدأت", ok: true},
		{in: "خوی، ایران — زلزله", want: Dateline{Place: "خوی", Country: "ایران"}, rest: "زلزله", ok: true},
		{in: "بغداد (رويترز) - قال مسؤولون", want: Dateline{Place: "بغداد", Country: "Iraq", Agency: "رويترز"}, rest: "قال مسؤولون", ok: true, useGaz: true},
		{in: "  \nCAIRO (AFP) — Egypt", want: Dateline{Place: "Cairo", Agency: "AFP"}, rest: "Egypt", ok: true},
		{in: "WASHINGTON (AP) The president said", want: Dateline{Place: "Washington", Agency: "AP"}, rest: "The president said", ok: true},
		// not datelines
		{in: "The U.S. military — which escorts supply runs — said", ok: false},
		{in: "Iran (officially the Islamic Republic of Iran) is a country", ok: false},
		{in: "Iran (officially the Islamic Republic of Iran) - a country", ok: false},
		{in: "UPDATE - Oil prices", ok: false},
		{in: "Note: the figures are provisional", ok: false, useGaz: true},
		{in: "It's a paradox possible only because - yes", ok: false},
		{in: "Officials said: nothing", ok: false, useGaz: true},
		{in: "However, the U.S. State Department officially considers the MEK a terrorist organization — meaning", ok: false},
		{in: "Despite repeated requests, neither Iran's ambassador - nor", ok: false},
		{in: "", ok: false},
		{in: "BAGHDAD", ok: false},
		{in: "Iraqi officials (who asked not to be named) — said", ok: false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			var d Dateline
			var rest string
			var ok bool
			if tc.useGaz {
				d, rest, ok = p.Parse(tc.in)
			} else {
				d, rest, ok = Parse(tc.in)
			}
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v (%+v)", ok, tc.ok, d)
			}
			if !ok {
				if rest != tc.in {
					t.Errorf("rest = %q, want the input unchanged", rest)
				}
				return
			}
			if d != tc.want {
				t.Errorf("dateline = %+v\nwant       %+v", d, tc.want)
			}
			if rest != tc.rest {
				t.Errorf("rest = %q, want %q", rest, tc.rest)
			}
		})
	}
}

func TestIn(t *testing.T) {
	t.Parallel()
	d, _, _ := Parse("KABUL, June 3 (AP) -- x")
	ref := time.Date(2025, 6, 4, 12, 0, 0, 0, time.UTC)
	if got := d.In(ref); !got.Equal(time.Date(2025, 6, 3, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("In = %v", got)
	}
	d, _, _ = Parse("KABUL, Dec 30 (AP) -- x")
	if got := d.In(ref); got.Year() != 2024 {
		t.Errorf("In = %v, want a date in 2024", got)
	}
}

func TestStep(t *testing.T) {
	t.Parallel()
	s := New(gazetteer.New())
	tests := []struct {
		name               string
		a                  newsdesk.Article
		wantPlace, wantAgc string
	}{
		{"seed", newsdesk.Article{Text: "BAGHDAD, Iraq (CNN) — An Iranian opposition group"}, "Baghdad, Iraq", "CNN"},
		{"city alone", newsdesk.Article{Text: "TEHRAN (Reuters) - Iran said"}, "Tehran, Iran", "Reuters"},
		{"from lede", newsdesk.Article{Text: "No dateline here.", Lede: "KABUL, Afghanistan (AP) — x"}, "Kabul, Afghanistan", "AP"},
		{"none", newsdesk.Article{Text: "The U.S. military — which"}, "", ""},
		{"kept", newsdesk.Article{DatelinePlace: "Erbil, Iraq", Text: "BAGHDAD (AP) - x"}, "Erbil, Iraq", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.a
			text := a.Text
			ex := &enrich.Explanation{}
			if err := s.Enrich(context.Background(), &a, ex); err != nil {
				t.Fatal(err)
			}
			if a.DatelinePlace != tc.wantPlace || a.DatelineAgency != tc.wantAgc {
				t.Errorf("place %q agency %q, want %q %q", a.DatelinePlace, a.DatelineAgency, tc.wantPlace, tc.wantAgc)
			}
			if a.Text != text {
				t.Errorf("text changed to %q", a.Text)
			}
			if len(ex.Lines) != 1 {
				t.Errorf("explanation %q", ex.String())
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"BAGHDAD, Iraq (CNN) — An Iranian", "TEHRAN (Reuters) - x", "KABUL, Afghanistan, June 3 (AP) -- x",
		"BEIRUT: x", "Erbil, Iraq, 3 June 2025 (AFP) – x", "تهران (ایرنا) - x", "Iran (officially", "(", "A - ",
		"ST. LOUIS, Feb. 26 - x", "X, Y, Z, W, V, U -",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, rest, ok := Parse(s)
		if !ok {
			if rest != s || d != (Dateline{}) {
				t.Fatalf("no dateline but rest %q / %+v", rest, d)
			}
			return
		}
		// The rest is a suffix of the input, and the place is not empty.
		if !strings.HasSuffix(s, rest) {
			t.Fatalf("rest %q is not a suffix of %q", rest, s)
		}
		if d.Place == "" || !utf8.ValidString(d.Place) && utf8.ValidString(s) {
			t.Fatalf("bad place %q from %q", d.Place, s)
		}
		if len(rest) >= len(s) {
			t.Fatalf("nothing consumed from %q", s)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	p := &Parser{Gazetteer: gazetteer.New()}
	text := "KABUL, Afghanistan, June 3 (AP) -- Taliban fighters attacked a checkpoint on the outskirts of the city."
	for b.Loop() {
		p.Parse(text)
	}
}

func TestStepStripsDatelineFromLede(t *testing.T) {
	a := &newsdesk.Article{
		Text: "BAGHDAD, Iraq (CNN) — An Iranian opposition group based in Iraq continues to receive protection.",
		Lede: "BAGHDAD, Iraq (CNN) — An Iranian opposition group based in Iraq continues to receive protection.",
	}
	if err := New(nil).Enrich(context.Background(), a, nil); err != nil {
		t.Fatal(err)
	}
	if a.DatelineAgency != "CNN" || !strings.HasPrefix(a.DatelinePlace, "Baghdad") {
		t.Errorf("dateline %q %q", a.DatelinePlace, a.DatelineAgency)
	}
	if a.Lede != "An Iranian opposition group based in Iraq continues to receive protection." {
		t.Errorf("lede %q", a.Lede)
	}
	if !strings.HasPrefix(a.Text, "BAGHDAD") {
		t.Errorf("text lost its dateline: %q", a.Text)
	}
}
