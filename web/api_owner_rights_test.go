package web_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/cairn-okr/cairn"
)

// addMember adds an ordinary member to fabrikam over the API, as its admin, and gives them a
// token under name.
func (b *testBundle) addMember(tb testing.TB, name string) *cairn.User {
	tb.Helper()
	var m cairn.Member
	b.must(tb, 201, "admin", "POST", "/api/v1/orgs/fabrikam/members", map[string]any{"email": name + "@example.com", "name": name, "role": "member"}).json(tb, &m)
	u, err := b.db.UserByID(context.Background(), m.UserID)
	if err != nil {
		tb.Fatal(err)
	}
	b.addUser(tb, name, u)
	return u
}

// TestKeyResultOwnerRightsOverTheAPI gives a key result two owners who are ordinary members
// ("owner" and "coowner", neither of whom owns or edits its objective) and a check-in owner
// ("checker"), and checks over the API that a second owner checks in and edits as owners
// do, that the check-in owner checks in and may change nothing else, and that a member who is
// neither ("member") and a viewer get 403 and change nothing.
func TestKeyResultOwnerRightsOverTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.okrs(t)
	org := "/api/v1/orgs/fabrikam"
	coowner := b.addMember(t, "coowner")
	checker := b.addMember(t, "checker")
	obj := b.must(t, 201, "admin", "POST", org+"/objectives", map[string]any{"period_id": ids.period, "title": "Admin's objective",
		"owner_ids": []int64{b.users["admin"].ID}}).id(t)
	kr := b.must(t, 201, "admin", "POST", org+"/key-results", map[string]any{"objective_id": obj, "title": "Weekly active teams",
		"metric":            map[string]any{"kind": "number", "start": 0, "target": 200},
		"owner_ids":         []int64{b.users["owner"].ID, coowner.ID},
		"checkin_owner_ids": []int64{checker.ID}}).id(t)
	path := fmt.Sprintf("%s/key-results/%d", org, kr)
	type krJSON struct {
		Title           string  `json:"title"`
		OwnerIDs        []int64 `json:"owner_ids"`
		CheckInOwnerIDs []int64 `json:"checkin_owner_ids"`
		Progress        float64 `json:"progress"`
		Metric          struct {
			Target  float64 `json:"target"`
			Current float64 `json:"current"`
		} `json:"metric"`
	}
	read := func(t *testing.T) krJSON {
		t.Helper()
		var k krJSON
		b.must(t, 200, "viewer", "GET", path, nil).json(t, &k)
		return k
	}
	want := func(t *testing.T, title string, target, current, progress float64) {
		t.Helper()
		k := read(t)
		if k.Title != title || k.Metric.Target != target || k.Metric.Current != current || math.Abs(k.Progress-progress) > 1e-9 {
			t.Fatalf("key result = %q, target %v, current %v, progress %v; want %q, %v, %v, %v",
				k.Title, k.Metric.Target, k.Metric.Current, k.Progress, title, target, current, progress)
		}
	}
	if k := read(t); len(k.OwnerIDs) != 2 || len(k.CheckInOwnerIDs) != 1 || k.CheckInOwnerIDs[0] != checker.ID {
		t.Fatalf("owners %v, check-in owners %v", k.OwnerIDs, k.CheckInOwnerIDs)
	}

	t.Run("SecondOwnerChecksInAndEdits", func(t *testing.T) {
		b.must(t, 201, "coowner", "POST", path+"/check-ins", map[string]any{"value": 60, "confidence": 7})
		want(t, "Weekly active teams", 200, 60, 0.3) // 60 / 200
		b.must(t, 200, "coowner", "PATCH", path, map[string]any{"title": "Weekly active squads", "metric": map[string]any{"target": 150}})
		want(t, "Weekly active squads", 150, 60, 0.4) // 60 / 150
		b.must(t, 201, "coowner", "POST", org+"/initiatives", map[string]any{"parent": map[string]any{"type": "key_result", "id": kr},
			"title": "Onboarding calls", "progress_mode": "manual", "contributes": true})
		// The first owner has the same rights.
		b.must(t, 201, "owner", "POST", path+"/check-ins", map[string]any{"value": 75})
		want(t, "Weekly active squads", 150, 75, 0.5) // 75 / 150
	})
	t.Run("CheckInOwnerChecksInOnly", func(t *testing.T) {
		b.must(t, 201, "checker", "POST", path+"/check-ins", map[string]any{"value": 90, "confidence": 4})
		want(t, "Weekly active squads", 150, 90, 0.6) // 90 / 150
		b.must(t, 403, "checker", "PATCH", path, map[string]any{"title": "Taken over"})
		b.must(t, 403, "checker", "PATCH", path, map[string]any{"metric": map[string]any{"target": 100}})
		b.must(t, 403, "checker", "PATCH", path, map[string]any{"checkin_owner_ids": []int64{checker.ID, b.users["member"].ID}})
		b.must(t, 403, "checker", "POST", org+"/initiatives", map[string]any{"parent": map[string]any{"type": "key_result", "id": kr},
			"title": "Mine", "progress_mode": "manual", "contributes": true})
		b.must(t, 403, "checker", "DELETE", path, nil)
		want(t, "Weekly active squads", 150, 90, 0.6)
	})
	t.Run("NeitherIsForbidden", func(t *testing.T) {
		for _, who := range []string{"member", "viewer"} {
			b.must(t, 403, who, "POST", path+"/check-ins", map[string]any{"value": 150})
			b.must(t, 403, who, "PATCH", path, map[string]any{"title": "Not mine"})
			b.must(t, 403, who, "DELETE", path, nil)
		}
		want(t, "Weekly active squads", 150, 90, 0.6)
		var cs struct {
			Items []struct {
				Value    float64 `json:"value"`
				AuthorID *int64  `json:"author_id"`
			} `json:"items"`
		}
		b.must(t, 200, "viewer", "GET", path+"/check-ins", nil).json(t, &cs)
		var got []string
		for _, c := range cs.Items {
			got = append(got, fmt.Sprintf("%v by %d", c.Value, *c.AuthorID))
		}
		wantCS := []string{
			fmt.Sprintf("90 by %d", checker.ID), fmt.Sprintf("75 by %d", b.users["owner"].ID), fmt.Sprintf("60 by %d", coowner.ID),
		}
		if fmt.Sprint(got) != fmt.Sprint(wantCS) {
			t.Fatalf("check-ins, newest first: %v, want %v", got, wantCS)
		}
	})
	t.Run("SecondOwnerTakesTheCheckInRightAway", func(t *testing.T) {
		b.must(t, 200, "coowner", "PATCH", path, map[string]any{"checkin_owner_ids": []int64{}})
		b.must(t, 403, "checker", "POST", path+"/check-ins", map[string]any{"value": 100})
		want(t, "Weekly active squads", 150, 90, 0.6)
	})
}
