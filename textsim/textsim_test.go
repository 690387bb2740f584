package textsim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
	"unsafe"
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

// wordsRef is Words written plainly, one strings.Builder per word: the
// specification Words is checked against.
func wordsRef(s string) []string {
	words := []string{}
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			words = append(words, b.String())
			b.Reset()
		}
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		case unicode.Is(unicode.Mn, r) && b.Len() > 0:
			b.WriteRune(r)
		case (r == '\'' || r == '’') && b.Len() > 0:
			next, m := utf8.DecodeRuneInString(s[i:])
			if next == 's' || next == 'S' {
				after, _ := utf8.DecodeRuneInString(s[i+m:])
				if i+m >= len(s) || !(unicode.IsLetter(after) || unicode.IsDigit(after)) {
					i += m
					flush()
				}
			}
		default:
			flush()
		}
	}
	flush()
	return words
}

func TestWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Fed's Plosser: taper, then STOP.", []string{"fed", "plosser", "taper", "then", "stop"}},
		{"McDonald’s don't it's's", []string{"mcdonald", "dont", "it", "s"}},
		{"Ⱥ İstanbul Café déjà-vu naïve", []string{"ⱥ", "istanbul", "café", "déjà", "vu", "naïve"}},
		{"'s ’ s' x'", []string{"s", "s", "x"}},
		{"", []string{}},
	}
	for _, tt := range tests {
		if got := Words(tt.in); !reflect.DeepEqual(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
			t.Errorf("Words(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got, want := Words(tt.in), wordsRef(tt.in); !reflect.DeepEqual(got, want) {
			t.Errorf("Words(%q) = %q, reference %q", tt.in, got, want)
		}
		if got, want := TransientWords(tt.in), wordsRef(tt.in); !reflect.DeepEqual(got, want) {
			t.Errorf("TransientWords(%q) = %q, reference %q", tt.in, got, want)
		}
	}
}

func FuzzWords(f *testing.F) {
	f.Add("Fed's Plosser: taper, then STOP. McDonald’s don't it's's Ⱥ İstanbul \xff's")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Words(s), wordsRef(s); !reflect.DeepEqual(got, want) {
			t.Fatalf("Words(%q) = %q, reference %q", s, got, want)
		}
		if got, want := TransientWords(s), wordsRef(s); !reflect.DeepEqual(got, want) {
			t.Fatalf("TransientWords(%q) = %q, reference %q", s, got, want)
		}
	})
}

// simHashRef is SimHash one bit at a time.
func simHashRef(features []uint64) uint64 {
	var v [64]int
	for _, f := range features {
		for i := 0; i < 64; i++ {
			if f&(1<<i) != 0 {
				v[i]++
			} else {
				v[i]--
			}
		}
	}
	var h uint64
	for i := 0; i < 64; i++ {
		if v[i] > 0 {
			h |= 1 << i
		}
	}
	return h
}

func TestSimHash(t *testing.T) {
	for _, n := range []int{0, 1, 2, 254, 255, 256, 600, 1000} {
		fs := make([]uint64, n)
		for i := range fs {
			fs[i] = Mix(uint64(i) * 77)
			if i%3 == 0 {
				fs[i] |= 0xf0f0 // a bias, so that some bits are set in most features
			}
		}
		if got, want := SimHash(fs), simHashRef(fs); got != want {
			t.Errorf("SimHash of %d features = %x, want %x", n, got, want)
		}
	}
}

func TestShingles(t *testing.T) {
	words := Words("the cat sat on the mat the cat sat")
	one := Shingles(words, 1)
	if len(one) != 5 || !slices.IsSorted(one) {
		t.Errorf("Shingles(k=1) = %d hashes, want 5 sorted", len(one))
	}
	three := Shingles(words, 3)
	if len(three) != 6 || !slices.IsSorted(three) {
		t.Errorf("Shingles(k=3) = %d hashes, want 6 sorted", len(three))
	}
	if a, b := Shingles([]string{"a", "b", "c"}, 3), Shingles([]string{"c", "b", "a"}, 3); slices.Equal(a, b) {
		t.Error("word order does not change a shingle's hash")
	}
	if got := Shingles([]string{"a", "b"}, 3); len(got) != 1 {
		t.Errorf("two words, k=3: %d shingles, want 1", len(got))
	}
	if got := Shingles(nil, 3); got != nil {
		t.Errorf("no words: %v", got)
	}
}

