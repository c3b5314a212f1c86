package ui

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/datasource"
	"github.com/cairn-okr/cairn/progress"
)

// The wizard "Automatically from a data source" follows the steps of the original product:
// the source, the connection (or a new one), the method, the query or the items, the
// progress type with the measure, a preview, and Save. Every step is one form that carries
// the earlier answers in hidden fields, so that Back and a reload lose nothing and the
// wizard works with or without JavaScript.

// wizardState is what the user has chosen so far, with what the current step shows.
type wizardState struct {
	Ref        cairn.Ref
	Title      string
	Target     cairn.TargetType
	MetricKind cairn.MetricKind
	Base       string
	CloseURL   string
	Step       string

	ConnectionID int64
	Method       string
	QueryID      string
	WorkItemType string
	WorkItemIDs  []int
	ProgressType string
	Measure      string
	CountTotal   bool
	Resolved     bool
	Search       string

	NewName  string
	OrgURL   string
	Project  string
	PAT      string
	Projects []datasource.ProjectView

	// MicrosoftSignIn offers the sign-in that lists the user's organizations; Grant is a
	// finished one, and Orgs are its organizations.
	MicrosoftSignIn bool
	Grant           string
	Orgs            []orgChoice

	// InDrawer is set when the wizard shows in the item drawer rather than on a page of
	// its own, such as after adding an initiative from a work item or a Microsoft sign-in.
	InDrawer bool

	Connections []*datasource.ConnectionView
	Connection  *datasource.ConnectionView
	Queries     []datasource.QueryView
	Types       []datasource.TypeView
	Found       []datasource.WorkItemView
	Chosen      []datasource.WorkItemView
	Progresses  []string
	Preview     *datasource.Preview
	Measures    []choice

	Errs    map[string]string
	General string
}

// IsMetric reports whether the target is a metric, which takes a measure.
func (w *wizardState) IsMetric() bool { return w.Target != cairn.TargetInitiativeTasks }

// IsNumber reports whether the metric sums rather than takes a share, which allows count total.
func (w *wizardState) IsNumber() bool {
	return w.IsMetric() && (w.MetricKind == cairn.MetricNumber || w.MetricKind == cairn.MetricCurrency)
}

// TargetName names the target for people.
func (w *wizardState) TargetName() string {
	switch w.Target {
	case cairn.TargetKeyResult:
		return "key result"
	case cairn.TargetInitiativeMetric:
		return "initiative's metric (KPI)"
	}
	return "initiative's tasks"
}

// Chose reports whether the work item id is selected.
func (w *wizardState) Chose(id int) bool { return slices.Contains(w.WorkItemIDs, id) }

// StepNo is the number of the step in the progress line.
func (w *wizardState) StepNo() int {
	switch w.Step {
	case "connection", "new-connection":
		return 2
	case "method":
		return 3
	case "query", "items":
		return 4
	case "progress":
		return 5
	case "preview":
		return 6
	}
	return 1
}

// Value formats the preview's value in the target's unit.
func (w *wizardState) Value() string {
	if w.Preview == nil {
		return ""
	}
	if w.IsNumber() {
		return num(w.Preview.Value)
	}
	return percent(w.Preview.Value)
}

func (w *wizardState) input() datasource.DataSourceInput {
	in := datasource.DataSourceInput{Target: cairn.Target{Type: w.Target, ID: w.Ref.ID}, ConnectionID: w.ConnectionID,
		Method: cairn.Method(w.Method), ProgressType: w.ProgressType, Measure: w.Measure, CountTotal: w.CountTotal, ResolvedIsComplete: w.Resolved}
	if in.Method == cairn.MethodSharedQuery {
		in.QueryID = w.QueryID
	} else {
		in.WorkItemType, in.WorkItemIDs = w.WorkItemType, w.WorkItemIDs
	}
	if in.ProgressType == "" {
		in.ProgressType = cairn.ProgressAll
	}
	if !w.IsMetric() || in.Measure == "" {
		in.Measure = cairn.MeasureCount
	}
	if !w.IsNumber() {
		in.CountTotal = false
	}
	return in
}

