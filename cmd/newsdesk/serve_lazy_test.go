package main

import (
	"context"
	"errors"
	"testing"

	"newsdesk"
	"newsdesk/ingest"
)

type countEnricher struct{ enriched, stored int }

func (c *countEnricher) Enrich(context.Context, *newsdesk.Article) error { c.enriched++; return nil }
func (c *countEnricher) Stored(context.Context, []*newsdesk.Article)     { c.stored++ }

// serve --no-ingest builds the enrichment chain on its first use only, and
// again after a failed build.
func TestLazyEnricher(t *testing.T) {
	ctx := context.Background()
	builds, fail := 0, true
	inner := &countEnricher{}
	l := &lazyEnricher{build: func(context.Context) (ingest.Enricher, error) {
		builds++
		if fail {
			return nil, errors.New("database gone")
		}
		return inner, nil
	}}
	if builds != 0 {
		t.Fatal("built before use")
	}
	if err := l.Enrich(ctx, &newsdesk.Article{}); err == nil {
		t.Fatal("a failed build did not fail Enrich")
	}
	fail = false
	for range 3 {
		if err := l.Enrich(ctx, &newsdesk.Article{}); err != nil {
			t.Fatal(err)
		}
	}
	l.Stored(ctx, nil)
	if builds != 2 || inner.enriched != 3 || inner.stored != 1 {
		t.Errorf("builds %d, enriched %d, stored %d", builds, inner.enriched, inner.stored)
	}
}
