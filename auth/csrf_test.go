package auth_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn/auth"
)

func newCSRF(t *testing.T, cfg auth.CSRFConfig) *auth.CSRF {
	t.Helper()
	if cfg.Key == nil {
		cfg.Key = bytes.Repeat([]byte{7}, 32)
	}
	c, err := auth.NewCSRF(cfg)
	if err != nil {
		t.Fatalf("NewCSRF: %v", err)
	}
	return c
}

func TestCSRFToken(t *testing.T) {
	t.Parallel()
	c := newCSRF(t, auth.CSRFConfig{})
	other := newCSRF(t, auth.CSRFConfig{Key: bytes.Repeat([]byte{8}, 32)})
	tok := c.CSRFToken("session-1")
	if tok == "" {
		t.Fatal("CSRFToken is empty")
	}
	if tok != c.CSRFToken("session-1") {
		t.Fatal("CSRFToken is not deterministic")
	}
	tests := []struct {
		name  string
		c     *auth.CSRF
		sid   string
		token string
		want  bool
	}{
		{"Valid", c, "session-1", tok, true},
		{"OtherSession", c, "session-2", tok, false},
		{"OtherKey", other, "session-1", tok, false},
		{"Empty", c, "session-1", "", false},
		{"NotBase64", c, "session-1", "!!" + tok, false},
		{"Truncated", c, "session-1", tok[:len(tok)-2], false},
		{"EmptySession", c, "", c.CSRFToken(""), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.c.VerifyCSRF(tt.sid, tt.token); got != tt.want {
				t.Fatalf("VerifyCSRF = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNewCSRFRefusesBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  auth.CSRFConfig
	}{
		{"ShortKey", auth.CSRFConfig{Key: []byte("short")}},
		{"BadOrigin", auth.CSRFConfig{Key: bytes.Repeat([]byte{1}, 32), TrustedOrigins: []string{"not an origin"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := auth.NewCSRF(tt.cfg); err == nil {
				t.Fatal("NewCSRF succeeded, want an error")
			}
		})
	}
}

func TestCSRFWrap(t *testing.T) {
	t.Parallel()
	c := newCSRF(t, auth.CSRFConfig{TrustedOrigins: []string{"https://dev.azure.com"}})
	const sid = "cairn_ses_xyz"
	tok := c.CSRFToken(sid)

	form := func(v url.Values) (io.Reader, string) {
		return strings.NewReader(v.Encode()), "application/x-www-form-urlencoded"
	}
	multi := func(field, value string) (io.Reader, string) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		_ = mw.WriteField(field, value)
		_ = mw.Close()
		return &b, mw.FormDataContentType()
	}
	tests := []struct {
		name       string
		method     string
		cookie     string
		header     map[string]string
		body       func() (io.Reader, string)
		wantStatus int
		wantDetail string
	}{
		{name: "GetWithoutTokenPasses", method: http.MethodGet, cookie: sid, wantStatus: http.StatusOK},
		{name: "HeadCrossSitePasses", method: http.MethodHead, cookie: sid, header: map[string]string{"Sec-Fetch-Site": "cross-site"}, wantStatus: http.StatusOK},
		{name: "PostHeaderTokenPasses", method: http.MethodPost, cookie: sid, header: map[string]string{"X-CSRF-Token": tok}, wantStatus: http.StatusOK},
		{name: "PostFormTokenPasses", method: http.MethodPost, cookie: sid, body: func() (io.Reader, string) { return form(url.Values{"csrf_token": {tok}, "name": {"x"}}) }, wantStatus: http.StatusOK},
		{name: "PostMultipartTokenPasses", method: http.MethodPost, cookie: sid, body: func() (io.Reader, string) { return multi("csrf_token", tok) }, wantStatus: http.StatusOK},
		{name: "SameOriginWithTokenPasses", method: http.MethodPut, cookie: sid, header: map[string]string{"X-CSRF-Token": tok, "Sec-Fetch-Site": "same-origin", "Origin": "http://cairn.test"}, wantStatus: http.StatusOK},
		{name: "TrustedOriginPasses", method: http.MethodPost, cookie: sid, header: map[string]string{"X-CSRF-Token": tok, "Sec-Fetch-Site": "cross-site", "Origin": "https://dev.azure.com"}, wantStatus: http.StatusOK},
		{name: "BearerWithoutCookieExempt", method: http.MethodPost, header: map[string]string{"Authorization": "Bearer cairn_pat_abc", "Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, wantStatus: http.StatusOK},
		{name: "NoSessionNoCrossOriginPasses", method: http.MethodPost, wantStatus: http.StatusOK},
		{name: "MissingTokenRefused", method: http.MethodPost, cookie: sid, wantStatus: http.StatusForbidden, wantDetail: "missing or invalid CSRF token"},
		{name: "WrongTokenRefused", method: http.MethodDelete, cookie: sid, header: map[string]string{"X-CSRF-Token": c.CSRFToken("other-session")}, wantStatus: http.StatusForbidden, wantDetail: "missing or invalid CSRF token"},
		{name: "WrongFormTokenRefused", method: http.MethodPatch, cookie: sid, body: func() (io.Reader, string) { return form(url.Values{"csrf_token": {"nope"}}) }, wantStatus: http.StatusForbidden, wantDetail: "missing or invalid CSRF token"},
		{name: "JSONBodyTokenIgnoredRefused", method: http.MethodPost, cookie: sid, body: func() (io.Reader, string) {
			return strings.NewReader(`{"csrf_token":"` + tok + `"}`), "application/json"
		}, wantStatus: http.StatusForbidden, wantDetail: "missing or invalid CSRF token"},
		{name: "BearerWithCookieNeedsToken", method: http.MethodPost, cookie: sid, header: map[string]string{"Authorization": "Bearer cairn_pat_abc"}, wantStatus: http.StatusForbidden, wantDetail: "missing or invalid CSRF token"},
		{name: "EmptyBearerNotExempt", method: http.MethodPost, header: map[string]string{"Authorization": "Bearer ", "Sec-Fetch-Site": "cross-site"}, wantStatus: http.StatusForbidden, wantDetail: "cross-origin request refused"},
		{name: "CrossSiteRefusedEvenWithToken", method: http.MethodPost, cookie: sid, header: map[string]string{"X-CSRF-Token": tok, "Sec-Fetch-Site": "cross-site"}, wantStatus: http.StatusForbidden, wantDetail: "cross-origin request refused"},
		{name: "CrossOriginByOriginRefused", method: http.MethodPost, cookie: sid, header: map[string]string{"X-CSRF-Token": tok, "Origin": "https://evil.example"}, wantStatus: http.StatusForbidden, wantDetail: "cross-origin request refused"},
		{name: "CrossSiteWithoutSessionRefused", method: http.MethodPost, header: map[string]string{"Sec-Fetch-Site": "cross-site"}, wantStatus: http.StatusForbidden, wantDetail: "cross-origin request refused"},
		{name: "UnknownMethodProtected", method: "PROPFIND", cookie: sid, wantStatus: http.StatusForbidden, wantDetail: "missing or invalid CSRF token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var body io.Reader
			ctype := ""
			if tt.body != nil {
				body, ctype = tt.body()
			}
			r := httptest.NewRequest(tt.method, "http://cairn.test/okrs", body)
			if ctype != "" {
				r.Header.Set("Content-Type", ctype)
			}
			if tt.cookie != "" {
				r.AddCookie(auth.SessionCookie(tt.cookie, false, 0))
			}
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			called := false
			h := c.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				called = true
				w.WriteHeader(http.StatusOK)
			}))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d (body %s)", rec.Code, tt.wantStatus, rec.Body)
			}
			if called != (tt.wantStatus == http.StatusOK) {
				t.Fatalf("next called = %v with status %d", called, rec.Code)
			}
			if tt.wantStatus != http.StatusForbidden {
				return
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type = %q, want application/problem+json", ct)
			}
			var p map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
				t.Fatalf("body %q: %v", rec.Body, err)
			}
			want := map[string]any{"type": "about:blank", "title": "Forbidden", "status": float64(403), "detail": tt.wantDetail}
			if len(p) != len(want) {
				t.Errorf("body = %v, want %v", p, want)
			}
			for k, v := range want {
				if p[k] != v {
					t.Errorf("body[%q] = %v, want %v", k, p[k], v)
				}
			}
		})
	}
}

