package postgres

import (
	"context"

	"newsdesk"
)

// CopyFromBatch is CopyFrom reading batch rows at a time, so that tests
// cross page boundaries with little data.
func (db *DB) CopyFromBatch(ctx context.Context, src newsdesk.Store, progress func(string, int, int), batch int) error {
	return db.copyFrom(ctx, src, progress, batch)
}
