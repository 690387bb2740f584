package main

import (
	"context"
	"flag"
	"fmt"
)

// migrate opens the database, which applies any pending migration.
func (m *Main) migrate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	cfg := m.flags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(m.Stdout, "database %s is up to date\n", redactDSN(cfg.DB))
	return nil
}
