package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/auth"
	"github.com/cairn-okr/cairn/auth/oidctest"
	"github.com/cairn-okr/cairn/sqldb"
	"github.com/cairn-okr/cairn/web"
)

// unclaimed adds an unclaimed member, as an import makes them, to fabrikam.
func (b *testBundle) unclaimed(tb testing.TB, name, email string) *cairn.User {
	tb.Helper()
	u := &cairn.User{Email: email, Name: name, Unclaimed: true}
	if err := b.db.CreateUser(context.Background(), u); err != nil {
		tb.Fatal(err)
	}
	if err := b.db.AddMember(context.Background(), &cairn.Member{OrgID: b.org.ID, UserID: u.ID, Role: cairn.RoleMember}); err != nil {
		tb.Fatal(err)
	}
	return u
}

// TestClaimMember claims unclaimed members for accounts through the API: the account takes
// over what the member owned and made, only admins may, and only unclaimed members can be.
func TestClaimMember(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.okrs(t)
	ram := b.unclaimed(t, "Ram Sagoo", "viva-1@"+cairn.UnclaimedDomain)
	b.must(t, 200, "admin", "PATCH", "/api/v1/orgs/fabrikam/objectives/"+itoa(ids.objective), map[string]any{"owner_ids": []int64{ram.ID}})
	must(t, b.db.AddCheckIn(context.Background(), &cairn.CheckIn{OrgID: b.org.ID, Item: cairn.Ref{Type: cairn.ItemKeyResult, ID: ids.keyResult}, Value: 10, AuthorID: &ram.ID}))

	claim := "/api/v1/orgs/fabrikam/members/" + itoa(ram.ID) + "/claim"
	b.must(t, 403, "member", "POST", claim, map[string]any{"user_id": b.users["member"].ID})
	b.must(t, 404, "outsider", "POST", claim, map[string]any{"user_id": b.users["outsider"].ID})
	b.must(t, 422, "admin", "POST", claim, map[string]any{})
	b.must(t, 422, "admin", "POST", claim, map[string]any{"user_id": b.users["member"].ID, "email": "x@example.com"})
	b.must(t, 422, "admin", "POST", claim, map[string]any{"email": "someone@elsewhere.invalid"})
	b.must(t, 409, "admin", "POST", "/api/v1/orgs/fabrikam/members/"+itoa(b.users["viewer"].ID)+"/claim", map[string]any{"user_id": b.users["member"].ID})

	var m cairn.Member
	b.must(t, 200, "admin", "POST", claim, map[string]any{"user_id": b.users["member"].ID}).json(t, &m)
	if m.UserID != b.users["member"].ID || m.Unclaimed || m.Role != cairn.RoleMember {
		t.Fatalf("claimed membership = %+v", m)
	}
	var o cairn.Objective
	b.must(t, 200, "admin", "GET", "/api/v1/orgs/fabrikam/objectives/"+itoa(ids.objective), nil).json(t, &o)
	if len(o.OwnerIDs) != 1 || o.OwnerIDs[0] != m.UserID {
		t.Errorf("owners after the claim = %v, want the account", o.OwnerIDs)
	}
	var cs struct{ Items []cairn.CheckIn }
	b.must(t, 200, "admin", "GET", "/api/v1/orgs/fabrikam/key-results/"+itoa(ids.keyResult)+"/check-ins", nil).json(t, &cs)
	if len(cs.Items) != 1 || cs.Items[0].AuthorID == nil || *cs.Items[0].AuthorID != m.UserID {
		t.Errorf("check-ins after the claim = %+v", cs.Items)
	}
	b.must(t, 404, "admin", "GET", "/api/v1/orgs/fabrikam/members/"+itoa(ram.ID), nil)
	b.must(t, 404, "admin", "POST", claim, map[string]any{"user_id": b.users["member"].ID})

	// An email no account has becomes the member's own.
	roland := b.unclaimed(t, "Roland Green", "viva-2@"+cairn.UnclaimedDomain)
	b.must(t, 200, "admin", "POST", "/api/v1/orgs/fabrikam/members/"+itoa(roland.ID)+"/claim", map[string]any{"email": "Roland@Contoso.com"}).json(t, &m)
	if m.Email != "roland@contoso.com" || m.Name != "Roland Green" || m.Unclaimed || m.UserID == roland.ID {
		t.Errorf("membership claimed by email = %+v", m)
	}
}

