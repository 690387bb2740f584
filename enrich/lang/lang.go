// Package lang tells the language of an article from its own text, with no
// network model: by script for Arabic-script, Hebrew, Cyrillic, Greek and
// CJK text (Persian, Urdu and Arabic told apart by their letters and
// function words), and by function-word profiles for Latin-script text.
package lang

import (
	"context"
	"math/bits"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"newsdesk"
	"newsdesk/enrich"
)

// function words of each Latin-script language: frequent, short, and
// mostly distinct between the languages.
const latinProfiles = `en	the of and to in is that for it was on with as by at from be this have are not but an or his which were has been they their said would will its who
fr	le la les de des et est une un du dans pour que qui sur pas au aux par avec ce il elle sont ont été cette mais ou plus son ses leur nous
de	der die das und ist nicht ein eine zu den von mit sich des auf für im dem auch es an werden aus er sie hat wird nach bei einer um wurde sind
es	el la los las de del y en que es por un una para con no se su al lo como más pero sus fue ha le ya está sobre este entre también
it	il la le di del della che e è un una per non con si sono da al nel alla gli dei delle anche ma come più questo ha ad lo
pt	o a os as de do da dos das e em um uma para com não que se por no na ao é mais foi como seu sua pelo pela são também
tr	ve bir bu da de için ile olarak olan çok daha gibi ama ne en kadar sonra değil var ki mi her ancak ise göre olduğu tarafından
nl	de het een en van in is dat op te met voor niet zijn aan ook er door maar als bij om dan nog wordt werd naar hij zij deze die`

// Detector tells languages. Its zero value is not usable; use New.
type Detector struct {
	latin map[string]map[string]bool
	order []string
	// langs maps a function word to the languages (bits in order) whose
	// profile has it, so that each word of a text is looked up once.
	langs map[string]uint16
}

// New returns a detector with the embedded profiles.
func New() *Detector {
	d := &Detector{latin: map[string]map[string]bool{}}
	for _, line := range strings.Split(latinProfiles, "\n") {
		code, words, _ := strings.Cut(line, "\t")
		set := map[string]bool{}
		for _, w := range strings.Fields(words) {
			set[w] = true
		}
		d.latin[code] = set
		d.order = append(d.order, code)
	}
	d.langs = make(map[string]uint16)
	for i, code := range d.order {
		for w := range d.latin[code] {
			d.langs[w] |= 1 << i
		}
	}
	return d
}

// Detect returns the BCP 47 code of text's language and a confidence in
// [0, 1]; "" when the text is too short or mixed to tell.
func (d *Detector) Detect(text string) (string, float64) {
	if len(text) > 20000 {
		text = text[:20000]
	}
	var arabic, hebrew, cyrillic, greek, han, kana, hangul, latin, letters int
	var pe, ur, arOnly int
	for _, r := range text {
		if r < utf8.RuneSelf {
			// ASCII: Latin letters or no letter at all.
			if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
				letters++
				latin++
			}
			continue
		}
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		switch {
		case unicode.Is(unicode.Arabic, r):
			arabic++
			switch r {
			case 'پ', 'چ', 'ژ', 'گ':
				pe++
			case 'ے', 'ں', 'ٹ', 'ڈ', 'ڑ', 'ھ':
				ur++
			case 'ة', 'ى', 'إ', 'ي', 'ك':
				arOnly++
			}
		case unicode.Is(unicode.Hebrew, r):
			hebrew++
		case unicode.Is(unicode.Cyrillic, r):
			cyrillic++
		case unicode.Is(unicode.Greek, r):
			greek++
		case unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r):
			kana++
		case unicode.Is(unicode.Hangul, r):
			hangul++
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.Is(unicode.Latin, r):
			latin++
		}
	}
	if letters < 10 {
		return "", 0
	}
	share := func(n int) float64 { return float64(n) / float64(letters) }
	switch {
	case share(arabic) > 0.5:
		return d.arabicScript(text, pe, ur, arOnly, share(arabic))
	case share(hebrew) > 0.5:
		return "he", share(hebrew)
	case share(cyrillic) > 0.5:
		if strings.ContainsAny(text, "іїєґ") {
			return "uk", share(cyrillic)
		}
		return "ru", share(cyrillic)
	case share(greek) > 0.5:
		return "el", share(greek)
	case share(kana) > 0.1:
		return "ja", share(kana + han)
	case share(hangul) > 0.5:
		return "ko", share(hangul)
	case share(han) > 0.5:
		return "zh", share(han)
	case share(latin) > 0.5:
		return d.latinScript(text)
	}
	return "", 0
}

