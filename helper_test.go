package cairn_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
	"github.com/cairn-okr/cairn/sqldb"
)

// postgresEnv names the PostgreSQL server that the suite also runs on.
const postgresEnv = "CAIRN_TEST_POSTGRES_URL"

var ctx = context.Background()

// The bundle's period is Q2 2026 and its clock starts half-way through it, so that the
// expected progress of every item is exactly 0.5: the period runs 91 whole days and the
// clock stands 45.5 days after its start.
var (
	q2Start = cairn.Date{Year: 2026, Month: 4, Day: 1}
	q2End   = cairn.Date{Year: 2026, Month: 6, Day: 30}
	midQ2   = time.Date(2026, 5, 16, 12, 0, 0, 0, time.UTC)
)

// testClock is a settable clock shared by the store and the service.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// actors are the people of a bundle, named after the part they play in fabrikam:
//
//	tenant     tenant admin, a member of no organization
//	admin      fabrikam's organization admin
//	owner      member who owns the bundle's objective
//	editor     member who is an editor of the objective
//	assignee   member who owns the key result and the initiative, not the objective
//	member     member with no part in the bundle's OKRs
//	viewer     viewer, yet listed as an editor of the objective and an owner of the
//	           key result and the initiative: the role must win over the lists
//	outsider   admin of contoso, not a member of fabrikam
//	anonymous  nobody signed in
var actors = []string{"tenant", "admin", "owner", "editor", "assignee", "member", "viewer", "outsider", "anonymous"}

// testBundle is the real Service over a fresh database of one dialect, with an
// organization (fabrikam) that has a person in every role and an open period, and a
// second organization (contoso) with its own admin and period.
type testBundle struct {
	db          *sqldb.DB
	svc         *cairn.Service
	clock       *testClock
	users       map[string]*cairn.User
	org         *cairn.Org
	other       *cairn.Org
	period      *cairn.Period
	otherPeriod *cairn.Period
}

// forEachDB runs fn as a parallel subtest on a fresh bundle of each database.
func forEachDB(t *testing.T, fn func(t *testing.T, b *testBundle)) {
	t.Helper()
	for _, d := range []string{sqldb.DialectSQLite, sqldb.DialectPostgres} {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fn(t, setup(t, d))
		})
	}
}

func setup(tb testing.TB, dialect string) *testBundle {
	tb.Helper()
	clock := &testClock{t: midQ2}
	db := mustOpenDB(tb, dialect, sqldb.Options{Now: clock.Now, MaxOpenConns: 4})
	b := &testBundle{db: db, clock: clock, users: map[string]*cairn.User{},
		svc: cairn.NewService(db, cairn.ServiceOptions{Now: clock.Now})}

	tenant := &cairn.User{Email: "tenant@example.com", Name: "tenant"}
	must(tb, db.CreateTenant(ctx, &cairn.Tenant{Name: "Cairn"}, tenant))
	b.users["tenant"] = tenant
	for _, name := range []string{"admin", "outsider"} {
		u := &cairn.User{Email: name + "@example.com", Name: name}
		must(tb, db.CreateUser(ctx, u))
		b.users[name] = u
	}
	// The store creates the organizations, so that the tenant admin belongs to neither and
	// whatever it may do there comes from being tenant admin.
	b.org = &cairn.Org{Name: "Fabrikam", Slug: "fabrikam"}
	must(tb, db.CreateOrg(ctx, b.org, b.users["admin"].ID))
	b.other = &cairn.Org{Name: "Contoso", Slug: "contoso"}
	must(tb, db.CreateOrg(ctx, b.other, b.users["outsider"].ID))
	if _, err := db.Membership(ctx, b.org.ID, tenant.ID); cairn.ErrorCode(err) != cairn.ENOTFOUND {
		tb.Fatalf("the tenant admin is a member of fabrikam (%v); the tenant cases would prove nothing", err)
	}

	for _, m := range []struct {
		name string
		role cairn.Role
	}{
		{"owner", cairn.RoleMember}, {"editor", cairn.RoleMember}, {"assignee", cairn.RoleMember},
		{"member", cairn.RoleMember}, {"viewer", cairn.RoleViewer},
	} {
		mem, err := b.svc.AddMember(b.as("admin"), b.org.Slug, cairn.NewMember{Email: m.name + "@example.com", Name: m.name, Role: m.role})
		must(tb, err)
		u, err := db.UserByID(ctx, mem.UserID)
		must(tb, err)
		b.users[m.name] = u
	}

	b.period = &cairn.Period{Name: "Q2 2026", Start: q2Start, End: q2End}
	must(tb, b.svc.CreatePeriod(b.as("admin"), b.org.Slug, b.period))
	b.otherPeriod = &cairn.Period{Name: "Q2 2026", Start: q2Start, End: q2End}
	must(tb, b.svc.CreatePeriod(b.as("outsider"), b.other.Slug, b.otherPeriod))
	return b
}