// readWizard reads the wizard's state from the form or query string.
func (u *UI) readWizard(ctx context.Context, q *request, ref cairn.Ref) (*wizardState, error) {
	w := &wizardState{Ref: ref, Base: dsBase(q.org.Slug, ref), CloseURL: itemURL(q.org.Slug, ref), Errs: map[string]string{}}
	switch ref.Type {
	case cairn.ItemKeyResult:
		k, err := u.svc.KeyResult(ctx, q.org.Slug, ref.ID)
		if err != nil {
			return nil, err
		}
		w.Title, w.Target, w.MetricKind = k.Title, cairn.TargetKeyResult, k.Metric.Kind
	case cairn.ItemInitiative:
		i, err := u.svc.Initiative(ctx, q.org.Slug, ref.ID)
		if err != nil {
			return nil, err
		}
		w.Title, w.Target = i.Title, cairn.TargetInitiativeTasks
		if i.ProgressMode == cairn.ModeMetric && i.Metric != nil {
			w.Target, w.MetricKind = cairn.TargetInitiativeMetric, i.Metric.Kind
		}
	default:
		return nil, notFound("item")
	}
	if q.r.Method == http.MethodPost {
		if err := parseForm(q); err != nil {
			return nil, err
		}
	}
	v := q.r.Form
	if v == nil {
		v = q.r.URL.Query()
	}
	w.Step = v.Get("step")
	w.ConnectionID, _ = strconv.ParseInt(v.Get("connection_id"), 10, 64)
	w.Method = v.Get("method")
	w.QueryID = v.Get("query_id")
	w.WorkItemType = v.Get("work_item_type")
	for _, s := range v["work_item_ids"] {
		if id, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(s), "#")); err == nil && id > 0 && !slices.Contains(w.WorkItemIDs, id) {
			w.WorkItemIDs = append(w.WorkItemIDs, id)
		}
	}
	w.ProgressType = v.Get("progress_type")
	w.Measure = v.Get("measure")
	w.CountTotal = v.Get("count_total") != ""
	w.Resolved = v.Get("resolved_is_complete") != ""
	w.Search = strings.TrimSpace(v.Get("search"))
	w.NewName, w.OrgURL, w.Project, w.PAT = v.Get("new_name"), v.Get("organization_url"), v.Get("project"), v.Get("pat")
	w.Grant = strings.TrimSpace(v.Get("grant"))
	w.MicrosoftSignIn = u.msSignIn
	w.InDrawer = inDrawer(q)
	return w, nil
}

// fail records a service error at the step its field belongs to, or returns it when it is
// not about the input.
func (w *wizardState) fail(err error) error {
	code := cairn.ErrorCode(err)
	if code == cairn.EINTERNAL || code == cairn.EFORBIDDEN || code == cairn.EUNAUTHORIZED {
		return err
	}
	field := cairn.ErrorField(err)
	msg := cairn.ErrorMessage(err)
	switch field {
	case "connection_id":
		w.Step = "connection"
	case "query_id":
		w.Step = "query"
	case "work_item_type", "work_item_ids":
		w.Step = "items"
	case "progress_type", "measure", "count_total", "resolved_is_complete":
		w.Step = "progress"
	case "":
		w.General = msg
		return nil
	}
	w.Errs[field] = msg
	return nil
}

func (u *UI) wizard(q *request) error {
	ctx := q.r.Context()
	ref, err := itemRef(q)
	if err != nil {
		return err
	}
	if !q.canWrite() {
		return cairn.Errorf(cairn.EFORBIDDEN, "viewers may not connect items to Azure DevOps")
	}
	w, err := u.readWizard(ctx, q, ref)
	if err != nil {
		return err
	}
	if q.r.Method == http.MethodPost && w.Step == "save" {
		in := w.input()
		since := u.now()
		_, err := u.azdo.CreateDataSource(ctx, q.org.Slug, in)
		if err == nil {
			return u.connected(q, ref, since)
		}
		if err := w.fail(err); err != nil {
			return err
		}
		if w.Step == "save" {
			w.Step = "preview"
		}
	}
	if err := u.prepareStep(ctx, q, w); err != nil {
		return err
	}
	return u.renderWizard(q, w)
}

// inDrawer reports whether an htmx request comes from the item drawer.
func inDrawer(q *request) bool { return q.htmx() && q.r.Header.Get("HX-Target") == "drawer" }

