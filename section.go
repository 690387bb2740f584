package newsdesk

import "context"

// Section is a node of the site's section tree: a region ("Iran & its
// neighbours") or a country under it ("Iraq").
type Section struct {
	ID          int64
	ParentID    int64  // 0 for a top-level section
	Slug        string // unique across the tree
	Name        string
	Description string
	// Code ties the section to a place: an ISO 3166 alpha-2 country code
	// ("iq") or a region code; section filing maps places to it.
	Code     string
	Position int // order among siblings
}

// Path is the section's page on the site.
func (s *Section) Path() string { return "/section/" + s.Slug }

// Validate reports whether the section can be stored.
func (s *Section) Validate() error {
	if s.Name == "" || s.Slug == "" {
		return Errorf(EINVALID, "Section name and slug required.")
	}
	return nil
}

// SectionTree is the whole section tree, loaded at once: it is small.
type SectionTree struct {
	All      []*Section
	byID     map[int64]*Section
	bySlug   map[string]*Section
	byCode   map[string]*Section
	children map[int64][]*Section
}

// NewSectionTree indexes sections (in position order) as a tree.
func NewSectionTree(sections []*Section) *SectionTree {
	t := &SectionTree{
		All:      sections,
		byID:     make(map[int64]*Section, len(sections)),
		bySlug:   make(map[string]*Section, len(sections)),
		byCode:   make(map[string]*Section, len(sections)),
		children: make(map[int64][]*Section),
	}
	for _, s := range sections {
		t.byID[s.ID] = s
		t.bySlug[s.Slug] = s
		if s.Code != "" {
			t.byCode[s.Code] = s
		}
		t.children[s.ParentID] = append(t.children[s.ParentID], s)
	}
	return t
}

// ByID returns the section with this ID, or nil.
func (t *SectionTree) ByID(id int64) *Section { return t.byID[id] }

// BySlug returns the section with this slug, or nil.
func (t *SectionTree) BySlug(slug string) *Section { return t.bySlug[slug] }

// ByCode returns the section tied to this place code, or nil.
func (t *SectionTree) ByCode(code string) *Section { return t.byCode[code] }

// Children returns the sections directly under id (0 for the top level).
func (t *SectionTree) Children(id int64) []*Section { return t.children[id] }

// Ancestors returns the chain from the top-level section down to s, s included.
func (t *SectionTree) Ancestors(s *Section) []*Section {
	var chain []*Section
	for cur, n := s, 0; cur != nil && n < 32; cur, n = t.byID[cur.ParentID], n+1 {
		chain = append([]*Section{cur}, chain...)
	}
	return chain
}

// SectionStore keeps the section tree and editors' filing.
type SectionStore interface {
	// Sections returns every section, parents before children, siblings in
	// position order.
	Sections(ctx context.Context) ([]*Section, error)
	// CreateSection stores s and sets its ID. ECONFLICT on a duplicate slug.
	CreateSection(ctx context.Context, s *Section) error
	// UpdateSection saves s. ENOTFOUND if missing.
	UpdateSection(ctx context.Context, s *Section) error
	// DeleteSection removes a section without children; articles filed only
	// there become unfiled. EINVALID if it has children.
	DeleteSection(ctx context.Context, id int64) error
}
