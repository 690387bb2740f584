package newsdesk

import (
	"context"
	"time"
)

// EntityKind is what an entity is.
type EntityKind string

const (
	EntityPerson       EntityKind = "person"
	EntityOrganisation EntityKind = "organisation"
	EntityPlace        EntityKind = "place"
)

// Entity is a person, organisation or place, known by one name and any
// number of aliases ("Mujahedeen-e-Khalq", "MEK", "MKO").
type Entity struct {
	ID          int64
	Kind        EntityKind
	Slug        string
	Name        string   // canonical name
	Aliases     []string // other names, acronyms and spellings
	Description string
	CreatedAt   time.Time
}

// Path is the entity's page on the site.
func (e *Entity) Path() string { return "/entity/" + e.Slug }

// Validate reports whether the entity can be stored.
func (e *Entity) Validate() error {
	if e.Name == "" {
		return Errorf(EINVALID, "Entity name required.")
	}
	switch e.Kind {
	case EntityPerson, EntityOrganisation, EntityPlace:
	default:
		return Errorf(EINVALID, "Unknown entity kind %q.", e.Kind)
	}
	return nil
}

// AliasStatus is where an alias candidate stands with the editors.
type AliasStatus string

const (
	AliasPending  AliasStatus = "pending"
	AliasAccepted AliasStatus = "accepted"
	AliasRejected AliasStatus = "rejected"
)

// AliasCandidate is an alias found in text ("X, or Y", "also known as"),
// waiting for an editor to accept or reject it.
type AliasCandidate struct {
	ID        int64
	EntityID  int64
	Alias     string
	Evidence  string // the sentence it was found in
	ArticleID int64
	Status    AliasStatus
	CreatedAt time.Time
}

// EntityFilter selects entities. Zero fields do not filter.
type EntityFilter struct {
	Kind   *EntityKind
	Query  string // prefix of the name or an alias
	Offset int
	Limit  int
}

// EntityStore keeps entities and their aliases.
type EntityStore interface {
	// Entity returns one entity, ENOTFOUND if missing.
	Entity(ctx context.Context, id int64) (*Entity, error)
	// EntityBySlug returns one entity, ENOTFOUND if missing.
	EntityBySlug(ctx context.Context, slug string) (*Entity, error)
	// EntityByName returns the entity whose name or alias equals name
	// (case-insensitively), ENOTFOUND if none.
	EntityByName(ctx context.Context, name string) (*Entity, error)
	// Entities returns entities by name and the total matching.
	Entities(ctx context.Context, f EntityFilter) ([]*Entity, int, error)
	// CreateEntity stores e with its aliases and sets ID and Slug.
	// ECONFLICT if its name or an alias already names another entity.
	CreateEntity(ctx context.Context, e *Entity) error
	// UpdateEntity saves name, kind, description and the alias list.
	UpdateEntity(ctx context.Context, e *Entity) error
	// AddAliasCandidate records a discovered alias unless the same
	// (entity, alias) is already recorded.
	AddAliasCandidate(ctx context.Context, c *AliasCandidate) error
	// AliasCandidates lists candidates with the given status.
	AliasCandidates(ctx context.Context, status AliasStatus, limit int) ([]*AliasCandidate, error)
	// DecideAliasCandidate accepts (adding the alias to the entity) or
	// rejects a candidate.
	DecideAliasCandidate(ctx context.Context, id int64, status AliasStatus) error
}
