package e2e_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"strings"
	"testing"
	"time"
)

// apiSession is a signed-in session of the JSON API, as a script would hold one.
type apiSession struct {
	base string
	hc   *http.Client
	csrf string
	// bodies keeps every response body, for the secret checks.
	bodies bytes.Buffer
}

func signInAPI(tb testing.TB, s *server) *apiSession {
	tb.Helper()
	jar, _ := cookiejar.New(nil)
	a := &apiSession{base: s.base, hc: &http.Client{Jar: jar, Timeout: 60 * time.Second}}
	var me struct {
		CSRFToken string `json:"csrf_token"`
	}
	a.call(tb, http.StatusOK, "POST", "/api/v1/auth/login", map[string]string{"email": s.email, "password": s.password}, &me)
	if me.CSRFToken == "" {
		tb.Fatal("sign-in returned no CSRF token")
	}
	a.csrf = me.CSRFToken
	return a
}

// call sends a JSON request and decodes the answer into out (when not nil), failing the
// test unless the status is want.
func (a *apiSession) call(tb testing.TB, want int, method, path string, body, out any) {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.csrf != "" {
		req.Header.Set("X-CSRF-Token", a.csrf)
	}
	res, err := a.hc.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	a.bodies.Write(data)
	if res.StatusCode != want {
		tb.Fatalf("%s %s: %d, want %d: %s", method, path, res.StatusCode, want, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			tb.Fatalf("%s %s: %v in %s", method, path, err, data)
		}
	}
}

// TestSecuritySecretsStayOutOfDebugLogsAndMetrics runs `cairn serve --demo` with CAIRN_LOG_LEVEL=
// debug and, through the JSON API, connects a second Azure DevOps organization (the
// test's own emulator, allowed by CAIRN_AZDO_ALLOWED_HOSTS) with a PAT, syncs it, lets a
// service hook sync it, expires the PAT and syncs again. Neither that PAT, the demo
// emulator's nor the admin's password appears in the log or in /metrics.
func TestSecuritySecretsStayOutOfDebugLogsAndMetrics(t *testing.T) {
	emu, emuURL := emulator(t)
	s := startServerWith(t, serverOptions{env: []string{
		"CAIRN_LOG_LEVEL=debug",
		"CAIRN_AZDO_ALLOWED_HOSTS=" + strings.TrimPrefix(emuURL, "http://"),
	}})
	a := signInAPI(t, s)

	var conn struct {
		ID         int64  `json:"id"`
		HookStatus string `json:"hook_status"`
	}
	a.call(t, http.StatusCreated, "POST", "/api/v1/orgs/fabrikam/connections", map[string]any{
		"name": "e2e / Fabrikam Fiber", "organization_url": emuURL + "/fabrikam", "project": "Fabrikam Fiber", "visibility": "shared",
		"auth": map[string]any{"type": "pat", "token": e2ePAT}}, &conn)
	if conn.HookStatus != "active" {
		t.Fatalf("the connection's service hooks are %q, want active", conn.HookStatus)
	}
	var objs struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	a.call(t, http.StatusOK, "GET", "/api/v1/orgs/fabrikam/objectives", nil, &objs)
	if len(objs.Items) == 0 {
		t.Fatal("the demo has no objectives")
	}
	var kr, ds struct {
		ID    int64 `json:"id"`
		Error *struct {
			Kind string `json:"kind"`
		} `json:"error"`
	}
	a.call(t, http.StatusCreated, "POST", "/api/v1/orgs/fabrikam/key-results", map[string]any{"objective_id": objs.Items[0].ID,
		"title": "Stories closed in the second organization", "metric": map[string]any{"kind": "number", "start": 0, "target": 40}}, &kr)
	a.call(t, http.StatusCreated, "POST", "/api/v1/orgs/fabrikam/data-sources", map[string]any{
		"target": map[string]any{"type": "key_result", "id": kr.ID}, "connection_id": conn.ID, "method": "work_items",
		"work_item_type": "Epic", "work_item_ids": []int{1}, "progress_type": "User Story"}, &ds)
	syncPath := fmt.Sprintf("/api/v1/orgs/fabrikam/data-sources/%d/sync?wait=true", ds.ID)
	a.call(t, http.StatusOK, "POST", syncPath, nil, &ds)
	if ds.Error != nil {
		t.Fatalf("the sync failed: %s", ds.Error.Kind)
	}

	runsPath := fmt.Sprintf("/api/v1/orgs/fabrikam/data-sources/%d/runs", ds.ID)
	hasRun := func(trigger string) bool {
		var runs struct {
			Items []struct {
				Trigger string `json:"trigger"`
			} `json:"items"`
		}
		a.call(t, http.StatusOK, "GET", runsPath, nil, &runs)
		for _, r := range runs.Items {
			if r.Trigger == trigger {
				return true
			}
		}
		return false
	}
	// Binding queued a sync job; once it ran, a service hook queues a job of its own
	// rather than folding into it.
	pollFor(t, "the sync job queued by binding", func() bool { return hasRun("create") })

	// A change in Azure DevOps reaches Cairn as a service hook, which queues a sync.
	story := 0
	for _, st := range epicStories(t, emu) {
		if st.State != "Closed" {
			story = st.ID
			break
		}
	}
	if story == 0 {
		t.Fatal("no open user story under epic 1")
	}
	failOnErr(t, emu.UpdateWorkItem("fabrikam", "Fabrikam Fiber", story, map[string]any{"System.State": "Closed"}))
	emu.WaitHooks()
	pollFor(t, "a sync triggered by the service hook", func() bool { return hasRun("hook") })

	// The PAT expires: the next sync fails and says so.
	failOnErr(t, emu.SetPATExpired(e2ePAT, true))
	a.call(t, http.StatusOK, "POST", syncPath, nil, &ds)
	if ds.Error == nil || ds.Error.Kind != "credentials" {
		t.Fatalf("a sync with an expired PAT: error %+v, want credentials", ds.Error)
	}

	res, err := http.Get(s.base + "/metrics")
	failOnErr(t, err)
	metrics, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !bytes.Contains(metrics, []byte("cairn_http_requests_total")) {
		t.Fatalf("/metrics: %d %.200s", res.StatusCode, metrics)
	}
	logs, err := os.ReadFile(s.logPath)
	failOnErr(t, err)
	// The log is at debug level and saw the whole story.
	for _, want := range []string{`"level":"DEBUG"`, `"route":"POST /hooks/azure-devops/{id}"`, "azure devops sync failed"} {
		if !bytes.Contains(logs, []byte(want)) {
			t.Fatalf("the log has no %s: CAIRN_LOG_LEVEL=debug or the flow did not take effect", want)
		}
	}
	for _, secret := range []string{e2ePAT, s.pat, s.password} {
		for where, text := range map[string][]byte{"the log": logs, "/metrics": metrics, "an API response": a.bodies.Bytes()} {
			if bytes.Contains(text, []byte(secret)) {
				t.Errorf("%q appears in %s", secret, where)
			}
		}
	}
}

func failOnErr(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// pollFor polls ok for up to 20 s.
func pollFor(tb testing.TB, what string, ok func() bool) {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
