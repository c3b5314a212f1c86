package sqldb_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
)

func TestObjectives(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		w := b.world(t)
		team := &cairn.Team{OrgID: w.org.ID, Name: "Platform"}
		must(t, b.db.CreateTeam(ctx, team))
		o := &cairn.Objective{OrgID: w.org.ID, PeriodID: w.period.ID, TeamID: &team.ID, Level: cairn.LevelTeam,
			Title: "Make deploys boring", Description: "Weekly.", Aspirational: true,
			OwnerIDs: []int64{w.carol.ID, w.alice.ID}, EditorIDs: []int64{w.bob.ID}, Weight: 2}
		must(t, b.db.CreateObjective(ctx, o))
		wantIDs(t, "created owners", o.OwnerIDs, []int64{w.alice.ID, w.carol.ID})

		got, err := b.db.ObjectiveByID(ctx, w.org.ID, o.ID)
		must(t, err)
		if got.Title != o.Title || got.Description != "Weekly." || !got.Aspirational || got.Level != cairn.LevelTeam ||
			got.TeamID == nil || *got.TeamID != team.ID || got.Weight != 2 || got.Score != nil || got.Parent != nil ||
			!got.CreatedAt.Equal(o.CreatedAt) || !got.UpdatedAt.Equal(o.CreatedAt) {
			t.Fatalf("objective = %+v, want %+v", got, o)
		}
		wantIDs(t, "owners", got.OwnerIDs, []int64{w.alice.ID, w.carol.ID})
		wantIDs(t, "editors", got.EditorIDs, []int64{w.bob.ID})

		child := &cairn.Objective{OrgID: w.org.ID, PeriodID: w.period.ID, Title: "Child", OwnerIDs: []int64{w.bob.ID},
			Parent: &cairn.Ref{Type: cairn.ItemObjective, ID: o.ID}}
		must(t, b.db.CreateObjective(ctx, child))
		got, err = b.db.ObjectiveByID(ctx, w.org.ID, child.ID)
		must(t, err)
		if got.Parent == nil || *got.Parent != *child.Parent {
			t.Fatalf("parent = %v, want %v", got.Parent, child.Parent)
		}
		wantIDs(t, "editors of an objective without editors", got.EditorIDs, []int64{})
		k := b.keyResult(t, w.org.ID, o.ID)
		grandchild := &cairn.Objective{OrgID: w.org.ID, PeriodID: w.period.ID, Title: "Grandchild", OwnerIDs: []int64{w.bob.ID},
			Parent: &cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}}
		must(t, b.db.CreateObjective(ctx, grandchild))

		t.Run("ErrRefsOfOtherOrg", func(t *testing.T) {
			otherTeam := &cairn.Team{OrgID: w.other.ID, Name: "Theirs"}
			must(t, b.db.CreateTeam(ctx, otherTeam))
			foreign := b.objective(t, w.other.ID, w.otherPeriod.ID, w.bob.ID)
			for name, tc := range map[string]struct {
				o     cairn.Objective
				field string
			}{
				"Period": {cairn.Objective{PeriodID: w.otherPeriod.ID}, "period_id"},
				"Team":   {cairn.Objective{PeriodID: w.period.ID, TeamID: &otherTeam.ID}, "team_id"},
				"Parent": {cairn.Objective{PeriodID: w.period.ID, Parent: &cairn.Ref{Type: cairn.ItemObjective, ID: foreign.ID}}, "parent.id"},
				"Owner":  {cairn.Objective{PeriodID: w.period.ID, OwnerIDs: []int64{9999}}, "owner_ids"},
			} {
				t.Run(name, func(t *testing.T) {
					x := tc.o
					x.OrgID, x.Title = w.org.ID, "Reach"
					if x.OwnerIDs == nil {
						x.OwnerIDs = []int64{w.alice.ID}
					}
					err := b.db.CreateObjective(ctx, &x)
					wantCode(t, err, cairn.EINVALID)
					if f := cairn.ErrorField(err); f != tc.field {
						t.Fatalf("field = %q, want %q", f, tc.field)
					}
				})
			}
		})
		t.Run("ErrNotFoundInOtherOrg", func(t *testing.T) {
			_, err := b.db.ObjectiveByID(ctx, w.other.ID, o.ID)
			wantCode(t, err, cairn.ENOTFOUND)
			x := *o
			x.OrgID, x.PeriodID = w.other.ID, w.otherPeriod.ID
			x.TeamID, x.Level = nil, cairn.LevelOrganization
			wantCode(t, b.db.UpdateObjective(ctx, &x), cairn.ENOTFOUND)
			wantCode(t, b.db.DeleteObjective(ctx, w.other.ID, o.ID), cairn.ENOTFOUND)
		})
		t.Run("ErrCycle", func(t *testing.T) {
			x := *o
			x.Parent = &cairn.Ref{Type: cairn.ItemObjective, ID: grandchild.ID}
			wantCode(t, b.db.UpdateObjective(ctx, &x), cairn.EINVALID)
			x.Parent = &cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}
			wantCode(t, b.db.UpdateObjective(ctx, &x), cairn.EINVALID)
		})

		t.Run("Listed", func(t *testing.T) {
			for name, tc := range map[string]struct {
				f    cairn.ObjectiveFilter
				want []int64
			}{
				"ByOrg":          {cairn.ObjectiveFilter{}, []int64{o.ID, child.ID, grandchild.ID}},
				"ByPeriod":       {cairn.ObjectiveFilter{PeriodID: w.period.ID}, []int64{o.ID, child.ID, grandchild.ID}},
				"ByTeam":         {cairn.ObjectiveFilter{TeamID: team.ID}, []int64{o.ID}},
				"ByOwner":        {cairn.ObjectiveFilter{OwnerID: w.bob.ID}, []int64{child.ID, grandchild.ID}},
				"ByParent":       {cairn.ObjectiveFilter{ParentID: o.ID}, []int64{child.ID}},
				"Paged":          {cairn.ObjectiveFilter{Limit: 1, Offset: 1}, []int64{child.ID}},
				"OffsetOnly":     {cairn.ObjectiveFilter{Offset: 2}, []int64{grandchild.ID}},
				"EmptyForPeriod": {cairn.ObjectiveFilter{PeriodID: w.otherPeriod.ID}, []int64{}},
			} {
				t.Run(name, func(t *testing.T) {
					f := tc.f
					f.OrgID = w.org.ID
					list, err := b.db.ListObjectives(ctx, f)
					must(t, err)
					ids := []int64{}
					for _, x := range list {
						ids = append(ids, x.ID)
						if x.OwnerIDs == nil || x.EditorIDs == nil || len(x.OwnerIDs) == 0 {
							t.Fatalf("objective %d has owners %v, editors %v", x.ID, x.OwnerIDs, x.EditorIDs)
						}
					}
					wantIDs(t, "listed ids", ids, tc.want)
				})
			}
			_, err := b.db.ListObjectives(ctx, cairn.ObjectiveFilter{})
			wantCode(t, err, cairn.EINVALID)
			_, err = b.db.ListObjectives(ctx, cairn.ObjectiveFilter{OrgID: w.org.ID, Limit: -1})
			wantCode(t, err, cairn.EINVALID)
		})

		b.clock.Add(time.Minute)
		child.Title, child.Parent, child.Score = "Child, moved", &cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}, ptr(0.5)
		child.OwnerIDs, child.EditorIDs = []int64{w.carol.ID}, []int64{w.alice.ID}
		must(t, b.db.UpdateObjective(ctx, child))
		got, err = b.db.ObjectiveByID(ctx, w.org.ID, child.ID)
		must(t, err)
		if got.Title != "Child, moved" || *got.Parent != *child.Parent || *got.Score != 0.5 ||
			!got.UpdatedAt.Equal(b.clock.Now().Truncate(time.Microsecond)) || got.UpdatedAt.Equal(got.CreatedAt) {
			t.Fatalf("after update: %+v", got)
		}
		wantIDs(t, "updated owners", got.OwnerIDs, []int64{w.carol.ID})
		wantIDs(t, "updated editors", got.EditorIDs, []int64{w.alice.ID})
	})
}

