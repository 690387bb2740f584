package store

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Migration is one numbered .sql file.
type Migration struct {
	Version int64  // the leading number of the file name
	Name    string // the file name, e.g. "0001_init.sql"
	SQL     string
}

// Migrator applies migrations in version order, each in its own
// transaction, recording them in a schema_migrations table.
type Migrator struct {
	FS  fs.FS  // usually an embed.FS
	Dir string // directory of the .sql files within FS, e.g. "migrations"
	// Bind returns the placeholder of the n-th (1-based) argument: "?" for
	// SQLite, "$1" style for PostgreSQL. Nil means "?".
	Bind func(n int) string
	Now  func() time.Time
}

// Migrations reads and orders the .sql files of m.Dir. File names must start
// with a number ("0001_init.sql"); two files with the same number are an error.
func (m *Migrator) Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(m.FS, m.Dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations %s: %w", m.Dir, err)
	}
	var out []Migration
	seen := map[int64]string{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		name := e.Name()
		digits := name[:len(name)-len(strings.TrimLeft(name, "0123456789"))]
		if digits == "" {
			return nil, fmt.Errorf("migration %s: name must start with its number", name)
		}
		v, err := strconv.ParseInt(digits, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", name, err)
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migration %s: number %d already used by %s", name, v, other)
		}
		seen[v] = name
		body, err := fs.ReadFile(m.FS, path.Join(m.Dir, name))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// Migrate applies the migrations not yet recorded and returns the names of
// those it applied. Each migration and its record commit together, so a
// crash leaves either all of a migration or none of it. A migration recorded
// by a concurrent migrator is skipped.
func (m *Migrator) Migrate(ctx context.Context, db *sql.DB) ([]string, error) {
	migs, err := m.Migrations()
	if err != nil {
		return nil, err
	}
	bind := m.Bind
	if bind == nil {
		bind = func(int) string { return "?" }
	}
	now := m.Now
	if now == nil {
		now = time.Now
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version BIGINT PRIMARY KEY,
		name TEXT NOT NULL,
		applied_at TEXT NOT NULL
	)`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	var applied []string
	for _, mig := range migs {
		done := false
		err := InTx(ctx, db, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE version = "+bind(1), mig.Version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, mig.SQL); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ("+bind(1)+", "+bind(2)+", "+bind(3)+")",
				mig.Version, mig.Name, now().UTC().Format(time.RFC3339Nano)); err != nil {
				return err
			}
			done = true
			return nil
		})
		if err != nil {
			return applied, fmt.Errorf("migrate %s: %w", mig.Name, err)
		}
		if done {
			applied = append(applied, mig.Name)
		}
	}
	return applied, nil
}
