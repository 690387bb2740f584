package parse

import (
	"html"
	"net/url"
	"strings"
	"unicode/utf8"
)

// plainText turns a title or name into plain text: tags stripped, entities
// decoded (twice-escaped text is common), whitespace collapsed.
func plainText(s string) string {
	if strings.IndexByte(s, '<') >= 0 {
		s = stripTags(s)
	}
	if strings.IndexByte(s, '&') >= 0 {
		s = html.UnescapeString(s)
		if strings.IndexByte(s, '<') >= 0 {
			s = stripTags(s) // the title was escaped twice
		}
	}
	return collapseSpace(s)
}

// stripTags removes markup: anything from a '<' that starts a tag, a
// comment or a declaration up to the next '>'. A '<' that cannot start a
// tag ("a < b") is kept.
func stripTags(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 || i+1 >= len(s) {
			b.WriteString(s)
			break
		}
		c := s[i+1]
		if !(isLetter(c) || c == '/' || c == '!' || c == '?') {
			b.WriteString(s[:i+1])
			s = s[i+1:]
			continue
		}
		b.WriteString(s[:i])
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		// Block-level tags separate words.
		b.WriteByte(' ')
		s = s[i+j+1:]
	}
	return b.String()
}

// collapseSpace trims and folds runs of white space into one space.
func collapseSpace(s string) string {
	clean := true
	prevSpace := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		sp := c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v'
		if sp && (prevSpace || c != ' ') {
			clean = false
			break
		}
		prevSpace = sp
	}
	if clean && !prevSpace && !strings.Contains(s, "\u00a0") {
		return s
	}
	if clean && len(s) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '\f' || r == '\v' || r == '\u00a0' || r == '\u2028' || r == '\u2029' {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		if r == utf8.RuneError {
			b.WriteRune(r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// cleanAuthor reduces "email (Name)" and "Name <email>" to the name.
func cleanAuthor(s string) string {
	s = plainText(s)
	if i := strings.IndexByte(s, '('); i >= 0 && strings.HasSuffix(s, ")") {
		if name := strings.TrimSpace(s[i+1 : len(s)-1]); name != "" && strings.Contains(s[:i], "@") {
			return name
		}
	}
	if i := strings.IndexByte(s, '<'); i > 0 && strings.HasSuffix(s, ">") && strings.Contains(s[i:], "@") {
		return strings.TrimSpace(s[:i])
	}
	if strings.HasPrefix(s, "mailto:") {
		s = s[len("mailto:"):]
	}
	return s
}

// resolveURL makes ref absolute against base; it returns "" for anything
// that does not end up as an http or https URL.
func resolveURL(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	if strings.ContainsAny(ref, "\n\r\t") {
		ref = strings.Map(func(r rune) rune {
			if r == '\n' || r == '\r' || r == '\t' {
				return -1
			}
			return r
		}, ref)
	}
	u, err := url.Parse(ref)
	if err != nil {
		u, err = url.Parse(strings.ReplaceAll(ref, " ", "%20"))
		if err != nil {
			return ""
		}
	}
	if base != nil && !u.IsAbs() {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// textToHTML makes plain text safe to hold as HTML.
func textToHTML(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	return html.EscapeString(s)
}

func appendUnique(list []string, v string) []string {
	if v == "" {
		return list
	}
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return list
		}
	}
	return append(list, v)
}
