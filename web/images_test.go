package web

import (
	"strings"
	"testing"

	"newsdesk"
)

type fakeImages struct{}

func (fakeImages) URL(src string, width int) string { return "/img/x/" + src }
func (fakeImages) SrcSet(src string) string         { return "/img/x/320 320w" }
func (fakeImages) RewriteHTML(s string) string {
	return strings.ReplaceAll(s, `src="https://`, `src="/img/x/https://`)
}

func TestWithImages(t *testing.T) {
	e, err := New(WithImages(fakeImages{}))
	if err != nil {
		t.Fatal(err)
	}
	a := &newsdesk.Article{Body: `<p>x</p><img src="https://cdn.example/a.jpg" alt="">`}
	if got := string(e.body(a)); !strings.Contains(got, `src="/img/x/https://cdn.example/a.jpg"`) {
		t.Errorf("body images not proxied: %s", got)
	}
	if got := e.ImageURL("https://cdn.example/a.jpg", 960); got != "/img/x/https://cdn.example/a.jpg" {
		t.Errorf("ImageURL = %q", got)
	}
	plain, _ := New()
	if got := plain.ImageURL("https://cdn.example/a.jpg", 960); got != "https://cdn.example/a.jpg" {
		t.Errorf("without a proxy ImageURL = %q", got)
	}
	if got := string(plain.body(a)); got != a.Body {
		t.Errorf("without a proxy the body changed: %s", got)
	}
}
