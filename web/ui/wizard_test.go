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

// stepOf reads the wizard step a page shows.
var stepRE = regexp.MustCompile(`data-step="([a-z-]+)"`)

func stepOf(tb testing.TB, res response) string {
	tb.Helper()
	m := stepRE.FindStringSubmatch(res.body)
	if m == nil {
		tb.Fatalf("not a wizard page (%d): %.1500s", res.status, res.body)
	}
	return m[1]
}

func testidText(body, id string) string {
	i := strings.Index(body, `data-testid="`+id+`">`)
	if i < 0 {
		return ""
	}
	s := body[i+len(`data-testid="`+id+`">`):]
	return s[:strings.Index(s, "<")]
}

// createConnection walks the wizard's new-connection step and returns the connection id.
func createConnection(t *testing.T, b *testBundle, br *browser, base string) string {
	t.Helper()
	res := br.post(t, base, url.Values{"step": {"connection"}})
	if got := stepOf(t, res); got != "new-connection" {
		t.Fatalf("without connections the wizard shows %s, want new-connection", got)
	}
	conn := url.Values{"new_name": {"fabrikam / Fabrikam Fiber"}, "organization_url": {b.emuURL + "/fabrikam"}, "pat": {"wrong-token"}, "step": {"load-projects"}}
	res = br.post(t, base, conn)
	if res.status != http.StatusUnprocessableEntity || stepOf(t, res) != "new-connection" {
		t.Fatalf("a wrong token: %d at %s, want 422 on the same step", res.status, stepOf(t, res))
	}
	// The token never worked: the message at the token field says what may be wrong and which
	// scopes a token needs, once, and does not speak of reconnecting.
	errPAT := regexp.MustCompile(`(?s)id="err-auth-token"[^>]*>(.*?)</`).FindStringSubmatch(res.body)
	if errPAT == nil {
		t.Fatalf("a wrong token has no message at the token field: %.3000s", res.body)
	}
	msg := html.UnescapeString(errPAT[1])
	for _, want := range []string{"did not accept this personal access token", "Work Items (Read), Project and Team (Read), and Service Hooks (Read & write)"} {
		if strings.Count(msg, want) != 1 {
			t.Fatalf("the token message %q should say %q once", msg, want)
		}
	}
	if strings.Contains(msg, "no longer") || strings.Contains(msg, "reconnect") || strings.Count(res.body, "did not accept") != 1 {
		t.Fatalf("the token message repeats itself or speaks of reconnecting: %q", msg)
	}
	conn.Set("pat", emulatorPAT)
	res = br.post(t, base, conn)
	if !strings.Contains(res.body, `<option value="Fabrikam Fiber"`) {
		t.Fatalf("the project list lacks Fabrikam Fiber: %.2000s", res.body)
	}
	conn.Set("project", "Fabrikam Fiber")
	conn.Set("step", "create-connection")
	res = br.post(t, base, conn)
	if got := stepOf(t, res); got != "method" {
		t.Fatalf("after creating the connection the wizard shows %s: %.1500s", got, res.body)
	}
	m := regexp.MustCompile(`name="connection_id" value="(\d+)"`).FindStringSubmatch(res.body)
	if m == nil {
		t.Fatal("the method step does not carry the new connection")
	}
	if strings.Contains(res.body, emulatorPAT) {
		t.Fatal("the page after creating the connection holds the token")
	}
	return m[1]
}

