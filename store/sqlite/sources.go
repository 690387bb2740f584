package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"newsdesk"
	"newsdesk/store"
)

const sourceCols = `id, name, kind, url, site_url, language, licence, extract, paused, interval_ns,
	etag, last_modified, next_fetch_at, last_fetch_at, last_success_at, failures, last_error,
	items_per_day, created_at, updated_at, no_page_fetch`

// CreateSource stores s, setting its ID and times. A zero NextFetchAt makes
// the source due at once. ECONFLICT if another source has the same URL.
func (db *DB) CreateSource(ctx context.Context, s *newsdesk.Source) error {
	if err := s.Validate(); err != nil {
		return err
	}
	now := db.now()
	if s.NextFetchAt.IsZero() {
		s.NextFetchAt = now
	}
	err := db.w.QueryRowContext(ctx, `INSERT INTO sources (name, kind, url, site_url, language, licence, extract, paused,
		interval_ns, etag, last_modified, next_fetch_at, created_at, updated_at, no_page_fetch)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		s.Name, s.Kind, s.URL, s.SiteURL, s.Language, s.Licence, boolInt(s.Extract), boolInt(s.Paused),
		int64(s.Interval), s.ETag, s.LastModified, tm(s.NextFetchAt), tm(now), tm(now), boolInt(s.NoPageFetch)).Scan(&s.ID)
	if isUnique(err) {
		return newsdesk.Errorf(newsdesk.ECONFLICT, "A source with URL %q already exists.", s.URL)
	} else if err != nil {
		return fmt.Errorf("create source %q: %w", s.Name, err)
	}
	s.CreatedAt, s.UpdatedAt = now, now
	return nil
}

// Source returns one source, ENOTFOUND if there is none.
func (db *DB) Source(ctx context.Context, id int64) (*newsdesk.Source, error) {
	s, err := dialect().ScanSource(db.r.QueryRowContext(ctx, `SELECT `+sourceCols+` FROM sources WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return nil, notFound("Source", id)
	} else if err != nil {
		return nil, fmt.Errorf("source %d: %w", id, err)
	}
	return s, nil
}

// Sources returns sources in ID order and the total matching the filter.
func (db *DB) Sources(ctx context.Context, f newsdesk.SourceFilter) ([]*newsdesk.Source, int, error) {
	var where []string
	var args []any
	if f.ID != nil {
		where, args = append(where, "id = ?"), append(args, *f.ID)
	}
	if f.URL != nil {
		where, args = append(where, "url = ?"), append(args, *f.URL)
	}
	if f.Paused != nil {
		where, args = append(where, "paused = ?"), append(args, boolInt(*f.Paused))
	}
	if f.Kind != nil {
		where, args = append(where, "kind = ?"), append(args, string(*f.Kind))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+sourceCols+` FROM sources`+cond+` ORDER BY id`+limitOffset(f.Limit, f.Offset), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("sources: %w", err)
	}
	defer rows.Close()
	out, err := store.ScanAll(rows, dialect().ScanSource)
	if err != nil {
		return nil, 0, fmt.Errorf("sources: %w", err)
	}
	total, known := store.PageTotal(len(out), f.Limit, f.Offset)
	if !known {
		if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM sources`+cond, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count sources: %w", err)
		}
	}
	return out, total, nil
}

// UpdateSource saves the editable fields. ENOTFOUND if missing, ECONFLICT
// if another source has the URL.
func (db *DB) UpdateSource(ctx context.Context, s *newsdesk.Source) error {
	if err := s.Validate(); err != nil {
		return err
	}
	now := db.now()
	res, err := db.w.ExecContext(ctx, `UPDATE sources SET name = ?, kind = ?, url = ?, site_url = ?, language = ?,
		licence = ?, extract = ?, paused = ?, interval_ns = ?, updated_at = ?, no_page_fetch = ? WHERE id = ?`,
		s.Name, s.Kind, s.URL, s.SiteURL, s.Language, s.Licence, boolInt(s.Extract), boolInt(s.Paused),
		int64(s.Interval), tm(now), boolInt(s.NoPageFetch), s.ID)
	if isUnique(err) {
		return newsdesk.Errorf(newsdesk.ECONFLICT, "A source with URL %q already exists.", s.URL)
	} else if err != nil {
		return fmt.Errorf("update source %d: %w", s.ID, err)
	}
	if err := affected(res, "Source", s.ID); err != nil {
		return err
	}
	s.UpdatedAt = now
	return nil
}

// DeleteSource removes a source; its articles stay, attributed by the name
// stored with them. ENOTFOUND if missing.
func (db *DB) DeleteSource(ctx context.Context, id int64) error {
	res, err := db.w.ExecContext(ctx, `DELETE FROM sources WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete source %d: %w", id, err)
	}
	return affected(res, "Source", id)
}

