package auth

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
)

// CSRFHeader is the request header that carries the CSRF token; htmx and
// scripts send it.
const CSRFHeader = "X-CSRF-Token"

// CSRFFormField is the form field that carries the CSRF token in plain HTML
// forms.
const CSRFFormField = "csrf_token"

// MinCSRFKeyLen is the shortest CSRF key accepted, in bytes.
const MinCSRFKeyLen = 32

// csrfLabel separates CSRF MACs from any other use of the same key.
const csrfLabel = "cairn csrf v1\x00"

// CSRFConfig configures NewCSRF.
type CSRFConfig struct {
	// Key is the server's HMAC key, at least MinCSRFKeyLen random bytes. All
	// replicas must share it.
	Key []byte
	// SessionID returns the session id a request carries, or "" when it
	// carries none. Nil means the value of the SessionCookieName cookie.
	SessionID func(r *http.Request) string
	// TrustedOrigins are origins (scheme://host[:port]) other than Cairn's own
	// that may send state-changing browser requests.
	TrustedOrigins []string
}

// CSRF protects state-changing requests against cross-site request forgery
// with two independent checks: the browser's Sec-Fetch-Site or Origin header
// must not mark the request cross-origin, and a request carrying a session
// must also present a token bound to that session (double submit with an
// HMAC, so the server stores nothing).
type CSRF struct {
	key       []byte
	sessionID func(r *http.Request) string
	origins   *http.CrossOriginProtection
}

// NewCSRF returns CSRF protection configured by cfg.
func NewCSRF(cfg CSRFConfig) (*CSRF, error) {
	if len(cfg.Key) < MinCSRFKeyLen {
		return nil, fmt.Errorf("auth: new csrf: key is %d bytes, want at least %d", len(cfg.Key), MinCSRFKeyLen)
	}
	c := &CSRF{
		key:       append([]byte(nil), cfg.Key...),
		sessionID: cfg.SessionID,
		origins:   http.NewCrossOriginProtection(),
	}
	if c.sessionID == nil {
		c.sessionID = sessionIDFromCookie
	}
	for _, o := range cfg.TrustedOrigins {
		if err := c.origins.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("auth: new csrf: trusted origin: %w", err)
		}
	}
	return c, nil
}

func sessionIDFromCookie(r *http.Request) string {
	ck, err := r.Cookie(SessionCookieName)
	if err != nil {
		return ""
	}
	return ck.Value
}

// CSRFToken returns the CSRF token for sessionID, to be put in pages as a
// form field or meta tag. It is "" for an empty session id.
func (c *CSRF) CSRFToken(sessionID string) string {
	if sessionID == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(c.mac(sessionID))
}

// VerifyCSRF reports, in constant time, whether token is the CSRF token for
// sessionID.
func (c *CSRF) VerifyCSRF(sessionID, token string) bool {
	if sessionID == "" || token == "" {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return false
	}
	return hmac.Equal(got, c.mac(sessionID))
}

func (c *CSRF) mac(sessionID string) []byte {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte(csrfLabel))
	m.Write([]byte(sessionID))
	return m.Sum(nil)
}

// Problem details sent when a request is refused.
const (
	csrfDetailToken       = "missing or invalid CSRF token"
	csrfDetailCrossOrigin = "cross-origin request refused"
)

// Check reports why r must be refused, or nil when it may proceed. Safe
// methods (GET, HEAD, OPTIONS) always pass. A request with an
// "Authorization: Bearer" header and no session passes: browsers never add
// such a header on their own, so it cannot be forged cross-site. Any other
// request must not be cross-origin, and one that carries a session must hold
// the session's CSRF token in the X-CSRF-Token header or the csrf_token form
// field.
func (c *CSRF) Check(r *http.Request) error {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	sid := c.sessionID(r)
	if sid == "" && hasBearer(r) {
		return nil
	}
	if err := c.origins.Check(r); err != nil {
		return fmt.Errorf("%w: %w", ErrCrossOrigin, err)
	}
	if sid == "" {
		return nil
	}
	if !c.VerifyCSRF(sid, csrfTokenFrom(r)) {
		return ErrCSRFToken
	}
	return nil
}

var (
	// ErrCSRFToken reports a state-changing request whose CSRF token is
	// missing or does not match its session.
	ErrCSRFToken = errors.New(csrfDetailToken)
	// ErrCrossOrigin reports a state-changing request that a browser marked
	// as cross-origin.
	ErrCrossOrigin = errors.New(csrfDetailCrossOrigin)
)

// Wrap returns a handler that refuses requests failing Check with 403 and an
// RFC 9457 problem+json body, and passes the rest to next.
func (c *CSRF) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := c.Check(r); err != nil {
			detail := csrfDetailToken
			if errors.Is(err, ErrCrossOrigin) {
				detail = csrfDetailCrossOrigin
			}
			writeForbidden(w, detail)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// WrapOrigin is Wrap without the token: it refuses, with the same 403, only the
// state-changing requests that a browser marks cross-origin, and passes the rest with or
// without a session. It is for same-origin scripts that Cairn does not write and that
// therefore cannot send the token, such as River's UI. The session cookie's SameSite=Lax
// keeps it off cross-site requests besides.
func (c *CSRF) WrapOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := c.origins.Check(r); err != nil {
			writeForbidden(w, csrfDetailCrossOrigin)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeForbidden(w http.ResponseWriter, detail string) {
	body, _ := json.Marshal(struct {
		Type   string `json:"type"`
		Title  string `json:"title"`
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}{"about:blank", "Forbidden", http.StatusForbidden, detail})
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write(body)
}

func hasBearer(r *http.Request) bool {
	scheme, cred, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	return ok && strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(cred) != ""
}

// csrfTokenFrom reads the token from the header, or else from a form body.
// Other bodies (JSON, for example) are left unread for the handler.
func csrfTokenFrom(r *http.Request) string {
	if t := r.Header.Get(CSRFHeader); t != "" {
		return t
	}
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/x-www-form-urlencoded":
		return r.PostFormValue(CSRFFormField)
	case "multipart/form-data":
		return multipartToken(r, params["boundary"])
	}
	return ""
}

// MaxMultipartTokenOffset is how far into a multipart body the CSRF token field may start:
// forms put it before their files, as the first field.
const MaxMultipartTokenOffset = 64 << 10

// multipartToken finds the token field among the fields that open a multipart body, and
// puts what it read back in front of the rest of the body. Parsing the whole form here, as
// r.PostFormValue would, would store an upload of any size before the handler could apply
// its own limit; this way the handler reads the body whole and decides.
func multipartToken(r *http.Request, boundary string) string {
	if boundary == "" || r.Body == nil {
		return ""
	}
	body := r.Body
	var seen bytes.Buffer
	mr := multipart.NewReader(io.TeeReader(io.LimitReader(body, MaxMultipartTokenOffset), &seen), boundary)
	token := ""
	for {
		p, err := mr.NextPart()
		if err != nil || p.FileName() != "" {
			break
		}
		if p.FormName() == CSRFFormField {
			b, err := io.ReadAll(io.LimitReader(p, 1024))
			if err == nil {
				token = string(b)
			}
			break
		}
	}
	r.Body = replayedBody{Reader: io.MultiReader(&seen, body), Closer: body}
	return token
}

// replayedBody is a request body with its first bytes read already and put back.
type replayedBody struct {
	io.Reader
	io.Closer
}
