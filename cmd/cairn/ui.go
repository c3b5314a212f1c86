package main

import (
	"os"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/web"
	"github.com/cairn-okr/cairn/web/ui"
)

// mountUI adds the web UI to the server. The UI is served from the same server, behind the
// same sign-in, CSRF and observing middleware as the API, and uses the server's Azure
// DevOps integration when it has one. Imports of Viva Goals exports write through imports.
func mountUI(srv *web.Server, imports cairn.ImportStore) error {
	// serve always has a public URL, so Cairn's Entra app is configured when it has a
	// client id; the wizard then offers "Sign in with Microsoft" to list organizations.
	_, err := ui.Mount(srv, ui.Config{Integration: srv.Integration(), MicrosoftSignIn: os.Getenv("CAIRN_AZDO_CLIENT_ID") != "", Imports: imports})
	return err
}
