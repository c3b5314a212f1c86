package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn"
)

func TestPagesRequireSignIn(t *testing.T) {
	t.Parallel()
	b := setup(t)
	anon := &browser{b: b, client: b.signIn(t, "admin").client}
	anon.client.Jar = nil
	res := anon.get(t, "/o/fabrikam/okrs?period=1")
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/login?next=%2Fo%2Ffabrikam%2Fokrs%3Fperiod%3D1" {
		t.Fatalf("anonymous visit: %d to %q, want 303 to the sign-in page with next", res.status, res.header.Get("Location"))
	}
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	b := setup(t)
	br := b.signIn(t, "member")
	tests := []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"WrongPassword", url.Values{"email": {"member@example.com"}, "password": {"nope"}}, http.StatusUnauthorized, "the email or password is wrong"},
		{"EmptyEmail", url.Values{"email": {""}, "password": {"x"}}, http.StatusUnauthorized, `id="err-email" role="alert">email is required`},
		{"EmptyPassword", url.Values{"email": {"member@example.com"}}, http.StatusUnauthorized, `id="err-password" role="alert">password is required`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			anon := &browser{b: b, client: &http.Client{CheckRedirect: br.client.CheckRedirect}}
			res := anon.post(t, "/login", tt.form)
			if res.status != tt.status || !strings.Contains(res.body, tt.want) {
				t.Fatalf("status %d, want %d with %q: %.600s", res.status, tt.status, tt.want, res.body)
			}
		})
	}
	t.Run("NextStaysOnSite", func(t *testing.T) {
		anon := &browser{b: b, client: &http.Client{CheckRedirect: br.client.CheckRedirect}}
		res := anon.post(t, "/login", url.Values{"email": {"member@example.com"}, "password": {"correct-horse"}, "next": {"//evil.example/x"}})
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/" {
			t.Fatalf("sign-in with an off-site next: %d to %q, want 303 to /", res.status, res.header.Get("Location"))
		}
	})
}

func TestViewerSeesNoEditControlsAndCannotWrite(t *testing.T) {
	t.Parallel()
	b := setup(t)
	viewer := b.signIn(t, "viewer")
	page := viewer.get(t, fmt.Sprintf("/o/fabrikam/okrs/key-results/%d", b.keyResult))
	if page.status != http.StatusOK {
		t.Fatalf("viewer opens a key result: %d", page.status)
	}
	for _, control := range []string{"/objectives/new", "/edit\"", `id="ci-value"`, "/delete\"", "Admin</p>"} {
		if strings.Contains(page.body, control) {
			t.Errorf("the viewer's page holds the control %s", control)
		}
	}
	before := b.counts(t)
	writes := []struct {
		path string
		form url.Values
	}{
		{"/o/fabrikam/objectives", url.Values{"title": {"Forged"}, "period_id": {id(b.period)}, "owner_ids": {id(b.users["viewer"].ID)}}},
		{fmt.Sprintf("/o/fabrikam/key-results/%d/check-ins", b.keyResult), url.Values{"value": {"4"}}},
		{fmt.Sprintf("/o/fabrikam/objectives/%d/delete", b.objective), url.Values{}},
		{"/o/fabrikam/admin/periods", url.Values{"name": {"Q9"}, "start": {"2027-01-01"}, "end": {"2027-03-31"}}},
		{"/o/fabrikam/admin/members", url.Values{"email": {"new@example.com"}, "role": {"admin"}}},
	}
	for _, w := range writes {
		res := viewer.post(t, w.path, w.form)
		if res.status != http.StatusForbidden || !strings.Contains(res.body, "Not allowed") {
			t.Errorf("viewer POST %s: %d, want 403 with a page that says why: %.300s", w.path, res.status, res.body)
		}
	}
	if after := b.counts(t); after != before {
		t.Fatalf("viewer writes changed counts %v to %v", before, after)
	}
	t.Run("ForgedWithoutToken", func(t *testing.T) {
		admin := b.signIn(t, "admin")
		res := admin.post(t, "/o/fabrikam/objectives", url.Values{"title": {"Forged"}, "period_id": {id(b.period)}, "owner_ids": {id(b.users["admin"].ID)}, "csrf_token": {"forged"}})
		if res.status != http.StatusForbidden {
			t.Fatalf("POST with a wrong CSRF token: %d, want 403", res.status)
		}
		if after := b.counts(t); after != before {
			t.Fatalf("a forged POST saved something")
		}
	})
}

