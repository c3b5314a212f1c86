package auth

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// AppTokenLeeway is the clock skew allowed when checking an app token's exp
// and nbf claims.
const AppTokenLeeway = time.Minute

// maxAppTokenLen bounds the tokens parsed; real app tokens are under 1 KB.
const maxAppTokenLen = 8 << 10

// Errors VerifyAppToken returns; each is wrapped with detail.
var (
	// ErrAppTokenMalformed reports a token that is not a well-formed JWT.
	ErrAppTokenMalformed = errors.New("app token malformed")
	// ErrAppTokenAlgorithm reports a token signed with anything but HS256,
	// including the unsigned alg "none".
	ErrAppTokenAlgorithm = errors.New("app token algorithm not HS256")
	// ErrAppTokenSignature reports a token whose signature matches none of
	// the extension secrets.
	ErrAppTokenSignature = errors.New("app token signature invalid")
	// ErrAppTokenExpired reports a token past its exp claim, or one without
	// an exp claim.
	ErrAppTokenExpired = errors.New("app token expired")
	// ErrAppTokenNotYetValid reports a token before its nbf claim.
	ErrAppTokenNotYetValid = errors.New("app token not yet valid")
	// ErrAppTokenNoSecret reports that no extension secret is configured.
	ErrAppTokenNoSecret = errors.New("no extension secret configured")
)

// AppClaims are the claims of an Azure DevOps extension app token.
type AppClaims struct {
	// NameID is the nameid claim, the Azure DevOps id of the user the
	// extension runs for.
	NameID string
	// TenantID is the tid claim.
	TenantID string
	// Issuer is the iss claim, reported but not checked.
	Issuer string
	// Audience is the aud claim, reported but not checked.
	Audience []string
	// ExpiresAt is the exp claim.
	ExpiresAt time.Time
	// NotBefore is the nbf claim, or the zero time when absent.
	NotBefore time.Time
	// IssuedAt is the iat claim, or the zero time when absent.
	IssuedAt time.Time
	// Raw holds every claim as sent.
	Raw map[string]json.RawMessage
}

