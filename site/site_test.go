package site

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"newsdesk"
)

func doc(tb testing.TB, w *httptest.ResponseRecorder) *goquery.Document {
	tb.Helper()
	var body io.Reader = w.Body
	if w.Header().Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(w.Body)
		if err != nil {
			tb.Fatal(err)
		}
		body = zr
	}
	d, err := goquery.NewDocumentFromReader(body)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func texts(s *goquery.Selection) []string {
	var out []string
	s.Each(func(_ int, x *goquery.Selection) { out = append(out, strings.Join(strings.Fields(x.Text()), " ")) })
	return out
}

// checkLayout asserts what every page must have: landmarks, one h1, a skip
// link, no inline script or style.
func checkLayout(t *testing.T, d *goquery.Document) {
	t.Helper()
	for _, sel := range []string{"header.masthead", "nav.sections", "main#main", "footer.site-footer", "a.skip-link[href='#main']"} {
		if d.Find(sel).Length() == 0 {
			t.Errorf("layout: no %s", sel)
		}
	}
	if n := d.Find("h1").Length(); n != 1 {
		t.Errorf("layout: %d h1 elements, want 1", n)
	}
	d.Find("script").Each(func(_ int, s *goquery.Selection) {
		if typ, _ := s.Attr("type"); typ != "application/ld+json" {
			if src, ok := s.Attr("src"); !ok || !strings.HasPrefix(src, "/static/") {
				t.Errorf("layout: inline or foreign script %q", src)
			}
		}
	})
	if d.Find("style, [style]").Length() > 0 {
		t.Error("layout: inline style")
	}
	d.Find("img").Each(func(_ int, s *goquery.Selection) {
		if _, ok := s.Attr("alt"); !ok {
			t.Errorf("layout: img without alt")
		}
	})
}

func TestHome(t *testing.T) {
	f := newFixture(t, 30)
	w := f.get("/")
	if w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	d := doc(t, w)
	checkLayout(t, d)

	// Navigation: regions and their countries.
	nav := texts(d.Find("nav.sections .region > a"))
	if strings.Join(nav, "|") != "Iran & Its Neighbours|The Gulf" {
		t.Errorf("regions = %q", nav)
	}
	if got := texts(d.Find("nav.sections .region").First().Find(".countries a")); strings.Join(got, "|") != "Iran|Iraq|Afghanistan" {
		t.Errorf("countries = %q", got)
	}

	// River: newest first, as the store orders them, excerpts cut with "...".
	want, _, err := f.db.Articles(context.Background(), newsdesk.ArticleFilter{ExcludeDuplicates: true, Limit: perPage})
	must(t, err)
	river := d.Find("section.river article.item")
	if river.Length() != perPage {
		t.Fatalf("river has %d items, want %d", river.Length(), perPage)
	}
	river.Each(func(i int, s *goquery.Selection) {
		href, _ := s.Find("h3 a").Attr("href")
		if href, _ = url.PathUnescape(href); href != want[i].Path() {
			t.Errorf("river[%d] = %s, want %s", i, href, want[i].Path())
		}
	})
	if got := texts(river.First().Find("h3")); got[0] != f.persian.Headline {
		t.Errorf("newest is %q", got[0])
	}
	if dir, _ := river.First().Attr("dir"); dir != "rtl" {
		t.Errorf("Persian river item dir = %q", dir)
	}
	filler := d.Find("section.river article.item:contains('Report number 0 ') .excerpt")
	if got := texts(filler); len(got) != 1 || got[0] != "For weeks, the social security retirees of province 0 have been protesting their bad living condition and lack of..." {
		t.Errorf("excerpt = %q", got)
	}
	if got := d.Find("section.river article.item:contains('Kabul airport') .excerpt").Length(); got != 0 {
		t.Errorf("headline-licence report shows its lede in the river")
	}
	if d.Find("section.river time[datetime]").Length() != perPage {
		t.Errorf("river items without <time datetime>")
	}
	if href, _ := d.Find("link[rel=next]").Attr("href"); href != "/?page=2" {
		t.Errorf("rel=next = %q", href)
	}

	// Must read: the picks in order, teaser "Source: lede" cut short.
	picks := texts(d.Find(".must-read .teaser"))
	if len(picks) != 2 || picks[0] != "Reuters: Iranian security forces arrested an Agence France Presse..." || picks[1] != "AFP: Iranian police dispersed hundreds of youths Tuesday at..." {
		t.Errorf("must read = %q", picks)
	}

	// Top stories: the Reuters+AFP story with its coverage count.
	top := d.Find(".top-stories li")
	if top.Length() != 1 || !strings.Contains(top.Text(), "2 sources") {
		t.Errorf("top stories = %q", texts(top))
	}
	if href, _ := top.Find("a").Attr("href"); href != "/story/"+strconv.FormatInt(f.reuters.StoryID, 10) {
		t.Errorf("top story link = %q", href)
	}

	// A block per top-level section.
	if got := texts(d.Find(".section-block h2")); strings.Join(got, "|") != "Iran & Its Neighbours|The Gulf" {
		t.Errorf("section blocks = %q", got)
	}
	alts := d.Find("link[rel=alternate]")
	if alts.Length() != 3 {
		t.Errorf("%d alternate links", alts.Length())
	}
	if href, _ := d.Find("link[rel=canonical]").Attr("href"); href != testBase+"/" {
		t.Errorf("canonical = %q", href)
	}

	// Page 2: the river only, with rel=prev.
	d2 := doc(t, f.get("/?page=2"))
	if href, _ := d2.Find("link[rel=prev]").Attr("href"); href != "/" {
		t.Errorf("page 2 rel=prev = %q", href)
	}
	if d2.Find(".must-read").Length() != 0 || d2.Find("section.river article.item").Length() != len(f.fillers)+5-perPage {
		t.Errorf("page 2 content wrong")
	}
	for _, bad := range []string{"/?page=0", "/?page=x", "/?page=99"} {
		if w := f.get(bad); w.Code != 404 {
			t.Errorf("GET %s: %d", bad, w.Code)
		}
	}
}

