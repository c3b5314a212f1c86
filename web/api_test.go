package web_test

import (
	"fmt"
	"maps"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestObjectiveTreeRollsUpProgressAndStatus(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.okrs(t)
	org := "/api/v1/orgs/fabrikam"
	// A second key result, decreasing: 200 ms → 100 ms, now 150 ms = 50 %.
	kr2 := b.must(t, 201, "owner", "POST", org+"/key-results", map[string]any{"objective_id": ids.objective, "title": "Latency", "metric": map[string]any{"kind": "number", "start": 200, "target": 100, "unit": "ms"}}).id(t)
	b.must(t, 201, "owner", "POST", fmt.Sprintf("%s/key-results/%d/check-ins", org, ids.keyResult), map[string]any{"value": 30, "status": "on_track", "note": "first"})
	b.must(t, 201, "owner", "POST", fmt.Sprintf("%s/key-results/%d/check-ins", org, kr2), map[string]any{"value": 150})
	b.must(t, 201, "owner", "POST", fmt.Sprintf("%s/initiatives/%d/check-ins", org, ids.initiative), map[string]any{"value": 80})
	// An aligned child objective appears under the key result.
	child := b.must(t, 201, "owner", "POST", org+"/objectives", map[string]any{"period_id": ids.period, "title": "Faster pages", "level": "individual", "owner_ids": []int64{b.users["owner"].ID}, "parent": map[string]any{"type": "key_result", "id": kr2}})
	if child.Status != 201 {
		t.Fatal(string(child.Body))
	}
	var tree struct {
		ID         int64   `json:"id"`
		Progress   float64 `json:"progress"`
		Status     string  `json:"status"`
		KeyResults []struct {
			ID          int64   `json:"id"`
			Progress    float64 `json:"progress"`
			Status      string  `json:"status"`
			Initiatives []struct {
				Progress float64 `json:"progress"`
			} `json:"initiatives"`
			Children []struct {
				Title string `json:"title"`
			} `json:"children"`
		} `json:"key_results"`
	}
	b.must(t, 200, "viewer", "GET", fmt.Sprintf("%s/objectives/%d/tree", org, ids.objective), nil).json(t, &tree)
	if len(tree.KeyResults) != 2 {
		t.Fatalf("tree has %d key results, want 2", len(tree.KeyResults))
	}
	if got := tree.KeyResults[0].Progress; math.Abs(got-0.30) > 1e-9 {
		t.Errorf("first key result progress = %v, want 0.30", got)
	}
	if got := tree.KeyResults[1].Progress; math.Abs(got-0.50) > 1e-9 {
		t.Errorf("decreasing key result progress = %v, want 0.50", got)
	}
	if got := tree.Progress; math.Abs(got-0.40) > 1e-9 {
		t.Errorf("objective roll-up = %v, want 0.40", got)
	}
	if got := tree.KeyResults[0].Initiatives[0].Progress; math.Abs(got-0.8) > 1e-9 {
		t.Errorf("initiative progress = %v, want 0.8", got)
	}
	if len(tree.KeyResults[1].Children) != 1 || tree.KeyResults[1].Children[0].Title != "Faster pages" {
		t.Errorf("aligned child missing under the key result: %+v", tree.KeyResults[1].Children)
	}
	// 2026-08-15 noon in Jul 1–Sep 30: expected ≈ 0.49; 0.30 would be behind, but its check-in
	// said on track, which holds until the next one (docs/progress.md); 0.50 is on track, and
	// the objective at 0.40 behind: parents take no status from their children.
	if tree.KeyResults[0].Status != "on_track" || tree.KeyResults[1].Status != "on_track" || tree.Status != "behind" {
		t.Errorf("statuses = %s, %s, objective %s; want on_track (as checked in), on_track, behind", tree.KeyResults[0].Status, tree.KeyResults[1].Status, tree.Status)
	}
}

func TestOrgBySlugOrID(t *testing.T) {
	t.Parallel()
	b := setup(t)
	bySlug := b.must(t, 200, "viewer", "GET", "/api/v1/orgs/fabrikam", nil).id(t)
	byID := b.must(t, 200, "viewer", "GET", fmt.Sprintf("/api/v1/orgs/%d", b.org.ID), nil).id(t)
	if bySlug != b.org.ID || byID != b.org.ID {
		t.Fatalf("org ids %d, %d; want %d", bySlug, byID, b.org.ID)
	}
	var orgs struct {
		Items []struct{ Slug string } `json:"items"`
	}
	b.must(t, 200, "viewer", "GET", "/api/v1/orgs", nil).json(t, &orgs)
	if len(orgs.Items) != 1 || orgs.Items[0].Slug != "fabrikam" {
		t.Fatalf("viewer sees orgs %+v, want only fabrikam", orgs.Items)
	}
}

func TestCRUDEveryResource(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.okrs(t)
	org := "/api/v1/orgs/fabrikam"
	team := b.must(t, 201, "admin", "POST", org+"/teams", map[string]any{"name": "Checkout", "member_ids": []int64{b.users["owner"].ID}}).id(t)
	cases := []struct {
		name   string
		path   string
		id     int64
		patch  map[string]any
		field  string
		want   any
		delete bool
	}{
		{"periods", org + "/periods", ids.period, map[string]any{"name": "Q3"}, "name", "Q3", false},
		{"teams", org + "/teams", team, map[string]any{"name": "Payments"}, "name", "Payments", true},
		{"members", org + "/members", b.users["member"].ID, map[string]any{"role": "viewer"}, "role", "viewer", true},
		{"objectives", org + "/objectives", ids.objective, map[string]any{"title": "Delight buyers", "aspirational": true}, "title", "Delight buyers", false},
		{"key-results", org + "/key-results", ids.keyResult, map[string]any{"title": "Conversion", "metric": map[string]any{"target": 50}}, "title", "Conversion", false},
		{"initiatives", org + "/initiatives", ids.initiative, map[string]any{"title": "Checkout v2", "contributes": false}, "title", "Checkout v2", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var l struct {
				Count int `json:"count"`
			}
			b.must(t, 200, "admin", "GET", c.path, nil).json(t, &l)
			if l.Count < 1 {
				t.Fatalf("list is empty")
			}
			one := fmt.Sprintf("%s/%d", c.path, c.id)
			b.must(t, 200, "admin", "GET", one, nil)
			var got map[string]any
			b.must(t, 200, "admin", "PATCH", one, c.patch).json(t, &got)
			if got[c.field] != c.want {
				t.Fatalf("after PATCH %s = %v, want %v", c.field, got[c.field], c.want)
			}
			b.must(t, 200, "admin", "GET", one, nil).json(t, &got)
			if got[c.field] != c.want {
				t.Fatalf("after GET %s = %v, want %v", c.field, got[c.field], c.want)
			}
			if c.delete {
				b.must(t, 204, "admin", "DELETE", one, nil)
				b.must(t, 404, "admin", "GET", one, nil)
			}
		})
	}
	t.Run("DeleteObjectiveCascades", func(t *testing.T) {
		b.must(t, 204, "admin", "DELETE", fmt.Sprintf("%s/objectives/%d", org, ids.objective), nil)
		b.must(t, 404, "admin", "GET", fmt.Sprintf("%s/key-results/%d", org, ids.keyResult), nil)
		b.must(t, 204, "admin", "DELETE", fmt.Sprintf("%s/periods/%d", org, ids.period), nil)
	})
}

