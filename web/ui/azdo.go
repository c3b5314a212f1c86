package ui

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/datasource"
)

// sourceCard is the data source card of an automated item.
type sourceCard struct {
	DS         *cairn.DataSource
	Connection *datasource.ConnectionView
	Method     string
	What       string // the query's path, or the chosen items' type
	// QueryURL and Items link the query or the chosen work items to Azure DevOps; the
	// links are built from the connection (cairn.Connection.WorkItemURL and QueryURL).
	QueryURL  string
	Items     []workItemLink
	Progress  string
	Measure   string
	Value     string
	Runs      []*cairn.SyncRun
	CanEdit   bool
	Reconnect bool
	ItemURL   string
	Base      string // the data source routes of the item
	Notice    string
	// Sync is the progress of a sync someone asked for, while it runs.
	Sync *syncProgress
}

// workItemLink is a work item id with its address in Azure DevOps, "" when unknown.
type workItemLink struct {
	ID  int
	URL string
}

// measures are the names of the numeric fields data sources commonly sum; the wizard
// offers whatever numeric fields the process has (see UI.loadMeasures).
var measures = []choice{
	{"count", "Count of work items"},
	{"Microsoft.VSTS.Scheduling.StoryPoints", "Story points"},
	{"Microsoft.VSTS.Scheduling.Effort", "Effort"},
	{"Microsoft.VSTS.Scheduling.Size", "Size"},
	{"Microsoft.VSTS.Scheduling.OriginalEstimate", "Original estimate"},
	{"Microsoft.VSTS.Scheduling.CompletedWork", "Completed work"},
	{"Microsoft.VSTS.Scheduling.RemainingWork", "Remaining work"},
}

