package azdo

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

// benchItems renders a workitemsbatch body of n realistic items: about 25
// fields each, with identity objects, dates, numbers and tags.
func benchItems(n, firstID int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `{"count":%d,"value":[`, n)
	ident := `{"displayName":"Jamal Hartnett","url":"https://spsprodcus5.vssps.visualstudio.com/A1/_apis/Identities/d291b0c4-a05c-4ea6-8df1-4b41d5f39eff","_links":{"avatar":{"href":"https://dev.azure.com/fabrikam/_apis/GraphProfile/MemberAvatars/aad.YTkzODFkODYtNTYxYS03ZDdiLWJjM2QtZDUzMjllMjM5OTAz"}},"id":"d291b0c4-a05c-4ea6-8df1-4b41d5f39eff","uniqueName":"jamal.hartnett@fabrikam.example","imageUrl":"https://dev.azure.com/fabrikam/_apis/GraphProfile/MemberAvatars/aad.YTkzODFkODYtNTYxYS03ZDdiLWJjM2QtZDUzMjllMjM5OTAz","descriptor":"aad.YTkzODFkODYtNTYxYS03ZDdiLWJjM2QtZDUzMjllMjM5OTAz"}`
	for i := range n {
		id := firstID + i
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"rev":%d,"fields":{"System.Id":%d,"System.AreaPath":"Fabrikam Fiber\\Web","System.TeamProject":"Fabrikam Fiber","System.IterationPath":"Fabrikam Fiber\\Sprint 5","System.WorkItemType":"User Story","System.State":"Active","System.Reason":"Implementation started","System.AssignedTo":%s,"System.CreatedDate":"2025-10-13T12:00:00.123Z","System.CreatedBy":%s,"System.ChangedDate":"2026-03-01T08:30:00.5Z","System.ChangedBy":%s,"System.CommentCount":2,"System.Title":"See the price of a plan with taxes before ordering %d","System.Parent":%d,"Microsoft.VSTS.Scheduling.StoryPoints":5,"Microsoft.VSTS.Common.Priority":2,"Microsoft.VSTS.Common.StateChangeDate":"2026-02-20T10:00:00Z","Microsoft.VSTS.Common.ActivatedDate":"2026-02-20T10:00:00Z","Microsoft.VSTS.Common.ActivatedBy":%s,"Microsoft.VSTS.Common.ValueArea":"Business","Custom.Value":12.5,"System.Tags":"Q3; customer","System.BoardColumn":"Active","System.BoardColumnDone":false},"url":"https://dev.azure.com/fabrikam/6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c/_apis/wit/workItems/%d"}`,
			id, 3+i%5, id, ident, ident, ident, id, id/10+1, ident, id)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

func BenchmarkDecodeWorkItems(b *testing.B) {
	const n = MaxBatchIDs
	body := benchItems(n, 1000)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	loops := 0
	for b.Loop() {
		var l list[WorkItem]
		if err := unmarshal(body, &l); err != nil {
			b.Fatal(err)
		}
		if len(l.Value) != n {
			b.Fatalf("decoded %d items", len(l.Value))
		}
		loops++
	}
	runtime.ReadMemStats(&after)
	items := float64(loops * n)
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/items, "allocs/item")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/items, "B/item")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/items, "ns/item")
}

// BenchmarkWorkItemsBatch fetches 1,000 items through WorkItems from a local
// server that answers each batch with a prebuilt body, and reports the
// calls per fetch (⌈1000/200⌉ = 5) and the cost per item.
func BenchmarkWorkItemsBatch(b *testing.B) {
	const n = 1000
	bodies := map[int][]byte{}
	for first := 1; first <= n; first += MaxBatchIDs {
		bodies[first] = benchItems(MaxBatchIDs, first)
	}
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var req batchRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.IDs) == 0 {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8; api-version=7.1")
		_, _ = w.Write(bodies[req.IDs[0]])
	}))
	defer srv.Close()
	c, err := New(Config{OrgURL: srv.URL + "/fabrikam", Auth: PAT("x"), HTTPClient: srv.Client()})
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]int, n)
	for i := range ids {
		ids[i] = i + 1
	}
	ctx := context.Background()
	b.ReportAllocs()
	loops := 0
	for b.Loop() {
		items, err := c.WorkItems(ctx, "Fabrikam Fiber", ids, WorkItemsOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if len(items) != n {
			b.Fatalf("got %d items", len(items))
		}
		loops++
	}
	b.ReportMetric(float64(calls.Load())/float64(loops), "calls/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(loops*n), "ns/item")
}
