package web_test

import (
	"fmt"
	"testing"
)

// TestPeriodListRunsAFixedNumberOfQueries lists a period's OKRs with 5 and with 60
// objectives and checks that the number of database statements does not grow.
func TestPeriodListRunsAFixedNumberOfQueries(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.okrs(t)
	org := "/api/v1/orgs/fabrikam"
	count := func(path string) int64 {
		before := b.queries.Load()
		b.must(t, 200, "viewer", "GET", path, nil)
		return b.queries.Load() - before
	}
	grow := func(n int) {
		for i := 0; i < n; i++ {
			o := b.must(t, 201, "owner", "POST", org+"/objectives", map[string]any{"period_id": ids.period, "title": fmt.Sprint("O", i), "owner_ids": []int64{b.users["owner"].ID}}).id(t)
			k := b.must(t, 201, "owner", "POST", org+"/key-results", map[string]any{"objective_id": o, "title": "K", "metric": map[string]any{"kind": "number", "start": 0, "target": 10}}).id(t)
			b.must(t, 201, "owner", "POST", fmt.Sprintf("%s/key-results/%d/check-ins", org, k), map[string]any{"value": 3})
		}
	}
	list := fmt.Sprintf("%s/objectives?period_id=%d", org, ids.period)
	tree := fmt.Sprintf("%s/objectives/%d/tree", org, ids.objective)
	grow(4)
	small, smallTree := count(list), count(tree)
	grow(55)
	large, largeTree := count(list), count(tree)
	t.Logf("list: %d queries for 5 objectives, %d for 60; tree: %d and %d", small, large, smallTree, largeTree)
	if large != small {
		t.Fatalf("list ran %d queries for 5 objectives but %d for 60", small, large)
	}
	if largeTree != smallTree {
		t.Fatalf("tree ran %d queries for 5 objectives but %d for 60", smallTree, largeTree)
	}
	// The graph takes ten queries (sqldb.PeriodGraph), sign-in and access the rest.
	if small > 18 {
		t.Fatalf("list runs %d queries; expected a small fixed number", small)
	}
}
