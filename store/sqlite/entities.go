package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode/utf8"

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
	rows, err := q.QueryContext(ctx, `SELECT entity_id, name FROM entity_names
		WHERE entity_id IN (SELECT value FROM json_each(?)) AND position > 0 ORDER BY entity_id, position`, jsonIDs(al.IDs))
	if err != nil {
		return err
	}
	defer rows.Close()
	return al.Scan(rows)
}

func (db *DB) entityWhere(ctx context.Context, what string, cond string, arg any) (*newsdesk.Entity, error) {
	e, err := dialect().ScanEntity(db.r.QueryRowContext(ctx, `SELECT `+entityCols+` FROM entities WHERE `+cond, arg))
	if err == sql.ErrNoRows {
		return nil, notFound("Entity", arg)
	} else if err != nil {
		return nil, fmt.Errorf("entity %s %v: %w", what, arg, err)
	}
	if err := loadAliases(ctx, db.r, []*newsdesk.Entity{e}); err != nil {
		return nil, fmt.Errorf("entity %s %v: %w", what, arg, err)
	}
	return e, nil
}

// Entity returns one entity, ENOTFOUND if missing.
func (db *DB) Entity(ctx context.Context, id int64) (*newsdesk.Entity, error) {
	return db.entityWhere(ctx, "id", "id = ?", id)
}

// EntityBySlug returns one entity, ENOTFOUND if missing.
func (db *DB) EntityBySlug(ctx context.Context, slug string) (*newsdesk.Entity, error) {
	return db.entityWhere(ctx, "slug", "slug = ?", slug)
}

// EntityByName returns the entity whose name or alias equals name, case
// and spacing ignored; ENOTFOUND if none.
func (db *DB) EntityByName(ctx context.Context, name string) (*newsdesk.Entity, error) {
	e, err := db.entityWhere(ctx, "name", "id = (SELECT entity_id FROM entity_names WHERE name_key = ?)", store.NameKey(name))
	if newsdesk.ErrorCode(err) == newsdesk.ENOTFOUND {
		return nil, newsdesk.Errorf(newsdesk.ENOTFOUND, "No entity named %q.", name)
	}
	return e, err
}

