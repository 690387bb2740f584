package site

import (
	"encoding/xml"
	"net/url"
	"strings"
	"testing"
)

func TestOpenSearch(t *testing.T) {
	f := newFixture(t, 2)
	w := f.get(OpenSearchPath)
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/opensearchdescription+xml; charset=utf-8" {
		t.Fatalf("GET %s: %d %q", OpenSearchPath, w.Code, w.Header().Get("Content-Type"))
	}
	var desc struct {
		XMLName       xml.Name
		ShortName     string `xml:"ShortName"`
		LongName      string `xml:"LongName"`
		Description   string `xml:"Description"`
		InputEncoding string `xml:"InputEncoding"`
		Image         string `xml:"Image"`
		URLs          []struct {
			Type     string `xml:"type,attr"`
			Rel      string `xml:"rel,attr"`
			Template string `xml:"template,attr"`
		} `xml:"Url"`
	}
	if err := xml.Unmarshal(w.Body.Bytes(), &desc); err != nil {
		t.Fatalf("description does not parse: %v\n%s", err, w.Body)
	}
	if desc.XMLName.Space != "http://a9.com/-/spec/opensearch/1.1/" || desc.XMLName.Local != "OpenSearchDescription" {
		t.Errorf("root = %v", desc.XMLName)
	}
	if desc.ShortName != "News On Iran" || desc.LongName != "News On Iran & Its Neighbours" || desc.InputEncoding != "UTF-8" || desc.Description == "" {
		t.Errorf("names = %q / %q, encoding %q", desc.ShortName, desc.LongName, desc.InputEncoding)
	}
	if !strings.HasPrefix(desc.Image, testBase+"/static/") {
		t.Errorf("image = %q", desc.Image)
	}
	var tmpl, self string
	for _, u := range desc.URLs {
		switch {
		case u.Type == "text/html":
			tmpl = u.Template
		case u.Rel == "self":
			self = u.Template
		}
	}
	if self != testBase+OpenSearchPath || !strings.HasPrefix(tmpl, testBase+"/search?") || !strings.Contains(tmpl, "{searchTerms}") {
		t.Fatalf("templates: html %q, self %q", tmpl, self)
	}
	// A browser fills the template: the terms escaped, optional parameters
	// left empty.
	for _, tc := range []struct{ terms, page, want string }{
		{"MEK", "", seedHeadline},
		{"بازنشستگان", "1", f.persian.Headline},
	} {
		u := strings.ReplaceAll(tmpl, "{searchTerms}", url.QueryEscape(tc.terms))
		u = strings.ReplaceAll(u, "{startPage?}", tc.page)
		w := f.get(strings.TrimPrefix(u, testBase))
		if w.Code != 200 {
			t.Fatalf("GET %s: %d", u, w.Code)
		}
		if got := texts(doc(t, w).Find(".results h3")); len(got) != 1 || got[0] != tc.want {
			t.Errorf("GET %s: hits %q", u, got)
		}
	}
	// Every page announces it.
	for _, p := range []string{"/", f.seed.Path(), "/section/iraq", "/search?q=MEK", "/entity/" + f.seed.Entities[0].Slug, "/privacy", "/nowhere"} {
		d := doc(t, f.get(p, "Sec-GPC", "1"))
		link := d.Find(`head link[rel=search][type="application/opensearchdescription+xml"]`)
		if href, _ := link.Attr("href"); link.Length() != 1 || href != OpenSearchPath || link.AttrOr("title", "") == "" {
			t.Errorf("GET %s: search link %d, href %q", p, link.Length(), href)
		}
	}
}

func TestClip(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"newsdesk", 16, "newsdesk"},
		{"News On Iran & Its Neighbours", 16, "News On Iran"},
		{"Supercalifragilisticexpialidocious", 16, "Supercalifragili"},
		{"خبرهای ایران و همسایگان", 16, "خبرهای ایران و"},
		{"exactly sixteen!", 16, "exactly sixteen!"},
	}
	for _, tt := range tests {
		if got := clip(tt.in, tt.n); got != tt.want {
			t.Errorf("clip(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
