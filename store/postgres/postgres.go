// Package postgres is the newsdesk store for several web nodes and ingest
// workers sharing one PostgreSQL database: every store interface and the
// full-text search index (a weighted tsvector under the 'simple'
// configuration), on a pgx connection pool. Sources are leased with
// FOR UPDATE SKIP LOCKED, and every transaction that changes what the site
// shows sends a NOTIFY that Listen passes on, so that each node can drop its
// page cache.
package postgres

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"newsdesk"
	"newsdesk/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

var _ newsdesk.Store = (*DB)(nil)

// DefaultChannel is the LISTEN/NOTIFY channel of change notifications.
const DefaultChannel = "newsdesk_changes"

// DB is a newsdesk store on a PostgreSQL database.
type DB struct {
	// Now is the clock used for created, updated and fetched times.
	Now func() time.Time

	pool    *pgxpool.Pool
	channel string
	// origin tags this store's notifications (" " and it, after what
	// changed), so that its own Listen can tell them from other nodes'.
	origin string
	log    *slog.Logger
}

// Options tune OpenOptions. The zero value is the default.
type Options struct {
	// MaxConns is the size of the connection pool; 0 means max(4, GOMAXPROCS),
	// unless the DSN sets pool_max_conns.
	MaxConns int32
	// Channel is the LISTEN/NOTIFY channel; "" means DefaultChannel. Stores
	// that share a database but not a schema may use channels of their own.
	Channel string
	// Logger receives what Listen has to say about lost connections; nil
	// means no logging.
	Logger *slog.Logger
}

// Open connects to the database named by dsn (a postgres:// URL or a
// key=value string, as pgx accepts; search_path and other run-time
// parameters may be given in it) and applies the migrations not yet
// applied, holding an advisory lock so that nodes starting together apply
// each migration once.
func Open(ctx context.Context, dsn string) (*DB, error) {
	return OpenOptions(ctx, dsn, Options{})
}

// OpenOptions is Open with options.
func OpenOptions(ctx context.Context, dsn string, o Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// The parse error may quote the DSN and its password: keep it out.
		return nil, newsdesk.Errorf(newsdesk.EINVALID, "Invalid PostgreSQL connection string.")
	}
	if o.MaxConns > 0 {
		cfg.MaxConns = o.MaxConns
	} else if _, set := cfg.ConnConfig.Config.RuntimeParams["pool_max_conns"]; !set {
		cfg.MaxConns = int32(max(4, runtime.GOMAXPROCS(0)))
	}
	if o.Channel == "" {
		o.Channel = DefaultChannel
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", cfg.ConnConfig.Host, err)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	var origin [8]byte
	_, _ = rand.Read(origin[:])
	db := &DB{Now: time.Now, pool: pool, channel: o.Channel, origin: hex.EncodeToString(origin[:]), log: o.Logger}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open %s: %w", cfg.ConnConfig.Host, err)
	}
	return db, nil
}

