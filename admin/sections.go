package admin

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"newsdesk"
)

// sectionNode is a section with its depth in the tree, for an indented list.
type sectionNode struct {
	*newsdesk.Section
	Depth int
	Label string // name indented by depth, for <option>s
}

// flatten lists the tree depth-first, children in position order.
func flatten(t *newsdesk.SectionTree) []sectionNode {
	var out []sectionNode
	var walk func(parent int64, depth int)
	walk = func(parent int64, depth int) {
		for _, s := range t.Children(parent) {
			out = append(out, sectionNode{Section: s, Depth: depth, Label: strings.Repeat("— ", depth) + s.Name})
			if depth < 16 {
				walk(s.ID, depth+1)
			}
		}
	}
	walk(0, 0)
	return out
}

type sectionsData struct {
	Nodes []sectionNode
}

func (h *Handler) sectionTree(r *http.Request) (*newsdesk.SectionTree, error) {
	secs, err := h.store.Sections(r.Context())
	if err != nil {
		return nil, fmt.Errorf("admin sections: %w", err)
	}
	return newsdesk.NewSectionTree(secs), nil
}

func (h *Handler) sectionsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	t, err := h.sectionTree(r)
	if err != nil {
		return err
	}
	h.render(w, r, c, http.StatusOK, "sections", "Sections", "sections", sectionsData{Nodes: flatten(t)})
	return nil
}

type sectionData struct {
	Section *newsdesk.Section
	Parents []sectionNode // possible parents: not the section nor below it
}

func (h *Handler) sectionPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	t, err := h.sectionTree(r)
	if err != nil {
		return err
	}
	s := t.ByID(id)
	if s == nil {
		return newsdesk.Errorf(newsdesk.ENOTFOUND, "Section %d not found.", id)
	}
	d := sectionData{Section: s}
	for _, n := range flatten(t) {
		if !below(t, n.Section, id) {
			d.Parents = append(d.Parents, n)
		}
	}
	h.render(w, r, c, http.StatusOK, "section", s.Name, "sections", d)
	return nil
}

// below reports whether s is the section id or one of its descendants.
func below(t *newsdesk.SectionTree, s *newsdesk.Section, id int64) bool {
	for _, a := range t.Ancestors(s) {
		if a.ID == id {
			return true
		}
	}
	return false
}

// readSection fills s from the form: name, slug (from the name when
// empty), description, code, parent and position.
func readSection(r *http.Request, s *newsdesk.Section) error {
	s.Name = strings.TrimSpace(r.PostForm.Get("name"))
	s.Slug = strings.TrimSpace(r.PostForm.Get("slug"))
	if s.Slug == "" {
		s.Slug = newsdesk.Slugify(s.Name)
	} else if newsdesk.Slugify(s.Slug) != s.Slug {
		return newsdesk.Errorf(newsdesk.EINVALID, "The slug may hold only lowercase letters, digits and hyphens (try %q).", newsdesk.Slugify(s.Slug))
	}
	s.Description = strings.TrimSpace(r.PostForm.Get("description"))
	s.Code = strings.ToLower(strings.TrimSpace(r.PostForm.Get("code")))
	parent, err := formID(r, "parent")
	if err != nil {
		return err
	}
	s.ParentID = parent
	if v := strings.TrimSpace(r.PostForm.Get("position")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 10000 {
			return newsdesk.Errorf(newsdesk.EINVALID, "Position must be a number from 0.")
		}
		s.Position = n
	}
	return s.Validate()
}

func sectionTarget(id int64) string { return "section:" + strconv.FormatInt(id, 10) }

func (h *Handler) sectionCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	s := &newsdesk.Section{}
	if r.PostForm.Get("position") == "" {
		// Last among its siblings.
		t, err := h.sectionTree(r)
		if err != nil {
			return err
		}
		parent, err := formID(r, "parent")
		if err != nil {
			return err
		}
		for _, sib := range t.Children(parent) {
			s.Position = max(s.Position, sib.Position+1)
		}
	}
	if err := readSection(r, s); err != nil {
		return err
	}
	if err := h.store.CreateSection(r.Context(), s); err != nil {
		return err
	}
	h.changed(r, c, "section.create", sectionTarget(s.ID), fmt.Sprintf("Added section %q (/%s)", s.Name, s.Slug))
	return done(w, r, "/admin/sections", "created")
}

func (h *Handler) sectionUpdate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	t, err := h.sectionTree(r)
	if err != nil {
		return err
	}
	old := t.ByID(id)
	if old == nil {
		return newsdesk.Errorf(newsdesk.ENOTFOUND, "Section %d not found.", id)
	}
	s := *old
	if err := readSection(r, &s); err != nil {
		return err
	}
	if p := t.ByID(s.ParentID); s.ParentID != 0 && (p == nil || below(t, p, id)) {
		return newsdesk.Errorf(newsdesk.EINVALID, "A section cannot move under itself or one of its own sections.")
	}
	if err := h.store.UpdateSection(r.Context(), &s); err != nil {
		return err
	}
	var what []string
	if s.Name != old.Name {
		what = append(what, fmt.Sprintf("renamed %q to %q", old.Name, s.Name))
	}
	if s.ParentID != old.ParentID || s.Position != old.Position {
		what = append(what, fmt.Sprintf("moved under %d at position %d", s.ParentID, s.Position))
	}
	if len(what) == 0 {
		what = append(what, fmt.Sprintf("edited %q", s.Name))
	}
	h.changed(r, c, "section.update", sectionTarget(s.ID), "Section "+strings.Join(what, ", "))
	return done(w, r, "/admin/sections", "saved")
}

func (h *Handler) sectionDelete(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	t, err := h.sectionTree(r)
	if err != nil {
		return err
	}
	s := t.ByID(id)
	if s == nil {
		return newsdesk.Errorf(newsdesk.ENOTFOUND, "Section %d not found.", id)
	}
	if err := h.store.DeleteSection(r.Context(), id); err != nil {
		return err
	}
	h.changed(r, c, "section.delete", sectionTarget(id), fmt.Sprintf("Deleted section %q", s.Name))
	return done(w, r, "/admin/sections", "deleted")
}
