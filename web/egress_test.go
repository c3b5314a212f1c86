package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn/azdoemu"
)

// TestAllowedHostsGuardConnections connects to an Azure DevOps host that is not on the
// allow-list, which is refused before the credential leaves; a tenant admin lists it, and
// then it works; once it is taken off the list, its next sync is refused too and the last
// good value stays.
func TestAllowedHostsGuardConnections(t *testing.T) {
	t.Parallel()
	ib := setupIntegration(t)
	ids := ib.okrs(t)
	ib.enable(t)
	server, err := azdoemu.New(azdoemu.Options{Scenario: azdoemu.DemoScenario(), PATs: []string{secretPAT}})
	if err != nil {
		t.Fatal(err)
	}
	serverURL, err := server.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close() })
	host := strings.TrimPrefix(serverURL, "http://")
	input := map[string]any{"name": "server", "organization_url": serverURL + "/fabrikam", "project": "Fabrikam Fiber",
		"auth": map[string]any{"type": "pat", "token": secretPAT}}

	for _, u := range []string{serverURL + "/fabrikam", "http://169.254.169.254/latest", "http://10.0.0.8/tfs", "https://dev.azure.com.evil.example/fabrikam", "ftp://dev.azure.com/fabrikam"} {
		in := map[string]any{"name": "x", "organization_url": u, "project": "Fabrikam Fiber", "auth": map[string]any{"type": "pat", "token": secretPAT}}
		p := ib.call(t, 422, "owner", "POST", "/api/v1/orgs/fabrikam/connections", in).problem(t)
		if p.Field != "organization_url" {
			t.Errorf("%s: problem %+v, want one at organization_url", u, p)
		}
	}
	if n := server.Stats().Total; n != 0 {
		t.Fatalf("the unlisted server got %d calls", n)
	}

	t.Run("ErrOnlyTenantAdminsList", func(t *testing.T) {
		ib.call(t, 403, "admin", "PUT", "/api/v1/tenant/integrations/azure-devops", map[string]any{"allowed_hosts": []string{host}})
	})
	t.Run("ErrBadEntry", func(t *testing.T) {
		for _, bad := range []string{"http://tfs.example.com", "169.254.169.254", "*.example.com", "tfs.example.com/tfs", "host:99999"} {
			p := ib.call(t, 422, "tenant", "PUT", "/api/v1/tenant/integrations/azure-devops", map[string]any{"allowed_hosts": []string{"tfs.example.com", bad}}).problem(t)
			if p.Field != "allowed_hosts[1]" {
				t.Errorf("%q: problem %+v", bad, p)
			}
		}
		var ti struct {
			AllowedHosts []string `json:"allowed_hosts"`
		}
		ib.call(t, 200, "tenant", "GET", "/api/v1/tenant/integrations/azure-devops", nil).json(t, &ti)
		if len(ti.AllowedHosts) != 0 {
			t.Fatalf("a refused list was saved: %v", ti.AllowedHosts)
		}
	})

	var ti struct {
		Enabled       bool     `json:"enabled"`
		AllowedHosts  []string `json:"allowed_hosts"`
		OperatorHosts []string `json:"operator_hosts"`
	}
	ib.call(t, 200, "tenant", "PUT", "/api/v1/tenant/integrations/azure-devops", map[string]any{"allowed_hosts": []string{" " + strings.ToUpper(host) + " "}}).json(t, &ti)
	if !ti.Enabled || len(ti.AllowedHosts) != 1 || ti.AllowedHosts[0] != host {
		t.Fatalf("tenant integration after listing: %+v", ti)
	}
	conn := ib.call(t, 201, "owner", "POST", "/api/v1/orgs/fabrikam/connections", input).id(t)
	d := ib.call(t, 201, "owner", "POST", "/api/v1/orgs/fabrikam/data-sources", map[string]any{
		"target": map[string]any{"type": "key_result", "id": ids.keyResult}, "connection_id": conn, "method": "work_items",
		"work_item_type": "Epic", "work_item_ids": []int{1}, "progress_type": "User Story"}).id(t)
	var before struct {
		Value *float64 `json:"value"`
	}
	ib.call(t, 200, "owner", "POST", fmt.Sprintf("/api/v1/orgs/fabrikam/data-sources/%d/sync?wait=true", d), nil).json(t, &before)
	if before.Value == nil {
		t.Fatal("no value from the listed server")
	}
	calls := server.Stats().Total

	ib.call(t, 200, "tenant", "PUT", "/api/v1/tenant/integrations/azure-devops", map[string]any{"allowed_hosts": []string{}})
	var after struct {
		Value *float64 `json:"value"`
		Error *struct {
			Kind     string `json:"kind"`
			Message  string `json:"message"`
			Guidance string `json:"guidance"`
		} `json:"error"`
	}
	ib.call(t, 200, "owner", "POST", fmt.Sprintf("/api/v1/orgs/fabrikam/data-sources/%d/sync?wait=true", d), nil).json(t, &after)
	if after.Error == nil || after.Error.Kind != "host_not_allowed" || !strings.Contains(after.Error.Guidance, "admin page") {
		t.Fatalf("sync after delisting: %+v", after.Error)
	}
	if after.Value == nil || *after.Value != *before.Value {
		t.Fatalf("value %v after a refused sync, want the last good %v", after.Value, *before.Value)
	}
	if n := server.Stats().Total; n != calls {
		t.Fatalf("the delisted server got %d more calls", n-calls)
	}
}
