package web_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestBadInputIsRefusedAndChangesNothing sends each kind of bad body to every write and
// checks for a 4xx problem that names the field, and that the database is unchanged.
func TestBadInputIsRefusedAndChangesNothing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.okrs(t)
	org := "/api/v1/orgs/fabrikam"
	owner := b.users["owner"].ID
	long := strings.Repeat("x", 301)
	huge := `{"title":"` + strings.Repeat("a", 1<<20) + `"}`
	cases := []struct {
		name   string
		method string
		path   string
		body   any
		status int
		field  string
	}{
		{"MalformedJSON", "POST", org + "/objectives", `{"title":`, 400, ""},
		{"NotAnObject", "POST", org + "/objectives", `[1,2]`, 422, ""},
		{"EmptyBody", "POST", org + "/objectives", ``, 400, ""},
		{"TrailingData", "POST", org + "/objectives", fmt.Sprintf(`{"period_id":%d,"title":"a","owner_ids":[%d]} {}`, ids.period, owner), 400, ""},
		{"UnknownField", "POST", org + "/objectives", map[string]any{"period_id": ids.period, "title": "a", "owner_ids": []int64{owner}, "colour": "red"}, 422, "colour"},
		{"WrongType", "POST", org + "/objectives", map[string]any{"period_id": "one", "title": "a"}, 422, "period_id"},
		{"WrongNestedType", "POST", org + "/key-results", map[string]any{"objective_id": ids.objective, "title": "a", "metric": map[string]any{"kind": "number", "start": "0", "target": 1}}, 422, "metric.start"},
		{"EmptyTitle", "POST", org + "/objectives", map[string]any{"period_id": ids.period, "title": "  ", "owner_ids": []int64{owner}}, 422, "title"},
		{"TooLongTitle", "POST", org + "/objectives", map[string]any{"period_id": ids.period, "title": long, "owner_ids": []int64{owner}}, 422, "title"},
		{"EmptyOwners", "POST", org + "/objectives", map[string]any{"period_id": ids.period, "title": "a", "owner_ids": []int64{}}, 422, "owner_ids"},
		{"BadLevel", "POST", org + "/objectives", map[string]any{"period_id": ids.period, "title": "a", "level": "galaxy", "owner_ids": []int64{owner}}, 422, "level"},
		{"UnknownPeriod", "POST", org + "/objectives", map[string]any{"period_id": 9999, "title": "a", "owner_ids": []int64{owner}}, 422, "period_id"},
		{"BadParentType", "POST", org + "/objectives", map[string]any{"period_id": ids.period, "title": "a", "owner_ids": []int64{owner}, "parent": map[string]any{"type": "initiative", "id": 1}}, 422, "parent.type"},
		{"OversizedBody", "POST", org + "/objectives", huge, 400, ""},
		{"TargetEqualsStart", "POST", org + "/key-results", map[string]any{"objective_id": ids.objective, "title": "a", "metric": map[string]any{"kind": "number", "start": 5, "target": 5}}, 422, "metric.target"},
		{"BadMetricKind", "POST", org + "/key-results", map[string]any{"objective_id": ids.objective, "title": "a", "metric": map[string]any{"kind": "bitcoin", "start": 0, "target": 5}}, 422, "metric.kind"},
		{"MetricWithoutMetricMode", "POST", org + "/initiatives", map[string]any{"parent": map[string]any{"type": "key_result", "id": ids.keyResult}, "title": "a", "progress_mode": "metric"}, 422, "metric"},
		{"BadProgressMode", "POST", org + "/initiatives", map[string]any{"parent": map[string]any{"type": "key_result", "id": ids.keyResult}, "title": "a", "progress_mode": "vibes"}, 422, "progress_mode"},
		{"DatesOutOfOrder", "POST", org + "/periods", map[string]any{"name": "Q", "start": "2026-09-30", "end": "2026-07-01"}, 422, "end"},
		{"BadDate", "POST", org + "/periods", map[string]any{"name": "Q", "start": "2026-13-01", "end": "2026-12-01"}, 422, ""},
		{"MissingDate", "POST", org + "/periods", map[string]any{"name": "Q", "start": "2026-01-01"}, 422, "end"},
		{"CheckInWithoutValue", "POST", fmt.Sprintf("%s/key-results/%d/check-ins", org, ids.keyResult), map[string]any{"note": "hi"}, 422, "value"},
		{"CheckInBadStatus", "POST", fmt.Sprintf("%s/key-results/%d/check-ins", org, ids.keyResult), map[string]any{"value": 1, "status": "great"}, 422, "status"},
		{"CheckInValueNotNumber", "POST", fmt.Sprintf("%s/key-results/%d/check-ins", org, ids.keyResult), map[string]any{"value": "ten"}, 422, "value"},
		{"CheckInPercentOutOfRange", "POST", fmt.Sprintf("%s/initiatives/%d/check-ins", org, ids.initiative), map[string]any{"value": 140}, 422, "value"},
		{"PatchEmptyTitle", "PATCH", fmt.Sprintf("%s/objectives/%d", org, ids.objective), map[string]any{"title": ""}, 422, "title"},
		{"PatchSelfParent", "PATCH", fmt.Sprintf("%s/objectives/%d", org, ids.objective), map[string]any{"parent": map[string]any{"type": "objective", "id": ids.objective}}, 422, "parent.id"},
		{"PatchOwnKeyResultParent", "PATCH", fmt.Sprintf("%s/objectives/%d", org, ids.objective), map[string]any{"parent": map[string]any{"type": "key_result", "id": ids.keyResult}}, 422, "parent.id"},
		{"PatchTargetToStart", "PATCH", fmt.Sprintf("%s/key-results/%d", org, ids.keyResult), map[string]any{"metric": map[string]any{"target": 0}}, 422, "metric.target"},
		{"DuplicateSlug", "POST", "/api/v1/orgs", map[string]any{"name": "Again", "slug": "fabrikam"}, 409, ""},
		{"BadSlug", "POST", "/api/v1/orgs", map[string]any{"name": "Bad", "slug": "Not A Slug"}, 422, "slug"},
		{"BadRole", "POST", org + "/members", map[string]any{"email": "x@example.com", "role": "king"}, 422, "role"},
		{"BadEmail", "POST", org + "/members", map[string]any{"email": "not-an-email"}, 422, "email"},
		{"BadIDInPath", "GET", org + "/objectives/abc", nil, 404, ""},
		{"BadQueryParam", "GET", org + "/objectives?period_id=soon", nil, 422, "period_id"},
		{"BadStatusFilter", "GET", org + "/objectives?status=great", nil, 422, "status"},
	}
	before := b.snapshot(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			who := "owner"
			if strings.HasPrefix(c.path, "/api/v1/orgs") && !strings.HasPrefix(c.path, org) || strings.Contains(c.path, "/periods") || strings.Contains(c.path, "/members") {
				who = "tenant"
			}
			r := b.do(t, who, c.method, c.path, c.body)
			if r.Status != c.status {
				t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Body)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("content type %q", ct)
			}
			p := r.problem(t)
			if p.Detail == "" || p.Status != c.status {
				t.Fatalf("problem lacks detail or status: %+v", p)
			}
			if c.field != "" && p.Field != c.field {
				t.Fatalf("field %q, want %q (detail %q)", p.Field, c.field, p.Detail)
			}
		})
	}
	if after := b.snapshot(t); after != before {
		t.Fatalf("bad input changed the data:\nbefore %s\nafter  %s", before, after)
	}
}

// snapshot renders the organization's data, so that a test can tell whether it changed.
func (b *testBundle) snapshot(t *testing.T) string {
	t.Helper()
	var sb strings.Builder
	for _, p := range []string{"/api/v1/orgs", "/api/v1/orgs/fabrikam/periods", "/api/v1/orgs/fabrikam/members", "/api/v1/orgs/fabrikam/objectives", "/api/v1/orgs/fabrikam/key-results", "/api/v1/orgs/fabrikam/initiatives", "/api/v1/orgs/fabrikam/key-results/1/check-ins"} {
		sb.Write(b.must(t, 200, "tenant", "GET", p, nil).Body)
	}
	return sb.String()
}
