package admin

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"newsdesk"
	"newsdesk/auth"
)

type loginData struct {
	Next     string
	Username string
	Token    string
	Error    string
}

// safeNext keeps a post-login redirect inside the admin.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/admin/") || strings.ContainsAny(next, "\\\r\n") {
		return "/admin/"
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" {
		return "/admin/"
	}
	return next
}

// loginPage shows the sign-in form. The form carries a token that must
// match a cookie set here, so that another site cannot sign a browser in
// to an account of its choosing.
func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	if _, err := h.session(r); err == nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	token := auth.NewToken()
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: token, Path: "/admin/login", HttpOnly: true,
		Secure: h.secure, SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	h.render(w, r, nil, http.StatusOK, "login", "Sign in", "", loginData{Next: safeNext(r.URL.Query().Get("next")), Token: token})
	return nil
}

// clientIP is the address the request came from. X-Forwarded-For is not
// trusted: behind a proxy, the proxy must limit logins itself or pass the
// connection's address.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// loginPost checks the password. Failures are counted per client address
// and per username; past the limit the answer is 429 with Retry-After,
// whatever the password.
func (h *Handler) loginPost(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	username := strings.TrimSpace(r.PostForm.Get("username"))
	password := r.PostForm.Get("password")
	next := safeNext(r.PostForm.Get("next"))
	ck, err := r.Cookie(loginCookie)
	if err != nil || !auth.EqualTokens(r.PostForm.Get("login_token"), ck.Value) {
		return newsdesk.Errorf(newsdesk.EFORBIDDEN, "The sign-in form has expired. Reload the page and try again.")
	}
	ipKey, userKey := "ip:"+clientIP(r), "user:"+strings.ToLower(username)
	for _, key := range []string{ipKey, userKey} {
		if ok, wait := h.limiter.Allow(key); !ok {
			secs := int(math.Ceil(wait.Seconds()))
			w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
			h.log.WarnContext(r.Context(), "admin login refused: too many failures", "username", username, "ip", clientIP(r))
			d := loginData{Next: next, Username: username, Token: ck.Value,
				Error: fmt.Sprintf("Too many failed sign-ins. Try again in %d minutes.", max(1, (secs+59)/60))}
			h.render(w, r, nil, http.StatusTooManyRequests, "login", "Sign in", "", d)
			return nil
		}
	}
	u, err := h.checkLogin(r.Context(), username, password)
	if err != nil {
		if newsdesk.ErrorCode(err) != newsdesk.EUNAUTHORIZED {
			return err
		}
		h.limiter.Fail(ipKey)
		h.limiter.Fail(userKey)
		h.log.InfoContext(r.Context(), "admin login failed", "username", username, "ip", clientIP(r))
		d := loginData{Next: next, Username: username, Token: ck.Value, Error: "Wrong username or password."}
		h.render(w, r, nil, http.StatusUnauthorized, "login", "Sign in", "", d)
		return nil
	}
	h.limiter.Reset(userKey)
	token := auth.NewToken()
	now := h.now()
	sess := &newsdesk.Session{TokenHash: auth.HashToken(token), UserID: u.ID, CSRFToken: auth.NewToken(),
		CreatedAt: now, ExpiresAt: now.Add(h.ttl)}
	if err := h.store.CreateSession(r.Context(), sess); err != nil {
		return fmt.Errorf("login %s: %w", username, err)
	}
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/admin/login", MaxAge: -1, HttpOnly: true, Secure: h.secure})
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: token, Path: "/admin", HttpOnly: true, Secure: h.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(h.ttl / time.Second)})
	c := &reqCtx{user: u, sess: sess}
	h.audit(r, c, "login", "user:"+strconv.FormatInt(u.ID, 10), "Signed in")
	h.log.InfoContext(r.Context(), "admin login", "username", u.Username)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// checkLogin returns the user whose password this is, EUNAUTHORIZED when
// the username or password is wrong. A missing user costs a hash check
// too, so that timing does not tell which usernames exist.
func (h *Handler) checkLogin(ctx context.Context, username, password string) (*newsdesk.User, error) {
	wrong := newsdesk.Errorf(newsdesk.EUNAUTHORIZED, "Wrong username or password.")
	if username == "" || password == "" {
		return nil, wrong
	}
	u, err := h.store.UserByUsername(ctx, username)
	if newsdesk.ErrorCode(err) == newsdesk.ENOTFOUND {
		if dummy, err := h.dummyHash(); err == nil {
			_ = auth.CheckPassword(dummy, password)
		}
		return nil, wrong
	} else if err != nil {
		return nil, fmt.Errorf("login %s: %w", username, err)
	}
	if err := auth.CheckPassword(u.PasswordHash, password); err != nil {
		if !errors.Is(err, auth.ErrMismatch) {
			h.log.ErrorContext(ctx, "admin login: unusable password hash", "username", username, "err", err)
		}
		return nil, wrong
	}
	return u, nil
}

// logout ends the session and clears the cookie.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := h.store.DeleteSession(r.Context(), c.sess.TokenHash); err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/admin", MaxAge: -1, HttpOnly: true,
		Secure: h.secure, SameSite: http.SameSiteLaxMode})
	h.audit(r, c, "logout", "user:"+strconv.FormatInt(c.user.ID, 10), "Signed out")
	http.Redirect(w, r, "/admin/login", http.StatusSeeOther)
	return nil
}

// EnsureEditor creates an editor account named username with a random
// password when there is none, and returns the password (shown once, by
// `serve --demo`). An existing account is left alone: created is false and
// password empty.
func EnsureEditor(ctx context.Context, st newsdesk.UserStore, username string) (password string, created bool, err error) {
	if username == "" {
		return "", false, newsdesk.Errorf(newsdesk.EINVALID, "Username required.")
	}
	_, err = st.UserByUsername(ctx, username)
	if err == nil {
		return "", false, nil
	} else if newsdesk.ErrorCode(err) != newsdesk.ENOTFOUND {
		return "", false, fmt.Errorf("ensure editor %s: %w", username, err)
	}
	password = newPassword()
	hash, err := auth.HashPassword(password, auth.DefaultParams)
	if err != nil {
		return "", false, fmt.Errorf("ensure editor %s: %w", username, err)
	}
	u := &newsdesk.User{Username: username, Name: username, Role: newsdesk.RoleEditor, PasswordHash: hash}
	if err := st.CreateUser(ctx, u); err != nil {
		return "", false, fmt.Errorf("ensure editor %s: %w", username, err)
	}
	return password, true, nil
}

// newPassword is a random password of 20 URL-safe characters (120 bits).
func newPassword() string { return auth.NewToken()[:20] }
