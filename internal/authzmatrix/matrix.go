package authzmatrix

import "net/http"

// Role is who sends a request.
type Role string

// The roles of the matrix. Every organization-scoped route is asked about the
// organization fabrikam; Outsider administers another organization, contoso.
const (
	Anonymous Role = "anonymous"
	Viewer    Role = "viewer"
	Member    Role = "member" // a member who neither owns nor edits the fixtures
	Editor    Role = "editor" // a member who edits the objective and owns the initiative and the connections
	Admin     Role = "admin"  // an organization admin of fabrikam
	Tenant    Role = "tenant" // a tenant admin
	Outsider  Role = "outsider"
)

// Roles lists the roles in the order policies list their outcomes.
var Roles = []Role{Anonymous, Viewer, Member, Editor, Admin, Tenant, Outsider}

// The outcomes a policy gives a role, besides literal statuses.
const (
	// OK is the row's Status: the request was allowed.
	OK = -1
	// SignIn is the answer to someone not signed in: 401 from the API and from forms,
	// a 303 to /login from a page (see Row.Anon).
	SignIn = -2
	// Denied is 403: the role is known to the organization but may not do this.
	Denied = http.StatusForbidden
	// Hidden is 404: the organization or item exists, but the role may not know it.
	Hidden = http.StatusNotFound
)

// Policy is who may use a route, as the outcome for each role.
type Policy struct {
	Name   string
	Expect map[Role]int
}

// policy builds a Policy from the outcomes of the Roles, in their order.
func policy(name string, anonymous, viewer, member, editor, admin, tenant, outsider int) Policy {
	return Policy{Name: name, Expect: map[Role]int{Anonymous: anonymous, Viewer: viewer, Member: member,
		Editor: editor, Admin: admin, Tenant: tenant, Outsider: outsider}}
}

// The policies. Outsiders get 404 for anything inside fabrikam, so that its existence does
// not leak; the routes that are not organization-scoped refuse them as anyone else.
var (
	// Public routes answer everyone alike.
	Public = policy("public", OK, OK, OK, OK, OK, OK, OK)
	// AnyUser routes serve whoever is signed in, whatever their organizations.
	AnyUser = policy("any-user", SignIn, OK, OK, OK, OK, OK, OK)
	// AnyMember routes read an organization: every member, viewers included.
	AnyMember = policy("any-member", SignIn, OK, OK, OK, OK, OK, Hidden)
	// Writer routes create in an organization: members and admins, not viewers.
	Writer = policy("writer", SignIn, Denied, OK, OK, OK, OK, Hidden)
	// OwnerOrEditor routes change one item: its owners and editors (for a key result or an
	// initiative, also those of the objective above it; for a connection, its owner) and
	// organization admins.
	OwnerOrEditor = policy("owner-or-editor", SignIn, Denied, Denied, OK, OK, OK, Hidden)
	// CheckInOwner routes check in on an item the member is a check-in owner of: its
	// check-in owners may, besides those who may edit it, though they may not edit it.
	CheckInOwner = policy("check-in-owner", SignIn, Denied, OK, OK, OK, OK, Hidden)
	// Author routes change a comment: its author only, not even an admin.
	Author = policy("author", SignIn, Denied, Denied, OK, Denied, Denied, Hidden)
	// AuthorOrAdmin routes remove a comment: its author and organization admins.
	AuthorOrAdmin = policy("author-or-admin", SignIn, Denied, Denied, OK, OK, OK, Hidden)
	// Private routes reach a private connection: its owner and organization admins; to
	// anyone else it does not exist.
	Private = policy("private", SignIn, Hidden, Hidden, OK, OK, OK, Hidden)
	// PrivateLookup routes read Azure DevOps through a private connection: as Private, but
	// viewers are refused every lookup before any connection is looked at.
	PrivateLookup = policy("private-lookup", SignIn, Denied, Hidden, OK, OK, OK, Hidden)
	// ViewOwner routes reach a private saved view: its owner alone; to anyone else, admins
	// included, it does not exist.
	ViewOwner = policy("view-owner", SignIn, Hidden, Hidden, OK, Hidden, Hidden, Hidden)
	// OrgAdmin routes administer an organization.
	OrgAdmin = policy("org-admin", SignIn, Denied, Denied, Denied, OK, OK, Hidden)
	// TenantAdminInOrg routes act on an organization as only a tenant admin may.
	TenantAdminInOrg = policy("tenant-admin-in-org", SignIn, Denied, Denied, Denied, Denied, OK, Hidden)
	// TenantAdmin routes administer the whole installation.
	TenantAdmin = policy("tenant-admin", SignIn, Denied, Denied, Denied, Denied, OK, Denied)
	// AppToken routes serve the Azure DevOps extension, which signs in with an app token
	// that no role here has: sessions and Cairn's API tokens get 401.
	AppToken = policy("app-token", 401, 401, 401, 401, 401, 401, 401)
	// HookSecret routes take Azure DevOps service hooks, which authenticate with their
	// connection's own basic-auth secret: no role has it.
	HookSecret = policy("hook-secret", 401, 401, 401, 401, 401, 401, 401)
	// SignedOut is the sign-in page: signed-in people are sent on.
	SignedOut = policy("signed-out", OK, 303, 303, 303, 303, 303, 303)
	// OrgChooser sends people with one organization straight into it and shows the others
	// (the tenant admin sees every organization) a choice.
	OrgChooser = policy("org-chooser", SignIn, 303, 303, 303, 303, OK, 303)
)

// Kind is a kind of fixture a request names.
type Kind string

