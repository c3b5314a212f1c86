package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn/web"
)

// riverPage stands in for River's UI page: HTML that loads its module script.
type riverPage struct{}

func (riverPage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(`<!doctype html><html><head><script type="module" src="/admin/jobs/assets/main.js"></script></head><body><div id="root"></div></body></html>`))
}

// policy splits a Content-Security-Policy into its directives.
func policy(csp string) map[string]string {
	out := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		name, rest, _ := strings.Cut(strings.TrimSpace(d), " ")
		if name != "" {
			out[name] = rest
		}
	}
	return out
}

func TestContentSecurityPolicy(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(c *web.Config) { c.JobsUI = riverPage{} })

	t.Run("RiverUIRunsOnlyItsOwnScripts", func(t *testing.T) {
		for _, path := range []string{"/admin/jobs/", "/admin/jobs/queues", "/admin/jobs/assets/main.js"} {
			res := b.must(t, http.StatusOK, "tenant", "GET", path, nil)
			p := policy(res.Header.Get("Content-Security-Policy"))
			if p["script-src"] != "'self'" || p["frame-ancestors"] != "'none'" || p["default-src"] != "'none'" || p["base-uri"] != "'none'" {
				t.Errorf("GET %s: Content-Security-Policy %q", path, res.Header.Get("Content-Security-Policy"))
			}
			if res.Header.Get("X-Frame-Options") != "DENY" {
				t.Errorf("GET %s: X-Frame-Options %q", path, res.Header.Get("X-Frame-Options"))
			}
		}
	})
	t.Run("EveryOtherAnswerLoadsNothing", func(t *testing.T) {
		for _, c := range []struct {
			who, path string
			status    int
		}{
			{"tenant", "/api/v1/me", http.StatusOK},
			{"", "/api/v1/me", http.StatusUnauthorized},
			{"admin", "/admin/jobs/", http.StatusForbidden},
			{"", "/healthz", http.StatusOK},
			{"", "/api/v1/nothing", http.StatusNotFound},
		} {
			res := b.must(t, c.status, c.who, "GET", c.path, nil)
			p := policy(res.Header.Get("Content-Security-Policy"))
			if p["default-src"] != "'none'" || p["frame-ancestors"] != "'none'" || p["script-src"] != "" {
				t.Errorf("GET %s as %q: Content-Security-Policy %q", c.path, c.who, res.Header.Get("Content-Security-Policy"))
			}
		}
	})
}
