package azdo_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn/azdo"
)

func decodeItem(t *testing.T, s string) azdo.WorkItem {
	t.Helper()
	var w azdo.WorkItem
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&w); err != nil {
		t.Fatal(err)
	}
	return w
}

func TestWorkItemHelpers(t *testing.T) {
	t.Parallel()
	w := decodeItem(t, `{"id":12,"rev":3,"fields":{
		"System.Title":"Checkout",
		"Num":8, "Frac":2.5, "NumStr":" 13 ", "Bad":"abc", "Flag":true,
		"Obj":{"displayName":"Jamal Hartnett","uniqueName":"jamal@fabrikam.example","id":"g1"},
		"Hook":"Christie Church <christie@fabrikam.example>",
		"Bare":"Build Service",
		"When":"2026-01-02T03:04:05.5Z","OldWhen":"2014-07-15T17:42:44"},
		"relations":[
			{"rel":"System.LinkTypes.Hierarchy-Reverse","url":"https://dev.azure.com/f/_apis/wit/workItems/4","attributes":{"name":"Parent"}},
			{"rel":"System.LinkTypes.Hierarchy-Forward","url":"https://dev.azure.com/f/_apis/wit/workItems/20"},
			{"rel":"ArtifactLink","url":"vstfs:///Git/Commit/abc"},
			{"rel":"System.LinkTypes.Hierarchy-Forward","url":"https://dev.azure.com/f/_apis/wit/workItems/21"}],
		"url":"https://dev.azure.com/f/p1/_apis/wit/workItems/12"}`)

	floats := []struct {
		field string
		want  float64
		ok    bool
	}{
		{"Num", 8, true}, {"Frac", 2.5, true}, {"NumStr", 13, true}, {"Bad", 0, false}, {"Flag", 0, false}, {"Absent", 0, false},
	}
	for _, f := range floats {
		t.Run("Float"+f.field, func(t *testing.T) {
			got, ok := w.Float(f.field)
			if got != f.want || ok != f.ok {
				t.Errorf("Float(%s) = %v, %v; want %v, %v", f.field, got, ok, f.want, f.ok)
			}
		})
	}
	strs := map[string]string{"System.Title": "Checkout", "Num": "8", "Frac": "2.5", "Flag": "true", "Obj": "Jamal Hartnett", "Absent": ""}
	for field, want := range strs {
		t.Run("String"+field, func(t *testing.T) {
			if got := w.String(field); got != want {
				t.Errorf("String(%s) = %q, want %q", field, got, want)
			}
		})
	}
	ids := []struct {
		field string
		want  azdo.Identity
		ok    bool
	}{
		{"Obj", azdo.Identity{DisplayName: "Jamal Hartnett", UniqueName: "jamal@fabrikam.example", ID: "g1"}, true},
		{"Hook", azdo.Identity{DisplayName: "Christie Church", UniqueName: "christie@fabrikam.example"}, true},
		{"Bare", azdo.Identity{DisplayName: "Build Service"}, true},
		{"Num", azdo.Identity{}, false},
		{"Absent", azdo.Identity{}, false},
	}
	for _, tt := range ids {
		t.Run("Identity"+tt.field, func(t *testing.T) {
			got, ok := w.Identity(tt.field)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Identity(%s) = %+v, %v", tt.field, got, ok)
			}
		})
	}
	t.Run("Time", func(t *testing.T) {
		if ts, ok := w.Time("When"); !ok || ts.Nanosecond() != 5e8 || ts.Hour() != 3 {
			t.Errorf("When = %v, %v", ts, ok)
		}
		if ts, ok := w.Time("OldWhen"); !ok || ts.Year() != 2014 {
			t.Errorf("zone-less time = %v, %v", ts, ok)
		}
		if _, ok := w.Time("Bad"); ok {
			t.Error("text read as a time")
		}
	})
	t.Run("ParentFromRelation", func(t *testing.T) {
		if w.ParentID() != 4 {
			t.Errorf("ParentID = %d", w.ParentID())
		}
	})
	t.Run("ChildIDs", func(t *testing.T) {
		if !slices.Equal(w.ChildIDs(), []int{20, 21}) {
			t.Errorf("ChildIDs = %v", w.ChildIDs())
		}
	})
	t.Run("DerivedWebURL", func(t *testing.T) {
		if w.WebURL() != "https://dev.azure.com/f/p1/_workitems/edit/12" {
			t.Errorf("WebURL = %q", w.WebURL())
		}
	})
	t.Run("NoParent", func(t *testing.T) {
		if got := decodeItem(t, `{"id":1,"fields":{}}`).ParentID(); got != 0 {
			t.Errorf("ParentID = %d", got)
		}
	})
	t.Run("NonWorkItemRelationHasNoTarget", func(t *testing.T) {
		if id := w.Relations[2].TargetID(); id != 0 {
			t.Errorf("TargetID = %d", id)
		}
	})
}

