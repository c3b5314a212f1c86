package sqldb_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/sqldb"
	"github.com/pressly/goose/v3"
)

// postgresEnv names the PostgreSQL server that the suite also runs on.
const postgresEnv = "CAIRN_TEST_POSTGRES_URL"

// dialects lists the databases the suite runs on.
var dialects = []string{sqldb.DialectSQLite, sqldb.DialectPostgres}

// testClock is a settable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *testClock {
	return &testClock{t: time.Date(2026, 4, 1, 9, 30, 0, 123456000, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testBundle is one open database with its clock and query counter.
type testBundle struct {
	db      *sqldb.DB
	clock   *testClock
	queries *atomic.Int64
	dialect string
}

// postgresURL returns the PostgreSQL server of the suite, or skips the test; under CI=true
// a missing server fails it.
func postgresURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv(postgresEnv)
	if u == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("%s is not set; CI must run the store suite on PostgreSQL", postgresEnv)
		}
		tb.Skipf("%s is not set; skipping PostgreSQL", postgresEnv)
	}
	return u
}

// forEachDB runs fn as a parallel subtest on each database.
func forEachDB(t *testing.T, fn func(t *testing.T, b *testBundle)) {
	t.Helper()
	for _, d := range dialects {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fn(t, setup(t, d))
		})
	}
}

// setup opens a fresh, migrated database of the dialect, closed and dropped when the test
// ends.
func setup(tb testing.TB, dialect string) *testBundle {
	tb.Helper()
	b := &testBundle{clock: newClock(), queries: &atomic.Int64{}, dialect: dialect}
	opts := sqldb.Options{
		Now:          b.clock.Now,
		OnQuery:      func(string) { b.queries.Add(1) },
		MaxOpenConns: 4,
	}
	b.db = MustOpenDB(tb, dialect, opts)
	return b
}

