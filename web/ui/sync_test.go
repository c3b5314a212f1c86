package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn"
)

var pollRE = regexp.MustCompile(`hx-get="([^"]*/sync-status\?[^"]*)" hx-trigger="every 1s"`)

// pollURL returns the status URL a pending data source card polls, or "" when it does not poll.
func pollURL(body string) string {
	m := pollRE.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return strings.ReplaceAll(m[1], "&amp;", "&")
}

func TestSyncNowQueuesAndPollsUntilDone(t *testing.T) {
	t.Parallel()
	b := setupAzdoQueued(t)
	ctx := cairn.NewContext(context.Background(), b.users["admin"])
	admin := b.signIn(t, "admin")
	k := &cairn.KeyResult{ObjectiveID: b.objective, Title: "Stories closed", Metric: cairn.Metric{Kind: cairn.MetricNumber, Start: 0, Target: 100}}
	if err := b.svc.CreateKeyResult(ctx, "fabrikam", k); err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("/o/fabrikam/key-results/%d/data-source", k.ID)
	connID := createConnection(t, b, admin, base)
	cid, _ := strconv.ParseInt(connID, 10, 64)

	// Save answers at once: the first sync is queued, and the card polls for it.
	state := url.Values{"connection_id": {connID}, "method": {"work_items"}, "work_item_type": {"Epic"}, "work_item_ids": {"1"}, "progress_type": {"User Story"}, "step": {"save"}}
	res := admin.hx(t, http.MethodPost, base, state)
	if res.status != http.StatusOK || !strings.Contains(res.body, `data-testid="source-card"`) {
		t.Fatalf("save: %d %.1500s", res.status, res.body)
	}
	if b.queue.count() == 0 {
		t.Fatal("saving queued no sync")
	}
	poll := pollURL(res.body)
	if poll == "" || !strings.Contains(res.body, "Queued…") {
		t.Fatalf("after Save the card neither says Queued nor polls: %.2000s", res.body)
	}
	if got := testidText(res.body, "item-value"); !strings.HasPrefix(got, "0 / 100") {
		t.Fatalf("before the first sync the value is %q, want the start value", got)
	}
	res = admin.hx(t, http.MethodGet, poll, nil)
	if res.status != http.StatusOK || pollURL(res.body) == "" || !strings.Contains(res.body, "Syncing with Azure DevOps") || strings.Contains(res.body, "source-card") {
		t.Fatalf("a pending poll should answer its status line and keep polling: %d %.1000s", res.status, res.body)
	}
	if _, err := b.syncer.Sync(context.Background(), cid, cairn.TriggerCreate); err != nil {
		t.Fatal(err)
	}
	res = admin.hx(t, http.MethodGet, poll, nil)
	if res.header.Get("HX-Retarget") != "#source-card" || res.header.Get("HX-Trigger") != "okrs-changed" || pollURL(res.body) != "" {
		t.Fatalf("a finished sync should replace the card, refresh the tree and stop polling: %v %.1500s", res.header, res.body)
	}
	kv, err := b.svc.KeyResult(ctx, "fabrikam", k.ID)
	if err != nil {
		t.Fatal(err)
	}
	if kv.Metric.Current == 0 {
		t.Fatal("the demo data closes no user story under epic 1; the test needs a value that moves")
	}
	for _, want := range []string{`id="item-headline" hx-swap-oob="true"`, `id="item-chart" hx-swap-oob="true"`, `id="item-checkins" hx-swap-oob="true"`, `id="item-meta" hx-swap-oob="true"`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the finished poll lacks %s", want)
		}
	}
	if got, want := testidText(res.body, "item-value"), num(kv.Metric.Current)+" / 100"; got != want {
		t.Fatalf("the finished poll shows %q, want %q", got, want)
	}

	// Sync now queues too; the status stays pending until the queued sync runs.
	queued := b.queue.count()
	res = admin.hx(t, http.MethodPost, base+"/sync", nil)
	if res.status != http.StatusAccepted || b.queue.count() != queued+1 {
		t.Fatalf("Sync now: %d with %d queued syncs, want 202 and one more", res.status, b.queue.count())
	}
	poll = pollURL(res.body)
	if poll == "" || !strings.Contains(res.body, `data-testid="sync-now" data-refocus disabled`) {
		t.Fatalf("Sync now should answer the card polling with the button disabled: %.2000s", res.body)
	}
	if res := admin.hx(t, http.MethodGet, poll, nil); pollURL(res.body) == "" {
		t.Fatal("the status stopped polling before the sync ran")
	}
	if _, err := b.syncer.Sync(context.Background(), cid, cairn.TriggerManual); err != nil {
		t.Fatal(err)
	}
	res = admin.hx(t, http.MethodGet, poll, nil)
	if res.header.Get("HX-Retarget") != "#source-card" || !regexp.MustCompile(`Synced \d+ work items`).MatchString(res.body) {
		t.Fatalf("after the queued sync ran the poll should report it: %.1500s", res.body)
	}

	// Without scripts, Sync now goes back to the item page, which shows the same progress.
	res = admin.post(t, base+"/sync", url.Values{})
	if res.status != http.StatusSeeOther || !strings.Contains(res.header.Get("Location"), "sync_after=") {
		t.Fatalf("plain Sync now: %d to %q", res.status, res.header.Get("Location"))
	}
	page := admin.get(t, res.header.Get("Location"))
	if !strings.Contains(page.body, `data-testid="sync-status"`) || !strings.Contains(page.body, `class="nojs"`) {
		t.Fatalf("the item page after a plain Sync now shows no progress: %.2000s", page.body)
	}
	if res := admin.get(t, base+"/sync-status"); res.status != http.StatusUnprocessableEntity {
		t.Fatalf("a status request without its ticket: %d, want 422", res.status)
	}
}

