package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/viva"
	"github.com/cairn-okr/cairn/vivaimport"
)

// TestExportMarksAzureDevOpsItems binds a key result to the Azure DevOps emulator, syncs
// it, and checks that the export says where its progress comes from (Data Source, Last
// Sync, check-ins by "Azure DevOps"), that the source filter and the dashboard count it,
// and that importing the export puts it on the re-bind checklist.
func TestExportMarksAzureDevOpsItems(t *testing.T) {
	t.Parallel()
	ib := setupIntegration(t)
	ids := ib.okrs(t)
	ib.enable(t)
	conn := ib.connect(t, "owner")
	qid, _ := ib.emu.QueryID("fabrikam", "Fabrikam Fiber", "Shared Queries/Q3 Features")
	ds := ib.call(t, 201, "owner", "POST", "/api/v1/orgs/fabrikam/data-sources", map[string]any{
		"target": map[string]any{"type": "key_result", "id": ids.keyResult}, "connection_id": conn, "method": "shared_query",
		"query_id": qid, "progress_type": "Feature", "measure": "count"}).id(t)
	ib.call(t, 200, "owner", "POST", fmt.Sprintf("/api/v1/orgs/fabrikam/data-sources/%d/sync?wait=true", ds), nil)
	org := "/api/v1/orgs/fabrikam"

	res := ib.call(t, 200, "viewer", "GET", org+"/export?format=csv&source=azure-devops", nil)
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(res.Body, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("the Azure DevOps export has %d rows, want the one key result:\n%s", len(recs)-1, res.Body)
	}
	col := func(name string) string { return recs[1][slices.Index(recs[0], name)] }
	if col("Title") != "Checkout conversion" || col("Data Source") != "Azure DevOps" || !strings.HasSuffix(col("Last Sync"), " UTC") {
		t.Errorf("row %q", recs[1])
	}
	if !strings.Contains(col("Checkins"), "User: Azure DevOps;") {
		t.Errorf("the sync's check-in is not Azure DevOps': %q", col("Checkins"))
	}
	var items struct {
		Items []struct {
			ID     int64  `json:"id"`
			Source string `json:"source"`
		} `json:"items"`
	}
	ib.call(t, 200, "viewer", "GET", org+"/items?source=manual", nil).json(t, &items)
	if len(items.Items) != 1 || items.Items[0].ID != ids.initiative {
		t.Errorf("manual items %+v, want only the initiative", items.Items)
	}
	var dash struct {
		Sources struct {
			AzureDevOps int `json:"azure_devops"`
			Manual      int `json:"manual"`
		} `json:"sources"`
	}
	ib.call(t, 200, "viewer", "GET", org+"/dashboard", nil).json(t, &dash)
	if dash.Sources.AzureDevOps != 1 || dash.Sources.Manual != 1 {
		t.Errorf("dashboard sources %+v, want 1 from Azure DevOps and 1 manual", dash.Sources)
	}

	full := ib.call(t, 200, "viewer", "GET", org+"/export?format=xlsx", nil)
	exp, err := viva.ReadXLSX(bytes.NewReader(full.Body), viva.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ib.call(t, 201, "tenant", "POST", "/api/v1/orgs", map[string]any{"name": "Copy", "slug": "copy"})
	copyOrg, err := ib.db.OrgBySlug(context.Background(), "copy")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := vivaimport.Import(context.Background(), ib.db, copyOrg, exp, vivaimport.Options{Now: func() time.Time { return ib.now }})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rebind != 1 || len(sum.RebindItems) != 1 || sum.RebindItems[0].Title != "Checkout conversion" {
		t.Errorf("the import's re-bind checklist: %d %+v, want the synced key result", sum.Rebind, sum.RebindItems)
	}
	ctx := cairn.NewContext(context.Background(), ib.users["tenant"])
	entries, err := ib.db.ListRebinds(ctx, copyOrg.ID, false)
	if err != nil || len(entries) != 1 {
		t.Errorf("re-bind entries %v, %v", entries, err)
	}
}
