package main

import (
	"context"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's chromium; the browser checks skip without it.
func chromiumPath() string {
	for _, p := range []string{os.Getenv("NEWSDESK_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// browser starts headless Chromium and returns a context to drive it, with
// the console errors and the hosts contacted recorded.
type browser struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
	hosts  map[string]bool
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		t.Skip("chromium not installed (apt-get install -y chromium); skipping the browser checks")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelC := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelC(); cancelB(); cancelA() })
	b := &browser{ctx: ctx, hosts: map[string]bool{}}
	if err := chromedp.Do(ctx); err != nil { // open the tab before listening
		t.Fatalf("start chromium: %v", err)
	}
	err := chromedp.Listen(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			b.errors = append(b.errors, ev.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, a.Description)
				}
				b.errors = append(b.errors, strings.Join(parts, " "))
			}
		case *cdplog.EventEntryAdded:
			// Violations of the Content-Security-Policy land here.
			if ev.Entry.Level == cdplog.EntryLevelError {
				b.errors = append(b.errors, string(ev.Entry.Source)+": "+ev.Entry.Text)
			}
		case *network.EventRequestWillBeSent:
			if u, err := url.Parse(ev.Request.URL); err == nil && u.Host != "" {
				b.hosts[u.Host] = true
			}
		}
	})
	if err != nil {
		t.Fatalf("listen to chromium: %v", err)
	}
	return b
}

// texts returns the text of every element matching the CSS selector.
func (b *browser) texts(t *testing.T, selector string) []string {
	t.Helper()
	js := `Array.from(document.querySelectorAll(` + quoteJS(selector) + `)).map(e => e.textContent.trim())`
	out, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", selector, err)
	}
	return out
}

func quoteJS(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }

func anyContains(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(strings.ToLower(s), strings.ToLower(sub)) {
			return true
		}
	}
	return false
}

// checkInBrowser loads the home page and an article page in Chromium and
// finds every block of the seed page, rendered, with no script errors and
// no violation of the Content-Security-Policy.
func checkInBrowser(t *testing.T, addr, articlePath string) {
	b := newBrowser(t)
	base := "http://" + addr
	if err := chromedp.Do(b.ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
		t.Fatalf("load home: %v", err)
	}
	heads := b.texts(t, "h1, h2, h3")
	for _, want := range []string{"Latest news", "Must read"} {
		if !anyContains(heads, want) {
			t.Errorf("home page in the browser: no %q heading among %q", want, heads)
		}
	}
	if links := b.texts(t, "main a[href*='/article/']"); len(links) < 10 {
		t.Errorf("home page shows %d article links, want at least 10", len(links))
	}
	if nav := b.texts(t, "nav a[href*='/section/']"); len(nav) < 8 {
		t.Errorf("section navigation has %d links, want at least 8", len(nav))
	}

	if err := chromedp.Do(b.ctx, chromedp.Navigate(base+articlePath), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatalf("load article: %v", err)
	}
	heads = b.texts(t, "h1, h2, h3")
	for _, want := range []string{"You might also like", "Recommended to you"} {
		if !anyContains(heads, want) {
			t.Errorf("article page in the browser: no %q heading among %q", want, heads)
		}
	}
	if crumbs := b.texts(t, "nav[aria-label*='readcrumb'] a, nav.breadcrumbs a, [itemtype*='BreadcrumbList'] a"); len(crumbs) < 2 {
		t.Errorf("article breadcrumbs: %q, want at least 2 links", crumbs)
	}
	if ld := b.texts(t, "script[type='application/ld+json']"); !anyContains(ld, "NewsArticle") {
		t.Error("article page has no NewsArticle JSON-LD")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errors {
		t.Errorf("browser console error: %s", e)
	}
	for h := range b.hosts {
		if h != addr {
			t.Errorf("the page made the browser contact %s: readers' browsers must only talk to the site", h)
		}
	}
}
