package ui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/datasource"
	"github.com/cairn-okr/cairn/web"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// contentSecurityPolicy allows scripts, styles and fetches from Cairn itself only: no
// inline script, no inline style, no external font or CDN.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Config configures the UI.
type Config struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Log receives errors that pages hide from people; nil discards them.
	Log *slog.Logger
	// Integration is the Azure DevOps integration; nil hides its pages.
	Integration *datasource.Service
	// MicrosoftSignIn offers "Sign in with Microsoft" in the new-connection step, which
	// lists the user's Azure DevOps organizations and projects. Set it when the
	// integration has Cairn's Entra app (CAIRN_AZDO_CLIENT_ID with a public URL); without
	// one the integration refuses the sign-in with ENOTIMPLEMENTED.
	MicrosoftSignIn bool
	// Imports is the store that imports Viva Goals exports write through (*sqldb.DB); nil
	// leaves the import page saying that the server cannot import.
	Imports cairn.ImportStore
	// ImportDir is the folder where uploaded exports wait for their confirmation; the
	// system's temporary folder when empty.
	ImportDir string
}

// UI serves Cairn's HTML pages.
type UI struct {
	srv       *web.Server
	svc       *cairn.Service
	now       func() time.Time
	log       *slog.Logger
	azdo      *datasource.Service
	pages     map[string]*template.Template
	assetHash string
	static    http.Handler
	forms     *submitted
	msSignIn  bool
	imports   cairn.ImportStore
	uploads   *uploads
}

// Mount creates the UI and adds its routes to the server.
func Mount(srv *web.Server, cfg Config) (*UI, error) {
	if srv == nil {
		return nil, errors.New("ui: mount: no server")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	u := &UI{srv: srv, svc: srv.Service(), now: cfg.Now, log: cfg.Log, azdo: cfg.Integration, forms: newSubmitted(cfg.Now), msSignIn: cfg.MicrosoftSignIn && cfg.Integration != nil,
		imports: cfg.Imports, uploads: newUploads(cfg.ImportDir, cfg.Now)}
	if err := u.parseTemplates(); err != nil {
		return nil, err
	}
	if err := u.loadStatic(); err != nil {
		return nil, err
	}
	u.routes()
	return u, nil
}

func (u *UI) parseTemplates() error {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return fmt.Errorf("ui: list templates: %w", err)
	}
	u.pages = map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" || base == "partials" {
			continue
		}
		t, err := template.New(base).Funcs(funcs(u)).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", n)
		if err != nil {
			return fmt.Errorf("ui: parse %s: %w", n, err)
		}
		u.pages[base] = t
	}
	return nil
}

func (u *UI) loadStatic() error {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return fmt.Errorf("ui: static files: %w", err)
	}
	h := sha256.New()
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		h.Write([]byte(p))
		h.Write(b)
		return nil
	})
	if err != nil {
		return fmt.Errorf("ui: hash static files: %w", err)
	}
	u.assetHash = hex.EncodeToString(h.Sum(nil))[:12]
	fileServer := http.StripPrefix("/static/", http.FileServerFS(sub))
	u.static = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("v") == u.assetHash {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		fileServer.ServeHTTP(w, r)
	})
	return nil
}

// request is one page request with what every page needs: the user, and for pages inside
// an organization the organization, the user's role in it and the organizations to switch
// to.
type request struct {
	w    http.ResponseWriter
	r    *http.Request
	user *cairn.User
	org  *cairn.Org
	role cairn.Role
	orgs []*cairn.Org
}

func (q *request) htmx() bool { return q.r.Header.Get("HX-Request") == "true" }

// canWrite reports whether the user may create OKRs in the organization.
func (q *request) canWrite() bool { return q.role == cairn.RoleAdmin || q.role == cairn.RoleMember }

// isAdmin reports whether the user administers the organization.
func (q *request) isAdmin() bool { return q.role == cairn.RoleAdmin }

type handlerFunc func(q *request) error

// options say what a route needs before its handler runs.
type options struct {
	public bool // no sign-in needed
	org    bool // resolves {org}
}

// handle adds a route. Every page gets the security headers, a friendly error page and
// a recovery from panics that names the request id instead of showing a stack trace.
func (u *UI) handle(pattern string, o options, h handlerFunc) {
	u.srv.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hdr := w.Header()
		hdr.Set("Content-Security-Policy", contentSecurityPolicy)
		hdr.Set("Cache-Control", "no-store")
		hdr.Set("Vary", "HX-Request")
		q := &request{w: w, r: r, user: cairn.UserFromContext(r.Context())}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				u.log.ErrorContext(r.Context(), "ui panic", slog.String("request_id", web.RequestID(r)), slog.String("panic", fmt.Sprint(p)), slog.String("stack", string(debug.Stack())))
				u.fail(q, cairn.Errorf(cairn.EINTERNAL, "internal error"))
			}
		}()
		if !o.public && q.user == nil {
			if r.Method == http.MethodGet {
				next := r.URL.RequestURI()
				target := "/login"
				if next != "/" {
					target += "?next=" + url.QueryEscape(next)
				}
				if q.htmx() {
					w.Header().Set("HX-Redirect", target)
					w.WriteHeader(http.StatusUnauthorized)
					return
				}
				http.Redirect(w, r, target, http.StatusSeeOther)
				return
			}
			u.fail(q, cairn.Errorf(cairn.EUNAUTHORIZED, "your session has ended: sign in again"))
			return
		}
		if o.org {
			if err := u.loadOrg(q, r.PathValue("org")); err != nil {
				u.fail(q, err)
				return
			}
		}
		if err := h(q); err != nil {
			u.fail(q, err)
		}
	}))
}