// TestRebindChecklist adds, lists and ticks off entries of the re-bind checklist, which only
// admins reach.
func TestRebindChecklist(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.okrs(t)
	const path = "/api/v1/orgs/fabrikam/imports/rebind"
	kr := map[string]any{"type": "key_result", "id": ids.keyResult}
	b.must(t, 403, "member", "POST", path, map[string]any{"item": kr})
	b.must(t, 403, "viewer", "GET", path, nil)
	b.must(t, 422, "admin", "POST", path, map[string]any{"item": map[string]any{"type": "key_result", "id": 999999}})
	b.must(t, 422, "admin", "POST", path, map[string]any{"item": map[string]any{"type": "period", "id": ids.period}})

	var e cairn.RebindEntry
	b.must(t, 201, "admin", "POST", path, map[string]any{"item": kr, "reason": "Azure DevOps set it"}).json(t, &e)
	if e.ID == 0 || e.Title != "Checkout conversion" || e.Reason != "Azure DevOps set it" || e.DoneAt != nil {
		t.Fatalf("entry = %+v", e)
	}
	var open struct {
		Items []cairn.RebindEntry
		Count int
	}
	b.must(t, 200, "admin", "GET", path, nil).json(t, &open)
	if open.Count != 1 || open.Items[0].ID != e.ID {
		t.Fatalf("open entries = %+v", open)
	}
	var done cairn.RebindEntry
	b.must(t, 200, "admin", "POST", path+"/"+itoa(e.ID)+"/done", nil).json(t, &done)
	if done.DoneAt == nil || !done.DoneAt.Equal(b.now) {
		t.Fatalf("done entry = %+v", done)
	}
	b.must(t, 200, "admin", "GET", path, nil).json(t, &open)
	if open.Count != 0 {
		t.Fatalf("open entries after done = %+v", open)
	}
	b.must(t, 200, "tenant", "GET", path+"?all=true", nil).json(t, &open)
	if open.Count != 1 || open.Items[0].DoneAt == nil {
		t.Fatalf("all entries = %+v", open)
	}
	// Adding the item again opens its entry again.
	b.must(t, 201, "admin", "POST", path, map[string]any{"item": kr, "reason": "again"}).json(t, &e)
	if e.DoneAt != nil || e.Reason != "again" || e.ID != done.ID {
		t.Fatalf("reopened entry = %+v", e)
	}
	// Deleting the item takes its entry away.
	b.must(t, 204, "owner", "DELETE", "/api/v1/orgs/fabrikam/key-results/"+itoa(ids.keyResult), nil)
	b.must(t, 200, "admin", "GET", path+"?all=true", nil).json(t, &open)
	if open.Count != 0 {
		t.Fatalf("entries of a deleted item = %+v", open)
	}
	b.must(t, 404, "admin", "POST", path+"/"+itoa(e.ID)+"/done", nil)
}

