package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"newsdesk"
	"newsdesk/store"
)

const entityCols = `id, kind, slug, name, description, created_at`

// loadAliases fills the aliases of the entities with one query.
func loadAliases(ctx context.Context, q querier, ents []*newsdesk.Entity) error {
	if len(ents) == 0 {
		return nil
	}
	al := store.NewAliases(ents)
	rows, err := q.Query(ctx, `SELECT entity_id, name FROM entity_names
		WHERE entity_id = ANY($1) AND position > 0 ORDER BY entity_id, position`, al.IDs)
	if err != nil {
		return err
	}
	defer rows.Close()
	return al.Scan(rows)
}

func (db *DB) entityWhere(ctx context.Context, what string, cond string, arg any) (*newsdesk.Entity, error) {
	e, err := dialect().ScanEntity(db.pool.QueryRow(ctx, `SELECT `+entityCols+` FROM entities WHERE `+cond, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("Entity", arg)
	} else if err != nil {
		return nil, fmt.Errorf("entity %s %v: %w", what, arg, err)
	}
	if err := loadAliases(ctx, db.pool, []*newsdesk.Entity{e}); err != nil {
		return nil, fmt.Errorf("entity %s %v: %w", what, arg, err)
	}
	return e, nil
}

// Entity returns one entity, ENOTFOUND if missing.
func (db *DB) Entity(ctx context.Context, id int64) (*newsdesk.Entity, error) {
	return db.entityWhere(ctx, "id", "id = $1", id)
}

// EntityBySlug returns one entity, ENOTFOUND if missing.
func (db *DB) EntityBySlug(ctx context.Context, slug string) (*newsdesk.Entity, error) {
	return db.entityWhere(ctx, "slug", "slug = $1", slug)
}

// EntityByName returns the entity whose name or alias equals name, case
// and spacing ignored; ENOTFOUND if none.
func (db *DB) EntityByName(ctx context.Context, name string) (*newsdesk.Entity, error) {
	e, err := db.entityWhere(ctx, "name", "id = (SELECT entity_id FROM entity_names WHERE name_key = $1)", store.NameKey(name))
	if newsdesk.ErrorCode(err) == newsdesk.ENOTFOUND {
		return nil, newsdesk.Errorf(newsdesk.ENOTFOUND, "No entity named %q.", name)
	}
	return e, err
}

// Entities returns entities by name (byte order, as on SQLite) and the
// total matching. Query matches a prefix of the name or of an alias.
func (db *DB) Entities(ctx context.Context, f newsdesk.EntityFilter) ([]*newsdesk.Entity, int, error) {
	var where []string
	var a args
	if f.Kind != nil {
		where = append(where, "kind = "+a.add(string(*f.Kind)))
	}
	if q := store.NameKey(f.Query); q != "" {
		where = append(where, "id IN (SELECT entity_id FROM entity_names WHERE name_key >= "+a.add(q)+
			" AND name_key < "+a.add(q+string(utf8.MaxRune))+")")
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := db.pool.Query(ctx, `SELECT `+entityCols+` FROM entities`+cond+` ORDER BY name COLLATE "C", id`+limitOffset(f.Limit, f.Offset), a...)
	if err != nil {
		return nil, 0, fmt.Errorf("entities: %w", err)
	}
	out, err := store.ScanAll(rows, dialect().ScanEntity)
	rows.Close()
	if err != nil {
		return nil, 0, fmt.Errorf("entities: %w", err)
	}
	if err := loadAliases(ctx, db.pool, out); err != nil {
		return nil, 0, fmt.Errorf("entities: %w", err)
	}
	total, known := store.PageTotal(len(out), f.Limit, f.Offset)
	if !known {
		if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM entities`+cond, a...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count entities: %w", err)
		}
	}
	return out, total, nil
}

// cleanAliases returns e's aliases with spacing collapsed and duplicates
// (case ignored, the name included) dropped.
func cleanAliases(e *newsdesk.Entity) []string {
	seen := map[string]bool{store.NameKey(e.Name): true}
	var aliases []string
	for _, a := range e.Aliases {
		a = strings.Join(strings.Fields(a), " ")
		if a == "" || seen[store.NameKey(a)] {
			continue
		}
		seen[store.NameKey(a)] = true
		aliases = append(aliases, a)
	}
	return aliases
}

// writeNames replaces the names of entity e: its name at position 0, then
// its aliases (e.Aliases is cleaned to match). ECONFLICT if one names
// another entity.
func writeNames(ctx context.Context, tx pgx.Tx, e *newsdesk.Entity) error {
	if _, err := tx.Exec(ctx, `DELETE FROM entity_names WHERE entity_id = $1`, e.ID); err != nil {
		return err
	}
	e.Aliases = cleanAliases(e)
	names := append([]string{e.Name}, e.Aliases...)
	for i, n := range names {
		if _, err := tx.Exec(ctx, `INSERT INTO entity_names (name_key, entity_id, name, position) VALUES ($1, $2, $3, $4)`,
			store.NameKey(n), e.ID, n, i); err != nil {
			if isUnique(err) {
				return newsdesk.Errorf(newsdesk.ECONFLICT, "The name %q already names another entity.", n)
			}
			return err
		}
	}
	return nil
}

// uniqueSlug returns base, or base-2, base-3… if taken in table.
func uniqueSlug(ctx context.Context, tx pgx.Tx, table, base string) (string, error) {
	slug := base
	for i := 2; ; i++ {
		var taken bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+table+` WHERE slug = $1)`, slug).Scan(&taken); err != nil {
			return "", err
		}
		if !taken {
			return slug, nil
		}
		slug = fmt.Sprintf("%s-%d", base, i)
	}
}

// CreateEntity stores e with its aliases and sets ID, Slug and CreatedAt.
// ECONFLICT if its name or an alias already names another entity.
func (db *DB) CreateEntity(ctx context.Context, e *newsdesk.Entity) error {
	if err := e.Validate(); err != nil {
		return err
	}
	e.Name = strings.Join(strings.Fields(e.Name), " ")
	now := db.now()
	err := db.tx(ctx, func(tx pgx.Tx) error {
		base := e.Slug
		if base == "" {
			base = newsdesk.Slugify(e.Name)
		}
		if base == "" {
			base = "entity"
		}
		slug, err := uniqueSlug(ctx, tx, "entities", base)
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO entities (kind, slug, name, description, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			string(e.Kind), slug, e.Name, e.Description, now).Scan(&e.ID); err != nil {
			if isUnique(err) { // the same slug taken by a concurrent creation
				return newsdesk.Errorf(newsdesk.ECONFLICT, "The slug %q was just taken; try again.", slug)
			}
			return err
		}
		e.Slug, e.CreatedAt = slug, now
		if err := writeNames(ctx, tx, e); err != nil {
			return err
		}
		return db.notifyScoped(ctx, tx, "entities", nil, nil)
	})
	if err != nil {
		e.ID = 0
		return fmt.Errorf("create entity %q: %w", e.Name, err)
	}
	return nil
}

// UpdateEntity saves name, kind, description and the alias list; the slug
// stays. ENOTFOUND if missing, ECONFLICT if a name names another entity.
func (db *DB) UpdateEntity(ctx context.Context, e *newsdesk.Entity) error {
	if err := e.Validate(); err != nil {
		return err
	}
	e.Name = strings.Join(strings.Fields(e.Name), " ")
	err := db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE entities SET kind = $1, name = $2, description = $3 WHERE id = $4`,
			string(e.Kind), e.Name, e.Description, e.ID)
		if err != nil {
			return err
		}
		if err := affected(tag, "Entity", e.ID); err != nil {
			return err
		}
		if err := writeNames(ctx, tx, e); err != nil {
			return err
		}
		return db.notify(ctx, tx, "entities")
	})
	if err != nil {
		return fmt.Errorf("update entity %d: %w", e.ID, err)
	}
	return nil
}

