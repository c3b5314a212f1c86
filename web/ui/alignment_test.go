package ui_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
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

// TestAlignmentCycleInTheForm saves forms that would close an alignment cycle, through the
// primary parent of an objective and through a further parent of an objective and of a key
// result, and checks that each is refused with the cycle spelt out next to the input that
// chose the parent, and nothing changed.
func TestAlignmentCycleInTheForm(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tctx := cairn.NewContext(context.Background(), b.users["tenant"])
	member := b.users["member"].ID
	child := &cairn.Objective{PeriodID: b.period, Title: "Faster pages", OwnerIDs: []int64{member}, Parent: &cairn.Ref{Type: cairn.ItemObjective, ID: b.objective}}
	if err := b.svc.CreateObjective(tctx, "fabrikam", child); err != nil {
		t.Fatal(err)
	}
	underKR := &cairn.Objective{PeriodID: b.period, Title: "Team checkout", OwnerIDs: []int64{member}, Parent: &cairn.Ref{Type: cairn.ItemKeyResult, ID: b.keyResult}}
	if err := b.svc.CreateObjective(tctx, "fabrikam", underKR); err != nil {
		t.Fatal(err)
	}
	c := b.signIn(t, "member")
	ref := func(typ string, id int64) string { return typ + ":" + strconv.FormatInt(id, 10) }
	objForm := url.Values{"title": {"Delight shoppers"}, "period_id": {strconv.FormatInt(b.period, 10)}, "level": {"organization"}, "owner_ids": {strconv.FormatInt(member, 10)}}
	with := func(base url.Values, extra url.Values) url.Values {
		v := url.Values{}
		for k, vs := range base {
			v[k] = vs
		}
		for k, vs := range extra {
			v[k] = vs
		}
		return v
	}
	// fieldError is the error the form shows under the input named id or name.
	fieldError := func(body, input string) string {
		m := regexp.MustCompile(`(?s)name="` + regexp.QuoteMeta(input) + `".*?<p class="field-error"[^>]*>(.*?)</p>`).FindStringSubmatch(body)
		if m == nil {
			return ""
		}
		return html.UnescapeString(m[1])
	}
	for _, tc := range []struct {
		name, path, input, want string
		form                    url.Values
	}{
		{"ObjectivePrimaryParent", fmt.Sprintf("/o/fabrikam/objectives/%d", b.objective), "parent",
			`objective ` + strconv.FormatInt(b.objective, 10) + ` "Delight shoppers" → objective ` + strconv.FormatInt(child.ID, 10) + ` "Faster pages" → objective ` + strconv.FormatInt(b.objective, 10),
			with(objForm, url.Values{"parent": {ref("objective", child.ID)}})},
		{"ObjectiveFurtherParent", fmt.Sprintf("/o/fabrikam/objectives/%d", b.objective), "also_parent", "would make a cycle",
			with(objForm, url.Values{"parent": {""}, "also_parent": {ref("objective", child.ID)}, "also_weight": {"0.5"}})},
		{"KeyResultFurtherParent", fmt.Sprintf("/o/fabrikam/key-results/%d", b.keyResult), "also_parent", `"Team checkout"`,
			url.Values{"title": {"Checkout conversion"}, "owner_ids": {strconv.FormatInt(member, 10)}, "metric_kind": {"percentage"}, "metric_start": {"2"},
				"metric_target": {"4"}, "metric_unit": {"%"}, "progress_source": {"manual"}, "also_parent": {ref("objective", underKR.ID)}, "also_weight": {"1"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := c.post(t, tc.path, tc.form)
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422: %.1500s", res.status, res.body)
			}
			msg := fieldError(res.body, tc.input)
			if !strings.Contains(msg, "would make a cycle") || !strings.Contains(msg, tc.want) {
				t.Fatalf("the error at %s = %q, want the cycle spelt out with %q", tc.input, msg, tc.want)
			}
		})
	}
	o, err := b.svc.Objective(tctx, "fabrikam", b.objective)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(err)
	k, err := b.svc.KeyResult(tctx, "fabrikam", b.keyResult)
	must(err)
	if len(o.Parents) != 0 || len(k.Parents) != 0 {
		t.Fatalf("a refused form changed the parents: objective %+v, key result %+v", o.Parents, k.Parents)
	}
}