func TestDeleteObjectiveCascades(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		w := b.world(t)
		o := b.objective(t, w.org.ID, w.period.ID, w.alice.ID)
		k := b.keyResult(t, w.org.ID, o.ID, w.alice.ID)
		ik := b.initiative(t, w.org.ID, cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}, w.bob.ID)
		io := b.initiative(t, w.org.ID, cairn.Ref{Type: cairn.ItemObjective, ID: o.ID})
		aligned := &cairn.Objective{OrgID: w.org.ID, PeriodID: w.period.ID, Title: "Aligned", OwnerIDs: []int64{w.bob.ID},
			Parent: &cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}}
		must(t, b.db.CreateObjective(ctx, aligned))
		kept := b.keyResult(t, w.org.ID, aligned.ID)
		for _, ref := range []cairn.Ref{{Type: cairn.ItemKeyResult, ID: k.ID}, {Type: cairn.ItemInitiative, ID: ik.ID},
			{Type: cairn.ItemInitiative, ID: io.ID}, {Type: cairn.ItemKeyResult, ID: kept.ID}} {
			must(t, b.db.AddCheckIn(ctx, &cairn.CheckIn{OrgID: w.org.ID, Item: ref, Value: 30}))
		}

		must(t, b.db.DeleteObjective(ctx, w.org.ID, o.ID))
		for name, err := range map[string]error{
			"objective":            second(b.db.ObjectiveByID(ctx, w.org.ID, o.ID)),
			"key result":           second(b.db.KeyResultByID(ctx, w.org.ID, k.ID)),
			"initiative under KR":  second(b.db.InitiativeByID(ctx, w.org.ID, ik.ID)),
			"initiative under obj": second(b.db.InitiativeByID(ctx, w.org.ID, io.ID)),
		} {
			if cairn.ErrorCode(err) != cairn.ENOTFOUND {
				t.Errorf("%s after DeleteObjective: %v, want ENOTFOUND", name, err)
			}
		}
		got, err := b.db.ObjectiveByID(ctx, w.org.ID, aligned.ID)
		must(t, err)
		if got.Parent != nil {
			t.Fatalf("aligned objective kept parent %v", got.Parent)
		}
		cis, err := b.db.ListCheckIns(ctx, w.org.ID, cairn.Ref{Type: cairn.ItemKeyResult, ID: kept.ID}, 0)
		must(t, err)
		if len(cis) != 1 {
			t.Fatalf("check-ins of an unrelated key result = %d, want 1", len(cis))
		}
		// Ids are never reused, so an orphaned check-in would show up here.
		k2 := b.keyResult(t, w.org.ID, aligned.ID)
		cis, err = b.db.ListCheckIns(ctx, w.org.ID, cairn.Ref{Type: cairn.ItemKeyResult, ID: k2.ID}, 0)
		must(t, err)
		if len(cis) != 0 {
			t.Fatalf("new key result has %d check-ins", len(cis))
		}
		if k2.ID == k.ID {
			t.Fatal("a deleted key result's id was reused")
		}
	})
}

