package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStmts bounds the statement cache; queries past it are prepared
// each time. Filters combine into a few dozen distinct queries at most.
const maxCachedStmts = 512

// stmts is a pool with a cache of prepared statements: parsing SQL costs
// more than running most of newsdesk's queries.
type stmts struct {
	pool *sql.DB
	mu   sync.Mutex
	m    map[string]*sql.Stmt
}

func newStmts(pool *sql.DB) *stmts { return &stmts{pool: pool, m: map[string]*sql.Stmt{}} }

func (s *stmts) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	s.mu.Lock()
	st, ok := s.m[query]
	full := len(s.m) >= maxCachedStmts
	s.mu.Unlock()
	if ok || full {
		return st, nil // nil when full: the caller runs the query unprepared
	}
	st, err := s.pool.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.m[query]; ok {
		st.Close()
		return old, nil
	}
	s.m[query] = st
	return st, nil
}

// cached returns the statement if it is prepared already, or nil. Inside a
// write transaction the writer's only connection is taken, so statements
// cannot be prepared on the pool there: they are prepared at Open.
func (s *stmts) cached(query string) *sql.Stmt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[query]
}

func (s *stmts) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := s.stmt(ctx, query)
	if err != nil {
		return nil, err
	} else if st == nil {
		return s.pool.ExecContext(ctx, query, args...)
	}
	return st.ExecContext(ctx, args...)
}

func (s *stmts) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := s.stmt(ctx, query)
	if err != nil {
		return nil, err
	} else if st == nil {
		return s.pool.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext prepares the query; a failure to prepare surfaces from
// Scan, as with (*sql.DB).QueryRowContext.
func (s *stmts) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := s.stmt(ctx, query)
	if err != nil || st == nil {
		return s.pool.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (s *stmts) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for q, st := range s.m {
		st.Close()
		delete(s.m, q)
	}
}
