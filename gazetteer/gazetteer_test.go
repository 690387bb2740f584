package gazetteer

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFind(t *testing.T) {
	t.Parallel()
	g := New()
	tests := []struct {
		text string
		want []string // code:kind:phrase-as-written
	}{
		{"BAGHDAD, Iraq (CNN) — An Iranian group", []string{"iq:city:BAGHDAD", "iq:name:Iraq", "ir:demonym:Iranian"}},
		{"the U.S. State Department and the US military", []string{"us:name:U.S.", "us:name:US"}},
		{"let us go", nil},
		{"He flew to Abu Dhabi and New Delhi.", []string{"ae:city:Abu Dhabi", "in:city:New Delhi"}},
		{"Latin America and the Indian Ocean", []string{"americas:region:Latin America"}},
		{"Atlanta, Georgia", []string{"us:city:Atlanta", "ge:name:Georgia"}},
		{"tanks moved through Zahedan, Iran", []string{"ir:city:Zahedan", "ir:name:Iran"}},
		{"سفر به تهران و بغداد", []string{"ir:city:تهران", "iq:city:بغداد"}},
		{"وصل إلى العراق والسعودية", []string{"iq:name:العراق", "sa:name:والسعودية"}},
		{"an Iranian-backed militia in the Persian Gulf", []string{"ir:demonym:Iranian", "gulf:region:Persian Gulf"}},
		{"WEST GERMAN BANKS AND EAST GERMANY", []string{"de:demonym:WEST GERMAN", "dd:name:EAST GERMANY"}},
		{"São Paulo and Türkiye", []string{"br:city:São Paulo", "tr:name:Türkiye"}},
		// The longest phrase wins over its parts: the Iranian province is
		// not the country Azerbaijan.
		{"Khoy in West Azerbaijan province, near Azerbaijan", []string{"ir:city:Khoy", "ir:city:West Azerbaijan", "az:name:Azerbaijan"}},
		{"در استان آذربایجان غربی و جمهوری آذربایجان", []string{"ir:city:آذربایجان غربی", "az:name:جمهوری آذربایجان"}},
		{"في محافظة أذربيجان الغربية", []string{"ir:city:أذربيجان الغربية"}},
		{"Van province and Lake Van", []string{"tr:city:Van province", "tr:city:Lake Van"}},
		// Persian and Arabic spellings, diacritics, tatweel and clitics.
		{"كركوك وبالبصرة وللعراق", []string{"iq:city:كركوك", "iq:city:وبالبصرة", "iq:name:وللعراق"}},
		{"بغــداد و غزّة و غزه", []string{"iq:city:بغــداد", "ps:name:غزّة", "ps:name:غزه"}},
		{"جلال‌آباد و جلال آباد", []string{"af:city:جلال‌آباد", "af:city:جلال آباد"}},
		{"گذرگاه تورخم در ننگرهار", []string{"af:city:تورخم", "af:city:ننگرهار"}},
		// A possessive ends a name.
		{"Iraq's government and Iran’s Khuzestan's ports", []string{"iq:name:Iraq's", "ir:name:Iran’s", "ir:city:Khuzestan's"}},
		// A weekday is not Dushanbe, nor the Quds Force Jerusalem.
		{"روز دوشنبه نیروی قدس", nil},
		{"قال فيلق القدس", nil},
		// Persian names that are common Arabic words, and Arabic names that
		// are common words, are not listed alone.
		{"الوضع القائم ينبع من سياسة قديمة دوما", nil},
		{"عبر معبر القائم", []string{"iq:city:معبر القائم"}},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			var got []string
			for _, m := range g.Find(tc.text) {
				got = append(got, m.Term.Code+":"+m.Term.Kind.String()+":"+tc.text[m.Start:m.End])
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestNames checks that variants and Persian and Arabic names stand for
// their English entry, with its kind.
func TestNames(t *testing.T) {
	t.Parallel()
	g := New()
	tests := []struct{ text, want string }{
		{"Teheran", "ir:city:Tehran"},
		{"تهران", "ir:city:Tehran"},
		{"طهران", "ir:city:Tehran"},
		{"خوی", "ir:city:Khoy"},
		{"ایرانی", "ir:demonym:Iranian"},
		{"انگلیسی", "gb:demonym:English"},
		{"وین", "at:city:Vienna"},
		{"فيينا", "at:city:Vienna"},
		{"دجلة", ""},
		{"ایران", "ir:name:ایران"},
	}
	for _, tc := range tests {
		var got string
		if ms := g.Find(tc.text); len(ms) > 0 {
			got = ms[0].Term.Code + ":" + ms[0].Term.Kind.String() + ":" + ms[0].Term.Name
		}
		if got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.text, got, tc.want)
		}
	}
	if _, err := parse("xx\t-\tmiddle-east\tXland\t-\tXtown\tایکس=Ytown\t-\n", "", ""); err == nil {
		t.Error("a Persian name standing for no English entry of its row is accepted")
	}
}

func TestTokensCache(t *testing.T) {
	t.Parallel()
	g := New()
	text := strings.Repeat("Iran and Iraq. ", 10)
	a, b := g.Tokens(text), g.Tokens(text)
	if len(a) != 30 || &a[0] != &b[0] {
		t.Errorf("tokens of one text not shared: %d, %p %p", len(a), &a[0], &b[0])
	}
	other := strings.Clone(text)
	if c := g.Tokens(other); &c[0] == &a[0] || len(c) != len(a) {
		t.Error("another string with the same text shares the tokens")
	}
	for i := range 40 {
		g.Tokens(fmt.Sprint("text ", i))
	}
	if d := g.Tokens(text); &d[0] == &a[0] {
		t.Error("the cache is not bounded")
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()
	g := New()
	for name, code := range map[string]string{"TEHRAN": "ir", "Abu Dhabi": "ae", "ST. LOUIS": "us", "تهران": "ir", "U.K.": "gb"} {
		terms := g.Lookup(name)
		if len(terms) == 0 || terms[0].Code != code {
			t.Errorf("Lookup(%q) = %v, want %s", name, terms, code)
		}
	}
	if terms := g.Lookup("Baghdad Iraq"); terms != nil {
		t.Errorf("Lookup of two places = %v, want nil", terms)
	}
}

func TestTokenize(t *testing.T) {
	t.Parallel()
	var got []string
	for _, tok := range Tokenize("U.S. Maj. Gen. John D. Gardner, Mujahedeen-e-Khalq’s MEK") {
		got = append(got, tok.Key)
	}
	want := "us maj gen john d gardner mujahedeen e khalq's mek"
	if strings.Join(got, " ") != want {
		t.Errorf("got %q, want %q", strings.Join(got, " "), want)
	}
}

// TestReutersCodes checks that every Reuters-21578 place code names a
// country of the gazetteer.
func TestReutersCodes(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "shared", "data", "reuters21578", "meta", "all-places-strings.lc.txt"))
	if err != nil {
		t.Skipf("Reuters-21578 metadata absent: %v", err)
	}
	g := New()
	for _, code := range strings.Fields(string(b)) {
		if g.ByReuters(code) == nil {
			t.Errorf("Reuters place %q has no country", code)
		}
	}
}

