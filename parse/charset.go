package parse

import (
	"bytes"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
)

// decodeBody turns the document's bytes into valid UTF-8 text. It honours,
// in order, a byte order mark, then the Content-Type charset and the XML
// declaration (reconciled against the bytes when they disagree), and
// defaults to UTF-8. Invalid bytes become U+FFFD and characters XML forbids
// are dropped; each repair is recorded as a problem.
func decodeBody(body []byte, contentType string, p *problems) string {
	var enc encoding.Encoding
	switch {
	case bytes.HasPrefix(body, []byte{0xEF, 0xBB, 0xBF}):
		body = body[3:]
	case bytes.HasPrefix(body, []byte{0xFF, 0xFE}):
		enc = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}):
		enc = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
	case len(body) >= 4 && body[0] == '<' && body[1] == 0 && body[2] != 0 && body[3] == 0:
		enc = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
		p.add("utf-16 without byte order mark", "")
	case len(body) >= 4 && body[0] == 0 && body[1] == '<' && body[2] == 0 && body[3] != 0:
		enc = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
		p.add("utf-16 without byte order mark", "")
	default:
		enc = chooseEncoding(body, contentTypeCharset(contentType), xmlDeclEncoding(body), p)
	}
	var s string
	if enc == nil {
		if utf8.Valid(body) {
			s = string(body)
		} else {
			s = strings.ToValidUTF8(string(body), "\uFFFD")
			p.add("invalid UTF-8 bytes replaced", "")
		}
	} else {
		b, err := enc.NewDecoder().Bytes(body)
		if err != nil {
			p.add("undecodable bytes", err.Error())
			s = strings.ToValidUTF8(string(body), "\uFFFD")
		} else {
			s = strings.ToValidUTF8(string(b), "\uFFFD")
		}
	}
	s = strings.TrimPrefix(s, "\uFEFF")
	return stripControl(s, p)
}

// chooseEncoding returns nil for UTF-8, else the encoding to decode with.
func chooseEncoding(body []byte, ct, decl string, p *problems) encoding.Encoding {
	ctEnc, ctName := lookupEncoding(ct, "Content-Type charset", p)
	declEnc, declName := lookupEncoding(decl, "XML declaration encoding", p)
	switch {
	case ctName == "" && declName == "":
		return nil
	case ctName == "" || ctName == declName:
		return utf16Guard(declEnc, declName, body, p)
	case declName == "":
		return utf16Guard(ctEnc, ctName, body, p)
	}
	// They disagree: let the bytes decide when one of them is UTF-8.
	valid := utf8.Valid(body)
	switch {
	case ctName == "utf-8" && valid, declName == "utf-8" && !valid:
		p.add("charset mismatch", "Content-Type says "+ct+", XML declaration says "+decl+"; read as "+ctName)
		return utf16Guard(ctEnc, ctName, body, p)
	case declName == "utf-8" && valid, ctName == "utf-8" && !valid:
		p.add("charset mismatch", "Content-Type says "+ct+", XML declaration says "+decl+"; read as "+declName)
		return utf16Guard(declEnc, declName, body, p)
	}
	p.add("charset mismatch", "Content-Type says "+ct+", XML declaration says "+decl+"; read as "+ctName)
	return utf16Guard(ctEnc, ctName, body, p)
}

// utf16Guard ignores a UTF-16 label on a document whose bytes are plainly
// 8-bit (servers often re-encode without fixing the declaration).
func utf16Guard(enc encoding.Encoding, name string, body []byte, p *problems) encoding.Encoding {
	if strings.HasPrefix(name, "utf-16") {
		if len(body) >= 2 && body[0] != 0 && body[1] != 0 {
			p.add("encoding declared as UTF-16 but the document is 8-bit", "read as UTF-8")
			return nil
		}
	}
	if name == "utf-8" {
		return nil
	}
	return enc
}

// lookupEncoding resolves a charset label; "" for no label. Unknown labels
// are recorded and read as UTF-8.
func lookupEncoding(label, what string, p *problems) (encoding.Encoding, string) {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	if label == "" {
		return nil, ""
	}
	switch label {
	case "utf-8", "utf8":
		return nil, "utf-8"
	case "koi8":
		label = "koi8-r"
	case "macintosh", "mac", "x-mac-roman":
		label = "macintosh"
	}
	enc, err := htmlindex.Get(label)
	if err != nil {
		p.add("unknown encoding", what+" "+label+"; read as UTF-8")
		return nil, ""
	}
	name, _ := htmlindex.Name(enc)
	name = strings.ToLower(name)
	if name == "utf-8" {
		return nil, name
	}
	return enc, name
}

func contentTypeCharset(ct string) string {
	if ct == "" {
		return ""
	}
	if _, params, err := mime.ParseMediaType(ct); err == nil {
		return params["charset"]
	}
	i := strings.Index(strings.ToLower(ct), "charset=")
	if i < 0 {
		return ""
	}
	v := ct[i+len("charset="):]
	if j := strings.IndexAny(v, "; "); j >= 0 {
		v = v[:j]
	}
	return v
}

// xmlDeclEncoding returns the encoding named by an XML declaration near the
// start of the document, which may follow some garbage.
func xmlDeclEncoding(body []byte) string {
	head := body
	if len(head) > 1024 {
		head = head[:1024]
	}
	i := bytes.Index(head, []byte("<?xml"))
	if i < 0 {
		return ""
	}
	decl := head[i:]
	if j := bytes.Index(decl, []byte("?>")); j >= 0 {
		decl = decl[:j]
	}
	k := bytes.Index(decl, []byte("encoding"))
	if k < 0 {
		return ""
	}
	rest := bytes.TrimLeft(decl[k+len("encoding"):], " \t\r\n")
	if len(rest) == 0 || rest[0] != '=' {
		return ""
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
		return ""
	}
	q := rest[0]
	rest = rest[1:]
	if j := bytes.IndexByte(rest, q); j >= 0 {
		return string(rest[:j])
	}
	return ""
}

// stripControl drops characters that XML 1.0 forbids: C0 controls other than
// tab, newline and carriage return, and U+FFFE, U+FFFF.
func stripControl(s string, p *problems) string {
	bad := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
			(c == 0xEF && i+2 < len(s) && s[i+1] == 0xBF && (s[i+2] == 0xBE || s[i+2] == 0xBF)) {
			bad = i
			break
		}
	}
	if bad < 0 {
		return s
	}
	p.add("control characters stripped", "")
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:bad])
	for i := bad; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			continue
		}
		if c == 0xEF && i+2 < len(s) && s[i+1] == 0xBF && (s[i+2] == 0xBE || s[i+2] == 0xBF) {
			i += 2
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// problems collects what was wrong with a recovered document: the first
// detail of each kind, in the order found.
type problems struct {
	kinds   []string
	details []string
}

func (p *problems) add(kind, detail string) {
	for _, k := range p.kinds {
		if k == kind {
			return
		}
	}
	if len(p.kinds) >= 16 {
		return
	}
	p.kinds = append(p.kinds, kind)
	p.details = append(p.details, detail)
}

func (p *problems) has(kind string) bool {
	for _, k := range p.kinds {
		if k == kind {
			return true
		}
	}
	return false
}

func (p *problems) String() string {
	var b strings.Builder
	for i, k := range p.kinds {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(k)
		if d := p.details[i]; d != "" {
			b.WriteString(" (")
			b.WriteString(d)
			b.WriteString(")")
		}
	}
	return b.String()
}
