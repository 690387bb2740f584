// Package textsim holds the text-similarity helpers shared by the
// connecting stages (near-duplicates, stories, related articles): word
// splitting, a light English stemmer, stop words, shingles, SimHash and
// MinHash. It imports only the standard library.
package textsim

import (
	"math/bits"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Words splits s into lower-case words: runs of letters and digits. An
// apostrophe inside a word is dropped with a possessive "s" after it
// ("Fed's" → "fed"), otherwise it joins the halves ("don't" → "dont").
// Combining marks stay with their word.
//
// Each word is a string of its own: a word kept (as a map key, say) keeps
// nothing else alive. Callers that keep no word use TransientWords.
func Words(s string) []string {
	return words(s, false)
}

// TransientWords is Words with the words cut from one lower-cased copy of
// s, so that splitting a text costs a few allocations whatever its length.
// Keeping any one of the words keeps that whole copy in memory: it is for
// callers that hash or compare the words and then drop them.
func TransientWords(s string) []string {
	return words(s, true)
}

func words(s string, shared bool) []string {
	if !shared {
		out := make([]string, 0, len(s)/6+1)
		var scratch [64]byte
		splitWords(s, scratch[:0], true, func(w []byte, _ int) { out = append(out, string(w)) })
		return out
	}
	ends := make([]int32, 0, len(s)/6+1) // end of each word in buf
	buf := splitWords(s, make([]byte, 0, len(s)), false, func(_ []byte, end int) { ends = append(ends, int32(end)) })
	all := string(buf)
	words := make([]string, len(ends))
	from := int32(0)
	for k, e := range ends {
		words[k] = all[from:e]
		from = e
	}
	return words
}

// splitWords appends the lower-cased words of s to buf and calls word with
// each as it ends: the word (in buf) and its end in buf. With reuse, each
// word is written over the one before (word copies what it keeps);
// without, the words lie back to back in the buf returned.
func splitWords(s string, buf []byte, reuse bool, word func(w []byte, end int)) []byte {
	start := 0 // where the current word began in buf
	flush := func() {
		if len(buf) > start {
			word(buf[start:], len(buf))
			if reuse {
				buf = buf[:0]
			}
			start = len(buf)
		}
	}
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
				buf = append(buf, c)
			case 'A' <= c && c <= 'Z':
				buf = append(buf, c+'a'-'A')
			case c == '\'' && len(buf) > start:
				if possessive(s, i) {
					i++
					flush()
				}
			default:
				flush()
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			buf = utf8.AppendRune(buf, unicode.ToLower(r))
		case unicode.Is(unicode.Mn, r) && len(buf) > start:
			buf = utf8.AppendRune(buf, r)
		case r == '’' && len(buf) > start:
			if possessive(s, i) {
				i++
				flush()
			}
		default:
			flush()
		}
	}
	flush()
	return buf
}

// possessive reports whether s[i:] starts with an "s" that ends a word
// (the "s" of "Fed's"), i being just past an apostrophe.
func possessive(s string, i int) bool {
	if i >= len(s) || (s[i] != 's' && s[i] != 'S') {
		return false
	}
	if i+1 >= len(s) {
		return true
	}
	if c := s[i+1]; c < utf8.RuneSelf {
		return !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9')
	}
	after, _ := utf8.DecodeRuneInString(s[i+1:])
	return !(unicode.IsLetter(after) || unicode.IsDigit(after))
}

// stopwords are English function words and newsroom boilerplate that say
// nothing about what an article is about.
var stopwords = func() map[string]struct{} {
	m := make(map[string]struct{})
	for _, w := range strings.Fields(`a about above after again against all also am an and any are as at be
		because been before being below between both but by can could did do does doing down during each
		few for from further had has have having he her here hers herself him himself his how i if in into is
		it its itself just me more most my myself no nor not now of off on once only or other our ours
		ourselves out over own same she should so some such than that the their theirs them themselves then
		there these they this those through to too under until up very was we were what when where which while
		who whom why will with would you your yours yourself yourselves s t says said say new news update
		updated via amid may might must shall us im ive id dont cant wont isnt vs per`) {
		m[w] = struct{}{}
	}
	return m
}()

