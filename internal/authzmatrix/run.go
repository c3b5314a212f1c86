package authzmatrix

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn/auth"
	"github.com/cairn-okr/cairn/web"
)

// Env is a running Cairn the matrix runs against. It needs a tenant admin's sign-in and
// an organization "fabrikam" with the Azure DevOps integration available; the matrix
// makes its own users, the organization "contoso" when missing, and its fixtures, all
// through the JSON API.
type Env struct {
	// BaseURL is where the server listens, such as http://127.0.0.1:8080.
	BaseURL string
	// TenantEmail and TenantPassword sign in a tenant admin.
	TenantEmail, TenantPassword string
	// AzdoOrgURL, AzdoProject and AzdoPAT name an Azure DevOps organization that the
	// server may reach, with the emulator's demo data, and a token it accepts.
	AzdoOrgURL, AzdoProject, AzdoPAT string
	// Patterns are the patterns the server routes (web.Server.Patterns).
	Patterns []string
}

// The organizations of the matrix.
const (
	home  = "fabrikam"
	other = "contoso"
)

// elsewhere is a key result of another objective, which the editor may not edit.
const elsewhere Kind = "elsewhere"

// workItemType is a type of the emulator's demo data; work item 1 is one of it.
const workItemType = "Epic"

// Cover compares the router's patterns with the routes of Rows, both ways: it reports a
// route the server serves that no row covers, and a row whose route the server does not
// serve.
func Cover(t *testing.T, patterns []string) {
	t.Helper()
	served := map[string]bool{}
	for _, p := range patterns {
		served[p] = true
	}
	covered := map[string]bool{}
	for _, r := range Rows {
		covered[r.Route] = true
	}
	var missing, extra []string
	for p := range served {
		if !covered[p] {
			missing = append(missing, p)
		}
	}
	for p := range covered {
		if !served[p] {
			extra = append(extra, p)
		}
	}
	slices.Sort(missing)
	slices.Sort(extra)
	if len(missing) > 0 {
		t.Errorf("routes with no row in the authorization matrix (add one to authzmatrix.Rows): %q", missing)
	}
	if len(extra) > 0 {
		t.Errorf("rows of the authorization matrix for routes the server does not serve: %q", extra)
	}
}

// Run checks that the matrix covers exactly env.Patterns, then sends each row's request as
// each role and checks the status. It returns the number of cells it checked.
func Run(t *testing.T, env Env) int {
	t.Helper()
	Cover(t, env.Patterns)
	r := &runner{env: env, api: map[string]bool{}, who: map[Role]*caller{}, ids: map[Kind]string{}, users: map[Role]int64{},
		hc: &http.Client{Timeout: 60 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	for _, p := range web.Routes() {
		r.api[p] = true
	}
	var b [3]byte
	_, _ = rand.Read(b[:])
	r.tag = hex.EncodeToString(b[:])
	r.setup(t)
	cells := 0
	for _, row := range Rows {
		t.Run(row.Route, func(t *testing.T) {
			for _, role := range Roles {
				r.cell(t, row, role)
				cells++
			}
		})
	}
	return cells
}

// caller is a role's user with its credentials: an API token for the JSON API, and a
// session with its CSRF token for the UI.
type caller struct {
	role            Role
	email, password string
	id              int64
	token           string
	session         *http.Cookie
	csrf            string
}

type runner struct {
	env   Env
	hc    *http.Client
	api   map[string]bool // the JSON API's routes, which take API tokens
	who   map[Role]*caller
	users map[Role]int64
	ids   map[Kind]string // the fixtures made before the run
	tag   string
	n     int
}

// unique returns a new token for names and slugs.
func (r *runner) unique() string {
	r.n++
	return "mx" + r.tag + strconv.Itoa(r.n)
}

// reply is a response, read.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (p reply) String() string {
	s := strings.Join(strings.Fields(string(p.body)), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// send sends a request as c (nil for anonymous): with c's API token when token is set,
// else with c's session and its CSRF token. A body that starts with "{" is JSON, any
// other a form.
func (r *runner) send(t *testing.T, c *caller, token bool, method, path, body string) reply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, r.env.BaseURL+path, rd)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	switch {
	case strings.HasPrefix(body, "{"):
		req.Header.Set("Content-Type", "application/json")
	case body != "":
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	switch {
	case c == nil:
	case token:
		req.Header.Set("Authorization", "Bearer "+c.token)
	default:
		req.AddCookie(c.session)
		req.Header.Set(auth.CSRFHeader, c.csrf)
	}
	res, err := r.hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read the answer: %v", method, path, err)
	}
	return reply{status: res.StatusCode, header: res.Header, body: data}
}

// call sends a JSON API request for the matrix's own setup and decodes the answer into
// out; any status but want fails the run.
func (r *runner) call(t *testing.T, c *caller, want int, method, path string, in, out any) reply {
	t.Helper()
	var body string
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		body = string(data)
	}
	p := r.send(t, c, true, method, path, body)
	if p.status != want {
		t.Fatalf("setup: %s %s: status %d, want %d: %s", method, path, p.status, want, p)
	}
	if out != nil {
		if err := json.Unmarshal(p.body, out); err != nil {
			t.Fatalf("setup: %s %s: %v: %s", method, path, err, p)
		}
	}
	return p
}

