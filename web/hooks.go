package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
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
	// The limit comes before any other work, so that a flood costs a map lookup each.
	if ok, wait := s.hooks.allow(id); !ok {
		secs := int(math.Ceil(wait.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
		writeProblem(w, r, http.StatusTooManyRequests, cairn.EUNAVAILABLE,
			fmt.Sprintf("too many service-hook deliveries for this connection: at most %g a second; retry after %d s", s.hooks.rate, max(secs, 1)), "")
		return
	}
	user, pass, ok := r.BasicAuth()
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="cairn-hooks"`)
		writeProblem(w, r, http.StatusUnauthorized, cairn.EUNAUTHORIZED, "service hooks must send the connection's basic-auth credentials", "")
		return
	}
	if r.ContentLength > datasource.MaxHookBody {
		writeProblem(w, r, http.StatusRequestEntityTooLarge, cairn.ETOOLARGE, fmt.Sprintf("a service-hook delivery is at most %d bytes", datasource.MaxHookBody), "")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, datasource.MaxHookBody+1))
	if err != nil {
		writeProblem(w, r, http.StatusBadRequest, cairn.EBADREQUEST, "cannot read the delivery: "+err.Error(), "")
		return
	}
	if len(body) > datasource.MaxHookBody {
		writeProblem(w, r, http.StatusRequestEntityTooLarge, cairn.ETOOLARGE, fmt.Sprintf("a service-hook delivery is at most %d bytes", datasource.MaxHookBody), "")
		return
	}
	err = ig.ReceiveHook(r.Context(), id, user, pass, bytes.NewReader(body))
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
