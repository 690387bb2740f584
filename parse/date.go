package parse

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Date parses the dates found in real feeds and returns them in UTC: RFC 822
// and RFC 1123 with their variants (two-digit years, missing seconds, named
// zones such as EST, PDT, IST or IRST, long or odd weekday names such as
// "Tues" and "Thurs", a trailing "(UTC)" comment), RFC 3339 and ISO 8601 with
// or without a zone, "2025-06-02 10:00:00", and RFC 850. A date without a
// zone is taken as UTC.
func Date(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("empty date")
	}
	if len(s) >= 20 && s[4] == '-' && s[10] == 'T' {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t.UTC(), nil
		}
	}
	if len(s) == 31 && s[3] == ',' {
		if t, err := time.Parse(time.RFC1123Z, s); err == nil {
			return t.UTC(), nil
		}
	}
	t, err := parseLoose(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("date %q: %w", s, err)
	}
	return t, nil
}

type dateFields struct {
	year, month, day     int
	hour, min, sec, nsec int
	haveTime, haveZone   bool
	offset               int // seconds east of UTC
	pm, am               bool
	yearDigits           int
}

func parseLoose(s string) (time.Time, error) {
	var f dateFields
	f.year, f.month, f.day = -1, -1, -1
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == '(':
			// A comment such as "(UTC)" or "(Eastern Standard Time)".
			if k := strings.IndexByte(s[i:], ')'); k >= 0 {
				i += k + 1
			} else {
				i = len(s)
			}
		case isDigit(c):
			j := i
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			if j-i > 9 {
				return time.Time{}, errors.New("number too long")
			}
			n := atoi(s[i:j])
			nd := j - i
			switch {
			case j < len(s) && s[j] == ':' && !f.haveTime:
				k, err := f.parseClock(s, i)
				if err != nil {
					return time.Time{}, err
				}
				j = k
			case nd == 8 && f.year < 0 && f.month < 0:
				f.year, f.month, f.day, f.yearDigits = n/10000, n/100%100, n%100, 4
			case (nd == 4 || n > 31) && f.year < 0 && j < len(s) && (s[j] == '-' || s[j] == '/' || s[j] == '.') && f.month < 0:
				// ISO date: yyyy-mm-dd (or yyyy/mm/dd).
				f.year, f.yearDigits = n, nd
				sep := s[j]
				k := j + 1
				m, k2 := readNum(s, k)
				if k2 == k {
					// "2025-Jun-02"
					break
				}
				f.month = m
				j = k2
				if j < len(s) && s[j] == sep {
					dd, k3 := readNum(s, j+1)
					if k3 > j+1 {
						f.day = dd
						j = k3
					}
				}
				if f.day < 0 {
					f.day = 1
				}
				if j < len(s) && (s[j] == 'T' || s[j] == 't') {
					j++
				}
			case f.day < 0 && nd <= 2 && n >= 1 && n <= 31:
				f.day = n
			case f.year < 0:
				f.year, f.yearDigits = n, nd
			default:
				return time.Time{}, fmt.Errorf("unexpected number %q", s[i:j])
			}
			i = j
		case c == '+' || (c == '-' && f.haveTime && !f.haveZone):
			j := i + 1
			if j < len(s) && !isDigit(s[j]) {
				i = j
				continue
			}
			off, k, err := parseOffset(s, j)
			if err != nil {
				return time.Time{}, err
			}
			if c == '-' {
				off = -off
			}
			f.offset += off
			f.haveZone = true
			i = k
		case isLetter(c):
			j := i
			for j < len(s) && isLetter(s[j]) {
				j++
			}
			w := strings.ToLower(s[i:j])
			if err := f.word(w); err != nil {
				return time.Time{}, err
			}
			i = j
		default:
			i++ // separators: space , - / .
		}
	}
	return f.build()
}

// parseClock reads hh:mm[:ss[.frac]] at s[i:] and returns the offset after it.
func (f *dateFields) parseClock(s string, i int) (int, error) {
	h, j := readNum(s, i)
	if j >= len(s) || s[j] != ':' {
		return 0, errors.New("bad time")
	}
	m, k := readNum(s, j+1)
	if k == j+1 {
		return 0, errors.New("bad minutes")
	}
	f.hour, f.min, f.haveTime = h, m, true
	if k < len(s) && s[k] == ':' {
		sec, k2 := readNum(s, k+1)
		if k2 == k+1 {
			return 0, errors.New("bad seconds")
		}
		f.sec = sec
		k = k2
		if k < len(s) && (s[k] == '.' || s[k] == ',') && k+1 < len(s) && isDigit(s[k+1]) {
			k++
			scale := 100000000
			for k < len(s) && isDigit(s[k]) {
				f.nsec += int(s[k]-'0') * scale
				scale /= 10
				k++
			}
		}
	}
	return k, nil
}

// parseOffset reads hh, hhmm or hh:mm at s[j:].
func parseOffset(s string, j int) (int, int, error) {
	k := j
	for k < len(s) && isDigit(s[k]) {
		k++
	}
	var h, m int
	switch k - j {
	case 1, 2:
		h = atoi(s[j:k])
		if k+2 < len(s)+1 && k < len(s) && s[k] == ':' {
			mm, k2 := readNum(s, k+1)
			if k2 > k+1 {
				m, k = mm, k2
			}
		}
	case 3:
		h, m = atoi(s[j:j+1]), atoi(s[j+1:k])
	case 4:
		h, m = atoi(s[j:j+2]), atoi(s[j+2:k])
	default:
		return 0, 0, errors.New("bad zone offset")
	}
	if h > 14 || m > 59 {
		return 0, 0, errors.New("bad zone offset")
	}
	return h*3600 + m*60, k, nil
}

