package admin

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"newsdesk"
)

type pickRow struct {
	*newsdesk.Pick
	State   string // "shown", "expired", "unpublished"
	Expires string // datetime-local value
	First   bool
	Last    bool
}

type picksData struct {
	Picks []pickRow
}

func (h *Handler) picksPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	picks, err := h.store.AllPicks(r.Context())
	if err != nil {
		return fmt.Errorf("admin picks: %w", err)
	}
	now := h.now()
	var d picksData
	for i, p := range picks {
		row := pickRow{Pick: p, State: "shown", Expires: inputTime(p.ExpiresAt), First: i == 0, Last: i == len(picks)-1}
		switch {
		case p.Article != nil && p.Article.Status != newsdesk.StatusPublished:
			row.State = "unpublished"
		case !p.Active(now):
			row.State = "expired"
		}
		d.Picks = append(d.Picks, row)
	}
	h.render(w, r, c, http.StatusOK, "picks", "Must read", "picks", d)
	return nil
}

func pickTarget(id int64) string { return "pick:" + strconv.FormatInt(id, 10) }

// pickCreate pins an article (by id) at the top of "Must read", or at the
// position asked for, with an optional expiry.
func (h *Handler) pickCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	articleID, err := formID(r, "article_id")
	if err != nil {
		return err
	}
	if articleID == 0 {
		return newsdesk.Errorf(newsdesk.EINVALID, "Give the number of the article to pin.")
	}
	a, err := h.store.Article(r.Context(), articleID)
	if newsdesk.ErrorCode(err) == newsdesk.ENOTFOUND {
		return newsdesk.Errorf(newsdesk.EINVALID, "There is no article %d.", articleID)
	} else if err != nil {
		return err
	}
	expires, err := formTime(r, "expires")
	if err != nil {
		return err
	}
	if !expires.IsZero() && !expires.After(h.now()) {
		return newsdesk.Errorf(newsdesk.EINVALID, "The expiry must be in the future.")
	}
	p := &newsdesk.Pick{ArticleID: a.ID, ExpiresAt: expires, CreatedBy: c.user.ID, CreatedAt: h.now()}
	if v := strings.TrimSpace(r.PostForm.Get("position")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return newsdesk.Errorf(newsdesk.EINVALID, "Position must be 1 or more.")
		}
		p.Position = n - 1
	}
	if err := h.store.CreatePick(r.Context(), p); err != nil {
		if newsdesk.ErrorCode(err) == newsdesk.ECONFLICT {
			return newsdesk.Errorf(newsdesk.ECONFLICT, "This article is already in Must read.")
		}
		return err
	}
	detail := fmt.Sprintf("Pinned article %d %q at %d", a.ID, a.Headline, p.Position+1)
	if !expires.IsZero() {
		detail += " until " + expires.UTC().Format(dateTimeLayout) + " UTC"
	}
	h.changed(r, c, "pick.create", pickTarget(p.ID), detail)
	back := "/admin/picks"
	if r.PostForm.Get("back") == "articles" {
		back = "/admin/articles"
	}
	return done(w, r, back, "pinned")
}

// findPick returns the pick of the path's id and its index among all picks.
func (h *Handler) findPick(r *http.Request) (*newsdesk.Pick, int, []*newsdesk.Pick, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, 0, nil, err
	}
	picks, err := h.store.AllPicks(r.Context())
	if err != nil {
		return nil, 0, nil, fmt.Errorf("admin picks: %w", err)
	}
	for i, p := range picks {
		if p.ID == id {
			return p, i, picks, nil
		}
	}
	return nil, 0, nil, newsdesk.Errorf(newsdesk.ENOTFOUND, "Pick %d not found.", id)
}

func (h *Handler) pickUp(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return h.movePick(w, r, c, -1)
}

func (h *Handler) pickDown(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return h.movePick(w, r, c, +1)
}

func (h *Handler) movePick(w http.ResponseWriter, r *http.Request, c *reqCtx, by int) error {
	p, i, picks, err := h.findPick(r)
	if err != nil {
		return err
	}
	to := i + by
	if to < 0 || to >= len(picks) {
		return done(w, r, "/admin/picks", "")
	}
	if err := h.store.MovePick(r.Context(), p.ID, to); err != nil {
		return err
	}
	h.changed(r, c, "pick.move", pickTarget(p.ID), fmt.Sprintf("Moved pick of article %d from %d to %d", p.ArticleID, i+1, to+1))
	return done(w, r, "/admin/picks", "moved")
}

func (h *Handler) pickExpiry(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, _, _, err := h.findPick(r)
	if err != nil {
		return err
	}
	expires, err := formTime(r, "expires")
	if err != nil {
		return err
	}
	if err := h.store.UpdatePickExpiry(r.Context(), p.ID, expires); err != nil {
		return err
	}
	detail := fmt.Sprintf("Pick of article %d never expires", p.ArticleID)
	if !expires.IsZero() {
		detail = fmt.Sprintf("Pick of article %d expires %s UTC", p.ArticleID, expires.UTC().Format(dateTimeLayout))
	}
	h.changed(r, c, "pick.expiry", pickTarget(p.ID), detail)
	return done(w, r, "/admin/picks", "saved")
}

func (h *Handler) pickDelete(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, _, _, err := h.findPick(r)
	if err != nil {
		return err
	}
	if err := h.store.DeletePick(r.Context(), p.ID); err != nil {
		return err
	}
	headline := ""
	if p.Article != nil {
		headline = p.Article.Headline
	}
	h.changed(r, c, "pick.delete", pickTarget(p.ID), fmt.Sprintf("Unpinned article %d %q", p.ArticleID, headline))
	return done(w, r, "/admin/picks", "unpinned")
}