// measureName names a measure for people: a known field by its usual name, any other by
// its reference name's last part in words, such as "Customer impact" for
// Custom.CustomerImpact.
func measureName(m string) string {
	for _, c := range measures {
		if strings.EqualFold(c.Value, m) || (m == "" && c.Value == "count") {
			return c.Label
		}
	}
	last := m[strings.LastIndex(m, ".")+1:]
	var b strings.Builder
	for i, r := range last {
		if i > 0 && unicode.IsUpper(r) {
			b.WriteByte(' ')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return m
	}
	return b.String()
}

func progressTypeName(t string) string {
	if t == cairn.ProgressAll || t == "" {
		return "All work items"
	}
	return t
}

// automated returns the organization's items that a data source drives, with the tooltip
// of their Azure DevOps mark.
func (u *UI) automated(ctx context.Context, q *request) map[cairn.Ref]string {
	if u.azdo == nil {
		return nil
	}
	ds, err := u.azdo.ListDataSources(ctx, q.org.Slug)
	if err != nil {
		return nil
	}
	out := make(map[cairn.Ref]string, len(ds))
	for _, d := range ds {
		note := "Synced from Azure DevOps"
		switch {
		case d.Error != nil:
			note += " · sync failing: " + d.Error.Message
		case d.LastSuccessAt != nil:
			note += " · last sync " + ago(u.now(), *d.LastSuccessAt)
		default:
			note += " · first sync pending"
		}
		out[d.Target.Ref()] = note
	}
	return out
}

func dsBase(org string, ref cairn.Ref) string {
	return "/o/" + org + "/" + kindPath(ref.Type) + "/" + strconv.FormatInt(ref.ID, 10) + "/data-source"
}

// sourceCard loads the data source of an item, or nil when it has none.
func (u *UI) sourceCard(ctx context.Context, q *request, ref cairn.Ref) (*sourceCard, error) {
	if u.azdo == nil || ref.Type == cairn.ItemObjective {
		return nil, nil
	}
	d, err := u.azdo.DataSourceForItem(ctx, q.org.Slug, ref)
	if cairn.ErrorCode(err) == cairn.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c := &sourceCard{DS: d, Progress: progressTypeName(d.ProgressType), Measure: measureName(d.Measure), ItemURL: itemURL(q.org.Slug, ref), Base: dsBase(q.org.Slug, ref)}
	if conn, err := u.azdo.Connection(ctx, q.org.Slug, d.ConnectionID); err == nil {
		c.Connection = conn
		c.CanEdit = conn.CanEdit
	}
	c.CanEdit = c.CanEdit || q.isAdmin() || q.canWrite()
	var conn *cairn.Connection
	if c.Connection != nil {
		conn = c.Connection.Connection
	}
	switch d.Method {
	case cairn.MethodSharedQuery:
		c.Method, c.What = "Shared query", d.QueryName
		if conn != nil {
			c.QueryURL = conn.QueryURL(d.QueryID)
		}
	default:
		c.Method, c.What = "Work items", d.WorkItemType
		for _, id := range d.WorkItemIDs {
			l := workItemLink{ID: id}
			if conn != nil {
				l.URL = conn.WorkItemURL(id)
			}
			c.Items = append(c.Items, l)
		}
	}
	if d.Value != nil {
		c.Value = num(*d.Value)
	}
	c.Reconnect = d.Error != nil && d.Error.Kind == cairn.SyncErrCredentials
	if c.Runs, err = u.azdo.Runs(ctx, q.org.Slug, d.ID, 10); err != nil {
		return nil, err
	}
	return c, nil
}

func (u *UI) azdoRoutes(in options) {
	if u.azdo == nil {
		return
	}
	for _, kind := range []string{"key-results", "initiatives"} {
		base := "/o/{org}/" + kind + "/{id}/data-source"
		u.handle("GET "+base, in, u.wizard)
		u.handle("POST "+base, in, u.wizard)
		u.handle("GET "+base+"/queries", in, u.wizardQueries)
		u.handle("GET "+base+"/items", in, u.wizardItems)
		u.handle("POST "+base+"/sync", in, u.syncNow)
		u.handle("GET "+base+"/sync-status", in, u.syncStatus)
		u.handle("GET "+base+"/microsoft", in, u.microsoftSignIn)
		u.handle("POST "+base+"/delete", in, u.deleteSource)
		u.handle("POST "+base+"/resume", in, u.resumeSource)
	}
	u.handle("GET /o/{org}/connections/new", in, u.signedIn)
	u.handle("GET /o/{org}/initiatives/{id}/tasks", in, u.tasksPage)
	u.handle("GET /o/{org}/admin/connections", in, u.connectionsPage)
	u.handle("POST /o/{org}/admin/connections/{cid}", in, u.updateConnection)
	u.handle("POST /o/{org}/admin/connections/{cid}/delete", in, u.deleteConnection)
	u.handle("GET /admin/tenant", options{}, u.tenantPage)
	u.handle("POST /admin/tenant", options{}, u.saveTenant)
}

// itemRef reads the item of a data source route.
func itemRef(q *request) (cairn.Ref, error) {
	t, err := kindOf(q.r)
	if err != nil {
		return cairn.Ref{}, err
	}
	id, err := parseID(q.r.PathValue("id"))
	if err != nil {
		return cairn.Ref{}, err
	}
	return cairn.Ref{Type: t, ID: id}, nil
}

// drawerAfter re-renders an item's drawer after an action on its data source, telling the
// tree to refresh.
func (u *UI) drawerAfter(q *request, ref cairn.Ref, notice string) error {
	d, err := u.loadDrawer(q.r.Context(), q, ref)
	if err != nil {
		return err
	}
	if d.Source != nil {
		d.Source.Notice = notice
	}
	q.w.Header().Set("HX-Trigger", "okrs-changed")
	if !q.htmx() {
		return u.redirect(q, itemURL(q.org.Slug, ref))
	}
	return u.renderBlock(q, http.StatusOK, "okrs", "drawer", u.view(q, d.Title, "okrs", d))
}

// resumeSource resumes a data source that a manual check-in paused; resuming queues a sync.
func (u *UI) resumeSource(q *request) error {
	ref, err := itemRef(q)
	if err != nil {
		return err
	}
	ctx := q.r.Context()
	d, err := u.azdo.DataSourceForItem(ctx, q.org.Slug, ref)
	if err != nil {
		return err
	}
	off := false
	if _, err := u.azdo.UpdateDataSource(ctx, q.org.Slug, d.ID, datasource.DataSourceUpdate{Paused: &off}); err != nil {
		return err
	}
	return u.drawerAfter(q, ref, "Automatic updates resumed.")
}

func (u *UI) deleteSource(q *request) error {
	ref, err := itemRef(q)
	if err != nil {
		return err
	}
	ctx := q.r.Context()
	d, err := u.azdo.DataSourceForItem(ctx, q.org.Slug, ref)
	if err != nil {
		return err
	}
	if err := u.azdo.DeleteDataSource(ctx, q.org.Slug, d.ID); err != nil {
		return err
	}
	return u.drawerAfter(q, ref, "")
}

// taskRow is one row of the tasks view.
type taskRow struct {
	*cairn.Task
	Depth int
}

type tasksData struct {
	Initiative *cairn.InitiativeView
	Source     *cairn.DataSource
	Rows       []taskRow
	Sort       string
	Desc       bool
	Categories []categoryCount
	Total      int
	Segments   []catSegment
	BackURL    string
}

type categoryCount struct {
	Name  string
	Count int
}

type catSegment struct {
	Class    string
	X, Width float64
}

// tasksPage shows an initiative's visible tasks: sortable, with counts per state category.
func (u *UI) tasksPage(q *request) error {
	ctx := q.r.Context()
	id, err := parseID(q.r.PathValue("id"))
	if err != nil {
		return err
	}
	in, err := u.svc.Initiative(ctx, q.org.Slug, id)
	if err != nil {
		return err
	}
	tasks, err := u.azdo.Tasks(ctx, q.org.Slug, id)
	if err != nil {
		return err
	}
	d := &tasksData{Initiative: in, Sort: q.r.URL.Query().Get("sort"), Desc: q.r.URL.Query().Get("dir") == "desc", BackURL: itemURL(q.org.Slug, cairn.Ref{Type: cairn.ItemInitiative, ID: id}), Total: len(tasks)}
	if ds, err := u.azdo.DataSourceForItem(ctx, q.org.Slug, cairn.Ref{Type: cairn.ItemInitiative, ID: id}); err == nil {
		d.Source = ds
	}
	counts := map[string]int{}
	for _, t := range tasks {
		counts[t.StateCategory]++
	}
	order := []string{"Completed", "Resolved", "InProgress", "Proposed"}
	x := 0.0
	for _, c := range order {
		if counts[c] == 0 {
			continue
		}
		d.Categories = append(d.Categories, categoryCount{Name: categoryLabel(c), Count: counts[c]})
		w := 100 * float64(counts[c]) / float64(len(tasks))
		d.Segments = append(d.Segments, catSegment{Class: "cat-" + strings.ToLower(c), X: x, Width: w})
		x += w
	}
	switch d.Sort {
	case "id", "title", "type", "state", "assignee":
		key := func(t *cairn.Task) string {
			switch d.Sort {
			case "id":
				return strconv.Itoa(1e9 + t.WorkItemID)
			case "title":
				return strings.ToLower(t.Title)
			case "type":
				return t.Type
			case "state":
				return t.State
			}
			return strings.ToLower(t.AssignedTo)
		}
		slices.SortStableFunc(tasks, func(a, b *cairn.Task) int {
			c := strings.Compare(key(a), key(b))
			if d.Desc {
				c = -c
			}
			return c
		})
		for _, t := range tasks {
			d.Rows = append(d.Rows, taskRow{Task: t})
		}
	default:
		d.Sort = ""
		d.Rows = taskTree(tasks)
	}
	return u.render(q, http.StatusOK, "tasks", "Tasks · "+in.Title, "okrs", d)
}

// taskTree orders tasks parent before children, indenting each under its visible parent.
func taskTree(tasks []*cairn.Task) []taskRow {
	byParent := map[int][]*cairn.Task{}
	present := map[int]bool{}
	for _, t := range tasks {
		present[t.WorkItemID] = true
	}
	var roots []*cairn.Task
	for _, t := range tasks {
		if t.ParentID != nil && present[*t.ParentID] {
			byParent[*t.ParentID] = append(byParent[*t.ParentID], t)
		} else {
			roots = append(roots, t)
		}
	}
	var out []taskRow
	seen := map[int]bool{}
	var walk func(t *cairn.Task, depth int)
	walk = func(t *cairn.Task, depth int) {
		if seen[t.WorkItemID] {
			return
		}
		seen[t.WorkItemID] = true
		out = append(out, taskRow{Task: t, Depth: min(depth, 4)})
		for _, c := range byParent[t.WorkItemID] {
			walk(c, depth+1)
		}
	}
	for _, r := range roots {
		walk(r, 0)
	}
	return out
}

func categoryLabel(c string) string {
	switch c {
	case "InProgress":
		return "In progress"
	case "":
		return "Unknown"
	}
	return c
}

// orgIntegration is the organization's Azure DevOps settings as the settings page shows them.
type orgIntegration struct {
	*cairn.OrgIntegration
	Interval string
}

func (u *UI) orgIntegration(q *request) (*orgIntegration, error) {
	if u.azdo == nil {
		return nil, nil
	}
	oi, err := u.svc.OrgIntegration(q.r.Context(), q.org.Slug)
	if err != nil {
		return nil, err
	}
	return &orgIntegration{OrgIntegration: oi, Interval: strconv.Itoa(oi.SyncIntervalMinutes)}, nil
}

func (u *UI) saveOrgIntegration(q *request, errs map[string]string) error {
	if u.azdo == nil || q.r.PostForm.Get("azdo_present") == "" {
		return nil
	}
	on := q.r.PostForm.Get("azdo_enabled") != ""
	up := cairn.OrgIntegrationUpdate{Enabled: &on}
	if s := strings.TrimSpace(q.r.PostForm.Get("sync_interval_minutes")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			errs["sync_interval_minutes"] = strconv.Quote(s) + " is not a whole number of minutes"
			return nil
		}
		up.SyncIntervalMinutes = &n
	}
	if _, err := u.svc.SetOrgIntegration(q.r.Context(), q.org.Slug, up); err != nil {
		if f := cairn.ErrorField(err); f != "" {
			errs[f] = cairn.ErrorMessage(err)
			return nil
		}
		return err
	}
	return nil
}

