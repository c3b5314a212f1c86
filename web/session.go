package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/auth"
)

type sessionKey struct{}

// sessionID returns the raw session id of a cookie-authenticated request, or "".
func sessionID(ctx context.Context) string {
	id, _ := ctx.Value(sessionKey{}).(string)
	return id
}

// authenticate resolves the caller from a Bearer API token or the session cookie and puts
// the user in the request context. Unknown credentials leave the request anonymous; routes
// that need a user refuse it later.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if h := r.Header.Get("Authorization"); h != "" {
			tok, ok := strings.CutPrefix(h, "Bearer ")
			if !ok || strings.TrimSpace(tok) == "" {
				writeProblem(w, r, http.StatusUnauthorized, cairn.EUNAUTHORIZED, "the Authorization header must be \"Bearer <token>\"", "")
				return
			}
			t, err := s.store.APITokenByHash(ctx, auth.HashToken(strings.TrimSpace(tok)))
			if err != nil {
				if cairn.ErrorCode(err) == cairn.ENOTFOUND {
					writeProblem(w, r, http.StatusUnauthorized, cairn.EUNAUTHORIZED, "the API token is unknown or revoked", "")
					return
				}
				s.writeError(w, r, err)
				return
			}
			u, err := s.store.UserByID(ctx, t.UserID)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			_ = s.store.TouchAPIToken(ctx, t.ID, s.now().UTC())
			next.ServeHTTP(w, r.WithContext(cairn.NewContext(ctx, u)))
			return
		}
		if c, err := r.Cookie(auth.SessionCookieName); err == nil && c.Value != "" {
			sess, err := s.store.SessionByHash(ctx, auth.HashToken(c.Value))
			var u *cairn.User
			if err == nil && sess.ExpiresAt.After(s.now()) {
				if u, err = s.store.UserByID(ctx, sess.UserID); err == nil {
					ctx = cairn.NewContext(ctx, u)
					ctx = context.WithValue(ctx, sessionKey{}, c.Value)
				}
			}
			if cairn.ErrorCode(err) == cairn.EUNAVAILABLE {
				// Not knowing who signed in is not the same as nobody: say the database
				// is away rather than send a signed-in person to the sign-in page.
				s.writeError(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// requireUser refuses anonymous requests with 401.
func (s *Server) requireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if cairn.UserFromContext(r.Context()) == nil {
			writeProblem(w, r, http.StatusUnauthorized, cairn.EUNAUTHORIZED, "sign in, or send an API token as \"Authorization: Bearer <token>\"", "")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// csrfProtect applies CSRF protection to requests that carry a session cookie. River's UI
// is a script Cairn does not write and cannot hand the CSRF token to, so requests under
// JobsUIPath are only checked for coming from another origin. A path that merely starts
// like it, such as /admin/jobs/../api/v1/orgs, is redirected to its clean form by the mux
// and reaches no other handler.
func (s *Server) csrfProtect(next http.Handler) http.Handler {
	protected := s.csrf.Wrap(next)
	sameOrigin := s.csrf.WrapOrigin(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Header.Get("Authorization") != "":
			next.ServeHTTP(w, r)
		case s.inJobsUI(r):
			sameOrigin.ServeHTTP(w, r)
		case r.URL.Path == "/unsubscribe":
			// The signed token in the form is the proof, and mail clients post the
			// one-click unsubscribe (RFC 8058) without a session or an origin. All it
			// can do is turn a channel off.
			next.ServeHTTP(w, r)
		default:
			protected.ServeHTTP(w, r)
		}
	})
}

// startSession signs the user in: a new session row and its cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *cairn.User) (string, error) {
	plain, hash, err := auth.NewToken("")
	if err != nil {
		return "", cairn.Internal("web: new session", err)
	}
	now := s.now().UTC()
	if err := s.store.CreateSession(r.Context(), &cairn.Session{IDHash: hash, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.ttl)}); err != nil {
		return "", err
	}
	http.SetCookie(w, auth.SessionCookie(plain, s.secureCookies(r), s.ttl))
	return plain, nil
}

// secureCookies reports whether cookies must be Secure: the public URL is https, or the
// request came over HTTPS (as the trusted proxy says, when there is one).
func (s *Server) secureCookies(r *http.Request) bool {
	return s.httpsPublic || auth.IsSecureRequest(r, s.trust)
}

