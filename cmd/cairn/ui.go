package main

import (
	"github.com/cairn-okr/cairn/web"
	"github.com/cairn-okr/cairn/web/ui"
)

// mountUI adds the web UI to the server. The UI is served from the same server, behind the
// same sign-in, CSRF and observing middleware as the API, and uses the server's Azure
// DevOps integration when it has one.
func mountUI(srv *web.Server) error {
	_, err := ui.Mount(srv, ui.Config{Integration: srv.Integration()})
	return err
}
