package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestTenantPageEditsTheAllowList lists Azure DevOps Server hosts on the tenant page, shows a
// bad entry's error without saving anything, and refuses everyone but tenant admins.
func TestTenantPageEditsTheAllowList(t *testing.T) {
	t.Parallel()
	b := setupAzdo(t)
	tenant := b.signIn(t, "tenant")
	res := tenant.post(t, "/admin/tenant", url.Values{"azdo_enabled": {"1"}, "allowed_hosts": {"TFS.example.com\r\n127.0.0.1:8090\r\n"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("save: %d %.500s", res.status, res.body)
	}
	page := tenant.get(t, "/admin/tenant")
	if !strings.Contains(page.body, "tfs.example.com\n127.0.0.1:8090</textarea>") {
		t.Fatalf("the saved list is not shown: %.3000s", page.body)
	}
	res = tenant.post(t, "/admin/tenant", url.Values{"azdo_enabled": {"1"}, "allowed_hosts": {"ok.example.com\nhttps://tfs.example.com/tfs"}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `id="err-allowed-hosts"`) || !strings.Contains(res.body, "is not a host or host:port") {
		t.Fatalf("a bad entry: %d %.3000s", res.status, res.body)
	}
	if page := tenant.get(t, "/admin/tenant"); !strings.Contains(page.body, "tfs.example.com\n127.0.0.1:8090</textarea>") {
		t.Fatal("a refused list replaced the saved one")
	}
	for _, who := range []string{"admin", "member"} {
		br := b.signIn(t, who)
		if res := br.post(t, "/admin/tenant", url.Values{"azdo_enabled": {"1"}, "allowed_hosts": {"evil.example.com"}}); res.status != http.StatusForbidden {
			t.Errorf("%s saving the tenant page: %d, want 403", who, res.status)
		}
	}
	if page := tenant.get(t, "/admin/tenant"); strings.Contains(page.body, "evil.example.com") {
		t.Fatal("a non-tenant-admin changed the allow-list")
	}
}
