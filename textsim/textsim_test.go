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
