package sqldb_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/sqldb"
)

func TestPeriodGraph(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		w := b.world(t)
		o1 := b.objective(t, w.org.ID, w.period.ID, w.bob.ID, w.alice.ID)
		o2 := &cairn.Objective{OrgID: w.org.ID, PeriodID: w.period.ID, Title: "Second", OwnerIDs: []int64{w.carol.ID},
			EditorIDs: []int64{w.bob.ID}, Parent: &cairn.Ref{Type: cairn.ItemObjective, ID: o1.ID}}
		must(t, b.db.CreateObjective(ctx, o2))
		k1 := b.keyResult(t, w.org.ID, o1.ID, w.carol.ID, w.alice.ID)
		k2 := b.keyResult(t, w.org.ID, o2.ID)
		i1 := b.initiative(t, w.org.ID, cairn.Ref{Type: cairn.ItemKeyResult, ID: k1.ID}, w.bob.ID)
		i2 := b.initiative(t, w.org.ID, cairn.Ref{Type: cairn.ItemObjective, ID: o2.ID})
		// Items of another period and another organization stay out.
		q3 := &cairn.Period{OrgID: w.org.ID, Name: "Q3", Start: cairn.Date{Year: 2026, Month: 7, Day: 1}, End: cairn.Date{Year: 2026, Month: 9, Day: 30}}
		must(t, b.db.CreatePeriod(ctx, q3))
		later := b.objective(t, w.org.ID, q3.ID, w.alice.ID)
		b.initiative(t, w.org.ID, cairn.Ref{Type: cairn.ItemKeyResult, ID: b.keyResult(t, w.org.ID, later.ID).ID})
		b.initiative(t, w.other.ID, cairn.Ref{Type: cairn.ItemObjective, ID: b.objective(t, w.other.ID, w.otherPeriod.ID, w.bob.ID).ID})

		g, err := b.db.PeriodGraph(ctx, w.org.ID, w.period.ID)
		must(t, err)
		if g.Period.ID != w.period.ID {
			t.Fatalf("period = %+v", g.Period)
		}
		if len(g.Objectives) != 2 || g.Objectives[0].ID != o1.ID || g.Objectives[1].ID != o2.ID {
			t.Fatalf("objectives = %v", g.Objectives)
		}
		wantIDs(t, "o1 owners", g.Objectives[0].OwnerIDs, []int64{w.alice.ID, w.bob.ID})
		wantIDs(t, "o1 editors", g.Objectives[0].EditorIDs, []int64{})
		wantIDs(t, "o2 editors", g.Objectives[1].EditorIDs, []int64{w.bob.ID})
		if g.Objectives[1].Parent == nil || *g.Objectives[1].Parent != *o2.Parent {
			t.Fatalf("o2 parent = %v", g.Objectives[1].Parent)
		}
		if len(g.KeyResults) != 2 || g.KeyResults[0].ID != k1.ID || g.KeyResults[1].ID != k2.ID {
			t.Fatalf("key results = %v", g.KeyResults)
		}
		wantIDs(t, "k1 owners", g.KeyResults[0].OwnerIDs, []int64{w.alice.ID, w.carol.ID})
		wantIDs(t, "k2 owners", g.KeyResults[1].OwnerIDs, []int64{})
		if len(g.Initiatives) != 2 || g.Initiatives[0].ID != i1.ID || g.Initiatives[1].ID != i2.ID {
			t.Fatalf("initiatives = %v", g.Initiatives)
		}
		wantIDs(t, "i1 owners", g.Initiatives[0].OwnerIDs, []int64{w.bob.ID})
		wantIDs(t, "i2 owners", g.Initiatives[1].OwnerIDs, []int64{})

		empty, err := b.db.PeriodGraph(ctx, w.org.ID, b.period(t, w.org.ID, "Empty").ID)
		must(t, err)
		if empty.Objectives == nil || empty.KeyResults == nil || empty.Initiatives == nil || len(empty.Objectives) != 0 {
			t.Fatalf("empty graph = %+v, want empty, non-nil slices", empty)
		}
		t.Run("ErrNotFoundInOtherOrg", func(t *testing.T) {
			_, err := b.db.PeriodGraph(ctx, w.other.ID, w.period.ID)
			wantCode(t, err, cairn.ENOTFOUND)
		})
	})
}