// signIn starts a session for the email and password.
func (r *runner) signIn(t *testing.T, c *caller) {
	t.Helper()
	data, _ := json.Marshal(map[string]string{"email": c.email, "password": c.password})
	p := r.send(t, nil, true, "POST", "/api/v1/auth/login", string(data))
	if p.status != http.StatusOK {
		t.Fatalf("setup: sign in as %s: status %d: %s", c.role, p.status, p)
	}
	var me struct {
		CSRF string `json:"csrf_token"`
	}
	if err := json.Unmarshal(p.body, &me); err != nil || me.CSRF == "" {
		t.Fatalf("setup: sign in as %s: no CSRF token: %s", c.role, p)
	}
	res := http.Response{Header: p.header}
	for _, ck := range res.Cookies() {
		if ck.Name == auth.SessionCookieName {
			c.session = &http.Cookie{Name: ck.Name, Value: ck.Value}
		}
	}
	if c.session == nil {
		t.Fatalf("setup: sign in as %s: no session cookie", c.role)
	}
	c.csrf = me.CSRF
}

// enroll signs c in and gives it an API token made through the session.
func (r *runner) enroll(t *testing.T, c *caller) {
	t.Helper()
	r.signIn(t, c)
	p := r.send(t, c, false, "POST", "/api/v1/me/tokens", `{"name":"authorization matrix"}`)
	if p.status != http.StatusCreated {
		t.Fatalf("setup: API token of %s: status %d: %s", c.role, p.status, p)
	}
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(p.body, &tok); err != nil || tok.Token == "" {
		t.Fatalf("setup: API token of %s: %s", c.role, p)
	}
	c.token = tok.Token
	r.who[c.role] = c
	r.users[c.role] = c.id
}

func id(v int64) string { return strconv.FormatInt(v, 10) }

// orgPath is the JSON API's path of the organization.
func orgPath(org string) string { return "/api/v1/orgs/" + org }

