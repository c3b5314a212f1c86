package web_test

import (
	"fmt"
	"math"
	"testing"
)

// TestWeightedParentsThroughTheAPI creates a key result that counts towards two objectives
// with weights, reads the roll-up and the tree, and checks the single parent field against
// the parents list on create and update.
func TestWeightedParentsThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.okrs(t)
	org := "/api/v1/orgs/fabrikam"
	owner := []int64{b.users["owner"].ID}
	objective := func(title string, extra map[string]any) int64 {
		body := map[string]any{"period_id": ids.period, "title": title, "owner_ids": owner}
		for k, v := range extra {
			body[k] = v
		}
		return b.must(t, 201, "owner", "POST", org+"/objectives", body).id(t)
	}
	north, south := objective("North", nil), objective("South", nil)
	own := b.must(t, 201, "owner", "POST", org+"/key-results", map[string]any{"objective_id": north, "title": "Own", "metric": map[string]any{"kind": "number", "start": 0, "target": 100}}).id(t)
	shared := b.must(t, 201, "owner", "POST", org+"/key-results", map[string]any{"objective_id": ids.objective, "title": "Shared",
		"metric":  map[string]any{"kind": "number", "start": 0, "target": 100},
		"parents": []map[string]any{{"type": "objective", "id": north, "weight": 0.7}, {"type": "objective", "id": south, "weight": 0.3}}}).id(t)
	b.must(t, 201, "owner", "POST", fmt.Sprintf("%s/key-results/%d/check-ins", org, shared), map[string]any{"value": 40})
	b.must(t, 201, "owner", "POST", fmt.Sprintf("%s/key-results/%d/check-ins", org, own), map[string]any{"value": 100})

	var o struct {
		Progress float64 `json:"progress"`
	}
	b.must(t, 200, "viewer", "GET", fmt.Sprintf("%s/objectives/%d", org, north), nil).json(t, &o)
	if want := (0.7*0.4 + 1*1.0) / 1.7; math.Abs(o.Progress-want) > 1e-9 {
		t.Errorf("North = %v, want (0.7×40 %% + 1×100 %%) / 1.7 = %v", o.Progress, want)
	}
	var tree struct {
		Aligned []struct {
			ID     int64   `json:"id"`
			Weight float64 `json:"aligned_weight"`
		} `json:"aligned_key_results"`
	}
	b.must(t, 200, "viewer", "GET", fmt.Sprintf("%s/objectives/%d/tree", org, south), nil).json(t, &tree)
	if len(tree.Aligned) != 1 || tree.Aligned[0].ID != shared || tree.Aligned[0].Weight != 0.3 {
		t.Errorf("South's tree lists %+v, want the shared key result with weight 0.3", tree.Aligned)
	}

	// An objective with two parents: parent is the first, weight its weight; a parent without
	// a weight counts 1, and 0 is kept.
	type parent struct {
		Type   string  `json:"type"`
		ID     int64   `json:"id"`
		Weight float64 `json:"weight"`
	}
	var got struct {
		Parent  *parent  `json:"parent"`
		Weight  float64  `json:"weight"`
		Parents []parent `json:"parents"`
	}
	child := objective("Child", map[string]any{"parents": []map[string]any{{"type": "objective", "id": north}, {"type": "key_result", "id": own, "weight": 0}}})
	b.must(t, 200, "viewer", "GET", fmt.Sprintf("%s/objectives/%d", org, child), nil).json(t, &got)
	if got.Parent == nil || got.Parent.ID != north || got.Weight != 1 || len(got.Parents) != 2 || got.Parents[0].Weight != 1 || got.Parents[1] != (parent{"key_result", own, 0}) {
		t.Fatalf("child = %+v", got)
	}
	// Setting parent replaces the parents with that one.
	b.must(t, 200, "owner", "PATCH", fmt.Sprintf("%s/objectives/%d", org, child), map[string]any{"parent": map[string]any{"type": "objective", "id": south}, "weight": 3}).json(t, &got)
	if len(got.Parents) != 1 || got.Parents[0] != (parent{"objective", south, 3}) || got.Parent.ID != south || got.Weight != 3 {
		t.Fatalf("after PATCH parent: %+v", got)
	}

	for name, c := range map[string]struct {
		method, path string
		body         map[string]any
		field        string
	}{
		"ParentAndParents": {"POST", org + "/objectives", map[string]any{"period_id": ids.period, "title": "x", "owner_ids": owner,
			"parent": map[string]any{"type": "objective", "id": north}, "parents": []map[string]any{{"type": "objective", "id": south}}}, "parents"},
		"Cycle":              {"PATCH", fmt.Sprintf("%s/objectives/%d", org, south), map[string]any{"parents": []map[string]any{{"type": "objective", "id": child}}}, "parents[0].id"},
		"UnknownParentField": {"PATCH", fmt.Sprintf("%s/key-results/%d", org, shared), map[string]any{"parents": []map[string]any{{"type": "objective", "id": north, "share": 1}}}, ""},
		"NegativeWeight":     {"PATCH", fmt.Sprintf("%s/key-results/%d", org, shared), map[string]any{"parents": []map[string]any{{"type": "objective", "id": north, "weight": -1}}}, "parents[0].weight"},
	} {
		t.Run(name, func(t *testing.T) {
			r := b.do(t, "owner", c.method, c.path, c.body)
			if r.Status != 422 {
				t.Fatalf("status %d: %s", r.Status, r.Body)
			}
			if p := r.problem(t); c.field != "" && p.Field != c.field {
				t.Fatalf("problem %+v, want field %s", p, c.field)
			}
		})
	}
}

