package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/azdo"
)

// The "Sign in with Microsoft" path of the new-connection step. The wizard's link starts
// the integration's authorization-code flow and remembers the item in a short-lived
// cookie; Microsoft returns to the integration's callback, which sends the browser to
// /o/{org}/connections/new?grant=G; that page reads the cookie and reopens the wizard with
// the grant, which lists the user's organizations and then the chosen one's projects.

// wizardCookie names the item whose wizard a Microsoft sign-in returns to.
const wizardCookie = "cairn_azdo_wizard"

// signInMaxAge matches the integration's fifteen minutes for finishing a sign-in.
const signInMaxAge = 15 * 60

// orgChoice is an Azure DevOps organization of the signed-in Microsoft account.
type orgChoice struct {
	Name string
	URL  string
}

// organizationURL is the URL a connection to the account's organization uses: the
// dev.azure.com form for Azure DevOps Services, whose account URI names the profile
// service instead, else the account URI itself.
func organizationURL(a azdo.Account) string {
	u, err := url.Parse(a.AccountURI)
	if err != nil || u.Host == "" {
		return "https://dev.azure.com/" + url.PathEscape(a.AccountName)
	}
	h := strings.ToLower(u.Hostname())
	if h == "dev.azure.com" || strings.HasSuffix(h, ".dev.azure.com") || strings.HasSuffix(h, ".visualstudio.com") {
		return "https://dev.azure.com/" + url.PathEscape(a.AccountName)
	}
	return strings.TrimRight(a.AccountURI, "/")
}

// microsoftSignIn starts the sign-in with Microsoft for the item's wizard.
func (u *UI) microsoftSignIn(q *request) error {
	ref, err := itemRef(q)
	if err != nil {
		return err
	}
	if !q.canWrite() {
		return cairn.Errorf(cairn.EFORBIDDEN, "viewers may not connect items to Azure DevOps")
	}
	target, err := u.azdo.Authorize(q.r.Context(), q.org.Slug)
	if err != nil {
		return err
	}
	http.SetCookie(q.w, &http.Cookie{
		Name: wizardCookie, Value: kindPath(ref.Type) + "." + strconv.FormatInt(ref.ID, 10),
		Path: "/o/" + q.org.Slug + "/", MaxAge: signInMaxAge, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: q.r.TLS != nil || q.r.Header.Get("X-Forwarded-Proto") == "https",
	})
	http.Redirect(q.w, q.r, target, http.StatusSeeOther)
	return nil
}

// signedIn is where the integration's callback sends the browser: back into the wizard
// the sign-in started from, with the grant.
func (u *UI) signedIn(q *request) error {
	grant := q.r.URL.Query().Get("grant")
	if grant == "" {
		return cairn.Errorf(cairn.EINVALID, "the sign-in with Microsoft did not finish: start it again from the item's data source wizard")
	}
	c, err := q.r.Cookie(wizardCookie)
	var ref cairn.Ref
	if err == nil {
		ref, err = cookieRef(c.Value)
	}
	if err != nil {
		return cairn.Errorf(cairn.EINVALID, "the sign-in with Microsoft finished, but Cairn no longer knows which item it was for: open the item and choose “Automatically from a data source” again")
	}
	http.SetCookie(q.w, &http.Cookie{Name: wizardCookie, Path: "/o/" + q.org.Slug + "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	v := url.Values{"step": {"new-connection"}, "grant": {grant}}
	return u.redirect(q, dsBase(q.org.Slug, ref)+"?"+v.Encode())
}

// cookieRef reads the item of the wizard cookie, such as "key-results.12".
func cookieRef(s string) (cairn.Ref, error) {
	kind, id, ok := strings.Cut(s, ".")
	t, known := itemType(kind)
	n, err := strconv.ParseInt(id, 10, 64)
	if !ok || !known || t == cairn.ItemObjective || err != nil || n <= 0 {
		return cairn.Ref{}, cairn.Errorf(cairn.EINVALID, "%q names no key result or initiative", s)
	}
	return cairn.Ref{Type: t, ID: n}, nil
}
