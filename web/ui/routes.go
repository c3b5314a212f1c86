package ui

import "net/http"

// routes adds every page. Patterns name each item kind on its own rather than with a
// wildcard, so that they never overlap the admin pages.
func (u *UI) routes() {
	pub := options{public: true}
	in := options{org: true}
	u.srv.Handle("GET /static/", u.static)
	u.handle("GET /login", pub, u.loginPage)
	u.handle("POST /login", pub, u.loginSubmit)
	u.handle("POST /logout", pub, u.logout)
	u.handle("GET /account", options{}, u.accountPage)
	u.handle("POST /account/password", options{}, u.changePassword)
	u.handle("POST /account/sign-out-everywhere", options{}, u.signOutEverywhere)
	u.handle("GET /{$}", options{}, u.home)
	u.handle("GET /orgs/new", options{}, u.newOrgPage)
	u.handle("POST /orgs", options{}, u.createOrg)

	u.handle("GET /o/{org}/{$}", in, func(q *request) error { return u.redirect(q, "/o/"+q.org.Slug+"/okrs") })
	u.handle("GET /o/{org}/okrs", in, u.okrsPage)
	u.handle("GET /o/{org}/okrs/rows", in, u.okrRows)
	u.handle("POST /o/{org}/views", in, u.saveView)
	u.handle("POST /o/{org}/views/{id}/delete", in, u.deleteView)
	u.handle("GET /o/{org}/dashboard", in, u.dashboardPage)
	for _, kind := range []string{"objectives", "key-results", "initiatives"} {
		u.handle("GET /o/{org}/okrs/"+kind+"/{id}", in, u.itemPage)
		u.handle("GET /o/{org}/"+kind+"/new", in, u.newItemPage)
		u.handle("POST /o/{org}/"+kind, in, u.createItem)
		u.handle("GET /o/{org}/"+kind+"/{id}/edit", in, u.editItemPage)
		u.handle("POST /o/{org}/"+kind+"/{id}", in, u.updateItem)
		u.handle("POST /o/{org}/"+kind+"/{id}/delete", in, u.deleteItem)
	}
	for _, kind := range []string{"key-results", "initiatives"} {
		u.handle("POST /o/{org}/"+kind+"/{id}/check-ins", in, u.checkIn)
	}
	for _, kind := range []string{"objectives", "key-results", "initiatives", "check-ins"} {
		u.handle("POST /o/{org}/"+kind+"/{id}/comments", in, u.addComment)
	}
	u.handle("POST /o/{org}/comments/{id}", in, u.editComment)
	u.handle("POST /o/{org}/comments/{id}/delete", in, u.deleteComment)
	for _, kind := range []string{"objectives", "key-results"} {
		u.handle("POST /o/{org}/"+kind+"/{id}/closing", in, u.setClosing)
	}

	u.handle("GET /o/{org}/admin", in, u.adminSettings)
	u.handle("POST /o/{org}/admin/settings", in, u.saveSettings)
	u.handle("GET /o/{org}/admin/members", in, u.membersPage)
	u.handle("POST /o/{org}/admin/members", in, u.addMember)
	u.handle("POST /o/{org}/admin/members/{uid}", in, u.updateMember)
	u.handle("POST /o/{org}/admin/members/{uid}/remove", in, u.removeMember)
	u.handle("POST /o/{org}/admin/members/{uid}/unlock", in, u.unlockMember)
	u.handle("POST /o/{org}/admin/members/{uid}/claim", in, u.claimMember)
	u.handle("GET /o/{org}/admin/periods", in, u.periodsPage)
	u.handle("POST /o/{org}/admin/periods", in, u.createPeriod)
	u.handle("GET /o/{org}/admin/periods/{id}/close", in, u.closePeriodPage)
	u.handle("POST /o/{org}/admin/periods/{id}/close", in, u.closePeriod)
	u.handle("POST /o/{org}/admin/periods/{id}/reopen", in, u.reopenPeriod)
	u.handle("GET /o/{org}/admin/teams", in, u.teamsPage)
	u.handle("POST /o/{org}/admin/teams", in, u.createTeam)
	u.handle("GET /o/{org}/admin/import", in, u.importPage)
	u.handle("POST /o/{org}/admin/import", in, u.planImport)
	u.handle("POST /o/{org}/admin/import/confirm", in, u.confirmImport)
	u.handle("POST /o/{org}/admin/rebind", in, u.addRebind)
	u.handle("POST /o/{org}/admin/rebind/{id}/done", in, u.markRebindDone)

	u.azdoRoutes(in)
	u.notifyRoutes(in)

	u.handle("/", pub, func(q *request) error {
		if q.r.URL.Path == "/favicon.ico" {
			q.w.Header().Set("Cache-Control", "public, max-age=86400")
			http.Redirect(q.w, q.r, "/static/favicon.svg", http.StatusMovedPermanently)
			return nil
		}
		return notFound("page")
	})
}
