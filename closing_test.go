package cairn_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
)

// lastQuarter creates Q1 2026, which ended before the bundle's clock, as fabrikam's admin.
func (b *testBundle) lastQuarter(tb testing.TB) *cairn.Period {
	tb.Helper()
	q1 := &cairn.Period{Name: "Q1 2026", Start: cairn.Date{Year: 2026, Month: 1, Day: 1}, End: cairn.Date{Year: 2026, Month: 3, Day: 31}}
	must(tb, b.svc.CreatePeriod(b.as("admin"), b.org.Slug, q1))
	return q1
}

// nextQuarter creates Q3 2026, which starts after the bundle's period, as fabrikam's admin.
func (b *testBundle) nextQuarter(tb testing.TB) *cairn.Period {
	tb.Helper()
	q3 := &cairn.Period{Name: "Q3 2026", Start: cairn.Date{Year: 2026, Month: 7, Day: 1}, End: cairn.Date{Year: 2026, Month: 9, Day: 30}}
	must(tb, b.svc.CreatePeriod(b.as("admin"), b.org.Slug, q3))
	return q3
}

// keyResultView reads a key result as fabrikam's admin.
func (b *testBundle) keyResultView(tb testing.TB, id int64) *cairn.KeyResultView {
	tb.Helper()
	k, err := b.svc.KeyResult(b.as("admin"), b.org.Slug, id)
	must(tb, err)
	return k
}

// wantClosing fails the test unless the item has the score and closing status.
func wantClosing(tb testing.TB, what string, score *float64, status progress.ClosingStatus, wantScore float64, wantStatus progress.ClosingStatus) {
	tb.Helper()
	if score == nil {
		tb.Fatalf("%s has no score, want %v", what, wantScore)
	}
	wantNear(tb, what+" score", *score, wantScore)
	if status != wantStatus {
		tb.Fatalf("%s closing status = %q, want %q", what, status, wantStatus)
	}
}