func TestWizardKeyResultByWorkItemsWithStoryPoints(t *testing.T) {
	t.Parallel()
	b := setupAzdo(t)
	ctx := cairn.NewContext(context.Background(), b.users["admin"])
	k := &cairn.KeyResult{ObjectiveID: b.objective, Title: "Story points shipped", Metric: cairn.Metric{Kind: cairn.MetricNumber, Start: 0, Target: 40, Unit: "points"}}
	if err := b.svc.CreateKeyResult(ctx, "fabrikam", k); err != nil {
		t.Fatal(err)
	}
	admin := b.signIn(t, "admin")
	base := fmt.Sprintf("/o/fabrikam/key-results/%d/data-source", k.ID)
	if got := stepOf(t, admin.get(t, base)); got != "source" {
		t.Fatalf("the wizard opens at %s", got)
	}
	connID := createConnection(t, b, admin, base)

	res := admin.post(t, base, url.Values{"connection_id": {connID}, "method": {"work_items"}, "step": {"method-next"}})
	if stepOf(t, res) != "items" || !strings.Contains(res.body, `<option value="Epic"`) {
		t.Fatalf("work items step lacks the types: %.1500s", res.body)
	}
	res = admin.get(t, base+"/items?connection_id="+connID+"&work_item_type=Epic&search=checkout")
	if !strings.Contains(res.body, "#1 Online checkout") {
		t.Fatalf("searching epics for checkout: %.1000s", res.body)
	}
	res = admin.post(t, base, url.Values{"connection_id": {connID}, "method": {"work_items"}, "work_item_type": {"Epic"}, "step": {"progress"}})
	if stepOf(t, res) != "items" || !strings.Contains(res.body, "select at least one") {
		t.Fatalf("no items chosen: the wizard should stay on items and say so")
	}
	state := url.Values{"connection_id": {connID}, "method": {"work_items"}, "work_item_type": {"Epic"}, "work_item_ids": {"1"}, "step": {"progress"}}
	res = admin.post(t, base, state)
	if stepOf(t, res) != "progress" || !strings.Contains(res.body, `value="User Story"`) || !strings.Contains(res.body, `value="Epic"`) {
		t.Fatalf("progress step lacks the connected and descendant types: %.2000s", res.body)
	}
	state.Set("progress_type", "User Story")
	state.Set("measure", "Microsoft.VSTS.Scheduling.StoryPoints")
	state.Set("step", "preview")
	res = admin.post(t, base, state)
	if stepOf(t, res) != "preview" {
		t.Fatalf("preview: %.1500s", res.body)
	}

	// What the emulator's data says: the story points of the Closed user stories under
	// epic 1, and how many user stories there are.
	snaps, err := b.emu.WorkItems("fabrikam", "Fabrikam Fiber")
	if err != nil {
		t.Fatal(err)
	}
	parent := map[int]int{}
	for _, s := range snaps {
		parent[s.ID] = s.Parent
	}
	under := func(id int) bool {
		for p := parent[id]; p != 0; p = parent[p] {
			if p == 1 {
				return true
			}
		}
		return false
	}
	var points float64
	stories, closed := 0, 0
	for _, s := range snaps {
		if s.Deleted || s.Type != "User Story" || !under(s.ID) || s.State == "Removed" {
			continue
		}
		stories++
		if s.State == "Closed" {
			closed++
			switch v := s.Fields["Microsoft.VSTS.Scheduling.StoryPoints"].(type) {
			case float64:
				points += v
			case int:
				points += float64(v)
			}
		}
	}
	if stories == 0 || points == 0 {
		t.Fatalf("the demo data has %d stories and %g closed points under epic 1", stories, points)
	}
	if got, want := testidText(res.body, "preview-value"), strconv.FormatFloat(points, 'f', -1, 64); got != want {
		t.Fatalf("preview value %q, want %s story points", got, want)
	}
	if got, want := testidText(res.body, "preview-complete"), fmt.Sprintf("%d / %d", closed, stories); got != want {
		t.Fatalf("preview complete %q, want %s", got, want)
	}

	state.Set("step", "save")
	res = admin.post(t, base, state)
	if res.status != http.StatusSeeOther {
		t.Fatalf("save: %d %.1500s", res.status, res.body)
	}
	kv, err := b.svc.KeyResult(ctx, "fabrikam", k.ID)
	if err != nil {
		t.Fatal(err)
	}
	if kv.Metric.Current != points || kv.Source != "azure-devops" {
		t.Fatalf("saved key result: value %g from %s, want %g from azure-devops", kv.Metric.Current, kv.Source, points)
	}
	page := admin.get(t, res.header.Get("Location"))
	for _, want := range []string{`data-testid="source-card"`, "Story points", "Work items", "Sync now", `class="azdo"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the item page lacks %q after saving", want)
		}
	}

	// A change in Azure DevOps moves the key result after "Sync now".
	var open *int
	for _, s := range snaps {
		if s.Type == "User Story" && under(s.ID) && s.State == "Active" && s.Fields["Microsoft.VSTS.Scheduling.StoryPoints"] != nil {
			id := s.ID
			open = &id
			break
		}
	}
	if open == nil {
		t.Fatal("no active story with points under epic 1")
	}
	snap, _ := b.emu.WorkItem("fabrikam", *open)
	if err := b.emu.UpdateWorkItem("fabrikam", "Fabrikam Fiber", *open, map[string]any{"System.State": "Closed"}); err != nil {
		t.Fatal(err)
	}
	res = admin.post(t, base+"/sync", url.Values{})
	if res.status != http.StatusSeeOther {
		t.Fatalf("sync now: %d", res.status)
	}
	kv, _ = b.svc.KeyResult(ctx, "fabrikam", k.ID)
	var add float64
	switch v := snap.Fields["Microsoft.VSTS.Scheduling.StoryPoints"].(type) {
	case float64:
		add = v
	case int:
		add = float64(v)
	}
	if kv.Metric.Current != points+add {
		t.Fatalf("after closing story %d and Sync now the value is %g, want %g", *open, kv.Metric.Current, points+add)
	}
}

func TestWizardInitiativeTasksBySharedQuery(t *testing.T) {
	t.Parallel()
	b := setupAzdo(t)
	admin := b.signIn(t, "admin")
	base := fmt.Sprintf("/o/fabrikam/initiatives/%d/data-source", b.initiative)
	connID := createConnection(t, b, admin, base)
	res := admin.post(t, base, url.Values{"connection_id": {connID}, "method": {"shared_query"}, "step": {"method-next"}})
	if stepOf(t, res) != "query" || !strings.Contains(res.body, "Features with stories") {
		t.Fatalf("query step lacks the shared queries: %.1500s", res.body)
	}
	res = admin.get(t, base+"/queries?connection_id="+connID+"&search=epic")
	m := regexp.MustCompile(`name="query_id" value="([0-9a-f-]+)"[^>]*><span><strong>Checkout epic tree`).FindStringSubmatch(res.body)
	if m == nil || strings.Contains(res.body, "Q3 Features") {
		t.Fatalf("searching queries for epic: %.1500s", res.body)
	}
	state := url.Values{"connection_id": {connID}, "method": {"shared_query"}, "query_id": {m[1]}, "step": {"progress"}}
	res = admin.post(t, base, state)
	if stepOf(t, res) != "progress" || strings.Contains(res.body, `id="measure"`) {
		t.Fatalf("initiative tasks: progress step should offer the types and no measure: %.1500s", res.body)
	}
	state.Set("progress_type", "User Story")
	state.Set("step", "preview")
	res = admin.post(t, base, state)
	value := testidText(res.body, "preview-value")
	state.Set("step", "save")
	if res := admin.post(t, base, state); res.status != http.StatusSeeOther {
		t.Fatalf("save: %d %.1500s", res.status, res.body)
	}
	tasks := admin.get(t, fmt.Sprintf("/o/fabrikam/initiatives/%d/tasks", b.initiative))
	if tasks.status != http.StatusOK || !strings.Contains(tasks.body, `target="_blank"`) || !strings.Contains(tasks.body, "/_workitems/edit/") {
		t.Fatalf("tasks view: %d %.1500s", tasks.status, tasks.body)
	}
	if strings.Count(tasks.body, `class="wit"`) < 2 || !strings.Contains(tasks.body, "Feature") || strings.Contains(tasks.body, `data-type="Task"`) {
		t.Fatalf("the tasks view should list the features and user stories, not the tasks below them")
	}
	sorted := admin.get(t, fmt.Sprintf("/o/fabrikam/initiatives/%d/tasks?sort=title&dir=desc", b.initiative))
	if !strings.Contains(sorted.body, `aria-sort="descending"`) {
		t.Fatal("sorting by title is not marked on its column")
	}
	in, err := b.svc.Initiative(cairn.NewContext(context.Background(), b.users["admin"]), "fabrikam", b.initiative)
	if err != nil {
		t.Fatal(err)
	}
	if got := strconv.FormatFloat(float64(int64(in.Current*10+0.5))/10, 'f', -1, 64) + " %"; got != value {
		t.Fatalf("saved initiative at %s, the preview said %s", got, value)
	}
}

// num mirrors the page's number format for the comparison above.
func num(v float64) string { return strconv.FormatFloat(float64(int64(v*100+0.5))/100, 'f', -1, 64) }

func TestExpiredConnectionShowsReconnect(t *testing.T) {
	t.Parallel()
	b := setupAzdo(t)
	admin := b.signIn(t, "admin")
	base := fmt.Sprintf("/o/fabrikam/initiatives/%d/data-source", b.initiative)
	connID := createConnection(t, b, admin, base)
	qid, err := b.emu.QueryID("fabrikam", "Fabrikam Fiber", "Shared Queries/Features with stories")
	if err != nil {
		t.Fatal(err)
	}
	state := url.Values{"connection_id": {connID}, "method": {"shared_query"}, "query_id": {qid}, "progress_type": {"User Story"}, "step": {"save"}}
	if res := admin.post(t, base, state); res.status != http.StatusSeeOther {
		t.Fatalf("save: %d %.800s", res.status, res.body)
	}
	if err := b.emu.SetPATExpired(emulatorPAT, true); err != nil {
		t.Fatal(err)
	}
	res := admin.post(t, base+"/sync", url.Values{})
	page := admin.get(t, res.header.Get("Location"))
	if !strings.Contains(page.body, `data-testid="source-error"`) || !strings.Contains(page.body, `data-testid="reconnect"`) {
		t.Fatalf("an expired token shows no error with Reconnect: %.3000s", page.body)
	}
	conns := admin.get(t, "/o/fabrikam/admin/connections")
	if !strings.Contains(conns.body, "fabrikam / Fabrikam Fiber") || !strings.Contains(conns.body, "One-page checkout") {
		t.Fatalf("the connections page should name the connection and the item it serves: %.2000s", conns.body)
	}
	if err := b.emu.SetPATExpired(emulatorPAT, false); err != nil {
		t.Fatal(err)
	}
	res = admin.post(t, "/o/fabrikam/admin/connections/"+connID, url.Values{"pat": {"not-a-valid-token"}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `id="err-pat"`) {
		t.Fatalf("reconnecting with a bad token: %d, want 422 with the message at the field", res.status)
	}
	res = admin.post(t, "/o/fabrikam/admin/connections/"+connID, url.Values{"pat": {emulatorPAT}})
	if res.status != http.StatusOK || !strings.Contains(res.body, "Reconnected") {
		t.Fatalf("reconnecting: %d %.500s", res.status, res.body)
	}
	res = admin.post(t, base+"/sync", url.Values{})
	if page := admin.get(t, res.header.Get("Location")); strings.Contains(page.body, `data-testid="source-error"`) {
		t.Fatal("the error stays after reconnecting and syncing")
	}
}

func TestManualCheckInCanPauseSyncing(t *testing.T) {
	t.Parallel()
	b := setupAzdo(t)
	admin := b.signIn(t, "admin")
	base := fmt.Sprintf("/o/fabrikam/initiatives/%d/data-source", b.initiative)
	connID := createConnection(t, b, admin, base)
	qid, err := b.emu.QueryID("fabrikam", "Fabrikam Fiber", "Shared Queries/Features with stories")
	if err != nil {
		t.Fatal(err)
	}
	if res := admin.post(t, base, url.Values{"connection_id": {connID}, "method": {"shared_query"}, "query_id": {qid}, "progress_type": {"User Story"}, "step": {"save"}}); res.status != http.StatusSeeOther {
		t.Fatalf("save: %d", res.status)
	}
	page := admin.get(t, fmt.Sprintf("/o/fabrikam/okrs/initiatives/%d", b.initiative))
	if !strings.Contains(page.body, `name="pause_sync"`) {
		t.Fatal("the check-in form of an automated item offers no pause")
	}
	res := admin.post(t, fmt.Sprintf("/o/fabrikam/initiatives/%d/check-ins", b.initiative), url.Values{"value": {"12"}, "pause_sync": {"1"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("check-in with pause: %d %.500s", res.status, res.body)
	}
	ds, err := b.svc.Initiative(cairn.NewContext(context.Background(), b.users["admin"]), "fabrikam", b.initiative)
	if err != nil {
		t.Fatal(err)
	}
	if ds.Current != 12 {
		t.Fatalf("value after the check-in %g, want 12", ds.Current)
	}
	page = admin.get(t, fmt.Sprintf("/o/fabrikam/okrs/initiatives/%d", b.initiative))
	if !strings.Contains(page.body, `data-testid="paused"`) || !strings.Contains(page.body, `data-testid="resume"`) {
		t.Fatal("a paused data source does not say so or offer to resume")
	}
	if res := admin.post(t, base+"/resume", url.Values{}); res.status != http.StatusSeeOther {
		t.Fatalf("resume: %d", res.status)
	}
	if page := admin.get(t, fmt.Sprintf("/o/fabrikam/okrs/initiatives/%d", b.initiative)); strings.Contains(page.body, `data-testid="paused"`) {
		t.Fatal("the data source stays paused after Resume")
	}
}