func TestClosePeriodScoresAndFreezes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.okrs(t)
	org := "/api/v1/orgs/fabrikam"
	// Over-achieved: 120 of 100 shows as 1.2 but scores 1.
	b.must(t, 201, "owner", "POST", fmt.Sprintf("%s/key-results/%d/check-ins", org, ids.keyResult), map[string]any{"value": 120})
	var kr struct {
		Progress float64 `json:"progress"`
	}
	b.must(t, 200, "owner", "GET", fmt.Sprintf("%s/key-results/%d", org, ids.keyResult), nil).json(t, &kr)
	if math.Abs(kr.Progress-1.2) > 1e-9 {
		t.Fatalf("over-achieved progress = %v, want 1.2", kr.Progress)
	}
	// An unfinished key result at 30 of 100, whose owner chooses its score ahead of the close.
	unfinished := b.must(t, 201, "owner", "POST", org+"/key-results", map[string]any{"objective_id": ids.objective, "title": "Repeat buyers",
		"metric": map[string]any{"kind": "number", "start": 0, "target": 100}}).id(t)
	b.must(t, 201, "owner", "POST", fmt.Sprintf("%s/key-results/%d/check-ins", org, unfinished), map[string]any{"value": 30})
	var chosen struct {
		Score         *float64 `json:"score"`
		ClosingStatus string   `json:"closing_status"`
	}
	b.must(t, 200, "owner", "PATCH", fmt.Sprintf("%s/key-results/%d", org, unfinished), map[string]any{"score": 0.4}).json(t, &chosen)
	if chosen.Score == nil || *chosen.Score != 0.4 || chosen.ClosingStatus != "" {
		t.Fatalf("chosen score %v status %q, want 0.4 and none yet", chosen.Score, chosen.ClosingStatus)
	}
	next := b.must(t, 201, "admin", "POST", org+"/periods", map[string]any{"name": "Q4 2026", "start": "2026-10-01", "end": "2026-12-31"}).id(t)

	b.must(t, 403, "owner", "POST", fmt.Sprintf("%s/periods/%d/close", org, ids.period), nil)
	b.must(t, 422, "admin", "POST", fmt.Sprintf("%s/periods/%d/close", org, ids.period), map[string]any{"carry_forward_to": ids.period})
	var closed struct {
		Period struct {
			ClosedAt    *time.Time `json:"closed_at"`
			ClosingNote string     `json:"closing_note"`
		} `json:"period"`
		Scores []struct {
			Type          string  `json:"type"`
			ID            int64   `json:"id"`
			Score         float64 `json:"score"`
			ClosingStatus string  `json:"closing_status"`
		} `json:"scores"`
		Carried []struct {
			KeyResultID     int64 `json:"key_result_id"`
			CopyID          int64 `json:"copy_id"`
			ObjectiveID     int64 `json:"objective_id"`
			CopyObjectiveID int64 `json:"copy_objective_id"`
			DataSourceMoved bool  `json:"data_source_moved"`
		} `json:"carried"`
	}
	b.must(t, 200, "admin", "POST", fmt.Sprintf("%s/periods/%d/close", org, ids.period), map[string]any{
		"scores":           []map[string]any{{"type": "objective", "id": ids.objective, "score": 0.7, "closing_status": "partially_achieved"}},
		"closing_note":     "Checkout shipped; repeat buyers move on.",
		"carry_forward_to": next,
	}).json(t, &closed)
	if closed.Period.ClosedAt == nil || closed.Period.ClosingNote != "Checkout shipped; repeat buyers move on." {
		t.Fatalf("period = %+v", closed.Period)
	}
	type result struct {
		score  float64
		status string
	}
	got := map[string]result{}
	for _, s := range closed.Scores {
		got[fmt.Sprint(s.Type, s.ID)] = result{s.Score, s.ClosingStatus}
	}
	want := map[string]result{fmt.Sprint("key_result", ids.keyResult): {1, "achieved"}, fmt.Sprint("key_result", unfinished): {0.4, "partially_achieved"},
		fmt.Sprint("objective", ids.objective): {0.7, "partially_achieved"}}
	if !maps.Equal(got, want) {
		t.Fatalf("scores = %v, want %v (capped, chosen ahead, overridden)", got, want)
	}
	if len(closed.Carried) != 1 || closed.Carried[0].KeyResultID != unfinished || closed.Carried[0].ObjectiveID != ids.objective || closed.Carried[0].DataSourceMoved {
		t.Fatalf("carried = %+v, want only key result %d", closed.Carried, unfinished)
	}
	var cp struct {
		ObjectiveID   int64  `json:"objective_id"`
		CarriedFromID *int64 `json:"carried_from_id"`
		Metric        struct {
			Start, Current, Target float64
		} `json:"metric"`
	}
	b.must(t, 200, "viewer", "GET", fmt.Sprintf("%s/key-results/%d", org, closed.Carried[0].CopyID), nil).json(t, &cp)
	if cp.ObjectiveID != closed.Carried[0].CopyObjectiveID || cp.CarriedFromID == nil || *cp.CarriedFromID != unfinished ||
		cp.Metric.Start != 30 || cp.Metric.Current != 30 || cp.Metric.Target != 100 {
		t.Fatalf("copy = %+v", cp)
	}
	var orig struct {
		CarriedToID *int64 `json:"carried_to_id"`
	}
	b.must(t, 200, "viewer", "GET", fmt.Sprintf("%s/key-results/%d", org, unfinished), nil).json(t, &orig)
	if orig.CarriedToID == nil || *orig.CarriedToID != closed.Carried[0].CopyID {
		t.Fatalf("original carried to %v, want %d", orig.CarriedToID, closed.Carried[0].CopyID)
	}

	// Frozen for members: no check-ins, no edits, no new items, no scores.
	p := b.must(t, 409, "owner", "POST", fmt.Sprintf("%s/key-results/%d/check-ins", org, ids.keyResult), map[string]any{"value": 10}).problem(t)
	if !strings.Contains(p.Detail, "closed") || !strings.Contains(p.Detail, "admin") {
		t.Errorf("detail %q does not say the period is closed and who may still change it", p.Detail)
	}
	b.must(t, 409, "owner", "PATCH", fmt.Sprintf("%s/objectives/%d", org, ids.objective), map[string]any{"title": "x"})
	b.must(t, 409, "owner", "PATCH", fmt.Sprintf("%s/objectives/%d", org, ids.objective), map[string]any{"score": 0.9})
	b.must(t, 409, "owner", "POST", org+"/objectives", map[string]any{"period_id": ids.period, "title": "late", "owner_ids": []int64{b.users["owner"].ID}})
	// Admins still may: a new score brings the status it suggests.
	var o struct {
		Title         string  `json:"title"`
		Score         float64 `json:"score"`
		ClosingStatus string  `json:"closing_status"`
	}
	b.must(t, 200, "admin", "PATCH", fmt.Sprintf("%s/objectives/%d", org, ids.objective), map[string]any{"score": 0.9, "title": "Delighted shoppers"}).json(t, &o)
	if o.Score != 0.9 || o.ClosingStatus != "achieved" || o.Title != "Delighted shoppers" {
		t.Fatalf("objective after the admin's change = %+v, want 0.9 achieved", o)
	}
	b.must(t, 409, "admin", "POST", fmt.Sprintf("%s/periods/%d/close", org, ids.period), nil)

	// Reopening: admins only, and only a closed period.
	b.must(t, 403, "owner", "POST", fmt.Sprintf("%s/periods/%d/reopen", org, ids.period), nil)
	var reopened struct {
		ClosedAt    *time.Time `json:"closed_at"`
		ClosingNote string     `json:"closing_note"`
	}
	b.must(t, 200, "admin", "POST", fmt.Sprintf("%s/periods/%d/reopen", org, ids.period), nil).json(t, &reopened)
	if reopened.ClosedAt != nil || reopened.ClosingNote != "Checkout shipped; repeat buyers move on." {
		t.Fatalf("reopened period = %+v", reopened)
	}
	b.must(t, 409, "admin", "POST", fmt.Sprintf("%s/periods/%d/reopen", org, ids.period), nil)
	b.must(t, 200, "owner", "GET", fmt.Sprintf("%s/objectives/%d", org, ids.objective), nil).json(t, &o)
	if o.Score != 0.9 || o.ClosingStatus != "achieved" {
		t.Fatalf("objective after reopening = %+v, want its score kept", o)
	}
	b.must(t, 201, "owner", "POST", fmt.Sprintf("%s/key-results/%d/check-ins", org, ids.keyResult), map[string]any{"value": 90})
}

