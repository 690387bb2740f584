// Package dateline reads the dateline that opens a wire report —
// "BAGHDAD, Iraq (CNN) —", "TEHRAN (Reuters) -", "تهران (ایرنا) -" — into
// place, country, agency and date, and sets the article's dateline fields.
package dateline

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"newsdesk"
	"newsdesk/enrich"
	"newsdesk/gazetteer"
)

// Dateline is a parsed dateline.
type Dateline struct {
	Place   string // as written, in title case for an all-caps place: "Baghdad"
	Area    string // a state or province written after the place that is not a country: "Texas"
	Country string // the country written after the place, else the one the place is in: "Iraq"
	Agency  string // "CNN", "Reuters", "ایرنا"
	// Date is the date written in the dateline, zero if none. When the
	// dateline gives no year ("June 3"), Date has year 0 and YearKnown is
	// false; use In to place it.
	Date      time.Time
	YearKnown bool
}

// In returns the date with a missing year taken from ref: the latest such
// date not more than a day after ref. It returns Date unchanged when the year
// is known or there is no date.
func (d Dateline) In(ref time.Time) time.Time {
	if d.Date.IsZero() || d.YearKnown {
		return d.Date
	}
	t := time.Date(ref.Year(), d.Date.Month(), d.Date.Day(), 0, 0, 0, 0, time.UTC)
	if t.After(ref.Add(24 * time.Hour)) {
		t = t.AddDate(-1, 0, 0)
	}
	return t
}

// String is "Baghdad, Iraq": the place and its country (or area).
func (d Dateline) String() string {
	switch {
	case d.Country != "" && !strings.EqualFold(d.Country, d.Place):
		return d.Place + ", " + d.Country
	case d.Area != "":
		return d.Place + ", " + d.Area
	}
	return d.Place
}

// maxHead bounds how far into the text a dateline may reach.
const maxHead = 160

// Parse reads a dateline at the start of text. It returns the dateline, the
// text after it, and whether there was one. It never reports a dateline
// that is not one: ordinary sentences ("The U.S. military — which …",
// "Iran (officially …)") are left alone.
func Parse(text string) (Dateline, string, bool) {
	return parse(text, nil)
}

// Parser parses datelines and fills in the country of a place written
// alone ("TEHRAN" is in Iran) from a gazetteer.
type Parser struct {
	Gazetteer *gazetteer.Gazetteer
}

// Parse is the package Parse, with the country filled in and places
// written in title case accepted without an agency when the gazetteer
// knows them ("Beirut: ").
func (p *Parser) Parse(text string) (Dateline, string, bool) {
	return parse(text, p.Gazetteer)
}

func parse(text string, g *gazetteer.Gazetteer) (Dateline, string, bool) {
	d, rest, ok := parseHead(text, g)
	if !ok {
		return Dateline{}, text, false
	}
	return d, rest, true
}

