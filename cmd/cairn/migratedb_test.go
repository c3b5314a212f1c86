package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn/sqldb"
)

// fullDatabase fills a SQLite database at path through a running demo server, the CLI
// and, for the Azure DevOps extension's links, SQL: every Cairn table gets rows. It
// returns the running server and its session.
func fullDatabase(t *testing.T, path, keyring string, d *demoEnv) (*runningServer, *session) {
	t.Helper()
	srv := startServer(t, path, keyring, d)
	s := signIn(t, srv.base, "admin@example.com")
	syncAll(t, s, dataSourceIDs(t, s))
	s.must(201, "POST", "/api/v1/orgs/fabrikam/members", map[string]string{"email": "member@example.com", "name": "Mia Member", "role": "member", "password": "correct-horse"})

	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	one := func(q string) int64 {
		t.Helper()
		var id int64
		if err := db.QueryRow(q).Scan(&id); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	admin := one(`SELECT id FROM users WHERE email = 'admin@example.com'`)
	member := one(`SELECT id FROM users WHERE email = 'member@example.com'`)
	obj := one(`SELECT min(id) FROM objectives`)
	kr := one(`SELECT min(id) FROM key_results`)
	ini := one(`SELECT min(id) FROM initiatives`)
	s.must(201, "POST", "/api/v1/orgs/fabrikam/teams", map[string]any{"name": "Checkout", "member_ids": []int64{admin, member}})
	s.must(201, "POST", fmt.Sprintf("/api/v1/orgs/fabrikam/objectives/%d/comments", obj), map[string]string{"body": "@member@example.com have a look"})
	s.must(200, "PATCH", fmt.Sprintf("/api/v1/orgs/fabrikam/objectives/%d", obj), map[string]any{"editor_ids": []int64{member}})
	s.must(200, "PATCH", fmt.Sprintf("/api/v1/orgs/fabrikam/key-results/%d", kr), map[string]any{"editor_ids": []int64{member}})
	s.must(200, "PATCH", fmt.Sprintf("/api/v1/orgs/fabrikam/initiatives/%d", ini), map[string]any{"editor_ids": []int64{member}})
	res, _ := newSession(t, srv.base).do("POST", "/api/v1/auth/login", map[string]string{"email": "member@example.com", "password": "wrong"}, nil)
	if res.StatusCode != 401 {
		t.Fatalf("a wrong password answered %d", res.StatusCode)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"token", "create", "--database", path, "--email", "admin@example.com"}, &out, &errb); code != 0 {
		t.Fatalf("token create: %s", errb.String())
	}
	if code := run([]string{"import", "viva", "--database", path, "--org", "fabrikam", filepath.Join("..", "..", "viva", "testdata", "explorer.csv")}, &out, &errb); code != 0 {
		t.Fatalf("import viva: %s", errb.String())
	}
	w, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	now := time.Now().UTC().Truncate(time.Microsecond).Format("2006-01-02 15:04:05.999999999-07:00")
	for _, q := range []string{
		`INSERT INTO extension_links (azure_user_id, user_id, created_at) VALUES ('azure-user-1', ` + strconv.FormatInt(admin, 10) + `, '` + now + `')`,
		// The sync engine keeps its type cache elsewhere now, but the table is still there.
		`INSERT INTO azdo_state_categories (connection_id, work_item_type, state, category) VALUES ((SELECT min(id) FROM azdo_connections), 'Bug', 'Triaged', 'InProgress')`,
		`INSERT INTO extension_link_codes (code_hash, azure_user_id, azure_user_name, expires_at) VALUES ('hash-1', 'azure-user-2', 'Ann', '` + now + `')`,
		// Reminders and notifications, as the planner and the settings pages write them; the
		// running server's planner may have written some already.
		`INSERT INTO org_cadences (org_id, frequency, weekday, month_day, hour) VALUES ((SELECT min(id) FROM orgs), 'weekly', 1, 1, 9) ON CONFLICT DO NOTHING`,
		`INSERT INTO team_cadences (team_id, org_id, frequency, weekday, month_day, hour) VALUES ((SELECT min(id) FROM teams), (SELECT min(id) FROM orgs), 'biweekly', 3, 1, 14) ON CONFLICT DO NOTHING`,
		`INSERT INTO notify_prefs (user_id, email, teams, slack, digest) VALUES (` + strconv.FormatInt(member, 10) + `, 1, 0, 1, 1) ON CONFLICT DO NOTHING`,
		`INSERT INTO team_webhooks (team_id, org_id, kind, url_sealed, hint, created_at) VALUES ((SELECT min(id) FROM teams), (SELECT min(id) FROM orgs), 'slack', 'sealed-webhook', 'hooks.slack.com/…/abcd', '` + now + `') ON CONFLICT DO NOTHING`,
		`INSERT INTO notifications (user_id, org_id, kind, dedup_key, title, body, link, items, team_id, created_at) VALUES (` + strconv.FormatInt(member, 10) + `, (SELECT min(id) FROM orgs), 'mention', 'mention:1', 'You were mentioned', 'Have a look', '/o/fabrikam/okrs', '[]', (SELECT min(id) FROM teams), '` + now + `') ON CONFLICT DO NOTHING`,
		`INSERT INTO deliveries (notification_id, org_id, channel, target, status, attempts, last_error, updated_at) VALUES ((SELECT min(id) FROM notifications), (SELECT min(id) FROM orgs), 'email', 'member@example.com', 'failed', 2, 'connection refused', '` + now + `') ON CONFLICT DO NOTHING`,
		`INSERT INTO key_result_status_seen (key_result_id, status, seen_at) VALUES (` + strconv.FormatInt(kr, 10) + `, 'at_risk', '` + now + `') ON CONFLICT DO NOTHING`,
		`INSERT INTO saved_views (org_id, owner_id, name, shared, filter, created_at, updated_at) VALUES ((SELECT min(id) FROM orgs), ` + strconv.FormatInt(admin, 10) + `, 'Checkout at risk', 1, '{"status":["at_risk"]}', '` + now + `', '` + now + `') ON CONFLICT DO NOTHING`,
	} {
		if _, err := w.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return srv, s
}

// rowsOf reads a table in a stable order, each value normalised to the kind the copy
// converts it to, so that SQLite's and PostgreSQL's answers compare.
func rowsOf(t *testing.T, db *sql.DB, tb dbTable) []string {
	t.Helper()
	quoted := make([]string, len(tb.columns))
	for i, c := range tb.columns {
		quoted[i] = quoteIdent(c.name)
	}
	rows, err := db.Query(`SELECT ` + strings.Join(quoted, ", ") + ` FROM ` + quoteIdent(tb.name) + ` ORDER BY ` + tb.orderBy())
	if err != nil {
		t.Fatalf("read %s: %v", tb.name, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals := make([]any, len(tb.columns))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for i, c := range tb.columns {
			v, err := convert(vals[i], c.kind)
			if err != nil {
				t.Fatalf("%s.%s: %v", tb.name, c.name, err)
			}
			if tm, ok := v.(time.Time); ok {
				v = tm.UTC().Format(time.RFC3339Nano)
			}
			fmt.Fprintf(&b, "%s=%#v ", c.name, v)
		}
		out = append(out, b.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(tb.pkColumns()) == 0 {
		// Without a key the two databases may order NULLs apart.
		sort.Strings(out)
	}
	return out
}

// TestMigrateDBCopiesEveryTable moves a live SQLite install, with rows in every Cairn
// table, to PostgreSQL: the tables come from the schema itself, so a new table is
// copied or named as skipped, and must have rows here; every copied table holds the same
// rows, a PostgreSQL server then serves and syncs the copy with the same key, a target
// with data is refused without --force, and --force copies over it.
func TestMigrateDBCopiesEveryTable(t *testing.T) {
	pgURL := postgresDatabase(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "cairn.db")
	t.Setenv("CAIRN_ADMIN_EMAIL", "admin@example.com")
	t.Setenv("CAIRN_ADMIN_PASSWORD", "correct-horse")
	t.Setenv("CAIRN_SECRET_KEY_FILE", "")
	key := testKey(t, "k1")
	var cfg serveConfig
	d, err := startDemo(&cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	srv, _ := fullDatabase(t, path, key, d)

	// A rehearsal while the server runs on the file.
	var out, errb bytes.Buffer
	if code := run([]string{"migrate-db", "--from", path, "--to", pgURL}, &out, &errb); code != 0 {
		t.Fatalf("migrate-db on a live file: exit %d\n%s%s", code, out.String(), errb.String())
	}
	srv.stop()

	// The target holds data now: refused, and left as it was.
	out.Reset()
	errb.Reset()
	if code := run([]string{"migrate-db", "--from", path, "--to", pgURL}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "the target already holds data") ||
		!strings.Contains(errb.String(), "--force") {
		t.Fatalf("migrate-db over data: exit %d\n%s%s", code, out.String(), errb.String())
	}
	out.Reset()
	res, err := migrateDB(context.Background(), migrateDBOptions{from: path, to: pgURL, force: true, batch: 7}, &out)
	if err != nil {
		t.Fatalf("migrate-db --force: %v\n%s", err, out.String())
	}
	t.Logf("migrate-db --force:\n%s", out.String())
	if !strings.Contains(out.String(), "Emptied the target's") || !strings.Contains(out.String(), "Copied ") {
		t.Errorf("progress output:\n%s", out.String())
	}

	src, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := sql.Open("pgx", pgURL)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	// The copy leaves the planner the statistics of what it wrote.
	analyzed := func() (n int) {
		if err := dst.QueryRow(`SELECT count(*) FROM pg_stat_user_tables WHERE schemaname = current_schema()
			AND relname IN ('check_ins', 'key_results', 'objectives') AND last_analyze IS NOT NULL`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for deadline := time.Now().Add(10 * time.Second); analyzed() != 3; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("migrate-db left the copied tables without statistics (ANALYZE)")
		}
	}
	tables, err := listTables(context.Background(), src, sqldb.DialectSQLite)
	if err != nil {
		t.Fatal(err)
	}
	pgTables, err := listTables(context.Background(), dst, sqldb.DialectPostgres)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]colKind{}
	for _, tb := range pgTables {
		for _, c := range tb.columns {
			kinds[tb.name+"."+c.name] = c.kind
		}
	}
	sawRiver := false
	for _, tb := range tables {
		if why, ok := skipReason(tb.name); ok {
			if res.skipped[tb.name] != why {
				t.Errorf("%s is skipped by the list but the copy did not report it", tb.name)
			}
			sawRiver = sawRiver || tb.name == "river_job"
			continue
		}
		n, copied := res.copied[tb.name]
		if !copied {
			t.Errorf("table %s was neither copied nor skipped with a reason", tb.name)
			continue
		}
		if n == 0 {
			t.Errorf("table %s has no rows in this test's database: give it some in fullDatabase so its copy is checked", tb.name)
			continue
		}
		for i, c := range tb.columns {
			tb.columns[i].kind = kinds[tb.name+"."+c.name]
		}
		want, got := rowsOf(t, src, tb), rowsOf(t, dst, tb)
		if len(want) != len(got) || len(want) != n {
			t.Errorf("%s: %d rows in SQLite, %d in PostgreSQL, %d reported", tb.name, len(want), len(got), n)
			continue
		}
		for i := range want {
			if want[i] != got[i] {
				t.Errorf("%s row %d differs:\n sqlite   %s\n postgres %s", tb.name, i+1, want[i], got[i])
				break
			}
		}
	}
	if !sawRiver {
		t.Error("the source had no River tables; the test should run on a database a server used")
	}
	if len(res.copied) < 30 {
		t.Errorf("only %d tables copied", len(res.copied))
	}

	// PostgreSQL serves the copy: sessions, sealed credentials and sequences carry over.
	pg := startServer(t, pgURL, key, d)
	defer pg.stop()
	s := signIn(t, pg.base, "admin@example.com")
	syncAll(t, s, dataSourceIDs(t, s))
	s.must(201, "POST", "/api/v1/orgs/fabrikam/teams", map[string]any{"name": "After the move"})
	s.must(201, "POST", "/api/v1/orgs/fabrikam/members", map[string]string{"email": "new@example.com", "name": "New", "role": "member", "password": "correct-horse"})
}

// TestMigrateDBRefusesBadInput: missing or swapped flags and a missing source are clear
// errors that write nothing.
func TestMigrateDBRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"migrate-db"}, 2, "--from and --to are both required"},
		{[]string{"migrate-db", "--from", "postgres://a/b", "--to", "postgres://c/d"}, 2, "--from must be a SQLite file"},
		{[]string{"migrate-db", "--from", "a.db", "--to", "b.db"}, 2, "--to must be a postgres:// URL"},
		{[]string{"migrate-db", "--from", filepath.Join(dir, "none.db"), "--to", "postgres://127.0.0.1:1/x"}, 1, "no Cairn database at"},
	} {
		var out, errb bytes.Buffer
		if code := run(c.args, &out, &errb); code != c.code || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: exit %d %q; want %d and %q", c.args, code, errb.String(), c.code, c.want)
		}
	}
}