func (u *UI) loadOrg(q *request, ref string) error {
	ctx := q.r.Context()
	org, err := u.svc.Org(ctx, ref)
	if err != nil {
		return err
	}
	role, err := u.svc.Role(ctx, ref)
	if err != nil {
		return err
	}
	orgs, err := u.svc.ListOrgs(ctx)
	if err != nil {
		return err
	}
	q.org, q.role, q.orgs = org, role, orgs
	return nil
}

// view is what every template receives: the frame of the page and its own data in D.
type view struct {
	Title     string
	Nav       string
	User      *cairn.User
	CSRF      string
	Org       *cairn.Org
	Orgs      []*cairn.Org
	Role      cairn.Role
	CanWrite  bool
	IsAdmin   bool
	Asset     string
	RequestID string
	OIDC      bool
	Azdo      bool
	// Imports says that the server can import Viva Goals exports.
	Imports bool
	// JobsUI is the address of River's UI when the server has it; only tenant admins see
	// the link.
	JobsUI string
	// Unread counts the user's unread notifications, for the inbox link in the top bar.
	Unread int
	D      any
}

func (u *UI) view(q *request, title, nav string, d any) *view {
	v := &view{
		Title: title, Nav: nav, User: q.user, Org: q.org, Orgs: q.orgs, Role: q.role,
		CanWrite: q.canWrite(), IsAdmin: q.isAdmin(), Asset: u.assetHash,
		RequestID: web.RequestID(q.r), OIDC: u.srv.OIDCEnabled(), Azdo: u.azdo != nil, Imports: u.imports != nil, D: d,
	}
	if u.srv.HasJobsUI() {
		v.JobsUI = web.JobsUIPath + "/"
	}
	if q.user != nil {
		v.CSRF = u.srv.CSRFToken(q.r)
		v.Unread, _ = u.svc.UnreadCount(q.r.Context())
	}
	return v
}

// render writes a whole page, or for an htmx request the page's "content" block only when
// fragment names another block.
func (u *UI) render(q *request, status int, page, title, nav string, d any) error {
	return u.renderBlock(q, status, page, "layout", u.view(q, title, nav, d))
}

// renderBlock executes one named template of a page into a buffer first, so that a
// template error becomes an error page rather than half a page.
func (u *UI) renderBlock(q *request, status int, page, block string, v *view) error {
	t, ok := u.pages[page]
	if !ok {
		return cairn.Internal("ui: render", fmt.Errorf("no page %q", page))
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, v); err != nil {
		return cairn.Internal("ui: render "+page+"/"+block, err)
	}
	q.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	q.w.WriteHeader(status)
	_, _ = q.w.Write(buf.Bytes())
	return nil
}

// fail renders the error page: the error's message for errors people can act on, a
// generic message with the request id for the rest.
func (u *UI) fail(q *request, err error) {
	code := cairn.ErrorCode(err)
	status := web.StatusOf(code)
	msg := cairn.ErrorMessage(err)
	if code == cairn.EINTERNAL || status >= 500 {
		u.log.ErrorContext(q.r.Context(), "ui request failed", slog.String("err", err.Error()), slog.String("request_id", web.RequestID(q.r)))
		msg = "Something went wrong on our side. The error is logged; quote the request id below when you report it."
	}
	title := http.StatusText(status)
	switch status {
	case http.StatusNotFound:
		title = "Not found"
	case http.StatusForbidden:
		title = "Not allowed"
	case http.StatusUnauthorized:
		title = "Sign in needed"
	}
	d := struct {
		Status  int
		Heading string
		Message string
	}{status, title, msg}
	block := "layout"
	if q.htmx() {
		block = "content"
	}
	if rerr := u.renderBlock(q, status, "error", block, u.view(q, title, "", d)); rerr != nil {
		http.Error(q.w, title+" (request "+web.RequestID(q.r)+")", status)
	}
}

// redirect answers a successful form: htmx follows HX-Location, a plain form a 303.
func (u *UI) redirect(q *request, to string) error {
	if q.htmx() {
		q.w.Header().Set("HX-Redirect", to)
		q.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	http.Redirect(q.w, q.r, to, http.StatusSeeOther)
	return nil
}

// parseForm reads a form body of at most 256 KiB.
func parseForm(q *request) error {
	q.r.Body = http.MaxBytesReader(q.w, q.r.Body, 256<<10)
	if err := q.r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return cairn.Errorf(cairn.ETOOLARGE, "the form is larger than 256 KiB")
		}
		return cairn.Errorf(cairn.EINVALID, "the form cannot be read: %v", err)
	}
	return nil
}
