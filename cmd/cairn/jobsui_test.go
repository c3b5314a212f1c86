package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cairn-okr/cairn/internal/pgtest"
)

// TestServeJobsUIForTenantAdminsOnly runs `cairn serve` on each database and checks River's
// UI under /admin/jobs: its page, assets and JSON API answer a tenant admin, refuse
// members and organization admins with 403 and anonymous people with a sign-in.
func TestServeJobsUIForTenantAdminsOnly(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) {
		checkJobsUI(t, filepath.Join(t.TempDir(), "c.db"))
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		checkJobsUI(t, postgresDatabase(t))
	})
}

// postgresDatabase returns the URL of a fresh schema in the database of
// CAIRN_TEST_POSTGRES_URL, dropped after the test (see pgtest.SchemaURL).
func postgresDatabase(t *testing.T) string {
	t.Helper()
	return pgtest.SchemaURL(t, "servetest")
}

// session is a browser signed in to a running Cairn, or anonymous when csrf is "".
type session struct {
	t      *testing.T
	base   string
	client *http.Client
	csrf   string
}

func newSession(t *testing.T, base string) *session {
	jar, _ := cookiejar.New(nil)
	return &session{t: t, base: base, client: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// signIn signs in with the JSON API, as the web UI's scripts do.
func signIn(t *testing.T, base, email string) *session {
	t.Helper()
	s := newSession(t, base)
	res, body := s.do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": "correct-horse"}, nil)
	if res.StatusCode != 200 {
		t.Fatalf("sign in as %s: %d %s", email, res.StatusCode, body)
	}
	var me struct {
		CSRFToken string `json:"csrf_token"`
	}
	if err := json.Unmarshal(body, &me); err != nil || me.CSRFToken == "" {
		t.Fatalf("sign in as %s: no CSRF token in %s", email, body)
	}
	s.csrf = me.CSRFToken
	return s
}

// do sends a request with the session's cookie; header adds to it. A body is sent as JSON.
func (s *session) do(method, path string, body any, header map[string]string) (*http.Response, []byte) {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return res, data
}

// must is do for a call that must answer want, with the session's CSRF token.
func (s *session) must(want int, method, path string, body any) []byte {
	s.t.Helper()
	res, data := s.do(method, path, body, map[string]string{"X-CSRF-Token": s.csrf})
	if res.StatusCode != want {
		s.t.Fatalf("%s %s: %d %s, want %d", method, path, res.StatusCode, data, want)
	}
	return data
}

var riverAssetRE = regexp.MustCompile(`(?:src|href)="(/admin/jobs/assets/[^"]+\.(?:js|css))"`)

func checkJobsUI(t *testing.T, database string) {
	t.Setenv("CAIRN_ADMIN_EMAIL", "admin@example.com")
	t.Setenv("CAIRN_ADMIN_PASSWORD", "correct-horse")
	t.Setenv("CAIRN_SECRET_KEY_FILE", filepath.Join(t.TempDir(), "cairn.key"))
	base, _, done := startServe(t, "--database", database)
	defer func() {
		_ = syscall.Kill(syscall.Getpid(), syscall.SIGTERM)
		if code := <-done; code != 0 {
			t.Errorf("serve exited with %d", code)
		}
	}()

	tenant := signIn(t, base, "admin@example.com")
	tenant.must(201, "POST", "/api/v1/orgs", map[string]string{"name": "Fabrikam", "slug": "fabrikam"})
	for _, m := range []struct{ email, role string }{{"member@example.com", "member"}, {"orgadmin@example.com", "admin"}} {
		tenant.must(201, "POST", "/api/v1/orgs/fabrikam/members", map[string]string{"email": m.email, "name": m.role, "role": m.role, "password": "correct-horse"})
	}
	html := map[string]string{"Accept": "text/html,application/xhtml+xml"}
	api := map[string]string{"Accept": "application/json"}

	t.Run("TenantAdminGetsThePageAndItsAssets", func(t *testing.T) {
		res, body := tenant.do("GET", "/admin/jobs/", nil, html)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || !bytes.Contains(body, []byte("<title>River</title>")) {
			t.Fatalf("River's UI page: %d %s\n%s", res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		if !bytes.Contains(body, []byte(`"apiUrl":"/admin/jobs/api"`)) {
			t.Errorf("the page does not point its scripts at /admin/jobs/api:\n%s", body)
		}
		assets := riverAssetRE.FindAllSubmatch(body, -1)
		if len(assets) < 2 {
			t.Fatalf("the page names %d script and style assets under /admin/jobs/assets, want both:\n%s", len(assets), body)
		}
		for _, m := range assets {
			path := string(m[1])
			res, data := tenant.do("GET", path, nil, nil)
			want := "text/javascript"
			if strings.HasSuffix(path, ".css") {
				want = "text/css"
			}
			if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), want) || len(data) < 1000 {
				t.Errorf("asset %s: %d %q, %d bytes; want 200 %s", path, res.StatusCode, res.Header.Get("Content-Type"), len(data), want)
			}
		}
	})

	t.Run("TenantAdminGetsTheAPI", func(t *testing.T) {
		// River's client runs the sync scheduler once at start; its job shows as completed.
		var jobs struct {
			Data []struct {
				Kind  string `json:"kind"`
				Queue string `json:"queue"`
				State string `json:"state"`
			} `json:"data"`
		}
		deadline := time.Now().Add(30 * time.Second)
		for len(jobs.Data) == 0 {
			if time.Now().After(deadline) {
				t.Fatal("the scheduler's completed job never showed in River's UI")
			}
			time.Sleep(100 * time.Millisecond)
			res, body := tenant.do("GET", "/admin/jobs/api/jobs?state=completed&kinds=schedule_syncs", nil, api)
			if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
				t.Fatalf("job list: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), body)
			}
			if err := json.Unmarshal(body, &jobs); err != nil {
				t.Fatalf("job list %s: %v", body, err)
			}
		}
		if j := jobs.Data[0]; j.Kind != "schedule_syncs" || j.Queue != "azure_devops" || j.State != "completed" {
			t.Errorf("job list: %+v, want the completed schedule_syncs job of the azure_devops queue", j)
		}
		var states struct {
			Completed struct {
				Count int `json:"count"`
			} `json:"completed"`
		}
		if err := json.Unmarshal(tenant.must(200, "GET", "/admin/jobs/api/states", nil), &states); err != nil || states.Completed.Count < 1 {
			t.Errorf("state counts: completed %d (%v), want at least 1", states.Completed.Count, err)
		}
	})

	t.Run("TenantAdminPausesAQueueWithoutTheCSRFToken", func(t *testing.T) {
		// River's UI sends no CSRF token; a same-origin call on a session must work.
		sameOrigin := map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": base}
		if res, body := tenant.do("PUT", "/admin/jobs/api/queues/azure_devops/pause", nil, sameOrigin); res.StatusCode != 200 {
			t.Fatalf("pause: %d %s", res.StatusCode, body)
		}
		var q struct {
			PausedAt *time.Time `json:"paused_at"`
		}
		if err := json.Unmarshal(tenant.must(200, "GET", "/admin/jobs/api/queues/azure_devops", nil), &q); err != nil || q.PausedAt == nil {
			t.Fatalf("queue after pause: paused_at %v (%v), want set", q.PausedAt, err)
		}
		if res, body := tenant.do("PUT", "/admin/jobs/api/queues/azure_devops/resume", nil, map[string]string{"Sec-Fetch-Site": "cross-site"}); res.StatusCode != 403 {
			t.Fatalf("cross-site resume: %d %s, want 403", res.StatusCode, body)
		}
		if res, body := tenant.do("PUT", "/admin/jobs/api/queues/azure_devops/resume", nil, sameOrigin); res.StatusCode != 200 {
			t.Fatalf("resume: %d %s", res.StatusCode, body)
		}
	})

	t.Run("ErrForbiddenForMembersAndOrganizationAdmins", func(t *testing.T) {
		for _, email := range []string{"member@example.com", "orgadmin@example.com"} {
			s := signIn(t, base, email)
			for _, c := range []struct {
				path   string
				header map[string]string
			}{{"/admin/jobs/", html}, {"/admin/jobs/api/jobs?state=available", api}, {"/admin/jobs/api/states", api}} {
				res, body := s.do("GET", c.path, nil, c.header)
				if res.StatusCode != 403 || bytes.Contains(body, []byte("<title>River</title>")) || bytes.Contains(body, []byte(`"data"`)) {
					t.Errorf("%s GET %s: %d %s, want 403", email, c.path, res.StatusCode, body)
				}
			}
			sameOrigin := map[string]string{"Sec-Fetch-Site": "same-origin"}
			if res, body := s.do("PUT", "/admin/jobs/api/queues/azure_devops/pause", nil, sameOrigin); res.StatusCode != 403 {
				t.Errorf("%s pause: %d %s, want 403", email, res.StatusCode, body)
			}
		}
	})

	t.Run("AnonymousIsSentToSignIn", func(t *testing.T) {
		anon := newSession(t, base)
		res, body := anon.do("GET", "/admin/jobs/", nil, html)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?next=%2Fadmin%2Fjobs%2F" {
			t.Errorf("anonymous page: %d Location %q %s, want 303 to sign in", res.StatusCode, res.Header.Get("Location"), body)
		}
		res, body = anon.do("GET", "/admin/jobs/api/jobs?state=available", nil, api)
		if res.StatusCode != 401 || bytes.Contains(body, []byte(`"data"`)) {
			t.Errorf("anonymous API: %d %s, want 401", res.StatusCode, body)
		}
	})

	t.Run("AdminNavLinksToJobsForTenantAdminsOnly", func(t *testing.T) {
		link := []byte(`href="/admin/jobs/"`)
		if page := tenant.must(200, "GET", "/o/fabrikam/admin", nil); !bytes.Contains(page, link) {
			t.Errorf("the tenant admin's settings page has no link to River's UI")
		}
		if page := signIn(t, base, "orgadmin@example.com").must(200, "GET", "/o/fabrikam/admin", nil); bytes.Contains(page, link) {
			t.Errorf("an organization admin's settings page links to River's UI")
		}
	})
}