func TestArticle(t *testing.T) {
	f := newFixture(t, 6)
	w := f.get(f.seed.Path())
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	d := doc(t, w)
	checkLayout(t, d)

	if got := texts(d.Find("nav.breadcrumbs li")); strings.Join(got, " › ") != "Home › Iran & Its Neighbours › Iraq › "+seedHeadline {
		t.Errorf("breadcrumbs = %q", got)
	}
	art := d.Find("article.story")
	if got := texts(art.Find("h1")); got[0] != seedHeadline {
		t.Errorf("h1 = %q", got)
	}
	if got := texts(art.Find(".standfirst")); got[0] != "CNN: "+seedLede {
		t.Errorf("standfirst = %q", got)
	}
	if got := texts(art.Find(".byline .author")); got[0] != "From Michael Ware" {
		t.Errorf("byline = %q", got)
	}
	if href, _ := art.Find(".byline a.source").Attr("href"); href != "/source/"+strconv.FormatInt(f.seed.SourceID, 10) {
		t.Errorf("source link = %q", href)
	}
	if dt, _ := art.Find(".times time").First().Attr("datetime"); dt != "2025-06-02T14:05:00Z" {
		t.Errorf("published datetime = %q", dt)
	}
	if art.Find(".times time").Length() != 2 {
		t.Errorf("updated time missing")
	}
	if alt, _ := art.Find(".lead-image img").Attr("alt"); alt != "The gate of Camp Ashraf" {
		t.Errorf("lead image alt = %q", alt)
	}
	body := art.Find(".story-body")
	if !strings.Contains(body.Text(), "BAGHDAD, Iraq (CNN) —") || body.Find("blockquote").Length() != 1 {
		t.Errorf("body missing or quotes lost: %q", body.Text())
	}
	if art.Find(".dateline").Length() != 0 {
		t.Errorf("dateline repeated although the body opens with it")
	}
	orig := art.Find(".original a")
	if href, _ := orig.Attr("href"); href != f.seed.URL {
		t.Errorf("original link = %q", href)
	}
	if rel, _ := orig.Attr("rel"); !strings.Contains(rel, "noopener") {
		t.Errorf("original link rel = %q", rel)
	}
	if href, _ := art.Find(".chips a").First().Attr("href"); href != "/entity/"+f.seed.Entities[0].Slug {
		t.Errorf("entity chip = %q", href)
	}
	if href, _ := d.Find("link[rel=canonical]").Attr("href"); href != testBase+f.seed.Path() {
		t.Errorf("canonical = %q", href)
	}
	if href, _ := d.Find("link[rel=alternate][type='application/rss+xml']").Attr("href"); href != "/section/iraq/feed.xml" {
		t.Errorf("alternate = %q", href)
	}

	// Related: filled, never the article itself.
	rel := d.Find(".related li a")
	if rel.Length() == 0 {
		t.Fatal("no related articles")
	}
	rel.Each(func(_ int, s *goquery.Selection) {
		if href, _ := s.Attr("href"); href == f.seed.Path() {
			t.Error("related lists the article itself")
		}
	})
	if d.Find(".recommended h2:contains('Recommended to you')").Length() != 1 {
		t.Error("no Recommended to you block")
	}

	// OpenGraph and Twitter.
	og := map[string]string{}
	d.Find("meta[property], meta[name]").Each(func(_ int, s *goquery.Selection) {
		k, ok := s.Attr("property")
		if !ok {
			k, _ = s.Attr("name")
		}
		og[k], _ = s.Attr("content")
	})
	for k, v := range map[string]string{"og:type": "article", "og:title": seedHeadline, "og:url": testBase + f.seed.Path(),
		"og:image": f.seed.ImageURL, "og:site_name": "News On Iran & Its Neighbours", "article:published_time": "2025-06-02T14:05:00Z",
		"article:section": "Iraq", "twitter:card": "summary_large_image"} {
		if og[k] != v {
			t.Errorf("%s = %q, want %q", k, og[k], v)
		}
	}
	if !strings.HasPrefix(og["og:description"], "An Iranian opposition group") {
		t.Errorf("og:description = %q", og["og:description"])
	}

	// JSON-LD.
	var news, crumbs map[string]any
	d.Find("script[type='application/ld+json']").Each(func(_ int, s *goquery.Selection) {
		var v map[string]any
		if err := json.Unmarshal([]byte(s.Text()), &v); err != nil {
			t.Fatalf("JSON-LD does not parse: %v\n%s", err, s.Text())
		}
		switch v["@type"] {
		case "NewsArticle":
			news = v
		case "BreadcrumbList":
			crumbs = v
		}
	})
	if news == nil || crumbs == nil {
		t.Fatal("NewsArticle or BreadcrumbList JSON-LD missing")
	}
	for _, k := range []string{"headline", "description", "image", "author", "datePublished", "dateModified", "publisher", "isBasedOn", "mainEntityOfPage", "inLanguage"} {
		if news[k] == nil || news[k] == "" {
			t.Errorf("NewsArticle.%s missing", k)
		}
	}
	if a, _ := news["author"].(map[string]any); a["@type"] != "Person" || a["name"] != "Michael Ware" {
		t.Errorf("author = %v", news["author"])
	}
	if p, _ := news["publisher"].(map[string]any); p["@type"] != "Organization" || p["name"] != "News On Iran & Its Neighbours" {
		t.Errorf("publisher = %v", news["publisher"])
	}
	if news["isBasedOn"] != f.seed.URL || news["inLanguage"] != "en" {
		t.Errorf("isBasedOn/inLanguage = %v %v", news["isBasedOn"], news["inLanguage"])
	}
	if items, _ := crumbs["itemListElement"].([]any); len(items) < 2 {
		t.Errorf("BreadcrumbList has %d levels", len(items))
	}
}

