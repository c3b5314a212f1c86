package azdoemu_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/cairn-okr/cairn/azdoemu"
)

// send makes one API request from any goroutine and returns its status.
func send(method, url, contentType string, body any) (int, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequest(method, url, bytes.NewReader(data))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", basic(testPAT))
	req.Header.Set("Accept", "application/json;api-version=7.1")
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

func TestConcurrentReadsAndWritesStayConsistent(t *testing.T) {
	t.Parallel()
	b := setup(t, azdoemu.Options{})
	ids := make([]int, 20)
	for i := range ids {
		ids[i] = i + 1
	}
	reads := []struct {
		name, url string
		body      any
	}{
		{"WIQL", b.proj + "/_apis/wit/wiql", map[string]string{"query": "SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project"}},
		{"Batch", b.proj + "/_apis/wit/workitemsbatch", map[string]any{"ids": ids, "fields": []string{"System.Id", "System.Title", "System.State"}}},
		{"Reporting", b.proj + "/_apis/wit/reporting/workitemrevisions", map[string]any{"fields": []string{"System.Id"}}},
	}
	const writers, rounds = 4, 5
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range writers {
		wg.Go(func() {
			for r := range rounds {
				url := fmt.Sprintf("%s/_apis/wit/workitems/%d", b.proj, w+1)
				patch := []map[string]any{{"op": "replace", "path": "/fields/System.Title", "value": fmt.Sprintf("title %d", r)}}
				if st, err := send(http.MethodPatch, url, "application/json-patch+json", patch); err != nil || st != http.StatusOK {
					errs <- fmt.Errorf("PATCH %s: status %d, %v", url, st, err)
				}
			}
		})
	}
	for _, rd := range reads {
		for range 3 {
			wg.Go(func() {
				for range rounds {
					if st, err := send(http.MethodPost, rd.url, "application/json", rd.body); err != nil || st != http.StatusOK {
						errs <- fmt.Errorf("%s: status %d, %v", rd.name, st, err)
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for w := range writers {
		s, err := b.srv.WorkItem("fabrikam", w+1)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("title %d", rounds-1); s.Title != want {
			t.Errorf("work item %d title = %q, want %q", w+1, s.Title, want)
		}
	}
}