// The fixtures. Each but None and Session has one instance made before the run, and
// Row.Fresh makes another for each cell.
const (
	// None is no fixture.
	None Kind = ""
	// Org is fabrikam; a fresh one has the same members in the same roles.
	Org Kind = "org"
	// Period is an open period of fabrikam.
	Period Kind = "period"
	// Team is a team of fabrikam.
	Team Kind = "team"
	// Membership is a viewer of fabrikam who plays no role; its id is the user's id.
	Membership Kind = "membership"
	// Objective is owned by the admin, with the editor as its editor.
	Objective Kind = "objective"
	// KeyResult is a key result of the objective, owned by the admin, with no data source:
	// the editor may edit it as an editor of the objective.
	KeyResult Kind = "key-result"
	// Initiative has manual progress and the editor as its one owner, under a key result
	// of another objective that the editor may not edit: the editor may edit it as its
	// owner.
	Initiative Kind = "initiative"
	// Connection is a shared Azure DevOps connection that the editor owns.
	Connection Kind = "connection"
	// PrivateConnection is a private Azure DevOps connection that the editor owns.
	PrivateConnection Kind = "private-connection"
	// DataSource binds a key result of the objective, owned by the admin, to the
	// connection: work item 1 and its descendants.
	DataSource Kind = "data-source"
	// SyncedKeyResult is a key result of the objective, owned by the admin, with such a
	// data source.
	SyncedKeyResult Kind = "synced-key-result"
	// SyncedInitiative is an initiative of the key result, owned by the admin, whose
	// tasks come from the connection.
	SyncedInitiative Kind = "synced-initiative"
	// Session is a sign-in of the role's own, for a request that ends it.
	Session Kind = "session"
	// DelegatedKeyResult is a key result of the objective, owned by the admin, with the
	// member as its one check-in owner: the member may check in on it and not edit it.
	DelegatedKeyResult Kind = "delegated-key-result"
	// DelegatedInitiative is a manual initiative of the key result, owned by the admin, with
	// the member as its one check-in owner.
	DelegatedInitiative Kind = "delegated-initiative"
	// CheckIn is a check-in on the key result, by the tenant admin.
	CheckIn Kind = "check-in"
	// Comment is a comment on the objective by the editor, its author.
	Comment Kind = "comment"
	// View is a private saved view of the editor.
	View Kind = "view"
	// SharedView is a saved view the editor shared with the organization.
	SharedView Kind = "shared-view"
)

// Row is one route of the router with the request that exercises it and its policy.
//
// Path, Body and the pattern take placeholders: {org}, {id}, {uid} and {cid} name the
// row's ID fixture (the organization is fabrikam unless ID is Org); {period}, {team},
// {objective}, {keyresult}, {initiative}, {connection} and {datasource} the fixtures
// made before the run; {admin}, {editor} and {viewer} the users' ids; {type} a work item
// type; {azdo_org}, {azdo_project} and {azdo_pat} the Azure DevOps organization the
// server reaches; {viewer_email} and {viewer_password} the viewer's sign-in; {unique} a
// new token for every cell; {now} the Unix time.
type Row struct {
	// Route is the router's pattern, as Server.Patterns lists it.
	Route  string
	Policy Policy
	// Status is what an allowed role gets.
	Status int
	// ID is the fixture that fills {id}, {uid} and {cid}; Fresh makes a new one for each
	// cell, for requests that change or delete it.
	ID    Kind
	Fresh bool
	// Path is the request's path and query when the pattern's path will not do.
	Path string
	// Body is JSON for the API's routes and a form for the UI's.
	Body string
	// Anon is what anonymous gets for SignIn when not the default: 401 for the JSON API's
	// routes and for forms, 303 to /login for the UI's pages.
	Anon int
	// Location is where an allowed 303 must lead; by default anywhere but /login.
	Location string
	// EndsSessions says that an allowed request ends every session of its user, so that
	// the role signs in again after the cell.
	EndsSessions bool
}

