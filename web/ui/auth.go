package ui

import (
	"net/http"
	"strings"

	"github.com/cairn-okr/cairn"
)

type loginData struct {
	Email string
	Next  string
	Error string
	Field string
}

// safeNext keeps a post-sign-in destination only when it is a path on this site.
func safeNext(s string) string {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/\\") || strings.ContainsAny(s, "\r\n") {
		return "/"
	}
	return s
}

func (u *UI) loginPage(q *request) error {
	if q.user != nil {
		return u.redirect(q, safeNext(q.r.URL.Query().Get("next")))
	}
	return u.render(q, http.StatusOK, "login", "Sign in", "", loginData{Next: safeNext(q.r.URL.Query().Get("next"))})
}

func (u *UI) loginSubmit(q *request) error {
	if err := parseForm(q); err != nil {
		return err
	}
	email, password := q.r.PostForm.Get("email"), q.r.PostForm.Get("password")
	next := safeNext(q.r.PostForm.Get("next"))
	if _, err := u.srv.SignIn(q.w, q.r, email, password); err != nil {
		status := http.StatusUnauthorized
		switch cairn.ErrorCode(err) {
		case cairn.EINVALID, cairn.EUNAUTHORIZED:
		case cairn.ETHROTTLED:
			status = http.StatusTooManyRequests // SignIn set Retry-After
		default:
			return err
		}
		return u.render(q, status, "login", "Sign in", "", loginData{Email: email, Next: next, Error: cairn.ErrorMessage(err), Field: cairn.ErrorField(err)})
	}
	http.Redirect(q.w, q.r, next, http.StatusSeeOther)
	return nil
}

func (u *UI) logout(q *request) error {
	u.srv.SignOut(q.w, q.r)
	http.Redirect(q.w, q.r, "/login", http.StatusSeeOther)
	return nil
}

// home sends the user to their first organization, or explains what to do without one.
func (u *UI) home(q *request) error {
	orgs, err := u.svc.ListOrgs(q.r.Context())
	if err != nil {
		return err
	}
	if len(orgs) > 0 {
		return u.redirect(q, "/o/"+orgs[0].Slug+"/okrs")
	}
	q.orgs = orgs
	return u.render(q, http.StatusOK, "home", "Welcome", "", nil)
}

type orgForm struct {
	Name, Slug string
	FormID     string
	Errs       map[string]string
}

func (u *UI) newOrgPage(q *request) error {
	if !q.user.TenantAdmin {
		return cairn.Errorf(cairn.EFORBIDDEN, "only a tenant admin may create organizations")
	}
	orgs, _ := u.svc.ListOrgs(q.r.Context())
	q.orgs = orgs
	return u.render(q, http.StatusOK, "org_new", "New organization", "", orgForm{FormID: newFormID()})
}

func (u *UI) createOrg(q *request) error {
	if err := parseForm(q); err != nil {
		return err
	}
	f := orgForm{Name: q.r.PostForm.Get("name"), Slug: strings.ToLower(strings.TrimSpace(q.r.PostForm.Get("slug"))), FormID: q.r.PostForm.Get("form_id")}
	if to, ok := u.forms.claim(f.FormID); !ok {
		return u.redirect(q, orDefault(to, "/"))
	}
	o := &cairn.Org{Name: f.Name, Slug: f.Slug}
	if err := u.svc.CreateOrg(q.r.Context(), o); err != nil {
		u.forms.release(f.FormID)
		if field := cairn.ErrorField(err); field != "" || cairn.ErrorCode(err) == cairn.ECONFLICT {
			if field == "" {
				field = "slug"
			}
			f.Errs = map[string]string{field: cairn.ErrorMessage(err)}
			orgs, _ := u.svc.ListOrgs(q.r.Context())
			q.orgs = orgs
			return u.render(q, http.StatusUnprocessableEntity, "org_new", "New organization", "", f)
		}
		return err
	}
	to := "/o/" + o.Slug + "/admin/periods"
	u.forms.done(f.FormID, to)
	return u.redirect(q, to)
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func notFound(what string) error {
	return cairn.Errorf(cairn.ENOTFOUND, "this %s does not exist, or you cannot see it", what)
}
