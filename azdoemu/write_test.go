package azdoemu_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cairn-okr/cairn/azdoemu"
)

// hookReceiver collects service-hook deliveries.
type hookReceiver struct {
	mu       sync.Mutex
	payloads []map[string]any
	auth     []string
}

func newReceiver(t *testing.T) (*hookReceiver, string) {
	t.Helper()
	h := &hookReceiver{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		var m map[string]any
		_ = json.Unmarshal(data, &m)
		user, pass, _ := r.BasicAuth()
		h.mu.Lock()
		h.payloads = append(h.payloads, m)
		h.auth = append(h.auth, user+":"+pass)
		h.mu.Unlock()
	}))
	t.Cleanup(ts.Close)
	return h, ts.URL
}

func (h *hookReceiver) byType(eventType string) []map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []map[string]any
	for _, p := range h.payloads {
		if p["eventType"] == eventType {
			out = append(out, p)
		}
	}
	return out
}

func subscribe(t *testing.T, b *testBundle, event, url string, inputs map[string]string) string {
	t.Helper()
	in := map[string]string{"projectId": "6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c"}
	for k, v := range inputs {
		in[k] = v
	}
	m := mustOK(t, call(t, http.MethodPost, b.org+"/_apis/hooks/subscriptions", map[string]any{
		"publisherId": "tfs", "eventType": event, "resourceVersion": "1.0", "consumerId": "webHooks", "consumerActionId": "httpRequest",
		"publisherInputs": in,
		"consumerInputs":  map[string]string{"url": url, "basicAuthUsername": "cairn", "basicAuthPassword": "s3cret"},
	}))
	if m["status"] != "enabled" || m["consumerInputs"].(map[string]any)["basicAuthPassword"] == "s3cret" {
		t.Fatalf("subscription = %v", m)
	}
	return m["id"].(string)
}

func TestHooksSubscriptions(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{})
	id := subscribe(t, b, "workitem.updated", "http://127.0.0.1:1/hook", nil)
	got := mustOK(t, call(t, http.MethodGet, b.org+"/_apis/hooks/subscriptions/"+id, nil))
	if got["eventType"] != "workitem.updated" || got["publisherInputs"].(map[string]any)["tfsSubscriptionId"] == nil {
		t.Fatalf("get = %v", got)
	}
	if n := len(list(t, mustOK(t, call(t, http.MethodGet, b.org+"/_apis/hooks/subscriptions", nil)))); n != 1 {
		t.Fatalf("list has %d", n)
	}
	if r := call(t, http.MethodDelete, b.org+"/_apis/hooks/subscriptions/"+id, nil); r.status != http.StatusNoContent {
		t.Fatalf("delete status %d", r.status)
	}
	wantError(t, call(t, http.MethodGet, b.org+"/_apis/hooks/subscriptions/"+id, nil), 404, "VS1022002", "")
	bad := call(t, http.MethodPost, b.org+"/_apis/hooks/subscriptions", map[string]any{"publisherId": "tfs", "eventType": "build.complete",
		"consumerId": "webHooks", "consumerActionId": "httpRequest", "consumerInputs": map[string]string{"url": "http://x"}})
	wantError(t, bad, 400, "VS1022006", "")
}

