package ui_test

import (
	"net/http"
	"testing"

	"github.com/cairn-okr/cairn/datasource"
	"github.com/cairn-okr/cairn/internal/authzmatrix"
)

// TestAuthorizationMatrix sends the request of every route the server routes, JSON API
// and UI alike, as anonymous, a viewer, a member, an editor of the item, an organization
// admin, a tenant admin and another organization's admin, and checks each status against
// the route's policy in authzmatrix.Rows. The server has everything `cairn serve` has: the
// Azure DevOps integration on the emulator with a public URL, a job queue and River's UI
// (stand-ins for both).
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	jobs := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"river":"ui"}`))
	})
	b := newBundleWith(t, true, &queueStandIn{}, datasource.ClientConfig{}, publicURL, jobs)
	cells := authzmatrix.Run(t, authzmatrix.Env{
		BaseURL:     b.srv.URL,
		TenantEmail: b.users["tenant"].Email, TenantPassword: "correct-horse",
		AzdoOrgURL: b.emuURL + "/fabrikam", AzdoProject: "Fabrikam Fiber", AzdoPAT: emulatorPAT,
		Patterns: b.web.Patterns(),
	})
	t.Logf("%d cells: %d rows × %d roles", cells, len(authzmatrix.Rows), len(authzmatrix.Roles))
}

// TestAuthorizationMatrixCoversTheServeRoutes checks the list the end-to-end matrix takes
// from authzmatrix.ServePatterns against the routes of this test's server, which is wired
// with everything: the two must not drift apart.
func TestAuthorizationMatrixCoversTheServeRoutes(t *testing.T) {
	t.Parallel()
	b := newBundleWith(t, true, &queueStandIn{}, datasource.ClientConfig{}, publicURL, http.NotFoundHandler())
	want := b.web.Patterns()
	got, err := authzmatrix.ServePatterns()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("ServePatterns lists %d patterns, the server routes %d:\n%q\n%q", len(got), len(want), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("pattern %d: ServePatterns has %q, the server %q", i, got[i], want[i])
		}
	}
	authzmatrix.Cover(t, got)
}
