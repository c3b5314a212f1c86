package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/cairn-okr/cairn/auth"
	"github.com/cairn-okr/cairn/sqldb"
)

// testKey returns a fresh keyring entry "id:base64".
func testKey(t *testing.T, id string) string {
	t.Helper()
	b := make([]byte, auth.SecretKeyLen)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return id + ":" + base64.StdEncoding.EncodeToString(b)
}

// runningServer is a `cairn serve` started in-process with its own context.
type runningServer struct {
	base string
	stop func()
}

// startServer runs serve with the keyring in CAIRN_SECRET_KEY, reusing the demo
// environment d (its emulator keeps its address across restarts).
func startServer(t *testing.T, database, keyring string, d *demoEnv) *runningServer {
	t.Helper()
	t.Setenv("CAIRN_SECRET_KEY", keyring)
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	errc := make(chan error, 1)
	cfg := serveConfig{addr: "127.0.0.1:0", database: database, logLevel: "error", demo: d != nil, demoEnv: d}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	go func() { errc <- serve(ctx, cfg, io.Discard, log, ready) }()
	select {
	case base := <-ready:
		var once sync.Once
		return &runningServer{base: base, stop: func() {
			once.Do(func() {
				cancel()
				if err := <-errc; err != nil {
					t.Errorf("serve: %v", err)
				}
			})
		}}
	case err := <-errc:
		cancel()
		t.Fatalf("serve with keyring %s: %v", strings.SplitN(keyring, ":", 2)[0], err)
	}
	return nil
}

// dataSourceIDs lists the organization's data sources.
func dataSourceIDs(t *testing.T, s *session) []int64 {
	t.Helper()
	var list struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	if err := json.Unmarshal(s.must(200, "GET", "/api/v1/orgs/fabrikam/data-sources", nil), &list); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, d := range list.Items {
		ids = append(ids, d.ID)
	}
	return ids
}

