package gazetteer

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// tokenizeOneByOne is Tokenize as it was, one string per key, to check
// that the shared keys are the same.
func tokenizeOneByOne(s string) []Token {
	toks := make([]Token, 0, len(s)/6+1)
	var b strings.Builder
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isWordRune(r) {
			i += n
			continue
		}
		start := i
		// A dotted acronym: single letters each followed by a dot, at least two.
		if end, key, ok := dottedAcronym(s, i); ok {
			toks = append(toks, Token{Key: key, Start: start, End: end, Shape: ShapeUpper})
			i = end
			continue
		}
		b.Reset()
		upper, lower, letters := 0, 0, 0
		firstUpper := false
		for i < len(s) {
			r, n = utf8.DecodeRuneInString(s[i:])
			if r == '\'' || r == '\u2019' {
				// keep an apostrophe between two letters
				r2, _ := utf8.DecodeRuneInString(s[i+n:])
				if b.Len() > 0 && unicode.IsLetter(r2) {
					b.WriteByte('\'')
					i += n
					continue
				}
				break
			}
			if !isWordRune(r) {
				break
			}
			if unicode.IsMark(r) || r == '\u0640' { // harakat, tatweel
				i += n
				continue
			}
			if unicode.IsUpper(r) {
				if letters == 0 {
					firstUpper = true
				}
				upper++
			} else if unicode.IsLower(r) {
				lower++
			}
			if unicode.IsLetter(r) {
				letters++
			}
			foldRune(&b, r)
			i += n
		}
		if b.Len() == 0 {
			continue
		}
		t := Token{Key: b.String(), Start: start, End: i}
		switch {
		case upper >= 2 && lower == 0:
			t.Shape = ShapeUpper
		case upper == 1 && lower == 0 && letters == 1:
			t.Shape = ShapeUpper // a lone capital: "D" of "John D. Gardner"
		case firstUpper:
			t.Shape = ShapeTitle
		case lower > 0:
			t.Shape = ShapeLower
		}
		toks = append(toks, t)
	}
	return toks
}

// TestTokenizeMixed compares Tokenize, which reads ASCII letters and
// digits without decoding them, with the rune-by-rune reference on random
// mixtures of ASCII, accents, marks, Arabic and apostrophes.
func TestTokenizeMixed(t *testing.T) {
	t.Parallel()
	parts := []string{"a", "Z", "q", "9", " ", ".", "-", "'", "’", "é", "É", "İ", "ı", "\u0301", "مُ", "\u0640", "\u200c", "U.S.", "A.", "Mr.", "x'y", "\n", "ß", "ǅ"}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 5000 {
		var b strings.Builder
		for range rng.IntN(30) {
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		text := b.String()
		if got, want := Tokenize(text), tokenizeOneByOne(text); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\n got %+v\nwant %+v", text, got, want)
		}
	}
}

func TestTokenizeKeys(t *testing.T) {
	t.Parallel()
	texts := []string{"U.S. Maj. Gen. John D. Gardner, Mujahedeen-e-Khalq’s MEK", "São Paulo’s ÖZALP Iran's 'quoted' rock'n'roll",
		"بغــداد و غزّة و جلال‌آباد، الإيرانية", "مُحَمَّد x’ y' '", ""}
	files, _ := filepath.Glob(filepath.Join("..", "demo", "sources", "*", "articles", "*.txt"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(b))
	}
	for _, text := range texts {
		got, want := Tokenize(text), tokenizeOneByOne(text)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%.40q: keys differ from one string per key", text)
		}
	}
}

func BenchmarkTokenize(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join("..", "demo", "sources", "*", "articles", "*.txt"))
	if len(files) == 0 {
		b.Skip("no demo articles")
	}
	var texts []string
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		texts = append(texts, string(data))
		n += len(data)
	}
	b.SetBytes(int64(n))
	for b.Loop() {
		for _, t := range texts {
			Tokenize(t)
		}
	}
}
