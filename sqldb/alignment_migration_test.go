package sqldb_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/sqldb"
)

// TestAlignmentMigrationCopiesParents migrates a database at version 12, whose objectives
// have one parent each in parent_objective_id or parent_key_result_id, and checks the data
// step of 00013: every parent becomes the objective's first edge in alignments (position 0)
// with the objective's weight and organization, objectives without a parent get none, key
// results get none (they count towards their own objective by objective_id), the old
// columns are emptied and their indexes dropped, and the roll-up reads the edges:
//
//	fabrikam: A ← B (0.7), A ← D (0), K ← C (3), E alone (weight 2.5 kept)
//	contoso:  F ← G (1)
//
// K, a key result of A that rolls up, counts C (20 %) with weight 3 and an initiative at
// 100 % with weight 1: (3 × 0.20 + 1 × 1.00) / (3 + 1) = 0.40; A holds K alone: 0.40.
func TestAlignmentMigrationCopiesParents(t *testing.T) {
	t.Parallel()
	for _, dialect := range dialects {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			old, dsn := databaseAt(t, dialect, 12)
			at := time.Date(2026, 4, 10, 9, 0, 0, 0, time.UTC)
			exec := func(s string, args ...any) {
				t.Helper()
				if _, err := old.ExecContext(ctx, rebind(dialect, s), args...); err != nil {
					t.Fatalf("%s: %v", s, err)
				}
			}
			exec(`INSERT INTO orgs (id, name, slug, at_risk_gap, created_at) VALUES (1, 'Fabrikam', 'fabrikam', 0.25, ?), (2, 'Contoso', 'contoso', 0.25, ?)`, at, at)
			exec(`INSERT INTO periods (id, org_id, name, start_date, end_date) VALUES (1, 1, 'Q2 2026', '2026-04-01', '2026-06-30'), (2, 2, 'Q2 2026', '2026-04-01', '2026-06-30')`)
			objective := func(id, org int64, title string, parentObj, parentKR any, weight float64) {
				t.Helper()
				exec(`INSERT INTO objectives (id, org_id, period_id, title, level, parent_objective_id, parent_key_result_id, weight, created_at, updated_at)
					VALUES (?, ?, ?, ?, 'organization', ?, ?, ?, ?, ?)`, id, org, org, title, parentObj, parentKR, weight, at, at)
			}
			keyResult := func(id, objectiveID int64, source string, current float64, checkedIn any) {
				t.Helper()
				exec(`INSERT INTO key_results (id, org_id, objective_id, title, metric_kind, start_value, target_value, current_value,
					progress_source, weight, last_check_in_at, created_at, updated_at)
					VALUES (?, 1, ?, ?, 'percentage', 0, 100, ?, ?, 1, ?, ?, ?)`, id, objectiveID, fmt.Sprintf("KR %d", id), current, source, checkedIn, at, at)
			}
			objective(1, 1, "A", nil, nil, 1)
			objective(2, 1, "B", 1, nil, 0.7)
			keyResult(1, 1, "roll_up", 0, nil) // K
			objective(3, 1, "C", nil, 1, 3)
			objective(4, 1, "D", 1, nil, 0)
			objective(5, 1, "E", nil, nil, 2.5)
			objective(6, 2, "F", nil, nil, 1)
			objective(7, 2, "G", 6, nil, 1)
			keyResult(2, 3, "manual", 20, at) // C's own, at 20 %
			exec(`INSERT INTO initiatives (id, org_id, parent_key_result_id, title, contributes, progress_mode, current_value, weight, last_check_in_at, created_at, updated_at)
				VALUES (1, 1, 1, 'Ship it', ?, 'manual', 100, 1, ?, ?, ?)`, true, at, at, at)
			must(t, old.Close())

			db, err := sqldb.Open(ctx, dsn, sqldb.Options{})
			must(t, err)
			defer db.Close()

			type edge struct {
				org, childObj, childKR, parentObj, parentKR int64
				weight                                      float64
				position                                    int
			}
			rows, err := db.SQL().QueryContext(ctx, `SELECT org_id, COALESCE(child_objective_id, 0), COALESCE(child_key_result_id, 0),
				COALESCE(parent_objective_id, 0), COALESCE(parent_key_result_id, 0), weight, position
				FROM alignments ORDER BY org_id, child_objective_id, child_key_result_id`)
			must(t, err)
			var got []edge
			for rows.Next() {
				var e edge
				must(t, rows.Scan(&e.org, &e.childObj, &e.childKR, &e.parentObj, &e.parentKR, &e.weight, &e.position))
				got = append(got, e)
			}
			must(t, rows.Err())
			must(t, rows.Close())
			want := []edge{
				{org: 1, childObj: 2, parentObj: 1, weight: 0.7},
				{org: 1, childObj: 3, parentKR: 1, weight: 3},
				{org: 1, childObj: 4, parentObj: 1, weight: 0},
				{org: 2, childObj: 7, parentObj: 6, weight: 1},
			}
			if !slices.Equal(got, want) {
				t.Fatalf("alignments after the migration:\n got %+v\nwant %+v", got, want)
			}

			var left int
			must(t, db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM objectives WHERE parent_objective_id IS NOT NULL OR parent_key_result_id IS NOT NULL`).Scan(&left))
			if left != 0 {
				t.Fatalf("%d objectives keep a parent in the old columns", left)
			}
			indexes := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN ('objectives_parent_objective_id_idx', 'objectives_parent_key_result_id_idx')`
			if dialect == sqldb.DialectPostgres {
				indexes = `SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname IN ('objectives_parent_objective_id_idx', 'objectives_parent_key_result_id_idx')`
			}
			must(t, db.SQL().QueryRowContext(ctx, indexes).Scan(&left))
			if left != 0 {
				t.Fatalf("%d indexes of the old parent columns are left", left)
			}

			for _, c := range []struct {
				org, id int64
				parents []cairn.Alignment
				weight  float64
			}{
				{1, 1, []cairn.Alignment{}, 1},
				{1, 2, []cairn.Alignment{{Type: cairn.ItemObjective, ID: 1, Weight: 0.7}}, 0.7},
				{1, 3, []cairn.Alignment{{Type: cairn.ItemKeyResult, ID: 1, Weight: 3}}, 3},
				{1, 4, []cairn.Alignment{{Type: cairn.ItemObjective, ID: 1, Weight: 0}}, 0},
				{1, 5, []cairn.Alignment{}, 2.5},
				{2, 7, []cairn.Alignment{{Type: cairn.ItemObjective, ID: 6, Weight: 1}}, 1},
			} {
				o, err := db.ObjectiveByID(ctx, c.org, c.id)
				must(t, err)
				if !slices.Equal(o.Parents, c.parents) || o.Weight != c.weight {
					t.Fatalf("objective %d (%s): parents %+v weight %v, want %+v weight %v", c.id, o.Title, o.Parents, o.Weight, c.parents, c.weight)
				}
				if len(c.parents) == 0 && o.Parent != nil || len(c.parents) > 0 && (o.Parent == nil || *o.Parent != c.parents[0].Ref()) {
					t.Fatalf("objective %d (%s): primary parent %v, want %+v", c.id, o.Title, o.Parent, c.parents)
				}
			}
			for _, id := range []int64{1, 2} {
				k, err := db.KeyResultByID(ctx, 1, id)
				must(t, err)
				if len(k.Parents) != 0 {
					t.Fatalf("key result %d has parents %+v after the migration, want none besides its objective", id, k.Parents)
				}
			}

			org, err := db.OrgByID(ctx, 1)
			must(t, err)
			g, err := db.PeriodGraph(ctx, 1, 1)
			must(t, err)
			ev := cairn.EvaluateGraph(g, org, time.Date(2026, 5, 16, 12, 0, 0, 0, time.UTC))
			for _, c := range []struct {
				ref  cairn.Ref
				want float64
			}{
				{cairn.Ref{Type: cairn.ItemKeyResult, ID: 1}, (3*0.20 + 1*1.00) / 4},
				{cairn.Ref{Type: cairn.ItemObjective, ID: 1}, 0.40},
				{cairn.Ref{Type: cairn.ItemObjective, ID: 3}, 0.20},
			} {
				if got := ev[c.ref].Progress; got < c.want-1e-9 || got > c.want+1e-9 {
					t.Fatalf("%s %d: progress %v after the migration, want %v", c.ref.Type, c.ref.ID, got, c.want)
				}
			}
		})
	}
}
