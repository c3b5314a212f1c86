package ui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn"
)

// TestConnectionsPageShowsRateLimit checks the rate-limit line of a connection on the
// admin page and in the API: unknown before the first sync, and after a sync that stayed
// far from the limit, a budget Azure DevOps never had to report.
func TestConnectionsPageShowsRateLimit(t *testing.T) {
	t.Parallel()
	b := setupAzdoQueued(t)
	ctx := cairn.NewContext(context.Background(), b.users["admin"])
	admin := b.signIn(t, "admin")
	k := &cairn.KeyResult{ObjectiveID: b.objective, Title: "Epics done", Metric: cairn.Metric{Kind: cairn.MetricNumber, Start: 0, Target: 100}}
	if err := b.svc.CreateKeyResult(ctx, "fabrikam", k); err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("/o/fabrikam/key-results/%d/data-source", k.ID)
	connID := createConnection(t, b, admin, base)
	cid, _ := strconv.ParseInt(connID, 10, 64)
	line := func() string {
		t.Helper()
		res := admin.get(t, "/o/fabrikam/admin/connections")
		if res.status != http.StatusOK {
			t.Fatalf("connections page: %d", res.status)
		}
		return html.UnescapeString(testidText(res.body, "rate-limit"))
	}
	if got := line(); !strings.Contains(got, "known after the first sync") {
		t.Fatalf("before any sync the rate-limit line says %q", got)
	}
	state := url.Values{"connection_id": {connID}, "method": {"work_items"}, "work_item_type": {"Epic"}, "work_item_ids": {"1"}, "progress_type": {"User Story"}, "step": {"save"}}
	if res := admin.hx(t, http.MethodPost, base, state); res.status != http.StatusOK {
		t.Fatalf("save: %d %.1000s", res.status, res.body)
	}
	if _, err := b.syncer.Sync(context.Background(), cid, cairn.TriggerCreate); err != nil {
		t.Fatal(err)
	}
	if got := line(); !strings.Contains(got, "not near the limit") {
		t.Errorf("after a light sync the rate-limit line says %q", got)
	}
	res := admin.get(t, "/api/v1/orgs/fabrikam/connections/"+connID)
	var v struct {
		RateLimit *struct {
			Reported bool    `json:"reported"`
			SyncedAt *string `json:"synced_at"`
		} `json:"rate_limit"`
	}
	if err := json.Unmarshal([]byte(res.body), &v); err != nil || v.RateLimit == nil || v.RateLimit.Reported || v.RateLimit.SyncedAt == nil {
		t.Errorf("API connection rate_limit = %+v (%v): %.500s", v.RateLimit, err, res.body)
	}
}
