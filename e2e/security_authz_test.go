package e2e_test

import (
	"os"
	"testing"

	"github.com/cairn-okr/cairn/internal/authzmatrix"
)

// TestSecurityAuthorizationMatrix runs the authorization matrix against a real `cairn
// serve --demo` over HTTP: every route of the JSON API, the UI and River's UI, as every
// role, each checked against its policy. The demo admin, a tenant admin, makes the users of
// the other roles and the fixtures through the API. The routes come from the same code
// as the server's (authzmatrix.ServePatterns); it needs no browser.
func TestSecurityAuthorizationMatrix(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("the end-to-end authorization matrix builds and runs cairn; skipped with -short")
	}
	s := startServer(t)
	patterns, err := authzmatrix.ServePatterns()
	if err != nil {
		t.Fatal(err)
	}
	cells := authzmatrix.Run(t, authzmatrix.Env{
		BaseURL:     s.base,
		TenantEmail: s.email, TenantPassword: s.password,
		AzdoOrgURL: s.emuURL, AzdoProject: "Fabrikam Fiber", AzdoPAT: s.pat,
		Patterns: patterns,
	})
	t.Logf("%d cells: %d rows × %d roles", cells, len(authzmatrix.Rows), len(authzmatrix.Roles))
}