func (u *UI) renderWizard(q *request, w *wizardState) error {
	status := http.StatusOK
	if len(w.Errs) > 0 || w.General != "" {
		status = http.StatusUnprocessableEntity
	}
	if q.htmx() {
		return u.renderBlock(q, status, "wizard", "wizard-body", u.view(q, "Connect to Azure DevOps", "okrs", w))
	}
	return u.render(q, status, "wizard", "Connect to Azure DevOps", "okrs", w)
}

// prepareStep loads what the step shows, moving back to an earlier step when an answer it
// needs is missing.
func (u *UI) prepareStep(ctx context.Context, q *request, w *wizardState) error {
	org := q.org.Slug
	if w.Step == "" {
		w.Step = "source"
	}
	if w.Step == "method-next" {
		switch cairn.Method(w.Method) {
		case cairn.MethodSharedQuery:
			w.Step = "query"
		case cairn.MethodWorkItems:
			w.Step = "items"
		default:
			w.Step = "method"
			w.Errs["method"] = "choose Shared query or Work items"
		}
	}
	if w.Step == "create-connection" || w.Step == "load-projects" {
		action := w.Step
		w.Step = "new-connection"
		auth := datasource.AuthInput{Type: cairn.AuthPAT, Token: w.PAT}
		switch {
		case w.Grant != "":
			auth = datasource.AuthInput{Type: cairn.AuthOAuth, Grant: w.Grant}
			if strings.TrimSpace(w.OrgURL) == "" {
				w.Errs["organization_url"] = "choose one of your organizations"
			}
		default:
			if strings.TrimSpace(w.OrgURL) == "" {
				w.Errs["organization_url"] = "enter the organization's URL, like https://dev.azure.com/fabrikam"
			}
			if w.PAT == "" {
				w.Errs["auth.token"] = "enter a personal access token with the scopes " + datasource.PATScopes
			}
		}
		if len(w.Errs) == 0 {
			ps, err := u.azdo.ProbeProjects(ctx, org, datasource.ProbeInput{OrganizationURL: w.OrgURL, Auth: auth})
			if err != nil {
				if err := w.failConnection(err); err != nil {
					return err
				}
			}
			w.Projects = ps
		}
		if action == "create-connection" && len(w.Errs) == 0 && w.General == "" {
			if w.Project == "" {
				w.Errs["project"] = "choose the project"
			} else {
				c, err := u.azdo.CreateConnection(ctx, org, datasource.ConnectionInput{Name: w.NewName, OrganizationURL: w.OrgURL, Project: w.Project,
					Visibility: cairn.VisibilityPrivate, Auth: auth})
				if err != nil {
					if err := w.failConnection(err); err != nil {
						return err
					}
				} else {
					w.ConnectionID, w.PAT, w.Grant, w.Step = c.ID, "", "", "method"
				}
			}
		}
	}
	if w.Step == "new-connection" {
		if w.Grant != "" {
			return u.loadOrgs(ctx, q, w)
		}
		return nil
	}
	needConnection := w.Step != "source" && w.Step != "connection" && w.Step != "new-connection"
	if needConnection {
		if w.ConnectionID == 0 {
			w.Step = "connection"
			w.Errs["connection_id"] = "choose a connection, or create one"
		} else {
			c, err := u.azdo.Connection(ctx, org, w.ConnectionID)
			if err != nil {
				if cairn.ErrorCode(err) != cairn.ENOTFOUND {
					return err
				}
				w.Step, w.ConnectionID = "connection", 0
				w.Errs["connection_id"] = "that connection does not exist, or you may not use it"
			}
			w.Connection = c
		}
	}
	if (w.Step == "query" || w.Step == "items") && w.Method == "" {
		w.Method = map[string]string{"query": string(cairn.MethodSharedQuery), "items": string(cairn.MethodWorkItems)}[w.Step]
	}
	if w.Step == "progress" || w.Step == "preview" {
		switch {
		case w.Method == string(cairn.MethodSharedQuery) && w.QueryID == "":
			w.Step = "query"
			w.Errs["query_id"] = "choose a shared query"
		case w.Method == string(cairn.MethodWorkItems) && w.WorkItemType == "":
			w.Step = "items"
			w.Errs["work_item_type"] = "choose the type of the work items to connect"
		case w.Method == string(cairn.MethodWorkItems) && len(w.WorkItemIDs) == 0:
			w.Step = "items"
			w.Errs["work_item_ids"] = "search for work items and select at least one"
		case w.Method != string(cairn.MethodSharedQuery) && w.Method != string(cairn.MethodWorkItems):
			w.Step = "method"
			w.Errs["method"] = "choose Shared query or Work items"
		}
	}
	switch w.Step {
	case "connection":
		cs, err := u.azdo.ListConnections(ctx, org)
		if err != nil {
			return err
		}
		w.Connections = cs
		if len(cs) == 0 && len(w.Errs) == 0 {
			w.Step = "new-connection"
		}
	case "query":
		qs, err := u.azdo.Queries(ctx, org, w.ConnectionID, w.Search)
		if err != nil {
			return w.fail(err)
		}
		w.Queries = flattenQueries(qs)
	case "items":
		ts, err := u.azdo.WorkItemTypes(ctx, org, w.ConnectionID)
		if err != nil {
			return w.fail(err)
		}
		w.Types = ts
		if err := u.findItems(ctx, q, w); err != nil {
			return err
		}
	case "progress":
		in := w.input()
		in.ProgressType, in.Measure, in.CountTotal = cairn.ProgressAll, cairn.MeasureCount, false
		p, err := u.azdo.Preview(ctx, org, in)
		if err != nil {
			return w.fail(err)
		}
		w.Progresses = p.Types
		if w.Method == string(cairn.MethodWorkItems) && w.WorkItemType != "" && !slices.Contains(w.Progresses, w.WorkItemType) {
			w.Progresses = append([]string{w.WorkItemType}, w.Progresses...)
		}
		if w.ProgressType == "" {
			w.ProgressType = defaultProgressType(w.Progresses, w.WorkItemType)
		}
		if w.IsMetric() {
			if err := u.loadMeasures(ctx, org, w); err != nil {
				return err
			}
		}
	case "preview":
		p, err := u.azdo.Preview(ctx, org, w.input())
		if err != nil {
			return w.fail(err)
		}
		w.Preview = p
	}
	return nil
}

