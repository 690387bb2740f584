// Package sqlite is the default newsdesk store: every store interface and
// the full-text search index on one SQLite database (modernc.org/sqlite, pure
// Go), in WAL mode with one writer connection and a pool of readers.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"newsdesk"
	"newsdesk/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

var _ newsdesk.Store = (*DB)(nil)

// DB is a newsdesk store on one SQLite file. All writes go through a single
// connection (so writers queue in Go instead of failing with SQLITE_BUSY);
// reads use a pool of connections that WAL lets run alongside the writer.
type DB struct {
	// Now is the clock used for created, updated and fetched times.
	Now func() time.Time

	path   string
	writer *sql.DB
	reader *sql.DB
	r      *stmts // reader with prepared statements
	w      *stmts // writer with prepared statements

	// optimized is when PRAGMA optimize last ran (Unix seconds).
	optimized atomic.Int64

	// testSearchDense and testSearchWalkMax replace searchDense and
	// searchWalkMax when set, so that tests reach every search plan.
	testSearchDense, testSearchWalkMax int
}

// defaultCacheKiB is each connection's page cache unless Options say
// otherwise.
const defaultCacheKiB = 16000

// Options tune Open. The zero value is the default.
type Options struct {
	// Readers is the size of the read pool; 0 means max(4, GOMAXPROCS).
	Readers int
	// BusyTimeout is how long a connection waits for a lock held by another
	// process; 0 means 5s.
	BusyTimeout time.Duration
	// WriterCacheKiB is the page cache of the writer's connection; 0 means
	// defaultCacheKiB (each reader has that much). A bulk load
	// into a large full-text index wants far more: FTS5's merges re-read
	// their segments through it.
	WriterCacheKiB int
}

// Open opens (creating if needed) the database at path and applies the
// migrations not yet applied. The path ":memory:" gives a private in-memory
// database on a single connection (for tools; tests use a file).
func Open(ctx context.Context, path string) (*DB, error) {
	return OpenOptions(ctx, path, Options{})
}