// connectionRow is a connection on the connections page, with the data sources that use it.
type connectionRow struct {
	*datasource.ConnectionView
	Owner   string
	Sources []sourceUse
	Err     map[string]string
}

type sourceUse struct {
	Title string
	URL   string
}

type connectionsData struct {
	Rows   []*connectionRow
	Notice string
}

func (u *UI) connectionsPage(q *request) error {
	return u.showConnections(q, nil, "", http.StatusOK)
}

func (u *UI) showConnections(q *request, failed *connectionRow, notice string, status int) error {
	ctx := q.r.Context()
	cs, err := u.azdo.ListConnections(ctx, q.org.Slug)
	if err != nil {
		return err
	}
	ds, err := u.azdo.ListDataSources(ctx, q.org.Slug)
	if err != nil {
		return err
	}
	members, err := u.svc.ListMembers(ctx, q.org.Slug)
	if err != nil {
		return err
	}
	names := memberNames(members)
	d := &connectionsData{Notice: notice}
	for _, c := range cs {
		row := &connectionRow{ConnectionView: c, Owner: names[c.OwnerID]}
		if failed != nil && failed.ID == c.ID {
			row.Err = failed.Err
		}
		for _, s := range ds {
			if s.ConnectionID != c.ID {
				continue
			}
			ref := s.Target.Ref()
			title, url := u.parentLink(ctx, q.org.Slug, ref)
			if ref.Type == cairn.ItemInitiative {
				if in, err := u.svc.Initiative(ctx, q.org.Slug, ref.ID); err == nil {
					title, url = in.Title, itemURL(q.org.Slug, ref)
				}
			}
			row.Sources = append(row.Sources, sourceUse{Title: title, URL: url})
		}
		d.Rows = append(d.Rows, row)
	}
	return u.render(q, status, "connections", "Azure DevOps connections · "+q.org.Name, "admin", d)
}