// Entities returns entities by name and the total matching. Query matches
// a prefix of the name or of an alias.
func (db *DB) Entities(ctx context.Context, f newsdesk.EntityFilter) ([]*newsdesk.Entity, int, error) {
	var where []string
	var args []any
	if f.Kind != nil {
		where, args = append(where, "kind = ?"), append(args, string(*f.Kind))
	}
	if q := store.NameKey(f.Query); q != "" {
		where = append(where, "id IN (SELECT entity_id FROM entity_names WHERE name_key >= ? AND name_key < ?)")
		args = append(args, q, q+string(utf8.MaxRune))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+entityCols+` FROM entities`+cond+` ORDER BY name, id`+limitOffset(f.Limit, f.Offset), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("entities: %w", err)
	}
	defer rows.Close()
	out, err := store.ScanAll(rows, dialect().ScanEntity)
	if err != nil {
		return nil, 0, fmt.Errorf("entities: %w", err)
	}
	rows.Close()
	if err := loadAliases(ctx, db.r, out); err != nil {
		return nil, 0, fmt.Errorf("entities: %w", err)
	}
	total, known := store.PageTotal(len(out), f.Limit, f.Offset)
	if !known {
		if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM entities`+cond, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count entities: %w", err)
		}
	}
	return out, total, nil
}

// writeNames replaces the names of entity e: its name at position 0, then
// its aliases (duplicates, case ignored, dropped; e.Aliases is cleaned to
// match). ECONFLICT if one names another entity.
func writeNames(ctx context.Context, tx *sql.Tx, e *newsdesk.Entity) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM entity_names WHERE entity_id = ?`, e.ID); err != nil {
		return err
	}
	seen := map[string]bool{}
	names := []string{e.Name}
	var aliases []string
	for _, a := range e.Aliases {
		a = strings.Join(strings.Fields(a), " ")
		if a == "" || seen[store.NameKey(a)] || store.NameKey(a) == store.NameKey(e.Name) {
			continue
		}
		seen[store.NameKey(a)] = true
		aliases = append(aliases, a)
	}
	e.Aliases = aliases
	names = append(names, aliases...)
	st, err := tx.PrepareContext(ctx, `INSERT INTO entity_names (name_key, entity_id, name, position) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer st.Close()
	for i, n := range names {
		if _, err := st.ExecContext(ctx, store.NameKey(n), e.ID, n, i); err != nil {
			if isUnique(err) {
				return newsdesk.Errorf(newsdesk.ECONFLICT, "The name %q already names another entity.", n)
			}
			return err
		}
	}
	return nil
}

// uniqueSlug returns base, or base-2, base-3… if taken in table.
func uniqueSlug(ctx context.Context, tx *sql.Tx, table, base string) (string, error) {
	slug := base
	for i := 2; ; i++ {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE slug = ?`, slug).Scan(&n); err != nil {
			return "", err
		}
		if n == 0 {
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
	err := db.tx(ctx, func(tx *sql.Tx) error {
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
		if err := tx.QueryRowContext(ctx, `INSERT INTO entities (kind, slug, name, description, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			string(e.Kind), slug, e.Name, e.Description, tm(now)).Scan(&e.ID); err != nil {
			return err
		}
		e.Slug, e.CreatedAt = slug, now
		return writeNames(ctx, tx, e)
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
	err := db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE entities SET kind = ?, name = ?, description = ? WHERE id = ?`,
			string(e.Kind), e.Name, e.Description, e.ID)
		if err != nil {
			return err
		}
		if err := affected(res, "Entity", e.ID); err != nil {
			return err
		}
		return writeNames(ctx, tx, e)
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
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM entities WHERE id = ?`, c.EntityID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return notFound("Entity", c.EntityID)
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM entity_names WHERE entity_id = ? AND name_key = ?`, c.EntityID, key).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			c.ID = 0
			return nil
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO alias_candidates (entity_id, alias, alias_key, evidence, article_id, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (entity_id, alias_key) DO NOTHING RETURNING id`,
			c.EntityID, c.Alias, key, c.Evidence, c.ArticleID, string(c.Status), tm(c.CreatedAt)).Scan(&c.ID)
		if err == sql.ErrNoRows {
			return tx.QueryRowContext(ctx, `SELECT id FROM alias_candidates WHERE entity_id = ? AND alias_key = ?`, c.EntityID, key).Scan(&c.ID)
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
	rows, err := db.r.QueryContext(ctx, `SELECT id, entity_id, alias, evidence, article_id, status, created_at
		FROM alias_candidates WHERE status = ? ORDER BY created_at, id`+limitOffset(limit, 0), string(status))
	if err != nil {
		return nil, fmt.Errorf("alias candidates: %w", err)
	}
	defer rows.Close()
	var out []*newsdesk.AliasCandidate
	for rows.Next() {
		var c newsdesk.AliasCandidate
		var created int64
		if err := rows.Scan(&c.ID, &c.EntityID, &c.Alias, &c.Evidence, &c.ArticleID, &c.Status, &created); err != nil {
			return nil, fmt.Errorf("alias candidates: %w", err)
		}
		c.CreatedAt = ft(created)
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
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var entityID int64
		var alias string
		err := tx.QueryRowContext(ctx, `SELECT entity_id, alias FROM alias_candidates WHERE id = ?`, id).Scan(&entityID, &alias)
		if err == sql.ErrNoRows {
			return notFound("Alias candidate", id)
		} else if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE alias_candidates SET status = ? WHERE id = ?`, string(status), id); err != nil {
			return err
		}
		if status != newsdesk.AliasAccepted {
			return nil
		}
		var owner int64
		err = tx.QueryRowContext(ctx, `SELECT entity_id FROM entity_names WHERE name_key = ?`, store.NameKey(alias)).Scan(&owner)
		switch {
		case err == sql.ErrNoRows:
		case err != nil:
			return err
		case owner == entityID:
			return nil
		default:
			return newsdesk.Errorf(newsdesk.ECONFLICT, "The name %q already names another entity.", alias)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO entity_names (name_key, entity_id, name, position)
			VALUES (?, ?, ?, (SELECT COALESCE(max(position), 0) + 1 FROM entity_names WHERE entity_id = ?))`,
			store.NameKey(alias), entityID, alias, entityID)
		return err
	})
	if err != nil {
		return fmt.Errorf("decide alias candidate %d: %w", id, err)
	}
	return nil
}
