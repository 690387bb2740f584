package admin_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"newsdesk/server"
	"newsdesk/site"
	"newsdesk/web"
)

// chromium finds Debian's Chromium.
func chromium() string {
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

// TestBrowserPinPick drives headless Chromium through the admin and the
// public site on one server, behind the production middleware (whose CSP
// forbids inline script and style): sign in, pin an article from "Must
// read", and find it in "Must read" on the front page, which had been
// cached before the pin.
func TestBrowserPinPick(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	path := chromium()
	if path == "" {
		t.Skip("Chromium not found at /usr/bin/chromium (apt-get install -y chromium, or set NEWSDESK_CHROMIUM); skipping the browser test")
	}
	e := newEnvWith(t, func(e *env) http.Handler {
		eng, err := web.New(web.WithClock(e.clock.Now))
		if err != nil {
			t.Fatal(err)
		}
		siteH, err := site.New(site.Config{Store: e.st, Web: eng, SiteName: "Test Desk", BaseURL: "https://news.example",
			Now: e.clock.Now, CacheTTL: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		siteH.Register(e.mux)
		e.onInvalidate.Store(siteH.Invalidate)
		return server.Chain(e.mux, server.Config{})
	})
	headline := "Tigris water release agreed"

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	if err := chromedp.Do(bctx); err != nil { // start the browser and open the tab
		t.Fatal(err)
	}
	ctx, cancelC := context.WithTimeout(bctx, 60*time.Second)
	defer cancelC()
	var mu sync.Mutex
	var jsErrors []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if ev, ok := ev.(*runtime.EventExceptionThrown); ok {
			mu.Lock()
			jsErrors = append(jsErrors, ev.ExceptionDetails.Text)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	step := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}

	// A phone's screen: the admin must work there.
	step("front page", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(3), chromedp.EmulateMobile),
		chromedp.Navigate(e.srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS(".must-read")))
	before := text(".must-read")
	step("sign-in page", chromedp.Navigate(e.srv.URL+"/admin/picks"), chromedp.WaitVisible(chromedp.ID("username")))
	loginURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	step("sign in", chromedp.SendKeys(chromedp.ID("username"), "root"), chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.CSS(`form[action="/admin/login"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("pick-article")))
	step("pin", chromedp.SendKeys(chromedp.ID("pick-article"), strconv.FormatInt(e.ids.A2, 10)),
		chromedp.Click(chromedp.CSS(`form[action="/admin/picks"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")))
	flash := text(".flash")
	shoot(t, ctx, "picks.png")
	step("front page again", chromedp.Navigate(e.srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS(".must-read")))
	after := text(".must-read")
	step("dashboard", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(e.srv.URL+"/admin/"), chromedp.WaitVisible(chromedp.CSS("svg.bars")))
	shoot(t, ctx, "dashboard.png")
	step("sources", chromedp.Navigate(e.srv.URL+"/admin/sources"), chromedp.WaitVisible(chromedp.CSS("svg.spark")))
	shoot(t, ctx, "sources.png")
	if strings.Contains(before, headline) {
		t.Fatalf("%q was in Must read before the pin", headline)
	}
	if !strings.Contains(loginURL, "/admin/login?next=%2Fadmin%2Fpicks") {
		t.Errorf("login page at %q", loginURL)
	}
	if !strings.Contains(flash, "pinned") {
		t.Errorf("flash = %q", flash)
	}
	if !strings.Contains(after, headline) {
		t.Errorf("Must read after the pin = %q, want %q in it", after, headline)
	}
	// The pinned article comes first.
	if i, j := strings.Index(after, headline), strings.Index(after, "Camp Ashraf residents"); i < 0 || j >= 0 && j < i {
		t.Errorf("pinned article is not first in %q", after)
	}
	if a := lastAudit(t, e.st); a == nil || a.Action != "pick.create" || a.Username != "root" {
		t.Errorf("audit = %+v", a)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(jsErrors) > 0 {
		t.Errorf("script errors: %q", jsErrors)
	}
}

// shoot saves a screenshot into $NEWSDESK_SCREENSHOTS, when set, for a
// person to look at.
func shoot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("NEWSDESK_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name), png, 0o644)
	}
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
	}
}