func TestData(t *testing.T) {
	t.Parallel()
	g := New()
	if len(g.Countries) < 180 {
		t.Errorf("%d countries, want the world", len(g.Countries))
	}
	for _, code := range []string{"ir", "iq", "af", "pk", "tr", "sy", "lb", "il", "jo", "sa", "ae", "qa", "bh", "kw", "om", "ye", "eg", "az", "am", "ge", "tm", "uz", "tj", "in", "ru", "cn", "us", "gb", "fr", "de"} {
		c := g.Country(code)
		if c == nil {
			t.Errorf("no country %q", code)
			continue
		}
		if len(c.Persian) == 0 || len(c.Arabic) == 0 {
			t.Errorf("%s lacks Persian or Arabic names", code)
		}
	}
}

func BenchmarkFind(b *testing.B) {
	g := New()
	text := strings.Repeat("An Iranian opposition group based in Iraq continues to receive protection from the American military in Baghdad. ", 40)
	for b.Loop() {
		g.Find(text)
	}
}

// TestTokensConcurrent runs the token cache from several goroutines, as the
// enricher's workers do (run with -race).
func TestTokensConcurrent(t *testing.T) {
	t.Parallel()
	g := New()
	texts := make([]string, 40)
	for i := range texts {
		texts[i] = fmt.Sprintf("Report %d from Baghdad and Tehran. ", i)
	}
	done := make(chan bool)
	for w := range 4 {
		go func() {
			for i := range 200 {
				s := texts[(i*7+w)%len(texts)]
				if toks := g.Tokens(s); len(toks) != 6 || toks[0].Key != "report" {
					t.Errorf("%q: %v", s, toks)
				}
			}
			done <- true
		}()
	}
	for range 4 {
		<-done
	}
}
