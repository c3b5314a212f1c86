package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// valuesObjective is the objective whose key results TestValuesFitTheScreen creates.
const valuesObjective = "Grow the self-serve business"

// valueKR is a key result to create, the value to check in and what the page must say.
type valueKR struct {
	title   string
	metric  map[string]any
	checkIn float64
	row     string // the tree row, where room is short
	full    string // the drawer's header, which spells the value out
}

var valueKRs = []valueKR{
	{"Share of signups activated", map[string]any{"kind": "percentage", "start": 0, "target": 100, "unit": "%"}, 81.82, "81.8 %", "81.8 %"},
	{"Self-serve customers", map[string]any{"kind": "number", "start": 0, "target": 60000}, 1100, "1.1k / 60k", "1,100 / 60,000"},
	{"Self-serve revenue", map[string]any{"kind": "currency", "start": 0, "target": 60000, "unit": "USD"}, 1234.5, "$1.2k / $60k", "$1,234.50 / $60,000"},
	{"Onboarding stories shipped", map[string]any{"kind": "number", "start": 0, "target": 40, "unit": "stories"}, 18, "18 / 40 stories", "18 / 40 stories"},
	{"Open onboarding support tickets", map[string]any{"kind": "number", "start": 4200, "target": 1500, "unit": "support tickets"}, 3975, "4k / 1.5k support tickets", "3,975 / 1,500 support tickets"},
}

// apiPost sends JSON to the API as the page's user, with the page's CSRF token.
func apiPost(tb testing.TB, ctx context.Context, path string, body, v any) {
	tb.Helper()
	token := eval[string](tb, ctx, `JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRF-Token"]`)
	b, err := json.Marshal(body)
	if err != nil {
		tb.Fatal(err)
	}
	res := fetch(tb, ctx, "POST", path, map[string]string{"Content-Type": "application/json", "X-CSRF-Token": token}, string(b))
	if res.Status != http.StatusCreated && res.Status != http.StatusOK {
		tb.Fatalf("POST %s: %d %s", path, res.Status, res.Body)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(res.Body), v); err != nil {
			tb.Fatalf("POST %s: %v", path, err)
		}
	}
}

// clippedValues lists every visible value or status label on the page whose text does not
// fit its box:
// the value element or a container up to the page overflows (scrollWidth > clientWidth),
// an ellipsis could hide part of it, or its text reaches outside its row or the window.
const clippedValues = `(() => {
  const bad = [];
  const say = (el, why) => bad.push((el.getAttribute("data-testid") || el.className) + " " + JSON.stringify(el.textContent.trim()) + ": " + why);
  for (const v of document.querySelectorAll(".tree .value, .tree .chip, .mini-list .value, .mini-list .chip, [data-testid=item-value], .checkins strong.num")) {
    if (!v.getClientRects().length) continue; // hidden, such as a collapsed branch
    const cs = getComputedStyle(v);
    if (cs.textOverflow === "ellipsis" && cs.overflowX !== "visible") say(v, "may end in an ellipsis");
    const box = v.closest(".row, li, .headline, .ci-body") || v.parentElement;
    for (let el = v; el && el !== document.body; el = el.parentElement) {
      const ox = getComputedStyle(el).overflowX;
      if (el.scrollWidth > el.clientWidth && (el === v || ox !== "visible")) say(v, "overflows " + (el.id || el.className || el.tagName) + " (" + el.scrollWidth + " > " + el.clientWidth + ")");
    }
    const range = document.createRange();
    range.selectNodeContents(v);
    const t = range.getBoundingClientRect(), b = box.getBoundingClientRect(), r = v.getBoundingClientRect();
    if (t.right > r.right + 0.5 || t.left < r.left - 0.5) say(v, "text " + t.left + "–" + t.right + " outside its element " + r.left + "–" + r.right);
    if (t.right > b.right + 0.5 || t.left < b.left - 0.5) say(v, "text outside its row");
    if (t.right > window.innerWidth || t.left < 0) say(v, "text outside the window");
  }
  return bad;
})()`

