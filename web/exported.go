package web

import (
	"net/http"

	"github.com/cairn-okr/cairn"
)

// Service returns the application service, for handlers mounted on the server.
func (s *Server) Service() *cairn.Service { return s.svc }

// Store returns the store, for handlers mounted on the server.
func (s *Server) Store() cairn.Store { return s.store }

// CSRFToken returns the CSRF token of the request's session, or "" without a session.
// Forms put it in the csrf_token field; scripts send it as X-CSRF-Token.
func (s *Server) CSRFToken(r *http.Request) string {
	sid := sessionID(r.Context())
	if sid == "" {
		return ""
	}
	return s.csrf.CSRFToken(sid)
}

// SignIn checks a local email and password and starts a session with its cookie. A
// throttled attempt fails with ETHROTTLED and sets the Retry-After header.
func (s *Server) SignIn(w http.ResponseWriter, r *http.Request, email, password string) (*cairn.User, error) {
	u, err := s.checkLogin(r.Context(), s.clientIP(r), email, password)
	if err != nil {
		s.setRetryAfter(w, err)
		return nil, err
	}
	if _, err := s.startSession(w, r, u); err != nil {
		return nil, err
	}
	return u, nil
}

// SignOut ends the request's session and clears its cookie.
func (s *Server) SignOut(w http.ResponseWriter, r *http.Request) { s.endSession(w, r) }

// SignOutEverywhere ends every session of the signed-in user, in every browser, and clears
// the cookie.
func (s *Server) SignOutEverywhere(w http.ResponseWriter, r *http.Request) error {
	return s.endAllSessions(w, r)
}

// OIDCEnabled reports whether "Sign in with Microsoft" is configured.
func (s *Server) OIDCEnabled() bool { return s.oidc != nil }

// RequestID returns the id the server gave the request, for error pages.
func RequestID(r *http.Request) string { return requestID(r.Context()) }

// WriteError answers with the problem+json body for err, as the API does.
func (s *Server) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	s.writeError(w, r, err)
}