// loadMeasures lists the measures the progress step offers: the count, and the numeric
// fields that the chosen progress type has in the connection's process (for all work
// items, those of any type in the item set). Remaining Work is offered to number metrics
// only.
func (u *UI) loadMeasures(ctx context.Context, org string, w *wizardState) error {
	types := []string{w.ProgressType}
	if w.ProgressType == cairn.ProgressAll || w.ProgressType == "" {
		types = w.Progresses
	}
	fs, err := u.azdo.MeasureFields(ctx, org, w.ConnectionID, types)
	if err != nil {
		return w.fail(err)
	}
	w.Measures = []choice{{cairn.MeasureCount, "Count of work items"}}
	for _, f := range fs {
		if strings.EqualFold(f.ReferenceName, progress.FieldRemainingWork) && !w.IsNumber() {
			continue
		}
		label := f.Name
		if w.ProgressType == cairn.ProgressAll || w.ProgressType == "" {
			label += " (" + strings.Join(f.Types, ", ") + ")"
		}
		w.Measures = append(w.Measures, choice{f.ReferenceName, label})
	}
	return nil
}

// defaultProgressType suggests the type that usually measures delivery: the backlog's
// requirement type when the items hold one, else the connected type, else the first.
func defaultProgressType(types []string, connected string) string {
	for _, t := range []string{"User Story", "Product Backlog Item", "Requirement", "Issue"} {
		if slices.Contains(types, t) {
			return t
		}
	}
	if connected != "" {
		return connected
	}
	if len(types) > 0 {
		return types[0]
	}
	return cairn.ProgressAll
}