func TestCheckInsListNewestFirst(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.okrs(t)
	path := fmt.Sprintf("/api/v1/orgs/fabrikam/key-results/%d/check-ins", ids.keyResult)
	for i, v := range []float64{10, 20, 35} {
		b.now = b.now.Add(time.Duration(i+1) * time.Hour)
		b.must(t, 201, "owner", "POST", path, map[string]any{"value": v, "note": fmt.Sprint("n", i)})
	}
	var l struct {
		Items []struct {
			Value    float64 `json:"value"`
			Source   string  `json:"source"`
			AuthorID int64   `json:"author_id"`
		} `json:"items"`
	}
	b.must(t, 200, "viewer", "GET", path, nil).json(t, &l)
	if len(l.Items) != 3 || l.Items[0].Value != 35 || l.Items[2].Value != 10 {
		t.Fatalf("check-ins = %+v, want 35, 20, 10", l.Items)
	}
	if l.Items[0].Source != "manual" || l.Items[0].AuthorID != b.users["owner"].ID {
		t.Fatalf("check-in source/author = %s/%d", l.Items[0].Source, l.Items[0].AuthorID)
	}
}

func TestUnknownRouteIsProblem(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.must(t, 404, "admin", "GET", "/api/v1/nope", nil)
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q", ct)
	}
	r = b.must(t, 401, "", "GET", "/api/v1/orgs", nil)
	if p := r.problem(t); p.Code != "unauthorized" {
		t.Fatalf("code %q", p.Code)
	}
	req, _ := http.NewRequest("GET", b.srv.URL+"/api/v1/orgs", nil)
	req.Header.Set("Authorization", "Bearer cairn_pat_forged")
	res, err := b.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Fatalf("forged token: status %d", res.StatusCode)
	}
}

