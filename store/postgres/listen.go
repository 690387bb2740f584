package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Listen calls onChange after every committed change that another node of
// the store notified on its channel (articles stored or edited, picks,
// sections, entities, stories, sources, the search index), until ctx ends;
// it then returns ctx's error. A batch stored by ingest comes as a scoped
// Change naming its articles and stories, so that a web node can drop
// only the pages they can change; any other change is unscoped. Changes
// made through db itself are not passed on: the process that makes them
// refreshes its own caches as it makes them (serve drops only the pages
// its ingest's stores can change, and all of them after an editor's
// change).
//
// Listen holds one connection of its own, outside the pool. When that
// connection is lost it connects again, waiting longer after each failure
// (up to 10s). onChange is also called, with an unscoped Change of What
// "listen", each time the listener (re)connects, the first time included,
// since changes made while nobody listened are unknown: a cache filled
// before then may be stale. onChange runs on Listen's goroutine and should
// return quickly.
func (db *DB) Listen(ctx context.Context, onChange func(Change)) error {
	const minWait, maxWait = 100 * time.Millisecond, 10 * time.Second
	wait := minWait
	for {
		err := db.listenOnce(ctx, onChange, func() { wait = minWait })
		if ctx.Err() != nil {
			return ctx.Err()
		}
		db.log.Warn("change notifications lost, reconnecting", "channel", db.channel, "err", err, "in", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, maxWait)
	}
}

// listenOnce connects, listens and passes notifications on until the
// connection fails or ctx ends.
func (db *DB) listenOnce(ctx context.Context, onChange func(Change), connected func()) error {
	conn, err := pgx.ConnectConfig(ctx, db.pool.Config().ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{db.channel}.Sanitize()); err != nil {
		return fmt.Errorf("listen %s: %w", db.channel, err)
	}
	connected()
	onChange(Change{What: "listen"})
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("wait for notification: %w", err)
		}
		c, own := parseChange(n.Payload, db.origin)
		if own {
			continue // this store's own change
		}
		onChange(c)
	}
}
