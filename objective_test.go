package cairn_test

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
)

// foreign is what contoso holds, for references across organizations.
type foreign struct {
	obj  *cairn.Objective
	kr   *cairn.KeyResult
	ini  *cairn.Initiative
	team *cairn.Team
}

// foreignOKRs creates an objective, a key result, an initiative and a team in contoso, as
// its admin.
func (b *testBundle) foreignOKRs(tb testing.TB) *foreign {
	tb.Helper()
	as, slug := b.as("outsider"), b.other.Slug
	f := &foreign{
		obj:  &cairn.Objective{PeriodID: b.otherPeriod.ID, Title: "Contoso's goal", OwnerIDs: []int64{b.id("outsider")}},
		team: &cairn.Team{Name: "Contoso team"},
	}
	must(tb, b.svc.CreateObjective(as, slug, f.obj))
	f.kr = &cairn.KeyResult{ObjectiveID: f.obj.ID, Title: "Contoso's KR", OwnerIDs: []int64{b.id("outsider")},
		Metric: cairn.Metric{Kind: cairn.MetricNumber, Start: 0, Target: 10}}
	must(tb, b.svc.CreateKeyResult(as, slug, f.kr))
	f.ini = &cairn.Initiative{Parent: krRef(f.kr.ID), Title: "Contoso's initiative", Contributes: true, OwnerIDs: []int64{b.id("outsider")}}
	must(tb, b.svc.CreateInitiative(as, slug, f.ini))
	must(tb, b.svc.CreateTeam(as, slug, f.team))
	return f
}