// clientIP is the client address that sign-in throttling counts.
func (s *Server) clientIP(r *http.Request) string { return auth.ClientIP(r, s.trust) }

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type meResponse struct {
	User      *cairn.User  `json:"user"`
	CSRFToken string       `json:"csrf_token,omitempty"`
	Orgs      []*cairn.Org `json:"orgs"`
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var in loginRequest
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.checkLogin(r.Context(), s.clientIP(r), in.Email, in.Password)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sid, err := s.startSession(w, r, u)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := cairn.NewContext(r.Context(), u)
	orgs, err := s.svc.ListOrgs(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, meResponse{User: u, CSRFToken: s.csrf.CSRFToken(sid), Orgs: orgs})
}

// errBadLogin is the one answer for an unknown email, an account without a password and a
// wrong password alike, so that sign-in never tells whether an account exists.
var errBadLogin = cairn.Errorf(cairn.EUNAUTHORIZED, "the email or password is wrong")

// checkLogin checks a local email and password from the client address. Every attempt
// passes the sign-in guard first, which counts it per typed email, known or not, and per
// address, and refuses with ETHROTTLED while either must wait. Every attempt that the guard
// lets through compares one password hash, a dummy one when no account has a password for
// the email, so that neither the answer nor its timing tells whether the account exists.
func (s *Server) checkLogin(ctx context.Context, ip, email, password string) (*cairn.User, error) {
	if strings.TrimSpace(email) == "" {
		return nil, cairn.FieldError("email", "email is required")
	}
	if password == "" {
		return nil, cairn.FieldError("password", "password is required")
	}
	attempt, err := s.guard.Begin(ctx, email, ip)
	if err != nil {
		return nil, err
	}
	u, err := s.checkPassword(ctx, email, password)
	if err != nil {
		return nil, err
	}
	if err := attempt.Succeeded(ctx); err != nil {
		return nil, err
	}
	return u, nil
}

// checkPassword returns the user with the email when password is theirs, and errBadLogin
// otherwise, after one hash comparison in every case.
func (s *Server) checkPassword(ctx context.Context, email, password string) (*cairn.User, error) {
	var u *cairn.User
	if cairn.UsableEmail(email) {
		var err error
		u, err = s.store.UserByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
		if err != nil && cairn.ErrorCode(err) != cairn.ENOTFOUND {
			return nil, err
		}
	}
	if u == nil || u.PasswordHash == "" {
		// Spend the same time as a real check so that timing does not reveal accounts.
		_ = s.passwords.Check(s.dummyHash(), password)
		return nil, errBadLogin
	}
	if err := s.passwords.Check(u.PasswordHash, password); err != nil {
		if errors.Is(err, auth.ErrMismatch) {
			return nil, errBadLogin
		}
		return nil, cairn.Internal("web: check password", err)
	}
	return u, nil
}

func (s *Server) dummyHash() string {
	s.dummyOnce.Do(func() { s.dummy, _ = s.passwords.Hash("cairn-dummy-password") })
	return s.dummy
}

// logout ends the caller's session; with ?all=true it ends every session of the caller,
// in every browser, whether the caller signed in with a cookie or sends an API token.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	all, err := queryBool(r, "all")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if all {
		if err := s.endAllSessions(w, r); err != nil {
			s.writeError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	s.endSession(w, r)
	w.WriteHeader(http.StatusNoContent)
}

// endSession deletes the request's session and clears its cookie.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) {
	if sid := sessionID(r.Context()); sid != "" {
		_ = s.store.DeleteSession(r.Context(), auth.HashToken(sid))
	}
	http.SetCookie(w, auth.ClearSessionCookie(s.secureCookies(r)))
}

// endAllSessions deletes every session of the signed-in user and clears the cookie. An
// anonymous request has no sessions to end.
func (s *Server) endAllSessions(w http.ResponseWriter, r *http.Request) error {
	if u := cairn.UserFromContext(r.Context()); u != nil {
		if err := s.store.DeleteUserSessions(r.Context(), u.ID); err != nil {
			return err
		}
	}
	http.SetCookie(w, auth.ClearSessionCookie(s.secureCookies(r)))
	return nil
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	u := cairn.UserFromContext(r.Context())
	orgs, err := s.svc.ListOrgs(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp := meResponse{User: u, Orgs: orgs}
	if sid := sessionID(r.Context()); sid != "" {
		resp.CSRFToken = s.csrf.CSRFToken(sid)
	}
	writeJSON(w, http.StatusOK, resp)
}

type tokenRequest struct {
	Name string `json:"name"`
}

type tokenResponse struct {
	*cairn.APIToken
	Token string `json:"token"`
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	var in tokenRequest
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	t, plain, err := CreateAPIToken(r.Context(), s.store, cairn.UserFromContext(r.Context()).ID, in.Name, s.now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, tokenResponse{APIToken: t, Token: plain})
}
