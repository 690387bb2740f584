package admin

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"newsdesk"
	"newsdesk/auth"
)

// TokenPrefix starts every API token, so that a leaked one is easy to
// recognise in logs and scanners.
const TokenPrefix = "nd_"

type tokensData struct {
	Tokens []*newsdesk.APIToken
}

// tokensPage lists the signed-in user's API tokens. A token acts with its
// user's role.
func (h *Handler) tokensPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	toks, err := h.store.APITokens(r.Context(), c.user.ID)
	if err != nil {
		return fmt.Errorf("admin tokens: %w", err)
	}
	h.render(w, r, c, http.StatusOK, "tokens", "API tokens", "tokens", tokensData{Tokens: toks})
	return nil
}

func tokenTarget(id int64) string { return "api-token:" + strconv.FormatInt(id, 10) }

// tokenCreate makes a token for the signed-in user and shows it once; the
// store keeps only its hash.
func (h *Handler) tokenCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	name := strings.Join(strings.Fields(r.PostForm.Get("name")), " ")
	if name == "" {
		return newsdesk.Errorf(newsdesk.EINVALID, "Name the token after what will use it.")
	}
	t := &newsdesk.APIToken{UserID: c.user.ID, Name: name, CreatedAt: h.now()}
	if v := strings.TrimSpace(r.PostForm.Get("days")); v != "" && v != "0" {
		days, err := strconv.Atoi(v)
		if err != nil || days < 0 || days > 3650 {
			return newsdesk.Errorf(newsdesk.EINVALID, "Days must be a number from 0 (never expires) to 3650.")
		}
		t.ExpiresAt = t.CreatedAt.Add(time.Duration(days) * 24 * time.Hour)
	}
	secret := TokenPrefix + auth.NewToken()
	t.TokenHash = auth.HashToken(secret)
	if err := h.store.CreateAPIToken(r.Context(), t); err != nil {
		return err
	}
	h.audit(r, c, "token.create", tokenTarget(t.ID), fmt.Sprintf("Created API token %q", name))
	h.render(w, r, c, http.StatusOK, "secret", "New API token", "tokens", secretData{What: "API token " + name, Secret: secret,
		Note: "Send it as \"Authorization: Bearer <token>\". Copy it now: it is not shown again.", Back: "/admin/tokens"})
	return nil
}

// tokenDelete revokes one of the user's own tokens.
func (h *Handler) tokenDelete(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	toks, err := h.store.APITokens(r.Context(), c.user.ID)
	if err != nil {
		return fmt.Errorf("admin tokens: %w", err)
	}
	var tok *newsdesk.APIToken
	for _, t := range toks {
		if t.ID == id {
			tok = t
		}
	}
	if tok == nil {
		return newsdesk.Errorf(newsdesk.ENOTFOUND, "You have no token %d.", id)
	}
	if err := h.store.DeleteAPIToken(r.Context(), id); err != nil {
		return err
	}
	h.audit(r, c, "token.delete", tokenTarget(id), fmt.Sprintf("Revoked API token %q", tok.Name))
	return done(w, r, "/admin/tokens", "revoked")
}

const auditPerPage = 50

type auditData struct {
	Entries []*newsdesk.AuditEntry
	Pager   pager
}

func (h *Handler) auditPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	n := pageNum(r)
	entries, total, err := h.store.AuditLog(r.Context(), auditPerPage, (n-1)*auditPerPage)
	if err != nil {
		return fmt.Errorf("admin audit: %w", err)
	}
	h.render(w, r, c, http.StatusOK, "audit", "Audit log", "audit", auditData{Entries: entries, Pager: newPager(r, n, total, auditPerPage)})
	return nil
}
