package authzmatrix

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/cairn-okr/cairn/datasource"
	"github.com/cairn-okr/cairn/web"
	"github.com/cairn-okr/cairn/web/ui"
)

// ServePatterns returns the patterns of a server wired as `cairn serve` wires it: the JSON
// API, River's UI, the Azure DevOps integration and the UI. It builds the server from the
// same code, with nothing behind it, for a test that runs the matrix against a server in
// another process and so cannot ask that server itself.
func ServePatterns() ([]string, error) {
	srv, err := web.New(web.Config{
		CSRFKey:     bytes.Repeat([]byte("k"), 32),
		Extension:   &web.ExtensionConfig{},
		Integration: datasource.New(datasource.Config{}),
		JobsUI:      http.NotFoundHandler(),
	})
	if err != nil {
		return nil, fmt.Errorf("authzmatrix: build a server: %w", err)
	}
	if _, err := ui.Mount(srv, ui.Config{Integration: srv.Integration()}); err != nil {
		return nil, fmt.Errorf("authzmatrix: mount the UI: %w", err)
	}
	return srv.Patterns(), nil
}