// syncAll syncs every data source and waits: each must sync without an error, which
// needs its connection's credential to open.
func syncAll(t *testing.T, s *session, ids []int64) {
	t.Helper()
	for _, id := range ids {
		var d struct {
			Error *struct {
				Kind    string `json:"kind"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(s.must(200, "POST", fmt.Sprintf("/api/v1/orgs/fabrikam/data-sources/%d/sync?wait=true", id), nil), &d); err != nil {
			t.Fatal(err)
		}
		if d.Error != nil {
			t.Fatalf("data source %d failed to sync: %s: %s", id, d.Error.Kind, d.Error.Message)
		}
	}
}

// sealedUnder scans every text column of every table for values sealed under key id,
// so that a table that seals something the rotation misses shows up here.
// connectionCount is how many Azure DevOps connections, each with one sealed credential,
// the database holds: the demo's, however many it binds.
func connectionCount(t *testing.T, database string) int {
	t.Helper()
	db, err := sqldb.Open(context.Background(), database, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.SQL().QueryRow(`SELECT count(*) FROM azdo_connections`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("the demo made no connection: the test proves nothing")
	}
	return n
}

func sealedUnder(t *testing.T, database, id string) []string {
	t.Helper()
	db, err := sqldb.Open(context.Background(), database, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables, err := listTables(context.Background(), db.SQL(), db.Dialect())
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, tb := range tables {
		for _, c := range tb.columns {
			if c.kind != kindText && c.kind != kindJSON && c.kind != kindBlob {
				continue
			}
			q := fmt.Sprintf(`SELECT count(*) FROM %s WHERE CAST(%s AS TEXT) LIKE '%%v1:%s:%%'`, quoteIdent(tb.name), quoteIdent(c.name), id)
			var n int
			if err := db.SQL().QueryRow(q).Scan(&n); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			if n > 0 {
				found = append(found, fmt.Sprintf("%s.%s (%d rows)", tb.name, c.name, n))
			}
		}
	}
	if len(found) == 0 && len(tables) < 20 {
		t.Fatalf("the scan saw only %d tables", len(tables))
	}
	return found
}

// TestSecretsRotate rotates the sealing key under a running server: credentials sealed
// under k1 keep syncing while a server holds "k2,k1" and `cairn secrets rotate` re-seals
// them; afterwards nothing in any table is under k1, and a server with k2 alone syncs
// every data source.
func TestSecretsRotate(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) { checkSecretsRotate(t, filepath.Join(t.TempDir(), "c.db")) })
	t.Run("PostgreSQL", func(t *testing.T) { checkSecretsRotate(t, postgresDatabase(t)) })
}

func checkSecretsRotate(t *testing.T, database string) {
	t.Setenv("CAIRN_ADMIN_EMAIL", "admin@example.com")
	t.Setenv("CAIRN_ADMIN_PASSWORD", "correct-horse")
	t.Setenv("CAIRN_SECRET_KEY_FILE", filepath.Join(t.TempDir(), "absent.key"))
	k1, k2 := testKey(t, "k1"), testKey(t, "k2")
	var cfg serveConfig
	d, err := startDemo(&cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()

	// Before: everything is sealed under k1, including an OAuth sign-in in flight.
	a := startServer(t, database, k1, d)
	s := signIn(t, a.base, "admin@example.com")
	s.must(201, "POST", "/api/v1/orgs/fabrikam/connections", map[string]any{"name": "second", "organization_url": d.emuURL + "/fabrikam",
		"project": "Fabrikam Fiber", "visibility": "shared", "auth": map[string]string{"type": "pat", "token": d.emu.PATs()[0]}})
	ids := dataSourceIDs(t, s)
	if len(ids) < 4 {
		t.Fatalf("the demo has %d data sources", len(ids))
	}
	syncAll(t, s, ids)
	a.stop()
	old, err := auth.LoadKey(k1, "")
	if err != nil {
		t.Fatal(err)
	}
	const grantKey = "azdo.oauth.grant.rotation-test"
	grantPlain := []byte(`{"user_id":1,"token":{"access_token":"at","refresh_token":"rt"}}`)
	sealedGrant, err := old.Seal(grantPlain, []byte(grantKey))
	if err != nil {
		t.Fatal(err)
	}
	func() {
		db, err := sqldb.Open(context.Background(), database, sqldb.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.SetSetting(context.Background(), grantKey, sealedGrant); err != nil {
			t.Fatal(err)
		}
	}()
	if got := sealedUnder(t, database, "k1"); len(got) < 2 {
		t.Fatalf("before the rotation, values under k1 sit in %v; want the connections and the sign-in", got)
	}

	// During: a server with "k2,k1" syncs while rotate runs.
	keyring := k2 + "," + k1
	b := startServer(t, database, keyring, d)
	s = signIn(t, b.base, "admin@example.com")
	syncAll(t, s, ids)
	var out, errb bytes.Buffer
	rotated := make(chan int, 1)
	go func() { rotated <- run([]string{"secrets", "rotate", "--database", database}, &out, &errb) }()
	syncAll(t, s, ids)
	if code := <-rotated; code != 0 {
		t.Fatalf("secrets rotate: exit %d\n%s%s", code, out.String(), errb.String())
	}
	syncAll(t, s, ids)
	n := connectionCount(t, database)
	for _, want := range []string{"Keyring: current key k2, also k1", fmt.Sprintf("Re-sealed %d of %d connection credentials and 1 of 1 OAuth sign-ins in flight.", n, n),
		fmt.Sprintf("organization fabrikam: %d of %d connection credentials re-sealed", n, n), "key k1: unused", "drop k1 from the keyring"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("rotate printed no %q:\n%s", want, out.String())
		}
	}
	b.stop()
	if got := sealedUnder(t, database, "k1"); len(got) > 0 {
		t.Fatalf("after the rotation, values are still under k1 in %v", got)
	}
	if got := sealedUnder(t, database, "k2"); len(got) < 2 {
		t.Fatalf("after the rotation, values under k2 sit in %v; want the connections and the sign-in", got)
	}

	// After: k2 alone opens everything.
	c := startServer(t, database, k2, d)
	defer c.stop()
	s = signIn(t, c.base, "admin@example.com")
	syncAll(t, s, ids)
	newOnly, _ := auth.LoadKey(k2, "")
	func() {
		db, err := sqldb.Open(context.Background(), database, sqldb.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		v, err := db.Setting(context.Background(), grantKey)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := newOnly.Open(v, []byte(grantKey)); err != nil || !bytes.Equal(got, grantPlain) {
			t.Fatalf("the re-sealed sign-in opens under k2 alone as %q, %v", got, err)
		}
	}()
	out.Reset()
	errb.Reset()
	if code := run([]string{"secrets", "rotate", "--database", database}, &out, &errb); code != 0 ||
		!strings.Contains(out.String(), fmt.Sprintf("Re-sealed 0 of %d connection credentials and 0 of 1", n)) {
		t.Fatalf("a second rotate: exit %d\n%s%s", code, out.String(), errb.String())
	}
	out.Reset()
	if code := run([]string{"secrets", "status", "--database", database}, &out, &errb); code != 0 || !strings.Contains(out.String(), fmt.Sprintf("key k2: %d sealed values (current)", n+1)) {
		t.Fatalf("secrets status: exit %d\n%s%s", code, out.String(), errb.String())
	}
}

// TestSecretsRotateErrors: a keyring without the key a value is under names what it
// cannot open and fails; a database or key that is not there is a clear error.
func TestSecretsRotateErrors(t *testing.T) {
	dir := t.TempDir()
	database := filepath.Join(dir, "c.db")
	t.Setenv("CAIRN_ADMIN_EMAIL", "admin@example.com")
	t.Setenv("CAIRN_ADMIN_PASSWORD", "correct-horse")
	t.Setenv("CAIRN_SECRET_KEY_FILE", "")
	var cfg serveConfig
	d, err := startDemo(&cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	startServer(t, database, testKey(t, "k1"), d).stop()

	var out, errb bytes.Buffer
	t.Setenv("CAIRN_SECRET_KEY", testKey(t, "k3")+","+testKey(t, "k2"))
	code := run([]string{"secrets", "rotate", "--database", database}, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "fabrikam / Fabrikam Fiber") || !strings.Contains(errb.String(), `unknown key id "k1"`) ||
		!strings.Contains(out.String(), fmt.Sprintf("key k1: %d sealed values (NOT in the keyring", connectionCount(t, database))) {
		t.Fatalf("rotate without k1: exit %d\n%s%s", code, out.String(), errb.String())
	}
	if strings.Contains(out.String()+errb.String(), d.emu.PATs()[0]) {
		t.Fatal("rotate printed the credential")
	}

	errb.Reset()
	if code := run([]string{"secrets", "rotate", "--database", filepath.Join(dir, "missing.db")}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "no Cairn database at") {
		t.Fatalf("missing database: exit %d %s", code, errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
		t.Fatal("rotate created the missing database")
	}
	errb.Reset()
	t.Setenv("CAIRN_SECRET_KEY", "")
	if code := run([]string{"secrets", "rotate", "--database", database}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "no sealing key") {
		t.Fatalf("no key: exit %d %s", code, errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "cairn.key")); err == nil {
		t.Fatal("rotate created a key file")
	}
	errb.Reset()
	if code := run([]string{"secrets", "spin"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), `unknown secrets command "spin"`) {
		t.Fatalf("unknown subcommand: exit %d %s", code, errb.String())
	}
	out.Reset()
	if code := run([]string{"secrets", "new-key"}, &out, &errb); code != 0 {
		t.Fatalf("new-key: exit %d", code)
	}
	if _, err := auth.LoadKey(strings.TrimSpace(out.String()), ""); err != nil {
		t.Fatalf("new-key printed %q, which does not load: %v", out.String(), err)
	}
}