// TestClosingScoresAndStatuses checks what a close gives each item: the suggested score
// (progress capped at 1) unless the owners chose one ahead of the close or the admin gives
// one, and the closing status the score suggests (0.7 and above achieved, 0.3 and above
// partially achieved, lower missed) unless one was chosen or given.
func TestClosingScoresAndStatuses(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		slug, admin := b.org.Slug, b.as("admin")
		q1 := b.lastQuarter(t)
		inQ1 := func(o *cairn.Objective) { o.PeriodID = q1.ID }

		// Every key result runs from 0 to 100, so that a check-in of 75 is 0.75 of the way.
		thresholds := b.objective(t, "At the thresholds", inQ1)
		kr := map[string]*cairn.KeyResult{}
		for name, value := range map[string]float64{"75": 75, "70": 70, "69": 69, "30": 30, "29": 29} {
			kr[name] = b.keyResult(t, thresholds.ID, "At "+name)
			b.checkIn(t, "assignee", krRef(kr[name].ID), value)
		}
		const thresholdsProgress = (0.75 + 0.70 + 0.69 + 0.30 + 0.29) / 5

		chosen := b.objective(t, "Chosen ahead", inQ1)
		for name, value := range map[string]float64{"pendingScore": 10, "pendingStatus": 20, "givenStatus": 90, "givenScore": 95, "cleared": 60} {
			kr[name] = b.keyResult(t, chosen.ID, name)
			b.checkIn(t, "assignee", krRef(kr[name].ID), value)
		}
		over := b.objective(t, "Over-achieved", inQ1)
		kr["120"] = b.keyResult(t, over.ID, "At 120")
		b.checkIn(t, "assignee", krRef(kr["120"].ID), 120)

		t.Run("OwnersChooseAheadOfTheClose", func(t *testing.T) {
			k, err := b.svc.UpdateKeyResult(b.as("assignee"), slug, kr["pendingScore"].ID, cairn.KeyResultUpdate{Score: new(0.8)})
			must(t, err)
			if k.Score == nil || *k.Score != 0.8 || k.ClosingStatus != "" {
				t.Fatalf("chosen score %v status %q, want 0.8 and no status yet", k.Score, k.ClosingStatus)
			}
			k, err = b.svc.UpdateKeyResult(b.as("assignee"), slug, kr["pendingStatus"].ID, cairn.KeyResultUpdate{ClosingStatus: new(progress.Achieved)})
			must(t, err)
			if k.Score != nil || k.ClosingStatus != progress.Achieved {
				t.Fatalf("chosen score %v status %q, want none and achieved", k.Score, k.ClosingStatus)
			}
			o, err := b.svc.UpdateObjective(b.as("owner"), slug, chosen.ID, cairn.ObjectiveUpdate{Score: new(0.9)})
			must(t, err)
			if o.Score == nil || *o.Score != 0.9 {
				t.Fatalf("chosen objective score %v, want 0.9", o.Score)
			}
			_, err = b.svc.UpdateKeyResult(b.as("editor"), slug, kr["cleared"].ID, cairn.KeyResultUpdate{Score: new(0.1)})
			must(t, err)
			k, err = b.svc.UpdateKeyResult(b.as("editor"), slug, kr["cleared"].ID, cairn.KeyResultUpdate{ClearScore: true})
			must(t, err)
			if k.Score != nil {
				t.Fatalf("a cleared score is %v", *k.Score)
			}
		})
		t.Run("ErrForbiddenToChooseForOthers", func(t *testing.T) {
			for _, actor := range []string{"member", "viewer"} {
				_, err := b.svc.UpdateKeyResult(b.as(actor), slug, kr["75"].ID, cairn.KeyResultUpdate{Score: new(0.1)})
				wantCode(t, err, cairn.EFORBIDDEN)
			}
			if k := b.keyResultView(t, kr["75"].ID); k.Score != nil {
				t.Fatalf("a refused choice left score %v", *k.Score)
			}
		})
		t.Run("ErrInvalidChoice", func(t *testing.T) {
			_, err := b.svc.UpdateKeyResult(b.as("assignee"), slug, kr["75"].ID, cairn.KeyResultUpdate{ClosingStatus: new(progress.ClosingStatus("done"))})
			wantField(t, err, "closing_status")
			_, err = b.svc.UpdateObjective(b.as("owner"), slug, thresholds.ID, cairn.ObjectiveUpdate{Score: new(0.5), ClearScore: true})
			wantField(t, err, "clear_score")
		})
		for _, tc := range []struct {
			name string
			ov   cairn.ScoreOverride
		}{
			{"ErrInvalidStatusOverride", cairn.ScoreOverride{Item: krRef(kr["75"].ID), Status: new(progress.ClosingStatus("done"))}},
			{"ErrInvalidScoreOverride", cairn.ScoreOverride{Item: krRef(kr["75"].ID), Value: new(1.01)}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := b.svc.ClosePeriodWith(admin, slug, q1.ID, cairn.PeriodClose{Scores: []cairn.ScoreOverride{tc.ov}})
				wantField(t, err, "scores")
			})
		}
		t.Run("ErrInvalidOverrideTwice", func(t *testing.T) {
			twice := cairn.ScoreOverride{Item: krRef(kr["75"].ID), Value: new(0.5)}
			_, err := b.svc.ClosePeriodWith(admin, slug, q1.ID, cairn.PeriodClose{Scores: []cairn.ScoreOverride{twice, twice}})
			wantField(t, err, "scores")
		})
		t.Run("ErrInvalidNoteTooLong", func(t *testing.T) {
			_, err := b.svc.ClosePeriodWith(admin, slug, q1.ID, cairn.PeriodClose{Note: strings.Repeat("x", 5001)})
			wantField(t, err, "closing_note")
			if p, _ := b.svc.Period(admin, slug, q1.ID); p.Closed() {
				t.Fatal("a refused close closed the period")
			}
		})

		closed, err := b.svc.ClosePeriodWith(admin, slug, q1.ID, cairn.PeriodClose{
			Note: "Shipped the core; the rest moves on.",
			Scores: []cairn.ScoreOverride{
				{Item: krRef(kr["givenStatus"].ID), Status: new(progress.Missed)},
				{Item: krRef(kr["givenScore"].ID), Value: new(0.5)},
			},
		})
		must(t, err)
		if !closed.Period.Closed() || closed.Period.ClosingNote != "Shipped the core; the rest moves on." || len(closed.Carried) != 0 {
			t.Fatalf("closed period %+v, carried %d", closed.Period, len(closed.Carried))
		}
		p, err := b.svc.Period(b.as("viewer"), slug, q1.ID)
		must(t, err)
		if p.ClosingNote != closed.Period.ClosingNote {
			t.Fatalf("stored note %q", p.ClosingNote)
		}
		type want struct {
			score  float64
			status progress.ClosingStatus
		}
		wants := map[cairn.Ref]want{
			krRef(kr["75"].ID):            {0.75, progress.Achieved},
			krRef(kr["70"].ID):            {0.70, progress.Achieved},
			krRef(kr["69"].ID):            {0.69, progress.PartiallyAchieved},
			krRef(kr["30"].ID):            {0.30, progress.PartiallyAchieved},
			krRef(kr["29"].ID):            {0.29, progress.Missed},
			krRef(kr["120"].ID):           {1, progress.Achieved},
			krRef(kr["pendingScore"].ID):  {0.8, progress.Achieved},
			krRef(kr["pendingStatus"].ID): {0.2, progress.Achieved},
			krRef(kr["givenStatus"].ID):   {0.9, progress.Missed},
			krRef(kr["givenScore"].ID):    {0.5, progress.PartiallyAchieved},
			krRef(kr["cleared"].ID):       {0.6, progress.PartiallyAchieved},
			objRef(thresholds.ID):         {thresholdsProgress, progress.PartiallyAchieved},
			objRef(chosen.ID):             {0.9, progress.Achieved},
			objRef(over.ID):               {1, progress.Achieved},
		}
		if len(closed.Scores) != len(wants) {
			t.Fatalf("%d scores, want %d", len(closed.Scores), len(wants))
		}
		for _, sc := range closed.Scores {
			w, ok := wants[sc.Item]
			if !ok {
				t.Fatalf("unexpected score of %v", sc.Item)
			}
			wantClosing(t, "returned "+string(sc.Item.Type), &sc.Value, sc.Status, w.score, w.status)
		}
		for name, k := range kr {
			v := b.keyResultView(t, k.ID)
			w := wants[krRef(k.ID)]
			wantClosing(t, "key result "+name, v.Score, v.ClosingStatus, w.score, w.status)
		}
		o, err := b.svc.Objective(b.as("viewer"), slug, thresholds.ID)
		must(t, err)
		wantClosing(t, "objective at the thresholds", o.Score, o.ClosingStatus, thresholdsProgress, progress.PartiallyAchieved)

		t.Run("AdminsChangeFinalScoresAndStatuses", func(t *testing.T) {
			// A new score brings its status; an empty status follows the score again.
			k, err := b.svc.UpdateKeyResult(admin, slug, kr["75"].ID, cairn.KeyResultUpdate{Score: new(0.2)})
			must(t, err)
			wantClosing(t, "rescored key result", k.Score, k.ClosingStatus, 0.2, progress.Missed)
			k, err = b.svc.UpdateKeyResult(admin, slug, kr["pendingStatus"].ID, cairn.KeyResultUpdate{ClosingStatus: new(progress.ClosingStatus(""))})
			must(t, err)
			wantClosing(t, "key result back to its score's status", k.Score, k.ClosingStatus, 0.2, progress.Missed)
			k, err = b.svc.UpdateKeyResult(admin, slug, kr["70"].ID, cairn.KeyResultUpdate{Score: new(0.4), ClosingStatus: new(progress.Achieved)})
			must(t, err)
			wantClosing(t, "key result given both", k.Score, k.ClosingStatus, 0.4, progress.Achieved)
			o, err := b.svc.UpdateObjective(admin, slug, over.ID, cairn.ObjectiveUpdate{ClosingStatus: new(progress.PartiallyAchieved)})
			must(t, err)
			wantClosing(t, "objective given a status", o.Score, o.ClosingStatus, 1, progress.PartiallyAchieved)
		})
		t.Run("ErrInvalidClearAfterClose", func(t *testing.T) {
			_, err := b.svc.UpdateKeyResult(admin, slug, kr["29"].ID, cairn.KeyResultUpdate{ClearScore: true})
			wantField(t, err, "clear_score")
		})
		t.Run("ErrConflictOwnersAfterClose", func(t *testing.T) {
			_, err := b.svc.UpdateKeyResult(b.as("assignee"), slug, kr["29"].ID, cairn.KeyResultUpdate{Score: new(0.9)})
			wantCode(t, err, cairn.ECONFLICT)
			k := b.keyResultView(t, kr["29"].ID)
			wantClosing(t, "key result after a refused change", k.Score, k.ClosingStatus, 0.29, progress.Missed)
		})
	})
}

