package extract

import (
	"bytes"
	"io"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// decode returns the page as UTF-8. The encoding comes from a byte order
// mark, else a charset declared in the first kilobytes, else UTF-8 when the
// bytes are valid UTF-8, else Windows-1252 (what browsers assume).
func decode(page []byte) []byte {
	enc, name, certain := charset.DetermineEncoding(page, "text/html")
	if !certain {
		if e := declaredCharset(page); e != nil {
			enc, certain = e, true
		} else if utf8.Valid(page) {
			return page
		}
	}
	if enc == nil || enc == unicode.UTF8 || name == "utf-8" {
		if bytes.HasPrefix(page, []byte("\xef\xbb\xbf")) {
			page = page[3:]
		}
		return page
	}
	out, err := io.ReadAll(transform.NewReader(bytes.NewReader(page), enc.NewDecoder()))
	if err != nil {
		return page
	}
	return out
}

// declaredCharset looks for charset=NAME further into the page than the
// standard prescan does (some pages put it after long scripts).
func declaredCharset(page []byte) encoding.Encoding {
	head := page
	if len(head) > 16<<10 {
		head = head[:16<<10]
	}
	lower := bytes.ToLower(head)
	i := bytes.Index(lower, []byte("charset="))
	if i < 0 {
		return nil
	}
	rest := lower[i+len("charset="):]
	rest = bytes.TrimLeft(rest, "\"' ")
	end := 0
	for end < len(rest) && end < 40 {
		c := rest[end]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == ':' || c == '.') {
			break
		}
		end++
	}
	if end == 0 {
		return nil
	}
	e, err := htmlindex.Get(string(rest[:end]))
	if err != nil {
		return nil
	}
	return e
}
