package datasource_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/datasource"
)

// lyingFront serves the bundle's emulator with every work item's url and _links changed
// to addresses that no link in Cairn may lead to: a javascript: URL in the REST url of
// every item, and an html link to another site on every other item. It returns the
// front's base URL, which the allow-list lets credentials reach.
func (b *testBundle) lyingFront(tb testing.TB) string {
	tb.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		b.emu.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.UseNumber()
			var v any
			if dec.Decode(&v) == nil {
				lie(v)
				if out, err := json.Marshal(v); err == nil {
					body = out
				}
			}
		}
		for k, vs := range rec.Header() {
			if k != "Content-Length" {
				w.Header()[k] = vs
			}
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	}))
	tb.Cleanup(ts.Close)
	hosts, err := b.svc.AllowedHosts(b.actx)
	must(tb, err)
	_, err = b.svc.SetAllowedHosts(b.actx, append(hosts, strings.TrimPrefix(ts.URL, "http://")))
	must(tb, err)
	return ts.URL
}

// lie rewrites the url and _links of every work item (an object with id and fields) in a
// decoded JSON answer.
func lie(v any) {
	switch x := v.(type) {
	case map[string]any:
		if n, ok := x["id"].(json.Number); ok && x["fields"] != nil {
			id, _ := n.Int64()
			x["url"] = "javascript:alert(1)//x/_apis/wit/workItems/" + n.String()
			if id%2 == 0 {
				x["_links"] = map[string]any{"html": map[string]any{"href": "https://evil.example/_workitems/edit/" + n.String()}}
			} else {
				delete(x, "_links")
			}
		}
		for _, c := range x {
			lie(c)
		}
	case []any:
		for _, c := range x {
			lie(c)
		}
	}
}

// TestWorkItemLinksComeFromTheConnection feeds Cairn work items whose url and _links point
// to javascript: and to another site, and checks that every link Cairn keeps or shows is
// the connection's organization URL with the project and the numeric id.
func TestWorkItemLinksComeFromTheConnection(t *testing.T) {
	t.Parallel()
	b := setup(t, bundleOptions{})
	front := b.lyingFront(t)
	conn := b.connectVia(t, front)
	check := func(t *testing.T, what string, id int, link string) {
		t.Helper()
		want := front + "/" + emuOrg + "/" + conn.ProjectID + "/_workitems/edit/" + strconv.Itoa(id)
		if conn.ProjectID == "" {
			want = front + "/" + emuOrg + "/Fabrikam%20Fiber/_workitems/edit/" + strconv.Itoa(id)
		}
		if link != want {
			t.Errorf("%s of work item %d links to %q, want %q", what, id, link, want)
		}
	}
	in := datasource.DataSourceInput{ConnectionID: conn.ID, Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{1}, ProgressType: "User Story"}

	t.Run("Preview", func(t *testing.T) {
		i := b.initiative(t, nil)
		in := in
		in.Target = cairn.Target{Type: cairn.TargetInitiativeTasks, ID: i.ID}
		p, err := b.ds.Preview(b.actx, b.org.Slug, in)
		must(t, err)
		if len(p.Items) == 0 || len(p.Tasks) == 0 {
			t.Fatalf("the preview has %d items and %d tasks", len(p.Items), len(p.Tasks))
		}
		for _, it := range p.Items {
			check(t, "preview item", it.ID, it.URL)
		}
		for _, tk := range p.Tasks {
			check(t, "preview task", tk.WorkItemID, tk.URL)
		}
	})

	t.Run("SyncedTasks", func(t *testing.T) {
		i := b.initiative(t, nil)
		in := in
		in.Target = cairn.Target{Type: cairn.TargetInitiativeTasks, ID: i.ID}
		d, err := b.ds.CreateDataSource(b.actx, b.org.Slug, in)
		must(t, err)
		if d.Error != nil {
			t.Fatalf("first sync failed: %+v", d.Error)
		}
		ts, err := b.ds.Tasks(b.actx, b.org.Slug, i.ID)
		must(t, err)
		if len(ts) == 0 {
			t.Fatal("the sync left no tasks")
		}
		for _, tk := range ts {
			check(t, "task", tk.WorkItemID, tk.URL)
		}
	})

	t.Run("Search", func(t *testing.T) {
		ws, err := b.ds.SearchWorkItems(b.actx, b.org.Slug, conn.ID, "User Story", "")
		must(t, err)
		if len(ws) < 2 {
			t.Fatalf("the search found %d user stories", len(ws))
		}
		for _, w := range ws {
			check(t, "search result", w.ID, w.URL)
		}
	})
}