// IsStopword reports whether w (lower case) is a stop word.
func IsStopword(w string) bool {
	_, ok := stopwords[w]
	return ok
}

// Terms returns the content words of s, stemmed, stop words and one-letter
// words left out, in text order (repeats kept).
func Terms(s string) []string {
	ws := Words(s)
	out := ws[:0]
	for _, w := range ws {
		if IsStopword(w) || utf8.RuneCountInString(w) < 2 {
			continue
		}
		out = append(out, Stem(w))
	}
	return out
}

// TermsN returns the first n terms of s, as Terms(s)[:n] would (all of
// them when s has fewer), without splitting the rest of s: a few hundred
// terms of a long article read only its start.
func TermsN(s string, n int) []string {
	if n <= 0 {
		return nil
	}
	// A term takes at least three bytes with the space after it, and
	// rarely more than sixteen with the stop words between; read a prefix
	// that ends before a space (so no word is cut) and only read on when
	// it gives too few.
	for limit := n * 16; limit < len(s); limit *= 2 {
		cut := strings.IndexByte(s[limit:], ' ')
		if cut < 0 {
			break
		}
		if ts := Terms(s[:limit+cut]); len(ts) >= n {
			return ts[:n:n]
		}
	}
	ts := Terms(s)
	if len(ts) > n {
		ts = ts[:n:n]
	}
	return ts
}

// Stem is a light English stemmer: it removes plural and possessive
// endings and the commonest verb endings (-ing, -ed), undoubling the final
// consonant ("stopped" → "stop"). Words of other scripts are returned as
// they are. It is deliberately conservative: two words it maps together
// almost always mean the same thing.
func Stem(w string) string {
	if len(w) < 4 || !isASCIILower(w) {
		return w
	}
	switch {
	case strings.HasSuffix(w, "sses"):
		w = w[:len(w)-2]
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		w = w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "ss") || strings.HasSuffix(w, "us") || strings.HasSuffix(w, "is"):
	case strings.HasSuffix(w, "es") && len(w) > 4 && esPlural(w):
		w = w[:len(w)-2]
	case strings.HasSuffix(w, "s"):
		w = w[:len(w)-1]
	}
	switch {
	case strings.HasSuffix(w, "ing") && len(w) > 5 && hasVowel(w[:len(w)-3]):
		w = undouble(w[:len(w)-3])
	case strings.HasSuffix(w, "ied") && len(w) > 4:
		w = w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "eed"):
	case strings.HasSuffix(w, "ed") && len(w) > 4 && hasVowel(w[:len(w)-2]):
		w = undouble(w[:len(w)-2])
	}
	if strings.HasSuffix(w, "e") && len(w) > 4 {
		// "taper"/"tapering"/"tapered" and "rate"/"rates"/"rated" meet
		// only when a final silent e goes too.
		w = w[:len(w)-1]
	}
	return w
}

func esPlural(w string) bool {
	stem := w[:len(w)-2]
	for _, suf := range []string{"ch", "sh", "x", "z", "ss", "o"} {
		if strings.HasSuffix(stem, suf) {
			return true
		}
	}
	return false
}

func undouble(w string) string {
	n := len(w)
	if n >= 3 && w[n-1] == w[n-2] && !strings.ContainsRune("aeioulsz", rune(w[n-1])) {
		return w[:n-1]
	}
	return w
}

func hasVowel(w string) bool { return strings.ContainsAny(w, "aeiouy") }

func isASCIILower(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

// SlugWords returns the words of the last meaningful path segment of a URL
// ("/business/fed-risks-falling-behind-the-curve-294430.html" → fed risks
// falling behind the curve). Numbers, file extensions and segments without
// hyphenated words are left out: a slug is only worth reading when it is a
// sentence. It returns nil when the URL has no such slug.
func SlugWords(rawURL string) []string {
	return SlugWordsMin(rawURL, 3)
}

// SlugWordsMin is SlugWords for slugs of at least min words ("torkham-reopens"
// has two): shorter slugs say less, but a report in another language may
// share nothing else with its English coverage.
func SlugWordsMin(rawURL string, min int) []string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	best := ""
	for _, seg := range segs {
		if i := strings.LastIndexByte(seg, '.'); i > 0 {
			seg = seg[:i]
		}
		if strings.Count(seg, "-")+strings.Count(seg, "_") >= max(min-1, 1) && len(seg) > len(best) {
			best = seg
		}
	}
	if best == "" {
		return nil
	}
	var out []string
	for _, w := range Words(strings.NewReplacer("-", " ", "_", " ", "+", " ").Replace(best)) {
		if isDigits(w) || len(w) > 30 {
			continue
		}
		out = append(out, w)
	}
	return out
}