func parseHead(text string, g *gazetteer.Gazetteer) (Dateline, string, bool) {
	var d Dateline
	s := strings.TrimLeft(text, " \t\r\n\ufeff\u200f\u200e")
	window := s
	if nl := strings.IndexByte(window, '\n'); nl >= 0 {
		window = window[:nl]
	}
	if len(window) > maxHead*4 {
		window = window[:maxHead*4]
	}
	// The head runs up to the agency's parenthesis or the separator.
	headEnd, sepEnd := -1, -1
	paren := false
	for i := 0; i < len(window); {
		r, n := utf8.DecodeRuneInString(window[i:])
		if r == '(' {
			headEnd, paren = i, true
			break
		}
		if e, ok := separatorAt(window, i); ok {
			headEnd, sepEnd = i, e
			break
		}
		if r == '.' && i+n < len(window) && window[i+n] == ' ' && !abbrevBefore(window[:i]) {
			return d, text, false // a sentence ended before any separator
		}
		i += n
	}
	if headEnd <= 0 || utf8.RuneCountInString(window[:headEnd]) > maxHead {
		return d, text, false
	}
	head := strings.TrimSpace(window[:headEnd])
	rest := ""
	if paren {
		close := strings.IndexByte(window[headEnd:], ')')
		if close < 0 {
			return d, text, false
		}
		agency := strings.TrimSpace(window[headEnd+1 : headEnd+close])
		if !isAgency(agency) {
			return d, text, false
		}
		d.Agency = agency
		after := headEnd + close + 1
		// optional spaces then a separator
		j := after
		for j < len(window) && window[j] == ' ' {
			j++
		}
		if e, ok := separatorAt(window, j); ok {
			sepEnd = e
		} else if knownAgency(agency) {
			sepEnd = after
		} else {
			return d, text, false
		}
	}
	rest = strings.TrimLeft(s[sepEnd:], " \t\u00a0")

	// Arabic and Persian write the comma as "،".
	parts := strings.Split(strings.ReplaceAll(head, "،", ","), ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	if len(parts) > 4 || !isPlace(parts[0]) {
		return d, text, false
	}
	d.Place = titleCase(parts[0])
	for _, p := range parts[1:] {
		if p == "" {
			return d, text, false
		}
		if t, year, ok := parseDate(p); ok && d.Date.IsZero() {
			d.Date, d.YearKnown = t, year
			continue
		}
		if y, err := strconv.Atoi(p); err == nil && y > 1900 && y < 2200 && !d.Date.IsZero() && !d.YearKnown {
			d.Date = time.Date(y, d.Date.Month(), d.Date.Day(), 0, 0, 0, 0, time.UTC)
			d.YearKnown = true
			continue
		}
		if !isPlace(p) || d.Country != "" {
			return d, text, false
		}
		d.Country = titleCase(p)
	}
	known := false
	if g != nil {
		known = resolve(g, &d)
	}
	// Without an agency the head must look like a dateline on its own: a
	// country or date after the place, a place in capitals before a dash,
	// or a place the gazetteer knows.
	if !paren && len(parts) == 1 && !known {
		if !isUpperWords(parts[0]) || isLabel(parts[0]) {
			return Dateline{}, text, false
		}
	}
	return d, rest, true
}

// resolve fills the country from the gazetteer and reports whether the
// place is known.
func resolve(g *gazetteer.Gazetteer, d *Dateline) bool {
	terms := g.Lookup(d.Place)
	if d.Country != "" {
		ct := g.Lookup(d.Country)
		if len(ct) > 0 && ct[0].Kind == gazetteer.KindName {
			return true
		}
		if c := g.Area(d.Country); c != nil {
			// "HOUSTON, Texas": Texas is an area of the United States.
			d.Area, d.Country = d.Country, c.Name
		} else if len(ct) > 0 && ct[0].Kind == gazetteer.KindCity {
			if c := g.Country(ct[0].Code); c != nil {
				d.Area, d.Country = d.Country, c.Name
			}
		}
		return len(terms) > 0
	}
	for _, t := range terms {
		if c := g.Country(t.Code); c != nil && !t.Weak {
			if t.Kind == gazetteer.KindCity || !isLatin(d.Place) {
				d.Country = c.Name
			}
			return true
		}
	}
	return false
}

func isLatin(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return unicode.Is(unicode.Latin, r)
		}
	}
	return false
}

// separatorAt reports whether a dateline separator starts at i (after
// optional spaces) and where the text after it begins.
func separatorAt(s string, i int) (int, bool) {
	j := i
	for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	if j >= len(s) {
		return 0, false
	}
	r, n := utf8.DecodeRuneInString(s[j:])
	switch r {
	case '\u2014', '\u2013', '\u2015', '\u2012':
		return j + n, true
	case ':':
		if j+n == len(s) || s[j+n] == ' ' || s[j+n] == '\t' {
			return j + n, true
		}
	case '-':
		if strings.HasPrefix(s[j:], "--") {
			return j + 2, true
		}
		spaceBefore := j > i || (i > 0 && s[i-1] == ' ')
		spaceAfter := j+1 == len(s) || s[j+1] == ' '
		if spaceBefore || spaceAfter {
			return j + 1, true
		}
	}
	return 0, false
}

