package auth_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn/auth"
)

var (
	appSecret     = []byte("current-extension-secret")
	appSecretPrev = []byte("previous-extension-secret")
)

func b64(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hs256 builds a token from a header and claims, signed with secret.
func hs256(header, claims any, secret []byte) string {
	s := b64(header) + "." + b64(claims)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(s))
	return s + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func TestVerifyAppToken(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	hdr := map[string]string{"alg": "HS256", "typ": "JWT"}
	claims := func(mod map[string]any) map[string]any {
		c := map[string]any{
			"nameid": "6b4ea8a1-2c3d-4e5f-9a8b-7c6d5e4f3a2b",
			"tid":    "0f3a1b2c-0000-0000-0000-000000000000",
			"jti":    "d9f3c1aa",
			"iss":    "app.vstoken.visualstudio.com",
			"aud":    "app.vstoken.visualstudio.com|vso:org-guid",
			"nbf":    now.Add(-time.Minute).Unix(),
			"exp":    now.Add(5 * time.Minute).Unix(),
		}
		for k, v := range mod {
			if v == nil {
				delete(c, k)
			} else {
				c[k] = v
			}
		}
		return c
	}
	good := hs256(hdr, claims(nil), appSecret)
	parts := strings.Split(good, ".")
	noneHeader := b64(map[string]string{"alg": "none"})

	tests := []struct {
		name    string
		token   string
		secrets [][]byte
		want    error
	}{
		{"ValidCurrentSecret", good, [][]byte{appSecret, appSecretPrev}, nil},
		{"ValidPreviousSecret", hs256(hdr, claims(nil), appSecretPrev), [][]byte{appSecret, appSecretPrev}, nil},
		{"ValidWithinExpLeeway", hs256(hdr, claims(map[string]any{"exp": now.Add(-30 * time.Second).Unix()}), appSecret), [][]byte{appSecret}, nil},
		{"ValidWithinNbfLeeway", hs256(hdr, claims(map[string]any{"nbf": now.Add(30 * time.Second).Unix()}), appSecret), [][]byte{appSecret}, nil},
		{"ValidAudienceList", hs256(hdr, claims(map[string]any{"aud": []string{"a", "b"}}), appSecret), [][]byte{appSecret}, nil},
		{"ValidIssuerAndAudienceIgnored", hs256(hdr, claims(map[string]any{"iss": "someone", "aud": "else"}), appSecret), [][]byte{appSecret}, nil},
		{"ErrAppTokenSignatureWrongSecret", hs256(hdr, claims(nil), []byte("other")), [][]byte{appSecret, appSecretPrev}, auth.ErrAppTokenSignature},
		{"ErrAppTokenSignatureTamperedPayload", parts[0] + "." + b64(claims(map[string]any{"nameid": "someone-else"})) + "." + parts[2], [][]byte{appSecret}, auth.ErrAppTokenSignature},
		{"ErrAppTokenSignatureEmpty", parts[0] + "." + parts[1] + ".", [][]byte{appSecret}, auth.ErrAppTokenSignature},
		{"ErrAppTokenExpired", hs256(hdr, claims(map[string]any{"exp": now.Add(-2 * time.Minute).Unix()}), appSecret), [][]byte{appSecret}, auth.ErrAppTokenExpired},
		{"ErrAppTokenExpiredNoExp", hs256(hdr, claims(map[string]any{"exp": nil}), appSecret), [][]byte{appSecret}, auth.ErrAppTokenExpired},
		{"ErrAppTokenNotYetValid", hs256(hdr, claims(map[string]any{"nbf": now.Add(2 * time.Minute).Unix()}), appSecret), [][]byte{appSecret}, auth.ErrAppTokenNotYetValid},
		{"ErrAppTokenAlgorithmNone", noneHeader + "." + parts[1] + ".", [][]byte{appSecret}, auth.ErrAppTokenAlgorithm},
		{"ErrAppTokenAlgorithmRS256", hs256(map[string]string{"alg": "RS256"}, claims(nil), appSecret), [][]byte{appSecret}, auth.ErrAppTokenAlgorithm},
		{"ErrAppTokenAlgorithmLowerCase", hs256(map[string]string{"alg": "hs256"}, claims(nil), appSecret), [][]byte{appSecret}, auth.ErrAppTokenAlgorithm},
		{"ErrAppTokenAlgorithmMissing", hs256(map[string]string{"typ": "JWT"}, claims(nil), appSecret), [][]byte{appSecret}, auth.ErrAppTokenAlgorithm},
		{"ErrAppTokenMalformedTwoParts", parts[0] + "." + parts[1], [][]byte{appSecret}, auth.ErrAppTokenMalformed},
		{"ErrAppTokenMalformedEmpty", "", [][]byte{appSecret}, auth.ErrAppTokenMalformed},
		{"ErrAppTokenMalformedHeaderNotJSON", base64.RawURLEncoding.EncodeToString([]byte("nope")) + "." + parts[1] + "." + parts[2], [][]byte{appSecret}, auth.ErrAppTokenMalformed},
		{"ErrAppTokenMalformedHeaderNotBase64", "!!." + parts[1] + "." + parts[2], [][]byte{appSecret}, auth.ErrAppTokenMalformed},
		{"ErrAppTokenMalformedSignatureNotBase64", parts[0] + "." + parts[1] + ".!!", [][]byte{appSecret}, auth.ErrAppTokenMalformed},
		{"ErrAppTokenMalformedCrit", hs256(map[string]any{"alg": "HS256", "crit": []string{"b64"}}, claims(nil), appSecret), [][]byte{appSecret}, auth.ErrAppTokenMalformed},
		{"ErrAppTokenMalformedExpString", hs256(hdr, claims(map[string]any{"exp": "tomorrow"}), appSecret), [][]byte{appSecret}, auth.ErrAppTokenMalformed},
		{"ErrAppTokenMalformedExpHuge", hs256(hdr, claims(map[string]any{"exp": 1e300}), appSecret), [][]byte{appSecret}, auth.ErrAppTokenMalformed},
		{"ErrAppTokenMalformedNoNameID", hs256(hdr, claims(map[string]any{"nameid": nil}), appSecret), [][]byte{appSecret}, auth.ErrAppTokenMalformed},
		{"ErrAppTokenMalformedBadAudience", hs256(hdr, claims(map[string]any{"aud": 5}), appSecret), [][]byte{appSecret}, auth.ErrAppTokenMalformed},
		{"ErrAppTokenMalformedTooLong", good + strings.Repeat("A", 9000), [][]byte{appSecret}, auth.ErrAppTokenMalformed},
		{"ErrAppTokenNoSecretNil", good, nil, auth.ErrAppTokenNoSecret},
		{"ErrAppTokenNoSecretEmpty", hs256(hdr, claims(nil), []byte{}), [][]byte{{}}, auth.ErrAppTokenNoSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := auth.VerifyAppToken(tt.token, tt.secrets, now)
			if tt.want != nil {
				if !errors.Is(err, tt.want) {
					t.Fatalf("VerifyAppToken = %v, want %v", err, tt.want)
				}
				if c.NameID != "" {
					t.Fatalf("claims returned with error: %+v", c)
				}
				return
			}
			if err != nil {
				t.Fatalf("VerifyAppToken: %v", err)
			}
			if c.NameID == "" || c.ExpiresAt.IsZero() || c.Raw["jti"] == nil {
				t.Fatalf("claims = %+v, want nameid, exp and raw claims", c)
			}
		})
	}
}

func TestVerifyAppTokenClaims(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tok := hs256(map[string]string{"alg": "HS256", "typ": "JWT"}, map[string]any{
		"nameid": "user-1", "tid": "tenant-1", "iss": "issuer-1", "aud": "aud-1",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}, appSecret)
	c, err := auth.VerifyAppToken(tok, [][]byte{appSecret}, now)
	if err != nil {
		t.Fatal(err)
	}
	if c.NameID != "user-1" || c.TenantID != "tenant-1" || c.Issuer != "issuer-1" || len(c.Audience) != 1 || c.Audience[0] != "aud-1" {
		t.Errorf("claims = %+v", c)
	}
	if !c.ExpiresAt.Equal(now.Add(time.Hour)) || !c.NotBefore.Equal(now) || !c.IssuedAt.Equal(now) {
		t.Errorf("times exp=%v nbf=%v iat=%v", c.ExpiresAt, c.NotBefore, c.IssuedAt)
	}
}