// setup makes the users of every role and the fixtures.
func (r *runner) setup(t *testing.T) {
	t.Helper()
	tenant := &caller{role: Tenant, email: r.env.TenantEmail, password: r.env.TenantPassword}
	r.enroll(t, tenant)
	var me struct {
		User struct {
			ID          int64 `json:"id"`
			TenantAdmin bool  `json:"tenant_admin"`
		} `json:"user"`
	}
	r.call(t, tenant, 200, "GET", "/api/v1/me", nil, &me)
	if !me.User.TenantAdmin {
		t.Fatalf("setup: %s is not a tenant admin", r.env.TenantEmail)
	}
	tenant.id = me.User.ID
	r.users[Tenant] = tenant.id
	if p := r.send(t, tenant, true, "GET", orgPath(other), ""); p.status == http.StatusNotFound {
		r.call(t, tenant, 201, "POST", "/api/v1/orgs", map[string]any{"name": "Contoso", "slug": other}, nil)
	}
	r.call(t, tenant, 200, "PUT", "/api/v1/tenant/integrations/azure-devops", map[string]any{"enabled": true}, nil)
	r.call(t, tenant, 200, "PUT", orgPath(home)+"/integrations/azure-devops", map[string]any{"enabled": true}, nil)

	for _, m := range []struct {
		role Role
		org  string
		as   string
	}{{Viewer, home, "viewer"}, {Member, home, "member"}, {Editor, home, "member"}, {Admin, home, "admin"}, {Outsider, other, "admin"}} {
		var pw [9]byte
		_, _ = rand.Read(pw[:])
		c := &caller{role: m.role, email: "matrix-" + r.tag + "-" + string(m.role) + "@example.com", password: "pw-" + hex.EncodeToString(pw[:])}
		var mem struct {
			UserID int64 `json:"user_id"`
		}
		r.call(t, tenant, 201, "POST", orgPath(m.org)+"/members", map[string]any{"email": c.email, "name": "Matrix " + string(m.role), "role": m.as, "password": c.password}, &mem)
		c.id = mem.UserID
		r.enroll(t, c)
	}

	for _, k := range []Kind{Period, Team, Membership, Objective, KeyResult, elsewhere, Initiative, Connection, PrivateConnection, DataSource,
		SyncedKeyResult, SyncedInitiative, DelegatedKeyResult, DelegatedInitiative, CheckIn, Comment, View, SharedView} {
		r.ids[k] = r.make(t, k)
	}
	r.ids[Org] = home
}

