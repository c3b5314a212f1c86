package sqldb_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/sqldb"
)

func date(y int, m time.Month, d int) cairn.Date { return cairn.Date{Year: y, Month: m, Day: d} }

// TestKeyResultMetricGoals stores goals, pending baselines and milestones, and checks that
// the first check-in, manual or from a data source, sets a pending baseline once.
func TestKeyResultMetricGoals(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		w := b.world(t)
		o := b.objective(t, w.org.ID, w.period.ID, w.alice.ID)
		create := func(t *testing.T, m cairn.Metric) *cairn.KeyResult {
			t.Helper()
			k := &cairn.KeyResult{OrgID: w.org.ID, ObjectiveID: o.ID, Title: "p95 latency", Metric: m}
			must(t, b.db.CreateKeyResult(ctx, k))
			got, err := b.db.KeyResultByID(ctx, w.org.ID, k.ID)
			must(t, err)
			if !reflect.DeepEqual(got.Metric, k.Metric) {
				t.Fatalf("stored metric = %+v, want %+v", got.Metric, k.Metric)
			}
			return got
		}

		t.Run("ControlGoal", func(t *testing.T) {
			k := create(t, cairn.Metric{Kind: cairn.MetricNumber, Goal: cairn.GoalStayBelow, Start: 500, Target: 300, Unit: "ms", Current: 500})
			if k.Metric.Goal != cairn.GoalStayBelow || k.Metric.BaselinePending || k.Metric.Milestones != nil {
				t.Fatalf("metric = %+v", k.Metric)
			}
		})
		t.Run("InferredGoal", func(t *testing.T) {
			k := create(t, cairn.Metric{Kind: cairn.MetricNumber, Start: 1500, Target: 800, Current: 1500})
			if k.Metric.Goal != cairn.GoalDecrease {
				t.Fatalf("goal of 1,500 → 800 = %q, want decrease", k.Metric.Goal)
			}
		})
		t.Run("MilestonesReplacedAndRemoved", func(t *testing.T) {
			ms := []cairn.Milestone{{Date: date(2026, 4, 30), Value: 20}, {Date: date(2026, 5, 31), Value: 50}, {Date: date(2026, 6, 30), Value: 100}}
			k := create(t, cairn.Metric{Kind: cairn.MetricPercentage, Goal: cairn.GoalIncrease, Start: 0, Target: 100, Milestones: ms})
			k.Metric.Milestones = []cairn.Milestone{{Date: date(2026, 5, 15), Value: 40.5}}
			must(t, b.db.UpdateKeyResult(ctx, k))
			got, err := b.db.KeyResultByID(ctx, w.org.ID, k.ID)
			must(t, err)
			if !reflect.DeepEqual(got.Metric.Milestones, k.Metric.Milestones) {
				t.Fatalf("milestones = %+v, want %+v", got.Metric.Milestones, k.Metric.Milestones)
			}
			k.Metric.Milestones = nil
			must(t, b.db.UpdateKeyResult(ctx, k))
			got, err = b.db.KeyResultByID(ctx, w.org.ID, k.ID)
			must(t, err)
			if got.Metric.Milestones != nil {
				t.Fatalf("milestones after removing them = %+v", got.Metric.Milestones)
			}
		})

		t.Run("BaselineFromFirstManualCheckIn", func(t *testing.T) {
			k := create(t, cairn.Metric{Kind: cairn.MetricNumber, Goal: cairn.GoalDecrease, Target: 800, Unit: "ms", BaselinePending: true})
			if !k.Metric.BaselinePending || k.Metric.Start != 0 || k.Metric.Current != 0 {
				t.Fatalf("pending metric = %+v", k.Metric)
			}
			must(t, b.db.AddCheckIn(ctx, &cairn.CheckIn{OrgID: w.org.ID, Item: cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}, Value: 1500}))
			got, err := b.db.KeyResultByID(ctx, w.org.ID, k.ID)
			must(t, err)
			if got.Metric.BaselinePending || got.Metric.Start != 1500 || got.Metric.Current != 1500 || got.LastCheckInAt == nil {
				t.Fatalf("after the first check-in the metric is %+v", got.Metric)
			}
			must(t, b.db.AddCheckIn(ctx, &cairn.CheckIn{OrgID: w.org.ID, Item: cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}, Value: 1150}))
			got, err = b.db.KeyResultByID(ctx, w.org.ID, k.ID)
			must(t, err)
			if got.Metric.Start != 1500 || got.Metric.Current != 1150 {
				t.Fatalf("the second check-in moved the start: %+v", got.Metric)
			}
		})
		t.Run("BaselineFromFirstSync", func(t *testing.T) {
			k := create(t, cairn.Metric{Kind: cairn.MetricNumber, Goal: cairn.GoalIncrease, Target: 40, BaselinePending: true})
			c := &cairn.CheckIn{OrgID: w.org.ID, Item: cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}, Value: 12, Source: cairn.CheckInAzureDevOps}
			must(t, b.db.CheckInAndPause(ctx, c, false))
			got, err := b.db.KeyResultByID(ctx, w.org.ID, k.ID)
			must(t, err)
			if got.Metric.BaselinePending || got.Metric.Start != 12 || got.Metric.Current != 12 {
				t.Fatalf("after the first sync the metric is %+v", got.Metric)
			}
		})
		t.Run("BaselineMarkChangedSetsCurrentToStart", func(t *testing.T) {
			k := create(t, cairn.Metric{Kind: cairn.MetricNumber, Goal: cairn.GoalIncrease, Target: 40, BaselinePending: true})
			k.Metric.BaselinePending, k.Metric.Start = false, 10
			must(t, b.db.UpdateKeyResult(ctx, k))
			got, err := b.db.KeyResultByID(ctx, w.org.ID, k.ID)
			must(t, err)
			if got.Metric.BaselinePending || got.Metric.Start != 10 || got.Metric.Current != 10 || k.Metric.Current != 10 {
				t.Fatalf("with the start given the metric is %+v", got.Metric)
			}
			k.Metric.Start, k.Metric.Target = 20, 60 // no change of mark: the current value stays
			must(t, b.db.UpdateKeyResult(ctx, k))
			got, err = b.db.KeyResultByID(ctx, w.org.ID, k.ID)
			must(t, err)
			if got.Metric.Start != 20 || got.Metric.Current != 10 {
				t.Fatalf("a plain update moved the current value: %+v", got.Metric)
			}
		})

		t.Run("GraphHoldsTheLatestThreeCheckIns", func(t *testing.T) {
			o2 := b.objective(t, w.org.ID, w.period.ID, w.alice.ID)
			k := b.keyResult(t, w.org.ID, o2.ID)
			quiet := b.keyResult(t, w.org.ID, o2.ID)
			i := b.initiative(t, w.org.ID, cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID})
			for _, v := range []float64{11, 12, 13, 14} {
				b.clock.Add(time.Hour)
				must(t, b.db.AddCheckIn(ctx, &cairn.CheckIn{OrgID: w.org.ID, Item: cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}, Value: v}))
			}
			// Two check-ins at one instant keep the order they were made in.
			must(t, b.db.AddCheckIn(ctx, &cairn.CheckIn{OrgID: w.org.ID, Item: cairn.Ref{Type: cairn.ItemInitiative, ID: i.ID}, Value: 30}))
			must(t, b.db.AddCheckIn(ctx, &cairn.CheckIn{OrgID: w.org.ID, Item: cairn.Ref{Type: cairn.ItemInitiative, ID: i.ID}, Value: 20}))
			for name, load := range map[string]func() (*cairn.Graph, error){
				"Period":    func() (*cairn.Graph, error) { return b.db.PeriodGraph(ctx, w.org.ID, w.period.ID) },
				"Objective": func() (*cairn.Graph, error) { return b.db.ObjectiveGraph(ctx, w.org.ID, o2.ID) },
			} {
				g, err := load()
				must(t, err)
				if got := g.Recent[cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}]; !reflect.DeepEqual(got, []float64{12, 13, 14}) {
					t.Errorf("%s graph: recent values of the key result = %v, want [12 13 14]", name, got)
				}
				if got := g.Recent[cairn.Ref{Type: cairn.ItemInitiative, ID: i.ID}]; !reflect.DeepEqual(got, []float64{30, 20}) {
					t.Errorf("%s graph: recent values of the initiative = %v, want [30 20]", name, got)
				}
				if got, ok := g.Recent[cairn.Ref{Type: cairn.ItemKeyResult, ID: quiet.ID}]; ok {
					t.Errorf("%s graph: a key result without check-ins has recent values %v", name, got)
				}
			}
		})
	})
}