// rowValues maps each row title of the tree to its value text and tooltip.
const rowValues = `(() => {
  const out = {};
  for (const r of document.querySelectorAll(".tree .row")) {
    const a = r.querySelector("a.title"), v = r.querySelector(".value");
    if (a && v) out[a.textContent.replace(/^(Key result|Objective|Initiative): /, "").trim()] = {text: v.textContent, title: v.title};
  }
  return out;
})()`

type rowValue struct {
	Text  string `json:"text"`
	Title string `json:"title"`
}

// TestValuesFitTheScreen checks that metric values read as people write them, in the tree
// and the drawer, and that none is cut off on a desktop window or a phone.
func TestValuesFitTheScreen(t *testing.T) {
	needBrowser(t)
	s := startServer(t)
	ctx := browser(t)
	s.signIn(t, ctx, s.email, s.password)

	checkFits := func(t *testing.T, tab context.Context) {
		t.Helper()
		if bad := eval[[]string](t, tab, clippedValues); len(bad) > 0 {
			t.Errorf("values do not fit:\n%s", strings.Join(bad, "\n"))
		}
		if eval[bool](t, tab, `document.documentElement.scrollWidth > window.innerWidth + 1`) {
			t.Error("the page scrolls sideways")
		}
	}

	// The demo's own tree beside a drawer, as it comes: every value and status label fits.
	t.Run("DemoTreeBesideTheDrawer", func(t *testing.T) {
		run(t, ctx, "open a demo key result",
			chromedp.Navigate(s.base+"/o/fabrikam/okrs"),
			chromedp.WaitVisible(chromedp.CSS(`.tree`)),
			click(`//a[contains(@class,"title")][contains(.,"Checkout conversion")]`),
			chromedp.WaitVisible(chromedp.CSS(`#drawer [data-testid=chart] svg`)),
		)
		checkFits(t, ctx)
	})

	var me struct {
		User struct {
			ID int64 `json:"id"`
		} `json:"user"`
	}
	apiGet(t, ctx, "/api/v1/me", &me)
	var periods struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	apiGet(t, ctx, "/api/v1/orgs/fabrikam/periods", &periods)
	if len(periods.Items) == 0 || me.User.ID == 0 {
		t.Fatalf("the demo has no period (%d) or no signed-in user (%d)", len(periods.Items), me.User.ID)
	}
	var obj struct {
		ID int64 `json:"id"`
	}
	apiPost(t, ctx, "/api/v1/orgs/fabrikam/objectives", map[string]any{"period_id": periods.Items[0].ID, "title": valuesObjective, "level": "organization", "owner_ids": []int64{me.User.ID}}, &obj)
	krIDs := map[string]int64{}
	for _, k := range valueKRs {
		var kr struct {
			ID int64 `json:"id"`
		}
		apiPost(t, ctx, "/api/v1/orgs/fabrikam/key-results", map[string]any{"objective_id": obj.ID, "title": k.title, "metric": k.metric, "owner_ids": []int64{me.User.ID}}, &kr)
		apiPost(t, ctx, fmt.Sprintf("/api/v1/orgs/fabrikam/key-results/%d/check-ins", kr.ID), map[string]any{"value": k.checkIn}, nil)
		krIDs[k.title] = kr.ID
	}
	tree := s.base + "/o/fabrikam/okrs?q=" + url.QueryEscape(valuesObjective)
	drawer := fmt.Sprintf("%s/o/fabrikam/okrs/key-results/%d?q=%s", s.base, krIDs["Self-serve customers"], url.QueryEscape(valuesObjective))
	objDrawer := fmt.Sprintf("%s/o/fabrikam/okrs/objectives/%d?q=%s", s.base, obj.ID, url.QueryEscape(valuesObjective))

	checkTree := func(t *testing.T, tab context.Context) {
		t.Helper()
		rows := eval[map[string]rowValue](t, tab, rowValues)
		for _, k := range valueKRs {
			got, ok := rows[k.title]
			if !ok {
				t.Fatalf("the tree has no row %q; it has %v", k.title, rows)
			}
			if got.Text != k.row {
				t.Errorf("row %q shows %q, want %q", k.title, got.Text, k.row)
			}
			if k.row != k.full && got.Title != k.full {
				t.Errorf("row %q has the tooltip %q, want the full value %q", k.title, got.Title, k.full)
			}
		}
	}
	checkDrawer := func(t *testing.T, tab context.Context) {
		t.Helper()
		if got := text(t, tab, `[data-testid=item-value]`); got != "1,100 / 60,000" {
			t.Errorf("the drawer's header says %q, want 1,100 / 60,000", got)
		}
		if got := text(t, tab, `[data-testid=checkins] strong.num`); got != "1,100" {
			t.Errorf("the check-in list says %q, want 1,100", got)
		}
		axis := eval[[]string](t, tab, `Array.from(document.querySelectorAll("[data-testid=chart] text.axis")).map(e => e.textContent)`)
		if !strings.Contains(strings.Join(axis, "|"), "60k") {
			t.Errorf("the chart's value axis reads %q, want short values such as 60k", axis)
		}
	}

	// The objective's drawer lists its key results with their values, in less room still.
	checkChildren := func(t *testing.T, tab context.Context) {
		t.Helper()
		run(t, tab, "objective drawer", chromedp.Navigate(objDrawer), chromedp.WaitVisible(chromedp.CSS(`#drawer .mini-list`)))
		got := eval[[]string](t, tab, `Array.from(document.querySelectorAll("#drawer .mini-list .value")).map(e => e.textContent)`)
		var want []string
		for _, k := range valueKRs {
			want = append(want, k.row)
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("the objective's drawer lists %q, want %q", got, want)
		}
		checkFits(t, tab)
	}

	t.Run("Desktop1280", func(t *testing.T) {
		run(t, ctx, "tree at 1280 px", chromedp.EmulateViewport(1280, 800), chromedp.Navigate(tree), chromedp.WaitVisible(chromedp.CSS(`.tree .row`)))
		checkTree(t, ctx)
		checkFits(t, ctx)
		s.shot(t, ctx, "metric-values")

		// With the drawer open the tree has the least room: this is where values were cut.
		run(t, ctx, "drawer at 1280 px", chromedp.Navigate(drawer), chromedp.WaitVisible(chromedp.CSS(`#drawer [data-testid=chart] svg`)))
		checkTree(t, ctx)
		checkDrawer(t, ctx)
		checkFits(t, ctx)
		s.shot(t, ctx, "metric-values-drawer")
		checkChildren(t, ctx)

	})

	t.Run("Phone390", func(t *testing.T) {
		phone := incognito(t, ctx)
		run(t, phone, "phone size", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
		s.signIn(t, phone, s.email, s.password)
		run(t, phone, "tree at 390 px", chromedp.Navigate(tree), chromedp.WaitVisible(chromedp.CSS(`.tree .row`)))
		checkTree(t, phone)
		checkFits(t, phone)
		run(t, phone, "scroll to the tree", chromedp.Evaluate[chromedp.Void](`document.querySelector(".tree").scrollIntoView({block: "start"})`))
		s.shot(t, phone, "phone-metric-values")

		run(t, phone, "drawer at 390 px", chromedp.Navigate(drawer), chromedp.WaitVisible(chromedp.CSS(`#drawer [data-testid=chart] svg`)))
		checkDrawer(t, phone)
		checkFits(t, phone)
		s.shot(t, phone, "phone-metric-values-drawer")
		checkChildren(t, phone)
		run(t, phone, "scroll to the key results", chromedp.Evaluate[chromedp.Void](`document.querySelector("#drawer .mini-list").scrollIntoView({block: "center"})`))
		s.shot(t, phone, "phone-metric-values-objective")
	})
}
