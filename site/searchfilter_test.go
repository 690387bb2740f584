package site

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSearchEntityFilter(t *testing.T) {
	f := newFixture(t, 3)
	mek := f.seed.Entities[0]
	// Names MEK in its text but is not filed under the entity.
	f.report(t, "AFP", "Iran condemns MEK rally in Paris", time.Hour, 0)

	all := doc(t, f.get("/search?q=Iran"))
	if n := all.Find(".results article.item").Length(); n < 3 {
		t.Fatalf("q=Iran: %d hits, want several", n)
	}
	d := doc(t, f.get("/search?q=Iran&entity="+mek.Slug))
	checkLayout(t, d)
	checkHeadings(t, "search with entity", d)
	if got := texts(d.Find(".results h3")); len(got) != 1 || got[0] != seedHeadline {
		t.Errorf("q=Iran naming MEK: %q, want only the seed report", got)
	}
	if v, _ := d.Find("select#entity option[selected]").Attr("value"); v != mek.Slug {
		t.Errorf("entity not kept in the form: %q", v)
	}
	if d.Find("label[for=entity]").Length() != 1 {
		t.Error("entity select has no label")
	}
	if got := strings.TrimSpace(d.Find("h1").Text()); got != "Search reports naming "+mek.Name {
		t.Errorf("h1 = %q", got)
	}
	if !strings.Contains(d.Find("#results-heading").Text(), "naming "+mek.Name) {
		t.Errorf("results heading = %q", d.Find("#results-heading").Text())
	}

	// The entity page carries the filter into the search form.
	ed := doc(t, f.get("/entity/"+mek.Slug))
	checkLayout(t, ed)
	form := ed.Find("form.entity-search[role=search][action='/search']")
	if v, _ := form.Find("input[type=hidden][name=entity]").Attr("value"); form.Length() != 1 || v != mek.Slug {
		t.Fatalf("entity page search form = %d, entity %q", form.Length(), v)
	}
	if id, _ := form.Find("input[name=q]").Attr("id"); id == "" || form.Find("label[for="+id+"]").Length() != 1 {
		t.Error("entity page search field has no label")
	}
	if d := doc(t, f.get("/search?entity="+mek.Slug)); d.Find(".results").Length() != 0 || d.Find("select#entity option[selected]").AttrOr("value", "") != mek.Slug {
		t.Error("search form from the entity page: results shown or entity not chosen")
	}

	// Unknown entity: said, and the search runs unfiltered.
	d = doc(t, f.get("/search?q=Iran&entity=nobody"))
	if !strings.Contains(d.Find(".problem").Text(), "no such person") || d.Find(".results article.item").Length() != all.Find(".results article.item").Length() {
		t.Error("unknown entity: no problem shown or results filtered")
	}

	// Pages of a filtered search keep the filter.
	for i := range 12 {
		f.report(t, "DW", "Camp Ashraf residents report number "+strconv.Itoa(i), time.Duration(i+2)*time.Hour, 0, "Camp Ashraf")
	}
	f.report(t, "DW", "Another camp is in the news", time.Hour, 0)
	ashraf := f.seed.Entities[1]
	d = doc(t, f.get("/search?q=camp&entity="+ashraf.Slug))
	if got := d.Find(".results article.item").Length(); got != searchPerPage {
		t.Errorf("page 1 has %d hits", got)
	}
	next, _ := d.Find("link[rel=next]").Attr("href")
	nu, err := url.Parse(next)
	if err != nil || nu.Query().Get("entity") != ashraf.Slug || nu.Query().Get("page") != "2" {
		t.Fatalf("rel=next = %q", next)
	}
	d = doc(t, f.get(next))
	if got := d.Find(".results article.item").Length(); got != 3 { // 12 + the seed report, all naming the camp
		t.Errorf("page 2 has %d hits, want 3", got)
	}
	if strings.Contains(d.Text(), "Another camp is in the news") {
		t.Error("page 2 lost the entity filter")
	}
}