func TestArticleCoverageAndRedirect(t *testing.T) {
	f := newFixture(t, 0)
	d := doc(t, f.get(f.afp.Path()))
	cov := d.Find("section.coverage")
	if cov.Length() != 1 || !strings.Contains(cov.Text(), "2 reports from 2 sources") {
		t.Fatalf("coverage = %q", cov.Text())
	}
	if href, _ := cov.Find("a[href^='/article/']").Attr("href"); href != f.reuters.Path() {
		t.Errorf("coverage lists %q", href)
	}
	for _, p := range []string{"/article/" + strconv.FormatInt(f.afp.ID, 10), "/article/" + strconv.FormatInt(f.afp.ID, 10) + "/old-slug"} {
		w := f.get(p)
		if w.Code != http.StatusMovedPermanently || w.Header().Get("Location") != f.afp.Path() {
			t.Errorf("GET %s: %d → %q", p, w.Code, w.Header().Get("Location"))
		}
	}
	// Seed article: single-report story has no coverage block.
	if doc(t, f.get(f.seed.Path())).Find("section.coverage").Length() != 0 {
		t.Error("coverage block for a one-report story")
	}
}

func TestArticleLicence(t *testing.T) {
	f := newFixture(t, 0)
	d := doc(t, f.get(f.reuters.Path()))
	art := d.Find("article.story")
	if strings.Contains(art.Text(), excerptOnlySentence) {
		t.Error("excerpt licence: the full body is shown")
	}
	if !strings.Contains(art.Find(".story-excerpt").Text(), "Agence France Presse journalist") {
		t.Error("excerpt licence: lede missing")
	}
	link := art.Find(".read-full a")
	if strings.TrimSpace(link.Text()) != "Read the full report at Reuters" {
		t.Errorf("read-full link = %q", link.Text())
	}
	if href, _ := link.Attr("href"); href != f.reuters.URL {
		t.Errorf("read-full href = %q", href)
	}

	d = doc(t, f.get(f.wire.Path()))
	art = d.Find("article.story")
	if strings.Contains(art.Text(), "secret lede") || strings.Contains(d.Find("head").Text()+d.Find("meta[name=description]").AttrOr("content", ""), "secret lede") {
		t.Error("headline licence: lede shown")
	}
	if art.Find(".story-body").Length() != 0 || art.Find(".read-full a").Length() != 1 {
		t.Error("headline licence: body shown or link missing")
	}
}

func TestArticleRTL(t *testing.T) {
	f := newFixture(t, 0)
	d := doc(t, f.get(f.persian.Path()))
	art := d.Find("article.story[dir=rtl][lang=fa]")
	if art.Length() != 1 {
		t.Fatal(`no article[dir="rtl"][lang="fa"]`)
	}
	if !strings.Contains(art.Find("h1").Text(), "بازنشستگان") {
		t.Error("Persian headline missing")
	}
}

func TestNotFound(t *testing.T) {
	f := newFixture(t, 0)
	for _, p := range []string{"/nowhere", "/article/999999/x", "/article/abc", "/article/-1", "/section/atlantis", "/entity/nobody", "/source/999", "/story/999", "/section/atlantis/feed.xml"} {
		w := f.get(p)
		if w.Code != 404 {
			t.Errorf("GET %s: %d", p, w.Code)
			continue
		}
		if strings.Contains(p, "feed.xml") {
			continue
		}
		d := doc(t, w)
		checkLayout(t, d)
		if got := texts(d.Find("h1")); len(got) != 1 || got[0] != "Page not found" {
			t.Errorf("GET %s: h1 = %q", p, got)
		}
	}
}

func TestSearch(t *testing.T) {
	f := newFixture(t, 3)
	d := doc(t, f.get("/search"))
	checkLayout(t, d)
	if d.Find("form.search-form input[name=q]").Length() != 1 || d.Find(".results").Length() != 0 {
		t.Error("empty search: form missing or results shown")
	}

	w := f.get("/search?q=" + url.QueryEscape("MEK"))
	if w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	d = doc(t, w)
	hits := d.Find(".results article.item")
	if hits.Length() != 1 || !strings.Contains(hits.Find("h3").Text(), seedHeadline) {
		t.Fatalf("hits = %q", texts(hits.Find("h3")))
	}
	if got := texts(hits.Find(".snippet mark")); len(got) == 0 || !strings.EqualFold(got[0], "MEK") {
		t.Errorf("marks = %q", got)
	}
	if !strings.Contains(d.Find("#results-heading").Text(), "1 result") {
		t.Errorf("total = %q", d.Find("#results-heading").Text())
	}

	// Persian: Arabic letter variants and ZWNJ are folded like the text.
	d = doc(t, f.get("/search?q="+url.QueryEscape("بازنشستگان تأمين")))
	if got := texts(d.Find(".results h3")); len(got) != 1 || got[0] != f.persian.Headline {
		t.Errorf("Persian search = %q", got)
	}
	if d.Find(".results article.item[dir=rtl][lang=fa] mark").Length() == 0 {
		t.Error("Persian hit not rtl or not highlighted")
	}

	// Filters: the source filter leaves the CNN report out.
	d = doc(t, f.get("/search?q=Iran&source="+strconv.FormatInt(f.sources["AFP"].ID, 10)+"&sort=newest"))
	d.Find(".results article.item .meta").Each(func(_ int, s *goquery.Selection) {
		if !strings.HasPrefix(strings.TrimSpace(s.Text()), "AFP") {
			t.Errorf("source filter let %q through", s.Text())
		}
	})
	if v, _ := d.Find("#sort option[selected]").Attr("value"); v != "newest" {
		t.Errorf("sort not kept: %q", v)
	}

	hostile := []string{`"`, `"""`, `*`, `MEK*`, `NEAR(a b)`, `)(`, `a OR`, `-`, `'`, `<script>alert(1)</script>`, "\uE000MEK\uE001",
		`col:MEK`, `^MEK`, `MEK AND NOT`, strings.Repeat("word ", 500), "\x00", `%`, `\`, `{}`, "ا\u200cی"}
	for _, q := range hostile {
		for _, extra := range []string{"", "&from=2025-13-45&to=yesterday&page=-3&section=%00&source=x&sort=DROP"} {
			w := f.get("/search?q=" + url.QueryEscape(q) + extra)
			if w.Code != 200 {
				t.Errorf("q=%q%s: status %d", q, extra, w.Code)
				continue
			}
			if strings.Contains(w.Body.String(), "<script>alert") {
				t.Errorf("q=%q: unescaped input in page", q)
			}
		}
	}
}

func TestConditionalAndGzip(t *testing.T) {
	f := newFixture(t, 2)
	for _, p := range []string{"/", "/section/iran", f.seed.Path()} {
		w := f.get(p, "Sec-GPC", "1")
		etag := w.Header().Get("ETag")
		if w.Code != 200 || etag == "" || !strings.HasPrefix(etag, `"`) {
			t.Fatalf("GET %s: %d ETag %q", p, w.Code, etag)
		}
		w2 := f.get(p, "Sec-GPC", "1", "If-None-Match", etag)
		if w2.Code != http.StatusNotModified || w2.Body.Len() != 0 {
			t.Errorf("GET %s If-None-Match: %d", p, w2.Code)
		}
		w3 := f.get(p, "Sec-GPC", "1", "Accept-Encoding", "gzip")
		if w3.Header().Get("Content-Encoding") != "gzip" || !strings.Contains(w3.Header().Get("Vary"), "Accept-Encoding") {
			t.Errorf("GET %s: no gzip", p)
		}
		zr, err := gzip.NewReader(w3.Body)
		must(t, err)
		plain, _ := io.ReadAll(zr)
		if !bytes.Equal(plain, w.Body.Bytes()) || w3.Header().Get("ETag") != etag {
			t.Errorf("GET %s: gzip body or ETag differs", p)
		}
	}
}

