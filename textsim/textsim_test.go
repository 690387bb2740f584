package textsim

import (
	"reflect"
	"strings"
	"testing"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Apple iOS 7.1: All the New Features", []string{"Apple", "iOS", "7.1", "All", "the", "New", "Features"}},
		{"Chrysler recalls 37,000 vehicles", []string{"Chrysler", "recalls", "37000", "vehicles"}},
		{"Colorado raises $3.5 million.", []string{"Colorado", "raises", "3.5", "million"}},
		{"Fed's Plosser: taper, then stop.", []string{"Fed", "Plosser", "taper", "then", "stop"}},
		{"McDonald's don't", []string{"McDonald", "dont"}},
		{"ends with 7.", []string{"ends", "with", "7"}},
		{"", []string{}},
	}
	for _, tt := range tests {
		if got := Tokens(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzTokens(f *testing.F) {
	f.Add("Apple iOS 7.1: 37,000 $3.5 Fed's don't")
	f.Fuzz(func(t *testing.T, s string) {
		// Every token is non-empty and has no space; lower-cased and run
		// together without decimal points, the tokens are the words of
		// Words run together.
		var joined strings.Builder
		for _, tok := range Tokens(s) {
			joined.WriteString(strings.ReplaceAll(strings.ToLower(tok), ".", ""))
			if tok == "" {
				t.Fatalf("empty token in %q", s)
			}
			for _, r := range tok {
				if r == ' ' || r == ',' {
					t.Fatalf("token %q of %q holds a separator", tok, s)
				}
			}
		}
	})
}

func TestFigures(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want []string
	}{
		{"A magnitude 5.9 earthquake injured 31 people, 1,200 trucks", 0, []string{"5.9", "31", "1200"}},
		{"زلزله ۵٫۹ ریشتری، ۳۱ نفر مصدوم، ۱٬۲۰۰ کامیون", 0, []string{"5.9", "31", "1200"}},
		{"نحو 500 متر مكعب بدلاً من 300 ونحو ٩٠ ألف", 0, []string{"500", "300", "90"}},
		{"In 2023, 7 people and 7 more; flights F16 and COVID19 rose 0.8.", 0, []string{"0.8"}},
		{"12 34 56 78", 2, []string{"12", "34"}},
		{"at 4:12 a.m., 31 and 31 again", 0, []string{"12", "31"}},
		{"", 0, nil},
	}
	for _, tt := range tests {
		if got := Figures(tt.in, tt.max); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Figures(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func FuzzFigures(f *testing.F) {
	f.Add("5.9 ۵٫۹ 1,200 ۱٬۲۰۰ 2023 F16", 0)
	f.Fuzz(func(t *testing.T, s string, max int) {
		// Every figure is ASCII digits with at most one inner point, at
		// least two characters, and appears once; max bounds the count.
		got := Figures(s, max)
		if max > 0 && len(got) > max {
			t.Fatalf("%d figures, max %d", len(got), max)
		}
		seen := map[string]bool{}
		for _, fg := range got {
			if len(fg) < 2 || seen[fg] || strings.Count(fg, ".") > 1 || fg[0] == '.' || fg[len(fg)-1] == '.' {
				t.Fatalf("bad figure %q in %q", fg, s)
			}
			seen[fg] = true
			for _, r := range fg {
				if (r < '0' || r > '9') && r != '.' {
					t.Fatalf("figure %q of %q not ASCII", fg, s)
				}
			}
		}
	})
}

func TestIsFunctionWord(t *testing.T) {
	for _, w := range []string{"the", "در", "از", "است", "على", "في", "الشهرين"} {
		want := w != "الشهرين"
		if got := IsFunctionWord(w); got != want {
			t.Errorf("IsFunctionWord(%q) = %v, want %v", w, got, want)
		}
	}
	for _, w := range []string{"tigris", "تورخم", "دجلة", "isfahan"} {
		if IsFunctionWord(w) {
			t.Errorf("IsFunctionWord(%q) = true", w)
		}
	}
}

func TestSlugWordsMin(t *testing.T) {
	tests := []struct {
		url  string
		min  int
		want []string
	}{
		{"https://x.example/fa/news/torkham-reopens", 3, nil},
		{"https://x.example/fa/news/torkham-reopens", 2, []string{"torkham", "reopens"}},
		{"https://x.example/ar/doha-hormuz-talks.html", 3, []string{"doha", "hormuz", "talks"}},
		{"https://x.example/news/single", 2, nil},
	}
	for _, tt := range tests {
		if got := SlugWordsMin(tt.url, tt.min); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SlugWordsMin(%q, %d) = %q, want %q", tt.url, tt.min, got, tt.want)
		}
	}
	if got, want := SlugWords("https://x.example/a/fed-risks-falling-behind-294430.html"), []string{"fed", "risks", "falling", "behind"}; !reflect.DeepEqual(got, want) {
		t.Errorf("SlugWords = %q, want %q", got, want)
	}
}