func TestCSRFCustomSessionID(t *testing.T) {
	t.Parallel()
	c := newCSRF(t, auth.CSRFConfig{SessionID: func(r *http.Request) string { return r.Header.Get("X-Test-Session") }})
	tests := []struct {
		name   string
		header map[string]string
		want   error
	}{
		{"ErrCSRFToken", map[string]string{"X-Test-Session": "s1"}, auth.ErrCSRFToken},
		{"Valid", map[string]string{"X-Test-Session": "s1", "X-CSRF-Token": c.CSRFToken("s1")}, nil},
		{"NoSession", nil, nil},
		{"ErrCrossOrigin", map[string]string{"Sec-Fetch-Site": "same-site"}, auth.ErrCrossOrigin},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			// The default cookie must be ignored when a reader is configured.
			r.AddCookie(auth.SessionCookie("cookie-session", false, 0))
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			err := c.Check(r)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Check = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestCSRFWrapOrigin(t *testing.T) {
	t.Parallel()
	c := newCSRF(t, auth.CSRFConfig{TrustedOrigins: []string{"https://dev.azure.com"}})
	const sid = "cairn_ses_xyz"
	tests := []struct {
		name       string
		method     string
		header     map[string]string
		wantStatus int
	}{
		{"SameOriginWithoutTokenPasses", http.MethodPut, map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "http://cairn.test"}, http.StatusOK},
		{"MatchingOriginWithoutTokenPasses", http.MethodPost, map[string]string{"Origin": "http://cairn.test"}, http.StatusOK},
		{"NoBrowserHeadersPasses", http.MethodPost, nil, http.StatusOK},
		{"TrustedOriginPasses", http.MethodPost, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://dev.azure.com"}, http.StatusOK},
		{"GetCrossSitePasses", http.MethodGet, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusOK},
		{"CrossSiteRefused", http.MethodPost, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"SameSiteRefused", http.MethodDelete, map[string]string{"Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{"CrossOriginByOriginRefused", http.MethodPatch, map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(tt.method, "http://cairn.test/admin/jobs/api/jobs/retry", nil)
			r.AddCookie(auth.SessionCookie(sid, false, 0))
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			called := false
			h := c.WrapOrigin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				called = true
				w.WriteHeader(http.StatusOK)
			}))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != tt.wantStatus || called != (tt.wantStatus == http.StatusOK) {
				t.Fatalf("status = %d, next called = %v; want %d (body %s)", rec.Code, called, tt.wantStatus, rec.Body)
			}
			if tt.wantStatus == http.StatusForbidden && !strings.Contains(rec.Body.String(), "cross-origin request refused") {
				t.Errorf("body = %s, want the cross-origin detail", rec.Body)
			}
		})
	}
}