func TestInvalidate(t *testing.T) {
	f := newFixture(t, 0)
	before := f.get("/").Header().Get("ETag")
	a := &newsdesk.Article{URL: "https://afp.example/late", GUID: "late", Headline: "A late report arrives", Lede: "Late.", Text: "Late.", Body: "<p>Late.</p>",
		PublishedAt: testNow.Add(-5 * time.Minute), Sections: []newsdesk.SectionRef{{Slug: "iraq"}}}
	_, err := f.db.UpsertArticles(context.Background(), f.sources["AFP"].ID, []*newsdesk.Article{a})
	must(t, err)
	if w := f.get("/"); w.Header().Get("ETag") != before || strings.Contains(w.Body.String(), "A late report arrives") {
		t.Fatal("cache did not hold the page")
	}
	f.h.Invalidate()
	w := f.get("/")
	if w.Header().Get("ETag") == before || !strings.Contains(w.Body.String(), "A late report arrives") {
		t.Fatal("Invalidate did not drop the page")
	}
}

func TestReaderTracking(t *testing.T) {
	f := newFixture(t, 4)
	ctx := context.Background()
	readerCookies := func(w *httptest.ResponseRecorder) []*http.Cookie {
		var out []*http.Cookie
		for _, c := range w.Result().Cookies() {
			if c.Name == readerCookie {
				out = append(out, c)
			}
		}
		return out
	}
	for _, hdr := range [][]string{{"Sec-GPC", "1"}, {"DNT", "1"}, {"Cookie", optOutCookie + "=1"}} {
		w := f.get(f.seed.Path(), hdr...)
		if w.Code != 200 || len(readerCookies(w)) != 0 {
			t.Errorf("%v: status %d, reader cookie set", hdr, w.Code)
		}
	}
	counts, err := f.db.MostRead(ctx, 0, testNow.Add(-1000*time.Hour), 10)
	must(t, err)
	if len(counts) != 0 {
		t.Fatalf("views recorded without consent: %v", counts)
	}

	w := f.get(f.seed.Path())
	cs := readerCookies(w)
	if len(cs) != 1 {
		t.Fatal("no reader cookie on first view")
	}
	c := cs[0]
	if !validReaderID(c.Value) || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.MaxAge < 364*24*3600 {
		t.Errorf("reader cookie = %+v", c)
	}
	hist, err := f.db.ReadHistory(ctx, c.Value, 10)
	must(t, err)
	if len(hist) != 1 || hist[0].ArticleID != f.seed.ID {
		t.Fatalf("history = %v", hist)
	}
	if d := doc(t, w); d.Find(".recommended .most-read").Length() != 1 {
		t.Error("first view: most-read block missing")
	}

	// Returning: personal recommendations with their reason, not cached.
	// Another reader read the seed report and two others.
	other := strings.Repeat("0f", 16)
	for _, a := range []*newsdesk.Article{f.seed, f.fillers[0], f.fillers[1]} {
		must(t, f.db.RecordRead(ctx, newsdesk.ReadEvent{ReaderID: other, ArticleID: a.ID, At: testNow.Add(-time.Hour)}))
	}
	w = f.get(f.afp.Path(), "Cookie", readerCookie+"="+c.Value)
	if len(readerCookies(w)) != 0 {
		t.Error("cookie set again for a returning reader")
	}
	if w.Header().Get("ETag") != "" || !strings.Contains(w.Header().Get("Cache-Control"), "private") {
		t.Errorf("personal page headers: ETag %q Cache-Control %q", w.Header().Get("ETag"), w.Header().Get("Cache-Control"))
	}
	d := doc(t, w)
	checkLayout(t, d)
	reason := d.Find(".recommendations .reason")
	if reason.Length() == 0 || !strings.Contains(reason.First().Text(), "Because you read") {
		t.Fatalf("recommendations = %q", texts(d.Find(".recommendations li")))
	}
	d.Find(".recommendations li > a").Each(func(_ int, s *goquery.Selection) {
		if href, _ := s.Attr("href"); href == f.afp.Path() {
			t.Error("recommends the article being read")
		}
	})
	if d.Find("article.story h1").Text() != f.afp.Headline || d.Find("aside .related").Length() != 1 {
		t.Error("personal page lost its cached parts")
	}
	// gzip of a personal page decodes to the same page.
	wz := f.get(f.afp.Path(), "Cookie", readerCookie+"="+c.Value, "Accept-Encoding", "gzip")
	if wz.Header().Get("Content-Encoding") != "gzip" || doc(t, wz).Find(".recommendations .reason").Length() == 0 {
		t.Error("gzip personal page wrong")
	}

	// A failing recommender: the cached page is served and the log names
	// the failure but never the reader.
	var logged bytes.Buffer
	f.h.log = slog.New(slog.NewTextHandler(&logged, nil))
	f.h.recommend = recommendFunc(func(ctx context.Context, readerID string, current *newsdesk.Article, limit int) ([]newsdesk.Recommendation, error) {
		return nil, fmt.Errorf("recommend for %s: %w", readerID, context.DeadlineExceeded)
	})
	f.h.recs.invalidate() // the reader's kept recommendations came from the old recommender
	w = f.get(f.afp.Path(), "Cookie", readerCookie+"="+c.Value)
	if w.Code != 200 || doc(t, w).Find(".recommended .note").Length() != 1 {
		t.Error("failing recommender: page not served with the most-read block")
	}
	if !strings.Contains(logged.String(), "recommend") || strings.Contains(logged.String(), c.Value) {
		t.Errorf("log = %s", logged.String())
	}
}