// as returns a context signed in as the actor; "anonymous" has nobody signed in.
func (b *testBundle) as(actor string) context.Context {
	if actor == "anonymous" {
		return ctx
	}
	u, ok := b.users[actor]
	if !ok {
		panic("unknown actor " + actor)
	}
	return cairn.NewContext(ctx, u)
}

// id returns the user id of the actor.
func (b *testBundle) id(actor string) int64 { return b.users[actor].ID }

// objective creates, as fabrikam's admin, an objective in the bundle's period owned by
// owner, with editor and viewer as editors; edit changes it first.
func (b *testBundle) objective(tb testing.TB, title string, edit ...func(*cairn.Objective)) *cairn.Objective {
	tb.Helper()
	o := &cairn.Objective{PeriodID: b.period.ID, Title: title,
		OwnerIDs: []int64{b.id("owner")}, EditorIDs: []int64{b.id("editor"), b.id("viewer")}}
	for _, f := range edit {
		f(o)
	}
	must(tb, b.svc.CreateObjective(b.as("admin"), b.org.Slug, o))
	return o
}

// keyResult creates, as fabrikam's admin, a manual key result from 0 to 100 under the
// objective, owned by assignee and viewer; edit changes it first.
func (b *testBundle) keyResult(tb testing.TB, objectiveID int64, title string, edit ...func(*cairn.KeyResult)) *cairn.KeyResult {
	tb.Helper()
	k := &cairn.KeyResult{ObjectiveID: objectiveID, Title: title,
		Metric:   cairn.Metric{Kind: cairn.MetricNumber, Start: 0, Target: 100},
		OwnerIDs: []int64{b.id("assignee"), b.id("viewer")}}
	for _, f := range edit {
		f(k)
	}
	must(tb, b.svc.CreateKeyResult(b.as("admin"), b.org.Slug, k))
	return k
}

// initiative creates, as fabrikam's admin, a contributing manual initiative under the
// parent, owned by assignee and viewer; edit changes it first.
func (b *testBundle) initiative(tb testing.TB, parent cairn.Ref, title string, edit ...func(*cairn.Initiative)) *cairn.Initiative {
	tb.Helper()
	i := &cairn.Initiative{Parent: parent, Title: title, Contributes: true,
		OwnerIDs: []int64{b.id("assignee"), b.id("viewer")}}
	for _, f := range edit {
		f(i)
	}
	must(tb, b.svc.CreateInitiative(b.as("admin"), b.org.Slug, i))
	return i
}

// checkIn records a check-in as the actor and fails the test on an error.
func (b *testBundle) checkIn(tb testing.TB, actor string, item cairn.Ref, value float64) {
	tb.Helper()
	must(tb, b.svc.CheckIn(b.as(actor), b.org.Slug, &cairn.CheckIn{Item: item, Value: value}))
}

