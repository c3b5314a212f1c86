package ui_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestInitiativeForAWorkItem follows "Add an initiative in Cairn" from the Azure DevOps
// extension: the new-initiative form arrives pre-filled with the work item, and saving it
// opens the data source wizard at the work-items step with the matching connection and the
// work item selected.
func TestInitiativeForAWorkItem(t *testing.T) {
	t.Parallel()
	b := setupAzdo(t)
	admin := b.signIn(t, "admin")
	connID := createConnection(t, b, admin, fmt.Sprintf("/o/fabrikam/key-results/%d/data-source", b.keyResult))

	q := url.Values{"work-item": {"7"}, "org-url": {b.emuURL + "/fabrikam/"}, "project": {"Fabrikam Fiber"}, "title": {"One-page checkout"}}
	page := admin.get(t, "/o/fabrikam/initiatives/new?"+q.Encode())
	for _, want := range []string{`name="azdo_work_item" value="7"`, `value="One-page checkout"`, `work item #7 in Fabrikam Fiber`} {
		if !strings.Contains(page.body, want) {
			t.Fatalf("the pre-filled form lacks %q: %.3000s", want, page.body)
		}
	}
	formID := regexp.MustCompile(`name="form_id" value="([^"]+)"`).FindStringSubmatch(page.body)
	if formID == nil {
		t.Fatal("no form id")
	}
	res := admin.post(t, "/o/fabrikam/initiatives", url.Values{
		"form_id": {formID[1]}, "title": {"One-page checkout"}, "parent": {fmt.Sprintf("key_result:%d", b.keyResult)},
		"progress_mode": {"tasks"}, "contributes": {"1"},
		"azdo_work_item": {"7"}, "azdo_org_url": {b.emuURL + "/fabrikam/"}, "azdo_project": {"Fabrikam Fiber"},
	})
	if res.status != http.StatusSeeOther {
		t.Fatalf("create: status %d: %.2000s", res.status, res.body)
	}
	loc, err := url.Parse(res.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(loc.Path, "/data-source") || loc.Query().Get("connection_id") != connID ||
		loc.Query().Get("work_item_ids") != "7" || loc.Query().Get("method") != "work_items" || loc.Query().Get("step") != "items" {
		t.Fatalf("after saving, went to %s; want the wizard's work-items step with connection %s and item 7", loc, connID)
	}
	wiz := admin.get(t, loc.RequestURI())
	if got := stepOf(t, wiz); got != "items" {
		t.Fatalf("the wizard shows %s, want items", got)
	}

	t.Run("WithoutAMatchingConnection", func(t *testing.T) {
		q.Set("org-url", "https://dev.azure.com/elsewhere")
		page := admin.get(t, "/o/fabrikam/initiatives/new?"+q.Encode())
		formID := regexp.MustCompile(`name="form_id" value="([^"]+)"`).FindStringSubmatch(page.body)
		res := admin.post(t, "/o/fabrikam/initiatives", url.Values{
			"form_id": {formID[1]}, "title": {"Elsewhere"}, "parent": {fmt.Sprintf("key_result:%d", b.keyResult)},
			"progress_mode": {"tasks"}, "azdo_work_item": {"7"}, "azdo_org_url": {"https://dev.azure.com/elsewhere"}, "azdo_project": {"Fabrikam Fiber"},
		})
		loc, _ := url.Parse(res.header.Get("Location"))
		if res.status != http.StatusSeeOther || loc.Query().Get("step") != "connection" || loc.Query().Get("connection_id") != "" {
			t.Fatalf("without a matching connection, went to %s (status %d); want the connection step", loc, res.status)
		}
	})
	t.Run("BadWorkItemIgnored", func(t *testing.T) {
		page := admin.get(t, "/o/fabrikam/initiatives/new?work-item=abc")
		if strings.Contains(page.body, "azdo_work_item") {
			t.Fatal("a non-numeric work item was carried into the form")
		}
	})
}
