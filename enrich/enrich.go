// Package enrich files and connects each incoming article: dateline,
// language, sections, entities, near-duplicates and story. Each step lives in
// its own subpackage; an Enricher runs them in order.
package enrich

import (
	"context"
	"fmt"
	"strings"

	"newsdesk"
)

// Step is one enrichment step. It reads what earlier steps set on the
// article and adds its own fields. ex may be nil; when it is not, the step
// says why it decided as it did.
type Step interface {
	Name() string
	Enrich(ctx context.Context, a *newsdesk.Article, ex *Explanation) error
}

// Observer is implemented by steps that keep an in-memory index of stored
// articles (stories, near-duplicates): they are told of each stored batch,
// with IDs and story IDs set.
type Observer interface {
	Stored(ctx context.Context, articles []*newsdesk.Article)
}

// Enricher runs steps in order.
type Enricher struct {
	Steps []Step
}

// Enrich runs every step on a. A failing step stops the chain.
func (e *Enricher) Enrich(ctx context.Context, a *newsdesk.Article) error {
	return e.run(ctx, a, nil)
}

// Explain runs every step on a and returns why each decided as it did.
func (e *Enricher) Explain(ctx context.Context, a *newsdesk.Article) (*Explanation, error) {
	ex := &Explanation{}
	return ex, e.run(ctx, a, ex)
}

func (e *Enricher) run(ctx context.Context, a *newsdesk.Article, ex *Explanation) error {
	for _, s := range e.Steps {
		if err := s.Enrich(ctx, a, ex); err != nil {
			return fmt.Errorf("enrich %s: %w", s.Name(), err)
		}
	}
	return nil
}

// Stored tells every observing step of a stored batch.
func (e *Enricher) Stored(ctx context.Context, articles []*newsdesk.Article) {
	for _, s := range e.Steps {
		if o, ok := s.(Observer); ok {
			o.Stored(ctx, articles)
		}
	}
}

// Explanation collects the reasons steps give for their decisions.
type Explanation struct {
	Lines []ExplanationLine
}

// ExplanationLine is one reason given by one step.
type ExplanationLine struct {
	Step   string
	Reason string
}

// Add records a reason. It is a no-op on a nil Explanation, so steps call it
// unconditionally.
func (ex *Explanation) Add(step, format string, args ...any) {
	if ex == nil {
		return
	}
	ex.Lines = append(ex.Lines, ExplanationLine{Step: step, Reason: fmt.Sprintf(format, args...)})
}

// String renders the explanation one line per reason.
func (ex *Explanation) String() string {
	var b strings.Builder
	for _, l := range ex.Lines {
		fmt.Fprintf(&b, "%-9s %s\n", l.Step+":", l.Reason)
	}
	return b.String()
}
