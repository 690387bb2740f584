package sqlite

import (
	"context"
	"database/sql"
)

// RebuildRivers rebuilds the lists the store derives from articles and
// their filing, for benchmarks that load rows with plain SQL.
func RebuildRivers(ctx context.Context, db *DB) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		if err := rebuildSectionRiver(ctx, tx); err != nil {
			return err
		}
		return rebuildEntityRiver(ctx, tx)
	})
}

// SetSearchLimits replaces searchDense and searchWalkMax (0: the defaults),
// so that a small corpus is searched with the plans of a large one.
func SetSearchLimits(db *DB, dense, walkMax int) {
	db.testSearchDense, db.testSearchWalkMax = dense, walkMax
}
