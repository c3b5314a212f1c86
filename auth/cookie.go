package auth

import (
	"net/http"
	"strings"
	"time"
)

// SessionCookieName is the name of the cookie that carries the session id.
const SessionCookieName = "cairn_session"

// SessionCookie returns the session cookie carrying value. It is HttpOnly so
// scripts cannot read it, SameSite=Lax so it is not sent on cross-site
// sub-requests, scoped to the whole site, and Secure when secure is true. A
// maxAge of zero or less makes a browser-session cookie; otherwise it is
// rounded up to whole seconds.
func SessionCookie(value string, secure bool, maxAge time.Duration) *http.Cookie {
	c := &http.Cookie{
		Name:     SessionCookieName,
		Value:    value,
		Path:     "/",
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	}
	if maxAge > 0 {
		c.MaxAge = int((maxAge + time.Second - 1) / time.Second)
	}
	return c
}

// ClearSessionCookie returns a cookie that makes the browser delete the
// session cookie. Its attributes match SessionCookie's, as browsers require
// to replace a cookie.
func ClearSessionCookie(secure bool) *http.Cookie {
	c := SessionCookie("", secure, 0)
	c.MaxAge = -1
	return c
}

// IsSecureRequest reports whether r reached Cairn over HTTPS: either the
// connection itself is TLS, or trustProxy is set and the reverse proxy in
// front says so in X-Forwarded-Proto or Forwarded (proto=https). Forwarding
// headers are ignored unless trustProxy is set, because any client can send
// them.
func IsSecureRequest(r *http.Request, trustProxy bool) bool {
	if r.TLS != nil {
		return true
	}
	if !trustProxy {
		return false
	}
	// The first value is the one the client-facing proxy wrote.
	if v := r.Header.Get("X-Forwarded-Proto"); v != "" {
		first, _, _ := strings.Cut(v, ",")
		return strings.EqualFold(strings.TrimSpace(first), "https")
	}
	if v := r.Header.Get("Forwarded"); v != "" {
		first, _, _ := strings.Cut(v, ",")
		for _, pair := range strings.Split(first, ";") {
			k, val, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if ok && strings.EqualFold(k, "proto") {
				return strings.EqualFold(strings.Trim(val, `"`), "https")
			}
		}
	}
	return false
}
