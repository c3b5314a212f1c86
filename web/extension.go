package web

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/auth"
)

// The environment variables that configure the Azure DevOps extension's access to Cairn.
const (
	// ExtensionSecretEnv holds the extension's secret (its Marketplace certificate), which
	// signs the app tokens the extension sends.
	ExtensionSecretEnv = "CAIRN_AZDO_EXTENSION_SECRET"
	// ExtensionPreviousSecretEnv holds the previous secret while the secret is rotated.
	ExtensionPreviousSecretEnv = "CAIRN_AZDO_EXTENSION_SECRET_PREVIOUS"
	// ExtensionOriginsEnv lists, comma-separated, browser origins allowed besides
	// DefaultExtensionOrigins, such as the URL of an Azure DevOps Server.
	ExtensionOriginsEnv = "CAIRN_AZDO_EXTENSION_ORIGINS"
)

// ExtensionLinkCodeTTL is how long a code that links an Azure DevOps user to a Cairn
// account stays valid.
const ExtensionLinkCodeTTL = 10 * time.Minute

// DefaultExtensionOrigins returns the origins of Azure DevOps Services, whose pages host
// the extension: https://dev.azure.com and https://*.visualstudio.com.
func DefaultExtensionOrigins() []string {
	return []string{"https://dev.azure.com", "https://*.visualstudio.com"}
}

// ExtensionConfig configures the Azure DevOps extension's access to Cairn.
type ExtensionConfig struct {
	// Secrets verify app tokens: the current secret first, then the previous one while
	// it is rotated. With none, every app token is refused.
	Secrets []string
	// Origins are the browser origins whose pages may call the extension's routes: exact
	// origins such as "https://tfs.example.com", or "https://*.visualstudio.com" for any
	// subdomain.
	Origins []string
	// Links keeps the links between Azure DevOps users and Cairn users; nil uses the
	// server's Store when it implements ExtensionLinks.
	Links ExtensionLinks
}

// ExtensionLinks persists the links between Azure DevOps users (the nameid claim of an app
// token) and Cairn users, and the one-time codes that create them. sqldb implements it.
type ExtensionLinks interface {
	// CreateExtensionLinkCode stores a code by its hash for the Azure DevOps user.
	CreateExtensionLinkCode(ctx context.Context, codeHash, azureID, azureName string, expiresAt time.Time) error
	// ExtensionLinkCode returns the Azure DevOps user of an unexpired code without using
	// it up, or ENOTFOUND.
	ExtensionLinkCode(ctx context.Context, codeHash string, now time.Time) (azureID, azureName string, err error)
	// ConsumeExtensionLinkCode uses up an unexpired code and links its Azure DevOps user
	// to the Cairn user, or answers ENOTFOUND.
	ConsumeExtensionLinkCode(ctx context.Context, codeHash string, userID int64, now time.Time) (string, error)
	// ExtensionLinkUserID returns the Cairn user linked to the Azure DevOps user, or
	// ENOTFOUND.
	ExtensionLinkUserID(ctx context.Context, azureID string) (int64, error)
	// DeleteExtensionLink removes the Azure DevOps user's link, if any.
	DeleteExtensionLink(ctx context.Context, azureID string) error
}

// ExtensionConfigFromEnv reads the extension's configuration from the environment through
// getenv: the secrets from ExtensionSecretEnv and ExtensionPreviousSecretEnv, and the
// origins DefaultExtensionOrigins plus those listed in ExtensionOriginsEnv.
func ExtensionConfigFromEnv(getenv func(string) string) (*ExtensionConfig, error) {
	cfg := &ExtensionConfig{Origins: DefaultExtensionOrigins()}
	for _, name := range []string{ExtensionSecretEnv, ExtensionPreviousSecretEnv} {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			cfg.Secrets = append(cfg.Secrets, v)
		}
	}
	for _, o := range strings.Split(getenv(ExtensionOriginsEnv), ",") {
		if o = strings.TrimSpace(o); o != "" {
			cfg.Origins = append(cfg.Origins, o)
		}
	}
	if _, err := parseOrigins(cfg.Origins); err != nil {
		return nil, fmt.Errorf("%s: %w", ExtensionOriginsEnv, err)
	}
	return cfg, nil
}

