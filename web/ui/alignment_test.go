package ui_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn"
)

// TestTreeShowsAnItemUnderEachParent aligns a key result to two objectives with weights and
// an objective to both: the tree shows each under both parents with its weight there, the
// drawer lists the parents, and the key result's form removes and adds further parents.
func TestTreeShowsAnItemUnderEachParent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tctx := cairn.NewContext(context.Background(), b.users["tenant"])
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	member := []int64{b.users["member"].ID}
	north := &cairn.Objective{PeriodID: b.period, Title: "North star", OwnerIDs: member}
	must(b.svc.CreateObjective(tctx, "fabrikam", north))
	south := &cairn.Objective{PeriodID: b.period, Title: "Southern cross", OwnerIDs: member}
	must(b.svc.CreateObjective(tctx, "fabrikam", south))
	shared := &cairn.KeyResult{ObjectiveID: b.objective, Title: "Shared deals", Metric: cairn.Metric{Kind: cairn.MetricNumber, Start: 0, Target: 10}, OwnerIDs: member,
		Parents: []cairn.Alignment{{Type: cairn.ItemObjective, ID: north.ID, Weight: 0.7}, {Type: cairn.ItemObjective, ID: south.ID, Weight: 0.3}}}
	must(b.svc.CreateKeyResult(tctx, "fabrikam", shared))
	bridge := &cairn.Objective{PeriodID: b.period, Title: "Bridge", OwnerIDs: member}
	bridge.SetParents([]cairn.Alignment{{Type: cairn.ItemObjective, ID: north.ID, Weight: 1}, {Type: cairn.ItemObjective, ID: south.ID, Weight: 0}})
	must(b.svc.CreateObjective(tctx, "fabrikam", bridge))

	viewer := b.signIn(t, "viewer")
	page := viewer.get(t, fmt.Sprintf("/o/fabrikam/okrs?period=%d", b.period))
	if page.status != 200 {
		t.Fatalf("tree: %d", page.status)
	}
	row := func(typ string, id int64, under ...string) string {
		k := `id="row-` + typ + `-` + strconv.FormatInt(id, 10)
		for _, u := range under {
			k += "-in-" + u
		}
		return k + `"`
	}
	n, s := "objective-"+strconv.FormatInt(north.ID, 10), "objective-"+strconv.FormatInt(south.ID, 10)
	for _, want := range []string{
		row("key_result", shared.ID),    // under its own objective
		row("key_result", shared.ID, n), // under North
		row("key_result", shared.ID, s), // under South
		row("objective", bridge.ID),     // under North, its primary parent
		row("objective", bridge.ID, s),  // and under South
		`data-testid="align-weight">70 %<`, `data-testid="align-weight">30 %<`, `data-testid="align-weight">not counted<`,
	} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the tree lacks %s", want)
		}
	}
	seen := map[string]bool{}
	for _, m := range regexp.MustCompile(` id="(row-[^"]+)"`).FindAllStringSubmatch(page.body, -1) {
		if seen[m[1]] {
			t.Errorf("row id %s repeats", m[1])
		}
		seen[m[1]] = true
	}

	drawer := viewer.get(t, fmt.Sprintf("/o/fabrikam/okrs/key-results/%d", shared.ID))
	_, list, _ := strings.Cut(drawer.body, `data-testid="parents"`)
	list, _, _ = strings.Cut(list, "</ul>")
	for _, want := range []string{"Delight shoppers", "100 %", "North star", "70 %", "Southern cross", "30 %"} {
		if !strings.Contains(list, want) {
			t.Errorf("the drawer's parents lack %q: %s", want, list)
		}
	}

	// The form drops South (its row left empty) and adds Bridge at weight 2.
	member2 := b.signIn(t, "member")
	form := url.Values{"title": {"Shared deals"}, "owner_ids": {strconv.FormatInt(b.users["member"].ID, 10)},
		"metric_kind": {"number"}, "metric_start": {"0"}, "metric_target": {"10"}, "progress_source": {"manual"},
		"also_parent": {"objective:" + strconv.FormatInt(north.ID, 10), "", "objective:" + strconv.FormatInt(bridge.ID, 10)},
		"also_weight": {"0.7", "0.3", "2"}}
	res := member2.post(t, fmt.Sprintf("/o/fabrikam/key-results/%d", shared.ID), form)
	if res.status >= 400 {
		t.Fatalf("saving the form: %d %s", res.status, res.body)
	}
	k, err := b.svc.KeyResult(tctx, "fabrikam", shared.ID)
	must(err)
	want := []cairn.Alignment{{Type: cairn.ItemObjective, ID: north.ID, Weight: 0.7}, {Type: cairn.ItemObjective, ID: bridge.ID, Weight: 2}}
	if fmt.Sprint(k.Parents) != fmt.Sprint(want) {
		t.Fatalf("parents after the form = %+v, want %+v", k.Parents, want)
	}
	edit := member2.get(t, fmt.Sprintf("/o/fabrikam/key-results/%d/edit", shared.ID))
	if strings.Count(edit.body, `name="also_parent"`) != 3 || !strings.Contains(edit.body, `name="also_weight" inputmode="decimal" value="2"`) {
		t.Errorf("the form does not show two further parents and a blank row")
	}
}