// AddAliasCandidate records a discovered alias, pending, unless the same
// (entity, alias) is already recorded or the alias already names the
// entity; c.ID is then the recorded candidate's (0 for a known name).
// ENOTFOUND if the entity is missing.
func (db *DB) AddAliasCandidate(ctx context.Context, c *newsdesk.AliasCandidate) error {
	c.Alias = strings.Join(strings.Fields(c.Alias), " ")
	if c.Alias == "" {
		return newsdesk.Errorf(newsdesk.EINVALID, "Alias required.")
	}
	if c.Status == "" {
		c.Status = newsdesk.AliasPending
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = db.now()
	}
	key := store.NameKey(c.Alias)
	err := db.tx(ctx, func(tx pgx.Tx) error {
		var exists, known bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM entities WHERE id = $1),
			EXISTS (SELECT 1 FROM entity_names WHERE entity_id = $1 AND name_key = $2)`, c.EntityID, key).Scan(&exists, &known); err != nil {
			return err
		}
		if !exists {
			return notFound("Entity", c.EntityID)
		}
		if known {
			c.ID = 0
			return nil
		}
		err := tx.QueryRow(ctx, `INSERT INTO alias_candidates (entity_id, alias, alias_key, evidence, article_id, status, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (entity_id, alias_key) DO NOTHING RETURNING id`,
			c.EntityID, c.Alias, key, c.Evidence, c.ArticleID, string(c.Status), c.CreatedAt.UTC()).Scan(&c.ID)
		if errors.Is(err, pgx.ErrNoRows) {
			return tx.QueryRow(ctx, `SELECT id FROM alias_candidates WHERE entity_id = $1 AND alias_key = $2`, c.EntityID, key).Scan(&c.ID)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("add alias candidate %q: %w", c.Alias, err)
	}
	return nil
}

// AliasCandidates lists candidates with the given status, oldest first.
func (db *DB) AliasCandidates(ctx context.Context, status newsdesk.AliasStatus, limit int) ([]*newsdesk.AliasCandidate, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, entity_id, alias, evidence, article_id, status, created_at
		FROM alias_candidates WHERE status = $1 ORDER BY created_at, id`+limitOffset(limit, 0), string(status))
	if err != nil {
		return nil, fmt.Errorf("alias candidates: %w", err)
	}
	defer rows.Close()
	var out []*newsdesk.AliasCandidate
	for rows.Next() {
		var c newsdesk.AliasCandidate
		if err := rows.Scan(&c.ID, &c.EntityID, &c.Alias, &c.Evidence, &c.ArticleID, &c.Status, tsp(&c.CreatedAt)); err != nil {
			return nil, fmt.Errorf("alias candidates: %w", err)
		}
		out = append(out, &c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("alias candidates: %w", err)
	}
	return out, nil
}

// DecideAliasCandidate accepts (adding the alias to the entity) or rejects
// a candidate. EINVALID for another status, ENOTFOUND if missing, ECONFLICT
// when accepting an alias that names another entity.
func (db *DB) DecideAliasCandidate(ctx context.Context, id int64, status newsdesk.AliasStatus) error {
	if status != newsdesk.AliasAccepted && status != newsdesk.AliasRejected {
		return newsdesk.Errorf(newsdesk.EINVALID, "A candidate is accepted or rejected, not %q.", status)
	}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		var entityID int64
		var alias string
		err := tx.QueryRow(ctx, `UPDATE alias_candidates SET status = $1 WHERE id = $2 RETURNING entity_id, alias`,
			string(status), id).Scan(&entityID, &alias)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("Alias candidate", id)
		} else if err != nil {
			return err
		}
		if status != newsdesk.AliasAccepted {
			return nil
		}
		var owner int64
		err = tx.QueryRow(ctx, `SELECT entity_id FROM entity_names WHERE name_key = $1`, store.NameKey(alias)).Scan(&owner)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return err
		case owner == entityID:
			return nil
		default:
			return newsdesk.Errorf(newsdesk.ECONFLICT, "The name %q already names another entity.", alias)
		}
		_, err = tx.Exec(ctx, `INSERT INTO entity_names (name_key, entity_id, name, position)
			VALUES ($1, $2, $3, (SELECT COALESCE(max(position), 0) + 1 FROM entity_names WHERE entity_id = $2))`,
			store.NameKey(alias), entityID, alias)
		if isUnique(err) {
			return newsdesk.Errorf(newsdesk.ECONFLICT, "The name %q already names another entity.", alias)
		} else if err != nil {
			return err
		}
		return db.notify(ctx, tx, "entities")
	})
	if err != nil {
		return fmt.Errorf("decide alias candidate %d: %w", id, err)
	}
	return nil
}