// originRule is one allowed origin; a wildcard rule matches any subdomain of host.
type originRule struct {
	scheme, host string
	wildcard     bool
}

func parseOrigins(origins []string) ([]originRule, error) {
	var rules []originRule
	for _, o := range origins {
		raw := strings.TrimRight(strings.TrimSpace(o), "/")
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("origin %q: want scheme://host[:port], such as https://tfs.example.com", o)
		}
		if u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return nil, fmt.Errorf("origin %q: an origin has no path, query or user; Azure DevOps Server's collection path is not part of it", o)
		}
		host := strings.ToLower(u.Host)
		r := originRule{scheme: u.Scheme}
		if rest, ok := strings.CutPrefix(host, "*."); ok {
			if rest == "" || strings.Contains(rest, "*") || !strings.Contains(rest, ".") {
				return nil, fmt.Errorf("origin %q: a wildcard stands only for the leftmost labels of a domain with at least two labels", o)
			}
			r.host, r.wildcard = "."+rest, true
		} else if strings.Contains(host, "*") {
			return nil, fmt.Errorf("origin %q: a wildcard stands only for the leftmost labels, as in https://*.visualstudio.com", o)
		} else {
			r.host = host
		}
		rules = append(rules, r)
	}
	return rules, nil
}

func (e *extension) allowOrigin(origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || u.Path != "" {
		return false
	}
	host := strings.ToLower(u.Host)
	for _, r := range e.origins {
		if r.scheme != u.Scheme {
			continue
		}
		if r.wildcard {
			if strings.HasSuffix(host, r.host) && len(host) > len(r.host) {
				return true
			}
		} else if host == r.host {
			return true
		}
	}
	return false
}

// extension is the server's state for the Azure DevOps extension.
type extension struct {
	secrets [][]byte
	origins []originRule
	links   ExtensionLinks
}

func newExtension(cfg *ExtensionConfig, store cairn.Store) (*extension, error) {
	e := &extension{}
	if cfg == nil {
		return e, nil
	}
	for _, s := range cfg.Secrets {
		if s != "" {
			e.secrets = append(e.secrets, []byte(s))
		}
	}
	rules, err := parseOrigins(cfg.Origins)
	if err != nil {
		return nil, fmt.Errorf("web: extension origins: %w", err)
	}
	e.origins = rules
	e.links = cfg.Links
	if e.links == nil {
		e.links, _ = store.(ExtensionLinks)
	}
	return e, nil
}

// extensionRoute reports whether an app token reaches the route pattern, and whether
// the route needs the Azure DevOps user to have linked a Cairn account: checking in, and
// reading and writing the comments of key results and initiatives, with the members that
// comments name, act as the linked user, with that user's rights.
func extensionRoute(pattern string) (reachable, needsUser bool) {
	switch pattern {
	case "GET /api/v1/azure-devops/extension/me",
		"POST /api/v1/azure-devops/extension/link-codes",
		"DELETE /api/v1/azure-devops/extension/link",
		"GET /api/v1/azure-devops/alignment":
		return true, false
	case "POST /api/v1/orgs/{org}/key-results/{id}/check-ins",
		"POST /api/v1/orgs/{org}/initiatives/{id}/check-ins",
		"GET /api/v1/orgs/{org}/key-results/{id}/comments",
		"POST /api/v1/orgs/{org}/key-results/{id}/comments",
		"GET /api/v1/orgs/{org}/initiatives/{id}/comments",
		"POST /api/v1/orgs/{org}/initiatives/{id}/comments",
		"GET /api/v1/orgs/{org}/members":
		return true, true
	}
	return false, false
}

type extensionKey struct{}

// extensionCaller is what an app token proved about the request.
type extensionCaller struct {
	claims auth.AppClaims
	user   *cairn.User
}

// ExtensionUser returns the Azure DevOps user id (the app token's nameid claim) of a
// request that the extension sent with a valid app token, and false for any other request.
func ExtensionUser(ctx context.Context) (string, bool) {
	c, ok := ctx.Value(extensionKey{}).(*extensionCaller)
	if !ok {
		return "", false
	}
	return c.claims.NameID, true
}