// TestCreateObjective checks that a new objective is validated field by field, with each
// reference checked to lie in the organization, and that a refused one is not stored.
func TestCreateObjective(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		f := b.foreignOKRs(t)
		slug := b.org.Slug
		team := &cairn.Team{Name: "Platform", MemberIDs: []int64{b.id("owner")}}
		must(t, b.svc.CreateTeam(b.as("admin"), slug, team))
		sibling := b.objective(t, "Sibling")
		siblingKR := b.keyResult(t, sibling.ID, "Sibling's KR")
		ini := b.initiative(t, objRef(sibling.ID), "Sibling's initiative")

		for _, tc := range []struct {
			name  string
			edit  func(o *cairn.Objective)
			field string
		}{
			{"ErrInvalidTitleBlank", func(o *cairn.Objective) { o.Title = "  \t " }, "title"},
			{"ErrInvalidTitleTooLong", func(o *cairn.Objective) { o.Title = strings.Repeat("é", 301) }, "title"},
			{"ErrInvalidDescriptionTooLong", func(o *cairn.Objective) { o.Description = strings.Repeat("x", 10001) }, "description"},
			{"ErrInvalidPeriodMissing", func(o *cairn.Objective) { o.PeriodID = 0 }, "period_id"},
			{"ErrInvalidPeriodUnknown", func(o *cairn.Objective) { o.PeriodID = 999999 }, "period_id"},
			{"ErrInvalidPeriodOfOtherOrg", func(o *cairn.Objective) { o.PeriodID = b.otherPeriod.ID }, "period_id"},
			{"ErrInvalidLevel", func(o *cairn.Objective) { o.Level = "galaxy" }, "level"},
			{"ErrInvalidTeamLevelWithoutTeam", func(o *cairn.Objective) { o.Level = cairn.LevelTeam }, "team_id"},
			{"ErrInvalidTeamOfOtherOrg", func(o *cairn.Objective) { o.Level, o.TeamID = cairn.LevelTeam, &f.team.ID }, "team_id"},
			{"ErrInvalidOwnerOfOtherOrg", func(o *cairn.Objective) { o.OwnerIDs = []int64{b.id("outsider")} }, "owner_ids"},
			{"ErrInvalidOwnerIDNotPositive", func(o *cairn.Objective) { o.OwnerIDs = []int64{b.id("owner"), -4} }, "owner_ids"},
			{"ErrInvalidOwnerListedTwice", func(o *cairn.Objective) { o.OwnerIDs = []int64{b.id("owner"), b.id("owner")} }, "owner_ids"},
			{"ErrInvalidEditorOfOtherOrg", func(o *cairn.Objective) { o.EditorIDs = []int64{b.id("outsider")} }, "editor_ids"},
			{"ErrInvalidEditorUnknownUser", func(o *cairn.Objective) { o.EditorIDs = []int64{999999} }, "editor_ids"},
			{"ErrInvalidParentTypeInitiative", func(o *cairn.Objective) { o.Parent = &cairn.Ref{Type: cairn.ItemInitiative, ID: ini.ID} }, "parent.type"},
			{"ErrInvalidParentIDMissing", func(o *cairn.Objective) { o.Parent = &cairn.Ref{Type: cairn.ItemObjective} }, "parent.id"},
			{"ErrInvalidParentUnknown", func(o *cairn.Objective) { o.Parent = &cairn.Ref{Type: cairn.ItemKeyResult, ID: 999999} }, "parent.id"},
			{"ErrInvalidParentObjectiveOfOtherOrg", func(o *cairn.Objective) { o.Parent = &cairn.Ref{Type: cairn.ItemObjective, ID: f.obj.ID} }, "parent.id"},
			{"ErrInvalidParentKeyResultOfOtherOrg", func(o *cairn.Objective) { o.Parent = &cairn.Ref{Type: cairn.ItemKeyResult, ID: f.kr.ID} }, "parent.id"},
			{"ErrInvalidWeightNegative", func(o *cairn.Objective) { o.Weight = -1 }, "weight"},
			{"ErrInvalidWeightTooLarge", func(o *cairn.Objective) { o.Weight = 1001 }, "weight"},
			{"ErrInvalidWeightNaN", func(o *cairn.Objective) { o.Weight = math.NaN() }, "weight"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := len(b.objectiveTitles(t))
				o := &cairn.Objective{PeriodID: b.period.ID, Title: "Reach " + tc.name, OwnerIDs: []int64{b.id("owner")}}
				tc.edit(o)
				wantField(t, b.svc.CreateObjective(b.as("owner"), slug, o), tc.field)
				if after := len(b.objectiveTitles(t)); after != before {
					t.Fatalf("%d objectives after a refused create, want %d", after, before)
				}
			})
		}

		t.Run("StoresTrimmedWithDefaultsAndClock", func(t *testing.T) {
			o := &cairn.Objective{ID: 424242, OrgID: b.other.ID, PeriodID: b.period.ID, Title: "  Ship it  ",
				OwnerIDs: []int64{b.id("owner")}, Score: new(0.9)}
			must(t, b.svc.CreateObjective(b.as("member"), slug, o))
			if o.ID == 424242 || o.OrgID != b.org.ID {
				t.Fatalf("id %d, org %d: the caller's id and organization were kept", o.ID, o.OrgID)
			}
			v, err := b.svc.Objective(b.as("viewer"), slug, o.ID)
			must(t, err)
			if v.Title != "Ship it" || v.Level != cairn.LevelOrganization || v.Weight != 1 || v.Score != nil ||
				v.EditorIDs == nil || len(v.EditorIDs) != 0 || v.Parent != nil {
				t.Fatalf("objective = %+v", v.Objective)
			}
			if !v.CreatedAt.Equal(midQ2) || !v.UpdatedAt.Equal(midQ2) {
				t.Fatalf("created %v, updated %v, want the clock's %v", v.CreatedAt, v.UpdatedAt, midQ2)
			}
		})
		t.Run("TeamObjectiveAlignedToKeyResult", func(t *testing.T) {
			o := &cairn.Objective{PeriodID: b.period.ID, Title: "Platform goal", Level: cairn.LevelTeam, TeamID: &team.ID,
				OwnerIDs: []int64{b.id("owner")}, EditorIDs: []int64{b.id("member")}, Parent: &cairn.Ref{Type: cairn.ItemKeyResult, ID: siblingKR.ID}}
			must(t, b.svc.CreateObjective(b.as("owner"), slug, o))
			list, err := b.svc.ListObjectives(b.as("viewer"), slug, cairn.ObjectiveQuery{TeamID: team.ID})
			must(t, err)
			if len(list) != 1 || list[0].ID != o.ID || *list[0].Parent != *o.Parent {
				t.Fatalf("team %d lists %v, want only objective %d", team.ID, list, o.ID)
			}
		})
	})
}