// TestPlanCopyBreaksCycles: the objectives ⇄ key results cycle is broken at the nullable
// column, self references wait for the end, and a NOT NULL cycle is refused.
func TestPlanCopyBreaksCycles(t *testing.T) {
	tables := []dbTable{
		{name: "key_results", columns: []column{{name: "id", pk: 1}, {name: "objective_id", notNull: true, refTable: "objectives"}, {name: "carried_from_id", refTable: "key_results"}}},
		{name: "objectives", columns: []column{{name: "id", pk: 1}, {name: "parent_key_result_id", refTable: "key_results"}, {name: "org_id", notNull: true, refTable: "orgs"}}},
		{name: "orgs", columns: []column{{name: "id", pk: 1}}},
	}
	p, err := planCopy(tables)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, tb := range p.order {
		order = append(order, tb.name)
	}
	if strings.Join(order, ",") != "orgs,objectives,key_results" {
		t.Errorf("order %v", order)
	}
	if fmt.Sprint(p.deferred) != "map[key_results:[carried_from_id] objectives:[parent_key_result_id]]" {
		t.Errorf("deferred %v", p.deferred)
	}
	tables[1].columns[1].notNull = true
	if _, err := planCopy(tables); err == nil || !strings.Contains(err.Error(), "cycle of NOT NULL columns") {
		t.Errorf("a NOT NULL cycle: %v", err)
	}
}