func TestWritesFireHooks(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{})
	recv, url := newReceiver(t)
	for _, e := range []string{"workitem.created", "workitem.updated", "workitem.deleted", "workitem.restored"} {
		subscribe(t, b, e, url, nil)
	}
	subscribe(t, b, "workitem.updated", url+"/bugs-only", map[string]string{"workItemType": "Bug"})

	created := mustOK(t, call(t, http.MethodPost, b.proj+"/_apis/wit/workitems/$User%20Story", []map[string]any{
		{"op": "add", "path": "/fields/System.Title", "value": "Gift cards"},
		{"op": "add", "path": "/fields/Microsoft.VSTS.Scheduling.StoryPoints", "value": 5},
		{"op": "add", "path": "/relations/-", "value": map[string]any{"rel": "System.LinkTypes.Hierarchy-Reverse", "url": b.org + "/_apis/wit/workItems/4"}},
	}))
	id := int(created["id"].(float64))
	if created["rev"].(float64) != 1 || created["fields"].(map[string]any)["System.State"] != "New" || created["fields"].(map[string]any)["System.Parent"].(float64) != 4 {
		t.Fatalf("created = %v", created)
	}
	sid := strconv.Itoa(id)
	patched := mustOK(t, call(t, http.MethodPatch, b.proj+"/_apis/wit/workitems/"+sid, []map[string]any{
		{"op": "test", "path": "/rev", "value": 1},
		{"op": "replace", "path": "/fields/System.State", "value": "Active"},
		{"op": "add", "path": "/fields/System.AssignedTo", "value": "priya.raman@fabrikam.example"},
	}))
	if patched["rev"].(float64) != 2 {
		t.Fatalf("patched rev = %v", patched["rev"])
	}
	stale := call(t, http.MethodPatch, b.proj+"/_apis/wit/workitems/"+sid, []map[string]any{{"op": "test", "path": "/rev", "value": 1}, {"op": "replace", "path": "/fields/System.Title", "value": "x"}})
	wantError(t, stale, http.StatusPreconditionFailed, "TF401289", "")
	wantError(t, call(t, http.MethodPatch, b.proj+"/_apis/wit/workitems/"+sid, []map[string]any{{"op": "replace", "path": "/fields/System.State", "value": "Bogus"}}), 400, "TF401320", "")
	wrongCT := call(t, http.MethodPatch, b.proj+"/_apis/wit/workitems/"+sid, `[]`, "Content-Type", "application/json")
	wantError(t, wrongCT, http.StatusUnsupportedMediaType, "VS403432", "")

	del := mustOK(t, call(t, http.MethodDelete, b.proj+"/_apis/wit/workitems/"+sid, nil))
	if !strings.HasSuffix(del["url"].(string), "/_apis/wit/recyclebin/"+sid) {
		t.Errorf("delete url = %v", del["url"])
	}
	wantError(t, call(t, http.MethodGet, b.proj+"/_apis/wit/workitems/"+sid, nil), 404, "TF401232", "")
	mustOK(t, call(t, http.MethodPatch, b.proj+"/_apis/wit/recyclebin/"+sid, map[string]any{"IsDeleted": false}, "Content-Type", "application/json"))
	mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/wit/workitems/"+sid, nil))
	b.srv.WaitHooks()

	if n := len(recv.byType("workitem.created")); n != 1 {
		t.Fatalf("created hooks = %d", n)
	}
	var upd map[string]any
	for _, p := range recv.byType("workitem.updated") {
		if p["resource"].(map[string]any)["workItemId"].(float64) == float64(id) {
			upd = p
		}
	}
	if upd == nil {
		t.Fatal("no workitem.updated for the story")
	}
	res := upd["resource"].(map[string]any)
	st := res["fields"].(map[string]any)["System.State"].(map[string]any)
	if st["oldValue"] != "New" || st["newValue"] != "Active" || res["rev"].(float64) != 2 {
		t.Errorf("update resource = %v", res)
	}
	rev := res["revision"].(map[string]any)
	if rev["fields"].(map[string]any)["System.AssignedTo"] != "Priya Raman <priya.raman@fabrikam.example>" {
		t.Errorf("hook identity = %v", rev["fields"].(map[string]any)["System.AssignedTo"])
	}
	for _, k := range []string{"subscriptionId", "notificationId", "id", "publisherId", "message", "detailedMessage", "resourceVersion", "resourceContainers", "createdDate"} {
		if _, ok := upd[k]; !ok {
			t.Errorf("payload lacks %s", k)
		}
	}
	if upd["resourceContainers"].(map[string]any)["project"].(map[string]any)["id"] != "6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c" {
		t.Errorf("resourceContainers = %v", upd["resourceContainers"])
	}
	dels := recv.byType("workitem.deleted")
	if len(dels) != 1 || !strings.HasSuffix(dels[0]["resource"].(map[string]any)["url"].(string), "/_apis/wit/recyclebin/"+sid) {
		t.Errorf("deleted hooks = %v", dels)
	}
	if len(recv.byType("workitem.restored")) != 1 {
		t.Errorf("restored hooks missing")
	}
	recv.mu.Lock()
	for _, a := range recv.auth {
		if a != "cairn:s3cret" {
			t.Errorf("delivery auth = %q", a)
		}
	}
	recv.mu.Unlock()
	parentUpdated := false
	for _, p := range recv.byType("workitem.updated") {
		if p["resource"].(map[string]any)["workItemId"].(float64) == 4 {
			parentUpdated = true
		}
		if p["resource"].(map[string]any)["revision"].(map[string]any)["fields"].(map[string]any)["System.WorkItemType"] == "Bug" {
			continue
		}
	}
	if !parentUpdated {
		t.Errorf("linking a child did not update the parent")
	}
	subs, err := b.srv.Subscriptions("fabrikam")
	if err != nil {
		t.Fatal(err)
	}
	if last := subs[len(subs)-1]; last.Notifications != 0 {
		t.Errorf("Bug-only subscription got %d notifications for a user story", last.Notifications)
	}
}