// isAppToken tells an Azure DevOps app token (a JWT) from Cairn's own opaque tokens.
func isAppToken(tok string) bool {
	return strings.Count(tok, ".") == 2 && !strings.HasPrefix(tok, "cairn_")
}

// extensionGate answers CORS for the extension's routes and authenticates app tokens.
// A request with a valid app token goes straight to its route, with the linked Cairn user,
// if any, as the caller; it skips session and API-token authentication and CSRF, which do
// not apply to a bearer token. Every other request passes on unchanged.
func (s *Server) extensionGate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != "" {
			s.extensionPreflight(w, r, origin)
			return
		}
		_, pattern := s.mux.Handler(r)
		isExtRoute, needsUser := extensionRoute(pattern)
		if isExtRoute && origin != "" && s.ext.allowOrigin(origin) {
			corsHeaders(w.Header(), origin)
		}
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		tok = strings.TrimSpace(tok)
		if !ok || !isAppToken(tok) {
			next.ServeHTTP(w, r)
			return
		}
		if !isExtRoute {
			writeProblem(w, r, http.StatusForbidden, cairn.EFORBIDDEN, "an Azure DevOps app token is accepted only by the extension's routes", "")
			return
		}
		claims, err := auth.VerifyAppToken(tok, s.ext.secrets, s.now())
		if err != nil {
			writeProblem(w, r, http.StatusUnauthorized, cairn.EUNAUTHORIZED, appTokenProblem(err), "")
			return
		}
		caller := &extensionCaller{claims: claims}
		ctx := r.Context()
		if s.ext.links != nil {
			uid, err := s.ext.links.ExtensionLinkUserID(ctx, claims.NameID)
			switch {
			case err == nil:
				u, err := s.store.UserByID(ctx, uid)
				if err != nil && cairn.ErrorCode(err) != cairn.ENOTFOUND {
					s.writeError(w, r, err)
					return
				}
				caller.user = u
			case cairn.ErrorCode(err) != cairn.ENOTFOUND:
				s.writeError(w, r, err)
				return
			}
		}
		if needsUser && caller.user == nil {
			writeProblem(w, r, http.StatusForbidden, cairn.EFORBIDDEN, "link your Cairn account first: choose \"Link your Cairn account\" on the Cairn page of a work item", "")
			return
		}
		ctx = context.WithValue(ctx, extensionKey{}, caller)
		if caller.user != nil {
			ctx = cairn.NewContext(ctx, caller.user)
		}
		s.mux.ServeHTTP(w, r.WithContext(ctx))
	})
}

