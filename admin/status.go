package admin

import (
	"context"
	"net/http"
	"time"

	"newsdesk"
)

// StatusCheck is one fact of the site's health, as /readyz checks it.
type StatusCheck struct {
	Name   string
	OK     bool
	Detail string
}

type statusData struct {
	Checks  []StatusCheck
	OK      bool
	Sources int
	Failing []*newsdesk.Source
	Paused  int
	Checked time.Time
}

// statusPage shows editors the same facts as /readyz — database reachable,
// migrations applied, scheduler running — with the sources' health.
func (h *Handler) statusPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	d := statusData{OK: true, Checked: h.now()}
	if h.status != nil {
		d.Checks = h.status(ctx)
	} else {
		check := StatusCheck{Name: "Database", OK: true, Detail: "reachable"}
		if err := h.store.Ping(ctx); err != nil {
			check.OK, check.Detail = false, err.Error()
		}
		d.Checks = []StatusCheck{check}
	}
	for _, ch := range d.Checks {
		d.OK = d.OK && ch.OK
	}
	srcs, total, err := h.store.Sources(ctx, newsdesk.SourceFilter{})
	if err != nil {
		return err
	}
	d.Sources = total
	for _, s := range srcs {
		switch {
		case s.Paused:
			d.Paused++
		case s.Failures > 0:
			d.Failing = append(d.Failing, s)
		}
	}
	h.render(w, r, c, http.StatusOK, "status", "Status", "status", d)
	return nil
}