// make makes a fixture of the kind in fabrikam, as the tenant admin unless said
// otherwise, and returns its id (or, for Org, its slug).
func (r *runner) make(t *testing.T, k Kind) string {
	t.Helper()
	tenant := r.who[Tenant]
	base := orgPath(home)
	var out struct {
		ID     int64 `json:"id"`
		UserID int64 `json:"user_id"`
	}
	switch k {
	case Org:
		slug := r.unique()
		r.call(t, tenant, 201, "POST", "/api/v1/orgs", map[string]any{"name": "Matrix " + slug, "slug": slug}, nil)
		for role, as := range map[Role]string{Viewer: "viewer", Member: "member", Editor: "member", Admin: "admin"} {
			r.call(t, tenant, 201, "POST", orgPath(slug)+"/members", map[string]any{"email": r.who[role].email, "role": as}, nil)
		}
		return slug
	case Period:
		r.call(t, tenant, 201, "POST", base+"/periods", map[string]any{"name": "Matrix " + r.unique(), "start": "2026-01-01", "end": "2027-12-31"}, &out)
	case Team:
		r.call(t, tenant, 201, "POST", base+"/teams", map[string]any{"name": "Matrix " + r.unique()}, &out)
	case Membership:
		r.call(t, tenant, 201, "POST", base+"/members", map[string]any{"email": r.unique() + "@example.com", "role": "viewer"}, &out)
		return id(out.UserID)
	case Objective:
		r.call(t, tenant, 201, "POST", base+"/objectives", map[string]any{"period_id": r.num(t, Period), "title": "Matrix " + r.unique(),
			"owner_ids": []int64{r.users[Admin]}, "editor_ids": []int64{r.users[Editor]}}, &out)
	case KeyResult, SyncedKeyResult:
		r.call(t, tenant, 201, "POST", base+"/key-results", map[string]any{"objective_id": r.num(t, Objective), "title": "Matrix " + r.unique(),
			"owner_ids": []int64{r.users[Admin]}, "metric": map[string]any{"kind": "number", "start": 0, "target": 10}}, &out)
		if k == SyncedKeyResult {
			r.bind(t, "key_result", out.ID)
		}
	case Initiative:
		r.call(t, tenant, 201, "POST", base+"/initiatives", map[string]any{"parent": map[string]any{"type": "key_result", "id": r.num(t, elsewhere)},
			"title": "Matrix " + r.unique(), "owner_ids": []int64{r.users[Editor]}, "progress_mode": "manual"}, &out)
	case SyncedInitiative:
		r.call(t, tenant, 201, "POST", base+"/initiatives", map[string]any{"parent": map[string]any{"type": "key_result", "id": r.num(t, KeyResult)},
			"title": "Matrix " + r.unique(), "owner_ids": []int64{r.users[Admin]}, "progress_mode": "tasks"}, &out)
		r.bind(t, "initiative_tasks", out.ID)
	case elsewhere:
		var o struct {
			ID int64 `json:"id"`
		}
		r.call(t, tenant, 201, "POST", base+"/objectives", map[string]any{"period_id": r.num(t, Period), "title": "Matrix " + r.unique(),
			"owner_ids": []int64{r.users[Admin]}}, &o)
		r.call(t, tenant, 201, "POST", base+"/key-results", map[string]any{"objective_id": o.ID, "title": "Matrix " + r.unique(),
			"owner_ids": []int64{r.users[Admin]}, "metric": map[string]any{"kind": "number", "start": 0, "target": 10}}, &out)
	case Connection, PrivateConnection:
		// The editor makes it, so that the editor owns it.
		vis := "shared"
		if k == PrivateConnection {
			vis = "private"
		}
		r.call(t, r.who[Editor], 201, "POST", base+"/connections", map[string]any{"name": "Matrix " + r.unique(), "organization_url": r.env.AzdoOrgURL,
			"project": r.env.AzdoProject, "visibility": vis, "auth": map[string]any{"type": "pat", "token": r.env.AzdoPAT}}, &out)
	case DelegatedKeyResult:
		r.call(t, tenant, 201, "POST", base+"/key-results", map[string]any{"objective_id": r.num(t, Objective), "title": "Matrix " + r.unique(),
			"owner_ids": []int64{r.users[Admin]}, "checkin_owner_ids": []int64{r.users[Member]}, "metric": map[string]any{"kind": "number", "start": 0, "target": 10}}, &out)
	case DelegatedInitiative:
		r.call(t, tenant, 201, "POST", base+"/initiatives", map[string]any{"parent": map[string]any{"type": "key_result", "id": r.num(t, KeyResult)},
			"title": "Matrix " + r.unique(), "owner_ids": []int64{r.users[Admin]}, "checkin_owner_ids": []int64{r.users[Member]}, "progress_mode": "manual"}, &out)
	case CheckIn:
		r.call(t, tenant, 201, "POST", base+"/key-results/"+r.ids[KeyResult]+"/check-ins", map[string]any{"value": 3, "note": "matrix"}, &out)
	case Comment:
		// The editor writes it, so that the editor is its author.
		r.call(t, r.who[Editor], 201, "POST", base+"/objectives/"+r.ids[Objective]+"/comments", map[string]any{"body": "Matrix " + r.unique()}, &out)
	case View, SharedView:
		// The editor saves it, so that the editor owns it.
		r.call(t, r.who[Editor], 201, "POST", base+"/views", map[string]any{"name": "Matrix " + r.unique(), "shared": k == SharedView,
			"filter": map[string]any{"status": "on_track"}}, &out)
	case DataSource:
		kr := r.make(t, SyncedKeyResult)
		var ds struct {
			ID int64 `json:"id"`
		}
		r.call(t, tenant, 200, "GET", base+"/key-results/"+kr+"/data-source", nil, &ds)
		return id(ds.ID)
	default:
		t.Fatalf("setup: no fixture of kind %q", k)
	}
	return id(out.ID)
}

// bind connects the target to the connection: work item 1 and its descendants.
func (r *runner) bind(t *testing.T, target string, itemID int64) {
	t.Helper()
	r.call(t, r.who[Tenant], 201, "POST", orgPath(home)+"/data-sources", map[string]any{"target": map[string]any{"type": target, "id": itemID},
		"connection_id": r.num(t, Connection), "method": "work_items", "work_item_type": workItemType, "work_item_ids": []int{1},
		"progress_type": "User Story", "measure": "count"}, nil)
}

func (r *runner) num(t *testing.T, k Kind) int64 {
	t.Helper()
	n, err := strconv.ParseInt(r.ids[k], 10, 64)
	if err != nil {
		t.Fatalf("setup: fixture %s is %q, not made yet", k, r.ids[k])
	}
	return n
}

// request splits a row's route into the method and the path to send.
func (row Row) request() (method, path string) {
	method, pattern, ok := strings.Cut(row.Route, " ")
	if !ok {
		method, pattern = http.MethodGet, row.Route
	}
	path = row.Path
	if path == "" {
		path = strings.ReplaceAll(pattern, "{$}", "")
	}
	return method, path
}