// VerifyAppToken checks an app token that the Azure DevOps extension SDK
// (getAppToken) issued: an HS256 JWT signed with the extension's secret. The
// token is accepted when it verifies under any of secrets, so the secret can
// be rotated by listing the current one and the previous one; pass the
// secret's UTF-8 bytes as the Marketplace shows it. exp is required and, like
// nbf, checked against now with AppTokenLeeway. iss and aud are deliberately
// not checked: their values are not documented as stable, and the signature
// with the extension's own secret already proves the origin.
func VerifyAppToken(token string, secrets [][]byte, now time.Time) (AppClaims, error) {
	const op = "auth: verify app token"
	var c AppClaims
	if len(token) > maxAppTokenLen {
		return c, fmt.Errorf("%s: %w: longer than %d bytes", op, ErrAppTokenMalformed, maxAppTokenLen)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return c, fmt.Errorf("%s: %w: want 3 dot-separated parts, got %d", op, ErrAppTokenMalformed, len(parts))
	}
	var header struct {
		Alg  string          `json:"alg"`
		Crit json.RawMessage `json:"crit"`
	}
	if err := decodeSegment(parts[0], &header); err != nil {
		return c, fmt.Errorf("%s: %w: header: %w", op, ErrAppTokenMalformed, err)
	}
	if header.Alg != "HS256" {
		return c, fmt.Errorf("%s: %w: alg %q", op, ErrAppTokenAlgorithm, clip(header.Alg, 20))
	}
	if header.Crit != nil {
		return c, fmt.Errorf("%s: %w: unsupported crit header", op, ErrAppTokenMalformed)
	}
	sig, err := base64.RawURLEncoding.Strict().DecodeString(parts[2])
	if err != nil {
		return c, fmt.Errorf("%s: %w: signature is not base64url", op, ErrAppTokenMalformed)
	}
	if err := checkHS256(parts[0]+"."+parts[1], sig, secrets); err != nil {
		return c, fmt.Errorf("%s: %w", op, err)
	}

	if err := decodeSegment(parts[1], &c.Raw); err != nil {
		return c, fmt.Errorf("%s: %w: payload: %w", op, ErrAppTokenMalformed, err)
	}
	var p struct {
		NameID string          `json:"nameid"`
		Tid    string          `json:"tid"`
		Iss    string          `json:"iss"`
		Aud    json.RawMessage `json:"aud"`
	}
	if err := decodeSegment(parts[1], &p); err != nil {
		return AppClaims{}, fmt.Errorf("%s: %w: payload: %w", op, ErrAppTokenMalformed, err)
	}
	c.NameID, c.TenantID, c.Issuer = p.NameID, p.Tid, p.Iss
	if c.Audience, err = parseAudience(p.Aud); err != nil {
		return AppClaims{}, fmt.Errorf("%s: %w: aud: %w", op, ErrAppTokenMalformed, err)
	}
	times := map[string]*time.Time{"exp": &c.ExpiresAt, "nbf": &c.NotBefore, "iat": &c.IssuedAt}
	for name, dst := range times {
		if *dst, err = numericDate(c.Raw[name]); err != nil {
			return AppClaims{}, fmt.Errorf("%s: %w: %s: %w", op, ErrAppTokenMalformed, name, err)
		}
	}
	switch {
	case c.ExpiresAt.IsZero():
		return AppClaims{}, fmt.Errorf("%s: %w: no exp claim", op, ErrAppTokenExpired)
	case now.After(c.ExpiresAt.Add(AppTokenLeeway)):
		return AppClaims{}, fmt.Errorf("%s: %w at %s", op, ErrAppTokenExpired, c.ExpiresAt.UTC().Format(time.RFC3339))
	case !c.NotBefore.IsZero() && now.Add(AppTokenLeeway).Before(c.NotBefore):
		return AppClaims{}, fmt.Errorf("%s: %w until %s", op, ErrAppTokenNotYetValid, c.NotBefore.UTC().Format(time.RFC3339))
	}
	if c.NameID == "" {
		return AppClaims{}, fmt.Errorf("%s: %w: no nameid claim", op, ErrAppTokenMalformed)
	}
	return c, nil
}

func checkHS256(signing string, sig []byte, secrets [][]byte) error {
	usable := 0
	ok := false
	for _, s := range secrets {
		if len(s) == 0 {
			continue
		}
		usable++
		m := hmac.New(sha256.New, s)
		m.Write([]byte(signing))
		if hmac.Equal(m.Sum(nil), sig) {
			ok = true
		}
	}
	switch {
	case usable == 0:
		return ErrAppTokenNoSecret
	case !ok:
		return ErrAppTokenSignature
	}
	return nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.Strict().DecodeString(seg)
	if err != nil {
		return errors.New("not base64url")
	}
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("not a JSON object: %w", err)
	}
	if d.More() {
		return errors.New("trailing data after JSON object")
	}
	return nil
}

func parseAudience(raw json.RawMessage) ([]string, error) {
	if raw == nil || string(raw) == "null" {
		return nil, nil
	}
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, errors.New("neither a string nor a list of strings")
	}
	return many, nil
}

// numericDate parses a JWT NumericDate (seconds since the epoch, possibly
// fractional); an absent claim gives the zero time.
func numericDate(raw json.RawMessage) (time.Time, error) {
	if raw == nil || string(raw) == "null" {
		return time.Time{}, nil
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		return time.Time{}, errors.New("not a number")
	}
	// Reject values that cannot be a date rather than overflow converting them.
	if math.IsNaN(f) || f < 0 || f > 1<<40 {
		return time.Time{}, fmt.Errorf("%v is not a plausible date", f)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
}
