package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/cairn-okr/cairn/auth"
	"github.com/cairn-okr/cairn/datasource"
	"github.com/cairn-okr/cairn/sqldb"
)

const secretsHelp = `Manages the keys that seal Azure DevOps credentials at rest.

  cairn secrets status     counts the sealed values under each key id
  cairn secrets rotate     re-seals every sealed value under the current key
  cairn secrets new-key    prints a fresh key as id:base64, for the keyring

The keyring is CAIRN_SECRET_KEY, or the key file (CAIRN_SECRET_KEY_FILE, or cairn.key
next to a SQLite database): one or more keys as "id1:key1,id2:key2" or one per line. The
first key is current: new values are sealed under it. The others only open what was
sealed under them. Run these commands with the same keyring and database as the servers.

Rotating a key with no downtime, on any number of replicas:
  1. cairn secrets new-key, and add the new key after the current one ("old,new");
     roll the replicas so that every one of them can open values sealed under it.
  2. Put the new key first ("new,old") and roll the replicas again.
  3. cairn secrets rotate: re-seals the connection credentials and OAuth sign-ins in
     flight under the new key, one value at a time, while the replicas keep syncing.
     It ends by listing the keys still in use.
  4. Drop the old key ("new") and roll the replicas once more.`

func runSecrets(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usageLine := "cairn secrets status|rotate|new-key [--database DSN]"
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(stderr, "Usage: %s\n\n%s\n", usageLine, secretsHelp)
		if len(args) == 0 {
			return errUsage
		}
		return errHelp
	}
	sub := args[0]
	switch sub {
	case "status", "rotate", "new-key":
	default:
		fmt.Fprintf(stderr, "unknown secrets command %q; try: cairn secrets status, rotate or new-key\n", sub)
		return errUsage
	}
	fs := newFlagSet("secrets "+sub, "cairn secrets "+sub+" [--database DSN]", secretsHelp, stderr)
	var database *string
	if sub != "new-key" {
		database = fs.String("database", env("CAIRN_DATABASE_URL", "cairn.db"), "SQLite file or postgres:// URL (CAIRN_DATABASE_URL)")
	}
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if sub == "new-key" {
		key := make([]byte, auth.SecretKeyLen)
		if _, err := rand.Read(key); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s:%s\n", auth.KeyID(key), base64.StdEncoding.EncodeToString(key))
		return nil
	}
	db, err := openExisting(ctx, *database)
	if err != nil {
		return err
	}
	defer db.Close()
	sealer, err := loadSealer(*database, db.Dialect(), false)
	if err != nil {
		return err
	}
	ids := sealer.KeyIDs()
	fmt.Fprintf(stdout, "Keyring: current key %s", ids[0])
	if len(ids) > 1 {
		fmt.Fprintf(stdout, ", also %s", strings.Join(ids[1:], ", "))
	}
	fmt.Fprintln(stdout)
	var rerr error
	if sub == "rotate" {
		fmt.Fprintf(stdout, "Re-sealing every sealed value under %s…\n", ids[0])
		rep, err := datasource.Reseal(ctx, db, db, sealer, func(msg string) { fmt.Fprintln(stdout, "  "+msg) })
		fmt.Fprintf(stdout, "Re-sealed %d of %d connection credentials and %d of %d OAuth sign-ins in flight.\n",
			rep.Resealed, rep.Credentials, rep.FlowsResealed, rep.Flows)
		rerr = err
	}
	counts, err := datasource.SealedKeyIDs(ctx, db, db)
	if err != nil {
		return err
	}
	reportKeys(stdout, ids, counts)
	if rerr != nil {
		return rerr
	}
	if sub == "rotate" {
		for id, n := range counts {
			if id != ids[0] && n > 0 {
				return fmt.Errorf("%d sealed values are still under key %q; run rotate again", n, id)
			}
		}
		if len(ids) > 1 {
			fmt.Fprintf(stdout, "Every sealed value is under %s: drop %s from the keyring of every replica.\n", ids[0], strings.Join(ids[1:], ", "))
		}
	}
	return nil
}

// reportKeys prints how many sealed values each key id holds, and which keys of the
// keyring hold none.
func reportKeys(w io.Writer, keyring []string, counts map[string]int) {
	ids := make([]string, 0, len(counts))
	for id := range counts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if len(ids) == 0 {
		fmt.Fprintln(w, "No sealed values are stored.")
	}
	for _, id := range ids {
		note := ""
		switch {
		case id == "":
			id, note = "(unreadable)", " (not in the sealed form)"
		case id == keyring[0]:
			note = " (current)"
		case slices.Contains(keyring, id):
			note = " (in the keyring)"
		default:
			note = " (NOT in the keyring: these cannot be opened)"
		}
		fmt.Fprintf(w, "  key %s: %d sealed values%s\n", id, counts[id], note)
	}
	for _, id := range keyring[1:] {
		if counts[id] == 0 {
			fmt.Fprintf(w, "  key %s: unused\n", id)
		}
	}
}

// openExisting opens a database that must exist already: a SQLite path that names no
// file is refused rather than created.
func openExisting(ctx context.Context, dsn string) (*sqldb.DB, error) {
	if !isPostgres(dsn) {
		path, _, _ := strings.Cut(dsn, "?")
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("no Cairn database at %s: %w", path, err)
		}
	}
	return sqldb.Open(ctx, dsn, sqldb.Options{})
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}