// extensionPreflight answers a CORS preflight request.
func (s *Server) extensionPreflight(w http.ResponseWriter, r *http.Request, origin string) {
	probe := r.Clone(r.Context())
	probe.Method = strings.ToUpper(r.Header.Get("Access-Control-Request-Method"))
	_, pattern := s.mux.Handler(probe)
	if ok, _ := extensionRoute(pattern); !ok {
		writeProblem(w, r, http.StatusNotFound, cairn.ENOTFOUND, "no cross-origin route "+probe.Method+" "+r.URL.Path, "")
		return
	}
	if !s.ext.allowOrigin(origin) {
		writeProblem(w, r, http.StatusForbidden, cairn.EFORBIDDEN, "origin "+clipText(origin, 100)+" is not allowed; add it to "+ExtensionOriginsEnv, "")
		return
	}
	h := w.Header()
	corsHeaders(h, origin)
	h.Set("Access-Control-Allow-Methods", "GET, POST, DELETE")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

func corsHeaders(h http.Header, origin string) {
	h.Set("Access-Control-Allow-Origin", origin)
	h.Add("Vary", "Origin")
	h.Set("Access-Control-Expose-Headers", "X-Request-Id")
}

func clipText(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// appTokenProblem explains why an app token was refused.
func appTokenProblem(err error) string {
	switch {
	case errors.Is(err, auth.ErrAppTokenNoSecret):
		return "Cairn has no extension secret configured; set " + ExtensionSecretEnv
	case errors.Is(err, auth.ErrAppTokenExpired):
		return "the app token has expired"
	case errors.Is(err, auth.ErrAppTokenNotYetValid):
		return "the app token is not valid yet; check the clocks"
	case errors.Is(err, auth.ErrAppTokenSignature):
		return "the app token's signature does not match the extension's secret"
	case errors.Is(err, auth.ErrAppTokenAlgorithm):
		return "the app token is not signed with HS256"
	default:
		return "the app token is malformed"
	}
}

// caller returns the extension caller of the request or answers 401.
func (s *Server) extensionCaller(w http.ResponseWriter, r *http.Request) (*extensionCaller, bool) {
	c, ok := r.Context().Value(extensionKey{}).(*extensionCaller)
	if !ok {
		writeProblem(w, r, http.StatusUnauthorized, cairn.EUNAUTHORIZED, "send the extension's app token as \"Authorization: Bearer <token>\"", "")
		return nil, false
	}
	return c, true
}

func (s *Server) extensionLinks(w http.ResponseWriter, r *http.Request) (ExtensionLinks, bool) {
	if s.ext.links == nil {
		writeProblem(w, r, http.StatusNotImplemented, cairn.ENOTIMPLEMENTED, "this Cairn cannot store account links", "")
		return nil, false
	}
	return s.ext.links, true
}

// ExtensionUserInfo is the Cairn account linked to an Azure DevOps user.
type ExtensionUserInfo struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// ExtensionMe answers GET /api/v1/azure-devops/extension/me.
type ExtensionMe struct {
	AzureUserID string             `json:"azure_devops_user_id"`
	Linked      bool               `json:"linked"`
	User        *ExtensionUserInfo `json:"user"`
}

func (s *Server) extensionMe(w http.ResponseWriter, r *http.Request) {
	c, ok := s.extensionCaller(w, r)
	if !ok {
		return
	}
	out := ExtensionMe{AzureUserID: c.claims.NameID}
	if c.user != nil {
		out.Linked = true
		out.User = &ExtensionUserInfo{ID: c.user.ID, Name: c.user.Name, Email: c.user.Email}
	}
	writeJSON(w, http.StatusOK, out)
}

// ExtensionLinkCode answers POST /api/v1/azure-devops/extension/link-codes.
type ExtensionLinkCode struct {
	Code        string    `json:"code"`
	ExpiresAt   time.Time `json:"expires_at"`
	ConfirmPath string    `json:"confirm_path"`
}

// linkCodeAlphabet leaves out letters and digits that people mix up.
const linkCodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func newLinkCode() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	out := make([]byte, 0, 9)
	for i, v := range b {
		if i == 4 {
			out = append(out, '-')
		}
		out = append(out, linkCodeAlphabet[int(v)%len(linkCodeAlphabet)])
	}
	return string(out), nil
}

// normalizeLinkCode accepts a code in any case, with or without its dash and spaces.
func normalizeLinkCode(code string) (string, error) {
	var b strings.Builder
	for _, c := range strings.ToUpper(code) {
		switch {
		case c == '-' || c == ' ':
		case strings.ContainsRune(linkCodeAlphabet, c):
			b.WriteRune(c)
		default:
			return "", cairn.FieldError("code", "the code has a character that no link code has")
		}
	}
	if b.Len() != 8 {
		return "", cairn.FieldError("code", "a link code has 8 characters, like ABCD-EFGH")
	}
	s := b.String()
	return s[:4] + "-" + s[4:], nil
}

type linkCodeRequest struct {
	AzureUserName string `json:"azure_user_name"`
}

func (s *Server) extensionLinkCode(w http.ResponseWriter, r *http.Request) {
	c, ok := s.extensionCaller(w, r)
	if !ok {
		return
	}
	links, ok := s.extensionLinks(w, r)
	if !ok {
		return
	}
	var in linkCodeRequest
	if r.ContentLength != 0 {
		if err := DecodeJSON(r.Body, &in); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	name := clipText(strings.TrimSpace(in.AzureUserName), 200)
	code, err := newLinkCode()
	if err != nil {
		s.writeError(w, r, cairn.Internal("web: new link code", err))
		return
	}
	exp := s.now().UTC().Add(ExtensionLinkCodeTTL)
	if err := links.CreateExtensionLinkCode(r.Context(), auth.HashToken(code), c.claims.NameID, name, exp); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, ExtensionLinkCode{Code: code, ExpiresAt: exp, ConfirmPath: "/azure-devops/link?code=" + url.QueryEscape(code)})
}

func (s *Server) extensionUnlink(w http.ResponseWriter, r *http.Request) {
	c, ok := s.extensionCaller(w, r)
	if !ok {
		return
	}
	links, ok := s.extensionLinks(w, r)
	if !ok {
		return
	}
	if err := links.DeleteExtensionLink(r.Context(), c.claims.NameID); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type confirmLinkRequest struct {
	Code string `json:"code"`
}

// ExtensionLinked answers a confirmed link code.
type ExtensionLinked struct {
	AzureUserID string `json:"azure_devops_user_id"`
	UserID      int64  `json:"user_id"`
}

// confirmLink links the code's Azure DevOps user to the signed-in user.
func (s *Server) confirmLink(ctx context.Context, code string) (*ExtensionLinked, error) {
	if s.ext.links == nil {
		return nil, cairn.Errorf(cairn.ENOTIMPLEMENTED, "this Cairn cannot store account links")
	}
	u := cairn.UserFromContext(ctx)
	if u == nil {
		return nil, cairn.Errorf(cairn.EUNAUTHORIZED, "sign in to Cairn first")
	}
	code, err := normalizeLinkCode(code)
	if err != nil {
		return nil, err
	}
	azureID, err := s.ext.links.ConsumeExtensionLinkCode(ctx, auth.HashToken(code), u.ID, s.now())
	if err != nil {
		return nil, err
	}
	return &ExtensionLinked{AzureUserID: azureID, UserID: u.ID}, nil
}

func (s *Server) confirmExtensionLink(w http.ResponseWriter, r *http.Request) {
	var in confirmLinkRequest
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.confirmLink(r.Context(), in.Code)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// linkCSS is the stylesheet of the link page; pagePolicy allows it by its hash.
const linkCSS = `
:root{color-scheme:light dark}
body{font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:560px;margin:48px auto;padding:0 16px}
.code{font:600 20px ui-monospace,Consolas,monospace;letter-spacing:.1em}
.warn{border-left:4px solid #b45309;padding:4px 12px}
button,.btn{font:inherit;padding:6px 14px;border-radius:6px;border:1px solid #0969da;background:#0969da;color:#fff;cursor:pointer;text-decoration:none}
.bad{color:#c50f1f}
`

var linkPage = template.Must(template.New("link").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Link your Azure DevOps account · Cairn</title>
<style>` + linkCSS + `</style></head><body>
<h1>Link your Azure DevOps account</h1>
{{if .Done}}<p>Linked. Azure DevOps user <strong>{{.AzureName}}</strong> now acts as <strong>{{.UserEmail}}</strong> on Cairn pages of work items.</p>
<p>Go back to the work item and choose <strong>I have confirmed it</strong>. You may close this tab.</p>
{{else if .Error}}<p class="bad" role="alert">{{.Error}}</p><p>Start again from the Cairn page of a work item: choose <strong>Link your Cairn account</strong>.</p>
{{else if not .SignedIn}}<p>Sign in to Cairn, then come back to this page to confirm the code <span class="code">{{.Code}}</span>.</p>
<p><a class="btn" href="{{.LoginURL}}">Sign in to Cairn</a></p>
{{else}}<p>Does the Cairn page of your work item show this code?</p>
<p class="code">{{.Code}}</p>
<p>Confirming links Azure DevOps user <strong>{{.AzureName}}</strong> to your Cairn account <strong>{{.UserEmail}}</strong>, so that check-ins and comments made there are yours.</p>
<p class="warn">Only confirm a code that your own Azure DevOps page shows. Never confirm a code someone sent you.</p>
<form method="post" action="/azure-devops/link"><input type="hidden" name="csrf_token" value="{{.CSRF}}"><input type="hidden" name="code" value="{{.Code}}">
<button type="submit">Confirm and link</button></form>
{{end}}
</body></html>`))

type linkPageData struct {
	Code, AzureName, UserEmail, CSRF, Error, LoginURL string
	SignedIn, Done                                    bool
}

func (s *Server) renderLinkPage(w http.ResponseWriter, status int, d linkPageData) {
	writePage(w, status, linkPage, linkCSS, d)
}

func (s *Server) extensionLinkPage(w http.ResponseWriter, r *http.Request) {
	d := linkPageData{LoginURL: "/login?next=" + url.QueryEscape(r.URL.RequestURI())}
	code, err := normalizeLinkCode(r.URL.Query().Get("code"))
	if err != nil {
		d.Error = cairn.ErrorMessage(err)
		s.renderLinkPage(w, http.StatusBadRequest, d)
		return
	}
	d.Code = code
	u := cairn.UserFromContext(r.Context())
	if u == nil {
		s.renderLinkPage(w, http.StatusOK, d)
		return
	}
	d.SignedIn, d.UserEmail, d.CSRF = true, u.Email, s.CSRFToken(r)
	if s.ext.links == nil {
		d.Error = "This Cairn cannot store account links."
		s.renderLinkPage(w, http.StatusNotImplemented, d)
		return
	}
	_, name, err := s.ext.links.ExtensionLinkCode(r.Context(), auth.HashToken(code), s.now())
	if err != nil {
		d.Error = cairn.ErrorMessage(err)
		s.renderLinkPage(w, StatusOf(cairn.ErrorCode(err)), d)
		return
	}
	d.AzureName = name
	if d.AzureName == "" {
		d.AzureName = "(name not given)"
	}
	s.renderLinkPage(w, http.StatusOK, d)
}

func (s *Server) extensionLinkForm(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	d := linkPageData{Code: r.PostFormValue("code")}
	u := cairn.UserFromContext(r.Context())
	if u == nil {
		d.Error = "Sign in to Cairn first."
		s.renderLinkPage(w, http.StatusUnauthorized, d)
		return
	}
	d.SignedIn, d.UserEmail = true, u.Email
	var name string
	if code, err := normalizeLinkCode(d.Code); err == nil && s.ext.links != nil {
		_, name, _ = s.ext.links.ExtensionLinkCode(r.Context(), auth.HashToken(code), s.now())
	}
	if _, err := s.confirmLink(r.Context(), d.Code); err != nil {
		d.Error = cairn.ErrorMessage(err)
		s.renderLinkPage(w, StatusOf(cairn.ErrorCode(err)), d)
		return
	}
	d.Done, d.AzureName = true, name
	if d.AzureName == "" {
		d.AzureName = "(name not given)"
	}
	s.renderLinkPage(w, http.StatusOK, d)
}

// chooseOrgCSS is the stylesheet of the page that chooses the organization of a new
// initiative; pagePolicy allows it by its hash.
const chooseOrgCSS = `:root{color-scheme:light dark}body{font:14px/1.5 system-ui,sans-serif;max-width:560px;margin:48px auto;padding:0 16px}`

var chooseOrgPage = template.Must(template.New("choose").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Add an initiative · Cairn</title>
<style>` + chooseOrgCSS + `</style></head><body>
<h1>Add an initiative for work item {{.WorkItem}}</h1>
{{if .Orgs}}<p>Choose the organization:</p><ul>{{range .Orgs}}<li><a href="{{.URL}}">{{.Name}}</a></li>{{end}}</ul>
{{else}}<p>You belong to no Cairn organization yet. Ask an administrator to add you.</p>{{end}}
</body></html>`))

// extensionNewInitiative sends "Add an initiative in Cairn" to the initiative wizard of
// the signed-in user's organization, passing the work item on.
func (s *Server) extensionNewInitiative(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pass := url.Values{}
	for _, k := range []string{"org-url", "project", "work-item", "title"} {
		if v := q.Get(k); v != "" {
			pass.Set(k, clipText(v, 500))
		}
	}
	if cairn.UserFromContext(r.Context()) == nil {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	orgs, err := s.svc.ListOrgs(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	wizard := func(o *cairn.Org) string {
		return "/o/" + url.PathEscape(o.Slug) + "/initiatives/new?" + pass.Encode()
	}
	if len(orgs) == 1 {
		http.Redirect(w, r, wizard(orgs[0]), http.StatusSeeOther)
		return
	}
	type choice struct{ Name, URL string }
	d := struct {
		WorkItem string
		Orgs     []choice
	}{WorkItem: pass.Get("work-item")}
	for _, o := range orgs {
		d.Orgs = append(d.Orgs, choice{o.Name, wizard(o)})
	}
	writePage(w, http.StatusOK, chooseOrgPage, chooseOrgCSS, d)
}