// TestSignInWithMicrosoftClaimsImportedPerson signs in with Microsoft as someone an import
// named: the new account takes the unclaimed member's place when exactly one has the name.
func TestSignInWithMicrosoftClaimsImportedPerson(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	idp := oidctest.New(t, oidctest.Config{})
	db, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "c.db"), sqldb.Options{})
	must(t, err)
	defer db.Close()
	admin := &cairn.User{Email: "tenant@example.com", Name: "T", TenantAdmin: true}
	must(t, db.CreateTenant(ctx, &cairn.Tenant{Name: "Cairn"}, admin))
	org := &cairn.Org{Name: "Fabrikam", Slug: "fabrikam"}
	must(t, db.CreateOrg(ctx, org, admin.ID))
	period := &cairn.Period{OrgID: org.ID, Name: "Q1", Start: cairn.Date{Year: 2026, Month: 1, Day: 1}, End: cairn.Date{Year: 2026, Month: 3, Day: 31}}
	must(t, db.CreatePeriod(ctx, period))
	newUnclaimed := func(name, email string) *cairn.User {
		u := &cairn.User{Email: email, Name: name, Unclaimed: true}
		must(t, db.CreateUser(ctx, u))
		must(t, db.AddMember(ctx, &cairn.Member{OrgID: org.ID, UserID: u.ID, Role: cairn.RoleMember}))
		return u
	}
	ada := newUnclaimed("  ada LOVELACE ", "viva-ada@"+cairn.UnclaimedDomain)
	obj := &cairn.Objective{OrgID: org.ID, PeriodID: period.ID, Title: "Analytical engine", OwnerIDs: []int64{ada.ID}}
	must(t, db.CreateObjective(ctx, obj))
	newUnclaimed("Grace Hopper", "viva-g1@"+cairn.UnclaimedDomain)
	newUnclaimed("Grace Hopper", "viva-g2@"+cairn.UnclaimedDomain)

	mux := http.NewServeMux()
	ts := httptest.NewServer(mux)
	defer ts.Close()
	oidc, err := auth.NewOIDC(ctx, auth.OIDCConfig{Issuer: idp.Issuer(), ClientID: idp.ClientID(), ClientSecret: idp.ClientSecret(), RedirectURL: ts.URL + "/auth/oidc/callback", CookieKey: bytes.Repeat([]byte("o"), 32)})
	must(t, err)
	srv, err := web.New(web.Config{Service: cairn.NewService(db, cairn.ServiceOptions{Now: time.Now}), Store: db, CSRFKey: bytes.Repeat([]byte("k"), 32), Passwords: cheapHasher(t), OIDC: oidc})
	must(t, err)
	mux.Handle("/", srv)
	signIn := func() {
		t.Helper()
		br := newBrowser(t, ts.URL)
		res, err := br.client.Get(ts.URL + "/auth/oidc/login")
		must(t, err)
		res.Body.Close()
		cb, err := idp.Authorize(ctx, res.Header.Get("Location"))
		must(t, err)
		res, err = br.client.Get(cb.String())
		must(t, err)
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("callback: %d", res.StatusCode)
		}
	}

	signIn() // Ada Lovelace, the provider's default user
	u, err := db.UserByEmail(ctx, oidctest.DefaultUser().Email)
	must(t, err)
	if u.Unclaimed || u.OIDCSubject != oidctest.DefaultUser().Subject {
		t.Fatalf("account = %+v", u)
	}
	if _, err := db.UserByID(ctx, ada.ID); cairn.ErrorCode(err) != cairn.ENOTFOUND {
		t.Errorf("the unclaimed Ada is still there: %v", err)
	}
	m, err := db.Membership(ctx, org.ID, u.ID)
	if err != nil || m.Role != cairn.RoleMember {
		t.Errorf("membership of the account = %+v, %v", m, err)
	}
	got, err := db.ObjectiveByID(ctx, org.ID, obj.ID)
	must(t, err)
	if len(got.OwnerIDs) != 1 || got.OwnerIDs[0] != u.ID {
		t.Errorf("owners = %v, want the account", got.OwnerIDs)
	}

	// Two unclaimed members are named Grace Hopper: neither is taken.
	grace := oidctest.DefaultUser()
	grace.Subject, grace.Email, grace.PreferredUsername, grace.Name = "grace-subject", "grace@contoso.example", "grace@contoso.example", "Grace Hopper"
	idp.SetUser(grace)
	signIn()
	g, err := db.UserByEmail(ctx, grace.Email)
	must(t, err)
	if _, err := db.Membership(ctx, org.ID, g.ID); cairn.ErrorCode(err) != cairn.ENOTFOUND {
		t.Errorf("Grace became a member though two unclaimed members have her name: %v", err)
	}
	ms, err := db.ListMembers(ctx, org.ID)
	must(t, err)
	n := 0
	for _, m := range ms {
		if m.Unclaimed && m.Name == "Grace Hopper" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d unclaimed Grace Hoppers left, want 2", n)
	}
}
