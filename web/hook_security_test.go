package web_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// hookTarget is where and how the emulator delivers a connection's service hooks.
type hookTarget struct{ url, user, pass string }

func hookTargetOf(t *testing.T, ib *integrationBundle) hookTarget {
	t.Helper()
	subs, err := ib.emu.Subscriptions("fabrikam")
	must(t, err)
	if len(subs) == 0 || subs[len(subs)-1].Password == "" {
		t.Fatalf("no service-hook subscription with credentials: %+v", subs)
	}
	s := subs[len(subs)-1]
	return hookTarget{url: s.URL, user: s.Username, pass: s.Password}
}

func (h hookTarget) post(t *testing.T, user, pass, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest("POST", h.url, strings.NewReader(body))
	must(t, err)
	req.Header.Set("Content-Type", "application/json")
	if user != "" || pass != "" {
		req.SetBasicAuth(user, pass)
	}
	res, err := http.DefaultClient.Do(req)
	must(t, err)
	res.Body.Close()
	return res
}

// TestServiceHookSecretsAndBodies checks that a delivery needs its subscription's own
// secret, that a body over 1 MiB is refused, and that neither queues a sync.
func TestServiceHookSecretsAndBodies(t *testing.T) {
	t.Parallel()
	ib := setupIntegration(t)
	ib.okrs(t)
	ib.enable(t)
	conn := ib.connect(t, "owner")
	h := hookTargetOf(t, ib)
	requested := func() *time.Time {
		var at *time.Time
		must(t, ib.db.SQL().QueryRow(`SELECT sync_requested_at FROM azdo_connections WHERE id = ?`, conn).Scan(&at))
		return at
	}
	payload := `{"eventType":"workitem.updated","resource":{"id":1}}`
	for _, c := range []struct {
		name, user, pass, body string
		status                 int
	}{
		{"ErrNoCredentials", "", "", payload, 401},
		{"ErrWrongSecret", h.user, h.pass + "x", payload, 401},
		{"ErrWrongUser", h.user + "x", h.pass, payload, 401},
		{"ErrSecretOfPrefix", h.user, h.pass[:len(h.pass)-1], payload, 401},
		{"ErrTooLarge", h.user, h.pass, `{"eventType":"workitem.updated","pad":"` + strings.Repeat("x", 1<<20) + `"}`, 413},
	} {
		t.Run(c.name, func(t *testing.T) {
			if res := h.post(t, c.user, c.pass, c.body); res.StatusCode != c.status {
				t.Fatalf("status %d, want %d", res.StatusCode, c.status)
			}
			if at := requested(); at != nil {
				t.Fatalf("a refused delivery requested a sync at %v", at)
			}
		})
	}
	if res := h.post(t, h.user, h.pass, payload); res.StatusCode != http.StatusAccepted {
		t.Fatalf("the right secret: %d, want 202", res.StatusCode)
	}
	if requested() == nil {
		t.Fatal("an accepted delivery requested no sync")
	}
}