// anon is what anonymous gets for SignIn.
func (row Row) anon(api bool, method string) int {
	switch {
	case row.Anon != 0:
		return row.Anon
	case !api && method == http.MethodGet:
		return http.StatusSeeOther
	}
	return http.StatusUnauthorized
}

// cell sends the row's request as the role and checks the answer.
func (r *runner) cell(t *testing.T, row Row, role Role) {
	t.Helper()
	c := r.who[role]
	api := r.api[row.Route]
	method, path := row.request()

	org, item := home, ""
	if row.ID != None {
		item = r.ids[row.ID]
	}
	if row.Fresh {
		switch row.ID {
		case Session:
			if c != nil {
				fresh := *c
				r.signIn(t, &fresh)
				c = &fresh
			}
		default:
			item = r.make(t, row.ID)
		}
	}
	if row.ID == Org {
		org = item
		if row.Fresh {
			// A fresh organization left behind would show in the members' lists of
			// organizations.
			defer r.send(t, r.who[Tenant], true, "DELETE", orgPath(org), "")
		}
	}
	vals := map[string]string{
		"org": org, "id": item, "uid": item, "cid": item, "type": workItemType, "unique": r.unique(),
		"now":    strconv.FormatInt(time.Now().Unix(), 10),
		"period": r.ids[Period], "team": r.ids[Team], "objective": r.ids[Objective], "keyresult": r.ids[KeyResult],
		"initiative": r.ids[Initiative], "connection": r.ids[Connection], "datasource": r.ids[DataSource],
		"admin": id(r.users[Admin]), "editor": id(r.users[Editor]), "viewer": id(r.users[Viewer]),
		"azdo_org": r.env.AzdoOrgURL, "azdo_project": r.env.AzdoProject, "azdo_pat": r.env.AzdoPAT,
		"viewer_email": r.who[Viewer].email, "viewer_password": r.who[Viewer].password,
	}
	escape := url.QueryEscape
	if strings.HasPrefix(row.Body, "{") {
		escape = func(s string) string { return s }
	}
	path, err := fill(path, vals, url.QueryEscape)
	if err != nil {
		t.Fatalf("row %s: path: %v", row.Route, err)
	}
	body, err := fill(row.Body, vals, escape)
	if err != nil {
		t.Fatalf("row %s: body: %v", row.Route, err)
	}

	got := r.send(t, c, api, method, path, body)
	if row.EndsSessions && r.who[role] != nil {
		r.signIn(t, r.who[role])
	}
	outcome := row.Policy.Expect[role]
	want := outcome
	switch outcome {
	case OK:
		want = row.Status
	case SignIn:
		want = row.anon(api, method)
	}
	if got.status != want {
		t.Errorf("%s %s as %s (%s): status %d, want %d: %s", method, path, role, row.Policy.Name, got.status, want, got)
		return
	}
	if got.status != http.StatusSeeOther {
		return
	}
	loc := got.header.Get("Location")
	switch {
	case outcome == SignIn:
		if !strings.HasPrefix(loc, "/login") {
			t.Errorf("%s %s as %s: sent to %q, want /login", method, path, role, loc)
		}
	case row.Location != "":
		if loc != row.Location {
			t.Errorf("%s %s as %s: sent to %q, want %q", method, path, role, loc, row.Location)
		}
	case role != Anonymous && strings.HasPrefix(loc, "/login"):
		t.Errorf("%s %s as %s: sent to sign in (%q), as if the session were not known", method, path, role, loc)
	}
}

// fill replaces the {placeholders} of s with vals, escaped. Braces around anything but a
// word are left alone, as JSON's own; an unknown word is a mistake in the row.
func fill(s string, vals map[string]string, escape func(string) string) (string, error) {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		j := strings.IndexByte(s[i:], '}')
		name := ""
		if j > 0 {
			name = s[i+1 : i+j]
		}
		if name == "" || strings.Trim(name, "abcdefghijklmnopqrstuvwxyz_") != "" || name == "$" {
			b.WriteString(s[:i+1])
			s = s[i+1:]
			continue
		}
		v, ok := vals[name]
		if !ok {
			return "", fmt.Errorf("unknown placeholder {%s}", name)
		}
		b.WriteString(s[:i])
		b.WriteString(escape(v))
		s = s[i+j+1:]
	}
}
