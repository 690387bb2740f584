package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"newsdesk"
	"newsdesk/store"
)

const sourceCols = `id, name, kind, url, site_url, language, licence, extract, paused, interval_ns,
	etag, last_modified, next_fetch_at, last_fetch_at, last_success_at, failures, last_error,
	items_per_day, created_at, updated_at, no_page_fetch`

func collectSources(rows pgx.Rows) ([]*newsdesk.Source, error) {
	defer rows.Close()
	return store.ScanAll(rows, dialect().ScanSource)
}

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
	err := db.pool.QueryRow(ctx, `INSERT INTO sources (name, kind, url, site_url, language, licence, extract, paused,
		interval_ns, etag, last_modified, next_fetch_at, created_at, updated_at, no_page_fetch)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14) RETURNING id`,
		s.Name, string(s.Kind), s.URL, s.SiteURL, s.Language, string(s.Licence), s.Extract, s.Paused,
		int64(s.Interval), s.ETag, s.LastModified, ts(s.NextFetchAt), now, s.NoPageFetch).Scan(&s.ID)
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
	s, err := dialect().ScanSource(db.pool.QueryRow(ctx, `SELECT `+sourceCols+` FROM sources WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound("Source", id)
	} else if err != nil {
		return nil, fmt.Errorf("source %d: %w", id, err)
	}
	return s, nil
}

// Sources returns sources in ID order and the total matching the filter.
func (db *DB) Sources(ctx context.Context, f newsdesk.SourceFilter) ([]*newsdesk.Source, int, error) {
	var where []string
	var a args
	if f.ID != nil {
		where = append(where, "id = "+a.add(*f.ID))
	}
	if f.URL != nil {
		where = append(where, "url = "+a.add(*f.URL))
	}
	if f.Paused != nil {
		where = append(where, "paused = "+a.add(*f.Paused))
	}
	if f.Kind != nil {
		where = append(where, "kind = "+a.add(string(*f.Kind)))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := db.pool.Query(ctx, `SELECT `+sourceCols+` FROM sources`+cond+` ORDER BY id`+limitOffset(f.Limit, f.Offset), a...)
	if err != nil {
		return nil, 0, fmt.Errorf("sources: %w", err)
	}
	out, err := collectSources(rows)
	if err != nil {
		return nil, 0, fmt.Errorf("sources: %w", err)
	}
	total, known := store.PageTotal(len(out), f.Limit, f.Offset)
	if !known {
		if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM sources`+cond, a...).Scan(&total); err != nil {
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
	err := db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE sources SET name = $1, kind = $2, url = $3, site_url = $4, language = $5,
			licence = $6, extract = $7, paused = $8, interval_ns = $9, updated_at = $10, no_page_fetch = $11 WHERE id = $12`,
			s.Name, string(s.Kind), s.URL, s.SiteURL, s.Language, string(s.Licence), s.Extract, s.Paused,
			int64(s.Interval), now, s.NoPageFetch, s.ID)
		if isUnique(err) {
			return newsdesk.Errorf(newsdesk.ECONFLICT, "A source with URL %q already exists.", s.URL)
		} else if err != nil {
			return err
		}
		if err := affected(tag, "Source", s.ID); err != nil {
			return err
		}
		// The name and licence show in attribution on every page.
		return db.notify(ctx, tx, "sources")
	})
	if err != nil {
		return fmt.Errorf("update source %d: %w", s.ID, err)
	}
	s.UpdatedAt = now
	return nil
}

// DeleteSource removes a source; its articles stay, attributed by the name
// stored with them. ENOTFOUND if missing.
func (db *DB) DeleteSource(ctx context.Context, id int64) error {
	err := db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM sources WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if err := affected(tag, "Source", id); err != nil {
			return err
		}
		return db.notify(ctx, tx, "sources")
	})
	if err != nil {
		return fmt.Errorf("delete source %d: %w", id, err)
	}
	return nil
}

// RecordFetch stores the outcome of a fetch. The items-per-day estimate is
// a moving average of articles created per day between successful fetches.
func (db *DB) RecordFetch(ctx context.Context, id int64, r newsdesk.FetchResult) error {
	if r.At.IsZero() {
		r.At = db.now()
	}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		var lastSuccess time.Time
		var perDay float64
		err := tx.QueryRow(ctx, `SELECT last_success_at, items_per_day FROM sources WHERE id = $1 FOR UPDATE`, id).
			Scan(tsp(&lastSuccess), &perDay)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("Source", id)
		} else if err != nil {
			return err
		}
		if !r.OK {
			_, err = tx.Exec(ctx, `UPDATE sources SET last_fetch_at = $1, failures = failures + 1, last_error = $2,
				next_fetch_at = $3 WHERE id = $4`, ts(r.At), r.Error, ts(r.NextFetchAt), id)
			return err
		}
		if !lastSuccess.IsZero() {
			if days := r.At.Sub(lastSuccess).Hours() / 24; days > 0 {
				rate := float64(r.Created) / days
				if perDay == 0 {
					perDay = rate
				} else {
					perDay = 0.8*perDay + 0.2*rate
				}
			}
		}
		_, err = tx.Exec(ctx, `UPDATE sources SET last_fetch_at = $1, last_success_at = $1, failures = 0, last_error = '',
			etag = CASE WHEN $2 <> '' THEN $2 ELSE etag END,
			last_modified = CASE WHEN $3 <> '' THEN $3 ELSE last_modified END,
			next_fetch_at = $4, items_per_day = $5 WHERE id = $6`,
			ts(r.At), r.ETag, r.LastModified, ts(r.NextFetchAt), perDay, id)
		return err
	})
	if err != nil && newsdesk.ErrorCode(err) == newsdesk.EINTERNAL {
		return fmt.Errorf("record fetch %d: %w", id, err)
	}
	return err
}

// LeaseDueSources leases up to limit due sources to owner until now+ttl.
// The due rows are locked with FOR UPDATE SKIP LOCKED, so workers leasing
// at the same moment each get sources of their own without waiting for
// one another; a lease whose owner died is taken over once it has expired.
// Sources come back most overdue first.
func (db *DB) LeaseDueSources(ctx context.Context, owner string, now time.Time, ttl time.Duration, limit int) ([]*newsdesk.Source, error) {
	if owner == "" {
		return nil, newsdesk.Errorf(newsdesk.EINVALID, "Lease owner required.")
	}
	if limit <= 0 {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `WITH due AS (
			SELECT id FROM sources
			WHERE NOT paused AND kind IN ('feed', 'page')
			  AND (next_fetch_at IS NULL OR next_fetch_at <= $3)
			  AND (lease_owner = '' OR lease_until IS NULL OR lease_until <= $3)
			ORDER BY next_fetch_at NULLS FIRST, id
			LIMIT $4
			FOR UPDATE SKIP LOCKED)
		UPDATE sources s SET lease_owner = $1, lease_until = $2
		FROM due WHERE s.id = due.id
		RETURNING `+prefixCols("s.", sourceCols), owner, now.Add(ttl).UTC(), now.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("lease sources: %w", err)
	}
	out, err := collectSources(rows)
	if err != nil {
		return nil, fmt.Errorf("lease sources: %w", err)
	}
	sortByDue(out)
	return out, nil
}

func sortByDue(out []*newsdesk.Source) {
	for i := 1; i < len(out); i++ { // insertion sort: a lease is a handful of sources
		for j := i; j > 0 && dueBefore(out[j], out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
}

func dueBefore(a, b *newsdesk.Source) bool {
	if !a.NextFetchAt.Equal(b.NextFetchAt) {
		return a.NextFetchAt.Before(b.NextFetchAt)
	}
	return a.ID < b.ID
}

// prefixCols qualifies each column of a comma-separated list.
func prefixCols(prefix, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = prefix + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// ReleaseSource drops owner's lease on the source; a lease held by another
// owner is left alone.
func (db *DB) ReleaseSource(ctx context.Context, id int64, owner string) error {
	_, err := db.pool.Exec(ctx, `UPDATE sources SET lease_owner = '', lease_until = NULL WHERE id = $1 AND lease_owner = $2`, id, owner)
	if err != nil {
		return fmt.Errorf("release source %d: %w", id, err)
	}
	return nil
}
