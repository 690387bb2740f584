package admin

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"newsdesk"
)

const entitiesPerPage = 50

type candidateRow struct {
	*newsdesk.AliasCandidate
	Entity string
}

type entitiesData struct {
	Query      string
	Kind       string
	Entities   []*newsdesk.Entity
	Pager      pager
	Candidates []candidateRow
}

var entityKinds = []newsdesk.EntityKind{newsdesk.EntityPerson, newsdesk.EntityOrganisation, newsdesk.EntityPlace}

func (h *Handler) entitiesPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	q := r.URL.Query()
	d := entitiesData{Query: strings.TrimSpace(q.Get("q")), Kind: q.Get("kind")}
	f := newsdesk.EntityFilter{Query: d.Query, Limit: entitiesPerPage}
	if d.Kind != "" {
		k := newsdesk.EntityKind(d.Kind)
		f.Kind = &k
	}
	n := pageNum(r)
	f.Offset = (n - 1) * entitiesPerPage
	ents, total, err := h.store.Entities(ctx, f)
	if err != nil {
		return fmt.Errorf("admin entities: %w", err)
	}
	d.Entities, d.Pager = ents, newPager(r, n, total, entitiesPerPage)
	cands, err := h.store.AliasCandidates(ctx, newsdesk.AliasPending, 100)
	if err != nil {
		return fmt.Errorf("admin alias candidates: %w", err)
	}
	names := map[int64]string{}
	for _, cand := range cands {
		name, ok := names[cand.EntityID]
		if !ok {
			if e, err := h.store.Entity(ctx, cand.EntityID); err == nil {
				name = e.Name
			}
			names[cand.EntityID] = name
		}
		d.Candidates = append(d.Candidates, candidateRow{AliasCandidate: cand, Entity: name})
	}
	h.render(w, r, c, http.StatusOK, "entities", "Entities", "entities", d)
	return nil
}

type entityData struct {
	Entity  *newsdesk.Entity
	Aliases string // one a line
	Kinds   []newsdesk.EntityKind
}

func (h *Handler) entityPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	e, err := h.store.Entity(r.Context(), id)
	if err != nil {
		return err
	}
	h.render(w, r, c, http.StatusOK, "entity", e.Name, "entities",
		entityData{Entity: e, Aliases: strings.Join(e.Aliases, "\n"), Kinds: entityKinds})
	return nil
}

// readEntity fills e from the form; aliases are one a line (or separated
// by commas), blank and repeated ones dropped.
func readEntity(r *http.Request, e *newsdesk.Entity) error {
	e.Name = strings.TrimSpace(r.PostForm.Get("name"))
	if k := r.PostForm.Get("kind"); k != "" {
		e.Kind = newsdesk.EntityKind(k)
	}
	e.Description = strings.TrimSpace(r.PostForm.Get("description"))
	if _, ok := r.PostForm["aliases"]; ok {
		e.Aliases = splitList(r.PostForm.Get("aliases"))
	}
	return e.Validate()
}

// splitList splits on newlines and commas, trimming and dropping blanks and
// case-insensitive repeats.
func splitList(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ',' || r == '\r' }) {
		f = strings.TrimSpace(f)
		if f == "" || seen[strings.ToLower(f)] {
			continue
		}
		seen[strings.ToLower(f)] = true
		out = append(out, f)
	}
	return out
}

func entityTarget(id int64) string { return "entity:" + strconv.FormatInt(id, 10) }

func (h *Handler) entityCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	e := &newsdesk.Entity{}
	if err := readEntity(r, e); err != nil {
		return err
	}
	if err := h.store.CreateEntity(r.Context(), e); err != nil {
		return err
	}
	h.changed(r, c, "entity.create", entityTarget(e.ID), fmt.Sprintf("Added %s %q", e.Kind, e.Name))
	return done(w, r, "/admin/entities/"+strconv.FormatInt(e.ID, 10), "created")
}

func (h *Handler) entityUpdate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	e, err := h.store.Entity(r.Context(), id)
	if err != nil {
		return err
	}
	oldName, oldAliases := e.Name, strings.Join(e.Aliases, ", ")
	if err := readEntity(r, e); err != nil {
		return err
	}
	if err := h.store.UpdateEntity(r.Context(), e); err != nil {
		return err
	}
	detail := fmt.Sprintf("Edited %q", e.Name)
	if oldName != e.Name {
		detail += fmt.Sprintf(" (was %q)", oldName)
	}
	if aliases := strings.Join(e.Aliases, ", "); aliases != oldAliases {
		detail += "; aliases: " + aliases
	}
	h.changed(r, c, "entity.update", entityTarget(e.ID), detail)
	return done(w, r, "/admin/entities/"+strconv.FormatInt(e.ID, 10), "saved")
}

func (h *Handler) aliasAccept(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return h.decideAlias(w, r, c, newsdesk.AliasAccepted)
}

func (h *Handler) aliasReject(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return h.decideAlias(w, r, c, newsdesk.AliasRejected)
}

func (h *Handler) decideAlias(w http.ResponseWriter, r *http.Request, c *reqCtx, st newsdesk.AliasStatus) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	// The candidate's alias, for the audit log.
	detail := fmt.Sprintf("Alias candidate %d %s", id, st)
	if cands, err := h.store.AliasCandidates(r.Context(), newsdesk.AliasPending, 1000); err == nil {
		for _, cand := range cands {
			if cand.ID == id {
				detail = fmt.Sprintf("%s alias %q of entity %d", map[newsdesk.AliasStatus]string{
					newsdesk.AliasAccepted: "Accepted", newsdesk.AliasRejected: "Rejected"}[st], cand.Alias, cand.EntityID)
			}
		}
	}
	if err := h.store.DecideAliasCandidate(r.Context(), id, st); err != nil {
		return err
	}
	if st == newsdesk.AliasAccepted {
		h.changed(r, c, "alias.accept", "alias-candidate:"+strconv.FormatInt(id, 10), detail)
		return done(w, r, "/admin/entities", "accepted")
	}
	h.audit(r, c, "alias.reject", "alias-candidate:"+strconv.FormatInt(id, 10), detail)
	return done(w, r, "/admin/entities", "rejected")
}