// TestServiceHookReplaysAreIdempotent replays one delivery many times: Cairn reads the
// truth from Azure DevOps after each, so the key result gets one check-in for one change.
func TestServiceHookReplaysAreIdempotent(t *testing.T) {
	t.Parallel()
	ib := setupIntegration(t)
	ids := ib.okrs(t)
	ib.enable(t)
	conn := ib.connect(t, "owner")
	d := ib.call(t, 201, "owner", "POST", "/api/v1/orgs/fabrikam/data-sources", map[string]any{
		"target": map[string]any{"type": "key_result", "id": ids.keyResult}, "connection_id": conn, "method": "work_items",
		"work_item_type": "Epic", "work_item_ids": []int{1}, "progress_type": "User Story"}).id(t)
	h := hookTargetOf(t, ib)
	runs := func() int {
		var out struct {
			Items []json0 `json:"items"`
		}
		ib.call(t, 200, "owner", "GET", fmt.Sprintf("/api/v1/orgs/fabrikam/data-sources/%d/runs", d), nil).json(t, &out)
		return len(out.Items)
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("%s did not happen", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("the first sync", func() bool { return runs() > 0 })
	before := len(checkInsOf(t, ib, ids.keyResult))

	snaps, err := ib.emu.WorkItems("fabrikam", "Fabrikam Fiber")
	must(t, err)
	story := 0
	for _, s := range snaps {
		if s.Type == "User Story" && s.State != "Closed" && ancestor(snaps, s.ID, 1) {
			story = s.ID
			break
		}
	}
	if story == 0 {
		t.Fatal("no open user story under epic 1")
	}
	must(t, ib.emu.UpdateWorkItem("fabrikam", "Fabrikam Fiber", story, map[string]any{"System.State": "Closed"}))
	ib.emu.WaitHooks()
	waitFor("the change reaching the key result", func() bool { return len(checkInsOf(t, ib, ids.keyResult)) == before+1 })

	// The same delivery, twenty times over.
	delivery := fmt.Sprintf(`{"id":"replayed-event","eventType":"workitem.updated","resource":{"workItemId":%d}}`, story)
	for range 20 {
		if res := h.post(t, h.user, h.pass, delivery); res.StatusCode != http.StatusAccepted {
			t.Fatalf("replay: %d", res.StatusCode)
		}
	}
	n := runs()
	waitFor("a sync after the replays", func() bool { return runs() > n })
	time.Sleep(100 * time.Millisecond) // let a straggling debounced sync finish
	if got := len(checkInsOf(t, ib, ids.keyResult)); got != before+1 {
		t.Fatalf("%d check-ins after replaying one delivery, want %d", got, before+1)
	}
}

type json0 = map[string]any

// TestServiceHookFloodIsLimitedPerConnection sends 5,000 deliveries for one connection
// while a member reads the API: the connection's burst is accepted and the rest get 429
// with Retry-After, another connection's deliveries still pass, and every read succeeds.
// The clock is frozen, so the bucket does not refill during the flood.
func TestServiceHookFloodIsLimitedPerConnection(t *testing.T) {
	t.Parallel()
	ib := setupIntegration(t)
	ib.okrs(t)
	ib.enable(t)
	ib.connect(t, "owner")
	flooded := hookTargetOf(t, ib)
	ib.connect(t, "admin")
	other := hookTargetOf(t, ib)
	if other.url == flooded.url {
		t.Fatal("both connections deliver to one URL")
	}
	var accepted, limited, wrong atomic.Int64
	var retryAfter atomic.Value
	work := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				req, _ := http.NewRequest("POST", flooded.url, strings.NewReader(`{"eventType":"workitem.updated"}`))
				req.SetBasicAuth(flooded.user, flooded.pass)
				res, err := client.Do(req)
				if err != nil {
					wrong.Add(1)
					continue
				}
				res.Body.Close()
				switch res.StatusCode {
				case http.StatusAccepted:
					accepted.Add(1)
				case http.StatusTooManyRequests:
					limited.Add(1)
					retryAfter.Store(res.Header.Get("Retry-After"))
				default:
					wrong.Add(1)
				}
			}
		}()
	}
	// A member reads the API throughout the flood.
	done := make(chan struct{})
	var reads []time.Duration
	var readErr atomic.Value
	go func() {
		defer close(done)
		for accepted.Load()+limited.Load()+wrong.Load() < 5000 {
			start := time.Now()
			r := ib.do(t, "member", "GET", "/api/v1/orgs/fabrikam/objectives", nil)
			reads = append(reads, time.Since(start))
			if r.Status != 200 {
				readErr.Store(fmt.Sprintf("read during the flood: %d", r.Status))
				return
			}
		}
	}()
	for range 5000 {
		work <- struct{}{}
	}
	close(work)
	wg.Wait()
	<-done
	if e := readErr.Load(); e != nil {
		t.Fatal(e)
	}
	if wrong.Load() != 0 || accepted.Load() != 200 || limited.Load() != 4800 {
		t.Fatalf("accepted %d, limited %d, other %d; want 200, 4800, 0", accepted.Load(), limited.Load(), wrong.Load())
	}
	if ra, _ := retryAfter.Load().(string); ra == "" || ra == "0" {
		t.Fatalf("a 429 without a useful Retry-After: %q", ra)
	}
	if res := other.post(t, other.user, other.pass, `{"eventType":"workitem.updated"}`); res.StatusCode != http.StatusAccepted {
		t.Fatalf("another connection during the flood: %d, want 202", res.StatusCode)
	}
	sort.Slice(reads, func(i, j int) bool { return reads[i] < reads[j] })
	if len(reads) > 0 {
		t.Logf("%d API reads during the flood: p50 %v, p95 %v, max %v", len(reads), reads[len(reads)/2], reads[len(reads)*95/100], reads[len(reads)-1])
	}
}
