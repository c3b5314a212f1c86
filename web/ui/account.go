package ui

import (
	"net/http"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/web"
)

// accountData is the account page: the password form and signing out everywhere.
type accountData struct {
	HasPassword bool
	Changed     bool
	Errs        map[string]string
	General     string
	// Prefs are the person's notification channels; SavedPrefs says they were just saved.
	Prefs      cairn.NotifyPrefs
	SavedPrefs bool
}

func (u *UI) accountPage(q *request) error {
	q.orgs, _ = u.svc.ListOrgs(q.r.Context())
	d := accountData{HasPassword: q.user.PasswordHash != "", Changed: q.r.URL.Query().Get("changed") == "1",
		SavedPrefs: q.r.URL.Query().Get("saved") == "notifications"}
	p, err := u.svc.MyNotifyPrefs(q.r.Context())
	if err != nil && cairn.ErrorCode(err) != cairn.ENOTIMPLEMENTED {
		return err
	}
	d.Prefs = p
	return u.render(q, http.StatusOK, "account", "Your account", "", d)
}

// changePassword changes the password and ends every other session; the server starts a
// new session for this browser.
func (u *UI) changePassword(q *request) error {
	if err := parseForm(q); err != nil {
		return err
	}
	v := q.r.PostForm
	d := accountData{HasPassword: q.user.PasswordHash != "", Errs: map[string]string{}}
	status := http.StatusUnprocessableEntity
	if v.Get("new_password") != v.Get("repeat_password") {
		d.Errs["repeat_password"] = "the two new passwords differ"
	} else if _, err := u.srv.ChangePassword(q.w, q.r, v.Get("current_password"), v.Get("new_password")); err != nil {
		code := cairn.ErrorCode(err)
		switch field := cairn.ErrorField(err); {
		case field != "":
			d.Errs[field] = cairn.ErrorMessage(err)
		case code == cairn.ETHROTTLED || code == cairn.ECONFLICT:
			d.General = cairn.ErrorMessage(err)
			status = web.StatusOf(code)
		default:
			return err
		}
	} else {
		return u.redirect(q, "/account?changed=1")
	}
	d.Prefs, _ = u.svc.MyNotifyPrefs(q.r.Context())
	q.orgs, _ = u.svc.ListOrgs(q.r.Context())
	return u.render(q, status, "account", "Your account", "", d)
}

// signOutEverywhere ends every session of the user, this one included.
func (u *UI) signOutEverywhere(q *request) error {
	if err := u.srv.SignOutEverywhere(q.w, q.r); err != nil {
		return err
	}
	return u.redirect(q, "/login")
}