// abbrevBefore reports whether the dot just before ends an abbreviation
// inside a place or date ("ST.", "Feb.", "D.C.").
func abbrevBefore(s string) bool {
	w := s
	if k := strings.LastIndexAny(s, " ,"); k >= 0 {
		w = s[k+1:]
	}
	if utf8.RuneCountInString(strings.ReplaceAll(w, ".", "")) <= 2 {
		return true
	}
	if _, ok := month(w); ok {
		return true
	}
	switch strings.ToLower(w) {
	case "st", "ste", "ft", "mt", "calif", "mass", "conn", "penn", "wash", "mich", "fla", "ariz", "colo":
		return true
	}
	return false
}

// isPlace reports whether s looks like a place written in a dateline: one
// to five words, each capitalised (or all capitals), with the small joining
// words of place names allowed, or words of a script without case.
func isPlace(s string) bool {
	words := strings.Fields(s)
	if len(words) == 0 || len(words) > 5 {
		return false
	}
	for k, w := range words {
		r, _ := utf8.DecodeRuneInString(w)
		switch {
		case unicode.IsUpper(r):
		case !unicode.IsLetter(r):
			return false
		case unicode.IsLower(r):
			if k == 0 || !joinWord(w) {
				return false
			}
		default: // a script without case: Persian, Arabic, Hebrew
		}
		for i, c := range w {
			if c == '/' && i > 0 && i < len(w)-1 { // two datelines in one: "VIENNA/TEHRAN"
				continue
			}
			if !unicode.IsLetter(c) && !unicode.IsMark(c) && !strings.ContainsRune(".'’-\u200c", c) {
				return false
			}
		}
	}
	return true
}

func joinWord(w string) bool {
	switch strings.ToLower(w) {
	case "al", "el", "de", "du", "la", "le", "of", "and", "da", "do", "dos", "del", "es", "ez", "an", "ar", "as", "e", "i", "upon", "on", "am":
		return true
	}
	return strings.HasPrefix(w, "al-") || strings.HasPrefix(w, "el-") || strings.HasPrefix(w, "ad-")
}

func isUpperWords(s string) bool {
	letters := 0
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsUpper(r) {
			letters++
		}
	}
	return letters >= 2
}

// isAgency reports whether s can be an agency name: one to four words,
// the first capitalised or in a script without case.
func isAgency(s string) bool {
	// "Kabul Dispatch via Gulf Wire": a report relayed by another agency.
	if a, b, ok := strings.Cut(s, " via "); ok {
		return isAgency(a) && isAgency(b)
	}
	words := strings.Fields(s)
	if len(words) == 0 || len(words) > 4 || len(s) > 40 {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s)
	if unicode.IsLower(r) || unicode.IsDigit(r) {
		return false
	}
	for _, w := range words[1:] {
		r, _ := utf8.DecodeRuneInString(w)
		if unicode.IsLower(r) && !joinWord(w) {
			return false
		}
	}
	return true
}

func knownAgency(s string) bool {
	switch strings.ToLower(s) {
	case "ap", "afp", "reuters", "cnn", "upi", "dpa", "ansa", "efe", "irna", "isna", "fars", "tasnim", "mehr", "ilna", "xinhua", "tass", "kuna", "wam", "spa", "qna", "bna", "ina", "sana", "mena", "anadolu", "aa", "bbc", "ani", "pti", "apa", "trend", "ایرنا", "ایسنا", "فارس", "تسنیم", "مهر", "ایلنا", "رويترز", "أ ف ب", "واع":
		return true
	}
	return false
}

func titleCase(s string) string {
	if !isUpperWords(s) {
		return s
	}
	var b strings.Builder
	start := true
	for _, r := range s {
		if start {
			b.WriteRune(r)
		} else {
			b.WriteRune(unicode.ToLower(r))
		}
		start = r == ' ' || r == '-' || r == '.' || r == '\'' || r == '/'
	}
	out := b.String()
	for _, j := range []string{"Al-", "El-", " Of ", " De ", " La "} {
		out = strings.ReplaceAll(out, j, strings.ToLower(j))
	}
	// "Al-" opening the place keeps its capital.
	if r, n := utf8.DecodeRuneInString(out); n > 0 && unicode.IsLower(r) {
		out = string(unicode.ToUpper(r)) + out[n:]
	}
	return out
}