// loadOrgs lists the Azure DevOps organizations of the wizard's Microsoft sign-in,
// choosing the only one when there is one.
func (u *UI) loadOrgs(ctx context.Context, q *request, w *wizardState) error {
	accts, err := u.azdo.Organizations(ctx, q.org.Slug, w.Grant)
	if err != nil {
		return w.failConnection(err)
	}
	for _, a := range accts {
		w.Orgs = append(w.Orgs, orgChoice{Name: a.AccountName, URL: organizationURL(a)})
	}
	slices.SortFunc(w.Orgs, func(a, b orgChoice) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	if len(w.Orgs) == 1 && w.OrgURL == "" {
		w.OrgURL = w.Orgs[0].URL
	}
	return nil
}

// failConnection places a connection error at its field in the new-connection step.
func (w *wizardState) failConnection(err error) error {
	code := cairn.ErrorCode(err)
	if code == cairn.EINTERNAL || code == cairn.EFORBIDDEN && cairn.ErrorField(err) == "" && !strings.Contains(cairn.ErrorMessage(err), "Azure DevOps") {
		return err
	}
	switch f := cairn.ErrorField(err); f {
	case "organization_url", "project", "name", "auth.token":
		w.Errs[f] = cairn.ErrorMessage(err)
	case "azure_devops." + cairn.SyncErrCredentials:
		// Azure DevOps refused the credential: say so at the token, or above the form after
		// signing in with Microsoft.
		if w.Grant == "" {
			w.Errs["auth.token"] = cairn.ErrorMessage(err)
		} else {
			w.General = cairn.ErrorMessage(err)
		}
	case "auth.grant":
		// The sign-in expired: offer it again.
		w.Grant, w.Orgs, w.Projects = "", nil, nil
		w.General = cairn.ErrorMessage(err)
	default:
		w.General = cairn.ErrorMessage(err)
	}
	return nil
}

// findItems runs the work item search and keeps the chosen items at the top.
func (u *UI) findItems(ctx context.Context, q *request, w *wizardState) error {
	if w.WorkItemType == "" {
		return nil
	}
	found, err := u.azdo.SearchWorkItems(ctx, q.org.Slug, w.ConnectionID, w.WorkItemType, w.Search)
	if err != nil {
		return w.fail(err)
	}
	for _, f := range found {
		if w.Chose(f.ID) {
			w.Chosen = append(w.Chosen, f)
		} else {
			w.Found = append(w.Found, f)
		}
	}
	for _, id := range w.WorkItemIDs {
		if !slices.ContainsFunc(w.Chosen, func(f datasource.WorkItemView) bool { return f.ID == id }) {
			w.Chosen = append(w.Chosen, datasource.WorkItemView{ID: id, Title: "Work item " + strconv.Itoa(id), Type: w.WorkItemType})
		}
	}
	return nil
}

// flattenQueries lists the saved queries (not folders) of a query tree.
func flattenQueries(qs []datasource.QueryView) []datasource.QueryView {
	var out []datasource.QueryView
	var walk func([]datasource.QueryView)
	walk = func(qs []datasource.QueryView) {
		for _, q := range qs {
			if !q.IsFolder {
				out = append(out, q)
			}
			walk(q.Children)
		}
	}
	walk(qs)
	return out
}

// wizardQueries answers the query search as the user types.
func (u *UI) wizardQueries(q *request) error {
	ctx := q.r.Context()
	ref, err := itemRef(q)
	if err != nil {
		return err
	}
	if !q.canWrite() {
		return cairn.Errorf(cairn.EFORBIDDEN, "viewers may not connect items to Azure DevOps")
	}
	w, err := u.readWizard(ctx, q, ref)
	if err != nil {
		return err
	}
	qs, err := u.azdo.Queries(ctx, q.org.Slug, w.ConnectionID, w.Search)
	if err != nil {
		if err := w.fail(err); err != nil {
			return err
		}
	}
	w.Queries = flattenQueries(qs)
	return u.renderBlock(q, http.StatusOK, "wizard", "query-results", u.view(q, "", "okrs", w))
}

// wizardItems answers the work item search as the user types.
func (u *UI) wizardItems(q *request) error {
	ctx := q.r.Context()
	ref, err := itemRef(q)
	if err != nil {
		return err
	}
	if !q.canWrite() {
		return cairn.Errorf(cairn.EFORBIDDEN, "viewers may not connect items to Azure DevOps")
	}
	w, err := u.readWizard(ctx, q, ref)
	if err != nil {
		return err
	}
	if err := u.findItems(ctx, q, w); err != nil {
		return err
	}
	return u.renderBlock(q, http.StatusOK, "wizard", "item-results", u.view(q, "", "okrs", w))
}
