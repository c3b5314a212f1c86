package web_test

import (
	"fmt"
	"testing"
)

// The authorization matrix, every route as every role, is internal/authzmatrix; it runs
// in web/ui (TestAuthorizationMatrix) and end to end (e2e TestSecurityAuthorizationMatrix).

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