// TestMinHashEstimate: the share of equal MinHash values is close to the
// Jaccard index of the sets, from disjoint to equal.
func TestMinHashEstimate(t *testing.T) {
	const n = 400
	for _, shared := range []int{0, 50, 100, 200, 300, 400} {
		var sumErr float64
		const trials = 40
		for trial := range trials {
			a, b := make([]uint64, 0, n), make([]uint64, 0, n)
			for i := range n {
				x := Hash(fmt.Sprint(trial, "a", i))
				a = append(a, x)
				if i < shared {
					b = append(b, x)
				} else {
					b = append(b, Hash(fmt.Sprint(trial, "b", i)))
				}
			}
			want := float64(shared) / float64(2*n-shared)
			got := EstimateJaccard(MinHash(a, 64), MinHash(b, 64))
			sumErr += got - want
			if math.Abs(got-want) > 0.25 {
				t.Errorf("shared %d: estimate %.2f, Jaccard %.2f", shared, got, want)
			}
		}
		if bias := sumErr / trials; math.Abs(bias) > 0.03 {
			t.Errorf("shared %d: mean error %.3f", shared, bias)
		}
	}
	if got := MinHash(nil, 4); !slices.Equal(got, []uint32{^uint32(0), ^uint32(0), ^uint32(0), ^uint32(0)}) {
		t.Errorf("empty set: %x", got)
	}
	if a, b := MinHash([]uint64{1, 2, 3}, 200), MinHash([]uint64{1, 2, 3}, 200); !slices.Equal(a, b) {
		t.Error("long signatures differ")
	}
}

// TestMinHashValues: every value is the minimum of its own hash function
// over the features, whatever the signature's length (the fast path takes
// four values at a time and the rest one by one).
func TestMinHashValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, n := range []int{0, 1, 2, 5, 40, 301} {
		fs := make([]uint64, n)
		for i := range fs {
			fs[i] = rng.Uint64()
		}
		for _, k := range []int{1, 3, 4, 5, 7, 8, 9, 63, 64, 128, 130} {
			got := MinHash(fs, k)
			for i := range k {
				a, b := minhashParams(i)
				want := ^uint32(0)
				for _, f := range fs {
					want = min(want, uint32((f*a+b)>>32))
				}
				if got[i] != want {
					t.Fatalf("%d features, k %d: value %d is %x, want %x", n, k, i, got[i], want)
				}
			}
		}
	}
}

const benchText = `WASHINGTON (Reuters) - The Federal Reserve's Plosser said on Tuesday the central bank risks falling behind the curve on inflation if it does not start raising interest rates soon, as the U.S. economy gathers strength and unemployment falls faster than expected. "We're going to have to be more aggressive," he told reporters after a speech in Philadelphia, adding that the Fed's bond-buying programme, which is being tapered, should end by autumn. Markets expect the first rate rise in mid-2015.`

func BenchmarkWords(b *testing.B) {
	text := strings.Repeat(benchText+" ", 4)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Words(text)
	}
}

func BenchmarkTransientWords(b *testing.B) {
	text := strings.Repeat(benchText+" ", 4)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		TransientWords(text)
	}
}

// TestWordsOwnMemory: a word of Words kept alone does not keep the text's
// other words (each is its own allocation).
func TestWordsOwnMemory(t *testing.T) {
	next := func(ws []string) bool { // ws[1] follows ws[0] in memory
		return uintptr(unsafe.Pointer(unsafe.StringData(ws[1]))) == uintptr(unsafe.Pointer(unsafe.StringData(ws[0])))+uintptr(len(ws[0]))
	}
	if next(Words("Alpha beta GAMMA")) {
		t.Error("Words: the words share one allocation")
	}
	if !next(TransientWords("Alpha beta GAMMA")) {
		t.Error("TransientWords: the words do not share one allocation")
	}
}

func BenchmarkShingles(b *testing.B) {
	words := Words(strings.Repeat(benchText+" ", 4))
	for b.Loop() {
		Shingles(words, 3)
	}
}

func BenchmarkSimHash(b *testing.B) {
	fs := Shingles(Words(strings.Repeat(benchText+" ", 4)), 3)
	for b.Loop() {
		SimHash(fs)
	}
}

func BenchmarkMinHash(b *testing.B) {
	fs := Shingles(Words(strings.Repeat(benchText+" ", 4)), 3)
	for b.Loop() {
		MinHash(fs, 64)
	}
}

// TermsN gives exactly the first n of Terms, whatever the text: words cut
// by its prefix, possessives and marks at the cut, texts shorter than a
// prefix, and texts with few terms for their length.
func TestTermsN(t *testing.T) {
	parts := []string{"Fed's", "rates", "the", "of", "a", "don't", "Café", "é\u0301", "naïve", "2025", "x", "Zürich", "stopped", "houses", "\u0301", " ", "\n", "—", "U.S.", "talks", "Tehran's"}
	for seed := 0; seed < 400; seed++ {
		var b strings.Builder
		for i := 0; i < seed*7%900; i++ {
			b.WriteString(parts[(seed*31+i*i*7+i)%len(parts)])
			if (i+seed)%5 != 0 {
				b.WriteByte(' ')
			}
		}
		s := b.String()
		all := Terms(s)
		for _, n := range []int{1, 3, 17, 50, 200, 1000} {
			want := all
			if len(want) > n {
				want = want[:n]
			}
			if got := TermsN(s, n); !slices.Equal(got, want) {
				t.Fatalf("TermsN(%q, %d) = %q, want %q", s, n, got, want)
			}
		}
	}
	if got := TermsN("any text", 0); len(got) != 0 {
		t.Errorf("TermsN(_, 0) = %q", got)
	}
}

func BenchmarkTermsN(b *testing.B) {
	text := strings.Repeat("The central bank of the country raised its main interest rate on Tuesday, as expected. ", 60)
	for b.Loop() {
		TermsN(text, 200)
	}
}