// TestParentsWithoutTypesAndPercentWeights aligns key results and an objective with parents
// written as {"id": …, "weight": 70}: a parent without a type is an objective, and weights
// such as 70 and 30 are relative like any others, so the roll-up counts them 70:30, and a
// weight of 0 leaves the item aligned but not counted.
func TestParentsWithoutTypesAndPercentWeights(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.okrs(t)
	org := "/api/v1/orgs/fabrikam"
	owner := []int64{b.users["owner"].ID}
	objective := func(title string, extra map[string]any) int64 {
		body := map[string]any{"period_id": ids.period, "title": title, "owner_ids": owner}
		for k, v := range extra {
			body[k] = v
		}
		return b.must(t, 201, "owner", "POST", org+"/objectives", body).id(t)
	}
	keyResult := func(title string, parents []map[string]any, value float64) int64 {
		id := b.must(t, 201, "owner", "POST", org+"/key-results", map[string]any{"objective_id": ids.objective, "title": title,
			"metric": map[string]any{"kind": "number", "start": 0, "target": 100}, "parents": parents}).id(t)
		b.must(t, 201, "owner", "POST", fmt.Sprintf("%s/key-results/%d/check-ins", org, id), map[string]any{"value": value})
		return id
	}
	north, south := objective("North", nil), objective("South", nil)
	shared := keyResult("Shared", []map[string]any{{"id": north, "weight": 70}, {"id": south, "weight": 30}}, 40)
	keyResult("Other", []map[string]any{{"id": north, "weight": 30}}, 100)
	keyResult("Watched", []map[string]any{{"id": north, "weight": 0}}, 0)

	var k struct {
		Parents []struct {
			Type   string  `json:"type"`
			ID     int64   `json:"id"`
			Weight float64 `json:"weight"`
		} `json:"parents"`
	}
	b.must(t, 200, "viewer", "GET", fmt.Sprintf("%s/key-results/%d", org, shared), nil).json(t, &k)
	if len(k.Parents) != 2 || k.Parents[0].Type != "objective" || k.Parents[0].ID != north || k.Parents[0].Weight != 70 ||
		k.Parents[1].Type != "objective" || k.Parents[1].ID != south || k.Parents[1].Weight != 30 {
		t.Fatalf("parents = %+v, want objectives North 70 and South 30", k.Parents)
	}
	var o struct {
		Progress float64 `json:"progress"`
	}
	b.must(t, 200, "viewer", "GET", fmt.Sprintf("%s/objectives/%d", org, north), nil).json(t, &o)
	if want := (70*0.4 + 30*1.0) / 100; math.Abs(o.Progress-want) > 1e-9 {
		t.Fatalf("North = %v, want (70×40 %% + 30×100 %%) / 100 = %v, the weight-0 key result not counted", o.Progress, want)
	}
	b.must(t, 200, "viewer", "GET", fmt.Sprintf("%s/objectives/%d", org, south), nil).json(t, &o)
	if math.Abs(o.Progress-0.4) > 1e-9 {
		t.Fatalf("South = %v, want 40 %%", o.Progress)
	}

	var child struct {
		Parent *struct {
			Type string `json:"type"`
			ID   int64  `json:"id"`
		} `json:"parent"`
		Weight float64 `json:"weight"`
	}
	c := objective("Child", map[string]any{"parents": []map[string]any{{"id": north, "weight": 70}, {"id": south, "weight": 30}}})
	b.must(t, 200, "viewer", "GET", fmt.Sprintf("%s/objectives/%d", org, c), nil).json(t, &child)
	if child.Parent == nil || child.Parent.Type != "objective" || child.Parent.ID != north || child.Weight != 70 {
		t.Fatalf("child objective: parent %+v weight %v, want objective North with 70", child.Parent, child.Weight)
	}
	// A key result is still named with its type.
	b.must(t, 422, "owner", "POST", org+"/objectives", map[string]any{"period_id": ids.period, "title": "Bad", "owner_ids": owner,
		"parents": []map[string]any{{"type": "initiative", "id": ids.initiative}}})
}
