package cairn_test

import (
	"math"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
)

// TestClosePeriod checks closing a period: each objective and key result gets its
// suggested score or the one given, the period's items are frozen except for their score,
// and their status stays as it was at closing.
func TestClosePeriod(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		slug := b.org.Slug
		admin := b.as("admin")
		q1 := &cairn.Period{Name: "Q1 2026", Start: cairn.Date{Year: 2026, Month: 1, Day: 1}, End: cairn.Date{Year: 2026, Month: 3, Day: 31}}
		must(t, b.svc.CreatePeriod(admin, slug, q1))
		inQ1 := func(o *cairn.Objective) { o.PeriodID = q1.ID }
		obj := b.objective(t, "Delight customers", inQ1)
		k1 := b.keyResult(t, obj.ID, "NPS to 50")
		k2 := b.keyResult(t, obj.ID, "Ten launches", func(k *cairn.KeyResult) { k.Metric.Target = 10 })
		ini := b.initiative(t, objRef(obj.ID), "Interview 20 users")
		b.checkIn(t, "assignee", krRef(k1.ID), 40)    // 0.4
		b.checkIn(t, "assignee", krRef(k2.ID), 15)    // 1.5: over-achieved
		b.checkIn(t, "assignee", initRef(ini.ID), 50) // 0.5
		const objProgress = (0.4 + 1.5 + 0.5) / 3

		open := b.objective(t, "This quarter")
		openKR := b.keyResult(t, open.ID, "This quarter's KR")
		openIni := b.initiative(t, objRef(open.ID), "This quarter's initiative")

		wantOpen := func(t *testing.T) {
			t.Helper()
			p, err := b.svc.Period(admin, slug, q1.ID)
			must(t, err)
			if p.Closed() {
				t.Fatal("a refused close closed the period")
			}
		}
		for _, tc := range []struct {
			name  string
			score cairn.Score
		}{
			{"ErrInvalidOverrideAboveOne", cairn.Score{Item: krRef(k1.ID), Value: 1.5}},
			{"ErrInvalidOverrideNegative", cairn.Score{Item: krRef(k1.ID), Value: -0.1}},
			{"ErrInvalidOverrideNaN", cairn.Score{Item: objRef(obj.ID), Value: math.NaN()}},
			{"ErrInvalidOverrideOfInitiative", cairn.Score{Item: initRef(ini.ID), Value: 0.5}},
			{"ErrInvalidOverrideOfOtherPeriod", cairn.Score{Item: objRef(open.ID), Value: 0.5}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, _, err := b.svc.ClosePeriod(admin, slug, q1.ID, []cairn.Score{tc.score})
				wantField(t, err, "scores")
				wantOpen(t)
			})
		}

		t.Run("ScoresSuggestedOrGiven", func(t *testing.T) {
			p, scores, err := b.svc.ClosePeriod(admin, slug, q1.ID, []cairn.Score{{Item: krRef(k1.ID), Value: 0.9}})
			must(t, err)
			if !p.Closed() || !p.ClosedAt.Equal(midQ2) {
				t.Fatalf("closed at %v, want the clock's %v", p.ClosedAt, midQ2)
			}
			want := map[cairn.Ref]float64{objRef(obj.ID): objProgress, krRef(k1.ID): 0.9, krRef(k2.ID): 1}
			if len(scores) != len(want) {
				t.Fatalf("scores = %v, want %v", scores, want)
			}
			for _, s := range scores {
				wantNear(t, "returned score of "+string(s.Item.Type), s.Value, want[s.Item])
			}
			o, err := b.svc.Objective(b.as("viewer"), slug, obj.ID)
			must(t, err)
			if o.Score == nil {
				t.Fatal("objective has no score after closing")
			}
			wantNear(t, "objective score", *o.Score, objProgress)
			wantNear(t, "objective progress", o.Progress, objProgress)
			for id, score := range map[int64]float64{k1.ID: 0.9, k2.ID: 1} {
				k, err := b.svc.KeyResult(b.as("viewer"), slug, id)
				must(t, err)
				if k.Score == nil || *k.Score != score {
					t.Fatalf("key result %d score = %v, want %v", id, k.Score, score)
				}
			}
		})

		// Members who could change these items while the period was open are refused with
		// a conflict that says why; admins are not (TestClosedPeriodIsReadOnly).
		title := "Rewritten"
		weight := 3.0
		owner, assignee := b.as("owner"), b.as("assignee")
		for _, tc := range []struct {
			name string
			do   func() error
		}{
			{"ErrConflictUpdateObjective", func() error {
				_, err := b.svc.UpdateObjective(owner, slug, obj.ID, cairn.ObjectiveUpdate{Title: &title})
				return err
			}},
			{"ErrConflictScoreObjective", func() error {
				_, err := b.svc.UpdateObjective(owner, slug, obj.ID, cairn.ObjectiveUpdate{Score: new(0.5)})
				return err
			}},
			{"ErrConflictDeleteObjective", func() error { return b.svc.DeleteObjective(owner, slug, obj.ID) }},
			{"ErrConflictCreateObjective", func() error {
				return b.svc.CreateObjective(owner, slug, &cairn.Objective{PeriodID: q1.ID, Title: title})
			}},
			{"ErrConflictCreateKeyResult", func() error {
				return b.svc.CreateKeyResult(owner, slug, &cairn.KeyResult{ObjectiveID: obj.ID, Title: title,
					Metric: cairn.Metric{Kind: cairn.MetricNumber, Start: 0, Target: 1}})
			}},
			{"ErrConflictUpdateKeyResult", func() error {
				_, err := b.svc.UpdateKeyResult(assignee, slug, k1.ID, cairn.KeyResultUpdate{Title: &title})
				return err
			}},
			{"ErrConflictScoreKeyResultWithWeight", func() error {
				_, err := b.svc.UpdateKeyResult(assignee, slug, k1.ID, cairn.KeyResultUpdate{Weight: &weight, Score: new(0.5)})
				return err
			}},
			{"ErrConflictDeleteKeyResult", func() error { return b.svc.DeleteKeyResult(assignee, slug, k1.ID) }},
			{"ErrConflictCreateInitiative", func() error {
				return b.svc.CreateInitiative(assignee, slug, &cairn.Initiative{Parent: krRef(k1.ID), Title: title})
			}},
			{"ErrConflictUpdateInitiative", func() error {
				_, err := b.svc.UpdateInitiative(assignee, slug, ini.ID, cairn.InitiativeUpdate{Title: &title})
				return err
			}},
			{"ErrConflictDeleteInitiative", func() error { return b.svc.DeleteInitiative(assignee, slug, ini.ID) }},
			{"ErrConflictCheckInKeyResult", func() error { return b.svc.CheckIn(assignee, slug, &cairn.CheckIn{Item: krRef(k1.ID), Value: 99}) }},
			{"ErrConflictCheckInInitiative", func() error { return b.svc.CheckIn(assignee, slug, &cairn.CheckIn{Item: initRef(ini.ID), Value: 99}) }},
			{"ErrConflictMoveInitiativeIntoClosedPeriod", func() error {
				_, err := b.svc.UpdateInitiative(assignee, slug, openIni.ID, cairn.InitiativeUpdate{Parent: new(krRef(k1.ID))})
				return err
			}},
			{"ErrConflictUpdatePeriod", func() error {
				_, err := b.svc.UpdatePeriod(admin, slug, q1.ID, cairn.PeriodUpdate{Name: &title})
				return err
			}},
			{"ErrConflictCloseAgain", func() error { _, _, err := b.svc.ClosePeriod(admin, slug, q1.ID, nil); return err }},
		} {
			t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.do(), cairn.ECONFLICT) })
		}
		t.Run("FrozenItemsUnchanged", func(t *testing.T) {
			tree, err := b.svc.ObjectiveTree(b.as("viewer"), slug, obj.ID)
			must(t, err)
			if tree.Title != obj.Title || len(tree.KeyResults) != 2 || len(tree.Initiatives) != 1 {
				t.Fatalf("tree = %+v", tree)
			}
			kv := tree.KeyResults[0]
			if kv.ID != k1.ID || kv.Title != k1.Title || kv.Metric.Current != 40 || kv.Weight != 1 || *kv.Score != 0.9 {
				t.Fatalf("key result = %+v", kv.KeyResult)
			}
			if iv := tree.Initiatives[0]; iv.Title != ini.Title || iv.Current != 50 {
				t.Fatalf("initiative = %+v", iv.Initiative)
			}
			list, err := b.svc.ListObjectives(b.as("viewer"), slug, cairn.ObjectiveQuery{PeriodID: q1.ID})
			must(t, err)
			if len(list) != 1 {
				t.Fatalf("%d objectives in the closed period, want 1", len(list))
			}
			iv, err := b.svc.Initiative(b.as("viewer"), slug, openIni.ID)
			must(t, err)
			if iv.Parent != objRef(open.ID) {
				t.Fatalf("open initiative moved to %v", iv.Parent)
			}
		})

		t.Run("AdminsOverrideScores", func(t *testing.T) {
			v, err := b.svc.UpdateObjective(admin, slug, obj.ID, cairn.ObjectiveUpdate{Score: new(0.65)})
			must(t, err)
			if v.Score == nil || *v.Score != 0.65 || v.Title != obj.Title {
				t.Fatalf("objective = %+v", v.Objective)
			}
			wantNear(t, "progress after a score override", v.Progress, objProgress)
			k, err := b.svc.UpdateKeyResult(admin, slug, k2.ID, cairn.KeyResultUpdate{Score: new(0.7)})
			must(t, err)
			if k.Score == nil || *k.Score != 0.7 || k.Metric.Current != 15 {
				t.Fatalf("key result = %+v", k.KeyResult)
			}
		})
		t.Run("ErrInvalidScoreOutOfRange", func(t *testing.T) {
			for _, s := range []float64{1.2, -0.1, math.NaN(), math.Inf(1)} {
				_, err := b.svc.UpdateObjective(admin, slug, obj.ID, cairn.ObjectiveUpdate{Score: &s})
				wantField(t, err, "score")
				_, err = b.svc.UpdateKeyResult(admin, slug, k1.ID, cairn.KeyResultUpdate{Score: &s})
				wantField(t, err, "score")
				_, err = b.svc.UpdateKeyResult(b.as("owner"), slug, openKR.ID, cairn.KeyResultUpdate{Score: &s})
				wantField(t, err, "score")
			}
		})

		t.Run("StatusFrozenAtClose", func(t *testing.T) {
			// Two one-day periods on the clock's date; expected progress is 0.5 at noon.
			day := cairn.DateOf(midQ2)
			kr := map[string]*cairn.KeyResult{}
			for _, name := range []string{"closed", "open"} {
				p := &cairn.Period{Name: "Launch day " + name, Start: day, End: day}
				must(t, b.svc.CreatePeriod(admin, slug, p))
				o := b.objective(t, "Launch "+name, func(o *cairn.Objective) { o.PeriodID = p.ID })
				kr[name] = b.keyResult(t, o.ID, "Half done "+name)
				b.checkIn(t, "assignee", krRef(kr[name].ID), 50)
				if name == "closed" {
					_, _, err := b.svc.ClosePeriod(admin, slug, p.ID, nil)
					must(t, err)
				}
			}
			defer b.clock.Set(midQ2)
			for _, step := range []struct {
				now               time.Time
				closed, stillOpen progress.Status
			}{
				{midQ2, progress.OnTrack, progress.OnTrack},
				{midQ2.Add(4 * 24 * time.Hour), progress.OnTrack, progress.AtRisk},
			} {
				b.clock.Set(step.now)
				for name, want := range map[string]progress.Status{"closed": step.closed, "open": step.stillOpen} {
					v, err := b.svc.KeyResult(b.as("viewer"), slug, kr[name].ID)
					must(t, err)
					if v.Status != want {
						t.Fatalf("at %v the %s period's key result is %s, want %s", step.now, name, v.Status, want)
					}
				}
			}
		})
	})
}