func TestOtherOrganizationIsNotFound(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.signIn(t, "admin")
	for _, path := range []string{"/o/contoso/okrs", fmt.Sprintf("/o/fabrikam/okrs/objectives/%d", b.otherObjective), fmt.Sprintf("/o/fabrikam/okrs/key-results/%d", b.otherKeyResult)} {
		res := admin.get(t, path)
		if res.status != http.StatusNotFound || strings.Contains(res.body, "Contoso's secret") {
			t.Errorf("GET %s: %d, want 404 without the other organization's data", path, res.status)
		}
	}
	res := admin.post(t, fmt.Sprintf("/o/fabrikam/key-results/%d/check-ins", b.otherKeyResult), url.Values{"value": {"5"}})
	if res.status != http.StatusNotFound {
		t.Fatalf("check-in on another organization's key result: %d, want 404", res.status)
	}
}

func TestPagesCarrySecurityHeadersAndFriendlyErrors(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.signIn(t, "admin")
	for _, path := range []string{"/login", "/o/fabrikam/okrs", "/o/fabrikam/admin", "/no/such/page"} {
		res := admin.get(t, path)
		csp := res.header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("GET %s: Content-Security-Policy %q", path, csp)
		}
		if strings.Contains(res.body, "<script>") || strings.Contains(res.body, " onclick=") || strings.Contains(res.body, " style=") {
			t.Errorf("GET %s: the page has inline script or style", path)
		}
	}
	res := admin.get(t, "/o/fabrikam/okrs/objectives/99999")
	if res.status != http.StatusNotFound || !strings.Contains(res.body, res.header.Get("X-Request-Id")) || !strings.Contains(res.body, `data-testid="request-id"`) {
		t.Fatalf("missing item: %d, want a 404 page naming the request id %s", res.status, res.header.Get("X-Request-Id"))
	}
	res = admin.get(t, "/static/app.css?v=nope")
	if res.status != http.StatusOK || res.header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("stylesheet: %d, cache %q", res.status, res.header.Get("Cache-Control"))
	}
	for _, asset := range []string{"/static/htmx.min.js", "/static/app.js"} {
		if r := admin.get(t, asset); r.status != http.StatusOK || len(r.body) < 1000 {
			t.Fatalf("%s: %d, %d bytes", asset, r.status, len(r.body))
		}
	}
}