func TestKeyResults(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		w := b.world(t)
		o1 := b.objective(t, w.org.ID, w.period.ID, w.alice.ID)
		o2 := b.objective(t, w.org.ID, w.period.ID, w.alice.ID)
		q3 := &cairn.Period{OrgID: w.org.ID, Name: "Q3", Start: cairn.Date{Year: 2026, Month: 7, Day: 1}, End: cairn.Date{Year: 2026, Month: 9, Day: 30}}
		must(t, b.db.CreatePeriod(ctx, q3))
		o3 := b.objective(t, w.org.ID, q3.ID, w.alice.ID)

		k := &cairn.KeyResult{OrgID: w.org.ID, ObjectiveID: o1.ID, Title: "Cut p95 latency",
			Metric:   cairn.Metric{Kind: cairn.MetricNumber, Start: 800, Target: 200, Unit: "ms", Current: 750},
			OwnerIDs: []int64{w.carol.ID, w.bob.ID}, ProgressSource: cairn.SourceDataSource, Weight: 3}
		must(t, b.db.CreateKeyResult(ctx, k))
		got, err := b.db.KeyResultByID(ctx, w.org.ID, k.ID)
		must(t, err)
		if !reflect.DeepEqual(got.Metric, k.Metric) || got.ProgressSource != cairn.SourceDataSource || got.Weight != 3 || got.Title != k.Title ||
			got.LastCheckInAt != nil || got.Score != nil || !got.CreatedAt.Equal(k.CreatedAt) {
			t.Fatalf("key result = %+v, want %+v", got, k)
		}
		wantIDs(t, "owners", got.OwnerIDs, []int64{w.bob.ID, w.carol.ID})
		k2 := b.keyResult(t, w.org.ID, o2.ID)
		k3 := b.keyResult(t, w.org.ID, o3.ID)

		t.Run("ErrObjectiveOfOtherOrg", func(t *testing.T) {
			foreign := b.objective(t, w.other.ID, w.otherPeriod.ID, w.bob.ID)
			x := &cairn.KeyResult{OrgID: w.org.ID, ObjectiveID: foreign.ID, Title: "X",
				Metric: cairn.Metric{Kind: cairn.MetricPercentage, Start: 0, Target: 100}}
			wantCode(t, b.db.CreateKeyResult(ctx, x), cairn.EINVALID)
		})
		t.Run("ErrNotFoundInOtherOrg", func(t *testing.T) {
			_, err := b.db.KeyResultByID(ctx, w.other.ID, k.ID)
			wantCode(t, err, cairn.ENOTFOUND)
			wantCode(t, b.db.DeleteKeyResult(ctx, w.other.ID, k.ID), cairn.ENOTFOUND)
		})
		t.Run("Listed", func(t *testing.T) {
			for name, tc := range map[string]struct {
				f    cairn.KeyResultFilter
				want []int64
			}{
				"ByOrg":       {cairn.KeyResultFilter{}, []int64{k.ID, k2.ID, k3.ID}},
				"ByObjective": {cairn.KeyResultFilter{ObjectiveID: o2.ID}, []int64{k2.ID}},
				"ByPeriod":    {cairn.KeyResultFilter{PeriodID: w.period.ID}, []int64{k.ID, k2.ID}},
				"Paged":       {cairn.KeyResultFilter{Limit: 2, Offset: 1}, []int64{k2.ID, k3.ID}},
				"Empty":       {cairn.KeyResultFilter{ObjectiveID: 9999}, []int64{}},
			} {
				t.Run(name, func(t *testing.T) {
					f := tc.f
					f.OrgID = w.org.ID
					list, err := b.db.ListKeyResults(ctx, f)
					must(t, err)
					ids := []int64{}
					for _, x := range list {
						ids = append(ids, x.ID)
						if x.OwnerIDs == nil {
							t.Fatalf("key result %d has nil owners", x.ID)
						}
					}
					wantIDs(t, "listed ids", ids, tc.want)
				})
			}
		})

		must(t, b.db.AddCheckIn(ctx, &cairn.CheckIn{OrgID: w.org.ID, Item: cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}, Value: 600}))
		stale := *k
		stale.Title, stale.ObjectiveID, stale.Metric.Target = "Cut p95 latency to 150 ms", o2.ID, 150
		stale.OwnerIDs = []int64{w.alice.ID}
		must(t, b.db.UpdateKeyResult(ctx, &stale))
		if stale.Metric.Current != 600 || stale.LastCheckInAt == nil {
			t.Fatalf("update did not refresh the checked-in value: %+v", stale.Metric)
		}
		got, err = b.db.KeyResultByID(ctx, w.org.ID, k.ID)
		must(t, err)
		if got.Title != stale.Title || got.ObjectiveID != o2.ID || got.Metric.Target != 150 || got.Metric.Current != 600 {
			t.Fatalf("after update: %+v", got)
		}
		wantIDs(t, "updated owners", got.OwnerIDs, []int64{w.alice.ID})

		i := b.initiative(t, w.org.ID, cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID})
		must(t, b.db.DeleteKeyResult(ctx, w.org.ID, k.ID))
		_, err = b.db.KeyResultByID(ctx, w.org.ID, k.ID)
		wantCode(t, err, cairn.ENOTFOUND)
		_, err = b.db.InitiativeByID(ctx, w.org.ID, i.ID)
		wantCode(t, err, cairn.ENOTFOUND)
	})
}