func TestPrivacy(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	id := strings.Repeat("ab", 16)
	must(t, f.db.RecordRead(ctx, newsdesk.ReadEvent{ReaderID: id, ArticleID: f.seed.ID, At: testNow}))
	d := doc(t, f.get("/privacy", "Cookie", readerCookie+"="+id))
	checkLayout(t, d)
	if got := texts(d.Find("ol.history a")); len(got) != 1 || got[0] != seedHeadline {
		t.Errorf("history = %q", got)
	}

	post := func(action string, hdr ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/privacy", strings.NewReader("action="+action))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Cookie", readerCookie+"="+id)
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		w := httptest.NewRecorder()
		f.mux.ServeHTTP(w, r)
		return w
	}
	for _, hdr := range [][]string{nil, {"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://evil.example"}, {"Sec-Fetch-Site", "same-site"}} {
		if w := post("optout", hdr...); w.Code != http.StatusForbidden {
			t.Errorf("cross-origin post %v: %d", hdr, w.Code)
		}
	}
	if hist, _ := f.db.ReadHistory(ctx, id, 10); len(hist) != 1 {
		t.Fatal("a refused post erased history")
	}
	w := post("optout", "Sec-Fetch-Site", "same-origin")
	if w.Code != http.StatusSeeOther {
		t.Fatalf("opt out: %d", w.Code)
	}
	var optedOut, cleared bool
	for _, c := range w.Result().Cookies() {
		optedOut = optedOut || c.Name == optOutCookie && c.Value == "1"
		cleared = cleared || c.Name == readerCookie && c.MaxAge < 0
	}
	if !optedOut || !cleared {
		t.Errorf("opt-out cookies: %v", w.Result().Cookies())
	}
	if hist, _ := f.db.ReadHistory(ctx, id, 10); len(hist) != 0 {
		t.Error("opt out kept history")
	}
	if w := post("erase", "Origin", testBase); w.Code != http.StatusSeeOther {
		t.Errorf("erase with same Origin: %d", w.Code)
	}
}

func TestListPages(t *testing.T) {
	f := newFixture(t, 4)
	d := doc(t, f.get("/section/iraq"))
	checkLayout(t, d)
	if got := texts(d.Find("nav.breadcrumbs li")); strings.Join(got, " › ") != "Home › Iran & Its Neighbours › Iraq" {
		t.Errorf("section breadcrumbs = %q", got)
	}
	if d.Find("section.river article.item").Length() == 0 || d.Find("link[rel=alternate][href='/section/iraq/atom.xml']").Length() != 1 {
		t.Error("section river or alternates missing")
	}
	if v, _ := d.Find("nav.sections a[href='/section/iraq']").Attr("aria-current"); v != "page" {
		t.Errorf("nav Iraq aria-current = %q", v)
	}
	if v, _ := d.Find("nav.sections a[href='/section/iran-neighbours']").Attr("aria-current"); v != "true" {
		t.Errorf("nav region aria-current = %q", v)
	}
	d = doc(t, f.get("/section/iran-neighbours"))
	if got := texts(d.Find("nav.subsections a")); strings.Join(got, "|") != "Iran|Iraq|Afghanistan" {
		t.Errorf("subsections = %q", got)
	}

	d = doc(t, f.get("/entity/"+f.seed.Entities[0].Slug))
	checkLayout(t, d)
	if got := strings.Join(strings.Fields(d.Find(".entity-kind").Text()), " "); got != "organisation · also known as MEK, MKO" {
		t.Errorf("entity kind line = %q", got)
	}
	if d.Find("section.river a[href='"+f.seed.Path()+"']").Length() != 1 {
		t.Error("entity page does not list the seed report")
	}

	d = doc(t, f.get("/source/"+strconv.FormatInt(f.sources["Reuters"].ID, 10)))
	checkLayout(t, d)
	if !strings.Contains(d.Find("dl.facts").Text(), "An excerpt of each report") || d.Find("dl.facts a[href='https://reuters.example']").Length() != 1 {
		t.Errorf("source facts = %q", d.Find("dl.facts").Text())
	}

	d = doc(t, f.get("/story/"+strconv.FormatInt(f.reuters.StoryID, 10)))
	checkLayout(t, d)
	tl := texts(d.Find("ol.timeline .source"))
	if strings.Join(tl, "|") != "Reuters|AFP" {
		t.Errorf("timeline sources (oldest first) = %q", tl)
	}
	if !strings.Contains(d.Find(".coverage-summary").Text(), "2 reports from 2 sources. First reported by Reuters") {
		t.Errorf("coverage summary = %q", d.Find(".coverage-summary").Text())
	}
}

