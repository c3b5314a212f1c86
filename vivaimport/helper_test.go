package vivaimport_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/internal/pgtest"
	"github.com/cairn-okr/cairn/sqldb"
	"github.com/cairn-okr/cairn/viva"
	"github.com/cairn-okr/cairn/vivaimport"
)

var ctx = context.Background()

// now is the clock of every test: after the fixtures' periods.
var now = time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)

// testBundle is a fresh database with the organization fabrikam, whose admin is Alex Admin.
type testBundle struct {
	db      *sqldb.DB
	svc     *cairn.Service
	admin   *cairn.User
	org     *cairn.Org
	dialect string
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
	var dsn string
	switch dialect {
	case sqldb.DialectSQLite:
		dsn = filepath.Join(tb.TempDir(), "cairn.db")
	case sqldb.DialectPostgres:
		dsn = pgtest.SchemaURL(tb, "vivaimport")
	}
	db, err := sqldb.Open(ctx, dsn, sqldb.Options{Now: func() time.Time { return now }, MaxOpenConns: 4})
	if err != nil {
		tb.Fatalf("open %s: %v", dialect, err)
	}
	tb.Cleanup(func() { db.Close() })
	b := &testBundle{db: db, dialect: dialect, svc: cairn.NewService(db, cairn.ServiceOptions{Now: func() time.Time { return now }})}
	b.admin = &cairn.User{Email: "alex@example.com", Name: "Alex Admin"}
	must(tb, db.CreateUser(ctx, b.admin))
	b.org = &cairn.Org{Name: "Fabrikam", Slug: "fabrikam"}
	must(tb, db.CreateOrg(ctx, b.org, b.admin.ID))
	return b
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// read reads an export of the fixtures.
func read(tb testing.TB, path string) *viva.Export {
	tb.Helper()
	exp, err := vivaimport.ReadFile(path, vivaimport.Options{})
	must(tb, err)
	return exp
}

// apply imports an export into fabrikam.
func (b *testBundle) apply(tb testing.TB, exp *viva.Export) *vivaimport.Summary {
	tb.Helper()
	sum, err := vivaimport.Apply(ctx, b.db, b.org, exp, vivaimport.Options{Now: func() time.Time { return now }})
	must(tb, err)
	return sum
}

// world is everything of fabrikam as the store lists it, by Viva id where an import mapped it.
type world struct {
	objectives  map[string]*cairn.Objective
	keyResults  map[string]*cairn.KeyResult
	initiatives map[string]*cairn.Initiative
	periods     map[int64]*cairn.Period
	teams       map[int64]*cairn.Team
	members     map[int64]*cairn.Member
	mappings    map[cairn.MappingKind]map[string]*cairn.ImportMapping
	rows        map[string]int // rows per table
}

// load reads fabrikam back.
func (b *testBundle) load(tb testing.TB) *world {
	tb.Helper()
	w := &world{objectives: map[string]*cairn.Objective{}, keyResults: map[string]*cairn.KeyResult{},
		initiatives: map[string]*cairn.Initiative{}, periods: map[int64]*cairn.Period{}, teams: map[int64]*cairn.Team{},
		members: map[int64]*cairn.Member{}, mappings: map[cairn.MappingKind]map[string]*cairn.ImportMapping{}, rows: map[string]int{}}
	for _, k := range cairn.MappingKinds {
		ms, err := b.db.ImportMappings(ctx, b.org.ID, k)
		must(tb, err)
		w.mappings[k] = map[string]*cairn.ImportMapping{}
		for _, m := range ms {
			w.mappings[k][m.VivaID] = m
		}
	}
	for vid, m := range w.mappings[cairn.MappingObjective] {
		o, err := b.db.ObjectiveByID(ctx, b.org.ID, m.CairnID)
		must(tb, err)
		w.objectives[vid] = o
	}
	for vid, m := range w.mappings[cairn.MappingKeyResult] {
		k, err := b.db.KeyResultByID(ctx, b.org.ID, m.CairnID)
		must(tb, err)
		w.keyResults[vid] = k
	}
	for vid, m := range w.mappings[cairn.MappingInitiative] {
		i, err := b.db.InitiativeByID(ctx, b.org.ID, m.CairnID)
		must(tb, err)
		w.initiatives[vid] = i
	}
	ps, err := b.db.ListPeriods(ctx, b.org.ID)
	must(tb, err)
	for _, p := range ps {
		w.periods[p.ID] = p
	}
	ts, err := b.db.ListTeams(ctx, b.org.ID)
	must(tb, err)
	for _, t := range ts {
		w.teams[t.ID] = t
	}
	ms, err := b.db.ListMembers(ctx, b.org.ID)
	must(tb, err)
	for _, m := range ms {
		w.members[m.UserID] = m
	}
	for _, table := range []string{"users", "memberships", "periods", "teams", "team_members", "objectives", "objective_people",
		"key_results", "key_result_owners", "initiatives", "initiative_owners", "check_ins", "item_comments",
		"viva_mappings", "import_rebinds"} {
		var n int
		must(tb, b.db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n))
		w.rows[table] = n
	}
	return w
}

// memberNamed returns the member with the name.
func (w *world) memberNamed(tb testing.TB, name string) *cairn.Member {
	tb.Helper()
	for _, m := range w.members {
		if m.Name == name {
			return m
		}
	}
	tb.Fatalf("no member named %q among %d", name, len(w.members))
	return nil
}

// names returns the names of the users, sorted.
func (w *world) names(ids []int64) []string {
	var out []string
	for _, id := range ids {
		if m := w.members[id]; m != nil {
			out = append(out, m.Name)
		} else {
			out = append(out, "?")
		}
	}
	slices.Sort(out)
	return out
}

// checkIns lists an item's check-ins, oldest first.
func (b *testBundle) checkIns(tb testing.TB, item cairn.Ref) []*cairn.CheckIn {
	tb.Helper()
	cs, err := b.db.ListCheckIns(ctx, b.org.ID, item, 0)
	must(tb, err)
	slices.Reverse(cs)
	return cs
}

// counts returns the summary's counts of a kind as {created, matched, updated, unchanged}.
func counts(s *vivaimport.Summary, kind cairn.MappingKind) [4]int {
	c := s.Count(kind)
	return [4]int{c.Created, c.Matched, c.Updated, c.Unchanged}
}

func ptrEq(p *float64, v float64) bool { return p != nil && *p == v }
