package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"newsdesk"
	"newsdesk/store/sqlite"
)

// postgresBackupHelp is what backup and restore say on a PostgreSQL site:
// PostgreSQL has its own tools, and they do the job better.
const postgresBackupHelp = `newsdesk backup and restore copy SQLite sites. On PostgreSQL use its own tools
(see docs/operations.md, "Backups"):

  pg_dump --format=custom --file=newsdesk-$(date +%%F).dump "%s"
  pg_restore --clean --if-exists --no-owner --dbname="%s" newsdesk-YYYY-MM-DD.dump
`

// backup copies a live SQLite database, consistently, while the site runs.
func (m *Main) backup(ctx context.Context, args []string) error {
	fset := flag.NewFlagSet("backup", flag.ContinueOnError)
	fset.SetOutput(m.Stderr)
	cfg := m.flags(fset)
	force := fset.Bool("force", false, "replace PATH if it exists")
	if err := fset.Parse(args); err != nil {
		return err
	}
	if fset.NArg() != 1 {
		return &exitError{2, errors.New("usage: newsdesk backup [--force] [--db DATABASE] PATH")}
	}
	path := fset.Arg(0)
	if isPostgres(cfg.DB) {
		dsn := maskDSN(cfg.DB)
		fmt.Fprintf(m.Stderr, postgresBackupHelp, dsn, dsn)
		return errors.New("backup: the database is PostgreSQL; use pg_dump")
	}
	if _, err := os.Stat(path); err == nil && !*force {
		return fmt.Errorf("backup: %s exists; use --force to replace it", path)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup: %w", err)
	}
	dbPath := sqlitePath(cfg.DB)
	if _, err := os.Stat(dbPath); err != nil {
		return fmt.Errorf("backup: no database at %s", dbPath)
	}
	db, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		return fmt.Errorf("backup: open %s: %w", dbPath, err)
	}
	defer db.Close()
	started := time.Now()
	if err := db.Backup(ctx, path); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	took := time.Since(started)
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(m.Stdout, "backed up %s to %s: %s in %s\n", dbPath, path, byteSize(st.Size()), took.Round(time.Millisecond))
	return nil
}

// restore checks a backup and puts it in place of the database.
func (m *Main) restore(ctx context.Context, args []string) error {
	fset := flag.NewFlagSet("restore", flag.ContinueOnError)
	fset.SetOutput(m.Stderr)
	cfg := m.flags(fset)
	force := fset.Bool("force", false, "replace the database even if it seems to be in use (stop newsdesk first: a running process would keep writing to the old file)")
	if err := fset.Parse(args); err != nil {
		return err
	}
	if fset.NArg() != 1 {
		return &exitError{2, errors.New("usage: newsdesk restore [--force] [--db DATABASE] BACKUP")}
	}
	backup := fset.Arg(0)
	if isPostgres(cfg.DB) {
		dsn := maskDSN(cfg.DB)
		fmt.Fprintf(m.Stderr, postgresBackupHelp, dsn, dsn)
		return errors.New("restore: the database is PostgreSQL; use pg_restore")
	}
	target, err := filepath.Abs(sqlitePath(cfg.DB))
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	fi, err := sqlite.CheckFile(ctx, backup)
	if err != nil {
		return fmt.Errorf("restore: %s: %s", backup, newsdesk.ErrorMessage(err))
	}
	if err := fi.OK(); err != nil {
		return fmt.Errorf("restore: %s: %w", backup, err)
	}
	fmt.Fprintf(m.Stdout, "checked %s: integrity ok, schema version %d (this newsdesk: %d), %d articles, %d sources\n",
		backup, fi.SchemaVersion, fi.LatestVersion, fi.Articles, fi.Sources)

	kept := ""
	if _, err := os.Stat(target); err == nil {
		if err := lockUnused(ctx, target); err != nil {
			if !*force {
				return fmt.Errorf("restore: %s is in use (%v): stop newsdesk first, or use --force if no process has it open", target, err)
			}
			fmt.Fprintf(m.Stderr, "restore: %s seems to be in use (%v); replacing it anyway (--force)\n", target, err)
		}
		kept = target + ".replaced-" + time.Now().UTC().Format("20060102T150405Z")
		if err := os.Rename(target, kept); err != nil {
			return fmt.Errorf("restore: keep the old database: %w", err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("restore: %w", err)
	}
	// The old database's WAL and shared-memory files belong to it, not
	// to the restored copy.
	for _, suffix := range []string{"-wal", "-shm"} {
		if kept != "" {
			_ = os.Rename(target+suffix, kept+suffix)
		}
		_ = os.Remove(target + suffix)
	}
	if err := copyAtomic(backup, target); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(m.Stdout, "restored %s to %s\n", backup, target)
	if kept != "" {
		fmt.Fprintf(m.Stdout, "the previous database is kept as %s (delete it when the site is fine)\n", kept)
	}
	if fi.SchemaVersion < fi.LatestVersion {
		fmt.Fprintf(m.Stdout, "the backup's schema is older: newsdesk migrate (or the next start) brings it to version %d\n", fi.LatestVersion)
	}
	return nil
}

// lockUnused reports an error when another connection, in this process or
// another, has the database open: it tries to take an exclusive lock
// without waiting.
func lockUnused(ctx context.Context, path string) error {
	q := url.Values{}
	q.Set("_busy_timeout", "0")
	q.Add("_pragma", "locking_mode(EXCLUSIVE)")
	db, err := sql.Open("sqlite", "file:"+strings.ReplaceAll(path, "?", "%3f")+"?"+q.Encode())
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		return err
	}
	// An exclusive-mode connection in WAL mode also needs the WAL index to
	// itself; a read proves it has it.
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&n); err != nil {
		_, _ = conn.ExecContext(ctx, "ROLLBACK")
		return err
	}
	_, err = conn.ExecContext(ctx, "ROLLBACK")
	return err
}

// copyAtomic copies src to dst through a temporary file beside dst that is
// synced and renamed, so dst is never half written.
func copyAtomic(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".restore-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(dst))
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

func sqlitePath(dsn string) string { return strings.TrimPrefix(dsn, "sqlite:") }

func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// schemaCurrent reports an error when the database lacks migrations this
// build has (for /readyz). Stores that cannot tell pass.
func schemaCurrent(ctx context.Context, st newsdesk.Store) error {
	sv, ok := st.(interface {
		SchemaVersion(ctx context.Context) (current, latest int64, err error)
	})
	if !ok {
		return nil
	}
	cur, latest, err := sv.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if cur < latest {
		return fmt.Errorf("schema version %d, this newsdesk needs %d: run newsdesk migrate", cur, latest)
	}
	return nil
}
