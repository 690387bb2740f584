package admin

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"newsdesk"
)

// sparkDays is the span of each source's sparkline.
const sparkDays = 14

type sourceRow struct {
	*newsdesk.Source
	Spark sparkline
}

type sourcesData struct {
	Sources   []sourceRow
	CanIngest bool
	Form      sourceForm
}

// sourceForm is the add/edit form's values.
type sourceForm struct {
	ID       int64
	Name     string
	Kind     string
	URL      string
	SiteURL  string
	Language string
	Licence  string
	Extract  bool
	Paused   bool
	Interval int // minutes
	// NoPageFetch: never fetch the source's article pages.
	NoPageFetch bool
}

func formOf(s *newsdesk.Source) sourceForm {
	return sourceForm{ID: s.ID, Name: s.Name, Kind: string(s.Kind), URL: s.URL, SiteURL: s.SiteURL, Language: s.Language,
		Licence: string(s.Licence), Extract: s.Extract, Paused: s.Paused, Interval: int(s.Interval / time.Minute),
		NoPageFetch: s.NoPageFetch}
}

func (h *Handler) sourcesPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	srcs, _, err := h.store.Sources(r.Context(), newsdesk.SourceFilter{})
	if err != nil {
		return fmt.Errorf("admin sources: %w", err)
	}
	perDay, err := h.itemsPerDay(r.Context(), sparkDays)
	if err != nil {
		return err
	}
	d := sourcesData{CanIngest: h.ingest != nil, Form: sourceForm{Kind: "feed", Licence: "excerpt", Interval: 15}}
	for _, s := range srcs {
		counts := perDay[s.ID]
		if counts == nil {
			counts = make([]int, sparkDays)
		}
		d.Sources = append(d.Sources, sourceRow{Source: s, Spark: newSparkline(counts)})
	}
	h.render(w, r, c, http.StatusOK, "sources", "Sources", "sources", d)
	return nil
}

type sourceData struct {
	Source    *newsdesk.Source
	Form      sourceForm
	CanIngest bool
}

func (h *Handler) sourcePage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	s, err := h.store.Source(r.Context(), id)
	if err != nil {
		return err
	}
	h.render(w, r, c, http.StatusOK, "source", s.Name, "sources", sourceData{Source: s, Form: formOf(s), CanIngest: h.ingest != nil})
	return nil
}

// readSource fills s's editable fields from the form.
func readSource(r *http.Request, s *newsdesk.Source) error {
	s.Name = strings.TrimSpace(r.PostForm.Get("name"))
	s.Kind = newsdesk.SourceKind(r.PostForm.Get("kind"))
	s.URL = strings.TrimSpace(r.PostForm.Get("url"))
	s.SiteURL = strings.TrimSpace(r.PostForm.Get("site_url"))
	s.Language = strings.TrimSpace(r.PostForm.Get("language"))
	s.Licence = newsdesk.Licence(r.PostForm.Get("licence"))
	s.Extract = r.PostForm.Get("extract") != ""
	s.Paused = r.PostForm.Get("paused") != ""
	s.NoPageFetch = r.PostForm.Get("no_page_fetch") != ""
	for _, u := range []string{s.URL, s.SiteURL} {
		if u == "" {
			continue
		}
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return newsdesk.Errorf(newsdesk.EINVALID, "%q is not an http or https address.", u)
		}
	}
	minutes := 15
	if v := strings.TrimSpace(r.PostForm.Get("interval")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 7*24*60 {
			return newsdesk.Errorf(newsdesk.EINVALID, "Interval must be between 1 minute and a week.")
		}
		minutes = n
	}
	s.Interval = time.Duration(minutes) * time.Minute
	return s.Validate()
}

func (h *Handler) sourceCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	s := &newsdesk.Source{}
	if err := readSource(r, s); err != nil {
		return err
	}
	if err := h.store.CreateSource(r.Context(), s); err != nil {
		return err
	}
	h.changed(r, c, "source.create", sourceTarget(s.ID), fmt.Sprintf("Added %s source %q (%s)", s.Kind, s.Name, s.URL))
	return done(w, r, "/admin/sources", "created")
}

func sourceTarget(id int64) string { return "source:" + strconv.FormatInt(id, 10) }

func (h *Handler) loadSource(r *http.Request) (*newsdesk.Source, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	return h.store.Source(r.Context(), id)
}

func (h *Handler) sourceUpdate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	s, err := h.loadSource(r)
	if err != nil {
		return err
	}
	if err := readSource(r, s); err != nil {
		return err
	}
	if err := h.store.UpdateSource(r.Context(), s); err != nil {
		return err
	}
	h.changed(r, c, "source.update", sourceTarget(s.ID), fmt.Sprintf("Edited source %q", s.Name))
	return done(w, r, "/admin/sources/"+strconv.FormatInt(s.ID, 10), "saved")
}

func (h *Handler) sourcePause(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return h.setPaused(w, r, c, true)
}

func (h *Handler) sourceResume(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return h.setPaused(w, r, c, false)
}

func (h *Handler) setPaused(w http.ResponseWriter, r *http.Request, c *reqCtx, paused bool) error {
	s, err := h.loadSource(r)
	if err != nil {
		return err
	}
	s.Paused = paused
	if err := h.store.UpdateSource(r.Context(), s); err != nil {
		return err
	}
	action, flash := "source.pause", "paused"
	if !paused {
		action, flash = "source.resume", "resumed"
	}
	h.audit(r, c, action, sourceTarget(s.ID), fmt.Sprintf("%s source %q", map[bool]string{true: "Paused", false: "Resumed"}[paused], s.Name))
	return done(w, r, "/admin/sources", flash)
}

func (h *Handler) sourceDelete(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	s, err := h.loadSource(r)
	if err != nil {
		return err
	}
	if err := h.store.DeleteSource(r.Context(), s.ID); err != nil {
		return err
	}
	h.changed(r, c, "source.delete", sourceTarget(s.ID), fmt.Sprintf("Deleted source %q (%s); its articles stay", s.Name, s.URL))
	return done(w, r, "/admin/sources", "deleted")
}

// sourceFetch runs Config.Ingest on the source now, while the editor
// waits; the outcome is recorded on the source as for any fetch.
func (h *Handler) sourceFetch(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if h.ingest == nil {
		return newsdesk.Errorf(newsdesk.ENOTFOUND, "Fetching on demand is not available here.")
	}
	s, err := h.loadSource(r)
	if err != nil {
		return err
	}
	h.audit(r, c, "source.fetch", sourceTarget(s.ID), fmt.Sprintf("Fetched source %q now", s.Name))
	if err := h.ingest(r.Context(), s.ID); err != nil {
		if newsdesk.ErrorCode(err) == newsdesk.EINTERNAL {
			h.log.WarnContext(r.Context(), "admin fetch now", "source", s.ID, "err", err)
			return newsdesk.Errorf(newsdesk.EINVALID, "The fetch failed; the source's page shows the reason.")
		}
		return err
	}
	h.invalidate()
	return done(w, r, "/admin/sources/"+strconv.FormatInt(s.ID, 10), "fetched")
}