// migrate applies the embedded migrations with the shared runner on a
// connection of its own that holds a session advisory lock, keyed by the
// current schema, for the whole run.
func (db *DB) migrate(ctx context.Context) error {
	sqldb := stdlib.OpenDB(*db.pool.Config().ConnConfig.Copy())
	defer sqldb.Close()
	sqldb.SetMaxOpenConns(1) // the lock is the session's: one session only
	sqldb.SetMaxIdleConns(1)
	sqldb.SetConnMaxLifetime(0)
	if _, err := sqldb.ExecContext(ctx, `SELECT pg_advisory_lock(hashtext('newsdesk.migrate.' || current_schema()))`); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	m := &store.Migrator{FS: migrations, Dir: "migrations", Now: db.now,
		Bind: func(n int) string { return "$" + strconv.Itoa(n) }}
	_, err := m.Migrate(ctx, sqldb)
	// Closing the connection would drop the lock too; unlock to be clear.
	if _, uerr := sqldb.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtext('newsdesk.migrate.' || current_schema()))`); err == nil && uerr != nil {
		err = fmt.Errorf("migration unlock: %w", uerr)
	}
	return err
}

// Pool is the connection pool, for maintenance tools.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Channel is the LISTEN/NOTIFY channel of change notifications.
func (db *DB) Channel() string { return db.channel }

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.pool.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	return nil
}

// Close releases the pool.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

func (db *DB) now() time.Time {
	if db.Now == nil {
		return time.Now().UTC().Truncate(time.Microsecond)
	}
	return db.Now().UTC().Truncate(time.Microsecond)
}

// tx runs fn in a read-committed transaction, committing when fn returns
// nil and rolling back otherwise.
func (db *DB) tx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db.pool, fn)
}

// notify queues a change notification that PostgreSQL delivers when, and
// only if, tx commits. what names the kind of change ("articles", "picks"…).
func (db *DB) notify(ctx context.Context, tx pgx.Tx, what string) error {
	return db.send(ctx, tx, db.payload(what))
}

// send queues a notification of payload in tx.
func (db *DB) send(ctx context.Context, tx pgx.Tx, payload string) error {
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, db.channel, payload); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}

// payload is a notification's text: what changed, and this store's origin.
func (db *DB) payload(what string) string { return what + " " + db.origin }

// notifyScoped is notify for a change that touches only the site's lists
// and the articles and stories named (an ingested batch, a new entity).
func (db *DB) notifyScoped(ctx context.Context, tx pgx.Tx, what string, articles, stories []int64) error {
	return db.send(ctx, tx, db.scopedPayload(what, articles, stories))
}

// maxPayload keeps a notification under PostgreSQL's limit of 8000 bytes.
const maxPayload = 7900

// scopedPayload is a notification's text for a scoped change: what, the
// origin, then "a=" and "s=" with the IDs of the articles and stories, or
// "-" when none are named. A batch naming more IDs than a notification
// holds is sent unscoped: every node then drops all it has cached.
func (db *DB) scopedPayload(what string, articles, stories []int64) string {
	b := []byte(db.payload(what))
	unscoped := len(b)
	b = append(b, ' ')
	if len(articles) == 0 && len(stories) == 0 {
		return string(append(b, '-'))
	}
	for i, ids := range [2][]int64{articles, stories} {
		if len(ids) == 0 {
			continue
		}
		if b[len(b)-1] != ' ' {
			b = append(b, ' ')
		}
		b = append(b, "as"[i], '=')
		for j, id := range ids {
			if j > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, id, 10)
			if len(b) > maxPayload {
				return string(b[:unscoped])
			}
		}
	}
	return string(b)
}

// Change is what one notification of another node says.
type Change struct {
	// What names the kind of change: "articles", "picks", "entities"…;
	// "listen" when the listener (re)connected.
	What string
	// Scoped is set when only the site's lists and the articles and
	// stories below changed: a batch stored by ingest, a new entity.
	// Otherwise anything may have changed.
	Scoped            bool
	Articles, Stories []int64
}

// parseChange reads a notification's payload, and whether it came from
// the store of origin self. A payload it cannot read in full is an
// unscoped change.
func parseChange(payload, self string) (c Change, own bool) {
	f := strings.Fields(payload)
	if len(f) == 0 {
		return Change{}, false
	}
	c.What = f[0]
	if len(f) < 2 {
		return c, false
	}
	own = f[1] == self
	if len(f) == 2 {
		return c, own
	}
	for _, x := range f[2:] {
		if x == "-" {
			continue
		}
		k, v, ok := strings.Cut(x, "=")
		var dst *[]int64
		switch {
		case ok && k == "a":
			dst = &c.Articles
		case ok && k == "s":
			dst = &c.Stories
		default:
			return Change{What: c.What}, own
		}
		for n := range strings.SplitSeq(v, ",") {
			id, err := strconv.ParseInt(n, 10, 64)
			if err != nil {
				return Change{What: c.What}, own
			}
			*dst = append(*dst, id)
		}
	}
	c.Scoped = true
	return c, own
}

// querier is what the pool, a connection and a transaction offer.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// ts is a time parameter: NULL for the zero time.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// tsDest scans a timestamptz, NULL giving the zero time, into a UTC time.
type tsDest struct{ t *time.Time }

func (d tsDest) ScanTimestamptz(v pgtype.Timestamptz) error {
	if !v.Valid || v.InfinityModifier != pgtype.Finite {
		*d.t = time.Time{}
		return nil
	}
	*d.t = v.Time.UTC()
	return nil
}

func tsp(t *time.Time) tsDest { return tsDest{t} }

// dialect scans times from timestamptz, NULL giving the zero time.
func dialect() store.Dialect { return store.Dialect{Time: tsAny} }

func tsAny(t *time.Time) any { return tsDest{t} }

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func isUnique(err error) bool     { return pgCode(err) == "23505" }
func isForeignKey(err error) bool { return pgCode(err) == "23503" }

func notFound(what string, id any) error { return store.NotFound(what, id) }

// affected returns ENOTFOUND when the command changed no row.
func affected(tag pgconn.CommandTag, what string, id any) error {
	if tag.RowsAffected() == 0 {
		return notFound(what, id)
	}
	return nil
}

func limitOffset(limit, offset int) string {
	s := ""
	if limit > 0 {
		s = " LIMIT " + strconv.Itoa(limit)
	}
	if offset > 0 {
		s += " OFFSET " + strconv.Itoa(offset)
	}
	return s
}

// args collects query parameters and hands out their placeholders.
type args []any

func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