func TestHookEvents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		body   string
		wantID int
		rev    int
	}{
		{"Created", `{"eventType":"workitem.created","id":"e1","resource":{"id":41,"rev":1,"fields":{"System.Title":"New"},"url":"http://x/_apis/wit/workItems/41"},"createdDate":"2026-01-01T00:00:00Z"}`, 41, 1},
		{"Restored", `{"eventType":"workitem.restored","id":"e2","resource":{"id":42,"rev":4,"fields":{}},"createdDate":"2026-01-01T00:00:00"}`, 42, 4},
		{"DeletedByURLOnly", `{"eventType":"workitem.deleted","id":"e3","resource":{"rev":2,"url":"http://x/_apis/wit/recyclebin/43"}}`, 43, 2},
		{"UpdatedWithWorkItemID", `{"eventType":"workitem.updated","resource":{"id":3,"workItemId":44,"rev":3,"fields":{"System.State":{"oldValue":"New","newValue":"Active"}}}}`, 44, 3},
		{"UpdatedWithRevisionOnly", `{"eventType":"workitem.updated","resource":{"id":3,"workItemId":0,"rev":3,"revision":{"id":45,"rev":3,"fields":{}}}}`, 45, 3},
		{"UpdatedWithURLOnly", `{"eventType":"workitem.updated","resource":{"id":3,"rev":3,"url":"http://x/_apis/wit/workItems/46/updates/3"}}`, 46, 3},
		{"BOMPrefixed", "\xef\xbb\xbf" + `{"eventType":"workitem.created","resource":{"id":47,"rev":1}}`, 47, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ev, err := azdo.DecodeHookEvent(strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			wi, err := ev.WorkItemEvent()
			if err != nil {
				t.Fatal(err)
			}
			if wi.WorkItemID() != tt.wantID || wi.Rev != tt.rev || wi.EventType != ev.EventType {
				t.Errorf("WorkItemID = %d rev %d, want %d rev %d", wi.WorkItemID(), wi.Rev, tt.wantID, tt.rev)
			}
		})
	}
	bad := []struct{ name, body string }{
		{"NotJSON", "<html>"},
		{"NoEventType", `{"resource":{}}`},
		{"BadDate", `{"eventType":"workitem.created","createdDate":"yesterday"}`},
	}
	for _, tt := range bad {
		t.Run("Rejects"+tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := azdo.DecodeHookEvent(strings.NewReader(tt.body)); err == nil {
				t.Error("no error")
			}
		})
	}
	t.Run("NotAWorkItemEvent", func(t *testing.T) {
		t.Parallel()
		ev, err := azdo.DecodeHookEvent(strings.NewReader(`{"eventType":"git.push","resource":{}}`))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ev.WorkItemEvent(); err == nil {
			t.Error("git.push decoded as a work item event")
		}
	})
	t.Run("MissingResource", func(t *testing.T) {
		t.Parallel()
		ev, err := azdo.DecodeHookEvent(strings.NewReader(`{"eventType":"workitem.updated"}`))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ev.WorkItemEvent(); err == nil {
			t.Error("missing resource accepted")
		}
	})
}

func TestNewWorkItemWebhook(t *testing.T) {
	t.Parallel()
	ok := azdo.WebhookOptions{ProjectID: "p1", EventType: azdo.EventWorkItemUpdated, URL: "https://okr.example.com/hooks/ado", Username: "u", Password: "pw", AreaPath: `Fabrikam Fiber\Web`}
	s, err := azdo.NewWorkItemWebhook(ok)
	if err != nil {
		t.Fatal(err)
	}
	if s.PublisherID != "tfs" || s.ConsumerID != "webHooks" || s.ConsumerActionID != "httpRequest" || s.ResourceVersion != "1.0" ||
		s.PublisherInputs["areaPath"] != `Fabrikam Fiber\Web` || s.ConsumerInputs["basicAuthPassword"] != "pw" || s.ConsumerInputs["resourceDetailsToSend"] != "all" {
		t.Errorf("subscription = %+v", s)
	}
	bad := map[string]func(o *azdo.WebhookOptions){
		"NoProject":   func(o *azdo.WebhookOptions) { o.ProjectID = "" },
		"NotWorkItem": func(o *azdo.WebhookOptions) { o.EventType = "git.push" },
		"NoURL":       func(o *azdo.WebhookOptions) { o.URL = "" },
		"RelativeURL": func(o *azdo.WebhookOptions) { o.URL = "/hooks" },
		"FTPURL":      func(o *azdo.WebhookOptions) { o.URL = "ftp://x/y" },
	}
	for name, mod := range bad {
		t.Run("Rejects"+name, func(t *testing.T) {
			o := ok
			mod(&o)
			if _, err := azdo.NewWorkItemWebhook(o); err == nil {
				t.Error("no error")
			}
		})
	}
}