func TestGoAPIMutations(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{})
	id, err := b.srv.CreateWorkItem("fabrikam", "Fabrikam Fiber", "Task", map[string]any{"Title": "Write docs", "System.Parent": 4, "Remaining Work": 3})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.srv.UpdateWorkItem("fabrikam", "Fabrikam Fiber", id, map[string]any{"System.State": "Closed", "Microsoft.VSTS.Scheduling.RemainingWork": nil}); err != nil {
		t.Fatal(err)
	}
	w, err := b.srv.WorkItem("fabrikam", id)
	if err != nil {
		t.Fatal(err)
	}
	if w.Rev != 2 || w.State != "Closed" || w.Parent != 4 {
		t.Fatalf("snapshot = %+v", w)
	}
	if _, ok := w.Fields["Microsoft.VSTS.Scheduling.RemainingWork"]; ok {
		t.Errorf("cleared field still set")
	}
	if err := b.srv.UpdateWorkItem("fabrikam", "Fabrikam Fiber", id, map[string]any{"State": "Nope"}); err == nil {
		t.Errorf("invalid state accepted")
	}
	if err := b.srv.AddLink("fabrikam", id, 1, "System.LinkTypes.Hierarchy-Reverse"); err == nil {
		t.Errorf("second parent accepted")
	}
	if err := b.srv.AddLink("fabrikam", 1, 2, "System.LinkTypes.Related"); err != nil {
		t.Fatal(err)
	}
	if err := b.srv.RenameType("fabrikam", "Fabrikam Fiber", "Bug", "Defect"); err != nil {
		t.Fatal(err)
	}
	wantError(t, call(t, http.MethodGet, b.proj+"/_apis/wit/workitemtypes/Bug/states", nil), 404, "TF401326", "")
	if err := b.srv.RemoveField("fabrikam", "Custom.Value"); err != nil {
		t.Fatal(err)
	}
	wantError(t, call(t, http.MethodGet, b.org+"/_apis/wit/workitems?ids=1&fields=Custom.Value", nil), 400, "TF51535", "")
	if err := b.srv.DeleteWorkItem("fabrikam", "Fabrikam Fiber", id); err != nil {
		t.Fatal(err)
	}
	items, _ := b.srv.WorkItems("fabrikam", "Fabrikam Fiber")
	for _, it := range items {
		if it.ID == id {
			t.Errorf("deleted item still listed")
		}
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	t.Parallel()
	spec := "epics=3,features=10,stories=40,tasks=80,bugs=10"
	snap := func(seed string) []azdoemu.WorkItemSnapshot {
		b := setup(t, azdoemu.Options{Generate: spec + ",seed=" + seed})
		items, err := b.srv.WorkItems("fabrikam", "Fabrikam Fiber")
		if err != nil {
			t.Fatal(err)
		}
		return items
	}
	a, a2, c := snap("7"), snap("7"), snap("8")
	if len(a) != 143 {
		t.Fatalf("generated %d items, want 143", len(a))
	}
	if !reflect.DeepEqual(a, a2) {
		t.Errorf("same seed gave different data")
	}
	if reflect.DeepEqual(a, c) {
		t.Errorf("different seeds gave the same data")
	}
	cats := map[string]bool{}
	for _, it := range a {
		cats[it.State] = true
		if it.Type == "User Story" && it.Fields["Microsoft.VSTS.Scheduling.StoryPoints"] == nil {
			t.Errorf("story %d has no story points", it.ID)
		}
		if it.Type != "Epic" && it.Parent == 0 {
			t.Errorf("%s %d has no parent", it.Type, it.ID)
		}
	}
	for _, st := range []string{"New", "Active", "Closed"} {
		if !cats[st] {
			t.Errorf("no item in state %s", st)
		}
	}
	for _, bad := range []string{"epics=x", "stories=5", "bogus=1", "epics"} {
		if _, err := azdoemu.ParseGenerateSpec(bad); err == nil {
			t.Errorf("spec %q accepted", bad)
		}
	}
}

func TestScenarioErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, yaml, want string }{
		{"Empty", ``, "empty"},
		{"UnknownKey", "organizations:\n  - name: a\n    projectz: []\n", "projectz"},
		{"NoOrganizations", "identities: []\n", "no organizations"},
		{"BadProcess", "organizations:\n  - name: a\n    projects:\n      - {name: P, process: Waterfall}\n", `unknown process "Waterfall"`},
		{"BadType", "organizations:\n  - name: a\n    projects:\n      - name: P\n        items:\n          - {type: Story, title: T}\n", `unknown work item type "Story"`},
		{"BadState", "organizations:\n  - name: a\n    projects:\n      - name: P\n        items:\n          - {type: Task, title: T, state: Resolved}\n", `unknown state "Resolved" for Task`},
		{"BadWIQL", "organizations:\n  - name: a\n    projects:\n      - name: P\n        queries:\n          - {name: Q, wiql: SELECT}\n", `"Q"): invalid WIQL`},
		{"BadOrgName", "organizations:\n  - name: 'a b'\n", "invalid organization name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := azdoemu.ParseScenario([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
	t.Run("UnknownParentFailsNew", func(t *testing.T) {
		t.Parallel()
		sc, err := azdoemu.ParseScenario([]byte("organizations:\n  - name: a\n    projects:\n      - name: P\n        items:\n          - {type: Task, title: T, parent: ghost}\n"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := azdoemu.New(azdoemu.Options{Scenario: sc}); err == nil || !strings.Contains(err.Error(), `"ghost"`) {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("MissingFile", func(t *testing.T) {
		t.Parallel()
		if _, err := azdoemu.LoadScenario("testdata/does-not-exist.yaml"); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("JSONLoads", func(t *testing.T) {
		t.Parallel()
		sc, err := azdoemu.ParseScenario([]byte(`{"organizations":[{"name":"j","projects":[{"name":"P","items":[{"type":"Epic","title":"E"}]}]}]}`))
		if err != nil {
			t.Fatal(err)
		}
		s, err := azdoemu.New(azdoemu.Options{Scenario: sc})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		items, _ := s.WorkItems("j", "P")
		if len(items) != 1 || items[0].Title != "E" {
			t.Errorf("items = %v", items)
		}
	})
}

func TestDemoScenario(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{})
	items, err := b.srv.WorkItems("fabrikam", "Fabrikam Fiber")
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, it := range items {
		count[it.Type]++
	}
	if count["Epic"] != 3 || count["Feature"] < 8 || count["User Story"] < 25 || count["Task"] < 50 || count["Bug"] < 3 {
		t.Errorf("demo counts = %v", count)
	}
	for _, path := range []string{"Shared Queries/Q3 Features", "Shared Queries/Active user stories", "Shared Queries/Checkout epic tree",
		"Shared Queries/Features with stories", "Shared Queries/Team/Open bugs", "My Queries/Assigned to me"} {
		m := mustOK(t, call(t, http.MethodGet, b.proj+"/_apis/wit/wiql/"+queryID(t, b, path), nil))
		items, _ := m["workItems"].([]any)
		rels, _ := m["workItemRelations"].([]any)
		n := len(items) + len(rels)
		if n == 0 {
			t.Errorf("%s returned nothing", path)
		}
	}
}
