package newsdesk

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSlugify(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Hello, World!", "hello-world"},
		{"  Iraq's PM visits Tehran  ", "iraqs-pm-visits-tehran"},
		{"Café au lait", "café-au-lait"},
		{"ایران و عراق", "ایران-و-عراق"},
		{"مُحَمَّد", "محمد"},
		{"می‌خواهد", "می-خواهد"},
		{"2024: the year", "2024-the-year"},
		{"---", ""},
		{"", ""},
		{"ÉCOLE", "école"},
	}
	for _, tt := range tests {
		if got := Slugify(tt.in); got != tt.want {
			t.Errorf("Slugify(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSlugifyLong(t *testing.T) {
	for _, in := range []string{strings.Repeat("word ", 40), strings.Repeat("ایران ", 40), strings.Repeat("x", 200)} {
		got := Slugify(in)
		if len(got) > slugMaxBytes || !utf8.ValidString(got) || strings.HasSuffix(got, "-") || got == "" {
			t.Errorf("Slugify(long %q...) = %q", in[:10], got)
		}
	}
}

func FuzzSlugify(f *testing.F) {
	f.Add("Hello, World")
	f.Add("ایران و عراق")
	f.Fuzz(func(t *testing.T, s string) {
		got := Slugify(s)
		if len(got) > slugMaxBytes || !utf8.ValidString(got) || strings.HasPrefix(got, "-") || strings.HasSuffix(got, "-") || strings.Contains(got, "--") {
			t.Fatalf("Slugify(%q) = %q", s, got)
		}
	})
}
