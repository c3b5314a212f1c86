package web_test

import (
	"fmt"
	"net/http"
	"testing"
)

// TestAuthorizationMatrix walks every role over every endpoint and asserts each allowed and
// each refused case. Outsiders (members of another organization) get 404, never 403, so
// that nothing leaks about fabrikam.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	const (
		ok   = 0 // any 2xx
		no   = http.StatusForbidden
		nf   = http.StatusNotFound
		anon = http.StatusUnauthorized
	)
	type expect map[string]int // role → status; missing roles use the row's default
	org := "/api/v1/orgs/fabrikam"
	roles := []string{"tenant", "admin", "owner", "member", "viewer", "outsider", ""}

	read := expect{"tenant": ok, "admin": ok, "owner": ok, "member": ok, "viewer": ok, "outsider": nf, "": anon}
	adminOnly := expect{"tenant": ok, "admin": ok, "owner": no, "member": no, "viewer": no, "outsider": nf, "": anon}
	writers := expect{"tenant": ok, "admin": ok, "owner": ok, "member": ok, "viewer": no, "outsider": nf, "": anon}
	owners := expect{"tenant": ok, "admin": ok, "owner": ok, "member": no, "viewer": no, "outsider": nf, "": anon}

	type row struct {
		name string
		want expect
		// req returns the method, path and body, creating what the request needs first.
		req func(t *testing.T, b *testBundle, ids okrIDs) (string, string, any)
	}
	fixed := func(method, path string, body any) func(*testing.T, *testBundle, okrIDs) (string, string, any) {
		return func(*testing.T, *testBundle, okrIDs) (string, string, any) { return method, path, body }
	}
	newObjective := func(t *testing.T, b *testBundle, ids okrIDs) int64 {
		return b.must(t, 201, "owner", "POST", org+"/objectives", map[string]any{"period_id": ids.period, "title": "Temp", "owner_ids": []int64{b.users["owner"].ID}}).id(t)
	}
	newKR := func(t *testing.T, b *testBundle, ids okrIDs) int64 {
		return b.must(t, 201, "owner", "POST", org+"/key-results", map[string]any{"objective_id": ids.objective, "title": "Temp", "metric": map[string]any{"kind": "number", "start": 0, "target": 10}}).id(t)
	}
	newInit := func(t *testing.T, b *testBundle, ids okrIDs) int64 {
		return b.must(t, 201, "owner", "POST", org+"/initiatives", map[string]any{"parent": map[string]any{"type": "objective", "id": ids.objective}, "title": "Temp"}).id(t)
	}
	rows := []row{
		{"GetOrg", read, fixed("GET", org, nil)},
		{"PatchOrg", adminOnly, fixed("PATCH", org, map[string]any{"at_risk_gap": 0.3})},
		{"CreateOrg", expect{"tenant": ok, "admin": no, "owner": no, "member": no, "viewer": no, "outsider": no, "": anon}, func(t *testing.T, b *testBundle, _ okrIDs) (string, string, any) {
			return "POST", "/api/v1/orgs", map[string]any{"name": "New", "slug": "new-org"}
		}},
		{"ListPeriods", read, fixed("GET", org+"/periods", nil)},
		{"GetPeriod", read, func(t *testing.T, b *testBundle, ids okrIDs) (string, string, any) {
			return "GET", fmt.Sprintf("%s/periods/%d", org, ids.period), nil
		}},
		{"CreatePeriod", adminOnly, fixed("POST", org+"/periods", map[string]any{"name": "Q4", "start": "2026-10-01", "end": "2026-12-31"})},
		{"PatchPeriod", adminOnly, func(t *testing.T, b *testBundle, ids okrIDs) (string, string, any) {
			return "PATCH", fmt.Sprintf("%s/periods/%d", org, ids.period), map[string]any{"name": "Q3!"}
		}},
		{"DeletePeriod", adminOnly, func(t *testing.T, b *testBundle, ids okrIDs) (string, string, any) {
			id := b.must(t, 201, "admin", "POST", org+"/periods", map[string]any{"name": "Tmp", "start": "2027-01-01", "end": "2027-03-31"}).id(t)
			return "DELETE", fmt.Sprintf("%s/periods/%d", org, id), nil
		}},
		{"ClosePeriod", adminOnly, func(t *testing.T, b *testBundle, ids okrIDs) (string, string, any) {
			id := b.must(t, 201, "admin", "POST", org+"/periods", map[string]any{"name": "Tmp", "start": "2027-01-01", "end": "2027-03-31"}).id(t)
			return "POST", fmt.Sprintf("%s/periods/%d/close", org, id), nil
		}},
		{"ListTeams", read, fixed("GET", org+"/teams", nil)},
		{"CreateTeam", adminOnly, fixed("POST", org+"/teams", map[string]any{"name": "T"})},
		{"PatchTeam", adminOnly, func(t *testing.T, b *testBundle, ids okrIDs) (string, string, any) {
			id := b.must(t, 201, "admin", "POST", org+"/teams", map[string]any{"name": "T"}).id(t)
			return "PATCH", fmt.Sprintf("%s/teams/%d", org, id), map[string]any{"name": "U"}
		}},
		{"DeleteTeam", adminOnly, func(t *testing.T, b *testBundle, ids okrIDs) (string, string, any) {
			id := b.must(t, 201, "admin", "POST", org+"/teams", map[string]any{"name": "T"}).id(t)
			return "DELETE", fmt.Sprintf("%s/teams/%d", org, id), nil
		}},
		{"ListMembers", read, fixed("GET", org+"/members", nil)},
		{"AddMember", adminOnly, fixed("POST", org+"/members", map[string]any{"email": "new@example.com", "role": "member"})},
		{"PatchMember", adminOnly, func(t *testing.T, b *testBundle, ids okrIDs) (string, string, any) {
			return "PATCH", fmt.Sprintf("%s/members/%d", org, b.users["member"].ID), map[string]any{"role": "member"}
		}},
		{"RemoveMember", adminOnly, func(t *testing.T, b *testBundle, ids okrIDs) (string, string, any) {
			id := b.must(t, 201, "admin", "POST", org+"/members", map[string]any{"email": "gone@example.com"}).id(t)
			_ = id
			var m struct {
				UserID int64 `json:"user_id"`
			}
			b.must(t, 200, "admin", "GET", fmt.Sprintf("%s/members/%d", org, b.users["member"].ID), nil).json(t, &m)
			r := b.must(t, 200, "admin", "GET", org+"/members", nil)
			var l struct {
				Items []struct {
					UserID int64  `json:"user_id"`
					Email  string `json:"email"`
				} `json:"items"`
			}
			r.json(t, &l)
			for _, it := range l.Items {
				if it.Email == "gone@example.com" {
					return "DELETE", fmt.Sprintf("%s/members/%d", org, it.UserID), nil
				}
			}
			t.Fatal("added member not listed")
			return "", "", nil
		}},
		{"ListObjectives", read, fixed("GET", org+"/objectives", nil)},
		{"GetObjective", read, func(t *testing.T, b *testBundle, ids okrIDs) (string, string, any) {
			return "GET", fmt.Sprintf("%s/objectives/%d", org, ids.objective), nil
		}},
		{"ObjectiveTree", read, func(t *testing.T, b *testBundle, ids okrIDs) (string, string, any) {
			return "GET", fmt.Sprintf("%s/objectives/%d/tree", org, ids.objective), nil
		}},
		{"CreateObjective", writers, func(t *testing.T, b *testBundle, ids okrIDs) (string, string, any) {
			return "POST", org + "/objectives", map[string]any{"period_id": ids.period, "title": "Mine", "owner_ids": []int64{b.users["owner"].ID}}
		}},
		{"PatchObjective", owners, func(t *testing.T, b *testBundle, ids okrIDs) (string, string, any) {
			return "PATCH", fmt.Sprintf("%s/objectives/%d", org, ids.objective), map[string]any{"description": "why"}
		}},
		{"DeleteObjective", owners, func(t *testing.T, b *testBundle, ids okrIDs) (string, string, any) {
			return "DELETE", fmt.Sprintf("%s/objectives/%d", org, newObjective(t, b, ids)), nil
		}},
		{"ListKeyResults", read, fixed("GET", org+"/key-results", nil)},
		{"GetKeyResult", read, func(t *testing.T, b *testBundle, ids okrIDs) (string, string, any) {
			return "GET", fmt.Sprintf("%s/key-results/%d", org, ids.keyResult), nil
		}},
		{"CreateKeyResult", owners, func(t *testing.T, b *testBundle, ids okrIDs) (string, string, any) {
			return "POST", org + "/key-results", map[string]any{"objective_id": ids.objective, "title": "KR", "metric": map[string]any{"kind": "number", "start": 0, "target": 5}}
		}},
		{"PatchKeyResult", owners, func(t *testing.T, b *testBundle, ids okrIDs) (string, string, any) {
			return "PATCH", fmt.Sprintf("%s/key-results/%d", org, ids.keyResult), map[string]any{"title": "KR!"}
		}},
		{"DeleteKeyResult", owners, func(t *testing.T, b *testBundle, ids okrIDs) (string, string, any) {
			return "DELETE", fmt.Sprintf("%s/key-results/%d", org, newKR(t, b, ids)), nil
		}},
		{"KeyResultCheckIn", owners, func(t *testing.T, b *testBundle, ids okrIDs) (string, string, any) {
			return "POST", fmt.Sprintf("%s/key-results/%d/check-ins", org, ids.keyResult), map[string]any{"value": 5}
		}},
		{"ListKeyResultCheckIns", read, func(t *testing.T, b *testBundle, ids okrIDs) (string, string, any) {
			return "GET", fmt.Sprintf("%s/key-results/%d/check-ins", org, ids.keyResult), nil
		}},
		{"ListInitiatives", read, fixed("GET", org+"/initiatives", nil)},
		{"GetInitiative", read, func(t *testing.T, b *testBundle, ids okrIDs) (string, string, any) {
			return "GET", fmt.Sprintf("%s/initiatives/%d", org, ids.initiative), nil
		}},
		{"CreateInitiative", owners, func(t *testing.T, b *testBundle, ids okrIDs) (string, string, any) {
			return "POST", org + "/initiatives", map[string]any{"parent": map[string]any{"type": "key_result", "id": ids.keyResult}, "title": "I"}
		}},
		{"PatchInitiative", owners, func(t *testing.T, b *testBundle, ids okrIDs) (string, string, any) {
			return "PATCH", fmt.Sprintf("%s/initiatives/%d", org, ids.initiative), map[string]any{"title": "I!"}
		}},
		{"DeleteInitiative", owners, func(t *testing.T, b *testBundle, ids okrIDs) (string, string, any) {
			return "DELETE", fmt.Sprintf("%s/initiatives/%d", org, newInit(t, b, ids)), nil
		}},
		{"InitiativeCheckIn", owners, func(t *testing.T, b *testBundle, ids okrIDs) (string, string, any) {
			return "POST", fmt.Sprintf("%s/initiatives/%d/check-ins", org, ids.initiative), map[string]any{"value": 50}
		}},
		{"ListInitiativeCheckIns", read, func(t *testing.T, b *testBundle, ids okrIDs) (string, string, any) {
			return "GET", fmt.Sprintf("%s/initiatives/%d/check-ins", org, ids.initiative), nil
		}},
		{"DeleteOrg", expect{"tenant": ok, "admin": no, "owner": no, "member": no, "viewer": no, "outsider": nf, "": anon}, fixed("DELETE", org, nil)},
	}
	for _, role := range roles {
		name := role
		if name == "" {
			name = "anonymous"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			ids := b.okrs(t)
			for _, r := range rows {
				method, path, body := r.req(t, b, ids)
				got := b.do(t, role, method, path, body)
				want := r.want[role]
				if want == ok {
					if got.Status < 200 || got.Status > 299 {
						t.Errorf("%s as %s: status %d, want 2xx: %s", r.name, name, got.Status, got.Body)
					}
					continue
				}
				if got.Status != want {
					t.Errorf("%s as %s: status %d, want %d: %s", r.name, name, got.Status, want, got.Body)
				}
			}
		})
	}
}

