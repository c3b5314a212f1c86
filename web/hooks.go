package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/datasource"
)

// hookPrefix is where Azure DevOps delivers service hooks.
const hookPrefix = "/hooks/azure-devops/"

// hookGate sends service-hook deliveries straight to their route: they authenticate with
// their connection's own basic-auth secret, not with a session or an API token, and carry
// no CSRF token.
func (s *Server) hookGate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, hookPrefix) {
			s.mux.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// receiveHook answers a service-hook delivery fast: it checks the secret and queues a
// debounced sync; the sync reads Azure DevOps itself and never trusts the payload.
func (s *Server) receiveHook(w http.ResponseWriter, r *http.Request) {
	ig, ok := s.integration(w, r)
	if !ok {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	user, pass, ok := r.BasicAuth()
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="cairn-hooks"`)
		writeProblem(w, r, http.StatusUnauthorized, cairn.EUNAUTHORIZED, "service hooks must send the connection's basic-auth credentials", "")
		return
	}
	err = ig.ReceiveHook(r.Context(), id, user, pass, http.MaxBytesReader(w, r.Body, 1<<20))
	switch {
	case err == nil:
		writeJSON(w, http.StatusAccepted, map[string]bool{"queued": true})
	case errors.Is(err, datasource.ErrHookGone):
		// 410 makes Azure DevOps disable the subscription of a deleted connection.
		writeProblem(w, r, http.StatusGone, cairn.ENOTFOUND, cairn.ErrorMessage(err), "")
	case cairn.ErrorCode(err) == cairn.EUNAUTHORIZED:
		w.Header().Set("WWW-Authenticate", `Basic realm="cairn-hooks"`)
		writeProblem(w, r, http.StatusUnauthorized, cairn.EUNAUTHORIZED, cairn.ErrorMessage(err), "")
	default:
		s.writeError(w, r, err)
	}
}
