package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"newsdesk"
	"newsdesk/api"
)

type searchFunc func(ctx context.Context, q newsdesk.SearchQuery) (*newsdesk.SearchResult, error)

func (f searchFunc) IndexArticles(context.Context, []newsdesk.SearchDoc) error { return nil }
func (f searchFunc) Search(ctx context.Context, q newsdesk.SearchQuery) (*newsdesk.SearchResult, error) {
	return f(ctx, q)
}

// A search counts its matches up to 1,000, or one past the page when it
// lies further, and says when the total is a lower bound.
func TestSearchCappedTotal(t *testing.T) {
	e := newEnv(t)
	var asked newsdesk.SearchQuery
	capped := false
	h := api.New(api.Config{Store: e.st, BaseURL: "https://news.example", Logger: slog.New(slog.DiscardHandler),
		Search: searchFunc(func(_ context.Context, q newsdesk.SearchQuery) (*newsdesk.SearchResult, error) {
			asked = q
			return &newsdesk.SearchResult{Total: 1001, TotalCapped: capped}, nil
		})})
	mux := http.NewServeMux()
	h.Register(mux)
	get := func(path string) string {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
		}
		return rec.Body.String()
	}
	for _, c := range []struct {
		path     string
		maxTotal int
	}{
		{"/api/v1/search?q=camp", 1001},
		{"/api/v1/search?q=camp&offset=980&limit=20", 1001},
		{"/api/v1/search?q=camp&offset=2000&limit=50", 2051},
	} {
		get(c.path)
		if asked.MaxTotal != c.maxTotal || asked.NoTotal {
			t.Errorf("%s: MaxTotal %d, NoTotal %v; want %d", c.path, asked.MaxTotal, asked.NoTotal, c.maxTotal)
		}
	}
	if body := get("/api/v1/search?q=camp"); !strings.Contains(body, `"total":1001,"offset"`) {
		t.Errorf("exact total: %s", body)
	}
	capped = true
	if body := get("/api/v1/search?q=camp"); !strings.Contains(body, `"total":1001,"total_capped":true`) {
		t.Errorf("capped total: %s", body)
	}
}