func objRef(id int64) cairn.Ref  { return cairn.Ref{Type: cairn.ItemObjective, ID: id} }
func krRef(id int64) cairn.Ref   { return cairn.Ref{Type: cairn.ItemKeyResult, ID: id} }
func initRef(id int64) cairn.Ref { return cairn.Ref{Type: cairn.ItemInitiative, ID: id} }

// postgresURL returns the PostgreSQL server of the suite, or skips the test; under CI=true
// a missing server fails it.
func postgresURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv(postgresEnv)
	if u == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("%s is not set; CI must run the service suite on PostgreSQL", postgresEnv)
		}
		tb.Skipf("%s is not set; skipping PostgreSQL", postgresEnv)
	}
	return u
}

// mustOpenDB opens a fresh, migrated database of the dialect: a SQLite file in a temporary
// folder, or a schema of its own on the PostgreSQL test server, dropped when the test ends.
func mustOpenDB(tb testing.TB, dialect string, opts sqldb.Options) *sqldb.DB {
	tb.Helper()
	dsn := filepath.Join(tb.TempDir(), "cairn.db")
	if dialect == sqldb.DialectPostgres {
		dsn = mustSchema(tb, postgresURL(tb))
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

// mustSchema creates a schema for the test and returns a dsn that uses it. The drop is
// registered before the store's close, so it runs after it.
func mustSchema(tb testing.TB, base string) string {
	tb.Helper()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	var buf [6]byte
	_, _ = rand.Read(buf[:])
	schema := "svctest_" + hex.EncodeToString(buf[:])
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
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	return u.String()
}

// must fails the test on an error.
func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// wantCode fails the test unless err carries the code; "" wants no error.
func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := cairn.ErrorCode(err); got != code {
		tb.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

// wantField fails the test unless err is EINVALID and names the field.
func wantField(tb testing.TB, err error, field string) {
	tb.Helper()
	wantCode(tb, err, cairn.EINVALID)
	if got := cairn.ErrorField(err); got != field {
		tb.Fatalf("error field = %q (%v), want %q", got, err, field)
	}
	if cairn.ErrorMessage(err) == "" {
		tb.Fatalf("error %v has no message", err)
	}
}

// wantNear fails the test unless got is within 1e-9 of want.
func wantNear(tb testing.TB, what string, got, want float64) {
	tb.Helper()
	if math.Abs(got-want) > 1e-9 {
		tb.Fatalf("%s = %v, want %v", what, got, want)
	}
}

// wantProgress reads an objective or key result as fabrikam's viewer and fails the test
// unless its progress is near p and its status is st; it returns the progress read.
func (b *testBundle) wantProgress(tb testing.TB, what string, ref cairn.Ref, p float64, st progress.Status) float64 {
	tb.Helper()
	var got float64
	var status progress.Status
	switch ref.Type {
	case cairn.ItemObjective:
		v, err := b.svc.Objective(b.as("viewer"), b.org.Slug, ref.ID)
		must(tb, err)
		got, status = v.Progress, v.Status
	case cairn.ItemKeyResult:
		v, err := b.svc.KeyResult(b.as("viewer"), b.org.Slug, ref.ID)
		must(tb, err)
		got, status = v.Progress, v.Status
	default:
		tb.Fatalf("wantProgress reads objectives and key results, not %s", ref.Type)
	}
	wantNear(tb, what+" progress", got, p)
	if status != st {
		tb.Fatalf("%s status = %s, want %s (progress %v)", what, status, st, got)
	}
	return got
}

// objectiveTitles lists the titles of fabrikam's objectives, as its admin sees them.
func (b *testBundle) objectiveTitles(tb testing.TB) []string {
	tb.Helper()
	list, err := b.svc.ListObjectives(b.as("admin"), b.org.Slug, cairn.ObjectiveQuery{})
	must(tb, err)
	var out []string
	for _, o := range list {
		out = append(out, o.Title)
	}
	return out
}

func hasTitle(titles []string, title string) bool { return slices.Contains(titles, title) }
