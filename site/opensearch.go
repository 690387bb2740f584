package site

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/http"
	"strings"
	"unicode/utf8"
)

// OpenSearchPath is where the site's OpenSearch description is served;
// every page announces it with <link rel="search">, so that browsers offer
// the site's search in their address bar.
const OpenSearchPath = "/opensearch.xml"

var hdrOpenSearch = []string{"application/opensearchdescription+xml; charset=utf-8"}

// OpenSearch 1.1 limits.
const (
	openSearchShortName = 16
	openSearchLongName  = 48
)

type openSearchDesc struct {
	XMLName       xml.Name        `xml:"http://a9.com/-/spec/opensearch/1.1/ OpenSearchDescription"`
	ShortName     string          `xml:"ShortName"`
	LongName      string          `xml:"LongName,omitempty"`
	Description   string          `xml:"Description"`
	InputEncoding string          `xml:"InputEncoding"`
	Language      string          `xml:"Language"`
	Image         *openSearchImg  `xml:"Image,omitempty"`
	URLs          []openSearchURL `xml:"Url"`
}

type openSearchImg struct {
	Width  int    `xml:"width,attr"`
	Height int    `xml:"height,attr"`
	Type   string `xml:"type,attr"`
	URL    string `xml:",chardata"`
}

type openSearchURL struct {
	Type       string `xml:"type,attr"`
	Rel        string `xml:"rel,attr,omitempty"`
	Method     string `xml:"method,attr,omitempty"`
	PageOffset int    `xml:"pageOffset,attr,omitempty"`
	Template   string `xml:"template,attr"`
}

func (h *Handler) openSearch(w http.ResponseWriter, r *http.Request) {
	h.cachedAs(w, r, hdrOpenSearch, func(ctx context.Context, buf *bytes.Buffer) error {
		return h.writeOpenSearch(buf)
	})
}

// writeOpenSearch writes the OpenSearch 1.1 description of the site's
// search: the results page, with the page number as startPage.
func (h *Handler) writeOpenSearch(buf *bytes.Buffer) error {
	d := openSearchDesc{
		ShortName:     clip(h.name, openSearchShortName),
		Description:   "Search the reports of " + h.name + ".",
		InputEncoding: "UTF-8",
		Language:      h.lang,
		URLs: []openSearchURL{
			{Type: "text/html", Method: "get", PageOffset: 1, Template: h.baseURL + "/search?q={searchTerms}&page={startPage?}"},
			{Type: "application/opensearchdescription+xml", Rel: "self", Template: h.baseURL + OpenSearchPath},
		},
	}
	if d.ShortName != h.name {
		d.LongName = clip(h.name, openSearchLongName)
	}
	if logo, err := h.web.AssetURL("img/logo.svg"); err == nil {
		d.Image = &openSearchImg{Width: 64, Height: 64, Type: "image/svg+xml", URL: h.baseURL + logo}
	}
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(buf)
	enc.Indent("", "  ")
	if err := enc.Encode(d); err != nil {
		return err
	}
	buf.WriteByte('\n')
	return nil
}

// clip shortens s to at most n characters, at a word boundary when there
// is one in its second half.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut, i := 0, 0
	for j := range s {
		if i == n {
			cut = j
			break
		}
		i++
	}
	out := s[:cut]
	if k := strings.LastIndexByte(out, ' '); k >= len(out)/2 {
		out = out[:k]
	}
	return strings.TrimRight(out, " &,:;-")
}
