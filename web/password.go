package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/auth"
)

// minPasswordLen is the shortest local password Cairn accepts, as first-start setup asks.
const minPasswordLen = 8

type passwordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// changePassword changes the caller's password, ends every session of theirs and, for a
// caller signed in with the session cookie, starts a new one whose CSRF token it returns.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	var in passwordRequest
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	sid, err := s.ChangePassword(w, r, in.CurrentPassword, in.NewPassword)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	u := cairn.UserFromContext(r.Context())
	orgs, err := s.svc.ListOrgs(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp := meResponse{User: u, Orgs: orgs}
	if sid != "" {
		resp.CSRFToken = s.csrf.CSRFToken(sid)
	}
	writeJSON(w, http.StatusOK, resp)
}

// ChangePassword checks the signed-in user's current password and sets the new one. Every
// session of the user ends, in this browser and all others; when the request came with the
// session cookie, a new session starts for it and its id is returned, "" otherwise. The
// check of the current password is throttled like a sign-in, so a stolen session cannot
// guess it quickly.
func (s *Server) ChangePassword(w http.ResponseWriter, r *http.Request, current, next string) (string, error) {
	ctx := r.Context()
	u := cairn.UserFromContext(ctx)
	if u == nil {
		return "", cairn.Errorf(cairn.EUNAUTHORIZED, "sign in first")
	}
	if u.PasswordHash == "" {
		return "", cairn.Errorf(cairn.ECONFLICT, "your account signs in with Microsoft and has no password to change")
	}
	if current == "" {
		return "", cairn.FieldError("current_password", "current_password is required")
	}
	if len(next) < minPasswordLen {
		return "", cairn.FieldError("new_password", "the new password must have at least %d characters", minPasswordLen)
	}
	if len(next) > auth.MaxPasswordBytes {
		return "", cairn.FieldError("new_password", "the new password is longer than %d bytes", auth.MaxPasswordBytes)
	}
	attempt, err := s.guard.Begin(ctx, u.Email, s.clientIP(r))
	if err != nil {
		s.setRetryAfter(w, err)
		return "", err
	}
	if err := s.passwords.Check(u.PasswordHash, current); err != nil {
		if errors.Is(err, auth.ErrMismatch) {
			return "", cairn.FieldError("current_password", "the current password is wrong")
		}
		return "", cairn.Internal("web: check password", err)
	}
	if err := attempt.Succeeded(ctx); err != nil {
		return "", err
	}
	hash, err := s.passwords.Hash(next)
	if err != nil {
		return "", cairn.FieldError("new_password", "%s", strings.TrimPrefix(err.Error(), "auth: hash password: "))
	}
	if err := s.store.ChangePassword(ctx, u.ID, hash); err != nil {
		return "", err
	}
	u.PasswordHash = hash
	if sessionID(ctx) == "" {
		return "", nil
	}
	return s.startSession(w, r, u)
}