// TestUpdateObjective checks that a change is validated like a new objective and that a
// refused change leaves the objective as it was.
func TestUpdateObjective(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		f := b.foreignOKRs(t)
		slug := b.org.Slug
		obj := b.objective(t, "Delight customers")
		kr := b.keyResult(t, obj.ID, "NPS to 50")
		s := func(v string) *string { return &v }
		ids := func(v ...int64) *[]int64 { return &v }

		for _, tc := range []struct {
			name  string
			up    cairn.ObjectiveUpdate
			field string
		}{
			{"ErrInvalidTitleBlank", cairn.ObjectiveUpdate{Title: s(" ")}, "title"},
			{"ErrInvalidLevel", cairn.ObjectiveUpdate{Level: new(cairn.Level("galaxy"))}, "level"},
			{"ErrInvalidTeamLevelWithoutTeam", cairn.ObjectiveUpdate{Level: new(cairn.LevelTeam)}, "team_id"},
			{"ErrInvalidTeamOfOtherOrg", cairn.ObjectiveUpdate{Level: new(cairn.LevelTeam), TeamID: &f.team.ID}, "team_id"},
			{"ErrInvalidOwnerOfOtherOrg", cairn.ObjectiveUpdate{OwnerIDs: ids(b.id("outsider"))}, "owner_ids"},
			{"ErrInvalidEditorIDNotPositive", cairn.ObjectiveUpdate{EditorIDs: ids(0)}, "editor_ids"},
			{"ErrInvalidParentOfOtherOrg", cairn.ObjectiveUpdate{Parent: &cairn.Ref{Type: cairn.ItemObjective, ID: f.obj.ID}}, "parent.id"},
			{"ErrInvalidParentType", cairn.ObjectiveUpdate{Parent: &cairn.Ref{Type: "team", ID: 1}}, "parent.type"},
			{"ErrInvalidWeight", cairn.ObjectiveUpdate{Weight: new(-2.0)}, "weight"},
			{"ErrInvalidScoreAboveOne", cairn.ObjectiveUpdate{Score: new(1.5)}, "score"},
			{"ErrInvalidClosingStatus", cairn.ObjectiveUpdate{ClosingStatus: new(progress.ClosingStatus("won"))}, "closing_status"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := b.svc.UpdateObjective(b.as("owner"), slug, obj.ID, tc.up)
				wantField(t, err, tc.field)
				v, err := b.svc.Objective(b.as("owner"), slug, obj.ID)
				must(t, err)
				if v.Title != obj.Title || v.Level != obj.Level || v.TeamID != nil || v.Parent != nil || v.Weight != 1 || v.Score != nil ||
					!slices.Equal(v.OwnerIDs, obj.OwnerIDs) || !slices.Equal(v.EditorIDs, obj.EditorIDs) {
					t.Fatalf("objective changed by a refused update: %+v", v.Objective)
				}
			})
		}

		t.Run("ChangesOnlyWhatIsGiven", func(t *testing.T) {
			later := midQ2.Add(90 * time.Minute)
			b.clock.Set(later)
			defer b.clock.Set(midQ2)
			v, err := b.svc.UpdateObjective(b.as("editor"), slug, obj.ID, cairn.ObjectiveUpdate{
				Description: s("Because churn hurts."), Aspirational: new(true), Weight: new(2.5),
				EditorIDs: ids(b.id("editor"), b.id("member"))})
			must(t, err)
			if v.Title != obj.Title || v.Description != "Because churn hurts." || !v.Aspirational || v.Weight != 2.5 ||
				!slices.Equal(v.OwnerIDs, obj.OwnerIDs) || !v.UpdatedAt.Equal(later) || !v.CreatedAt.Equal(midQ2) {
				t.Fatalf("objective = %+v", v.Objective)
			}
			// member is an editor now, and may change it.
			_, err = b.svc.UpdateObjective(b.as("member"), slug, obj.ID, cairn.ObjectiveUpdate{Title: s("Delight customers!")})
			must(t, err)
		})
		t.Run("ErrForbiddenEditorRemovedFromList", func(t *testing.T) {
			_, err := b.svc.UpdateObjective(b.as("admin"), slug, obj.ID, cairn.ObjectiveUpdate{EditorIDs: ids()})
			must(t, err)
			_, err = b.svc.UpdateObjective(b.as("editor"), slug, obj.ID, cairn.ObjectiveUpdate{Title: s("Mine now")})
			wantCode(t, err, cairn.EFORBIDDEN)
			// Editing the objective was what let editor change its key result too.
			_, err = b.svc.UpdateKeyResult(b.as("editor"), slug, kr.ID, cairn.KeyResultUpdate{Title: s("Mine now")})
			wantCode(t, err, cairn.EFORBIDDEN)
		})
	})
}