func TestFeedsOut(t *testing.T) {
	f := newFixture(t, 2)
	entity := "/entity/" + f.seed.Entities[0].Slug
	source := "/source/" + strconv.FormatInt(f.sources["CNN"].ID, 10)
	for path, ctype := range map[string]string{
		"/feed.xml": "application/rss+xml", "/atom.xml": "application/atom+xml", "/feed.json": "application/feed+json",
		"/section/iraq/feed.xml": "application/rss+xml", entity + "/atom.xml": "application/atom+xml", source + "/feed.json": "application/feed+json",
		"/sitemap.xml": "application/xml", "/news-sitemap.xml": "application/xml", "/robots.txt": "text/plain",
	} {
		w := f.get(path)
		if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), ctype) {
			t.Errorf("GET %s: %d %q", path, w.Code, w.Header().Get("Content-Type"))
			continue
		}
		if path != "/robots.txt" && path != "/news-sitemap.xml" && !strings.Contains(w.Body.String(), testBase+f.seed.Path()) {
			t.Errorf("GET %s does not list the seed article", path)
		}
	}
	if w := f.get("/section/iraq/feed.xml"); strings.Contains(w.Body.String(), f.afp.Path()) {
		t.Error("Iraq feed lists an Iran report")
	}
}

func TestStaticRoute(t *testing.T) {
	f := newFixture(t, 0)
	d := doc(t, f.get("/"))
	href, _ := d.Find("link[rel=stylesheet]").Attr("href")
	w := f.get(href)
	if w.Code != 200 || !strings.Contains(w.Header().Get("Cache-Control"), "immutable") {
		t.Fatalf("GET %s: %d %q", href, w.Code, w.Header().Get("Cache-Control"))
	}
}

func TestInternalErrorPage(t *testing.T) {
	f := newFixture(t, 0)
	var logged bytes.Buffer
	f.h.log = slog.New(slog.NewTextHandler(&logged, nil))
	// A not-found is not logged.
	f.get("/nowhere")
	if logged.Len() != 0 {
		t.Errorf("404 logged: %s", logged.String())
	}
	f.h.Invalidate()
	must(t, f.db.Close())
	w := f.get("/section/iraq")
	if w.Code != http.StatusInternalServerError {
		t.Fatalf("status %d", w.Code)
	}
	d := doc(t, w)
	if got := texts(d.Find("h1")); len(got) != 1 || got[0] != "Something went wrong" {
		t.Errorf("h1 = %q", got)
	}
	if d.Find("header.masthead").Length() != 1 || strings.Contains(w.Body.String(), "sql") {
		t.Error("500 page not in the site's look, or leaks the cause")
	}
	if !strings.Contains(logged.String(), "site request failed") {
		t.Error("internal error not logged")
	}
}

func TestHead(t *testing.T) {
	f := newFixture(t, 0)
	r := httptest.NewRequest("HEAD", f.seed.Path(), nil)
	r.Header.Set("Sec-GPC", "1")
	w := httptest.NewRecorder()
	f.mux.ServeHTTP(w, r)
	if w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Content-Length") == "" {
		t.Errorf("HEAD: %d, %d bytes, Content-Length %q", w.Code, w.Body.Len(), w.Header().Get("Content-Length"))
	}
}

func FuzzCleanQuery(f *testing.F) {
	for _, s := range []string{`"a phrase" word`, `NEAR(a b)`, `"`, "\uE000x\uE001", "می\u200cخواهم", `a' -b "c`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := cleanQuery(in)
		if strings.Count(out, `"`)%2 != 0 {
			t.Fatalf("cleanQuery(%q) = %q: unbalanced quotes", in, out)
		}
		if n := len(strings.Fields(out)); n > searchMaxWords {
			t.Fatalf("cleanQuery(%q) has %d words", in, n)
		}
		if strings.ContainsAny(out, "*()^:{}<>\x00"+newsdesk.SnippetMarkStart+newsdesk.SnippetMarkEnd) {
			t.Fatalf("cleanQuery(%q) = %q keeps syntax", in, out)
		}
		if out != strings.TrimSpace(out) || cleanQuery(out) != out {
			t.Fatalf("cleanQuery(%q) = %q is not stable", in, out)
		}
	})
}

func TestHostileArticle(t *testing.T) {
	f := newFixture(t, 0)
	const evil = `</script><script>alert(1)</script><!-- "x" & 'y'`
	a := &newsdesk.Article{URL: "https://afp.example/evil?a=1&b=</script>", GUID: "evil", Headline: "Headline " + evil, Lede: "Lede " + evil,
		Text: "Text", Body: "<p>Text</p>", Author: evil, PublishedAt: testNow.Add(-time.Minute), Sections: []newsdesk.SectionRef{{Slug: "iraq"}}}
	_, err := f.db.UpsertArticles(context.Background(), f.sources["AFP"].ID, []*newsdesk.Article{a})
	must(t, err)
	f.h.Invalidate()
	for _, p := range []string{a.Path(), "/", "/section/iraq"} {
		w := f.get(p, "Sec-GPC", "1")
		if w.Code != 200 {
			t.Fatalf("GET %s: %d", p, w.Code)
		}
		if strings.Contains(w.Body.String(), "<script>alert") {
			t.Errorf("GET %s: unescaped script", p)
		}
		d := doc(t, w)
		if n := d.Find("script:not([type='application/ld+json']):not([src])").Length(); n != 0 {
			t.Errorf("GET %s: %d inline scripts", p, n)
		}
		d.Find("script[type='application/ld+json']").Each(func(_ int, s *goquery.Selection) {
			var v map[string]any
			if err := json.Unmarshal([]byte(s.Text()), &v); err != nil {
				t.Errorf("GET %s: JSON-LD does not parse: %v", p, err)
			}
			if v["@type"] == "NewsArticle" && v["headline"] != a.Headline {
				t.Errorf("GET %s: JSON-LD headline = %q", p, v["headline"])
			}
		})
	}
}