// isLabel reports the capitalised labels that open wire copy like a
// dateline but name no place.
func isLabel(s string) bool {
	switch strings.ToLower(s) {
	case "update", "updated", "warning", "breaking", "breaking news", "exclusive", "analysis",
		"factbox", "note", "editor's note", "correction", "opinion", "comment", "watch", "video",
		"photos", "live", "urgent", "flash", "interview", "review", "alert", "bulletin", "advisory",
		"refile", "wrapup", "preview", "the", "and", "but", "tv":
		return true
	}
	return false
}

func month(w string) (time.Month, bool) {
	w = strings.ToLower(w)
	for m := time.January; m <= time.December; m++ {
		name := strings.ToLower(m.String())
		if w == name || len(w) >= 3 && strings.HasPrefix(name, w) && (len(w) == 3 || w == "sept") {
			return m, true
		}
	}
	return 0, false
}

// parseDate reads "June 3", "Feb. 26", "3 June 2025" or "June 3 2025".
func parseDate(s string) (time.Time, bool, bool) {
	f := strings.Fields(strings.ReplaceAll(s, ".", " "))
	if len(f) < 2 || len(f) > 3 {
		return time.Time{}, false, false
	}
	var mon time.Month
	day, year := 0, 0
	for _, w := range f {
		if m, ok := month(w); ok && mon == 0 {
			mon = m
			continue
		}
		n, err := strconv.Atoi(strings.TrimRight(w, "stndrh"))
		switch {
		case err != nil:
			return time.Time{}, false, false
		case n >= 1 && n <= 31 && day == 0:
			day = n
		case n > 1900 && n < 2200 && year == 0:
			year = n
		default:
			return time.Time{}, false, false
		}
	}
	if mon == 0 || day == 0 {
		return time.Time{}, false, false
	}
	return time.Date(year, mon, day, 0, 0, 0, 0, time.UTC), year != 0, true
}

// Step sets an article's dateline place and agency from the start of its
// text (or lede). It changes no text.
type Step struct {
	parser Parser
}

// New returns the dateline step. g may be nil; with a gazetteer the step
// fills the country of a place written alone and accepts more forms.
func New(g *gazetteer.Gazetteer) *Step { return &Step{parser: Parser{Gazetteer: g}} }

var _ enrich.Step = (*Step)(nil)

// Name is "dateline".
func (s *Step) Name() string { return "dateline" }

// Enrich sets a.DatelinePlace and a.DatelineAgency when a dateline opens
// the text or the lede. Fields already set are kept. The body keeps its
// dateline; the lede, which teasers show after the source's name
// ("CNN: An Iranian opposition group…"), loses it.
func (s *Step) Enrich(ctx context.Context, a *newsdesk.Article, ex *enrich.Explanation) error {
	if a.DatelinePlace != "" {
		ex.Add(s.Name(), "kept dateline %q", a.DatelinePlace)
		s.stripLede(a, ex)
		return nil
	}
	for _, src := range []struct{ name, text string }{{"text", a.Text}, {"lede", a.Lede}} {
		d, _, ok := s.parser.Parse(src.text)
		if !ok {
			continue
		}
		a.DatelinePlace = d.String()
		if a.DatelineAgency == "" {
			a.DatelineAgency = d.Agency
		}
		ex.Add(s.Name(), "%s opens with dateline place %q agency %q", src.name, a.DatelinePlace, d.Agency)
		s.stripLede(a, ex)
		return nil
	}
	ex.Add(s.Name(), "no dateline at the start of the text or lede")
	return nil
}

// stripLede removes a dateline opening the lede, keeping the sentence.
func (s *Step) stripLede(a *newsdesk.Article, ex *enrich.Explanation) {
	if _, rest, ok := s.parser.Parse(a.Lede); ok && len(strings.Fields(rest)) >= 4 {
		a.Lede = rest
		ex.Add(s.Name(), "dateline removed from the lede")
	}
}