// RecordFetch stores the outcome of a fetch. The items-per-day estimate is
// a moving average of articles created per day between successful fetches.
func (db *DB) RecordFetch(ctx context.Context, id int64, r newsdesk.FetchResult) error {
	if r.At.IsZero() {
		r.At = db.now()
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		var lastSuccess int64
		var perDay float64
		err := tx.QueryRowContext(ctx, `SELECT last_success_at, items_per_day FROM sources WHERE id = ?`, id).Scan(&lastSuccess, &perDay)
		if err == sql.ErrNoRows {
			return notFound("Source", id)
		} else if err != nil {
			return fmt.Errorf("record fetch %d: %w", id, err)
		}
		if !r.OK {
			_, err = tx.ExecContext(ctx, `UPDATE sources SET last_fetch_at = ?, failures = failures + 1, last_error = ?,
				next_fetch_at = ? WHERE id = ?`, tm(r.At), r.Error, tm(r.NextFetchAt), id)
			if err != nil {
				return fmt.Errorf("record fetch %d: %w", id, err)
			}
			return nil
		}
		if lastSuccess != 0 {
			if days := r.At.Sub(ft(lastSuccess)).Hours() / 24; days > 0 {
				rate := float64(r.Created) / days
				if perDay == 0 {
					perDay = rate
				} else {
					perDay = 0.8*perDay + 0.2*rate
				}
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE sources SET last_fetch_at = ?, last_success_at = ?, failures = 0, last_error = '',
			etag = CASE WHEN ? <> '' THEN ? ELSE etag END,
			last_modified = CASE WHEN ? <> '' THEN ? ELSE last_modified END,
			next_fetch_at = ?, items_per_day = ? WHERE id = ?`,
			tm(r.At), tm(r.At), r.ETag, r.ETag, r.LastModified, r.LastModified, tm(r.NextFetchAt), perDay, id)
		if err != nil {
			return fmt.Errorf("record fetch %d: %w", id, err)
		}
		return nil
	})
}

// LeaseDueSources leases up to limit due sources to owner until now+ttl in
// one statement, so two callers never get the same source. Sources come
// back most overdue first.
func (db *DB) LeaseDueSources(ctx context.Context, owner string, now time.Time, ttl time.Duration, limit int) ([]*newsdesk.Source, error) {
	if owner == "" {
		return nil, newsdesk.Errorf(newsdesk.EINVALID, "Lease owner required.")
	}
	if limit <= 0 {
		return nil, nil
	}
	rows, err := db.w.QueryContext(ctx, `UPDATE sources SET lease_owner = ?, lease_until = ?
		WHERE id IN (
			SELECT id FROM sources
			WHERE paused = 0 AND kind IN ('feed', 'page') AND next_fetch_at <= ?
			  AND (lease_owner = '' OR lease_until <= ?)
			ORDER BY next_fetch_at, id LIMIT ?)
		RETURNING `+sourceCols, owner, tm(now.Add(ttl)), tm(now), tm(now), limit)
	if err != nil {
		return nil, fmt.Errorf("lease sources: %w", err)
	}
	defer rows.Close()
	out, err := store.ScanAll(rows, dialect().ScanSource)
	if err != nil {
		return nil, fmt.Errorf("lease sources: %w", err)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].NextFetchAt.Equal(out[j].NextFetchAt) {
			return out[i].NextFetchAt.Before(out[j].NextFetchAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// ReleaseSource drops owner's lease on the source; a lease held by another
// owner is left alone.
func (db *DB) ReleaseSource(ctx context.Context, id int64, owner string) error {
	_, err := db.w.ExecContext(ctx, `UPDATE sources SET lease_owner = '', lease_until = 0 WHERE id = ? AND lease_owner = ?`, id, owner)
	if err != nil {
		return fmt.Errorf("release source %d: %w", id, err)
	}
	return nil
}