func TestInitiatives(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		w := b.world(t)
		o := b.objective(t, w.org.ID, w.period.ID, w.alice.ID)
		k := b.keyResult(t, w.org.ID, o.ID)
		metric := &cairn.Initiative{OrgID: w.org.ID, Parent: cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}, Title: "Cache",
			ProgressMode: cairn.ModeMetric, Metric: &cairn.Metric{Kind: cairn.MetricCurrency, Start: 0, Target: 5000, Unit: "EUR", Current: 100},
			OwnerIDs: []int64{w.bob.ID, w.alice.ID}, Weight: 2}
		must(t, b.db.CreateInitiative(ctx, metric))
		tasks := &cairn.Initiative{OrgID: w.org.ID, Parent: cairn.Ref{Type: cairn.ItemObjective, ID: o.ID}, Title: "Migrate",
			ProgressMode: cairn.ModeTasks, Contributes: false}
		must(t, b.db.CreateInitiative(ctx, tasks))

		got, err := b.db.InitiativeByID(ctx, w.org.ID, metric.ID)
		must(t, err)
		if got.Metric == nil || !reflect.DeepEqual(*got.Metric, *metric.Metric) || got.Current != 100 || got.Parent != metric.Parent ||
			got.ProgressMode != cairn.ModeMetric || got.Weight != 2 || got.Contributes {
			t.Fatalf("initiative = %+v (metric %+v), want %+v", got, got.Metric, metric)
		}
		wantIDs(t, "owners", got.OwnerIDs, []int64{w.alice.ID, w.bob.ID})
		got, err = b.db.InitiativeByID(ctx, w.org.ID, tasks.ID)
		must(t, err)
		if got.Metric != nil || got.Parent != tasks.Parent || got.ProgressMode != cairn.ModeTasks {
			t.Fatalf("initiative = %+v", got)
		}
		wantIDs(t, "owners of an initiative without owners", got.OwnerIDs, []int64{})

		t.Run("ErrParentOfOtherOrg", func(t *testing.T) {
			foreign := b.objective(t, w.other.ID, w.otherPeriod.ID, w.bob.ID)
			x := &cairn.Initiative{OrgID: w.org.ID, Parent: cairn.Ref{Type: cairn.ItemObjective, ID: foreign.ID}, Title: "X"}
			wantCode(t, b.db.CreateInitiative(ctx, x), cairn.EINVALID)
		})
		t.Run("ErrNotFoundInOtherOrg", func(t *testing.T) {
			_, err := b.db.InitiativeByID(ctx, w.other.ID, metric.ID)
			wantCode(t, err, cairn.ENOTFOUND)
			wantCode(t, b.db.DeleteInitiative(ctx, w.other.ID, metric.ID), cairn.ENOTFOUND)
		})
		t.Run("Listed", func(t *testing.T) {
			for name, tc := range map[string]struct {
				f    cairn.InitiativeFilter
				want []int64
			}{
				"ByOrg":       {cairn.InitiativeFilter{}, []int64{metric.ID, tasks.ID}},
				"ByKeyResult": {cairn.InitiativeFilter{Parent: &cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}}, []int64{metric.ID}},
				"ByObjective": {cairn.InitiativeFilter{Parent: &cairn.Ref{Type: cairn.ItemObjective, ID: o.ID}}, []int64{tasks.ID}},
				"Paged":       {cairn.InitiativeFilter{Limit: 1}, []int64{metric.ID}},
			} {
				t.Run(name, func(t *testing.T) {
					f := tc.f
					f.OrgID = w.org.ID
					list, err := b.db.ListInitiatives(ctx, f)
					must(t, err)
					ids := []int64{}
					for _, x := range list {
						ids = append(ids, x.ID)
					}
					wantIDs(t, "listed ids", ids, tc.want)
				})
			}
			_, err := b.db.ListInitiatives(ctx, cairn.InitiativeFilter{OrgID: w.org.ID, Parent: &cairn.Ref{Type: "task", ID: 1}})
			wantCode(t, err, cairn.EINVALID)
		})

		tasks.Title, tasks.Contributes, tasks.Parent = "Migrate all", true, cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}
		tasks.ProgressMode, tasks.Metric = cairn.ModeMetric, &cairn.Metric{Kind: cairn.MetricPercentage, Start: 0, Target: 100}
		tasks.OwnerIDs = []int64{w.carol.ID}
		must(t, b.db.UpdateInitiative(ctx, tasks))
		got, err = b.db.InitiativeByID(ctx, w.org.ID, tasks.ID)
		must(t, err)
		if got.Title != "Migrate all" || !got.Contributes || got.Parent != tasks.Parent || got.Metric == nil || got.Metric.Target != 100 {
			t.Fatalf("after update: %+v", got)
		}
		wantIDs(t, "updated owners", got.OwnerIDs, []int64{w.carol.ID})

		must(t, b.db.AddCheckIn(ctx, &cairn.CheckIn{OrgID: w.org.ID, Item: cairn.Ref{Type: cairn.ItemInitiative, ID: metric.ID}, Value: 10}))
		must(t, b.db.DeleteInitiative(ctx, w.org.ID, metric.ID))
		_, err = b.db.InitiativeByID(ctx, w.org.ID, metric.ID)
		wantCode(t, err, cairn.ENOTFOUND)
		_, err = b.db.ListCheckIns(ctx, w.org.ID, cairn.Ref{Type: cairn.ItemInitiative, ID: metric.ID}, 0)
		wantCode(t, err, cairn.ENOTFOUND)
	})
}