// TestCreateDefaultsTheOwnerToTheCaller creates an objective, a key result and an initiative
// without owner_ids and checks that the caller owns each, that named owners still win, and
// that a tenant admin outside the organization must name them.
func TestCreateDefaultsTheOwnerToTheCaller(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.okrs(t)
	org := "/api/v1/orgs/fabrikam"
	member := b.users["member"].ID
	owners := func(r response) []int64 {
		var v struct {
			OwnerIDs []int64 `json:"owner_ids"`
		}
		r.json(t, &v)
		return v.OwnerIDs
	}
	obj := b.must(t, 201, "member", "POST", org+"/objectives", map[string]any{"period_id": ids.period, "title": "Mine"})
	if got := owners(obj); len(got) != 1 || got[0] != member {
		t.Fatalf("objective owners %v, want [%d]", got, member)
	}
	kr := b.must(t, 201, "member", "POST", org+"/key-results", map[string]any{"objective_id": obj.id(t), "title": "Ship", "metric": map[string]any{"kind": "number", "start": 0, "target": 10}})
	if got := owners(kr); len(got) != 1 || got[0] != member {
		t.Fatalf("key result owners %v, want [%d]", got, member)
	}
	ini := b.must(t, 201, "member", "POST", org+"/initiatives", map[string]any{"parent": map[string]any{"type": "key_result", "id": kr.id(t)}, "title": "Do it"})
	if got := owners(ini); len(got) != 1 || got[0] != member {
		t.Fatalf("initiative owners %v, want [%d]", got, member)
	}
	// The owner may then check in, which only owners and editors may.
	b.must(t, 201, "member", "POST", fmt.Sprintf("%s/key-results/%d/check-ins", org, kr.id(t)), map[string]any{"value": 4})

	t.Run("NamedOwnersWin", func(t *testing.T) {
		r := b.must(t, 201, "member", "POST", org+"/objectives", map[string]any{"period_id": ids.period, "title": "Theirs", "owner_ids": []int64{b.users["owner"].ID}})
		if got := owners(r); len(got) != 1 || got[0] != b.users["owner"].ID {
			t.Fatalf("owners %v, want the named owner", got)
		}
	})
	t.Run("ErrTenantAdminOutsideTheOrgMustNameOwners", func(t *testing.T) {
		b.must(t, 204, "tenant", "DELETE", fmt.Sprintf("%s/members/%d", org, b.users["tenant"].ID), nil)
		p := b.must(t, 422, "tenant", "POST", org+"/objectives", map[string]any{"period_id": ids.period, "title": "Nobody's"}).problem(t)
		if p.Field != "owner_ids" || !strings.Contains(p.Detail, "not a member") {
			t.Fatalf("problem %+v", p)
		}
	})
	t.Run("ErrViewerStillForbidden", func(t *testing.T) {
		b.must(t, 403, "viewer", "POST", org+"/objectives", map[string]any{"period_id": ids.period, "title": "Nope"})
	})
}
