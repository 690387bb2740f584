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
