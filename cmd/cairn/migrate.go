package main

import (
	"context"
	"fmt"
	"io"

	"github.com/cairn-okr/cairn/sqldb"
)

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", "cairn migrate [--database DSN]", "Applies every pending database migration and exits. `cairn serve` does this on start too.", stderr)
	database := fs.String("database", env("CAIRN_DATABASE_URL", "cairn.db"), "SQLite file or postgres:// URL (CAIRN_DATABASE_URL)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	db, err := sqldb.Open(ctx, *database, sqldb.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Ping(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s database is migrated\n", db.Dialect())
	return nil
}