func TestCheckIns(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		w := b.world(t)
		o := b.objective(t, w.org.ID, w.period.ID, w.alice.ID)
		k := b.keyResult(t, w.org.ID, o.ID)
		i := b.initiative(t, w.org.ID, cairn.Ref{Type: cairn.ItemObjective, ID: o.ID})
		kref := cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}

		first := &cairn.CheckIn{OrgID: w.org.ID, Item: kref, Value: 20, Status: "behind", Note: "slow start", AuthorID: &w.alice.ID}
		must(t, b.db.AddCheckIn(ctx, first))
		b.clock.Add(time.Hour)
		second := &cairn.CheckIn{OrgID: w.org.ID, Item: kref, Value: 35.5, Source: cairn.CheckInAzureDevOps}
		must(t, b.db.AddCheckIn(ctx, second))
		must(t, b.db.AddCheckIn(ctx, &cairn.CheckIn{OrgID: w.org.ID, Item: cairn.Ref{Type: cairn.ItemInitiative, ID: i.ID}, Value: 0.4}))

		got, err := b.db.KeyResultByID(ctx, w.org.ID, k.ID)
		must(t, err)
		if got.Metric.Current != 35.5 || got.LastCheckInAt == nil || !got.LastCheckInAt.Equal(second.CreatedAt) {
			t.Fatalf("key result current=%v last=%v, want 35.5 at %v", got.Metric.Current, got.LastCheckInAt, second.CreatedAt)
		}
		gi, err := b.db.InitiativeByID(ctx, w.org.ID, i.ID)
		must(t, err)
		if gi.Current != 0.4 || gi.LastCheckInAt == nil {
			t.Fatalf("initiative current=%v last=%v", gi.Current, gi.LastCheckInAt)
		}

		list, err := b.db.ListCheckIns(ctx, w.org.ID, kref, 0)
		must(t, err)
		if len(list) != 2 || list[0].ID != second.ID || list[1].ID != first.ID {
			t.Fatalf("check-ins = %+v, want newest first", list)
		}
		if list[1].AuthorID == nil || *list[1].AuthorID != w.alice.ID || list[1].Note != "slow start" ||
			list[1].Status != "behind" || !list[1].CreatedAt.Equal(first.CreatedAt) || list[1].Source != cairn.CheckInManual {
			t.Fatalf("first check-in read back as %+v, want %+v", list[1], first)
		}
		if list[0].AuthorID != nil || list[0].Source != cairn.CheckInAzureDevOps {
			t.Fatalf("second check-in read back as %+v", list[0])
		}
		list, err = b.db.ListCheckIns(ctx, w.org.ID, kref, 1)
		must(t, err)
		if len(list) != 1 || list[0].ID != second.ID {
			t.Fatalf("limited check-ins = %+v", list)
		}

		t.Run("ErrNotFoundInOtherOrg", func(t *testing.T) {
			err := b.db.AddCheckIn(ctx, &cairn.CheckIn{OrgID: w.other.ID, Item: kref, Value: 99})
			wantCode(t, err, cairn.ENOTFOUND)
			_, err = b.db.ListCheckIns(ctx, w.other.ID, kref, 0)
			wantCode(t, err, cairn.ENOTFOUND)
			got, err := b.db.KeyResultByID(ctx, w.org.ID, k.ID)
			must(t, err)
			if got.Metric.Current != 35.5 {
				t.Fatalf("a refused check-in changed the value to %v", got.Metric.Current)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			wantCode(t, b.db.AddCheckIn(ctx, &cairn.CheckIn{OrgID: w.org.ID, Item: cairn.Ref{Type: cairn.ItemObjective, ID: o.ID}}), cairn.EINVALID)
			wantCode(t, b.db.AddCheckIn(ctx, &cairn.CheckIn{OrgID: w.org.ID, Item: kref, Status: "great"}), cairn.EINVALID)
			wantCode(t, b.db.AddCheckIn(ctx, &cairn.CheckIn{OrgID: w.org.ID, Item: kref, AuthorID: ptr(int64(9999))}), cairn.EINVALID)
			list, err := b.db.ListCheckIns(ctx, w.org.ID, kref, 0)
			must(t, err)
			if len(list) != 2 {
				t.Fatalf("refused check-ins were stored: %d", len(list))
			}
			got, err := b.db.KeyResultByID(ctx, w.org.ID, k.ID)
			must(t, err)
			if got.Metric.Current != 35.5 {
				t.Fatalf("a refused check-in changed the value to %v", got.Metric.Current)
			}
		})
	})
}
