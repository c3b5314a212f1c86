package azdoemu_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/cairn-okr/cairn/azdoemu"
)

func benchPost(b *testing.B, client *http.Client, url string, body []byte) {
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Authorization", basic(testPAT))
	req.Header.Set("Accept", "application/json;api-version=7.1")
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("status %d", resp.StatusCode)
	}
	b.SetBytes(n)
}

// BenchmarkWorkItemsBatch200 reads 200 work items with all fields per
// request over HTTP.
func BenchmarkWorkItemsBatch200(b *testing.B) {
	tb := setup(b, azdoemu.Options{Generate: "epics=5,features=20,stories=100,tasks=300,seed=1"})
	ids := make([]int, 200)
	for i := range ids {
		ids[i] = i + 1
	}
	body, _ := json.Marshal(map[string]any{"ids": ids, "$expand": "relations"})
	client := &http.Client{}
	url := tb.proj + "/_apis/wit/workitemsbatch"
	b.ResetTimer()
	b.ReportAllocs()
	for b.Loop() {
		benchPost(b, client, url, body)
	}
}

// BenchmarkWIQLTreeRecursive10k runs a recursive tree query over about
// 10,000 work items over HTTP.
func BenchmarkWIQLTreeRecursive10k(b *testing.B) {
	tb := setup(b, azdoemu.Options{Generate: "epics=20,features=200,stories=2000,tasks=8000,seed=1"})
	body, _ := json.Marshal(map[string]string{"query": `SELECT [System.Id], [System.Title], [System.State] FROM WorkItemLinks
WHERE ([Source].[System.TeamProject] = @project AND [Source].[System.WorkItemType] = 'Epic')
AND ([System.Links.LinkType] = 'System.LinkTypes.Hierarchy-Forward')
AND ([Target].[System.TeamProject] = @project) ORDER BY [System.Id] MODE (Recursive)`})
	client := &http.Client{}
	url := tb.proj + "/_apis/wit/wiql"
	benchPost(b, client, url, body)
	b.ResetTimer()
	b.ReportAllocs()
	for b.Loop() {
		benchPost(b, client, url, body)
	}
}

// BenchmarkWorkItemsBatch200Parallel reads 200 work items per request from many
// goroutines at once; reads share the emulator's lock.
func BenchmarkWorkItemsBatch200Parallel(b *testing.B) {
	tb := setup(b, azdoemu.Options{Generate: "epics=5,features=20,stories=100,tasks=300,seed=1"})
	ids := make([]int, 200)
	for i := range ids {
		ids[i] = i + 1
	}
	body, _ := json.Marshal(map[string]any{"ids": ids, "$expand": "relations"})
	url := tb.proj + "/_apis/wit/workitemsbatch"
	b.ResetTimer()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		client := &http.Client{}
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
			req.Header.Set("Authorization", basic(testPAT))
			req.Header.Set("Accept", "application/json;api-version=7.1")
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}
