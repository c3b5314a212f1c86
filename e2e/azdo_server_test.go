package e2e_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cairn-okr/cairn/azdoemu"
)

// TestAzureDevOpsServer connects `cairn serve` to an emulated Azure DevOps Server 2020 at
// its collection URL through the JSON API: the connection records REST API 6.0, syncs a
// key result, receives the collection's service hooks at Cairn's public URL exactly as
// from Azure DevOps Services, and shows the negotiated version on the connections page.
func TestAzureDevOpsServer(t *testing.T) {
	needBrowser(t)
	emu, err := azdoemu.New(azdoemu.Options{Scenario: azdoemu.DemoScenario(), PATs: []string{e2ePAT}, Server: "2020"})
	failOnErr(t, err)
	base, err := emu.Start("127.0.0.1:0")
	failOnErr(t, err)
	t.Cleanup(func() { emu.Close() })
	coll := emu.OrgURL()
	if coll != base+"/tfs/DefaultCollection" {
		t.Fatalf("collection URL %s", coll)
	}
	s := startServerEnv(t, "CAIRN_AZDO_ALLOWED_HOSTS="+strings.TrimPrefix(base, "http://"))
	a := signInAPI(t, s)

	var conn struct {
		ID         int64  `json:"id"`
		HookStatus string `json:"hook_status"`
		APIVersion string `json:"api_version"`
		Deployment string `json:"deployment"`
	}
	a.call(t, http.StatusCreated, "POST", "/api/v1/orgs/fabrikam/connections", map[string]any{
		"name": "Server 2020 / Fabrikam Fiber", "organization_url": coll, "project": "Fabrikam Fiber", "visibility": "shared",
		"auth": map[string]any{"type": "pat", "token": e2ePAT}}, &conn)
	if conn.HookStatus != "active" || conn.APIVersion != "6.0" || conn.Deployment != "server" {
		t.Fatalf("connection: hooks %q, api_version %q, deployment %q; want active, 6.0, server", conn.HookStatus, conn.APIVersion, conn.Deployment)
	}
	var objs struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	a.call(t, http.StatusOK, "GET", "/api/v1/orgs/fabrikam/objectives", nil, &objs)
	if len(objs.Items) == 0 {
		t.Fatal("the demo has no objectives")
	}
	var kr, ds struct {
		ID    int64    `json:"id"`
		Value *float64 `json:"value"`
		Error *struct {
			Kind string `json:"kind"`
		} `json:"error"`
	}
	a.call(t, http.StatusCreated, "POST", "/api/v1/orgs/fabrikam/key-results", map[string]any{"objective_id": objs.Items[0].ID,
		"title": "Stories closed on the Server", "metric": map[string]any{"kind": "number", "start": 0, "target": 40}}, &kr)
	a.call(t, http.StatusCreated, "POST", "/api/v1/orgs/fabrikam/data-sources", map[string]any{
		"target": map[string]any{"type": "key_result", "id": kr.ID}, "connection_id": conn.ID, "method": "work_items",
		"work_item_type": "Epic", "work_item_ids": []int{1}, "progress_type": "User Story"}, &ds)
	syncPath := fmt.Sprintf("/api/v1/orgs/fabrikam/data-sources/%d/sync?wait=true", ds.ID)
	a.call(t, http.StatusOK, "POST", syncPath, nil, &ds)
	stories := epicStories(t, emu)
	points, closed := closedPoints(stories)
	if ds.Error != nil || ds.Value == nil || (*ds.Value != points && *ds.Value != float64(closed)) {
		t.Fatalf("the sync: value %v error %+v; the Server has %d closed stories (%v points)", ds.Value, ds.Error, closed, points)
	}

	runsPath := fmt.Sprintf("/api/v1/orgs/fabrikam/data-sources/%d/runs", ds.ID)
	hasRun := func(trigger string) bool {
		var runs struct {
			Items []struct {
				Trigger string `json:"trigger"`
			} `json:"items"`
		}
		a.call(t, http.StatusOK, "GET", runsPath, nil, &runs)
		for _, r := range runs.Items {
			if r.Trigger == trigger {
				return true
			}
		}
		return false
	}
	pollFor(t, "the sync job queued by binding", func() bool { return hasRun("create") })
	story := 0
	for _, st := range stories {
		if st.State != "Closed" {
			story = st.ID
			break
		}
	}
	if story == 0 {
		t.Fatal("no open user story under epic 1")
	}
	failOnErr(t, emu.UpdateWorkItem("fabrikam", "Fabrikam Fiber", story, map[string]any{"System.State": "Closed"}))
	emu.WaitHooks()
	pollFor(t, "a sync triggered by the Server's service hook", func() bool { return hasRun("hook") })

	ctx := browser(t)
	s.signIn(t, ctx, s.email, s.password)
	sel := fmt.Sprintf(`[data-testid=api-version-%d]`, conn.ID)
	run(t, ctx, "connections page", chromedp.Navigate(s.base+"/o/fabrikam/admin/connections"), chromedp.WaitVisible(chromedp.CSS(sel)))
	if got := text(t, ctx, sel); got != "Azure DevOps Server · REST API 6.0" {
		t.Fatalf("the connections page says %q, want the Server and REST API 6.0", got)
	}
}