// TestCarryForwardUnfinishedKeyResults checks that a close copies each key result below
// 100 % into the next period, starting where it ended, under one linked copy of its
// objective; finished ones stay behind, and none is carried twice.
func TestCarryForwardUnfinishedKeyResults(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		slug, admin := b.org.Slug, b.as("admin")
		q3 := b.nextQuarter(t)
		objA := b.objective(t, "Faster checkout")
		k1 := b.keyResult(t, objA.ID, "Conversion to 100")
		b.checkIn(t, "assignee", krRef(k1.ID), 40)
		k2 := b.keyResult(t, objA.ID, "Done already")
		b.checkIn(t, "assignee", krRef(k2.ID), 100)
		k3 := b.keyResult(t, objA.ID, "Latency down to 10", func(k *cairn.KeyResult) { k.Metric.Start, k.Metric.Target = 50, 10 })
		b.checkIn(t, "assignee", krRef(k3.ID), 30) // half way down
		kR := b.keyResult(t, objA.ID, "Rolls up", func(k *cairn.KeyResult) {
			k.ProgressSource, k.Metric.Start, k.Metric.Target = cairn.SourceRollUp, 5, 10
		})
		child := b.initiative(t, krRef(kR.ID), "Half done")
		b.checkIn(t, "assignee", initRef(child.ID), 50)
		objB := b.objective(t, "All done")
		kB := b.keyResult(t, objB.ID, "Finished")
		b.checkIn(t, "assignee", krRef(kB.ID), 100)

		q1 := b.lastQuarter(t)
		closedQ4 := &cairn.Period{Name: "Q4 2026", Start: cairn.Date{Year: 2026, Month: 10, Day: 1}, End: cairn.Date{Year: 2026, Month: 12, Day: 31}}
		must(t, b.svc.CreatePeriod(admin, slug, closedQ4))
		_, _, err := b.svc.ClosePeriod(admin, slug, closedQ4.ID, nil)
		must(t, err)
		for _, tc := range []struct {
			name string
			to   int64
		}{
			{"ErrInvalidIntoItself", b.period.ID},
			{"ErrInvalidIntoEarlierPeriod", q1.ID},
			{"ErrInvalidIntoClosedPeriod", closedQ4.ID},
			{"ErrInvalidIntoOtherOrgsPeriod", b.otherPeriod.ID},
			{"ErrInvalidIntoUnknownPeriod", 999999},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := b.svc.ClosePeriodWith(admin, slug, b.period.ID, cairn.PeriodClose{CarryForwardTo: tc.to})
				wantField(t, err, "carry_forward_to")
				if p, _ := b.svc.Period(admin, slug, b.period.ID); p.Closed() {
					t.Fatal("a refused close closed the period")
				}
			})
		}

		closed, err := b.svc.ClosePeriodWith(admin, slug, b.period.ID, cairn.PeriodClose{CarryForwardTo: q3.ID})
		must(t, err)
		if len(closed.Carried) != 3 {
			t.Fatalf("carried %d key results, want 3 (k1, k3 and the roll-up)", len(closed.Carried))
		}
		copyObjID := closed.Carried[0].Objective.ID
		copies := map[int64]*cairn.KeyResultView{}
		for i, want := range []int64{k1.ID, k3.ID, kR.ID} {
			cf := closed.Carried[i]
			if cf.From.ID != want || cf.Objective.ID != copyObjID || cf.MovedDataSource {
				t.Fatalf("carried %d: from %d under %d (moved %v), want from %d under %d", i, cf.From.ID, cf.Objective.ID, cf.MovedDataSource, want, copyObjID)
			}
			copies[want] = b.keyResultView(t, cf.Copy.ID)
		}

		objs, err := b.svc.ListObjectives(b.as("viewer"), slug, cairn.ObjectiveQuery{PeriodID: q3.ID})
		must(t, err)
		if len(objs) != 1 {
			t.Fatalf("%d objectives in Q3, want one copy of %q", len(objs), objA.Title)
		}
		oc := objs[0]
		if oc.ID != copyObjID || oc.Title != objA.Title || oc.CarriedFromID == nil || *oc.CarriedFromID != objA.ID ||
			oc.OwnerIDs[0] != b.id("owner") || len(oc.EditorIDs) != 2 || oc.Score != nil || oc.ClosingStatus != "" {
			t.Fatalf("objective copy = %+v", oc.Objective)
		}
		for _, c := range []struct {
			from                   int64
			start, current, target float64
			source                 cairn.ProgressSource
		}{
			{k1.ID, 40, 40, 100, cairn.SourceManual},
			{k3.ID, 30, 30, 10, cairn.SourceManual},
			{kR.ID, 5, 5, 10, cairn.SourceRollUp},
		} {
			k := copies[c.from]
			m := k.Metric
			if k.ObjectiveID != copyObjID || k.CarriedFromID == nil || *k.CarriedFromID != c.from ||
				m.Start != c.start || m.Current != c.current || m.Target != c.target || k.ProgressSource != c.source ||
				k.Progress != 0 || k.Score != nil || k.LastCheckInAt != nil {
				t.Fatalf("copy of %d = %+v metric %+v progress %v", c.from, k.KeyResult, m, k.Progress)
			}
		}

		orig := b.keyResultView(t, k1.ID)
		if orig.CarriedToID == nil || *orig.CarriedToID != copies[k1.ID].ID || orig.Metric.Start != 0 || orig.Metric.Current != 40 {
			t.Fatalf("original k1 = %+v metric %+v", orig.KeyResult, orig.Metric)
		}
		wantClosing(t, "original k1", orig.Score, orig.ClosingStatus, 0.4, progress.PartiallyAchieved)
		if done := b.keyResultView(t, k2.ID); done.CarriedToID != nil {
			t.Fatalf("finished k2 was carried to %d", *done.CarriedToID)
		}
		for id, want := range map[int64]*int64{objA.ID: &copyObjID, objB.ID: nil} {
			o, err := b.svc.Objective(admin, slug, id)
			must(t, err)
			if (o.CarriedToID == nil) != (want == nil) || (want != nil && *o.CarriedToID != *want) {
				t.Fatalf("objective %d carried to %v, want %v", id, o.CarriedToID, want)
			}
		}

		t.Run("CopiesTakeCheckIns", func(t *testing.T) {
			b.checkIn(t, "assignee", krRef(copies[k1.ID].ID), 70)
			k := b.keyResultView(t, copies[k1.ID].ID)
			wantNear(t, "copy's progress from 40 to 100 at 70", k.Progress, 0.5)
			if o := b.keyResultView(t, k1.ID); o.Metric.Current != 40 {
				t.Fatalf("the original moved to %v", o.Metric.Current)
			}
		})
		t.Run("NoKeyResultCarriedTwice", func(t *testing.T) {
			_, err := b.svc.ReopenPeriod(admin, slug, b.period.ID)
			must(t, err)
			k5 := b.keyResult(t, objA.ID, "Added after reopening")
			b.checkIn(t, "assignee", krRef(k5.ID), 10)
			again, err := b.svc.ClosePeriodWith(admin, slug, b.period.ID, cairn.PeriodClose{CarryForwardTo: q3.ID})
			must(t, err)
			if len(again.Carried) != 1 || again.Carried[0].From.ID != k5.ID || again.Carried[0].Objective.ID != copyObjID {
				t.Fatalf("second close carried %d, want only k5 under the existing copy %d", len(again.Carried), copyObjID)
			}
			krs, err := b.svc.ListKeyResults(admin, slug, 0, q3.ID)
			must(t, err)
			objs, err := b.svc.ListObjectives(admin, slug, cairn.ObjectiveQuery{PeriodID: q3.ID})
			must(t, err)
			if len(krs) != 4 || len(objs) != 1 {
				t.Fatalf("Q3 holds %d key results and %d objectives, want 4 and 1", len(krs), len(objs))
			}
		})
	})
}