func TestSitemapIndex(t *testing.T) {
	f := newFixture(t, 7)
	f.h.sitemapMax = 5 // 12 articles and 7 pages: an index of 1 + 3 parts
	d := f.get("/sitemap.xml").Body.String()
	for _, want := range []string{"<sitemapindex", testBase + "/sitemaps/pages.xml", testBase + "/sitemaps/articles-3.xml"} {
		if !strings.Contains(d, want) {
			t.Errorf("sitemap index lacks %q:\n%s", want, d)
		}
	}
	if strings.Contains(d, "articles-4.xml") {
		t.Error("sitemap index lists an empty part")
	}
	seen := map[string]bool{}
	for _, part := range []string{"pages.xml", "articles-1.xml", "articles-2.xml", "articles-3.xml"} {
		w := f.get("/sitemaps/" + part)
		if w.Code != 200 {
			t.Fatalf("GET %s: %d", part, w.Code)
		}
		for _, loc := range strings.Split(w.Body.String(), "<loc>")[1:] {
			loc = loc[:strings.Index(loc, "</loc>")]
			if seen[loc] {
				t.Errorf("%s listed twice", loc)
			}
			seen[loc] = true
		}
	}
	if len(seen) != 12+7 || !seen[testBase+f.seed.Path()] {
		t.Errorf("parts list %d URLs, want 19", len(seen))
	}
	for _, bad := range []string{"articles-4.xml", "articles-0.xml", "articles-x.xml", "other.xml"} {
		if w := f.get("/sitemaps/" + bad); w.Code != 404 {
			t.Errorf("GET %s: %d", bad, w.Code)
		}
	}
}

type recommendFunc func(ctx context.Context, readerID string, current *newsdesk.Article, limit int) ([]newsdesk.Recommendation, error)

func (f recommendFunc) Recommend(ctx context.Context, readerID string, current *newsdesk.Article, limit int) ([]newsdesk.Recommendation, error) {
	return f(ctx, readerID, current, limit)
}

func TestCacheKeyIgnoresJunk(t *testing.T) {
	f := newFixture(t, 25)
	a := f.get("/?page=2")
	b := f.get("/?utm_source=x&page=2&page=9&junk=%3Cscript%3E")
	if a.Header().Get("ETag") != b.Header().Get("ETag") || strings.Contains(b.Body.String(), "junk") || strings.Contains(b.Body.String(), "utm_source") {
		t.Error("junk query parameters change the page")
	}
	n := f.h.pages.len()
	for i := range 50 {
		f.get("/?x=" + strconv.Itoa(i))
	}
	if f.h.pages.len() != n+1 {
		t.Errorf("junk parameters made %d cache entries", f.h.pages.len()-n)
	}
}

// gatedStore holds the home page's Picks call until released, counting
// calls, to show that concurrent misses render a page once.
type gatedStore struct {
	newsdesk.Store
	gate  chan struct{}
	calls atomic.Int32
}

func (g *gatedStore) Picks(ctx context.Context, now time.Time) ([]*newsdesk.Pick, error) {
	g.calls.Add(1)
	<-g.gate
	return g.Store.Picks(ctx, now)
}

func TestConcurrentMissRendersOnce(t *testing.T) {
	f := newFixture(t, 2)
	g := &gatedStore{Store: f.db, gate: make(chan struct{})}
	f.h.store = g
	f.h.Invalidate()
	var wg sync.WaitGroup
	codes := make([]int, 8)
	for i := range codes {
		wg.Go(func() { codes[i] = f.get("/").Code })
	}
	time.Sleep(100 * time.Millisecond)
	close(g.gate)
	wg.Wait()
	for i, c := range codes {
		if c != 200 {
			t.Errorf("request %d: %d", i, c)
		}
	}
	if n := g.calls.Load(); n != 1 {
		t.Errorf("home rendered %d times for 8 concurrent requests", n)
	}
}

// TestRelatedNeverSelfOrCopy gives the page a finder that returns the
// article itself and a verbatim copy of it: neither may be shown.
func TestRelatedNeverSelfOrCopy(t *testing.T) {
	f := newFixture(t, 3)
	ctx := context.Background()
	cp := &newsdesk.Article{URL: "https://afp.example/copy", GUID: "copy", Headline: "Copy of the seed", Lede: seedLede, Text: seedLede, Body: "<p>x</p>",
		Fingerprint: "fp-seed", PublishedAt: testNow.Add(-time.Minute), Sections: []newsdesk.SectionRef{{Slug: "iraq"}}}
	_, err := f.db.UpsertArticles(ctx, f.sources["AFP"].ID, []*newsdesk.Article{cp})
	must(t, err)
	seed := *f.seed
	seed.Fingerprint = "fp-seed"
	f.h.related = relatedFunc(func(ctx context.Context, a *newsdesk.Article, limit int) ([]*newsdesk.Article, error) {
		return []*newsdesk.Article{a, cp, f.fillers[0]}, nil
	})
	got, err := f.h.relatedTo(ctx, &seed)
	must(t, err)
	if len(got) != 1 || got[0].ID != f.fillers[0].ID {
		t.Errorf("related = %v", got)
	}
}

