// Package pgtest gives tests a PostgreSQL schema of their own on the server of
// CAIRN_TEST_POSTGRES_URL.
package pgtest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the pgx database/sql driver
)

// EnvURL names the environment variable with the tests' PostgreSQL URL.
const EnvURL = "CAIRN_TEST_POSTGRES_URL"

// SchemaURL creates a fresh schema named prefix_<random> in the database of
// CAIRN_TEST_POSTGRES_URL, drops it when the test ends, and returns the URL that uses it
// (search_path). Without the variable the test is skipped, except under CI=true, where it
// fails: CI must run on PostgreSQL.
func SchemaURL(tb testing.TB, prefix string) string {
	tb.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal(EnvURL + " is not set; CI must run on PostgreSQL")
		}
		tb.Skip(EnvURL + " is not set; skipping PostgreSQL")
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	var buf [6]byte
	_, _ = rand.Read(buf[:])
	schema := prefix + "_" + hex.EncodeToString(buf[:])
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		admin.Close()
		tb.Fatalf("create schema %s: %v", schema, err)
	}
	tb.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