// MustOpenDB opens a fresh database of the dialect: a SQLite file in a temporary folder,
// or a new schema on the PostgreSQL test server.
func MustOpenDB(tb testing.TB, dialect string, opts sqldb.Options) *sqldb.DB {
	tb.Helper()
	ctx := context.Background()
	var dsn string
	switch dialect {
	case sqldb.DialectSQLite:
		dsn = filepath.Join(tb.TempDir(), "cairn.db")
	case sqldb.DialectPostgres:
		dsn = mustSchema(tb, postgresURL(tb))
	default:
		tb.Fatalf("unknown dialect %q", dialect)
	}
	db, err := sqldb.Open(ctx, dsn, opts)
	if err != nil {
		tb.Fatalf("open %s: %v", dialect, err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	return db
}

// mustSchema creates a schema of its own for the test and returns a dsn that uses it. The
// schema is dropped when the test ends (registered before the store's close, so it runs
// after it).
func mustSchema(tb testing.TB, base string) string {
	tb.Helper()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	var buf [6]byte
	_, _ = rand.Read(buf[:])
	schema := "test_" + hex.EncodeToString(buf[:])
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		admin.Close()
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse %s: %v", postgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	// Tests need no durability; skipping the wait for the disk keeps them quick.
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	return u.String()
}

// wantCode fails the test unless err carries the cairn error code.
func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := cairn.ErrorCode(err); got != code {
		tb.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

// must fails the test on an error.
func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

var ctx = context.Background()

func (b *testBundle) user(tb testing.TB, email string) *cairn.User {
	tb.Helper()
	u := &cairn.User{Email: email, Name: strings.Split(email, "@")[0]}
	must(tb, b.db.CreateUser(ctx, u))
	return u
}

func (b *testBundle) org(tb testing.TB, slug string, creator int64) *cairn.Org {
	tb.Helper()
	o := &cairn.Org{Name: "Org " + slug, Slug: slug}
	must(tb, b.db.CreateOrg(ctx, o, creator))
	return o
}

func (b *testBundle) period(tb testing.TB, orgID int64, name string) *cairn.Period {
	tb.Helper()
	p := &cairn.Period{OrgID: orgID, Name: name,
		Start: cairn.Date{Year: 2026, Month: 4, Day: 1}, End: cairn.Date{Year: 2026, Month: 6, Day: 30}}
	must(tb, b.db.CreatePeriod(ctx, p))
	return p
}

func (b *testBundle) objective(tb testing.TB, orgID, periodID int64, owners ...int64) *cairn.Objective {
	tb.Helper()
	o := &cairn.Objective{OrgID: orgID, PeriodID: periodID, Title: "Delight customers", OwnerIDs: owners}
	must(tb, b.db.CreateObjective(ctx, o))
	return o
}

func (b *testBundle) keyResult(tb testing.TB, orgID, objectiveID int64, owners ...int64) *cairn.KeyResult {
	tb.Helper()
	k := &cairn.KeyResult{OrgID: orgID, ObjectiveID: objectiveID, Title: "NPS to 50", OwnerIDs: owners,
		Metric: cairn.Metric{Kind: cairn.MetricNumber, Start: 10, Target: 50, Current: 10}}
	must(tb, b.db.CreateKeyResult(ctx, k))
	return k
}

func (b *testBundle) initiative(tb testing.TB, orgID int64, parent cairn.Ref, owners ...int64) *cairn.Initiative {
	tb.Helper()
	i := &cairn.Initiative{OrgID: orgID, Parent: parent, Title: "Interview 20 users", Contributes: true, OwnerIDs: owners}
	must(tb, b.db.CreateInitiative(ctx, i))
	return i
}

// world is a small organization with people and one period, plus a second organization
// for isolation checks.
type world struct {
	alice, bob, carol *cairn.User
	org, other        *cairn.Org
	period            *cairn.Period
	otherPeriod       *cairn.Period
}

func (b *testBundle) world(tb testing.TB) *world {
	tb.Helper()
	w := &world{
		alice: b.user(tb, "alice@example.com"),
		bob:   b.user(tb, "bob@example.com"),
		carol: b.user(tb, "carol@example.com"),
	}
	w.org = b.org(tb, "fabrikam", w.alice.ID)
	w.other = b.org(tb, "contoso", w.bob.ID)
	w.period = b.period(tb, w.org.ID, "Q2 2026")
	w.otherPeriod = b.period(tb, w.other.ID, "Q2 2026")
	return w
}

func equalIDs(a, b []int64) bool {
	if a == nil || b == nil || len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func wantIDs(tb testing.TB, what string, got, want []int64) {
	tb.Helper()
	if !equalIDs(got, want) {
		tb.Fatalf("%s = %v, want %v (non-nil, sorted)", what, got, want)
	}
}

func ptr[T any](v T) *T { return &v }

// databaseAt makes an empty database of the dialect migrated up to version, as an older
// Cairn left it, and returns it (closed when the test ends) with the DSN that sqldb.Open
// takes to migrate it the rest of the way. Migration tests fill it with rows in the old
// shape first.
func databaseAt(tb testing.TB, dialect string, version int64) (*sql.DB, string) {
	tb.Helper()
	driver, gd, dsn := "sqlite", goose.DialectSQLite3, filepath.Join(tb.TempDir(), "cairn.db")
	if dialect == sqldb.DialectPostgres {
		driver, gd, dsn = "pgx", goose.DialectPostgres, mustSchema(tb, postgresURL(tb))
	}
	raw := dsn
	if dialect == sqldb.DialectSQLite {
		raw += "?_time_format=sqlite&_timezone=UTC"
	}
	old, err := sql.Open(driver, raw)
	must(tb, err)
	tb.Cleanup(func() { old.Close() })
	p, err := goose.NewProvider(gd, old, os.DirFS(filepath.Join("migrations", dialect)))
	must(tb, err)
	if _, err := p.UpTo(ctx, version); err != nil {
		tb.Fatalf("migrate to %d: %v", version, err)
	}
	return old, dsn
}