// TestPeriodValidation checks that periods are validated on create and on change, and that a
// period in use cannot be deleted.
func TestPeriodValidation(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		slug := b.org.Slug
		admin := b.as("admin")
		for _, tc := range []struct {
			name  string
			p     cairn.Period
			field string
		}{
			{"ErrInvalidNameBlank", cairn.Period{Name: " ", Start: q2Start, End: q2End}, "name"},
			{"ErrInvalidStartMissing", cairn.Period{Name: "Q", End: q2End}, "start"},
			{"ErrInvalidEndMissing", cairn.Period{Name: "Q", Start: q2Start}, "end"},
			{"ErrInvalidEndBeforeStart", cairn.Period{Name: "Q", Start: q2End, End: q2Start}, "end"},
		} {
			t.Run("Create/"+tc.name, func(t *testing.T) {
				p := tc.p
				wantField(t, b.svc.CreatePeriod(admin, slug, &p), tc.field)
				ps, err := b.svc.ListPeriods(admin, slug)
				must(t, err)
				if len(ps) != 1 {
					t.Fatalf("%d periods after a refused create, want 1", len(ps))
				}
			})
		}
		t.Run("Update/ErrInvalidEndBeforeStart", func(t *testing.T) {
			end := cairn.Date{Year: 2026, Month: 3, Day: 1}
			_, err := b.svc.UpdatePeriod(admin, slug, b.period.ID, cairn.PeriodUpdate{End: &end})
			wantField(t, err, "end")
			p, err := b.svc.Period(admin, slug, b.period.ID)
			must(t, err)
			if p.End != q2End {
				t.Fatalf("end = %v after a refused update, want %v", p.End, q2End)
			}
		})
		t.Run("ErrConflictDeletePeriodInUse", func(t *testing.T) {
			b.objective(t, "Keeps the period")
			wantCode(t, b.svc.DeletePeriod(admin, slug, b.period.ID), cairn.ECONFLICT)
			_, err := b.svc.Period(admin, slug, b.period.ID)
			must(t, err)
		})
	})
}