// TestAlignment checks that an objective may align to an objective or a key result of its
// organization, never so that it becomes its own ancestor, and that the alignment shows in
// the tree and the alignment chain.
func TestAlignment(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		slug := b.org.Slug
		// a ← b (aligned to a) ← c (aligned to b's key result); d stands alone.
		a := b.objective(t, "A")
		ka := b.keyResult(t, a.ID, "KR of A")
		bo := b.objective(t, "B", func(o *cairn.Objective) { o.Parent = &cairn.Ref{Type: cairn.ItemObjective, ID: a.ID} })
		kb := b.keyResult(t, bo.ID, "KR of B")
		c := b.objective(t, "C", func(o *cairn.Objective) { o.Parent = &cairn.Ref{Type: cairn.ItemKeyResult, ID: kb.ID} })
		kc := b.keyResult(t, c.ID, "KR of C")
		d := b.objective(t, "D")

		parentOf := func(t *testing.T, id int64) *cairn.Ref {
			t.Helper()
			v, err := b.svc.Objective(b.as("viewer"), slug, id)
			must(t, err)
			return v.Parent
		}
		for _, tc := range []struct {
			name   string
			id     int64
			parent cairn.Ref
		}{
			{"ErrInvalidAlignToItself", a.ID, objRef(a.ID)},
			{"ErrInvalidAlignToOwnKeyResult", a.ID, krRef(ka.ID)},
			{"ErrInvalidCycleThroughChild", bo.ID, objRef(c.ID)},
			{"ErrInvalidCycleThroughGrandchild", a.ID, objRef(c.ID)},
			{"ErrInvalidCycleThroughGrandchildsKeyResult", a.ID, krRef(kc.ID)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := parentOf(t, tc.id)
				_, err := b.svc.UpdateObjective(b.as("owner"), slug, tc.id, cairn.ObjectiveUpdate{Parent: &tc.parent})
				wantField(t, err, "parent.id")
				if after := parentOf(t, tc.id); (before == nil) != (after == nil) || (before != nil && *before != *after) {
					t.Fatalf("parent %v became %v after a refused alignment", before, after)
				}
			})
		}

		t.Run("TreeShowsAlignedChildren", func(t *testing.T) {
			tree, err := b.svc.ObjectiveTree(b.as("viewer"), slug, a.ID)
			must(t, err)
			if len(tree.KeyResults) != 1 || tree.KeyResults[0].ID != ka.ID || len(tree.Children) != 1 || tree.Children[0].ID != bo.ID {
				t.Fatalf("tree of A = %+v", tree)
			}
			bt := tree.Children[0]
			if len(bt.KeyResults) != 1 || len(bt.KeyResults[0].Children) != 1 || bt.KeyResults[0].Children[0].ID != c.ID {
				t.Fatalf("B's key result should hold C: %+v", bt.KeyResults)
			}
		})
		t.Run("ChainRunsUpToTheRoot", func(t *testing.T) {
			ini := b.initiative(t, krRef(kc.ID), "Work for C")
			chain, err := b.svc.AlignmentChain(ctx, b.org.ID, initRef(ini.ID))
			must(t, err)
			want := []cairn.Ref{initRef(ini.ID), krRef(kc.ID), objRef(c.ID), krRef(kb.ID), objRef(bo.ID), objRef(a.ID)}
			var got []cairn.Ref
			for _, l := range chain {
				got = append(got, cairn.Ref{Type: l.Type, ID: l.ID})
			}
			if !slices.Equal(got, want) {
				t.Fatalf("chain = %v, want %v", got, want)
			}
		})
		t.Run("RealignWithoutCycle", func(t *testing.T) {
			// d may go under c and leave again; once a is under d, d may not go under c's key result.
			_, err := b.svc.UpdateObjective(b.as("owner"), slug, d.ID, cairn.ObjectiveUpdate{Parent: new(objRef(c.ID))})
			must(t, err)
			_, err = b.svc.UpdateObjective(b.as("owner"), slug, d.ID, cairn.ObjectiveUpdate{ClearParent: true})
			must(t, err)
			if p := parentOf(t, d.ID); p != nil {
				t.Fatalf("parent after clear_parent = %v", p)
			}
			_, err = b.svc.UpdateObjective(b.as("owner"), slug, a.ID, cairn.ObjectiveUpdate{Parent: new(objRef(d.ID))})
			must(t, err)
			_, err = b.svc.UpdateObjective(b.as("owner"), slug, d.ID, cairn.ObjectiveUpdate{Parent: new(krRef(kc.ID))})
			wantField(t, err, "parent.id")
		})
		t.Run("DeletedParentLeavesChildUnaligned", func(t *testing.T) {
			must(t, b.svc.DeleteObjective(b.as("owner"), slug, bo.ID))
			if p := parentOf(t, c.ID); p != nil {
				t.Fatalf("C's parent = %v after B and its key result were deleted", p)
			}
			_, err := b.svc.KeyResult(b.as("viewer"), slug, kb.ID)
			wantCode(t, err, cairn.ENOTFOUND)
			tree, err := b.svc.ObjectiveTree(b.as("viewer"), slug, a.ID)
			must(t, err)
			if len(tree.Children) != 0 {
				t.Fatalf("A still has children: %+v", tree.Children)
			}
		})
	})
}