// TestClosedPeriodIsReadOnly checks who may still change the items of a closed period:
// organization and tenant admins may; members who could change them while it was open get
// a conflict that says the period is closed; everyone else is refused as before.
func TestClosedPeriodIsReadOnly(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		slug, admin := b.org.Slug, b.as("admin")
		q1 := b.lastQuarter(t)
		obj := b.objective(t, "Last quarter", func(o *cairn.Objective) { o.PeriodID = q1.ID })
		k := b.keyResult(t, obj.ID, "Last quarter's KR")
		_, _, err := b.svc.ClosePeriod(admin, slug, q1.ID, nil)
		must(t, err)

		codes := map[string]string{
			"tenant": "", "admin": "",
			"owner": cairn.ECONFLICT, "editor": cairn.ECONFLICT, "assignee": cairn.ECONFLICT,
			"member": cairn.EFORBIDDEN, "viewer": cairn.EFORBIDDEN,
			"outsider": cairn.ENOTFOUND, "anonymous": cairn.EUNAUTHORIZED,
		}
		for _, actor := range actors {
			t.Run(actor, func(t *testing.T) {
				title := "Renamed by " + actor
				_, err := b.svc.UpdateKeyResult(b.as(actor), slug, k.ID, cairn.KeyResultUpdate{Title: &title})
				wantCode(t, err, codes[actor])
				if codes[actor] == cairn.ECONFLICT && !strings.Contains(cairn.ErrorMessage(err), "only an organization admin may change them or reopen the period") {
					t.Fatalf("conflict %q does not say who may still change the items", cairn.ErrorMessage(err))
				}
				if got := b.keyResultView(t, k.ID).Title; (got == title) != (codes[actor] == "") {
					t.Fatalf("title = %q after %s's change", got, actor)
				}
				value := 10 + actorIndex(actor)
				err = b.svc.CheckIn(b.as(actor), slug, &cairn.CheckIn{Item: krRef(k.ID), Value: value})
				wantCode(t, err, codes[actor])
				if got := b.keyResultView(t, k.ID).Metric.Current; (got == value) != (codes[actor] == "") {
					t.Fatalf("current = %v after %s's check-in of %v", got, actor, value)
				}
			})
		}
		t.Run("EveryKindOfChangeIsRefusedToOwners", func(t *testing.T) {
			// The objective's owner and the items' owners may change none of it: objectives,
			// key results and initiatives alike, created, changed, checked in on or deleted.
			// Admins may.
			ini := &cairn.Initiative{Parent: krRef(k.ID), Title: "Frozen initiative", Contributes: true, OwnerIDs: []int64{b.id("assignee")}}
			must(t, b.svc.CreateInitiative(admin, slug, ini))
			title := "Renamed"
			changes := map[string]func(ctx context.Context) error{
				"UpdateObjective": func(ctx context.Context) error {
					_, err := b.svc.UpdateObjective(ctx, slug, obj.ID, cairn.ObjectiveUpdate{Title: &title})
					return err
				},
				"CreateKeyResult": func(ctx context.Context) error {
					return b.svc.CreateKeyResult(ctx, slug, &cairn.KeyResult{ObjectiveID: obj.ID, Title: "Late", OwnerIDs: []int64{b.id("assignee")},
						Metric: cairn.Metric{Kind: cairn.MetricNumber, Start: 0, Target: 1}})
				},
				"UpdateInitiative": func(ctx context.Context) error {
					_, err := b.svc.UpdateInitiative(ctx, slug, ini.ID, cairn.InitiativeUpdate{Title: &title})
					return err
				},
				"CheckInInitiative": func(ctx context.Context) error {
					return b.svc.CheckIn(ctx, slug, &cairn.CheckIn{Item: initRef(ini.ID), Value: 30})
				},
				"CreateInitiative": func(ctx context.Context) error {
					return b.svc.CreateInitiative(ctx, slug, &cairn.Initiative{Parent: krRef(k.ID), Title: "Late", Contributes: true, OwnerIDs: []int64{b.id("assignee")}})
				},
				"DeleteInitiative": func(ctx context.Context) error { return b.svc.DeleteInitiative(ctx, slug, ini.ID) },
				"DeleteKeyResult":  func(ctx context.Context) error { return b.svc.DeleteKeyResult(ctx, slug, k.ID) },
			}
			for _, name := range []string{"UpdateObjective", "CreateKeyResult", "UpdateInitiative", "CheckInInitiative", "CreateInitiative", "DeleteInitiative", "DeleteKeyResult"} {
				actor := "assignee"
				if name == "UpdateObjective" || name == "CreateKeyResult" {
					actor = "owner"
				}
				wantCode(t, changes[name](b.as(actor)), cairn.ECONFLICT)
			}
			if got := b.keyResultView(t, k.ID); got == nil {
				t.Fatal("a refused delete removed the key result")
			}
			i, err := b.svc.Initiative(admin, slug, ini.ID)
			must(t, err)
			if i.Title != "Frozen initiative" || i.Current != 0 {
				t.Fatalf("initiative = %q at %v after refused changes", i.Title, i.Current)
			}
			for _, name := range []string{"UpdateInitiative", "CheckInInitiative", "DeleteInitiative"} {
				must(t, changes[name](admin))
			}
		})
		t.Run("AdminsCreateAndDelete", func(t *testing.T) {
			added := &cairn.KeyResult{ObjectiveID: obj.ID, Title: "Added late", OwnerIDs: []int64{b.id("assignee")},
				Metric: cairn.Metric{Kind: cairn.MetricNumber, Start: 0, Target: 1}}
			must(t, b.svc.CreateKeyResult(admin, slug, added))
			must(t, b.svc.DeleteKeyResult(admin, slug, added.ID))
			_, err := b.svc.KeyResult(admin, slug, added.ID)
			wantCode(t, err, cairn.ENOTFOUND)
		})
	})
}