func (d *Detector) arabicScript(text string, pe, ur, arOnly int, conf float64) (string, float64) {
	// Persian, Urdu and Arabic function words.
	persianWords := []string{"است", "این", "که", "را", "از", "به", "با", "برای", "می", "شد", "های", "هم", "بود", "آن", "کرد", "نیز", "شده", "خود"}
	arabicWords := []string{"في", "من", "على", "إلى", "الى", "أن", "التي", "الذي", "عن", "مع", "هذا", "هذه", "كان", "قال", "ذلك", "بين", "وقد", "كما"}
	urduWords := []string{"کے", "کی", "کا", "ہے", "میں", "نے", "اور", "سے", "کو", "ہیں", "پر", "یہ", "تھا"}
	words := strings.Fields(text)
	count := func(list []string) int {
		set := map[string]bool{}
		for _, w := range list {
			set[w] = true
		}
		n := 0
		for _, w := range words {
			if set[w] {
				n++
			}
		}
		return n
	}
	urScore := float64(ur)*2 + float64(count(urduWords))*3
	peScore := float64(pe)*2 + float64(count(persianWords))*3
	arScore := float64(arOnly) + float64(count(arabicWords))*3
	switch {
	case urScore > peScore && urScore > arScore:
		return "ur", conf * urScore / (urScore + peScore + arScore)
	case peScore > arScore:
		return "fa", conf * peScore / (urScore + peScore + arScore)
	case arScore > 0:
		return "ar", conf * arScore / (urScore + peScore + arScore)
	}
	return "", 0
}

func (d *Detector) latinScript(text string) (string, float64) {
	var hits [16]int
	total := 0
	// Words are runs of letters and apostrophes, lower-cased into buf one at
	// a time (no copy of the text, no slice of words); a word too long for
	// buf is no profile word.
	var buf [32]byte
	n, inWord, long := 0, false, false
	word := func() {
		total++
		if !long {
			for m := d.langs[string(buf[:n])]; m != 0; m &= m - 1 {
				hits[bits.TrailingZeros16(m)]++
			}
		}
		n, inWord, long = 0, false, false
	}
	for _, r := range text {
		switch {
		case 'a' <= r && r <= 'z' || r == '\'':
		case 'A' <= r && r <= 'Z':
			r += 'a' - 'A'
		case r >= utf8.RuneSelf && unicode.IsLetter(r):
			r = unicode.ToLower(r)
		default:
			if inWord {
				word()
			}
			continue
		}
		inWord = true
		if !long && n+utf8.RuneLen(r) <= len(buf) {
			n += utf8.EncodeRune(buf[n:], r)
		} else {
			long = true
		}
	}
	if inWord {
		word()
	}
	count := func(code string) int { return hits[slices.Index(d.order, code)] }
	best, second := "", 0
	for _, code := range d.order {
		if best == "" || count(code) > count(best) {
			best = code
		}
	}
	for _, code := range d.order {
		if code != best && count(code) > second {
			second = count(code)
		}
	}
	if total == 0 || count(best) < 2 {
		return "", 0
	}
	// confidence: how far ahead of the runner-up the winner is
	return best, float64(count(best)-second) / float64(count(best))
}

// Step sets Article.Language.
type Step struct {
	d *Detector
}

// NewStep returns the language step.
func NewStep() *Step { return &Step{d: New()} }

var _ enrich.Step = (*Step)(nil)

// Name is "lang".
func (s *Step) Name() string { return "lang" }

// Enrich keeps a declared language the text agrees with and otherwise sets
// the language detected in the headline, lede and text.
func (s *Step) Enrich(ctx context.Context, a *newsdesk.Article, ex *enrich.Explanation) error {
	text := a.Headline + "\n" + a.Lede + "\n" + a.Text
	got, conf := s.d.Detect(text)
	declared := a.Language
	base := declared
	if i := strings.IndexAny(base, "-_"); i >= 0 {
		base = base[:i]
	}
	base = strings.ToLower(base)
	switch {
	case got == "" && declared != "":
		ex.Add(s.Name(), "kept declared %q: text too short or mixed to tell", declared)
	case got == "":
		ex.Add(s.Name(), "language unknown: text too short or mixed to tell")
	case base != got && declared != "" && conf < 0.25:
		ex.Add(s.Name(), "kept declared %q: the text leans to %q but only with confidence %.2f", declared, got, conf)
	case base == got:
		ex.Add(s.Name(), "kept declared %q: the text agrees (confidence %.2f)", declared, conf)
	default:
		a.Language = got
		if declared != "" {
			ex.Add(s.Name(), "set %q (confidence %.2f): the text disagrees with declared %q", got, conf, declared)
		} else {
			ex.Add(s.Name(), "set %q (confidence %.2f)", got, conf)
		}
	}
	return nil
}