func (u *UI) updateConnection(q *request) error {
	id, err := parseID(q.r.PathValue("cid"))
	if err != nil {
		return err
	}
	if err := parseForm(q); err != nil {
		return err
	}
	v := q.r.PostForm
	var up datasource.ConnectionUpdate
	if name := v.Get("name"); v.Has("name") {
		up.Name = &name
	}
	if vis := cairn.Visibility(v.Get("visibility")); v.Has("visibility") {
		up.Visibility = &vis
	}
	if v.Has("pat") {
		up.Auth = &datasource.AuthInput{Type: cairn.AuthPAT, Token: v.Get("pat")}
	}
	if _, err := u.azdo.UpdateConnection(q.r.Context(), q.org.Slug, id, up); err != nil {
		code := cairn.ErrorCode(err)
		if code == cairn.EINTERNAL || code == cairn.ENOTFOUND || code == cairn.EFORBIDDEN {
			return err
		}
		field := cairn.ErrorField(err)
		switch {
		case field == "auth.token" || v.Has("pat"):
			field = "pat"
		case field == "":
			field = "name"
		}
		return u.showConnections(q, &connectionRow{ConnectionView: &datasource.ConnectionView{Connection: &cairn.Connection{ID: id}}, Err: map[string]string{field: cairn.ErrorMessage(err)}}, "", http.StatusUnprocessableEntity)
	}
	notice := "Connection saved."
	if v.Has("pat") {
		notice = "Reconnected: the next sync uses the new token."
	}
	return u.showConnections(q, nil, notice, http.StatusOK)
}

