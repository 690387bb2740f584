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

// userRow is what the admin shows of a user: never the password hash.
type userRow struct {
	ID        int64
	Username  string
	Name      string
	Role      newsdesk.Role
	CreatedAt time.Time
	Self      bool
}

func rowOf(u *newsdesk.User, self int64) userRow {
	return userRow{ID: u.ID, Username: u.Username, Name: u.Name, Role: u.Role, CreatedAt: u.CreatedAt, Self: u.ID == self}
}

type usersData struct {
	Users []userRow
}

func (h *Handler) usersPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	us, err := h.store.Users(r.Context())
	if err != nil {
		return fmt.Errorf("admin users: %w", err)
	}
	var d usersData
	for _, u := range us {
		d.Users = append(d.Users, rowOf(u, c.user.ID))
	}
	h.render(w, r, c, http.StatusOK, "users", "Users", "users", d)
	return nil
}

type userData struct {
	User userRow
}

func (h *Handler) userPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	u, err := h.loadUser(r)
	if err != nil {
		return err
	}
	h.render(w, r, c, http.StatusOK, "user", u.Username, "users", userData{User: rowOf(u, c.user.ID)})
	return nil
}

func (h *Handler) loadUser(r *http.Request) (*newsdesk.User, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	return h.store.User(r.Context(), id)
}

func userTarget(id int64) string { return "user:" + strconv.FormatInt(id, 10) }

func readRole(r *http.Request) (newsdesk.Role, error) {
	role := newsdesk.Role(r.PostForm.Get("role"))
	if role != newsdesk.RoleAdmin && role != newsdesk.RoleEditor {
		return "", newsdesk.Errorf(newsdesk.EINVALID, "Choose the role: editor or admin.")
	}
	return role, nil
}

// secretData shows a generated password or token once.
type secretData struct {
	What   string // "Password of ed", "API token newsletter"
	Secret string
	Note   string
	Back   string
}

// userCreate adds an account. The password is typed by the admin, or
// generated and shown once when left empty.
func (h *Handler) userCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	role, err := readRole(r)
	if err != nil {
		return err
	}
	u := &newsdesk.User{Username: strings.TrimSpace(r.PostForm.Get("username")), Name: strings.TrimSpace(r.PostForm.Get("name")), Role: role}
	if strings.ContainsAny(u.Username, " \t\r\n/") || len(u.Username) > 64 {
		return newsdesk.Errorf(newsdesk.EINVALID, "A username has no spaces or slashes and at most 64 characters.")
	}
	password := r.PostForm.Get("password")
	generated := password == ""
	if generated {
		password = newPassword()
	}
	if u.PasswordHash, err = auth.HashPassword(password, auth.DefaultParams); err != nil {
		return err
	}
	if err := h.store.CreateUser(r.Context(), u); err != nil {
		return err
	}
	h.audit(r, c, "user.create", userTarget(u.ID), fmt.Sprintf("Added %s %q", u.Role, u.Username))
	if !generated {
		return done(w, r, "/admin/users", "created")
	}
	h.render(w, r, c, http.StatusOK, "secret", "New user", "users", secretData{What: "Password of " + u.Username, Secret: password,
		Note: "Give it to " + u.Username + " in person or by another safe channel. It is not shown again.", Back: "/admin/users"})
	return nil
}

// userRole changes a user's role; an admin cannot demote themselves, so
// that there is always an admin left to undo it.
func (h *Handler) userRole(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	u, err := h.loadUser(r)
	if err != nil {
		return err
	}
	role, err := readRole(r)
	if err != nil {
		return err
	}
	if u.ID == c.user.ID && role != newsdesk.RoleAdmin {
		return newsdesk.Errorf(newsdesk.EINVALID, "You cannot take the admin role from yourself; ask another admin.")
	}
	old := u.Role
	u.Role = role
	if err := h.store.UpdateUser(r.Context(), u); err != nil {
		return err
	}
	h.audit(r, c, "user.role", userTarget(u.ID), fmt.Sprintf("Role of %q: %s → %s", u.Username, old, role))
	return done(w, r, "/admin/users", "role")
}

// userPassword resets a user's password to a new random one, shown once.
// Sessions already open run to their expiry (the store cannot end one
// user's sessions short of removing the user).
func (h *Handler) userPassword(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	u, err := h.loadUser(r)
	if err != nil {
		return err
	}
	password := newPassword()
	if u.PasswordHash, err = auth.HashPassword(password, auth.DefaultParams); err != nil {
		return err
	}
	if err := h.store.UpdateUser(r.Context(), u); err != nil {
		return err
	}
	h.audit(r, c, "user.password", userTarget(u.ID), fmt.Sprintf("Reset the password of %q", u.Username))
	h.render(w, r, c, http.StatusOK, "secret", "Password reset", "users", secretData{What: "New password of " + u.Username, Secret: password,
		Note: "Give it to " + u.Username + " in person or by another safe channel. It is not shown again.", Back: "/admin/users"})
	return nil
}

func (h *Handler) userDelete(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	u, err := h.loadUser(r)
	if err != nil {
		return err
	}
	if u.ID == c.user.ID {
		return newsdesk.Errorf(newsdesk.EINVALID, "You cannot remove your own account.")
	}
	if err := h.store.DeleteUser(r.Context(), u.ID); err != nil {
		return err
	}
	h.audit(r, c, "user.delete", userTarget(u.ID), fmt.Sprintf("Removed %s %q", u.Role, u.Username))
	return done(w, r, "/admin/users", "deleted")
}
