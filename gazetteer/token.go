package gazetteer

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Shape is the letter case of a token as written.
type Shape uint8

const (
	ShapeNone  Shape = iota // no case: digits, Arabic or Hebrew script
	ShapeLower              // "of", "e"
	ShapeTitle              // "Baghdad", "McDonald"
	ShapeUpper              // "MEK", "U.S." (two or more capitals)
)

// Token is one word of a text: a run of letters and digits, with internal
// apostrophes kept ("Sana'a") and dotted acronyms joined ("U.S." is one
// token "us"). Hyphens, dots and spaces separate tokens.
type Token struct {
	// Key is the folded form: lower case, without Latin accents, Arabic
	// diacritics or tatweel, with the Arabic letter variants Persian and
	// Arabic spell differently made one (ي ى ئ → ی, ك → ک, أ إ آ ٱ → ا,
	// ؤ → و, ة ۀ → ه). A zero-width non-joiner separates tokens, as a space
	// does, so "جلال‌آباد" and "جلال آباد" are the same two tokens.
	Key        string
	Start, End int // byte offsets in the text
	Shape      Shape
}

// Tokenize splits s into tokens. A key that is the word as written (lower
// case, nothing to fold) is a substring of s, the others substrings of one
// string shared by the tokens: a caller keeping a key beyond the text
// should keep a copy (strings.Clone).
func Tokenize(s string) []Token {
	toks := make([]Token, 0, len(s)/6+1)
	var buf []byte   // the keys that differ from the text, one after another
	var folded []int // for each such token: its index, and its key's start and end in buf
	i := 0
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf && asciiClass[c] == 0 {
			i++ // ASCII space and punctuation
			continue
		}
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
		kstart := len(buf)
		same := true // the key is s[start:i]
		upper, lower, letters := 0, 0, 0
		firstUpper := false
		for i < len(s) {
			if c := s[i]; c < utf8.RuneSelf && c != '\'' {
				// ASCII letters and digits, without decoding: the same
				// counts and key as the general case below.
				switch asciiClass[c] {
				case 0:
				case classLower:
					lower++
					letters++
					buf = append(buf, c)
					i++
					continue
				case classUpper:
					if letters == 0 {
						firstUpper = true
					}
					upper++
					letters++
					same = false
					buf = append(buf, c+'a'-'A')
					i++
					continue
				case classDigit:
					buf = append(buf, c)
					i++
					continue
				}
				break
			}
			r, n = utf8.DecodeRuneInString(s[i:])
			if r == '\'' || r == '\u2019' {
				// keep an apostrophe between two letters
				r2, _ := utf8.DecodeRuneInString(s[i+n:])
				if len(buf) > kstart && unicode.IsLetter(r2) {
					buf = append(buf, '\'')
					same = same && r == '\''
					i += n
					continue
				}
				break
			}
			if !isWordRune(r) {
				break
			}
			if unicode.IsMark(r) || r == '\u0640' { // harakat, tatweel
				same = false
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
			f := fold(r)
			same = same && f == r
			buf = utf8.AppendRune(buf, f)
			i += n
		}
		if len(buf) == kstart {
			continue
		}
		t := Token{Start: start, End: i}
		if same {
			t.Key = s[start:i]
			buf = buf[:kstart]
		} else {
			folded = append(folded, len(toks), kstart, len(buf))
		}
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
	if len(folded) > 0 {
		keys := string(buf)
		for k := 0; k < len(folded); k += 3 {
			toks[folded[k]].Key = keys[folded[k+1]:folded[k+2]]
		}
	}
	return toks
}

// The classes of ASCII bytes: 0 separates words.
const (
	classLower = 1 + iota
	classUpper
	classDigit
)

var asciiClass = func() (c [utf8.RuneSelf]uint8) {
	for b := 'a'; b <= 'z'; b++ {
		c[b] = classLower
	}
	for b := 'A'; b <= 'Z'; b++ {
		c[b] = classUpper
	}
	for b := '0'; b <= '9'; b++ {
		c[b] = classDigit
	}
	return c
}()

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// dottedAcronym reads "U.S." or "U.S.A." at i.
func dottedAcronym(s string, i int) (end int, key string, ok bool) {
	var b strings.Builder
	j, count := i, 0
	for j < len(s) {
		r, n := utf8.DecodeRuneInString(s[j:])
		if !unicode.IsUpper(r) || j+n >= len(s) || s[j+n] != '.' {
			break
		}
		// the letter must not continue a word: "Mr." is not an acronym
		if j+n+1 < len(s) {
			if r2, _ := utf8.DecodeRuneInString(s[j+n+1:]); unicode.IsLower(r2) {
				break
			}
		}
		b.WriteRune(unicode.ToLower(r))
		j += n + 1
		count++
	}
	if count < 2 {
		return 0, "", false
	}
	return j, b.String(), true
}

// Fold returns the folded key of a single word, as Tokenize makes it.
func Fold(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsMark(r) || r == '\u0640' {
			continue
		}
		if r == '\u2019' {
			r = '\''
		}
		foldRune(&b, r)
	}
	return b.String()
}

func foldRune(b *strings.Builder, r rune) { b.WriteRune(fold(r)) }

// fold returns the folded form of a letter.
func fold(r rune) rune {
	switch r {
	case 'á', 'à', 'â', 'ä', 'ã', 'å', 'Á', 'À', 'Â', 'Ä', 'Ã', 'Å':
		r = 'a'
	case 'é', 'è', 'ê', 'ë', 'É', 'È', 'Ê', 'Ë':
		r = 'e'
	case 'í', 'ì', 'î', 'ï', 'Í', 'Ì', 'Î', 'Ï', 'ı', 'İ':
		r = 'i'
	case 'ó', 'ò', 'ô', 'ö', 'õ', 'Ó', 'Ò', 'Ô', 'Ö', 'Õ':
		r = 'o'
	case 'ú', 'ù', 'û', 'ü', 'Ú', 'Ù', 'Û', 'Ü':
		r = 'u'
	case 'ç', 'Ç':
		r = 'c'
	case 'ñ', 'Ñ':
		r = 'n'
	case 'ş', 'Ş':
		r = 's'
	case 'ğ', 'Ğ':
		r = 'g'
	case 'ي', 'ى', 'ئ':
		r = 'ی'
	case 'ك':
		r = 'ک'
	case 'أ', 'إ', 'آ', 'ٱ':
		r = 'ا'
	case 'ؤ':
		r = 'و'
	case 'ة', 'ۀ', 'ە':
		r = 'ه'
	case '\'':
	default:
		r = unicode.ToLower(r)
	}
	return r
}

// IsArabicScript reports whether the key is written in Arabic script.
func IsArabicScript(key string) bool {
	r, _ := utf8.DecodeRuneInString(key)
	return unicode.Is(unicode.Arabic, r)
}
