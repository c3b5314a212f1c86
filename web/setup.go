package web

import (
	"context"
	"crypto/subtle"
	"html/template"
	"net/http"
	"strings"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/auth"
)

// SetupTokenSetting names the setting that holds the hash of the one-time setup token.
const SetupTokenSetting = "setup_token_hash"

// NewSetupToken stores a fresh one-time setup token and returns it; the first visitor who
// presents it creates the tenant and its first admin.
func NewSetupToken(ctx context.Context, store cairn.Store) (string, error) {
	plain, hash, err := auth.NewToken("setup_")
	if err != nil {
		return "", err
	}
	if err := store.SetSetting(ctx, SetupTokenSetting, hash); err != nil {
		return "", err
	}
	return plain, nil
}

// SetupRequest creates the tenant and its first tenant admin.
type SetupRequest struct {
	Token      string `json:"token"`
	TenantName string `json:"tenant_name"`
	Email      string `json:"email"`
	Name       string `json:"name"`
	Password   string `json:"password"`
}

func (s *Server) runSetup(ctx context.Context, in SetupRequest) (*cairn.User, error) {
	want, err := s.store.Setting(ctx, SetupTokenSetting)
	if cairn.ErrorCode(err) == cairn.ENOTFOUND {
		return nil, cairn.Errorf(cairn.ECONFLICT, "Cairn is set up already; sign in instead")
	}
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(auth.HashToken(in.Token)), []byte(want)) != 1 {
		return nil, cairn.FieldError("token", "the setup link is not valid; use the link Cairn printed at start")
	}
	name := strings.TrimSpace(in.TenantName)
	if name == "" {
		name = "Cairn"
	}
	u := &cairn.User{Email: in.Email, Name: in.Name, TenantAdmin: true, CreatedAt: s.now().UTC()}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	if u.Name == "" {
		u.Name = u.Email
	}
	if len(in.Password) < minPasswordLen {
		return nil, cairn.FieldError("password", "password must have at least %d characters", minPasswordLen)
	}
	h, err := s.passwords.Hash(in.Password)
	if err != nil {
		return nil, cairn.FieldError("password", "%v", err)
	}
	u.PasswordHash = h
	if err := s.store.CreateTenant(ctx, &cairn.Tenant{Name: name, CreatedAt: u.CreatedAt}, u); err != nil {
		return nil, err
	}
	_ = s.store.DeleteSetting(ctx, SetupTokenSetting)
	return u, nil
}

func (s *Server) setupAPI(w http.ResponseWriter, r *http.Request) {
	var in SetupRequest
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.runSetup(r.Context(), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sid, err := s.startSession(w, r, u)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, meResponse{User: u, CSRFToken: s.csrf.CSRFToken(sid), Orgs: []*cairn.Org{}})
}

// setupCSS is the setup page's stylesheet; pagePolicy allows it by its hash.
const setupCSS = `body{font:14px system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1f2328}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}input{width:100%;padding:.5rem;border:1px solid #d0d7de;border-radius:6px;box-sizing:border-box}
button{margin-top:1rem;padding:.5rem 1rem;border:0;border-radius:6px;background:#0969da;color:#fff;font-weight:600}
.err{color:#cf222e;margin-top:.25rem}@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}input{background:#161b22;color:#e6edf3;border-color:#30363d}}`

var setupTmpl = template.Must(template.New("setup").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Set up Cairn</title>
<style>` + setupCSS + `</style>
</head><body><h1>Set up Cairn</h1>
<p>Create the first administrator of this installation.</p>
{{if .Error}}<p class="err" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="/setup">
<input type="hidden" name="token" value="{{.Token}}">
<label for="tenant_name">Installation name</label><input id="tenant_name" name="tenant_name" value="{{.In.TenantName}}" placeholder="Contoso">
<label for="name">Your name</label><input id="name" name="name" value="{{.In.Name}}" autocomplete="name">
<label for="email">Email</label><input id="email" name="email" type="email" required value="{{.In.Email}}" autocomplete="email">
<label for="password">Password (8 characters or more)</label><input id="password" name="password" type="password" required minlength="8" autocomplete="new-password">
<button type="submit">Create administrator</button>
</form></body></html>`))

type setupPageData struct {
	Token string
	Error string
	In    SetupRequest
}

func (s *Server) setupPage(w http.ResponseWriter, r *http.Request) {
	if _, err := s.store.Setting(r.Context(), SetupTokenSetting); err != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	writePage(w, http.StatusOK, setupTmpl, setupCSS, setupPageData{Token: r.URL.Query().Get("token")})
}

func (s *Server) setupForm(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		writeProblem(w, r, http.StatusBadRequest, cairn.EINVALID, "cannot read the form", "")
		return
	}
	in := SetupRequest{Token: r.PostForm.Get("token"), TenantName: r.PostForm.Get("tenant_name"), Email: r.PostForm.Get("email"), Name: r.PostForm.Get("name"), Password: r.PostForm.Get("password")}
	u, err := s.runSetup(r.Context(), in)
	if err != nil {
		in.Password = ""
		writePage(w, StatusOf(cairn.ErrorCode(err)), setupTmpl, setupCSS, setupPageData{Token: in.Token, Error: cairn.ErrorMessage(err), In: in})
		return
	}
	if _, err := s.startSession(w, r, u); err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
