package admin_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func TestPagesShowTheStore(t *testing.T) {
	e := newEnv(t)
	c := e.admin()
	x := e.ids

	body := c.mustGet("/admin/")
	for _, want := range []string{`<svg viewBox="0 0 480 116" role="img"`, `<rect class="bar"`, "4 articles in 48 hours, at most 1 in one hour.",
		"HTTP 503 Service Unavailable", "Camp Ashraf residents stay under guard", "<strong>2</strong> aliases to review"} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	body = c.mustGet("/admin/sources")
	for _, want := range []string{`<svg class="spark"`, `<polyline points="`, "4 articles in 14 days", "Fetch now", "Resume", "Pause"} {
		if !strings.Contains(body, want) {
			t.Errorf("sources page lacks %q", want)
		}
	}

	// Word search, filters, and a number going straight to the article.
	body = c.mustGet("/admin/articles?q=camp")
	if !strings.Contains(body, "Camp Ashraf residents") || !strings.Contains(body, "Camp deadline extended") || strings.Contains(body, "Tigris water") {
		t.Errorf("search for camp:\n%s", body)
	}
	body = c.mustGet("/admin/articles?section=" + strconv.FormatInt(x.Region, 10))
	if !strings.Contains(body, "Camp Ashraf residents") || strings.Contains(body, "Tigris water") {
		t.Error("section filter")
	}
	body = c.mustGet("/admin/articles")
	if strings.Contains(body, "Withdrawn report") {
		t.Error("unpublished article listed without asking")
	}
	if body = c.mustGet("/admin/articles?unpublished=1"); !strings.Contains(body, "Withdrawn report") {
		t.Error("unpublished article missing with unpublished=1")
	}
	res, _ := c.get("/admin/articles?q=" + strconv.FormatInt(x.A2, 10))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/articles/"+strconv.FormatInt(x.A2, 10) {
		t.Errorf("number search: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	// Picked articles have no Pin button.
	if n := strings.Count(c.mustGet("/admin/articles"), ">Pin</button>"); n != 1 {
		t.Errorf("%d Pin buttons, want 1 (two of three articles are picked)", n)
	}

	// The article form shows its filing and entities.
	body = c.mustGet("/admin/articles/" + strconv.FormatInt(x.A1, 10))
	if !strings.Contains(body, `<option value="`+strconv.FormatInt(x.Iraq, 10)+`" selected>`) || !strings.Contains(body, ">Mujahedeen-e-Khalq</textarea>") {
		t.Errorf("article form:\n%s", body)
	}
	// Alias candidates, with their evidence, wait on the entities page.
	body = c.mustGet("/admin/entities")
	if !strings.Contains(body, "PMOI") || !strings.Contains(body, "the Mujahedeen-e-Khalq, or PMOI, said") {
		t.Error("entities page lacks the alias candidate")
	}
	// The section tree is indented by depth; a section cannot move under itself.
	body = c.mustGet("/admin/sections")
	if !strings.Contains(body, `<li class="depth-1"><a href="/admin/sections/`+strconv.FormatInt(x.Iraq, 10)+`">Iraq</a>`) {
		t.Error("sections tree")
	}
	body = c.mustGet("/admin/sections/" + strconv.FormatInt(x.Region, 10))
	if strings.Contains(body, `<option value="`+strconv.FormatInt(x.Iraq, 10)+`"`) {
		t.Error("a region may be moved under its own country")
	}
	res, _ = c.submit("/admin/sections/"+strconv.FormatInt(x.Region, 10), map[string][]string{"name": {"Middle East"}, "parent": {strconv.FormatInt(x.Iraq, 10)}})
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("moving a region under its country: status %d", res.StatusCode)
	}
	// Editors see no admin-only navigation.
	body = e.editor().mustGet("/admin/")
	if strings.Contains(body, `href="/admin/users"`) || strings.Contains(body, `href="/admin/sources"`) {
		t.Error("editor's navigation links admin-only pages")
	}
}
