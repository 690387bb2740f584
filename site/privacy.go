package site

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"newsdesk"
)

type privacyPage struct {
	page
	Status   string
	Message  string
	OptedOut bool
	History  []historyItem
}

type historyItem struct {
	Article *newsdesk.Article // nil when the article is gone
	At      time.Time
}

// historyLimit is how much of a reader's history the privacy page lists.
const historyLimit = 100

// privacy shows what is kept about the reader. It is personal and never
// cached.
func (h *Handler) privacy(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := &privacyPage{page: h.basePage(ctx, "Privacy and recommendations", "/privacy")}
	p.NoIndex = true
	p.Description = "What " + h.name + " keeps about its readers, and how to turn it off."
	noTrack := headerIs(r, "Sec-Gpc", "1") || headerIs(r, "Dnt", "1")
	p.OptedOut = cookieValue(r, optOutCookie) == "1"
	id := cookieValue(r, readerCookie)
	switch {
	case p.OptedOut:
		p.Status = "Recommendations are off: nothing is kept about your reading."
	case noTrack:
		p.Status = "Your browser asks sites not to track it, so nothing is kept about your reading."
	case validReaderID(id):
		p.Status = "Recommendations are on: the reports you read are kept with your random reader number."
	default:
		p.Status = "Nothing is kept yet. A random reader number is set when you read a report."
	}
	switch r.URL.Query().Get("done") {
	case "optout":
		p.Message = "Recommendations are off and your history is erased."
	case "optin":
		p.Message = "Recommendations are on."
	case "erase":
		p.Message = "Your reading history is erased."
	}
	if validReaderID(id) {
		events, err := h.store.ReadHistory(ctx, id, historyLimit)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		ids := make([]int64, 0, len(events))
		for _, e := range events {
			ids = append(ids, e.ArticleID)
		}
		byID := map[int64]*newsdesk.Article{}
		if len(ids) > 0 {
			arts, _, err := h.store.Articles(ctx, newsdesk.ArticleFilter{IDs: ids, Limit: len(ids), NoTotal: true, Cards: true})
			if err != nil {
				h.fail(w, r, err)
				return
			}
			for _, a := range arts {
				byID[a.ID] = a
			}
		}
		for _, e := range events {
			p.History = append(p.History, historyItem{Article: byID[e.ArticleID], At: e.At})
		}
	}
	buf := h.getBuf()
	defer h.putBuf(buf)
	if err := h.web.Render(buf, "site/privacy", p); err != nil {
		h.fail(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "private, no-store")
	w.Write(buf.Bytes())
}

// privacyPost turns recommendations off or on and erases history. It only
// acts on requests from the site's own pages.
func (h *Handler) privacyPost(w http.ResponseWriter, r *http.Request) {
	if !h.sameOrigin(r) {
		h.fail(w, r, newsdesk.Errorf(newsdesk.EFORBIDDEN, "This form must be sent from this site's own page."))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, newsdesk.Errorf(newsdesk.EINVALID, "The form could not be read."))
		return
	}
	ctx := r.Context()
	id := cookieValue(r, readerCookie)
	action := r.PostForm.Get("action")
	switch action {
	case "optout", "erase":
		if validReaderID(id) {
			// Through the read queue, so that views still queued are
			// not written after the history is erased.
			if err := h.reads.erase(ctx, id); err != nil {
				h.fail(w, r, err)
				return
			}
			// Nothing kept from the erased history is used again.
			h.views.forget(id)
			h.recs.remove(id)
		}
		// A new random number is set on the next report read (unless
		// opted out), so the erased history cannot be tied to it.
		http.SetCookie(w, h.cookie(readerCookie, "", -1))
		if action == "optout" {
			http.SetCookie(w, h.cookie(optOutCookie, "1", cookieMaxAge))
		}
	case "optin":
		http.SetCookie(w, h.cookie(optOutCookie, "", -1))
	default:
		h.fail(w, r, newsdesk.Errorf(newsdesk.EINVALID, "Unknown action."))
		return
	}
	http.Redirect(w, r, "/privacy?done="+action, http.StatusSeeOther)
}

// sameOrigin reports whether a form post comes from the site itself:
// Sec-Fetch-Site must say same-origin, or, from browsers that do not send
// it, Origin must be the site's own origin. A request with neither is
// refused.
func (h *Handler) sameOrigin(r *http.Request) bool {
	if sfs := r.Header.Get("Sec-Fetch-Site"); sfs != "" {
		return sfs == "same-origin"
	}
	origin := r.Header.Get("Origin")
	if origin == "" || origin == "null" {
		return false
	}
	if strings.EqualFold(origin, h.origin()) {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host) && (u.Scheme == "https" || !h.secure)
}

// origin is scheme://host of the base URL.
func (h *Handler) origin() string {
	u, err := url.Parse(h.baseURL)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}