// Rows is the matrix: one row per route (a route may have more). Adding a route to the
// server means adding its row here.
var Rows = []Row{
	// Service endpoints and sign-in.
	{Route: "GET /healthz", Policy: Public, Status: 200},
	{Route: "GET /readyz", Policy: Public, Status: 200},
	{Route: "GET /metrics", Policy: Public, Status: 200},
	{Route: "GET /api/v1/openapi.json", Policy: Public, Status: 200},
	{Route: "GET /setup", Policy: Public, Status: 303, Location: "/"},
	{Route: "POST /setup", Policy: Public, Status: 409, Body: "token=not-the-setup-token&email=x%40example.com&password=long-enough"},
	{Route: "POST /api/v1/setup", Policy: Public, Status: 409, Body: `{"token":"not-the-setup-token","email":"x@example.com","password":"long-enough"}`},
	{Route: "POST /api/v1/auth/login", Policy: Public, Status: 200, Body: `{"email":"{viewer_email}","password":"{viewer_password}"}`},
	{Route: "POST /api/v1/auth/logout", Policy: Public, Status: 204},
	{Route: "GET /auth/oidc/login", Policy: Public, Status: 404},
	{Route: "GET /auth/oidc/callback", Policy: Public, Status: 404},
	{Route: "GET /api/v1/me", Policy: AnyUser, Status: 200},
	{Route: "POST /api/v1/me/tokens", Policy: AnyUser, Status: 201, Body: `{"name":"matrix {unique}"}`},
	{Route: "GET /api/v1/me/tokens", Policy: AnyUser, Status: 200},
	{Route: "GET /api/v1/me/notifications", Policy: AnyUser, Status: 200},
	{Route: "GET /api/v1/me/notifications/unread-count", Policy: AnyUser, Status: 200},
	// Only one's own notifications can be marked read: anyone else's is not found.
	{Route: "POST /api/v1/me/notifications/{id}/read", Policy: AnyUser, Status: 404, Path: "/api/v1/me/notifications/999999/read"},
	{Route: "POST /api/v1/me/notifications/read-all", Policy: AnyUser, Status: 204},
	{Route: "GET /api/v1/me/notification-settings", Policy: AnyUser, Status: 200},
	{Route: "PUT /api/v1/me/notification-settings", Policy: AnyUser, Status: 200, Body: `{"email":true,"teams":true,"slack":true,"digest":false}`},
	// Only one's own tokens can be revoked: anyone else's is not found.
	{Route: "DELETE /api/v1/me/tokens/{id}", Policy: AnyUser, Status: 404, Path: "/api/v1/me/tokens/999999"},
	// Without the current password the change is refused at the field, after the check of
	// who is asking; a change would end the role's sessions.
	{Route: "POST /api/v1/me/password", Policy: AnyUser, Status: 422, Body: `{"current_password":"","new_password":"long-enough-{unique}"}`},

	// Organizations.
	{Route: "GET /api/v1/orgs", Policy: AnyUser, Status: 200},
	{Route: "POST /api/v1/orgs", Policy: TenantAdmin, Status: 201, Body: `{"name":"Matrix {unique}","slug":"{unique}"}`},
	{Route: "GET /api/v1/orgs/{org}", Policy: AnyMember, Status: 200},
	{Route: "PATCH /api/v1/orgs/{org}", Policy: OrgAdmin, Status: 200, Body: `{"at_risk_gap":0.25}`},
	{Route: "DELETE /api/v1/orgs/{org}", Policy: TenantAdminInOrg, Status: 204, ID: Org, Fresh: true},

	// Periods.
	{Route: "GET /api/v1/orgs/{org}/periods", Policy: AnyMember, Status: 200},
	{Route: "POST /api/v1/orgs/{org}/periods", Policy: OrgAdmin, Status: 201, Body: `{"name":"Matrix {unique}","start":"2026-10-01","end":"2026-12-31"}`},
	{Route: "GET /api/v1/orgs/{org}/periods/{id}", Policy: AnyMember, Status: 200, ID: Period},
	{Route: "PATCH /api/v1/orgs/{org}/periods/{id}", Policy: OrgAdmin, Status: 200, ID: Period, Body: `{"name":"Matrix period"}`},
	{Route: "DELETE /api/v1/orgs/{org}/periods/{id}", Policy: OrgAdmin, Status: 204, ID: Period, Fresh: true},
	{Route: "POST /api/v1/orgs/{org}/periods/{id}/close", Policy: OrgAdmin, Status: 200, ID: Period, Fresh: true, Body: `{}`},
	// The fixture period is open: an allowed reopen reaches the 409 that says so.
	{Route: "POST /api/v1/orgs/{org}/periods/{id}/reopen", Policy: OrgAdmin, Status: 409, ID: Period},

	// Teams.
	{Route: "GET /api/v1/orgs/{org}/teams", Policy: AnyMember, Status: 200},
	{Route: "POST /api/v1/orgs/{org}/teams", Policy: OrgAdmin, Status: 201, Body: `{"name":"Matrix {unique}"}`},
	{Route: "GET /api/v1/orgs/{org}/teams/{id}", Policy: AnyMember, Status: 200, ID: Team},
	{Route: "PATCH /api/v1/orgs/{org}/teams/{id}", Policy: OrgAdmin, Status: 200, ID: Team, Body: `{"name":"Matrix team {unique}"}`},
	{Route: "DELETE /api/v1/orgs/{org}/teams/{id}", Policy: OrgAdmin, Status: 204, ID: Team, Fresh: true},
	{Route: "GET /api/v1/orgs/{org}/teams/{id}/cadence", Policy: AnyMember, Status: 200, ID: Team},
	{Route: "PUT /api/v1/orgs/{org}/teams/{id}/cadence", Policy: OrgAdmin, Status: 200, ID: Team, Body: `{"cadence":{"frequency":"biweekly","weekday":3,"month_day":1,"hour":10}}`},
	{Route: "GET /api/v1/orgs/{org}/teams/{id}/webhooks", Policy: OrgAdmin, Status: 200, ID: Team},
	{Route: "PUT /api/v1/orgs/{org}/teams/{id}/webhooks/{kind}", Policy: OrgAdmin, Status: 200, ID: Team, Path: "/api/v1/orgs/{org}/teams/{id}/webhooks/slack",
		Body: `{"url":"https://hooks.slack.com/services/T0/B0/matrix{unique}"}`},
	// Removing a webhook the fresh team does not have: allowed roles reach the 404 that says so.
	{Route: "DELETE /api/v1/orgs/{org}/teams/{id}/webhooks/{kind}", Policy: OrgAdmin, Status: 404, ID: Team, Path: "/api/v1/orgs/{org}/teams/{id}/webhooks/teams"},
	{Route: "GET /api/v1/orgs/{org}/cadence", Policy: AnyMember, Status: 200},
	{Route: "PUT /api/v1/orgs/{org}/cadence", Policy: OrgAdmin, Status: 200, Body: `{"time_zone":"Europe/Berlin","cadence":{"frequency":"weekly","weekday":1,"month_day":1,"hour":9}}`},
	{Route: "GET /api/v1/orgs/{org}/deliveries/failed", Policy: OrgAdmin, Status: 200},

	// Members.
	{Route: "GET /api/v1/orgs/{org}/members", Policy: AnyMember, Status: 200},
	{Route: "POST /api/v1/orgs/{org}/members", Policy: OrgAdmin, Status: 201, Body: `{"email":"matrix-{unique}@example.com","role":"viewer"}`},
	{Route: "GET /api/v1/orgs/{org}/members/{id}", Policy: AnyMember, Status: 200, ID: Membership},
	{Route: "PATCH /api/v1/orgs/{org}/members/{id}", Policy: OrgAdmin, Status: 200, ID: Membership, Fresh: true, Body: `{"role":"member"}`},
	{Route: "DELETE /api/v1/orgs/{org}/members/{id}", Policy: OrgAdmin, Status: 204, ID: Membership, Fresh: true},
	{Route: "POST /api/v1/orgs/{org}/members/{id}/unlock", Policy: OrgAdmin, Status: 204, ID: Membership},
	// The fixture member has an account: an allowed claim reaches the 409 that says only
	// unclaimed members can be claimed.
	{Route: "POST /api/v1/orgs/{org}/members/{id}/claim", Policy: OrgAdmin, Status: 409, ID: Membership, Body: `{"user_id":{admin}}`},

	// Objectives.
	{Route: "GET /api/v1/orgs/{org}/objectives", Policy: AnyMember, Status: 200},
	{Route: "POST /api/v1/orgs/{org}/objectives", Policy: Writer, Status: 201, Body: `{"period_id":{period},"title":"Matrix {unique}","owner_ids":[{admin}]}`},
	{Route: "GET /api/v1/orgs/{org}/objectives/{id}", Policy: AnyMember, Status: 200, ID: Objective},
	{Route: "PATCH /api/v1/orgs/{org}/objectives/{id}", Policy: OwnerOrEditor, Status: 200, ID: Objective, Body: `{"description":"why it matters"}`},
	{Route: "DELETE /api/v1/orgs/{org}/objectives/{id}", Policy: OwnerOrEditor, Status: 204, ID: Objective, Fresh: true},
	{Route: "GET /api/v1/orgs/{org}/objectives/{id}/tree", Policy: AnyMember, Status: 200, ID: Objective},

	// Key results.
	{Route: "GET /api/v1/orgs/{org}/key-results", Policy: AnyMember, Status: 200},
	{Route: "POST /api/v1/orgs/{org}/key-results", Policy: OwnerOrEditor, Status: 201, Body: `{"objective_id":{objective},"title":"Matrix {unique}","owner_ids":[{admin}],"metric":{"kind":"number","start":0,"target":10}}`},
	{Route: "GET /api/v1/orgs/{org}/key-results/{id}", Policy: AnyMember, Status: 200, ID: KeyResult},
	{Route: "PATCH /api/v1/orgs/{org}/key-results/{id}", Policy: OwnerOrEditor, Status: 200, ID: KeyResult, Body: `{"title":"Matrix key result"}`},
	{Route: "DELETE /api/v1/orgs/{org}/key-results/{id}", Policy: OwnerOrEditor, Status: 204, ID: KeyResult, Fresh: true},
	{Route: "GET /api/v1/orgs/{org}/key-results/{id}/check-ins", Policy: AnyMember, Status: 200, ID: KeyResult},
	{Route: "POST /api/v1/orgs/{org}/key-results/{id}/check-ins", Policy: OwnerOrEditor, Status: 201, ID: KeyResult, Body: `{"value":5}`},
	{Route: "GET /api/v1/orgs/{org}/key-results/{id}/data-source", Policy: AnyMember, Status: 200, ID: SyncedKeyResult},

	// Initiatives.
	{Route: "GET /api/v1/orgs/{org}/initiatives", Policy: AnyMember, Status: 200},
	{Route: "POST /api/v1/orgs/{org}/initiatives", Policy: OwnerOrEditor, Status: 201, Body: `{"parent":{"type":"key_result","id":{keyresult}},"title":"Matrix {unique}","owner_ids":[{admin}]}`},
	{Route: "GET /api/v1/orgs/{org}/initiatives/{id}", Policy: AnyMember, Status: 200, ID: Initiative},
	{Route: "PATCH /api/v1/orgs/{org}/initiatives/{id}", Policy: OwnerOrEditor, Status: 200, ID: Initiative, Body: `{"title":"Matrix initiative"}`},
	{Route: "DELETE /api/v1/orgs/{org}/initiatives/{id}", Policy: OwnerOrEditor, Status: 204, ID: Initiative, Fresh: true},
	{Route: "GET /api/v1/orgs/{org}/initiatives/{id}/check-ins", Policy: AnyMember, Status: 200, ID: Initiative},
	{Route: "POST /api/v1/orgs/{org}/initiatives/{id}/check-ins", Policy: OwnerOrEditor, Status: 201, ID: Initiative, Body: `{"value":50}`},
	{Route: "GET /api/v1/orgs/{org}/initiatives/{id}/data-source", Policy: AnyMember, Status: 200, ID: SyncedInitiative},

	// Check-in owners check in on what they may not edit.
	{Route: "POST /api/v1/orgs/{org}/key-results/{id}/check-ins", Policy: CheckInOwner, Status: 201, ID: DelegatedKeyResult, Body: `{"value":5,"confidence":7}`},
	{Route: "PATCH /api/v1/orgs/{org}/key-results/{id}", Policy: OwnerOrEditor, Status: 200, ID: DelegatedKeyResult, Body: `{"title":"Matrix delegated key result"}`},
	{Route: "POST /api/v1/orgs/{org}/initiatives/{id}/check-ins", Policy: CheckInOwner, Status: 201, ID: DelegatedInitiative, Body: `{"value":50}`},
	{Route: "PATCH /api/v1/orgs/{org}/initiatives/{id}", Policy: OwnerOrEditor, Status: 200, ID: DelegatedInitiative, Body: `{"title":"Matrix delegated initiative"}`},

	// Conversations: every member reads them, writers take part, and a comment is its
	// author's to change.
	{Route: "GET /api/v1/orgs/{org}/objectives/{id}/comments", Policy: AnyMember, Status: 200, ID: Objective},
	{Route: "POST /api/v1/orgs/{org}/objectives/{id}/comments", Policy: Writer, Status: 201, ID: Objective, Body: `{"body":"matrix {unique}"}`},
	{Route: "GET /api/v1/orgs/{org}/key-results/{id}/comments", Policy: AnyMember, Status: 200, ID: KeyResult},
	{Route: "POST /api/v1/orgs/{org}/key-results/{id}/comments", Policy: Writer, Status: 201, ID: KeyResult, Body: `{"body":"matrix {unique}"}`},
	{Route: "GET /api/v1/orgs/{org}/initiatives/{id}/comments", Policy: AnyMember, Status: 200, ID: Initiative},
	{Route: "POST /api/v1/orgs/{org}/initiatives/{id}/comments", Policy: Writer, Status: 201, ID: Initiative, Body: `{"body":"matrix {unique}"}`},
	{Route: "GET /api/v1/orgs/{org}/check-ins/{id}/comments", Policy: AnyMember, Status: 200, ID: CheckIn},
	{Route: "POST /api/v1/orgs/{org}/check-ins/{id}/comments", Policy: Writer, Status: 201, ID: CheckIn, Body: `{"body":"matrix {unique}"}`},
	{Route: "PATCH /api/v1/orgs/{org}/comments/{id}", Policy: Author, Status: 200, ID: Comment, Body: `{"body":"matrix {unique}"}`},
	{Route: "DELETE /api/v1/orgs/{org}/comments/{id}", Policy: AuthorOrAdmin, Status: 204, ID: Comment, Fresh: true},

	// The audit trail, which every member reads.
	{Route: "GET /api/v1/orgs/{org}/objectives/{id}/history", Policy: AnyMember, Status: 200, ID: Objective},
	{Route: "GET /api/v1/orgs/{org}/key-results/{id}/history", Policy: AnyMember, Status: 200, ID: KeyResult},
	{Route: "GET /api/v1/orgs/{org}/initiatives/{id}/history", Policy: AnyMember, Status: 200, ID: Initiative},
	{Route: "GET /api/v1/orgs/{org}/check-ins/{id}/history", Policy: AnyMember, Status: 200, ID: CheckIn},
	{Route: "GET /api/v1/orgs/{org}/data-sources/{id}/history", Policy: AnyMember, Status: 200, ID: DataSource},
	{Route: "GET /api/v1/orgs/{org}/initiatives/{id}/tasks", Policy: AnyMember, Status: 200, ID: SyncedInitiative},

	// Saved views, the filtered list, its export and the dashboard: every member reads
	// them and saves private views; sharing takes a writer. A private view is its owner's
	// alone; a shared one its owner's and the admins' to change.
	{Route: "GET /api/v1/orgs/{org}/views", Policy: AnyMember, Status: 200},
	{Route: "POST /api/v1/orgs/{org}/views", Policy: AnyMember, Status: 201, Body: `{"name":"Matrix {unique}","filter":{"status":"at_risk"}}`},
	{Route: "POST /api/v1/orgs/{org}/views", Policy: Writer, Status: 201, Body: `{"name":"Matrix {unique}","shared":true,"filter":{"type":"key_result"}}`},
	{Route: "GET /api/v1/orgs/{org}/views/{id}", Policy: ViewOwner, Status: 200, ID: View},
	{Route: "PATCH /api/v1/orgs/{org}/views/{id}", Policy: ViewOwner, Status: 200, ID: View, Body: `{"name":"Matrix view {unique}"}`},
	{Route: "DELETE /api/v1/orgs/{org}/views/{id}", Policy: ViewOwner, Status: 204, ID: View, Fresh: true},
	{Route: "GET /api/v1/orgs/{org}/views/{id}", Policy: AnyMember, Status: 200, ID: SharedView},
	{Route: "PATCH /api/v1/orgs/{org}/views/{id}", Policy: OwnerOrEditor, Status: 200, ID: SharedView, Body: `{"name":"Matrix shared view {unique}"}`},
	{Route: "DELETE /api/v1/orgs/{org}/views/{id}", Policy: OwnerOrEditor, Status: 204, ID: SharedView, Fresh: true},
	{Route: "GET /api/v1/orgs/{org}/items", Policy: AnyMember, Status: 200, Path: "/api/v1/orgs/{org}/items?period_id={period}&type=key_result"},
	{Route: "GET /api/v1/orgs/{org}/export", Policy: AnyMember, Status: 200, Path: "/api/v1/orgs/{org}/export?format=csv&period_id={period}"},
	{Route: "GET /api/v1/orgs/{org}/export", Policy: ViewOwner, Status: 200, ID: View, Path: "/api/v1/orgs/{org}/export?format=xlsx&view_id={id}"},
	{Route: "GET /api/v1/orgs/{org}/dashboard", Policy: AnyMember, Status: 200},

	// The re-bind checklist of imports. No entry 999999 exists: an allowed request reaches
	// the 404 that says so.
	{Route: "GET /api/v1/orgs/{org}/imports/rebind", Policy: OrgAdmin, Status: 200},
	{Route: "POST /api/v1/orgs/{org}/imports/rebind", Policy: OrgAdmin, Status: 201, Body: `{"item":{"type":"key_result","id":{keyresult}},"reason":"matrix {unique}"}`},
	{Route: "POST /api/v1/orgs/{org}/imports/rebind/{id}/done", Policy: OrgAdmin, Status: 404, Path: "/api/v1/orgs/{org}/imports/rebind/999999/done"},

	// The Azure DevOps integration's switches.
	{Route: "GET /api/v1/tenant/integrations/azure-devops", Policy: AnyUser, Status: 200},
	{Route: "PUT /api/v1/tenant/integrations/azure-devops", Policy: TenantAdmin, Status: 200, Body: `{"enabled":true}`},
	{Route: "GET /api/v1/orgs/{org}/integrations/azure-devops", Policy: AnyMember, Status: 200},
	{Route: "PUT /api/v1/orgs/{org}/integrations/azure-devops", Policy: OrgAdmin, Status: 200, Body: `{"enabled":true}`},

	// Connections. Hooks are Cairn's own on a server with a public URL, so an allowed
	// rotation of the hook secret reaches the 409 that says so.
	{Route: "GET /api/v1/orgs/{org}/connections", Policy: AnyMember, Status: 200},
	{Route: "POST /api/v1/orgs/{org}/connections", Policy: Writer, Status: 201, Body: `{"name":"Matrix {unique}","organization_url":"{azdo_org}","project":"{azdo_project}","visibility":"private","auth":{"type":"pat","token":"{azdo_pat}"}}`},
	{Route: "GET /api/v1/orgs/{org}/connections/{id}", Policy: AnyMember, Status: 200, ID: Connection},
	{Route: "PATCH /api/v1/orgs/{org}/connections/{id}", Policy: OwnerOrEditor, Status: 200, ID: Connection, Body: `{"name":"Matrix connection"}`},
	{Route: "DELETE /api/v1/orgs/{org}/connections/{id}", Policy: OwnerOrEditor, Status: 204, ID: Connection, Fresh: true},
	{Route: "GET /api/v1/orgs/{org}/connections/{id}", Policy: Private, Status: 200, ID: PrivateConnection},
	{Route: "PATCH /api/v1/orgs/{org}/connections/{id}", Policy: Private, Status: 200, ID: PrivateConnection, Body: `{"name":"Matrix private connection"}`},
	{Route: "GET /api/v1/orgs/{org}/connections/{id}/projects", Policy: PrivateLookup, Status: 200, ID: PrivateConnection},
	{Route: "POST /api/v1/orgs/{org}/connections/{id}/hook-secret", Policy: OwnerOrEditor, Status: 409, ID: Connection},
	{Route: "GET /api/v1/orgs/{org}/connections/{id}/projects", Policy: Writer, Status: 200, ID: Connection},
	{Route: "GET /api/v1/orgs/{org}/connections/{id}/work-item-types", Policy: Writer, Status: 200, ID: Connection},
	{Route: "GET /api/v1/orgs/{org}/connections/{id}/work-item-types/{type}/states", Policy: Writer, Status: 200, ID: Connection},
	{Route: "GET /api/v1/orgs/{org}/connections/{id}/measure-fields", Policy: Writer, Status: 200, ID: Connection, Path: "/api/v1/orgs/{org}/connections/{id}/measure-fields?type={type}"},
	{Route: "GET /api/v1/orgs/{org}/connections/{id}/queries", Policy: Writer, Status: 200, ID: Connection},
	{Route: "GET /api/v1/orgs/{org}/connections/{id}/work-items", Policy: Writer, Status: 200, ID: Connection, Path: "/api/v1/orgs/{org}/connections/{id}/work-items?type={type}&q=checkout"},
	{Route: "POST /api/v1/orgs/{org}/connections/azure-devops/projects", Policy: Writer, Status: 200, Body: `{"organization_url":"{azdo_org}","auth":{"type":"pat","token":"{azdo_pat}"}}`},
	// Listing one's Azure DevOps organizations needs a Microsoft sign-in: every member
	// reaches the check of the grant.
	{Route: "GET /api/v1/orgs/{org}/connections/azure-devops/organizations", Policy: AnyMember, Status: 422, Path: "/api/v1/orgs/{org}/connections/azure-devops/organizations?grant=not-a-grant"},
	// Cairn has no Entra app here: writers reach the 501 that says so.
	{Route: "GET /api/v1/orgs/{org}/connections/azure-devops/authorize", Policy: Writer, Status: 501},
	{Route: "GET /connections/azure-devops/callback", Policy: AnyUser, Status: 422, Path: "/connections/azure-devops/callback?state=not-a-state&code=x"},

	// Data sources.
	{Route: "GET /api/v1/orgs/{org}/data-sources", Policy: AnyMember, Status: 200},
	{Route: "POST /api/v1/orgs/{org}/data-sources", Policy: OwnerOrEditor, Status: 201, ID: KeyResult, Fresh: true, Body: `{"target":{"type":"key_result","id":{id}},"connection_id":{connection},"method":"work_items","work_item_type":"{type}","work_item_ids":[1],"progress_type":"User Story","measure":"count"}`},
	{Route: "POST /api/v1/orgs/{org}/data-sources/preview", Policy: OwnerOrEditor, Status: 200, Body: `{"target":{"type":"key_result","id":{keyresult}},"connection_id":{connection},"method":"work_items","work_item_type":"{type}","work_item_ids":[1],"progress_type":"User Story","measure":"count"}`},
	{Route: "GET /api/v1/orgs/{org}/data-sources/{id}", Policy: AnyMember, Status: 200, ID: DataSource},
	{Route: "PATCH /api/v1/orgs/{org}/data-sources/{id}", Policy: OwnerOrEditor, Status: 200, ID: DataSource, Fresh: true, Body: `{"paused":true}`},
	{Route: "DELETE /api/v1/orgs/{org}/data-sources/{id}", Policy: OwnerOrEditor, Status: 204, ID: DataSource, Fresh: true},
	{Route: "POST /api/v1/orgs/{org}/data-sources/{id}/sync", Policy: Writer, Status: 202, ID: DataSource},
	{Route: "GET /api/v1/orgs/{org}/data-sources/{id}/runs", Policy: AnyMember, Status: 200, ID: DataSource},

	// Azure DevOps calling in, and the extension.
	{Route: "POST /hooks/azure-devops/{id}", Policy: HookSecret, Status: 401, ID: Connection, Body: `{}`},
	{Route: "GET /api/v1/azure-devops/alignment", Policy: AnyUser, Status: 200, Path: "/api/v1/azure-devops/alignment?org-url={azdo_org}&project={azdo_project}&work-item=1"},
	{Route: "GET /api/v1/azure-devops/extension/me", Policy: AppToken, Status: 401},
	{Route: "POST /api/v1/azure-devops/extension/link-codes", Policy: AppToken, Status: 401, Body: `{}`},
	{Route: "DELETE /api/v1/azure-devops/extension/link", Policy: AppToken, Status: 401},
	{Route: "POST /api/v1/azure-devops/links", Policy: AnyUser, Status: 422, Body: `{"code":"not a code"}`},
	{Route: "GET /azure-devops/link", Policy: Public, Status: 400, Path: "/azure-devops/link?code=not+a+code"},
	{Route: "POST /azure-devops/link", Policy: AnyUser, Status: 422, Body: "code=not+a+code"},
	{Route: "GET /azure-devops/initiatives/new", Policy: OrgChooser, Status: 200, Path: "/azure-devops/initiatives/new?work-item=1", Anon: 303},

	// River's UI, for tenant admins only: its page and its JSON API.
	{Route: "/admin/jobs/", Policy: TenantAdmin, Status: 200, Path: "/admin/jobs/"},
	{Route: "/admin/jobs/", Policy: TenantAdmin, Status: 200, Path: "/admin/jobs/api/jobs?state=available", Anon: 401},
	{Route: "/api/", Policy: Public, Status: 404, Path: "/api/v1/no-such-route"},

	// The UI: sign-in and the organizations.
	{Route: "GET /static/", Policy: Public, Status: 200, Path: "/static/app.css"},
	{Route: "GET /login", Policy: SignedOut, Status: 200},
	{Route: "POST /login", Policy: Public, Status: 303, Body: "email={viewer_email}&password={viewer_password}", Location: "/"},
	{Route: "POST /logout", Policy: Public, Status: 303, ID: Session, Fresh: true, Location: "/login"},
	{Route: "GET /account", Policy: AnyUser, Status: 200},
	{Route: "POST /account/password", Policy: AnyUser, Status: 422, Body: "current_password=&new_password=long-enough-{unique}"},
	{Route: "POST /account/sign-out-everywhere", Policy: AnyUser, Status: 303, ID: Session, Fresh: true, Location: "/login", EndsSessions: true},
	{Route: "POST /account/notifications", Policy: AnyUser, Status: 303, Body: "email=on&teams=on&slack=on", Location: "/account?saved=notifications"},
	{Route: "GET /inbox", Policy: AnyUser, Status: 200},
	{Route: "POST /inbox/read-all", Policy: AnyUser, Status: 303, Location: "/inbox"},
	// Only one's own notifications can be marked read: anyone else's is not found.
	{Route: "POST /inbox/{id}/read", Policy: AnyUser, Status: 404, Path: "/inbox/999999/read"},
	// The unsubscribe link works without sign-in: its signed token is the proof, so a
	// made-up one is refused alike for everyone.
	{Route: "GET /unsubscribe", Policy: Public, Status: 400, Path: "/unsubscribe?t=1.email.forged"},
	{Route: "POST /unsubscribe", Policy: Public, Status: 400, Body: "t=1.email.forged"},
	{Route: "GET /{$}", Policy: AnyUser, Status: 303},
	{Route: "GET /orgs/new", Policy: TenantAdmin, Status: 200},
	{Route: "POST /orgs", Policy: TenantAdmin, Status: 303, Body: "name=Matrix+{unique}&slug={unique}"},
	{Route: "/", Policy: Public, Status: 404, Path: "/no-such-page"},

	// The UI: OKRs.
	{Route: "GET /o/{org}/{$}", Policy: AnyMember, Status: 303},
	{Route: "GET /o/{org}/okrs", Policy: AnyMember, Status: 200},
	{Route: "GET /o/{org}/okrs/rows", Policy: AnyMember, Status: 200},
	{Route: "GET /o/{org}/okrs/objectives/{id}", Policy: AnyMember, Status: 200, ID: Objective},
	{Route: "GET /o/{org}/okrs/key-results/{id}", Policy: AnyMember, Status: 200, ID: KeyResult},
	{Route: "GET /o/{org}/okrs/initiatives/{id}", Policy: AnyMember, Status: 200, ID: Initiative},
	{Route: "GET /o/{org}/objectives/new", Policy: Writer, Status: 200},
	{Route: "GET /o/{org}/key-results/new", Policy: Writer, Status: 200},
	{Route: "GET /o/{org}/initiatives/new", Policy: Writer, Status: 200},
	{Route: "POST /o/{org}/objectives", Policy: Writer, Status: 303, Body: "title=Matrix+{unique}&period_id={period}&level=organization&owner_ids={admin}"},
	{Route: "POST /o/{org}/key-results", Policy: OwnerOrEditor, Status: 303, Body: "title=Matrix+{unique}&objective_id={objective}&owner_ids={admin}&metric_kind=number&metric_start=0&metric_target=10&progress_source=manual"},
	{Route: "POST /o/{org}/initiatives", Policy: OwnerOrEditor, Status: 303, Body: "title=Matrix+{unique}&parent=key_result:{keyresult}&owner_ids={admin}&progress_mode=manual&contributes=on"},
	// The edit forms show to every member; saving them is what is refused.
	{Route: "GET /o/{org}/objectives/{id}/edit", Policy: AnyMember, Status: 200, ID: Objective},
	{Route: "GET /o/{org}/key-results/{id}/edit", Policy: AnyMember, Status: 200, ID: KeyResult},
	{Route: "GET /o/{org}/initiatives/{id}/edit", Policy: AnyMember, Status: 200, ID: Initiative},
	{Route: "POST /o/{org}/objectives/{id}", Policy: OwnerOrEditor, Status: 303, ID: Objective, Body: "title=Matrix+objective&level=organization&owner_ids={admin}"},
	{Route: "POST /o/{org}/key-results/{id}", Policy: OwnerOrEditor, Status: 303, ID: KeyResult, Body: "title=Matrix+key+result&owner_ids={admin}&metric_kind=number&metric_start=0&metric_target=10&progress_source=manual"},
	{Route: "POST /o/{org}/initiatives/{id}", Policy: OwnerOrEditor, Status: 303, ID: Initiative, Body: "title=Matrix+initiative&owner_ids={editor}&progress_mode=manual&contributes=on"},
	{Route: "POST /o/{org}/objectives/{id}/delete", Policy: OwnerOrEditor, Status: 303, ID: Objective, Fresh: true},
	{Route: "POST /o/{org}/key-results/{id}/delete", Policy: OwnerOrEditor, Status: 303, ID: KeyResult, Fresh: true},
	{Route: "POST /o/{org}/initiatives/{id}/delete", Policy: OwnerOrEditor, Status: 303, ID: Initiative, Fresh: true},
	{Route: "POST /o/{org}/key-results/{id}/check-ins", Policy: OwnerOrEditor, Status: 303, ID: KeyResult, Body: "value=6"},
	{Route: "POST /o/{org}/initiatives/{id}/check-ins", Policy: OwnerOrEditor, Status: 303, ID: Initiative, Body: "value=60"},
	{Route: "POST /o/{org}/key-results/{id}/check-ins", Policy: CheckInOwner, Status: 303, ID: DelegatedKeyResult, Body: "value=6&confidence=8"},
	{Route: "POST /o/{org}/initiatives/{id}/check-ins", Policy: CheckInOwner, Status: 303, ID: DelegatedInitiative, Body: "value=60"},
	{Route: "POST /o/{org}/objectives/{id}/comments", Policy: Writer, Status: 303, ID: Objective, Body: "body=matrix+{unique}"},
	{Route: "POST /o/{org}/key-results/{id}/comments", Policy: Writer, Status: 303, ID: KeyResult, Body: "body=matrix+{unique}"},
	{Route: "POST /o/{org}/initiatives/{id}/comments", Policy: Writer, Status: 303, ID: Initiative, Body: "body=matrix+{unique}"},
	{Route: "POST /o/{org}/check-ins/{id}/comments", Policy: Writer, Status: 303, ID: CheckIn, Body: "body=matrix+{unique}"},
	{Route: "POST /o/{org}/comments/{id}", Policy: Author, Status: 303, ID: Comment, Body: "body=matrix+{unique}"},
	{Route: "POST /o/{org}/comments/{id}/delete", Policy: AuthorOrAdmin, Status: 303, ID: Comment, Fresh: true},
	{Route: "POST /o/{org}/objectives/{id}/closing", Policy: OwnerOrEditor, Status: 303, ID: Objective, Body: "score=0.5&closing_status="},
	{Route: "POST /o/{org}/key-results/{id}/closing", Policy: OwnerOrEditor, Status: 303, ID: KeyResult, Body: "score=0.5&closing_status=achieved"},

	// The UI: saved views and the dashboard.
	{Route: "GET /o/{org}/dashboard", Policy: AnyMember, Status: 200},
	{Route: "POST /o/{org}/views", Policy: AnyMember, Status: 303, Body: "name=Matrix+{unique}&status=at_risk&type=key_result"},
	{Route: "POST /o/{org}/views/{id}/delete", Policy: ViewOwner, Status: 303, ID: View, Fresh: true},
	{Route: "POST /o/{org}/views/{id}/delete", Policy: OwnerOrEditor, Status: 303, ID: SharedView, Fresh: true},

	// The UI: administration.
	{Route: "GET /o/{org}/admin", Policy: OrgAdmin, Status: 200},
	{Route: "POST /o/{org}/admin/settings", Policy: OrgAdmin, Status: 303, Body: "name=Fabrikam&at_risk_gap=25"},
	{Route: "GET /o/{org}/admin/members", Policy: OrgAdmin, Status: 200},
	{Route: "POST /o/{org}/admin/members", Policy: OrgAdmin, Status: 303, Body: "email=matrix-{unique}%40example.com&role=viewer"},
	{Route: "POST /o/{org}/admin/members/{uid}", Policy: OrgAdmin, Status: 303, ID: Membership, Fresh: true, Body: "role=member"},
	{Route: "POST /o/{org}/admin/members/{uid}/remove", Policy: OrgAdmin, Status: 303, ID: Membership, Fresh: true},
	{Route: "POST /o/{org}/admin/members/{uid}/unlock", Policy: OrgAdmin, Status: 303, ID: Membership},
	// The fixture member has an account: an allowed claim reaches the refusal to claim it.
	{Route: "POST /o/{org}/admin/members/{uid}/claim", Policy: OrgAdmin, Status: 422, ID: Membership, Body: "user_id={admin}"},
	{Route: "GET /o/{org}/admin/periods", Policy: OrgAdmin, Status: 200},
	{Route: "POST /o/{org}/admin/periods", Policy: OrgAdmin, Status: 303, Body: "name=Matrix+{unique}&start=2026-10-01&end=2026-12-31"},
	{Route: "GET /o/{org}/admin/periods/{id}/close", Policy: OrgAdmin, Status: 200, ID: Period},
	{Route: "POST /o/{org}/admin/periods/{id}/close", Policy: OrgAdmin, Status: 303, ID: Period, Fresh: true},
	// The fixture period is open: an allowed reopen reaches the 409 that says so.
	{Route: "POST /o/{org}/admin/periods/{id}/reopen", Policy: OrgAdmin, Status: 409, ID: Period},
	{Route: "GET /o/{org}/admin/teams", Policy: OrgAdmin, Status: 200},
	{Route: "POST /o/{org}/admin/teams", Policy: OrgAdmin, Status: 303, Body: "name=Matrix+{unique}"},
	{Route: "GET /o/{org}/admin/notifications", Policy: OrgAdmin, Status: 200},
	{Route: "POST /o/{org}/admin/notifications/cadence", Policy: OrgAdmin, Status: 303, Body: "time_zone=Europe%2FBerlin&frequency=weekly&weekday=1&month_day=1&hour=9"},
	{Route: "POST /o/{org}/admin/notifications/teams/{id}", Policy: OrgAdmin, Status: 303, ID: Team, Body: "own_cadence=on&frequency=monthly&weekday=1&month_day=3&hour=10"},
	// Removing a webhook the team does not have: allowed roles reach the 404 that says so.
	{Route: "POST /o/{org}/admin/notifications/teams/{id}/webhooks/{kind}/delete", Policy: OrgAdmin, Status: 404, ID: Team,
		Path: "/o/{org}/admin/notifications/teams/{id}/webhooks/teams/delete"},
	// The import of Viva Goals exports. A form without a file reaches the 422 that asks for
	// one; a confirmation of no upload the 410 that asks to upload again.
	{Route: "GET /o/{org}/admin/import", Policy: OrgAdmin, Status: 200},
	{Route: "POST /o/{org}/admin/import", Policy: OrgAdmin, Status: 422, Body: "day_first=1"},
	{Route: "POST /o/{org}/admin/import/confirm", Policy: OrgAdmin, Status: 410, Body: "upload=not-an-upload"},
	{Route: "POST /o/{org}/admin/rebind", Policy: OrgAdmin, Status: 303, Body: "item=key_result:{keyresult}&reason=matrix+{unique}"},
	{Route: "POST /o/{org}/admin/rebind/{id}/done", Policy: OrgAdmin, Status: 404, Path: "/o/{org}/admin/rebind/999999/done"},

	// The UI: Azure DevOps. The wizard opens for every writer; saving it is refused to
	// those who may not edit the item.
	{Route: "GET /o/{org}/key-results/{id}/data-source", Policy: Writer, Status: 200, ID: KeyResult},
	{Route: "POST /o/{org}/key-results/{id}/data-source", Policy: Writer, Status: 200, ID: KeyResult, Body: "step=source"},
	{Route: "GET /o/{org}/key-results/{id}/data-source/queries", Policy: Writer, Status: 200, ID: KeyResult, Path: "/o/{org}/key-results/{id}/data-source/queries?connection_id={connection}"},
	{Route: "GET /o/{org}/key-results/{id}/data-source/items", Policy: Writer, Status: 200, ID: KeyResult, Path: "/o/{org}/key-results/{id}/data-source/items?connection_id={connection}&work_item_type={type}"},
	{Route: "POST /o/{org}/key-results/{id}/data-source/sync", Policy: Writer, Status: 303, ID: SyncedKeyResult},
	{Route: "GET /o/{org}/key-results/{id}/data-source/sync-status", Policy: AnyMember, Status: 303, ID: SyncedKeyResult, Path: "/o/{org}/key-results/{id}/data-source/sync-status?sync_after=0&sync_since={now}"},
	{Route: "GET /o/{org}/key-results/{id}/data-source/microsoft", Policy: Writer, Status: 501, ID: KeyResult},
	{Route: "POST /o/{org}/key-results/{id}/data-source/delete", Policy: OwnerOrEditor, Status: 303, ID: SyncedKeyResult, Fresh: true},
	{Route: "POST /o/{org}/key-results/{id}/data-source/resume", Policy: OwnerOrEditor, Status: 303, ID: SyncedKeyResult},
	{Route: "GET /o/{org}/initiatives/{id}/data-source", Policy: Writer, Status: 200, ID: Initiative},
	{Route: "POST /o/{org}/initiatives/{id}/data-source", Policy: Writer, Status: 200, ID: Initiative, Body: "step=source"},
	{Route: "GET /o/{org}/initiatives/{id}/data-source/queries", Policy: Writer, Status: 200, ID: Initiative, Path: "/o/{org}/initiatives/{id}/data-source/queries?connection_id={connection}"},
	{Route: "GET /o/{org}/initiatives/{id}/data-source/items", Policy: Writer, Status: 200, ID: Initiative, Path: "/o/{org}/initiatives/{id}/data-source/items?connection_id={connection}&work_item_type={type}"},
	{Route: "POST /o/{org}/initiatives/{id}/data-source/sync", Policy: Writer, Status: 303, ID: SyncedInitiative},
	{Route: "GET /o/{org}/initiatives/{id}/data-source/sync-status", Policy: AnyMember, Status: 303, ID: SyncedInitiative, Path: "/o/{org}/initiatives/{id}/data-source/sync-status?sync_after=0&sync_since={now}"},
	{Route: "GET /o/{org}/initiatives/{id}/data-source/microsoft", Policy: Writer, Status: 501, ID: Initiative},
	{Route: "POST /o/{org}/initiatives/{id}/data-source/delete", Policy: OwnerOrEditor, Status: 303, ID: SyncedInitiative, Fresh: true},
	{Route: "POST /o/{org}/initiatives/{id}/data-source/resume", Policy: OwnerOrEditor, Status: 303, ID: SyncedInitiative},
	{Route: "GET /o/{org}/connections/new", Policy: AnyMember, Status: 422, Path: "/o/{org}/connections/new?grant=not-a-grant"},
	{Route: "GET /o/{org}/initiatives/{id}/tasks", Policy: AnyMember, Status: 200, ID: SyncedInitiative},
	// Members manage the connections they own here; viewers see the shared ones.
	{Route: "GET /o/{org}/admin/connections", Policy: AnyMember, Status: 200},
	{Route: "POST /o/{org}/admin/connections/{cid}", Policy: OwnerOrEditor, Status: 200, ID: Connection, Body: "name=Matrix+connection"},
	{Route: "POST /o/{org}/admin/connections/{cid}", Policy: Private, Status: 200, ID: PrivateConnection, Body: "name=Matrix+private+connection"},
	{Route: "POST /o/{org}/admin/connections/{cid}/delete", Policy: OwnerOrEditor, Status: 200, ID: Connection, Fresh: true},
	{Route: "GET /admin/tenant", Policy: TenantAdmin, Status: 200},
	{Route: "POST /admin/tenant", Policy: TenantAdmin, Status: 303, Body: "azdo_enabled=on"},
}
