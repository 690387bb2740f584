package index

import (
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"arabic yeh and kaf", "كيف", "کیف"},
		{"alef maksura", "مصطفى", "مصطفی"},
		{"teh marbuta", "مدرسة", "مدرسه"},
		{"hamza alefs", "أحمد إيران آب ٱلله", "احمد ایران اب الله"},
		{"waw and yeh hamza", "مؤسسه رئیس", "موسسه رییس"},
		{"tatweel", "ایـــران", "ایران"},
		{"harakat", "كَتَبَ", "کتب"},
		{"superscript alef", "هٰذا", "هذا"},
		{"persian digits", "۱۴۰۳", "1403"},
		{"arabic-indic digits", "٢٠٢٤", "2024"},
		{"zwnj splits", "می\u200cخواهم", "می خواهم"},
		{"zwj removed", "a\u200db", "ab"},
		{"presentation forms", "\uFEFB", "لا"},
		{"latin diacritics kept", "Café Zürich", "Café Zürich"},
		{"decomposed latin composed", "Cafe\u0301", "Café"},
		{"fullwidth", "ＡＢＣ１２", "ABC12"},
		{"spaces collapse", "  a \n\t b  ", "a b"},
		{"quotes kept", `"camp ashraf" MEK`, `"camp ashraf" MEK`},
		{"invalid utf8", "a\xffb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"كيف", "می\u200cخواهم", "e\u064b\u0301", "a\u200d\u0301", "\xff", "ﻻ", "آ\u0654"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q: invalid UTF-8", s, n)
		}
		if again := Normalize(n); again != n {
			t.Fatalf("not idempotent: %q → %q → %q", s, n, again)
		}
	})
}
