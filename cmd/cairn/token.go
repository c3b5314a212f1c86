package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/sqldb"
	"github.com/cairn-okr/cairn/web"
)

const tokenHelp = `Manages personal API tokens.

  cairn token create --email E [--name N]   prints a new token for that user

A token is sent as "Authorization: Bearer <token>" and acts as its user. It is shown once
and stored only as a hash.`

func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stderr, "Usage: cairn token create --email E [--name N] [--database DSN]")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, tokenHelp)
		if len(args) == 0 {
			return errUsage
		}
		return errHelp
	}
	if args[0] != "create" {
		fmt.Fprintf(stderr, "unknown token command %q; try: cairn token create --email E\n", args[0])
		return errUsage
	}
	fs := newFlagSet("token create", "cairn token create --email E [--name N] [--database DSN]", tokenHelp, stderr)
	email := fs.String("email", "", "the user's email (required)")
	name := fs.String("name", "cli", "a name that says what the token is for")
	database := fs.String("database", env("CAIRN_DATABASE_URL", "cairn.db"), "SQLite file or postgres:// URL (CAIRN_DATABASE_URL)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if strings.TrimSpace(*email) == "" {
		fmt.Fprintln(stderr, "--email is required")
		fs.Usage()
		return errUsage
	}
	db, err := sqldb.Open(ctx, *database, sqldb.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.UserByEmail(ctx, strings.ToLower(strings.TrimSpace(*email)))
	if cairn.ErrorCode(err) == cairn.ENOTFOUND {
		return fmt.Errorf("no user with email %s", *email)
	}
	if err != nil {
		return err
	}
	_, plain, err := web.CreateAPIToken(ctx, db, u.ID, *name, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, plain)
	return nil
}