func (f *dateFields) word(w string) error {
	switch w {
	case "am", "a":
		f.am = true
		return nil
	case "pm", "p":
		f.pm = true
		return nil
	case "t", "at", "of", "the", "th", "st", "nd", "rd":
		return nil
	}
	if m := monthOf(w); m > 0 {
		if f.month > 0 && f.day < 0 {
			return errors.New("two months")
		}
		f.month = m
		return nil
	}
	if isWeekday(w) {
		return nil
	}
	if off, ok := zoneOffset(w); ok {
		f.offset += off
		f.haveZone = true
		return nil
	}
	return fmt.Errorf("unknown word %q", w)
}

func (f *dateFields) build() (time.Time, error) {
	if f.year < 0 || f.month < 1 || f.month > 12 || f.day < 1 || f.day > 31 {
		return time.Time{}, errors.New("no complete date")
	}
	y := f.year
	if f.yearDigits <= 2 {
		if y < 69 {
			y += 2000
		} else {
			y += 1900
		}
	} else if f.yearDigits == 3 {
		y += 1900 // "125" from broken year arithmetic means 2025
	}
	h := f.hour
	if f.pm && h < 12 {
		h += 12
	} else if f.am && h == 12 {
		h = 0
	}
	if h > 24 || f.min > 59 || f.sec > 60 {
		return time.Time{}, errors.New("time out of range")
	}
	if y < 1000 || y > 9999 {
		return time.Time{}, errors.New("year out of range")
	}
	if f.day > daysIn(time.Month(f.month), y) {
		return time.Time{}, errors.New("day out of range")
	}
	t := time.Date(y, time.Month(f.month), f.day, h, f.min, f.sec, f.nsec, time.UTC)
	return t.Add(-time.Duration(f.offset) * time.Second), nil
}

func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func readNum(s string, i int) (int, int) {
	j := i
	for j < len(s) && j-i < 9 && isDigit(s[j]) {
		j++
	}
	return atoi(s[i:j]), j
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func monthOf(w string) int {
	if len(w) < 3 {
		return 0
	}
	for i, m := range [...]string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"} {
		if strings.HasPrefix(m, w) {
			return i + 1
		}
	}
	if w == "sept" {
		return 9
	}
	return 0
}

func isWeekday(w string) bool {
	if len(w) < 2 {
		return false
	}
	for _, d := range [...]string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		if len(w) >= 3 && strings.HasPrefix(d, w) {
			return true
		}
	}
	switch w {
	case "tues", "thur", "thurs", "weds", "tu", "th":
		return true
	}
	return false
}

// zoneOffset maps the zone names seen in feeds to their offsets in
// seconds. Ambiguous abbreviations take the reading most common in news
// feeds: IST is India, AST is Arabia, BST is British Summer Time.
func zoneOffset(w string) (int, bool) {
	switch w {
	case "z":
		return 0, true
	case "ut":
		return 0, true
	case "utc":
		return 0, true
	case "gmt":
		return 0, true
	case "wet":
		return 0, true
	case "zulu":
		return 0, true
	case "est":
		return -5 * 3600, true
	case "edt":
		return -4 * 3600, true
	case "cst":
		return -6 * 3600, true
	case "cdt":
		return -5 * 3600, true
	case "mst":
		return -7 * 3600, true
	case "mdt":
		return -6 * 3600, true
	case "pst":
		return -8 * 3600, true
	case "pdt":
		return -7 * 3600, true
	case "akst":
		return -9 * 3600, true
	case "akdt":
		return -8 * 3600, true
	case "hst":
		return -10 * 3600, true
	case "adt":
		return -3 * 3600, true
	case "bst":
		return 3600, true
	case "ist":
		return 5*3600 + 1800, true
	case "cet":
		return 3600, true
	case "cest":
		return 2 * 3600, true
	case "met":
		return 3600, true
	case "mest":
		return 2 * 3600, true
	case "west":
		return 3600, true
	case "eet":
		return 2 * 3600, true
	case "eest":
		return 3 * 3600, true
	case "msk":
		return 3 * 3600, true
	case "trt":
		return 3 * 3600, true
	case "irst":
		return 3*3600 + 1800, true
	case "irdt":
		return 4*3600 + 1800, true
	case "ast":
		return 3 * 3600, true
	case "gst":
		return 4 * 3600, true
	case "aft":
		return 4*3600 + 1800, true
	case "pkt":
		return 5 * 3600, true
	case "npt":
		return 5*3600 + 2700, true
	case "ict":
		return 7 * 3600, true
	case "wib":
		return 7 * 3600, true
	case "sgt":
		return 8 * 3600, true
	case "hkt":
		return 8 * 3600, true
	case "awst":
		return 8 * 3600, true
	case "pht":
		return 8 * 3600, true
	case "jst":
		return 9 * 3600, true
	case "kst":
		return 9 * 3600, true
	case "acst":
		return 9*3600 + 1800, true
	case "aest":
		return 10 * 3600, true
	case "aedt":
		return 11 * 3600, true
	case "nzst":
		return 12 * 3600, true
	case "nzdt":
		return 13 * 3600, true
	case "idt":
		return 3 * 3600, true
	case "sast":
		return 2 * 3600, true
	case "cat":
		return 2 * 3600, true
	case "eat":
		return 3 * 3600, true
	case "wat":
		return 3600, true
	case "brt":
		return -3 * 3600, true
	case "art":
		return -3 * 3600, true
	}
	return 0, false
}
