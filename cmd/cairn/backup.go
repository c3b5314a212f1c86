package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

const backupHelp = `Takes a consistent copy of a SQLite database while Cairn runs on it, with SQLite's
VACUUM INTO: the copy is one snapshot of the database, compacted, and no writer waits for
it. The copy is written next to FILE first and renamed into place once complete, so FILE
never holds half a backup.

Restore by stopping Cairn and putting the copy in place of the database file (remove the
old -wal and -shm files next to it). Keep the key file (cairn.key) or CAIRN_SECRET_KEY
with the backups, but not in the same place: the copy's Azure DevOps credentials are
sealed under it.

PostgreSQL is backed up with its own tools: pg_dump -Fc, restored with pg_restore.`

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("backup", "cairn backup [--database cairn.db] --to FILE [--force]", backupHelp, stderr)
	database := fs.String("database", env("CAIRN_DATABASE_URL", "cairn.db"), "the SQLite database `file` (CAIRN_DATABASE_URL)")
	to := fs.String("to", "", "the `file` to write the copy to (required)")
	force := fs.Bool("force", false, "replace FILE when it exists")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *to == "" {
		fmt.Fprintln(stderr, "--to is required")
		fs.Usage()
		return errUsage
	}
	if isPostgres(*database) {
		return errors.New("--database is PostgreSQL: back it up with pg_dump -Fc and restore with pg_restore (see docs/operations.md)")
	}
	n, took, err := backupSQLite(ctx, *database, *to, *force, stdout)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote %s (%d bytes) in %s.\n", *to, n, took.Round(time.Millisecond))
	return nil
}

// backupSQLite copies the SQLite database at dsn into the file to with VACUUM INTO,
// through a temporary file renamed into place. It returns the size of the copy.
func backupSQLite(ctx context.Context, dsn, to string, force bool, progress io.Writer) (int64, time.Duration, error) {
	start := time.Now()
	path, _, _ := strings.Cut(dsn, "?")
	if _, err := os.Stat(path); err != nil {
		return 0, 0, fmt.Errorf("no Cairn database at %s: %w", path, err)
	}
	if abs(path) == abs(to) {
		return 0, 0, fmt.Errorf("--to names the database itself")
	}
	if _, err := os.Stat(to); err == nil && !force {
		return 0, 0, fmt.Errorf("%s exists; pick another name or pass --force to replace it", to)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return 0, 0, err
	}
	tmp := filepath.Join(filepath.Dir(to), "."+filepath.Base(to)+".partial")
	_ = os.Remove(tmp)
	defer os.Remove(tmp)

	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	db, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	var tables int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'goose_db_version'`).Scan(&tables); err != nil {
		return 0, 0, fmt.Errorf("read %s: %w", path, err)
	}
	if tables == 0 {
		return 0, 0, fmt.Errorf("%s is not a Cairn database (it has no goose_db_version table)", path)
	}
	fmt.Fprintf(progress, "Copying %s…\n", path)
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return 0, 0, fmt.Errorf("copy %s: %w", path, err)
	}
	// Check the copy before it takes the name.
	cp, err := sql.Open("sqlite", tmp)
	if err != nil {
		return 0, 0, err
	}
	var check string
	err = cp.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check)
	cp.Close()
	if err != nil || check != "ok" {
		return 0, 0, fmt.Errorf("the copy fails SQLite's integrity check: %v %s", err, check)
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return 0, 0, err
	}
	if err := os.Rename(tmp, to); err != nil {
		return 0, 0, err
	}
	fi, err := os.Stat(to)
	if err != nil {
		return 0, 0, err
	}
	return fi.Size(), time.Since(start), nil
}

func abs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}