func (u *UI) deleteConnection(q *request) error {
	id, err := parseID(q.r.PathValue("cid"))
	if err != nil {
		return err
	}
	if err := u.azdo.DeleteConnection(q.r.Context(), q.org.Slug, id); err != nil {
		return err
	}
	return u.showConnections(q, nil, "Connection deleted; its items take manual check-ins again.", http.StatusOK)
}

type tenantData struct {
	Enabled bool
	Saved   bool
	Orgs    []*cairn.Org
	// Hosts is the allow-list as the form shows it, one entry a line; Errs says why the
	// last one sent was refused.
	Hosts         string
	Errs          map[string]string
	OperatorHosts []string
}

func (u *UI) tenantPage(q *request) error {
	if !q.user.TenantAdmin {
		return cairn.Errorf(cairn.EFORBIDDEN, "only a tenant admin may change the tenant's integrations")
	}
	ti, err := u.svc.TenantIntegration(q.r.Context())
	if err != nil {
		return err
	}
	orgs, _ := u.svc.ListOrgs(q.r.Context())
	q.orgs = orgs
	return u.render(q, http.StatusOK, "tenant", "Tenant integrations", "", tenantData{Enabled: ti.Enabled, Saved: q.r.URL.Query().Get("saved") == "1", Orgs: orgs,
		Hosts: strings.Join(ti.AllowedHosts, "\n"), OperatorHosts: ti.OperatorHosts})
}

func (u *UI) saveTenant(q *request) error {
	if !q.user.TenantAdmin {
		return cairn.Errorf(cairn.EFORBIDDEN, "only a tenant admin may change the tenant's integrations")
	}
	if err := parseForm(q); err != nil {
		return err
	}
	ctx := q.r.Context()
	if q.r.PostForm.Has("allowed_hosts") {
		raw := q.r.PostForm.Get("allowed_hosts")
		hosts := strings.FieldsFunc(raw, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' })
		if _, err := u.svc.SetAllowedHosts(ctx, hosts); err != nil {
			if cairn.ErrorCode(err) != cairn.EINVALID {
				return err
			}
			ti, terr := u.svc.TenantIntegration(ctx)
			if terr != nil {
				return terr
			}
			orgs, _ := u.svc.ListOrgs(ctx)
			q.orgs = orgs
			return u.render(q, http.StatusUnprocessableEntity, "tenant", "Tenant integrations", "", tenantData{Enabled: ti.Enabled, Orgs: orgs,
				Hosts: raw, Errs: map[string]string{"allowed_hosts": cairn.ErrorMessage(err)}, OperatorHosts: ti.OperatorHosts})
		}
	}
	if err := u.svc.SetTenantIntegration(ctx, &cairn.TenantIntegration{Enabled: q.r.PostForm.Get("azdo_enabled") != ""}); err != nil {
		return err
	}
	return u.redirect(q, "/admin/tenant?saved=1")
}