// TestCSRFMultipartLeavesTheUploadToTheHandler sends a form with its token first and a
// file after it: the check passes on the token alone and the handler reads the body whole,
// so that it applies its own size limit rather than the check storing the upload. A token
// that only comes after the file, or too far in, is not looked for.
func TestCSRFMultipartLeavesTheUploadToTheHandler(t *testing.T) {
	t.Parallel()
	c := newCSRF(t, auth.CSRFConfig{})
	const sid = "cairn_ses_upload"
	tok := c.CSRFToken(sid)
	file := bytes.Repeat([]byte("0123456789abcdef"), 16<<10) // 256 KiB
	build := func(fields ...string) ([]byte, string) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		for i := 0; i < len(fields); i += 2 {
			if fields[i] == "file" {
				w, _ := mw.CreateFormFile("file", "export.csv")
				_, _ = w.Write(file)
				continue
			}
			_ = mw.WriteField(fields[i], fields[i+1])
		}
		_ = mw.Close()
		return b.Bytes(), mw.FormDataContentType()
	}
	tests := []struct {
		name   string
		fields []string
		want   int
	}{
		{"TokenFirstPasses", []string{"csrf_token", tok, "day_first", "1", "file", ""}, http.StatusOK},
		{"TokenAfterAnotherFieldPasses", []string{"day_first", "1", "csrf_token", tok, "file", ""}, http.StatusOK},
		{"TokenAfterTheFileRefused", []string{"file", "", "csrf_token", tok}, http.StatusForbidden},
		{"TokenBeyondTheLimitRefused", []string{"note", strings.Repeat("x", auth.MaxMultipartTokenOffset), "csrf_token", tok}, http.StatusForbidden},
		{"WrongTokenRefused", []string{"csrf_token", c.CSRFToken("other"), "file", ""}, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body, ctype := build(tt.fields...)
			r := httptest.NewRequest(http.MethodPost, "http://cairn.test/upload", bytes.NewReader(body))
			r.Header.Set("Content-Type", ctype)
			r.AddCookie(auth.SessionCookie(sid, false, 0))
			var got []byte
			h := c.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.MultipartForm != nil || r.PostForm != nil {
					t.Error("the check parsed the form before the handler")
				}
				got, _ = io.ReadAll(r.Body)
				w.WriteHeader(http.StatusOK)
			}))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != tt.want {
				t.Fatalf("status = %d, want %d (%s)", rec.Code, tt.want, rec.Body)
			}
			if tt.want == http.StatusOK && !bytes.Equal(got, body) {
				t.Fatalf("the handler read %d bytes, want the %d of the body unchanged", len(got), len(body))
			}
		})
	}
}
