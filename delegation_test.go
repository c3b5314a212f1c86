package cairn_test

import (
	"slices"
	"testing"

	"github.com/cairn-okr/cairn"
)

// TestEditorsAndCheckInOwners checks the per-item rights of key results and initiatives: an
// editor changes the item as its owners do, a check-in owner checks in on it and may do
// nothing else, and a member who is neither is refused both.
func TestEditorsAndCheckInOwners(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		slug := b.org.Slug
		// Nobody but its owner and the admins may edit the objective, so that every right
		// below comes from the item's own lists.
		obj := b.objective(t, "Grow the community", func(o *cairn.Objective) { o.EditorIDs = nil })
		kr := b.keyResult(t, obj.ID, "Monthly active members", func(k *cairn.KeyResult) {
			k.OwnerIDs = []int64{b.id("assignee")}
			k.EditorIDs = []int64{b.id("editor")}
			k.CheckInOwnerIDs = []int64{b.id("member"), b.id("viewer")}
		})
		ini := b.initiative(t, objRef(obj.ID), "Meetups", func(i *cairn.Initiative) {
			i.OwnerIDs = []int64{b.id("assignee")}
			i.EditorIDs = []int64{b.id("editor")}
			i.CheckInOwnerIDs = []int64{b.id("member")}
		})

		t.Run("PeopleAreStoredAndRead", func(t *testing.T) {
			v, err := b.svc.KeyResult(b.as("viewer"), slug, kr.ID)
			must(t, err)
			wantOwners := []int64{b.id("member"), b.id("viewer")}
			slices.Sort(wantOwners)
			if !slices.Equal(v.EditorIDs, []int64{b.id("editor")}) || !slices.Equal(v.CheckInOwnerIDs, wantOwners) {
				t.Fatalf("key result editors %v, check-in owners %v", v.EditorIDs, v.CheckInOwnerIDs)
			}
			list, err := b.svc.ListKeyResults(b.as("viewer"), slug, obj.ID, 0)
			must(t, err)
			if len(list) != 1 || !slices.Equal(list[0].CheckInOwnerIDs, wantOwners) {
				t.Fatalf("listed key results = %+v", list)
			}
			iv, err := b.svc.Initiative(b.as("viewer"), slug, ini.ID)
			must(t, err)
			if !slices.Equal(iv.EditorIDs, []int64{b.id("editor")}) || !slices.Equal(iv.CheckInOwnerIDs, []int64{b.id("member")}) {
				t.Fatalf("initiative editors %v, check-in owners %v", iv.EditorIDs, iv.CheckInOwnerIDs)
			}
		})

		t.Run("CheckInOwnerChecksInButDoesNotEdit", func(t *testing.T) {
			b.checkIn(t, "member", krRef(kr.ID), 30)
			b.checkIn(t, "member", initRef(ini.ID), 40)
			title := "Taken over"
			_, err := b.svc.UpdateKeyResult(b.as("member"), slug, kr.ID, cairn.KeyResultUpdate{Title: &title})
			wantCode(t, err, cairn.EFORBIDDEN)
			_, err = b.svc.UpdateInitiative(b.as("member"), slug, ini.ID, cairn.InitiativeUpdate{Title: &title})
			wantCode(t, err, cairn.EFORBIDDEN)
			wantCode(t, b.svc.DeleteKeyResult(b.as("member"), slug, kr.ID), cairn.EFORBIDDEN)
			wantCode(t, b.svc.DeleteInitiative(b.as("member"), slug, ini.ID), cairn.EFORBIDDEN)
			wantCode(t, b.svc.CreateInitiative(b.as("member"), slug, &cairn.Initiative{Parent: krRef(kr.ID), Title: "Mine"}), cairn.EFORBIDDEN)
			// Pausing a data source with the check-in changes the data source: not theirs.
			wantCode(t, b.svc.CheckInAndPause(b.as("member"), slug, &cairn.CheckIn{Item: krRef(kr.ID), Value: 31}, true), cairn.EFORBIDDEN)
			v, err := b.svc.KeyResult(b.as("admin"), slug, kr.ID)
			must(t, err)
			if v.Title != "Monthly active members" || v.Metric.Current != 30 {
				t.Fatalf("key result after the check-in owner's attempts: title %q, current %v", v.Title, v.Metric.Current)
			}
		})

		t.Run("EditorOfTheItemEditsIt", func(t *testing.T) {
			title := "Monthly active contributors"
			v, err := b.svc.UpdateKeyResult(b.as("editor"), slug, kr.ID, cairn.KeyResultUpdate{Title: &title})
			must(t, err)
			if v.Title != title {
				t.Fatalf("title = %q", v.Title)
			}
			b.checkIn(t, "editor", krRef(kr.ID), 35)
			child := &cairn.Initiative{Parent: krRef(kr.ID), Title: "Contributor guide", OwnerIDs: []int64{b.id("editor")}}
			must(t, b.svc.CreateInitiative(b.as("editor"), slug, child))
			ititle := "Meetups in three cities"
			iv, err := b.svc.UpdateInitiative(b.as("editor"), slug, ini.ID, cairn.InitiativeUpdate{Title: &ititle})
			must(t, err)
			if iv.Title != ititle {
				t.Fatalf("initiative title = %q", iv.Title)
			}
		})

		t.Run("NeitherIsRefused", func(t *testing.T) {
			before, err := b.svc.ListCheckIns(b.as("admin"), slug, krRef(kr.ID), 0)
			must(t, err)
			// The viewer is a check-in owner by the list but a viewer by role: the role wins.
			wantCode(t, b.svc.CheckIn(b.as("viewer"), slug, &cairn.CheckIn{Item: krRef(kr.ID), Value: 99}), cairn.EFORBIDDEN)
			// The member is neither an editor nor a check-in owner of this key result.
			other := b.keyResult(t, obj.ID, "Someone else's", func(k *cairn.KeyResult) { k.OwnerIDs = []int64{b.id("assignee")} })
			wantCode(t, b.svc.CheckIn(b.as("member"), slug, &cairn.CheckIn{Item: krRef(other.ID), Value: 1}), cairn.EFORBIDDEN)
			title := "Nope"
			_, err = b.svc.UpdateKeyResult(b.as("member"), slug, other.ID, cairn.KeyResultUpdate{Title: &title})
			wantCode(t, err, cairn.EFORBIDDEN)
			after, err := b.svc.ListCheckIns(b.as("admin"), slug, krRef(kr.ID), 0)
			must(t, err)
			if len(after) != len(before) {
				t.Fatalf("%d check-ins after refused ones, want %d", len(after), len(before))
			}
		})

		t.Run("ItemAccess", func(t *testing.T) {
			for actor, want := range map[string]cairn.ItemAccess{
				"member":   {CheckIn: true, Comment: true},
				"editor":   {Edit: true, CheckIn: true, Comment: true},
				"assignee": {Edit: true, CheckIn: true, Comment: true},
				"owner":    {Edit: true, CheckIn: true, Comment: true},
				"viewer":   {},
				"admin":    {Edit: true, CheckIn: true, Comment: true},
			} {
				got, err := b.svc.ItemAccess(b.as(actor), slug, krRef(kr.ID))
				must(t, err)
				if *got != want {
					t.Errorf("%s: access = %+v, want %+v", actor, *got, want)
				}
			}
			_, err := b.svc.ItemAccess(b.as("outsider"), slug, krRef(kr.ID))
			wantCode(t, err, cairn.ENOTFOUND)
		})

		t.Run("ErrInvalidPeople", func(t *testing.T) {
			for _, tc := range []struct {
				name  string
				edit  func(*cairn.KeyResult)
				field string
			}{
				{"ErrInvalidEditorNotAMember", func(k *cairn.KeyResult) { k.EditorIDs = []int64{b.id("outsider")} }, "editor_ids"},
				{"ErrInvalidCheckInOwnerNotAMember", func(k *cairn.KeyResult) { k.CheckInOwnerIDs = []int64{b.id("outsider")} }, "checkin_owner_ids"},
				{"ErrInvalidCheckInOwnerTwice", func(k *cairn.KeyResult) { k.CheckInOwnerIDs = []int64{b.id("member"), b.id("member")} }, "checkin_owner_ids"},
				{"ErrInvalidEditorID", func(k *cairn.KeyResult) { k.EditorIDs = []int64{-3} }, "editor_ids"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					k := &cairn.KeyResult{ObjectiveID: obj.ID, Title: "x", Metric: cairn.Metric{Kind: cairn.MetricNumber, Target: 1}}
					tc.edit(k)
					wantField(t, b.svc.CreateKeyResult(b.as("admin"), slug, k), tc.field)
				})
			}
			_, err := b.svc.UpdateInitiative(b.as("admin"), slug, ini.ID, cairn.InitiativeUpdate{CheckInOwnerIDs: &[]int64{b.id("outsider")}})
			wantField(t, err, "checkin_owner_ids")
		})

		t.Run("ClearingTheListTakesTheRightAway", func(t *testing.T) {
			_, err := b.svc.UpdateKeyResult(b.as("assignee"), slug, kr.ID, cairn.KeyResultUpdate{CheckInOwnerIDs: &[]int64{}})
			must(t, err)
			wantCode(t, b.svc.CheckIn(b.as("member"), slug, &cairn.CheckIn{Item: krRef(kr.ID), Value: 50}), cairn.EFORBIDDEN)
			v, err := b.svc.KeyResult(b.as("admin"), slug, kr.ID)
			must(t, err)
			if len(v.CheckInOwnerIDs) != 0 || !slices.Equal(v.EditorIDs, []int64{b.id("editor")}) {
				t.Fatalf("after clearing the check-in owners: editors %v, check-in owners %v", v.EditorIDs, v.CheckInOwnerIDs)
			}
		})
	})
}