// TestCrossOrganizationIDs checks that ids of another organization are never reachable:
// through another organization's path they are 404, and as references they are refused
// as invalid, naming the field.
func TestCrossOrganizationIDs(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.okrs(t)
	// The tenant admin sets up contoso with its own period and objective.
	cp := b.must(t, 201, "tenant", "POST", "/api/v1/orgs/contoso/periods", map[string]any{"name": "H2", "start": "2026-07-01", "end": "2026-12-31"}).id(t)
	co := b.must(t, 201, "tenant", "POST", "/api/v1/orgs/contoso/objectives", map[string]any{"period_id": cp, "title": "Contoso goal", "owner_ids": []int64{b.users["outsider"].ID}}).id(t)

	for _, path := range []string{
		fmt.Sprintf("/api/v1/orgs/contoso/objectives/%d", ids.objective),
		fmt.Sprintf("/api/v1/orgs/contoso/objectives/%d/tree", ids.objective),
		fmt.Sprintf("/api/v1/orgs/contoso/key-results/%d", ids.keyResult),
		fmt.Sprintf("/api/v1/orgs/contoso/initiatives/%d", ids.initiative),
		fmt.Sprintf("/api/v1/orgs/contoso/periods/%d", ids.period),
		fmt.Sprintf("/api/v1/orgs/fabrikam/objectives/%d", co),
	} {
		who := "outsider"
		if path[len("/api/v1/orgs/"):][:8] == "fabrikam" {
			who = "admin"
		}
		b.must(t, 404, who, "GET", path, nil)
	}
	b.must(t, 404, "outsider", "POST", fmt.Sprintf("/api/v1/orgs/contoso/key-results/%d/check-ins", ids.keyResult), map[string]any{"value": 99})

	refs := []struct {
		name  string
		path  string
		body  map[string]any
		field string
	}{
		{"PeriodOfOtherOrg", "/objectives", map[string]any{"period_id": cp, "title": "x", "owner_ids": []int64{b.users["owner"].ID}}, "period_id"},
		{"OwnerOfOtherOrg", "/objectives", map[string]any{"period_id": ids.period, "title": "x", "owner_ids": []int64{b.users["outsider"].ID}}, "owner_ids"},
		{"ParentOfOtherOrg", "/objectives", map[string]any{"period_id": ids.period, "title": "x", "owner_ids": []int64{b.users["owner"].ID}, "parent": map[string]any{"type": "objective", "id": co}}, "parent.id"},
		{"ObjectiveOfOtherOrg", "/key-results", map[string]any{"objective_id": co, "title": "x", "metric": map[string]any{"kind": "number", "start": 0, "target": 1}}, "objective_id"},
		{"InitiativeParentOfOtherOrg", "/initiatives", map[string]any{"parent": map[string]any{"type": "objective", "id": co}, "title": "x"}, "parent.id"},
	}
	for _, c := range refs {
		t.Run(c.name, func(t *testing.T) {
			p := b.must(t, 422, "admin", "POST", "/api/v1/orgs/fabrikam"+c.path, c.body).problem(t)
			if p.Field != c.field {
				t.Fatalf("field %q, want %q (%s)", p.Field, c.field, p.Detail)
			}
		})
	}
	// Nothing was created by the refused requests.
	var l struct {
		Count int `json:"count"`
	}
	b.must(t, 200, "admin", "GET", "/api/v1/orgs/fabrikam/objectives", nil).json(t, &l)
	if l.Count != 1 {
		t.Fatalf("fabrikam has %d objectives, want 1", l.Count)
	}
}