// TestMigrationInfersGoals migrates key results stored before goals existed and checks
// that each goes the way its start and target say, with no baseline pending and no
// milestones.
func TestMigrationInfersGoals(t *testing.T) {
	t.Parallel()
	for _, dialect := range dialects {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			var raw *sql.DB
			var gd goose.Dialect
			var dsn string
			var err error
			switch dialect {
			case sqldb.DialectSQLite:
				dsn = filepath.Join(t.TempDir(), "cairn.db")
				raw, err = sql.Open("sqlite", dsn)
				gd = goose.DialectSQLite3
			default:
				dsn = mustSchema(t, postgresURL(t))
				raw, err = sql.Open("pgx", dsn)
				gd = goose.DialectPostgres
			}
			must(t, err)
			defer raw.Close()
			p, err := goose.NewProvider(gd, raw, os.DirFS(filepath.Join("migrations", dialect)))
			must(t, err)
			if _, err := p.UpTo(ctx, 11); err != nil {
				t.Fatal(err)
			}
			q := func(s string) string { return rebind(dialect, s) }
			now := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
			exec := func(s string, args ...any) {
				t.Helper()
				if _, err := raw.ExecContext(ctx, q(s), args...); err != nil {
					t.Fatalf("%s: %v", s, err)
				}
			}
			exec(`INSERT INTO orgs (id, name, slug, at_risk_gap, created_at) VALUES (1, 'Fabrikam', 'fabrikam', 0.25, ?)`, now)
			exec(`INSERT INTO periods (id, org_id, name, start_date, end_date) VALUES (1, 1, 'Q2', '2026-04-01', '2026-06-30')`)
			exec(`INSERT INTO objectives (id, org_id, period_id, title, level, weight, created_at, updated_at)
				VALUES (1, 1, 1, 'Faster', 'organization', 1, ?, ?)`, now, now)
			for id, st := range map[int][2]float64{1: {0, 100}, 2: {1500, 800}, 3: {-5, -10}} {
				exec(`INSERT INTO key_results (id, org_id, objective_id, title, metric_kind, start_value, target_value,
					current_value, progress_source, weight, created_at, updated_at)
					VALUES (?, 1, 1, 'KR', 'number', ?, ?, ?, 'manual', 1, ?, ?)`, id, st[0], st[1], st[0], now, now)
			}
			if _, err := p.Up(ctx); err != nil {
				t.Fatal(err)
			}
			raw.Close()

			db, err := sqldb.Open(ctx, dsn, sqldb.Options{})
			must(t, err)
			defer db.Close()
			for id, want := range map[int64]cairn.MetricGoal{1: cairn.GoalIncrease, 2: cairn.GoalDecrease, 3: cairn.GoalDecrease} {
				k, err := db.KeyResultByID(ctx, 1, id)
				must(t, err)
				if k.Metric.Goal != want || k.Metric.BaselinePending || k.Metric.Milestones != nil {
					t.Errorf("key result %d (%g → %g) reads as %+v, want goal %s", id, k.Metric.Start, k.Metric.Target, k.Metric, want)
				}
				// The migrated row passes validation as it is.
				must(t, db.UpdateKeyResult(ctx, k))
			}
		})
	}
}