func TestCheckInMovesTheItem(t *testing.T) {
	t.Parallel()
	b := setup(t)
	member := b.signIn(t, "member")
	res := member.post(t, fmt.Sprintf("/o/fabrikam/key-results/%d/check-ins", b.keyResult), url.Values{"value": {"3.5"}, "status": {"on_track"}, "note": {"Halfway <there>"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("check-in: %d %.300s", res.status, res.body)
	}
	page := member.get(t, res.header.Get("Location"))
	for _, want := range []string{"3.5 / 4 %", "Halfway &lt;there&gt;", `class="dot"`, "75 % of the way"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("after the check-in the drawer lacks %q", want)
		}
	}
	t.Run("Htmx", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, b.srv.URL+fmt.Sprintf("/o/fabrikam/key-results/%d/check-ins", b.keyResult), strings.NewReader(url.Values{"value": {"3.8"}, "csrf_token": {member.csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("HX-Request", "true")
		res := member.do(t, req)
		if res.status != http.StatusOK || res.header.Get("HX-Trigger") != "okrs-changed" || strings.Contains(res.body, "<html") || !strings.Contains(res.body, "3.8 / 4 %") {
			t.Fatalf("htmx check-in: %d, trigger %q, want the drawer fragment with the new value", res.status, res.header.Get("HX-Trigger"))
		}
	})
}

// seedObjectives adds n objectives, each with one key result, to fabrikam's period.
func seedObjectives(tb testing.TB, b *testBundle, n int) {
	tb.Helper()
	ctx := cairn.NewContext(context.Background(), b.users["admin"])
	for i := range n {
		o := &cairn.Objective{PeriodID: b.period, Title: fmt.Sprintf("Objective %04d", i), OwnerIDs: []int64{b.users["member"].ID}}
		if err := b.svc.CreateObjective(ctx, "fabrikam", o); err != nil {
			tb.Fatal(err)
		}
		k := &cairn.KeyResult{ObjectiveID: o.ID, Title: fmt.Sprintf("Key result %04d", i), Metric: cairn.Metric{Kind: cairn.MetricNumber, Start: 0, Target: 10}}
		if err := b.svc.CreateKeyResult(ctx, "fabrikam", k); err != nil {
			tb.Fatal(err)
		}
	}
}

func TestLargePeriodIsPaged(t *testing.T) {
	t.Parallel()
	b := setup(t)
	seedObjectives(t, b, 120)
	admin := b.signIn(t, "admin")
	page := admin.get(t, "/o/fabrikam/okrs")
	if n := strings.Count(page.body, `class="glyph g-objective"`); n != 50 {
		t.Fatalf("first page shows %d objectives, want 50", n)
	}
	if !strings.Contains(page.body, "?period="+id(b.period)+`"`) || !strings.Contains(page.body, "?period="+id(b.period)+"&amp;part=tree") {
		t.Fatal("row links and the tree refresh do not keep the period in their query")
	}
	if !strings.Contains(page.body, "Show more (50 of 121)") {
		t.Fatal("first page has no Show more button")
	}
	req, _ := http.NewRequest(http.MethodGet, b.srv.URL+"/o/fabrikam/okrs/rows?period="+id(b.period)+"&page=3", nil)
	req.Header.Set("HX-Request", "true")
	rows := admin.do(t, req)
	if n := strings.Count(rows.body, `class="glyph g-objective"`); n != 21 || strings.Contains(rows.body, "Show more") {
		t.Fatalf("third page shows %d objectives, want the last 21 and no Show more", n)
	}
	filtered := admin.get(t, "/o/fabrikam/okrs?q=objective+0042")
	if n := strings.Count(filtered.body, `class="glyph g-objective"`); n != 1 {
		t.Fatalf("search for one title shows %d objectives", n)
	}
}

// BenchmarkOKRPage2000 renders the first page of a period with 2,000 objectives, each with
// a key result.
func BenchmarkOKRPage2000(b *testing.B) {
	tb := setup(b)
	seedObjectives(b, tb, 2000)
	admin := tb.signIn(b, "admin")
	b.ResetTimer()
	for b.Loop() {
		res := admin.get(b, "/o/fabrikam/okrs")
		if res.status != http.StatusOK {
			b.Fatal(res.status)
		}
	}
}

func TestValuesAreWrittenForTheirPlace(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := cairn.NewContext(context.Background(), b.users["admin"])
	krs := map[string]*cairn.KeyResult{}
	for _, k := range []struct {
		title   string
		m       cairn.Metric
		checkIn float64
	}{
		{"Share of stories done", cairn.Metric{Kind: cairn.MetricPercentage, Start: 0, Target: 100, Unit: "%"}, 81.82},
		{"Customers onboarded", cairn.Metric{Kind: cairn.MetricNumber, Start: 0, Target: 60000}, 1100},
		{"Annual recurring revenue", cairn.Metric{Kind: cairn.MetricCurrency, Start: 0, Target: 60000, Unit: "USD"}, 1234.5},
	} {
		kr := &cairn.KeyResult{ObjectiveID: b.objective, Title: k.title, Metric: k.m, OwnerIDs: []int64{b.users["admin"].ID}}
		if err := b.svc.CreateKeyResult(ctx, "fabrikam", kr); err != nil {
			t.Fatal(err)
		}
		if err := b.svc.CheckIn(ctx, "fabrikam", &cairn.CheckIn{Item: cairn.Ref{Type: cairn.ItemKeyResult, ID: kr.ID}, Value: k.checkIn}); err != nil {
			t.Fatal(err)
		}
		krs[k.title] = kr
	}
	admin := b.signIn(t, "admin")
	tree := admin.get(t, "/o/fabrikam/okrs?period="+id(b.period))
	for _, want := range []string{
		`data-testid="row-value">81.8 %</span>`,
		`data-testid="row-value" title="1,100 / 60,000">1.1k / 60k</span>`,
		`data-testid="row-value" title="$1,234.50 / $60,000">$1.2k / $60k</span>`,
	} {
		if !strings.Contains(tree.body, want) {
			t.Errorf("the tree lacks %s", want)
		}
	}
	if strings.Contains(tree.body, "81.82") {
		t.Error("the tree shows the percentage with two decimals")
	}
	tests := []struct {
		title, value, checkIn string
	}{
		{"Share of stories done", "81.8 %", "81.8 %"},
		{"Customers onboarded", "1,100 / 60,000", "1,100"},
		{"Annual recurring revenue", "$1,234.50 / $60,000", "$1,234.50"},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.title, " ", ""), func(t *testing.T) {
			page := admin.get(t, fmt.Sprintf("/o/fabrikam/okrs/key-results/%d", krs[tt.title].ID))
			if got := testidText(page.body, "item-value"); got != tt.value {
				t.Errorf("the drawer's header says %q, want %q", got, tt.value)
			}
			if !strings.Contains(page.body, `<strong class="num">`+tt.checkIn+`</strong>`) {
				t.Errorf("the check-in list lacks %q", tt.checkIn)
			}
			if !strings.Contains(page.body, "<title>"+tt.checkIn+" · ") {
				t.Errorf("the chart's check-in dot lacks the tooltip %q", tt.checkIn)
			}
		})
	}
}