func TestPeriodGraphQueryCount(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		w := b.world(t)
		count := func(n int) int64 {
			p := b.period(t, w.org.ID, fmt.Sprintf("P%d", n))
			for range n {
				o := b.objective(t, w.org.ID, p.ID, w.alice.ID, w.bob.ID)
				k := b.keyResult(t, w.org.ID, o.ID, w.carol.ID)
				b.initiative(t, w.org.ID, cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}, w.alice.ID)
				b.initiative(t, w.org.ID, cairn.Ref{Type: cairn.ItemObjective, ID: o.ID})
			}
			before := b.queries.Load()
			g, err := b.db.PeriodGraph(ctx, w.org.ID, p.ID)
			must(t, err)
			if len(g.Objectives) != n || len(g.KeyResults) != n || len(g.Initiatives) != 2*n {
				t.Fatalf("graph of %d objectives has %d, %d, %d items", n, len(g.Objectives), len(g.KeyResults), len(g.Initiatives))
			}
			return b.queries.Load() - before
		}
		small, large := count(10), count(200)
		if small == 0 || small != large {
			t.Fatalf("PeriodGraph ran %d queries for 10 objectives and %d for 200, want the same non-zero number", small, large)
		}
	})
}

func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		w := b.world(t)
		o := b.objective(t, w.org.ID, w.period.ID, w.alice.ID)
		const writers, each = 8, 50
		krs := make([]*cairn.KeyResult, writers)
		for n := range krs {
			krs[n] = b.keyResult(t, w.org.ID, o.ID)
		}
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for n := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for v := range each {
					ref := cairn.Ref{Type: cairn.ItemKeyResult, ID: krs[n].ID}
					if err := b.db.AddCheckIn(ctx, &cairn.CheckIn{OrgID: w.org.ID, Item: ref, Value: float64(v + 1)}); err != nil {
						errs <- err
						return
					}
					// Readers run alongside the writers.
					if _, err := b.db.KeyResultByID(ctx, w.org.ID, krs[n].ID); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("concurrent check-in failed: %v", err)
		}
		for _, k := range krs {
			list, err := b.db.ListCheckIns(ctx, w.org.ID, cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}, 0)
			must(t, err)
			got, err := b.db.KeyResultByID(ctx, w.org.ID, k.ID)
			must(t, err)
			if len(list) != each || got.Metric.Current != each {
				t.Fatalf("key result %d: %d check-ins, current %v; want %d and %d", k.ID, len(list), got.Metric.Current, each, each)
			}
		}
	})
}

func TestTimesRoundTrip(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		u := b.user(t, "time@example.com")
		zone := time.FixedZone("UTC-7", -7*3600)
		for name, at := range map[string]time.Time{
			"SubSecondInZone": time.Date(2026, 3, 29, 23, 59, 59, 123456789, zone),
			"WholeSecond":     time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
			"Micro":           time.Date(2030, 12, 31, 12, 0, 0, 1000, time.UTC),
		} {
			t.Run(name, func(t *testing.T) {
				s := &cairn.Session{IDHash: "t-" + name, UserID: u.ID, CreatedAt: at, ExpiresAt: at.Add(100 * 365 * 24 * time.Hour)}
				must(t, b.db.CreateSession(ctx, s))
				got, err := b.db.SessionByHash(ctx, s.IDHash)
				must(t, err)
				want := at.UTC().Truncate(time.Microsecond)
				if !got.CreatedAt.Equal(want) || got.CreatedAt.Location() != time.UTC || got.CreatedAt != s.CreatedAt {
					t.Fatalf("created at = %v (%v), want %v in UTC", got.CreatedAt, got.CreatedAt.Location(), want)
				}
			})
		}
		// The clock stamps created times at microsecond precision.
		o := b.org(t, "times", u.ID)
		got, err := b.db.OrgByID(ctx, o.ID)
		must(t, err)
		if !got.CreatedAt.Equal(b.clock.Now().Truncate(time.Microsecond)) || got.CreatedAt.Nanosecond()%1000 != 0 {
			t.Fatalf("org created at = %v, want the clock's %v", got.CreatedAt, b.clock.Now())
		}
	})
}

