package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/cairn-okr/cairn"
)

// JobsUIPath is where River's UI (Config.JobsUI) is served: its page, its assets and its
// JSON API under JobsUIPath/api/.
const JobsUIPath = "/admin/jobs"

// mountJobsUI routes JobsUIPath to River's UI behind the tenant admin check. The UI's own
// handler strips the prefix.
func (s *Server) mountJobsUI(h http.Handler) {
	s.jobsUI = true
	pattern := JobsUIPath + "/"
	s.route(pattern, s.requireTenantAdmin(h))
}

// HasJobsUI reports whether River's UI is served under JobsUIPath, so that the UI links to
// it.
func (s *Server) HasJobsUI() bool { return s.jobsUI }

// inJobsUI reports whether the request is for River's UI.
func (s *Server) inJobsUI(r *http.Request) bool {
	return s.jobsUI && strings.HasPrefix(r.URL.Path, JobsUIPath+"/")
}

// requireTenantAdmin lets tenant admins through to River's UI, which shows and changes the
// jobs of every organization. Anyone else signed in gets 403. An anonymous browser asking
// for a page is sent to sign in and back, as the UI's pages do; an anonymous call to the
// UI's JSON API gets 401.
func (s *Server) requireTenantAdmin(next http.Handler) http.Handler {
	api := JobsUIPath + "/api/"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := cairn.UserFromContext(r.Context())
		page := !strings.HasPrefix(r.URL.Path, api) && (r.Method == http.MethodGet || r.Method == http.MethodHead)
		switch {
		case u == nil && page:
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		case u == nil:
			writeProblem(w, r, http.StatusUnauthorized, cairn.EUNAUTHORIZED, "sign in as a tenant admin, or send a tenant admin's API token as \"Authorization: Bearer <token>\"", "")
		case !u.TenantAdmin:
			s.writeError(w, r, cairn.Errorf(cairn.EFORBIDDEN, "only a tenant admin may see and manage the job queue"))
		default:
			w.Header().Set("Content-Security-Policy", jobsUIPolicy)
			next.ServeHTTP(w, r)
		}
	})
}