func isDigits(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return w != ""
}

// Hash is 64-bit FNV-1a of s, then mixed so that its bits are uniform.
func Hash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return Mix(h)
}

// Mix is the SplitMix64 finaliser: a bijection of uint64 with good
// avalanche.
func Mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// Shingles returns the set of hashes of every k consecutive words (all
// words when there are fewer than k), sorted and without repeats.
func Shingles(words []string, k int) []uint64 {
	return ShingleHashes(WordHashes(words), k)
}

// WordHashes returns the hash of each word, in order: the hash of a
// one-word shingle. ShingleHashes makes longer shingles from them, so that
// each word of a text is hashed once however many shingle sets are made.
func WordHashes(words []string) []uint64 {
	hs := make([]uint64, len(words))
	for i, w := range words {
		hs[i] = Hash(w)
	}
	return hs
}

// ShingleHashes is Shingles over the words' hashes (from WordHashes): the
// sorted set of the hashes of every k consecutive words. The hash of a
// shingle of one word is the word's hash; that of a longer shingle
// combines its words' hashes in order, so "a b c" and "c b a" differ.
func ShingleHashes(wordHashes []uint64, k int) []uint64 {
	n := len(wordHashes)
	if n == 0 {
		return nil
	}
	if k < 1 {
		k = 1
	}
	if n < k {
		k = n
	}
	out := make([]uint64, 0, n-k+1)
	if k == 1 {
		out = append(out, wordHashes...)
	} else {
		for i := 0; i+k <= n; i++ {
			h := uint64(k)
			for _, w := range wordHashes[i : i+k] {
				h = (h ^ w) * 0x9fb21c651e98df25
				h ^= h >> 29
			}
			out = append(out, Mix(h))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Jaccard is |a∩b| / |a∪b| of two sorted sets; 0 when both are empty.
func Jaccard(a, b []uint64) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 0
	}
	inter := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			inter++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// SimHash is Charikar's 64-bit similarity hash of a set of feature hashes:
// bit i is set when most features have bit i set. Near-identical texts
// have hashes a few bits apart.
func SimHash(features []uint64) uint64 {
	// Bit i of every feature is counted in byte lane i/8 of lanes[i%8]: eight
	// additions count all 64 bits of a feature. A lane holds at most 255, so
	// the lanes are emptied into counts every 255 features.
	var counts [64]int
	var lanes [8]uint64
	const ones = 0x0101010101010101
	flush := func() {
		for j, l := range lanes {
			for b := 0; b < 8; b++ {
				counts[b*8+j] += int(l >> (8 * b) & 0xff)
			}
		}
		lanes = [8]uint64{}
	}
	for n, f := range features {
		if n > 0 && n%255 == 0 {
			flush()
		}
		lanes[0] += f & ones
		lanes[1] += f >> 1 & ones
		lanes[2] += f >> 2 & ones
		lanes[3] += f >> 3 & ones
		lanes[4] += f >> 4 & ones
		lanes[5] += f >> 5 & ones
		lanes[6] += f >> 6 & ones
		lanes[7] += f >> 7 & ones
	}
	flush()
	var h uint64
	for i, c := range counts {
		if 2*c > len(features) {
			h |= 1 << i
		}
	}
	return h
}

// Hamming is the number of bits in which a and b differ.
func Hamming(a, b uint64) int { return bits.OnesCount64(a ^ b) }

// MinHash returns a k-value MinHash signature of a set of feature hashes
// (uniform 64-bit hashes, as Hash gives): value i is the least of h_i over
// the set, h_i(f) being the high half of a_i·f + b_i with a fixed random odd
// a_i and random b_i (multiply-shift hashing, one multiplication per value).
// The share of equal values of two signatures estimates the Jaccard index
// of the sets. An empty set has a signature of all ones.
func MinHash(features []uint64, k int) []uint32 {
	sig := make([]uint32, k)
	for i := range sig {
		sig[i] = ^uint32(0)
	}
	MinHashAdd(sig, features)
	return sig
}

// MinHashAdd lowers sig, a MinHash signature (from MinHash), to that of
// the union of its set and features: MinHash(a ∪ b) is MinHashAdd of b to
// MinHash(a). Repeats in features do not change the result.
func MinHashAdd(sig []uint32, features []uint64) {
	k := len(sig)
	if k > len(minhashA) {
		for _, f := range features {
			for i := range sig {
				a, b := minhashParams(i)
				if h := uint32((f*a + b) >> 32); h < sig[i] {
					sig[i] = h
				}
			}
		}
		return
	}
	// Four values at a time: four independent chains of multiply and
	// minimum per feature keep the processor's units busy, where one chain
	// waits on its own last minimum.
	i := 0
	for ; i+4 <= k; i += 4 {
		a0, a1, a2, a3 := minhashA[i], minhashA[i+1], minhashA[i+2], minhashA[i+3]
		b0, b1, b2, b3 := minhashB[i], minhashB[i+1], minhashB[i+2], minhashB[i+3]
		m0, m1, m2, m3 := uint64(sig[i]), uint64(sig[i+1]), uint64(sig[i+2]), uint64(sig[i+3])
		for _, f := range features {
			m0 = min(m0, (f*a0+b0)>>32)
			m1 = min(m1, (f*a1+b1)>>32)
			m2 = min(m2, (f*a2+b2)>>32)
			m3 = min(m3, (f*a3+b3)>>32)
		}
		sig[i], sig[i+1], sig[i+2], sig[i+3] = uint32(m0), uint32(m1), uint32(m2), uint32(m3)
	}
	for ; i < k; i++ {
		a, b, m := minhashA[i], minhashB[i], uint64(sig[i])
		for _, f := range features {
			m = min(m, (f*a+b)>>32)
		}
		sig[i] = uint32(m)
	}
}

// minhashA and minhashB are the multipliers and offsets of the first 128
// MinHash values.
var minhashA, minhashB = func() (a, b [128]uint64) {
	for i := range a {
		a[i], b[i] = minhashParams(i)
	}
	return a, b
}()

// minhashParams returns the odd multiplier and the offset of MinHash value i.
func minhashParams(i int) (a, b uint64) {
	return Mix(uint64(2*i)+0x9e3779b97f4a7c15) | 1, Mix(uint64(2*i+1) + 0x9e3779b97f4a7c15)
}

// EstimateJaccard is the share of equal values of two MinHash signatures of
// the same length (or of the same bits of each value).
func EstimateJaccard[T comparable](a, b []T) float64 {
	if len(a) == 0 || len(a) != len(b) {
		return 0
	}
	eq := 0
	for i := range a {
		if a[i] == b[i] {
			eq++
		}
	}
	return float64(eq) / float64(len(a))
}

// Tokens splits s into words as Words does, but keeps their case, and keeps
// a number with a decimal point or thousands separator whole ("7.1",
// "37,000" → "37000", "$3.5" → "3.5"), so that a version or a figure stays
// one word. Callers lower-case the words they compare.
func Tokens(s string) []string {
	toks := make([]string, 0, len(s)/6+1)
	var b strings.Builder
	digits := false // the word so far ends in a digit
	flush := func() {
		if b.Len() > 0 {
			toks = append(toks, b.String())
			b.Reset()
		}
		digits = false
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
			digits = unicode.IsDigit(r)
		case unicode.Is(unicode.Mn, r) && b.Len() > 0:
			b.WriteRune(r)
		case (r == '.' || r == ',') && digits && i < len(s) && s[i] >= '0' && s[i] <= '9':
			if r == '.' {
				b.WriteRune(r)
			}
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
	return toks
}

// Figures returns the numbers written in s, in text order and each once,
// in one spelling whatever the script: Arabic-Indic and Persian digits
// become ASCII ("۵٫۹" → "5.9"), thousands separators go ("1,200" and
// "۱٬۲۰۰" → "1200") and a decimal separator becomes a point. A figure
// reads the same in every language a report is written in, so it links
// reports across languages. Single digits and what look like years
// (1900–2099) are left out: they say little about an event. At most max
// figures are returned (all when max ≤ 0).
func Figures(s string, max int) []string {
	var out []string
	seen := map[string]bool{}
	var b []byte
	flush := func() {
		for len(b) > 0 && b[len(b)-1] == '.' {
			b = b[:len(b)-1]
		}
		f := string(b)
		b = b[:0]
		if len(f) < 2 || seen[f] || isYear(f) {
			return
		}
		seen[f] = true
		out = append(out, f)
	}
	for i := 0; i < len(s) && (max <= 0 || len(out) < max); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if d, ok := digitValue(r); ok {
			if len(b) == 0 && i-n > 0 {
				// A digit glued to a letter before it ("F16", "COVID19") is
				// part of a name, not a figure.
				p, _ := utf8.DecodeLastRuneInString(s[:i-n])
				if unicode.IsLetter(p) {
					for i < len(s) {
						r, n = utf8.DecodeRuneInString(s[i:])
						if _, ok := digitValue(r); !ok && !unicode.IsLetter(r) {
							break
						}
						i += n
					}
					continue
				}
			}
			b = append(b, byte('0'+d))
			continue
		}
		if len(b) > 0 {
			next, _ := utf8.DecodeRuneInString(s[i:])
			_, digitNext := digitValue(next)
			switch {
			case digitNext && (r == ',' || r == '٬'):
				continue // thousands separator
			case digitNext && (r == '.' || r == '٫') && !strings.Contains(string(b), "."):
				b = append(b, '.')
				continue
			}
			flush()
		}
	}
	if len(b) > 0 && (max <= 0 || len(out) < max) {
		flush()
	}
	return out
}

// digitValue is the value of an ASCII, Arabic-Indic or Persian digit.
func digitValue(r rune) (int, bool) {
	switch {
	case r >= '0' && r <= '9':
		return int(r - '0'), true
	case r >= '٠' && r <= '٩':
		return int(r - '٠'), true
	case r >= '۰' && r <= '۹':
		return int(r - '۰'), true
	}
	return 0, false
}

func isYear(f string) bool {
	return len(f) == 4 && (f[:2] == "19" || f[:2] == "20")
}

// functionWords are common Persian and Arabic function words (prepositions,
// conjunctions, pronouns, auxiliaries and their frequent clitic forms),
// which IsStopword, being English, lets through.
var functionWords = func() map[string]struct{} {
	m := make(map[string]struct{})
	for _, w := range strings.Fields(`
		و در به از که را با این آن برای تا بر یا هم نیز اما است بود شد شده شود کرد کرده کند کنند می
		خود او ما آنها ایشان هر یک دو پس پیش روز گفت گفته داد داده دارد داشت باید وی اند ای های ها
		بین بی چند همه دیگر چه چون اگر سال ماه هفته نه مورد طور اینکه زیرا ولی همچنین حال جز
		في من على إلى الى عن مع أن ان إن أو او ثم قد لا لم لن ما هذا هذه ذلك تلك التي الذي الذين
		كان كانت يكون وقد وفي ومن وعلى وأن وإن وكان وقال قال قالت بعد قبل خلال حتى بين عند منذ كما
		كل بعض غير أي هو هي هم نحو حول ضمن لدى لها له عليه فيه منها إلا يوم أمس العام الماضي`) {
		m[w] = struct{}{}
	}
	return m
}()

// IsFunctionWord reports whether w (lower case) is an English stop word
// or a common Persian or Arabic function word. Where reports in several
// languages share one index, function words of the less common languages
// are rare there and would otherwise weigh like names.
func IsFunctionWord(w string) bool {
	if _, ok := stopwords[w]; ok {
		return true
	}
	_, ok := functionWords[w]
	return ok
}
