package newsdesk

import (
	"strings"
	"unicode"
)

// slugMaxBytes bounds a slug's length; it is cut at a hyphen where possible.
const slugMaxBytes = 80

// Slugify returns a URL-safe form of s: letters and digits of any script
// (Latin lowercased, Persian and Arabic kept as they are), runs of anything
// else turned into a single hyphen, no leading or trailing hyphen, at most
// about 80 bytes. Combining marks (Arabic harakat, Latin accents written as
// separate marks) are dropped. It returns "" when s has no letter or digit.
func Slugify(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	hyphen := false
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(unicode.ToLower(r))
		case unicode.Is(unicode.Mn, r) || r == '\'' || r == '’' || r == '\u0640': // marks, apostrophes, tatweel
		default:
			hyphen = true
		}
		if b.Len() > slugMaxBytes {
			break
		}
	}
	out := b.String()
	if len(out) > slugMaxBytes {
		out = out[:slugMaxBytes]
		for len(out) > 0 && !validUTF8End(out) {
			out = out[:len(out)-1]
		}
		if i := strings.LastIndexByte(out, '-'); i > slugMaxBytes/2 {
			out = out[:i]
		}
	}
	return strings.Trim(out, "-")
}

// validUTF8End reports whether s does not end inside a multi-byte rune.
func validUTF8End(s string) bool {
	for i := len(s) - 1; i >= 0 && i >= len(s)-4; i-- {
		c := s[i]
		if c < 0x80 {
			return true
		}
		if c >= 0xC0 { // lead byte: check the rune is complete
			n := 2
			switch {
			case c >= 0xF0:
				n = 4
			case c >= 0xE0:
				n = 3
			}
			return len(s)-i == n
		}
	}
	return false
}
