package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"newsdesk"
)

// Sections returns every section, parents before children (depth first),
// siblings in position order.
func (db *DB) Sections(ctx context.Context) ([]*newsdesk.Section, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, COALESCE(parent_id, 0), slug, name, description, code, position
		FROM sections ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("sections: %w", err)
	}
	defer rows.Close()
	var all []*newsdesk.Section
	children := map[int64][]*newsdesk.Section{}
	for rows.Next() {
		var s newsdesk.Section
		if err := rows.Scan(&s.ID, &s.ParentID, &s.Slug, &s.Name, &s.Description, &s.Code, &s.Position); err != nil {
			return nil, fmt.Errorf("sections: %w", err)
		}
		all = append(all, &s)
		children[s.ParentID] = append(children[s.ParentID], &s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sections: %w", err)
	}
	out := make([]*newsdesk.Section, 0, len(all))
	var walk func(parent int64)
	walk = func(parent int64) {
		for _, s := range children[parent] {
			out = append(out, s)
			walk(s.ID)
		}
	}
	walk(0)
	return out, nil
}

func checkParent(ctx context.Context, tx pgx.Tx, s *newsdesk.Section) error {
	if s.ParentID == 0 {
		return nil
	}
	if s.ParentID == s.ID {
		return newsdesk.Errorf(newsdesk.EINVALID, "A section cannot be its own parent.")
	}
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM sections WHERE id = $1)`, s.ParentID).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		return newsdesk.Errorf(newsdesk.EINVALID, "Parent section %d does not exist.", s.ParentID)
	}
	if s.ID != 0 {
		// The new parent must not be below the section itself.
		var below bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM (`+descendants("$1")+`) x WHERE x.id = $2)`, s.ID, s.ParentID).Scan(&below); err != nil {
			return err
		}
		if below {
			return newsdesk.Errorf(newsdesk.EINVALID, "A section cannot move below itself.")
		}
	}
	return nil
}

// lockSections serialises changes of the section tree, so that two editors
// cannot make a cycle by moving two sections under each other at once.
func lockSections(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `LOCK TABLE sections IN SHARE ROW EXCLUSIVE MODE`)
	return err
}

// CreateSection stores s and sets its ID. ECONFLICT on a duplicate slug,
// EINVALID if the parent does not exist.
func (db *DB) CreateSection(ctx context.Context, s *newsdesk.Section) error {
	if err := s.Validate(); err != nil {
		return err
	}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockSections(ctx, tx); err != nil {
			return err
		}
		if err := checkParent(ctx, tx, s); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `INSERT INTO sections (parent_id, slug, name, description, code, position)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, nullID(s.ParentID), s.Slug, s.Name, s.Description, s.Code, s.Position).Scan(&s.ID)
		if isUnique(err) {
			return newsdesk.Errorf(newsdesk.ECONFLICT, "A section with slug %q already exists.", s.Slug)
		} else if err != nil {
			return err
		}
		return db.notify(ctx, tx, "sections")
	})
	if err != nil {
		return fmt.Errorf("create section %q: %w", s.Slug, err)
	}
	return nil
}

// UpdateSection saves s. ENOTFOUND if missing, ECONFLICT on a duplicate
// slug, EINVALID if the parent is missing or below s.
func (db *DB) UpdateSection(ctx context.Context, s *newsdesk.Section) error {
	if err := s.Validate(); err != nil {
		return err
	}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockSections(ctx, tx); err != nil {
			return err
		}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM sections WHERE id = $1)`, s.ID).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return notFound("Section", s.ID)
		}
		if err := checkParent(ctx, tx, s); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE sections SET parent_id = $1, slug = $2, name = $3, description = $4, code = $5, position = $6
			WHERE id = $7`, nullID(s.ParentID), s.Slug, s.Name, s.Description, s.Code, s.Position, s.ID)
		if isUnique(err) {
			return newsdesk.Errorf(newsdesk.ECONFLICT, "A section with slug %q already exists.", s.Slug)
		} else if err != nil {
			return err
		}
		return db.notify(ctx, tx, "sections")
	})
	if err != nil {
		return fmt.Errorf("update section %d: %w", s.ID, err)
	}
	return nil
}

// DeleteSection removes a section without children; articles filed only
// there become unfiled. EINVALID if it has children, ENOTFOUND if missing.
func (db *DB) DeleteSection(ctx context.Context, id int64) error {
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockSections(ctx, tx); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM sections WHERE parent_id = $1`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return newsdesk.Errorf(newsdesk.EINVALID, "Section %d has %d sections below it.", id, n)
		}
		tag, err := tx.Exec(ctx, `DELETE FROM sections WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if err := affected(tag, "Section", id); err != nil {
			return err
		}
		return db.notify(ctx, tx, "sections")
	})
	if err != nil {
		return fmt.Errorf("delete section %d: %w", id, err)
	}
	return nil
}