func TestWizardOnItsOwnPageSavesToTheItemPage(t *testing.T) {
	t.Parallel()
	b := setupAzdoQueued(t)
	admin := b.signIn(t, "admin")
	base := fmt.Sprintf("/o/fabrikam/initiatives/%d/data-source", b.initiative)
	page := admin.get(t, base+"?step=connection")
	if !strings.Contains(page.body, `id="wizard-page"`) || !strings.Contains(page.body, `hx-target="#wizard-page"`) || strings.Contains(page.body, `hx-target="#drawer"`) {
		t.Fatalf("the wizard on its own page must target itself, not a drawer it lacks: %.2000s", page.body)
	}
	connID := createConnection(t, b, admin, base)
	qid, err := b.emu.QueryID("fabrikam", "Fabrikam Fiber", "Shared Queries/Features with stories")
	if err != nil {
		t.Fatal(err)
	}
	res := admin.hxTo(t, http.MethodPost, base, "wizard-page", url.Values{"connection_id": {connID}, "method": {"shared_query"}, "query_id": {qid}, "progress_type": {"User Story"}, "step": {"save"}})
	to := res.header.Get("HX-Redirect")
	if !strings.HasPrefix(to, fmt.Sprintf("/o/fabrikam/okrs/initiatives/%d?", b.initiative)) || !strings.Contains(to, "sync_after=0") {
		t.Fatalf("saving from the wizard's own page: %d to %q", res.status, to)
	}
	item := admin.get(t, to)
	if pollURL(item.body) == "" || !strings.Contains(item.body, "Syncing with Azure DevOps") {
		t.Fatalf("the item page should poll for the queued first sync: %.2000s", item.body)
	}
}

func TestSyncNowRefusedShowsWhyInTheDrawer(t *testing.T) {
	t.Parallel()
	b := setupAzdoQueued(t)
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
	off := false
	if _, err := b.svc.SetOrgIntegration(cairn.NewContext(context.Background(), b.users["admin"]), "fabrikam", cairn.OrgIntegrationUpdate{Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	queued := b.queue.count()
	res := admin.hx(t, http.MethodPost, base+"/sync", nil)
	if res.header.Get("HX-Retarget") != "#drawer" || !strings.Contains(res.body, "organization admin") || pollURL(res.body) != "" || b.queue.count() != queued {
		t.Fatalf("Sync now with the integration off should say who must act, in the drawer, without polling: %v %.1500s", res.header, res.body)
	}
}