// TestReopenPeriod checks that admins reopen a closed period, that its items take changes
// and check-ins again, and that its scores and statuses stay and count as the owners'
// choices at the next close unless they drop them.
func TestReopenPeriod(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		slug, admin := b.org.Slug, b.as("admin")
		obj := b.objective(t, "Reopened")
		k := b.keyResult(t, obj.ID, "Reopened KR")
		b.checkIn(t, "assignee", krRef(k.ID), 20)

		t.Run("ErrConflictWhileOpen", func(t *testing.T) {
			_, err := b.svc.ReopenPeriod(admin, slug, b.period.ID)
			wantCode(t, err, cairn.ECONFLICT)
		})
		_, err := b.svc.ClosePeriodWith(admin, slug, b.period.ID, cairn.PeriodClose{Note: "First close",
			Scores: []cairn.ScoreOverride{{Item: krRef(k.ID), Value: new(0.9), Status: new(progress.Missed)}}})
		must(t, err)
		t.Run("ErrForbiddenToMembers", func(t *testing.T) {
			for _, actor := range []string{"owner", "assignee", "member", "viewer"} {
				_, err := b.svc.ReopenPeriod(b.as(actor), slug, b.period.ID)
				wantCode(t, err, cairn.EFORBIDDEN)
			}
			if p, _ := b.svc.Period(admin, slug, b.period.ID); !p.Closed() {
				t.Fatal("a refused reopen opened the period")
			}
		})

		p, err := b.svc.ReopenPeriod(admin, slug, b.period.ID)
		must(t, err)
		if p.Closed() || p.ClosingNote != "First close" {
			t.Fatalf("reopened period %+v", p)
		}
		v := b.keyResultView(t, k.ID)
		wantClosing(t, "key result after reopening", v.Score, v.ClosingStatus, 0.9, progress.Missed)
		b.checkIn(t, "assignee", krRef(k.ID), 60)
		title := "Changed by its owner"
		_, err = b.svc.UpdateKeyResult(b.as("assignee"), slug, k.ID, cairn.KeyResultUpdate{Title: &title})
		must(t, err)
		// The objective closed at its suggested 0.2; its owner drops that score so that the
		// next close suggests one afresh.
		o, err := b.svc.UpdateObjective(b.as("owner"), slug, obj.ID, cairn.ObjectiveUpdate{ClearScore: true, ClosingStatus: new(progress.ClosingStatus(""))})
		must(t, err)
		if o.Score != nil || o.ClosingStatus != "" {
			t.Fatalf("cleared objective score %v status %q", o.Score, o.ClosingStatus)
		}

		again, err := b.svc.ClosePeriodWith(admin, slug, b.period.ID, cairn.PeriodClose{Note: "Second close"})
		must(t, err)
		if again.Period.ClosingNote != "Second close" {
			t.Fatalf("note after the second close = %q", again.Period.ClosingNote)
		}
		v = b.keyResultView(t, k.ID)
		wantClosing(t, "key result after the second close", v.Score, v.ClosingStatus, 0.9, progress.Missed)
		if v.Metric.Current != 60 || v.Title != title {
			t.Fatalf("key result = %+v", v.KeyResult)
		}
		o, err = b.svc.Objective(admin, slug, obj.ID)
		must(t, err)
		wantClosing(t, "objective after the second close", o.Score, o.ClosingStatus, 0.6, progress.PartiallyAchieved)
	})
}