// TestRefresh: a store drops the lists, the stored article's story's
// pages and its own, and keeps the pages of other stories (what
// Invalidate, an editor's change, drops too).
func TestRefresh(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	for _, p := range []string{"/", f.seed.Path(), f.afp.Path(), f.reuters.Path()} {
		f.get(p)
	}
	// Changed behind the cache's back: a kept page still shows the old one.
	edited := *f.seed
	edited.Author = "An edited byline nobody refreshed"
	must(t, f.db.UpdateArticle(ctx, &edited))

	late := &newsdesk.Article{URL: "https://afp.example/late", GUID: "late", Headline: "A later report on the arrested journalist",
		Lede: "Later.", Text: "Later.", Body: "<p>Later.</p>", PublishedAt: testNow.Add(-5 * time.Minute),
		Sections: []newsdesk.SectionRef{{Slug: "iran"}}}
	_, err := f.db.UpsertArticles(ctx, f.sources["AFP"].ID, []*newsdesk.Article{late})
	must(t, err)
	must(t, f.db.MoveArticles(ctx, f.reuters.StoryID, []int64{late.ID}))
	late.StoryID = f.reuters.StoryID

	var c Changes
	if !c.Empty() {
		t.Fatal("new Changes not empty")
	}
	f.h.Refresh(c) // nothing stored: nothing dropped
	if strings.Contains(f.get("/").Body.String(), late.Headline) {
		t.Fatal("an empty refresh dropped the home page")
	}
	c.Add(late)
	f.h.Refresh(c)
	// The first reader after a refresh is served the page as it was,
	// rendered again behind the request; the next reader gets the new one.
	for _, p := range []string{"/", f.afp.Path(), f.reuters.Path()} {
		if strings.Contains(f.get(p).Body.String(), late.Headline) {
			t.Errorf("%s: the first reader after Refresh waited for a new render", p)
		}
		f.h.background.Wait()
		if !strings.Contains(f.get(p).Body.String(), late.Headline) {
			t.Errorf("%s: the stored article is missing after Refresh", p)
		}
	}
	if body := f.get(f.seed.Path()).Body.String(); strings.Contains(body, edited.Author) || !strings.Contains(body, f.seed.Author) {
		t.Error("Refresh dropped the page of an article of another story")
	}
	f.h.Invalidate()
	if !strings.Contains(f.get(f.seed.Path()).Body.String(), edited.Author) {
		t.Error("Invalidate kept the page of an edited article")
	}

	// Another node's notification: a new entity changes the lists alone,
	// a stored batch the articles it names.
	f.get("/")
	again := edited
	again.Author = "A byline another node stored"
	must(t, f.db.UpdateArticle(ctx, &again))
	another := &newsdesk.Article{URL: "https://afp.example/another", GUID: "another", Headline: "Another node stored this report",
		Lede: "Elsewhere.", Text: "Elsewhere.", Body: "<p>Elsewhere.</p>", PublishedAt: testNow.Add(-4 * time.Minute)}
	_, err = f.db.UpsertArticles(ctx, f.sources["AFP"].ID, []*newsdesk.Article{another})
	must(t, err)
	var lists Changes
	lists.AddIDs(nil, nil)
	if lists.Empty() {
		t.Fatal("a change of the lists is empty")
	}
	f.h.Refresh(lists)
	if !strings.Contains(f.getFresh("/"), another.Headline) {
		t.Error("a change of the lists kept the home page")
	}
	if strings.Contains(f.getFresh(f.seed.Path()), again.Author) {
		t.Error("a change of the lists dropped an article page")
	}
	var named Changes
	named.AddIDs([]int64{0, f.seed.ID}, []int64{0})
	f.h.Refresh(named)
	if !strings.Contains(f.getFresh(f.seed.Path()), again.Author) {
		t.Error("a change naming an article kept its page")
	}

	// A report that leaves its story: the pages that listed it go too,
	// though their story is not the one it joined.
	if !strings.Contains(f.get(f.reuters.Path()).Body.String(), f.afp.Headline) {
		t.Fatal("the Reuters page does not list its story's AFP report")
	}
	behind := *f.reuters
	behind.Author = "A Reuters byline nobody refreshed"
	must(t, f.db.UpdateArticle(ctx, &behind))
	must(t, f.db.MoveArticles(ctx, f.seed.StoryID, []int64{f.afp.ID}))
	moved := *f.afp
	moved.StoryID = f.seed.StoryID
	var left Changes
	left.Add(&moved)
	f.h.Refresh(left)
	if !strings.Contains(f.getFresh(f.reuters.Path()), behind.Author) {
		t.Error("Refresh kept a page listing an article that changed story")
	}
}

// getFresh is the body of the page at path as a reader finds it once
// every render a request started behind itself is done.
func (f *fixture) getFresh(path string) string {
	f.get(path)
	f.h.background.Wait()
	return f.get(path).Body.String()
}

// TestLRUStale: staleIf marks what it is told to and keeps the rest fresh;
// a value read before it is stored stale; soften marks everything; a
// stale value is still there for getStale, not for get; invalidate drops
// all.
func TestLRUStale(t *testing.T) {
	c := newLRU[int, string](10, time.Hour)
	for i := range 4 {
		c.put(i, fmt.Sprint(i), c.generation(), testNow)
	}
	before := c.generation()
	if n := c.staleIf(func(k int, _ string) bool { return k%2 == 1 }); n != 2 {
		t.Fatalf("marked %d, want 2", n)
	}
	for i := range 4 {
		v, stale, ok := c.getStale(i, testNow)
		if !ok || v != fmt.Sprint(i) || stale != (i%2 == 1) {
			t.Errorf("entry %d: %q stale %v ok %v", i, v, stale, ok)
		}
		if _, ok := c.get(i, testNow); ok != (i%2 == 0) {
			t.Errorf("entry %d served fresh = %v", i, ok)
		}
	}
	// Marked again, an entry stale already stays stale.
	c.staleIf(func(k int, _ string) bool { return k == 2 })
	if _, stale, _ := c.getStale(1, testNow); !stale {
		t.Error("a stale entry turned fresh")
	}
	c.put(0, "read before", before, testNow)
	if v, stale, ok := c.getStale(0, testNow); !ok || !stale || v != "read before" {
		t.Errorf("a value read before staleIf: %q stale %v ok %v, want stored stale", v, stale, ok)
	}
	c.put(1, "new", c.generation(), testNow)
	if v, ok := c.get(1, testNow); !ok || v != "new" {
		t.Errorf("after a new put: %q, %v", v, ok)
	}
	c.soften()
	if _, stale, ok := c.getStale(1, testNow); !ok || !stale {
		t.Error("soften left an entry fresh")
	}
	gen := c.generation()
	c.invalidate()
	c.put(3, "read before invalidate", gen, testNow)
	if _, _, ok := c.getStale(3, testNow); ok || c.len() != 0 {
		t.Errorf("invalidate kept %d entries", c.len())
	}
}
