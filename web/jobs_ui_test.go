package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/web"
)

// jobsStandIn stands in for River's UI: it answers with the path it was asked for and
// counts the requests that reach it.
type jobsStandIn struct{ calls atomic.Int64 }

func (j *jobsStandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	j.calls.Add(1)
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"method":%q,"path":%q}`, r.Method, r.URL.Path)
}

func TestJobsUIOnlyForTenantAdmins(t *testing.T) {
	t.Parallel()
	jobs := &jobsStandIn{}
	b := setupWith(t, func(c *web.Config) { c.JobsUI = jobs })
	paths := []string{"/admin/jobs/", "/admin/jobs/api/jobs?state=available", "/admin/jobs/assets/main.js"}

	t.Run("TenantAdminReachesIt", func(t *testing.T) {
		for _, p := range paths {
			var got struct{ Path string }
			b.must(t, 200, "tenant", "GET", p, nil).json(t, &got)
			if want, _, _ := strings.Cut(p, "?"); got.Path != want {
				t.Errorf("GET %s reached River's UI as %q", p, got.Path)
			}
		}
	})
	t.Run("ErrForbiddenForEveryoneElse", func(t *testing.T) {
		before := jobs.calls.Load()
		// An organization admin administers one organization, not the job queue of all.
		for _, who := range []string{"admin", "owner", "member", "viewer", "outsider"} {
			for _, p := range paths {
				if code := b.must(t, 403, who, "GET", p, nil).problem(t).Code; code != cairn.EFORBIDDEN {
					t.Errorf("GET %s as %s: code %q, want %s", p, who, code, cairn.EFORBIDDEN)
				}
			}
			b.must(t, 403, who, "POST", "/admin/jobs/api/jobs/retry", `{"job_ids":["1"]}`)
		}
		if n := jobs.calls.Load() - before; n != 0 {
			t.Fatalf("River's UI answered %d requests of people who are not tenant admins", n)
		}
	})
	t.Run("AnonymousPageRedirectsToSignIn", func(t *testing.T) {
		br := newBrowser(t, b.srv.URL)
		req, _ := http.NewRequest("GET", b.srv.URL+"/admin/jobs/queues?x=1", nil)
		res, err := br.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/login?next=%2Fadmin%2Fjobs%2Fqueues%3Fx%3D1" {
			t.Fatalf("anonymous page: status %d, Location %q; want 303 to sign in and back", res.StatusCode, loc)
		}
	})
	t.Run("ErrUnauthorizedForAnonymousAPI", func(t *testing.T) {
		before := jobs.calls.Load()
		if code := b.must(t, 401, "", "GET", "/admin/jobs/api/jobs?state=available", nil).problem(t).Code; code != cairn.EUNAUTHORIZED {
			t.Errorf("anonymous API: code %q, want %s", code, cairn.EUNAUTHORIZED)
		}
		b.must(t, 401, "", "POST", "/admin/jobs/api/jobs/retry", `{"job_ids":["1"]}`)
		if n := jobs.calls.Load() - before; n != 0 {
			t.Fatalf("River's UI answered %d anonymous requests", n)
		}
	})
	t.Run("SessionNeedsNoTokenButSameOrigin", func(t *testing.T) {
		// River's UI cannot send Cairn's CSRF token; its state-changing calls must pass on
		// a session from the same origin and fail from another site.
		br := newBrowser(t, b.srv.URL)
		if st, body := br.send("POST", "/api/v1/auth/login", map[string]any{"email": "tenant@example.com", "password": "correct-horse"}, false); st != 200 {
			t.Fatalf("login: %d %s", st, body)
		}
		post := func(path, site string) (int, string) {
			req, _ := http.NewRequest("POST", b.srv.URL+path, strings.NewReader(`{"job_ids":["1"]}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Sec-Fetch-Site", site)
			res, err := br.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var p struct{ Detail, Method string }
			_ = json.NewDecoder(res.Body).Decode(&p)
			return res.StatusCode, p.Detail + p.Method
		}
		if st, got := post("/admin/jobs/api/jobs/retry", "same-origin"); st != 200 || got != "POST" {
			t.Fatalf("same-origin POST to River's UI: %d %q, want it to reach the UI", st, got)
		}
		if st, got := post("/admin/jobs/api/jobs/retry", "cross-site"); st != 403 || got != "cross-origin request refused" {
			t.Fatalf("cross-site POST to River's UI: %d %q, want 403", st, got)
		}
		// Everywhere else a session still needs the token.
		if st, got := post("/api/v1/orgs/fabrikam/teams", "same-origin"); st != 403 || got != "missing or invalid CSRF token" {
			t.Fatalf("same-origin POST without token to the API: %d %q, want 403", st, got)
		}
		// A path that only starts like River's UI is redirected to its clean form, where the
		// token is needed again, and is not served.
		if st, got := post("/admin/jobs/../api/v1/orgs/fabrikam/teams", "same-origin"); st < 300 || st > 399 {
			t.Fatalf("POST through /admin/jobs/../: %d %q, want a redirect to the clean path", st, got)
		}
	})
}

func TestJobsUIUnroutedWithoutHandler(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.must(t, 404, "tenant", "GET", "/admin/jobs/", nil)
	// Without River's UI the path gets no relief from the CSRF token.
	br := newBrowser(t, b.srv.URL)
	if st, body := br.send("POST", "/api/v1/auth/login", map[string]any{"email": "tenant@example.com", "password": "correct-horse"}, false); st != 200 {
		t.Fatalf("login: %d %s", st, body)
	}
	if st, _ := br.send("POST", "/admin/jobs/api/jobs/retry", map[string]any{}, false); st != 403 {
		t.Fatalf("POST without token: status %d, want 403", st)
	}
}