// change returns the change an audit event records for a field, and whether it has one.
func change(tb testing.TB, e *cairn.AuditEvent, field string) ([2]string, bool) {
	tb.Helper()
	for _, c := range e.Changes {
		if c.Field == field {
			return [2]string{compact(tb, c.Before), compact(tb, c.After)}, true
		}
	}
	return [2]string{}, false
}

// TestClosePeriodAuditTrail checks what a close with carry-forward writes in the audit
// trail: each scored objective and key result records the admin setting its score and
// closing status, and each copy made in the next period, objective and key result, records
// its creation by the admin with the link back to the original and the new start.
func TestClosePeriodAuditTrail(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		slug, admin := b.org.Slug, b.as("admin")
		q3 := b.nextQuarter(t)
		objA := b.objective(t, "Faster checkout")
		k1 := b.keyResult(t, objA.ID, "Conversion to 100")
		b.checkIn(t, "assignee", krRef(k1.ID), 40)
		objB := b.objective(t, "All done")
		kB := b.keyResult(t, objB.ID, "Finished")
		b.checkIn(t, "assignee", krRef(kB.ID), 100)

		closed, err := b.svc.ClosePeriodWith(admin, slug, b.period.ID, cairn.PeriodClose{CarryForwardTo: q3.ID, Note: "Wrapped up"})
		must(t, err)
		if len(closed.Carried) != 1 {
			t.Fatalf("carried %d key results, want k1 alone", len(closed.Carried))
		}
		objCopy, krCopy := closed.Carried[0].Objective, closed.Carried[0].Copy

		for _, c := range []struct {
			ref    cairn.Ref
			score  string
			status string
		}{
			{krRef(k1.ID), "0.4", `"partially_achieved"`},
			{krRef(kB.ID), "1", `"achieved"`},
			{objRef(objA.ID), "0.4", `"partially_achieved"`},
			{objRef(objB.ID), "1", `"achieved"`},
		} {
			es := b.history(t, c.ref)
			if len(es) == 0 {
				t.Fatalf("%s %d has no history", c.ref.Type, c.ref.ID)
			}
			b.wantEvent(t, es[0], "admin", cairn.AuditUpdated, c.ref, map[string][2]string{
				"closing_status": {`""`, c.status},
				"score":          {"null", c.score},
			})
		}

		for _, c := range []struct {
			ref  cairn.Ref
			want map[string][2]string
		}{
			{objRef(objCopy.ID), map[string][2]string{
				"carried_from_id": {"null", jsonInt(objA.ID)},
				"title":           {"null", `"Faster checkout"`},
				"period_id":       {"null", jsonInt(q3.ID)},
			}},
			{krRef(krCopy.ID), map[string][2]string{
				"carried_from_id": {"null", jsonInt(k1.ID)},
				"objective_id":    {"null", jsonInt(objCopy.ID)},
				"title":           {"null", `"Conversion to 100"`},
				"metric.start":    {"null", "40"},
			}},
		} {
			es := b.history(t, c.ref)
			if len(es) != 1 {
				t.Fatalf("%s %d: %d events, want its creation alone", c.ref.Type, c.ref.ID, len(es))
			}
			e := es[0]
			if e.Action != cairn.AuditCreated || e.Subject != c.ref || e.ActorID == nil || *e.ActorID != b.id("admin") || !e.CreatedAt.Equal(b.clock.Now()) {
				t.Fatalf("%s %d: event %s of %+v by %v at %v, want created by the admin now", c.ref.Type, c.ref.ID, e.Action, e.Subject, e.ActorID, e.CreatedAt)
			}
			for field, want := range c.want {
				got, ok := change(t, e, field)
				if !ok || got != want {
					t.Fatalf("%s %d: change of %s = %v (recorded %v), want %v", c.ref.Type, c.ref.ID, field, got, ok, want)
				}
			}
		}

		t.Run("ReopenKeepsTheTrail", func(t *testing.T) {
			before := len(b.history(t, krRef(k1.ID)))
			_, err := b.svc.ReopenPeriod(admin, slug, b.period.ID)
			must(t, err)
			if after := len(b.history(t, krRef(k1.ID))); after != before {
				t.Fatalf("reopening changed k1's history from %d to %d events", before, after)
			}
		})
	})
}

func jsonInt(n int64) string { return strconv.FormatInt(n, 10) }
