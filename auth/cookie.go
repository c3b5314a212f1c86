package auth

import (
	"net/http"
	"net/netip"
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

// ClientIP returns the IP address of the client that sent r: the peer address of the
// connection, or, when trustProxy is set, the address that the reverse proxy in front of
// Cairn saw, which is the last X-Forwarded-For entry (or the last for= of Forwarded). The
// last entry is the one the proxy appended itself; earlier ones came from the client and
// may be forged. Forwarding headers are ignored unless trustProxy is set. It returns ""
// when no address can be read.
func ClientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if ip := lastForwardedFor(r.Header.Values("X-Forwarded-For")); ip != "" {
			return ip
		}
		if ip := lastForwarded(r.Header.Values("Forwarded")); ip != "" {
			return ip
		}
	}
	return parseIP(r.RemoteAddr)
}

// lastForwardedFor returns the last address of X-Forwarded-For header lines.
func lastForwardedFor(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	parts := strings.Split(lines[len(lines)-1], ",")
	return parseIP(strings.TrimSpace(parts[len(parts)-1]))
}

// lastForwarded returns the for= address of the last element of Forwarded header lines
// (RFC 7239).
func lastForwarded(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	elems := strings.Split(lines[len(lines)-1], ",")
	for _, pair := range strings.Split(elems[len(elems)-1], ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if ok && strings.EqualFold(k, "for") {
			return parseIP(strings.Trim(v, `"`))
		}
	}
	return ""
}

// parseIP reads an IP address with or without a port ("1.2.3.4", "1.2.3.4:5",
// "[2001:db8::1]:5", "2001:db8::1") and returns it in canonical form, or "".
func parseIP(s string) string {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.WithZone("").String()
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().WithZone("").String()
	}
	if a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")); err == nil {
		return a.WithZone("").String()
	}
	return ""
}
