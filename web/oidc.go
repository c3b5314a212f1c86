package web

import (
	"net/http"
	"strings"

	"github.com/cairn-okr/cairn"
)

func (s *Server) oidcLogin(w http.ResponseWriter, r *http.Request) {
	if s.oidc == nil {
		writeProblem(w, r, http.StatusNotFound, cairn.ENOTIMPLEMENTED, "sign-in with Microsoft is not configured (set CAIRN_OIDC_ISSUER, CAIRN_OIDC_CLIENT_ID and CAIRN_OIDC_CLIENT_SECRET)", "")
		return
	}
	s.oidc.Begin(w, r)
}

// oidcCallback finishes "Sign in with Microsoft". A known subject signs in; anyone else in
// the tenant gets a new account with no organization until an admin adds them, unless an
// import named them: a new account whose name exactly one unclaimed member carries takes that
// member's place, memberships and OKRs (Service.ClaimByName). An email claim is not verified
// by Entra ID, so a new subject is never linked to an existing account by email: that would
// let a renamed account take another person's place.
func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) {
	if s.oidc == nil {
		writeProblem(w, r, http.StatusNotFound, cairn.ENOTIMPLEMENTED, "sign-in with Microsoft is not configured", "")
		return
	}
	ctx := r.Context()
	id, err := s.oidc.Finish(ctx, r)
	s.oidc.ClearFlowCookie(w)
	if err != nil {
		writeProblem(w, r, http.StatusUnauthorized, cairn.EUNAUTHORIZED, "sign-in with Microsoft failed: "+err.Error(), "")
		return
	}
	if _, err := s.store.Tenant(ctx); err != nil {
		writeProblem(w, r, http.StatusConflict, cairn.ECONFLICT, "Cairn is not set up yet: open the setup link printed at start", "")
		return
	}
	u, err := s.store.UserByOIDCSubject(ctx, id.Subject)
	if cairn.ErrorCode(err) == cairn.ENOTFOUND {
		email := strings.ToLower(strings.TrimSpace(id.Email))
		u, err = s.store.UserByEmail(ctx, email)
		switch {
		case err == nil:
			err = cairn.Errorf(cairn.ECONFLICT, "an account for %s exists already and signs in with a password; sign in with it", email)
		case cairn.ErrorCode(err) == cairn.ENOTFOUND:
			u = &cairn.User{Email: email, Name: id.Name, OIDCSubject: id.Subject, CreatedAt: s.now().UTC()}
			if err = u.Validate(); err == nil {
				if u.Name == "" {
					u.Name = u.Email
				}
				_, err = s.svc.ClaimByName(ctx, u)
			}
		}
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, err := s.startSession(w, r, u); err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
