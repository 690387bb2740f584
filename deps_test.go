package newsdesk_test

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// allowedImports lists, for each package of the module, the other packages
// of the module it may import. The root package is the vocabulary that
// everyone may import; pipeline stages never import each other; only
// cmd/newsdesk wires concrete packages together. A package missing from
// this table fails the test, so a new package's place is decided on purpose.
var allowedImports = map[string][]string{
	"newsdesk":                 {},
	"newsdesk/fetch":           {},
	"newsdesk/parse":           {},
	"newsdesk/opml":            {},
	"newsdesk/extract":         {},
	"newsdesk/sanitize":        {},
	"newsdesk/gazetteer":       {},
	"newsdesk/textsim":         {},
	"newsdesk/enrich":          {},
	"newsdesk/enrich/*":        {"newsdesk/enrich", "newsdesk/gazetteer", "newsdesk/textsim"},
	"newsdesk/index":           {"newsdesk/textsim"},
	"newsdesk/related":         {"newsdesk/textsim"},
	"newsdesk/recommend":       {"newsdesk/textsim"},
	"newsdesk/syndication":     {},
	"newsdesk/web":             {},
	"newsdesk/auth":            {},
	"newsdesk/imageproxy":      {},
	"newsdesk/metrics":         {},
	"newsdesk/logging":         {},
	"newsdesk/ingest":          {"newsdesk/logging", "newsdesk/metrics"},
	"newsdesk/store":           {},
	"newsdesk/store/sqlite":    {"newsdesk/store"},
	"newsdesk/store/postgres":  {"newsdesk/store"},
	"newsdesk/store/storetest": {},
	"newsdesk/demo":            {},
	"newsdesk/site":            {"newsdesk/web", "newsdesk/syndication"},
	"newsdesk/admin":           {"newsdesk/web", "newsdesk/auth"},
	"newsdesk/api":             {"newsdesk/auth"},
	"newsdesk/server":          {"newsdesk/logging", "newsdesk/metrics"},
	"newsdesk/websub":          {},
	"newsdesk/cmd/newsdesk":    {"*"},
}

func allowed(pkg string) ([]string, bool) {
	if a, ok := allowedImports[pkg]; ok {
		return a, true
	}
	if i := strings.LastIndex(pkg, "/"); i > 0 {
		if a, ok := allowedImports[pkg[:i]+"/*"]; ok {
			return a, true
		}
	}
	return nil, false
}

func TestImportDirection(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		pkg, imports := fields[0], fields[1:]
		allow, ok := allowed(pkg)
		if !ok {
			t.Errorf("package %s has no entry in allowedImports: decide which module packages it may import", pkg)
			continue
		}
		for _, imp := range imports {
			if imp != "newsdesk" && !strings.HasPrefix(imp, "newsdesk/") {
				continue // standard library or a third-party library
			}
			if imp == "newsdesk" || contains(allow, "*") || contains(allow, imp) {
				continue
			}
			t.Errorf("%s imports %s: not allowed (allowed: %v)", pkg, imp, allow)
		}
		if pkg == "newsdesk" {
			for _, imp := range imports {
				if strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") {
					t.Errorf("the root package imports %s: it must use the standard library only", imp)
				}
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