func TestPing(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		must(t, b.db.Ping(ctx))
		must(t, b.db.Migrate(ctx))
		must(t, b.db.Ping(ctx))
		if d := b.db.Dialect(); d != b.dialect {
			t.Fatalf("Dialect() = %q, want %q", d, b.dialect)
		}
		if b.db.SQL() == nil || b.db.Stats().OpenConnections == 0 {
			t.Fatalf("SQL() or Stats() of an open database: %+v", b.db.Stats())
		}

		t.Run("ErrUnavailableWhenSchemaDiffers", func(t *testing.T) {
			// A newer Cairn migrated this database: this one must not report ready.
			_, err := b.db.SQL().ExecContext(ctx, rebind(b.dialect, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, ?)`), 99999, true)
			must(t, err)
			wantCode(t, b.db.Ping(ctx), cairn.EUNAVAILABLE)
		})
	})
}

func TestOpen(t *testing.T) {
	t.Parallel()
	for name, dsn := range map[string]string{
		"ErrEmptyDSN":     " ",
		"ErrEmptyPath":    "?_pragma=foreign_keys(1)",
		"ErrMissingDir":   "/nonexistent/dir/cairn.db",
		"ErrBadPostgres":  "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=1",
		"ErrBadSQLiteArg": "x.db?_pragma=%zz",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db, err := sqldb.Open(ctx, dsn, sqldb.Options{})
			if err == nil {
				db.Close()
				t.Fatalf("Open(%q) succeeded", dsn)
			}
		})
	}
	t.Run("InMemory", func(t *testing.T) {
		t.Parallel()
		db, err := sqldb.Open(ctx, ":memory:", sqldb.Options{})
		must(t, err)
		defer db.Close()
		must(t, db.Ping(ctx))
		u := &cairn.User{Email: "m@example.com"}
		must(t, db.CreateUser(ctx, u))
		if _, err := db.UserByID(ctx, u.ID); err != nil {
			t.Fatalf("in-memory read after write: %v", err)
		}
	})
	t.Run("ReopenKeepsData", func(t *testing.T) {
		t.Parallel()
		path := t.TempDir() + "/cairn.db"
		db, err := sqldb.Open(ctx, path, sqldb.Options{})
		must(t, err)
		must(t, db.SetSetting(ctx, "k", "v"))
		must(t, db.Close())
		db, err = sqldb.Open(ctx, path, sqldb.Options{})
		must(t, err)
		defer db.Close()
		v, err := db.Setting(ctx, "k")
		must(t, err)
		if v != "v" {
			t.Fatalf("setting after reopen = %q", v)
		}
		var mode string
		must(t, db.SQL().QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode))
		if !strings.EqualFold(mode, "wal") {
			t.Fatalf("journal mode = %q, want wal", mode)
		}
		var fk int
		must(t, db.SQL().QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk))
		if fk != 1 {
			t.Fatal("foreign keys are off")
		}
	})
}

// rebind writes ? placeholders as $n for PostgreSQL.
func rebind(dialect, q string) string {
	if dialect != sqldb.DialectPostgres {
		return q
	}
	var sb strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&sb, "$%d", n)
			continue
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

func TestObjectiveGraphLoadsTheSubtreeOnly(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		w := b.world(t)
		root := b.objective(t, w.org.ID, w.period.ID, w.alice.ID)
		kr := b.keyResult(t, w.org.ID, root.ID)
		other := b.objective(t, w.org.ID, w.period.ID, w.alice.ID)
		b.keyResult(t, w.org.ID, other.ID)
		// child aligns to the root, grandchild to the root's key result's child.
		child := b.objective(t, w.org.ID, w.period.ID, w.alice.ID)
		child.Parent = &cairn.Ref{Type: cairn.ItemObjective, ID: root.ID}
		must(t, b.db.UpdateObjective(ctx, child))
		viaKR := b.objective(t, w.org.ID, w.period.ID, w.alice.ID)
		viaKR.Parent = &cairn.Ref{Type: cairn.ItemKeyResult, ID: kr.ID}
		must(t, b.db.UpdateObjective(ctx, viaKR))
		grand := b.objective(t, w.org.ID, w.period.ID, w.alice.ID)
		grand.Parent = &cairn.Ref{Type: cairn.ItemObjective, ID: viaKR.ID}
		must(t, b.db.UpdateObjective(ctx, grand))
		b.initiative(t, w.org.ID, cairn.Ref{Type: cairn.ItemKeyResult, ID: kr.ID})
		b.initiative(t, w.org.ID, cairn.Ref{Type: cairn.ItemObjective, ID: other.ID})

		g, err := b.db.ObjectiveGraph(ctx, w.org.ID, root.ID)
		must(t, err)
		var ids []int64
		for _, o := range g.Objectives {
			ids = append(ids, o.ID)
		}
		want := []int64{root.ID, child.ID, viaKR.ID, grand.ID}
		if fmt.Sprint(ids) != fmt.Sprint(want) {
			t.Fatalf("subtree objectives %v, want %v", ids, want)
		}
		if len(g.KeyResults) != 1 || g.KeyResults[0].ID != kr.ID || len(g.Initiatives) != 1 || g.Period.ID != w.period.ID {
			t.Fatalf("subtree has %d key results, %d initiatives, period %d", len(g.KeyResults), len(g.Initiatives), g.Period.ID)
		}
		if _, err := b.db.ObjectiveGraph(ctx, w.org.ID+1000, root.ID); cairn.ErrorCode(err) != cairn.ENOTFOUND {
			t.Fatalf("another org's objective: %v, want not found", err)
		}
	})
}