// TestCheckInConfidence checks the optional confidence of key result check-ins: from 1 to 10,
// for key results only, stored and listed with the check-in.
func TestCheckInConfidence(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		slug := b.org.Slug
		obj := b.objective(t, "Delight customers")
		kr := b.keyResult(t, obj.ID, "NPS to 50")
		ini := b.initiative(t, krRef(kr.ID), "Interviews")
		for _, tc := range []struct {
			name       string
			item       cairn.Ref
			confidence int
		}{
			{"ErrInvalidZero", krRef(kr.ID), 0},
			{"ErrInvalidEleven", krRef(kr.ID), 11},
			{"ErrInvalidNegative", krRef(kr.ID), -1},
			{"ErrInvalidOnAnInitiative", initRef(ini.ID), 5},
		} {
			t.Run(tc.name, func(t *testing.T) {
				n := tc.confidence
				wantField(t, b.svc.CheckIn(b.as("assignee"), slug, &cairn.CheckIn{Item: tc.item, Value: 10, Confidence: &n}), "confidence")
				cs, err := b.svc.ListCheckIns(b.as("viewer"), slug, tc.item, 0)
				must(t, err)
				if len(cs) != 0 {
					t.Fatalf("refused check-in stored: %+v", cs)
				}
			})
		}
		for _, n := range []int{cairn.MinConfidence, 7, cairn.MaxConfidence} {
			c := n
			must(t, b.svc.CheckIn(b.as("assignee"), slug, &cairn.CheckIn{Item: krRef(kr.ID), Value: float64(10 * n), Confidence: &c}))
		}
		b.checkIn(t, "assignee", krRef(kr.ID), 5)
		cs, err := b.svc.ListCheckIns(b.as("viewer"), slug, krRef(kr.ID), 0)
		must(t, err)
		var got []any
		for _, c := range cs {
			if c.Confidence == nil {
				got = append(got, nil)
			} else {
				got = append(got, *c.Confidence)
			}
		}
		want := []any{nil, 10, 7, 1}
		if len(got) != len(want) {
			t.Fatalf("confidences = %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("confidences newest first = %v, want %v", got, want)
			}
		}
		one, err := b.db.CheckInByID(ctx, b.org.ID, cs[1].ID)
		must(t, err)
		if one.Confidence == nil || *one.Confidence != 10 {
			t.Fatalf("check-in by id = %+v", one)
		}
	})
}