// OpenOptions is Open with options.
func OpenOptions(ctx context.Context, path string, o Options) (*DB, error) {
	if path == "" {
		return nil, newsdesk.Errorf(newsdesk.EINVALID, "Database path required.")
	}
	if o.Readers <= 0 {
		o.Readers = max(4, runtime.GOMAXPROCS(0))
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 5 * time.Second
	}
	db := &DB{Now: time.Now, path: path}
	memory := path == ":memory:"
	common := url.Values{}
	common.Set("_busy_timeout", fmt.Sprint(o.BusyTimeout.Milliseconds()))
	common.Set("_foreign_keys", "1")
	common.Set("_synchronous", "NORMAL")
	common.Add("_pragma", "temp_store(MEMORY)")

	if o.WriterCacheKiB <= 0 {
		o.WriterCacheKiB = defaultCacheKiB
	}
	w := cloneValues(common)
	w.Add("_pragma", fmt.Sprintf("cache_size(-%d)", o.WriterCacheKiB))
	// A new database frees the pages of removed rows (retention) back to the
	// file system with PRAGMA incremental_vacuum; an existing one takes the
	// mode at its next VACUUM.
	w.Add("_pragma", "auto_vacuum(INCREMENTAL)")
	if !memory {
		w.Set("_journal_mode", "WAL")
	}
	w.Set("_txlock", "immediate")
	writer, err := sql.Open("sqlite", dsn(path, w))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	db.writer = writer
	if err := writer.PingContext(ctx); err != nil {
		writer.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if memory {
		db.reader = writer
	} else {
		r := cloneValues(common)
		r.Add("_pragma", fmt.Sprintf("cache_size(-%d)", defaultCacheKiB))
		r.Set("_query_only", "1")
		reader, err := sql.Open("sqlite", dsn(path, r))
		if err != nil {
			writer.Close()
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
		reader.SetMaxOpenConns(o.Readers)
		reader.SetMaxIdleConns(o.Readers)
		reader.SetConnMaxIdleTime(0)
		db.reader = reader
	}
	db.r, db.w = newStmts(db.reader), newStmts(db.writer)
	m := &store.Migrator{FS: migrations, Dir: "migrations", Now: db.now}
	if _, err := m.Migrate(ctx, db.writer); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := db.prepareWriter(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.optimized.Store(time.Now().Unix())
	return db, nil
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func dsn(path string, q url.Values) string {
	if path == ":memory:" {
		return "file::memory:?" + q.Encode()
	}
	return "file:" + strings.ReplaceAll(path, "?", "%3f") + "?" + q.Encode()
}

// Path is the database file.
func (db *DB) Path() string { return db.path }

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.reader.PingContext(ctx); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	var one int
	if err := db.reader.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	return nil
}

// Close checkpoints the WAL and releases both pools.
func (db *DB) Close() error {
	var errs []error
	if db.r != nil {
		db.r.close()
		db.w.close()
	}
	if db.reader != nil && db.reader != db.writer {
		errs = append(errs, db.reader.Close())
	}
	if db.writer != nil {
		_, _ = db.writer.Exec("PRAGMA optimize")
		errs = append(errs, db.writer.Close())
	}
	return errors.Join(errs...)
}

// Writer and Reader expose the two pools for maintenance tools (backups,
// integrity checks). Writes must go through Writer.
func (db *DB) Writer() *sql.DB { return db.writer }

// Reader is the pool of read-only connections.
func (db *DB) Reader() *sql.DB { return db.reader }

func (db *DB) now() time.Time {
	if db.Now == nil {
		return time.Now().UTC()
	}
	return db.Now().UTC()
}

// tx runs fn in a write transaction (BEGIN IMMEDIATE on the writer).
func (db *DB) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if err := store.InTx(ctx, db.writer, fn); err != nil {
		return err
	}
	db.optimize(ctx)
	return nil
}

// optimizeEvery is how often a long-running process refreshes the
// planner's statistics, as SQLite advises for long-lived connections.
const optimizeEvery = time.Hour

// optimize runs PRAGMA optimize when it has not run for optimizeEvery
// (the clock starts at open). It gathers the statistics the planner
// chooses indexes by (on a sample, so it is quick at any size) for the
// tables that have grown enough to need them: a site that never restarts
// does not keep the plans of its first, empty days. It does not run at
// open: statistics taken of a new site's empty tables tell the planner
// they stay tiny, and it then walks them where it should look rows up
// (ingest with full pages: +9 s of system time and +90 MB of RSS over
// 25,000 articles). A failure only costs plans, so it is not reported.
func (db *DB) optimize(ctx context.Context) {
	now := time.Now().Unix()
	last := db.optimized.Load()
	if now-last < int64(optimizeEvery/time.Second) || !db.optimized.CompareAndSwap(last, now) {
		return
	}
	_, _ = db.writer.ExecContext(ctx, "PRAGMA optimize")
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Times are stored as Unix microseconds, the zero time as 0.
func tm(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func ft(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

// dialect scans times from Unix microseconds and booleans from integers.
func dialect() store.Dialect { return store.Dialect{Time: microsTime, Bool: intBool} }

// microsDest scans a time stored as Unix microseconds (0: the zero time).
type microsDest struct{ t *time.Time }

func (d microsDest) Scan(src any) error {
	v, ok := src.(int64)
	if !ok {
		return fmt.Errorf("time: %T is not Unix microseconds", src)
	}
	*d.t = ft(v)
	return nil
}

func microsTime(t *time.Time) any { return microsDest{t} }

// boolDest scans a boolean stored as an integer (0: false).
type boolDest struct{ b *bool }

func (d boolDest) Scan(src any) error {
	v, ok := src.(int64)
	if !ok {
		return fmt.Errorf("boolean: %T is not an integer", src)
	}
	*d.b = v != 0
	return nil
}

func intBool(b *bool) any { return boolDest{b} }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// jsonIDs encodes ids for `IN (SELECT value FROM json_each(?))`.
func jsonIDs(ids []int64) string {
	b, _ := json.Marshal(ids)
	return string(b)
}

func jsonStrings(s []string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()
	}
	return 0
}

func isUnique(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

func isForeignKey(err error) bool {
	return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

func notFound(what string, id any) error { return store.NotFound(what, id) }

// affected returns ENOTFOUND when res changed no row.
func affected(res sql.Result, what string, id any) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound(what, id)
	}
	return nil
}

func limitOffset(limit, offset int) string {
	if limit <= 0 {
		limit = -1
	}
	if offset < 0 {
		offset = 0
	}
	return fmt.Sprintf(" LIMIT %d OFFSET %d", limit, offset)
}
