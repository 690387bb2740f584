package index

import (
	"context"
	"newsdesk"
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

type fixedSearch struct{ res *newsdesk.SearchResult }

func (f fixedSearch) IndexArticles(context.Context, []newsdesk.SearchDoc) error { return nil }
func (f fixedSearch) Search(context.Context, newsdesk.SearchQuery) (*newsdesk.SearchResult, error) {
	return f.res, nil
}

// A search snippet never shows more of a report than its source's licence.
func TestSnippetsRespectLicence(t *testing.T) {
	body := "secret body " + newsdesk.SnippetMarkStart + "drought" + newsdesk.SnippetMarkEnd + " text"
	res := &newsdesk.SearchResult{Hits: []newsdesk.SearchHit{
		{Article: &newsdesk.Article{Licence: newsdesk.LicenceFull, Lede: "Lede"}, Snippet: body},
		{Article: &newsdesk.Article{Licence: newsdesk.LicenceExcerpt, Lede: "Farmers fear the Drought, officials say."}, Snippet: body},
		{Article: &newsdesk.Article{Licence: newsdesk.LicenceHeadline, Lede: "Lede"}, Snippet: body},
	}}
	got, err := New(fixedSearch{res}).Search(context.Background(), newsdesk.SearchQuery{Text: "drought"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Hits[0].Snippet != body {
		t.Errorf("full licence snippet changed: %q", got.Hits[0].Snippet)
	}
	want := "Farmers fear the " + newsdesk.SnippetMarkStart + "Drought" + newsdesk.SnippetMarkEnd + ", officials say."
	if got.Hits[1].Snippet != want {
		t.Errorf("excerpt licence snippet = %q, want %q", got.Hits[1].Snippet, want)
	}
	if got.Hits[2].Snippet != "" {
		t.Errorf("headline licence snippet = %q, want none", got.Hits[2].Snippet)
	}
}
