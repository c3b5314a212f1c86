package auth_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn/auth"
)

func TestSessionCookie(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		secure     bool
		maxAge     time.Duration
		wantMaxAge int
	}{
		{"SecureWithMaxAge", true, 24 * time.Hour, 86400},
		{"InsecureRoundsUp", false, 1500 * time.Millisecond, 2},
		{"BrowserSession", true, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := auth.SessionCookie("cairn_ses_abc", tt.secure, tt.maxAge)
			if auth.SessionCookieName != "cairn_session" || c.Name != auth.SessionCookieName {
				t.Errorf("Name = %q", c.Name)
			}
			if c.Value != "cairn_ses_abc" || c.Path != "/" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Errorf("cookie = %+v, want value, Path=/, HttpOnly, SameSite=Lax", c)
			}
			if c.Secure != tt.secure {
				t.Errorf("Secure = %v, want %v", c.Secure, tt.secure)
			}
			if c.MaxAge != tt.wantMaxAge {
				t.Errorf("MaxAge = %d, want %d", c.MaxAge, tt.wantMaxAge)
			}
			if err := c.Valid(); err != nil {
				t.Errorf("cookie not valid: %v", err)
			}
		})
	}
}

func TestClearSessionCookie(t *testing.T) {
	t.Parallel()
	c := auth.ClearSessionCookie(true)
	if c.Name != auth.SessionCookieName || c.Value != "" || c.MaxAge >= 0 || !c.Secure || !c.HttpOnly || c.Path != "/" {
		t.Fatalf("cookie = %+v, want an expired, empty, secure session cookie", c)
	}
	if h := c.String(); !strings.Contains(h, "Max-Age=0") {
		t.Fatalf("Set-Cookie %q lacks Max-Age=0", h)
	}
}

func TestIsSecureRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		tls        bool
		header     map[string]string
		trustProxy bool
		want       bool
	}{
		{"PlainHTTP", false, nil, true, false},
		{"TLS", true, nil, false, true},
		{"ForwardedProtoTrusted", false, map[string]string{"X-Forwarded-Proto": "https"}, true, true},
		{"ForwardedProtoUpperCase", false, map[string]string{"X-Forwarded-Proto": "HTTPS"}, true, true},
		{"ForwardedProtoUntrusted", false, map[string]string{"X-Forwarded-Proto": "https"}, false, false},
		{"ForwardedProtoHTTP", false, map[string]string{"X-Forwarded-Proto": "http"}, true, false},
		{"ForwardedProtoListFirstWins", false, map[string]string{"X-Forwarded-Proto": "http, https"}, true, false},
		{"ForwardedHeader", false, map[string]string{"Forwarded": `for=1.2.3.4;proto=https;host=x`}, true, true},
		{"ForwardedHeaderHTTP", false, map[string]string{"Forwarded": `proto=http`}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			if got := auth.IsSecureRequest(r, tt.trustProxy); got != tt.want {
				t.Fatalf("IsSecureRequest = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestClientIP(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		remote     string
		header     map[string][]string
		trustProxy bool
		want       string
	}{
		{"PeerIPv4", "203.0.113.7:51234", nil, false, "203.0.113.7"},
		{"PeerIPv6", "[2001:db8::1]:443", nil, false, "2001:db8::1"},
		{"PeerWithoutPort", "198.51.100.2", nil, false, "198.51.100.2"},
		{"PeerUnreadable", "@", nil, false, ""},
		{"ForwardedForIgnoredUntrusted", "10.0.0.1:80", map[string][]string{"X-Forwarded-For": {"203.0.113.9"}}, false, "10.0.0.1"},
		{"ForwardedForTrusted", "10.0.0.1:80", map[string][]string{"X-Forwarded-For": {"203.0.113.9"}}, true, "203.0.113.9"},
		{"ForwardedForLastEntryWins", "10.0.0.1:80", map[string][]string{"X-Forwarded-For": {"6.6.6.6, 203.0.113.9"}}, true, "203.0.113.9"},
		{"ForwardedForLastLineWins", "10.0.0.1:80", map[string][]string{"X-Forwarded-For": {"6.6.6.6", "203.0.113.9"}}, true, "203.0.113.9"},
		{"ForwardedForGarbageFallsBackToPeer", "10.0.0.1:80", map[string][]string{"X-Forwarded-For": {"not-an-ip"}}, true, "10.0.0.1"},
		{"ForwardedHeaderTrusted", "10.0.0.1:80", map[string][]string{"Forwarded": {`for=6.6.6.6, for="[2001:db8::5]:4711";proto=https`}}, true, "2001:db8::5"},
		{"ForwardedHeaderIgnoredUntrusted", "10.0.0.1:80", map[string][]string{"Forwarded": {`for=203.0.113.9`}}, false, "10.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, "/login", nil)
			r.RemoteAddr = tt.remote
			for k, vs := range tt.header {
				for _, v := range vs {
					r.Header.Add(k, v)
				}
			}
			if got := auth.ClientIP(r, tt.trustProxy); got != tt.want {
				t.Fatalf("ClientIP = %q, want %q", got, tt.want)
			}
		})
	}
}
