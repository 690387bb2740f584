package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"newsdesk"
)

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Sections returns every section, parents before children (depth first),
// siblings in position order.
func (db *DB) Sections(ctx context.Context) ([]*newsdesk.Section, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, COALESCE(parent_id, 0), slug, name, description, code, position
		FROM sections ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("sections: %w", err)
	}
	defer rows.Close()
	var all []*newsdesk.Section
	children := map[int64][]*newsdesk.Section{}
	byID := map[int64]*newsdesk.Section{}
	for rows.Next() {
		var s newsdesk.Section
		if err := rows.Scan(&s.ID, &s.ParentID, &s.Slug, &s.Name, &s.Description, &s.Code, &s.Position); err != nil {
			return nil, fmt.Errorf("sections: %w", err)
		}
		all = append(all, &s)
		byID[s.ID] = &s
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

func (db *DB) checkParent(ctx context.Context, tx *sql.Tx, s *newsdesk.Section) error {
	if s.ParentID == 0 {
		return nil
	}
	if s.ParentID == s.ID {
		return newsdesk.Errorf(newsdesk.EINVALID, "A section cannot be its own parent.")
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sections WHERE id = ?`, s.ParentID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return newsdesk.Errorf(newsdesk.EINVALID, "Parent section %d does not exist.", s.ParentID)
	}
	if s.ID != 0 {
		// The new parent must not be below the section itself.
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (`+descendantsSQL+`) WHERE id = ?`, s.ID, s.ParentID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return newsdesk.Errorf(newsdesk.EINVALID, "A section cannot move below itself.")
		}
	}
	return nil
}

// CreateSection stores s and sets its ID. ECONFLICT on a duplicate slug,
// EINVALID if the parent does not exist.
func (db *DB) CreateSection(ctx context.Context, s *newsdesk.Section) error {
	if err := s.Validate(); err != nil {
		return err
	}
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if err := db.checkParent(ctx, tx, s); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO sections (parent_id, slug, name, description, code, position)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, nullID(s.ParentID), s.Slug, s.Name, s.Description, s.Code, s.Position).Scan(&s.ID)
		if isUnique(err) {
			return newsdesk.Errorf(newsdesk.ECONFLICT, "A section with slug %q already exists.", s.Slug)
		}
		return err
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
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sections WHERE id = ?`, s.ID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return notFound("Section", s.ID)
		}
		if err := db.checkParent(ctx, tx, s); err != nil {
			return err
		}
		var oldParent int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(parent_id, 0) FROM sections WHERE id = ?`, s.ID).Scan(&oldParent); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE sections SET parent_id = ?, slug = ?, name = ?, description = ?, code = ?, position = ?
			WHERE id = ?`, nullID(s.ParentID), s.Slug, s.Name, s.Description, s.Code, s.Position, s.ID)
		if isUnique(err) {
			return newsdesk.Errorf(newsdesk.ECONFLICT, "A section with slug %q already exists.", s.Slug)
		} else if err != nil {
			return err
		}
		if oldParent != s.ParentID {
			return rebuildSectionRiver(ctx, tx)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update section %d: %w", s.ID, err)
	}
	return nil
}

// DeleteSection removes a section without children; articles filed only
// there become unfiled. EINVALID if it has children, ENOTFOUND if missing.
func (db *DB) DeleteSection(ctx context.Context, id int64) error {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sections WHERE parent_id = ?`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return newsdesk.Errorf(newsdesk.EINVALID, "Section %d has %d sections below it.", id, n)
		}
		var filed []int64
		rows, err := tx.QueryContext(ctx, `SELECT article_id FROM section_river WHERE section_id = ?`, id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var a int64
			if err := rows.Scan(&a); err != nil {
				rows.Close()
				return err
			}
			filed = append(filed, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM sections WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if err := affected(res, "Section", id); err != nil {
			return err
		}
		return refreshSectionRiver(ctx, tx, filed)
	})
	if err != nil {
		return fmt.Errorf("delete section %d: %w", id, err)
	}
	return nil
}
