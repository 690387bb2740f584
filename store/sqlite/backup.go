package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	sqlite "modernc.org/sqlite"

	"newsdesk"
	"newsdesk/store"
)

// LatestSchemaVersion is the version of the newest migration this build
// embeds.
func LatestSchemaVersion() (int64, error) {
	m := &store.Migrator{FS: migrations, Dir: "migrations"}
	migs, err := m.Migrations()
	if err != nil {
		return 0, err
	}
	if len(migs) == 0 {
		return 0, nil
	}
	return migs[len(migs)-1].Version, nil
}

// SchemaVersion returns the newest migration applied to the database and
// the newest this build embeds. They are equal once Open has migrated.
func (db *DB) SchemaVersion(ctx context.Context) (current, latest int64, err error) {
	if latest, err = LatestSchemaVersion(); err != nil {
		return 0, 0, err
	}
	if err := db.r.QueryRowContext(ctx, `SELECT COALESCE(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return 0, latest, fmt.Errorf("schema version: %w", err)
	}
	return current, latest, nil
}

// Backup writes a consistent copy of the database to path while the site
// keeps running: SQLite's online backup API copies every page in one read
// transaction, which in WAL mode does not hold up writers. The copy is
// written beside path under a temporary name, synced and renamed, so path
// only ever holds a complete backup. An existing path is replaced.
func (db *DB) Backup(ctx context.Context, path string) error {
	return db.backup(ctx, path, db.backupPages)
}

// backupVacuumInto is the other way to copy a live database: VACUUM INTO
// writes a compacted copy, rebuilding every table and index. It is kept for
// the benchmark that chose the page copy (see BenchmarkBackup).
func (db *DB) backupVacuumInto(ctx context.Context, tmp string) error {
	// The read pool is query-only, which VACUUM INTO refuses; the writer
	// would hold up ingest. A connection of its own reads like a reader.
	conn, err := sql.Open("sqlite", dsn(db.path, url.Values{"_busy_timeout": {"5000"}}))
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.ExecContext(ctx, `VACUUM INTO ?`, tmp)
	return err
}

func (db *DB) backupPages(ctx context.Context, tmp string) error {
	conn, err := db.reader.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		b, ok := dc.(interface {
			NewBackup(dstURI string) (*sqlite.Backup, error)
		})
		if !ok {
			return errors.New("the SQLite driver has no online backup")
		}
		bk, err := b.NewBackup(dsn(tmp, url.Values{}))
		if err != nil {
			return err
		}
		// One step copies every page in one read transaction. Smaller
		// steps would let ingest's commits restart the copy again and
		// again.
		if _, err := bk.Step(-1); err != nil {
			_ = bk.Finish()
			return err
		}
		return bk.Finish()
	})
}

func (db *DB) backup(ctx context.Context, path string, copyTo func(ctx context.Context, tmp string) error) error {
	if db.path == ":memory:" {
		return newsdesk.Errorf(newsdesk.EINVALID, "An in-memory database cannot be backed up.")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if same, _ := sameFile(abs, db.path); same {
		return newsdesk.Errorf(newsdesk.EINVALID, "The backup cannot replace the database itself.")
	}
	tmp, err := reserveTemp(abs)
	if err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	defer removeTemp(tmp)
	if err := copyTo(ctx, tmp); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if err := rollbackJournal(ctx, tmp); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if err := syncFile(tmp); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if err := os.Rename(tmp, abs); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if err := syncDir(filepath.Dir(abs)); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}

// rollbackJournal takes a copy out of WAL mode (the page copy keeps the
// source's mode), so that the backup is one self-contained file that can be
// read, checked and copied without -wal and -shm files beside it.
func rollbackJournal(ctx context.Context, path string) error {
	conn, err := sql.Open("sqlite", dsn(path, url.Values{}))
	if err != nil {
		return err
	}
	defer conn.Close()
	var mode string
	if err := conn.QueryRowContext(ctx, `PRAGMA journal_mode = DELETE`).Scan(&mode); err != nil {
		return fmt.Errorf("journal mode: %w", err)
	}
	if mode != "delete" {
		return fmt.Errorf("journal mode of the copy is %s, want delete", mode)
	}
	return conn.Close()
}

// reserveTemp returns a name beside path that no file has.
func reserveTemp(path string) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", err
	}
	name := f.Name()
	f.Close()
	// VACUUM INTO and the backup API want to create the file themselves.
	return name, os.Remove(name)
}

// removeTemp removes a temporary copy and the journal files SQLite may
// have left beside it; after a successful rename there is nothing left.
func removeTemp(tmp string) {
	for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
		_ = os.Remove(tmp + suffix)
	}
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	// Some file systems cannot sync a directory; the rename is still done.
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

func sameFile(a, b string) (bool, error) {
	sa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	sb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(sa, sb), nil
}

// FileInfo is what CheckFile found in a database file.
type FileInfo struct {
	Integrity     string // "ok", or the problems PRAGMA integrity_check listed
	SchemaVersion int64  // newest migration applied
	LatestVersion int64  // newest migration this build knows
	Articles      int64
	Sources       int64
}

// OK reports whether the file can be used by this build: intact, and not
// from a newer newsdesk.
func (fi *FileInfo) OK() error {
	if fi.Integrity != "ok" {
		return fmt.Errorf("integrity check failed: %s", fi.Integrity)
	}
	if fi.SchemaVersion > fi.LatestVersion {
		return fmt.Errorf("schema version %d is newer than this newsdesk knows (%d): upgrade newsdesk first", fi.SchemaVersion, fi.LatestVersion)
	}
	return nil
}

// CheckFile inspects a database file, such as a backup, without changing
// it: it is opened read-only and no migration is applied.
func CheckFile(ctx context.Context, path string) (*FileInfo, error) {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, newsdesk.Errorf(newsdesk.ENOTFOUND, "No file %s.", path)
		}
		return nil, err
	}
	q := url.Values{}
	q.Set("mode", "ro")
	raw, err := sql.Open("sqlite", dsn(path, q))
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", path, err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	fi := &FileInfo{}
	if fi.LatestVersion, err = LatestSchemaVersion(); err != nil {
		return nil, err
	}
	rows, err := raw.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return nil, fmt.Errorf("check %s: not a newsdesk database: %w", path, err)
	}
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return nil, fmt.Errorf("check %s: %w", path, err)
		}
		problems = append(problems, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("check %s: not a newsdesk database: %w", path, err)
	}
	fi.Integrity = strings.Join(problems, "; ")
	if err := raw.QueryRowContext(ctx, `SELECT COALESCE(max(version), 0) FROM schema_migrations`).Scan(&fi.SchemaVersion); err != nil {
		return nil, fmt.Errorf("check %s: not a newsdesk database (no schema_migrations): %w", path, err)
	}
	_ = raw.QueryRowContext(ctx, `SELECT count(*) FROM articles`).Scan(&fi.Articles)
	_ = raw.QueryRowContext(ctx, `SELECT count(*) FROM sources`).Scan(&fi.Sources)
	return fi, nil
}
