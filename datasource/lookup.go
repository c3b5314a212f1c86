package datasource

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/azdo"
)

// The lookups a person needs while configuring: they read Azure DevOps live through a
// connection the user may use, or, for the projects of a connection being created,
// through the credential being entered.

// ProbeInput names an Azure DevOps organization and a credential not yet stored.
type ProbeInput struct {
	OrganizationURL string    `json:"organization_url"`
	Auth            AuthInput `json:"auth"`
}

// ProjectView is one project of an organization.
type ProjectView struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// ProbeProjects lists the projects an organization URL and credential can see, to create
// a connection.
func (s *Service) ProbeProjects(ctx context.Context, org string, in ProbeInput) ([]ProjectView, error) {
	a, err := s.cfg.Cairn.IntegrationActor(ctx, org)
	if err != nil {
		return nil, err
	}
	if !a.Writer() {
		return nil, cairn.Errorf(cairn.EFORBIDDEN, "viewers may not create Azure DevOps connections")
	}
	u, err := cairn.NormalizeOrgURL(in.OrganizationURL)
	if err != nil {
		return nil, err
	}
	cred, err := s.resolveCredential(ctx, a, in.Auth)
	if err != nil {
		return nil, err
	}
	cl, err := s.cfg.Clients.newClient(ctx, u, cred, nil, "")
	if err != nil {
		return nil, clientError(u, err)
	}
	ps, err := projects(ctx, cl)
	if err != nil {
		return nil, newCredentialError(err, cred.Type, u)
	}
	return ps, nil
}

// projects lists the projects a client sees, sorted by name; its error is Azure DevOps'.
func projects(ctx context.Context, cl *azdo.Client) ([]ProjectView, error) {
	ps, err := cl.AllProjects(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ProjectView, 0, len(ps))
	for _, p := range ps {
		out = append(out, ProjectView{ID: p.ID, Name: p.Name, Description: p.Description})
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out, nil
}

// lookupClient returns a client for a connection the user may use. Viewers may not: the
// lookups serve configuring data sources, which viewers cannot, and would let them read
// the project's queries and work items with the credential of the connection's owner.
func (s *Service) lookupClient(ctx context.Context, org string, connectionID int64) (*cairn.Connection, *azdo.Client, error) {
	a, err := s.cfg.Cairn.IntegrationActor(ctx, org)
	if err != nil {
		return nil, nil, err
	}
	if !a.Writer() {
		return nil, nil, cairn.Errorf(cairn.EFORBIDDEN, "viewers may not browse Azure DevOps through a connection")
	}
	c, err := s.cfg.Store.ConnectionByID(ctx, a.Org.ID, connectionID)
	if err != nil {
		return nil, nil, err
	}
	if !c.CanUse(a.User.ID, a.Admin()) {
		return nil, nil, cairn.NotFound("connection", connectionID)
	}
	cl, err := s.client(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	return c, cl, nil
}

// Projects lists the projects a stored connection can see.
func (s *Service) Projects(ctx context.Context, org string, connectionID int64) ([]ProjectView, error) {
	c, cl, err := s.lookupClient(ctx, org, connectionID)
	if err != nil {
		return nil, err
	}
	ps, err := projects(ctx, cl)
	if err != nil {
		return nil, apiError(err, "the projects of "+c.OrganizationURL)
	}
	return ps, nil
}

// TypeView is a work item type with its states.
type TypeView struct {
	Name          string       `json:"name"`
	ReferenceName string       `json:"reference_name"`
	Color         string       `json:"color"`
	States        []azdo.State `json:"states"`
}

// WorkItemTypes lists the work item types of the connection's project, enabled ones only.
func (s *Service) WorkItemTypes(ctx context.Context, org string, connectionID int64) ([]TypeView, error) {
	c, cl, err := s.lookupClient(ctx, org, connectionID)
	if err != nil {
		return nil, err
	}
	ts, err := cl.WorkItemTypes(ctx, project(c))
	if err != nil {
		return nil, apiError(err, "the work item types")
	}
	out := []TypeView{}
	for _, t := range ts {
		if t.IsDisabled {
			continue
		}
		states := t.States
		if states == nil {
			states = []azdo.State{}
		}
		out = append(out, TypeView{Name: t.Name, ReferenceName: t.ReferenceName, Color: t.Color, States: states})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// States lists the states of one work item type with their categories.
func (s *Service) States(ctx context.Context, org string, connectionID int64, typeName string) ([]azdo.State, error) {
	c, cl, err := s.lookupClient(ctx, org, connectionID)
	if err != nil {
		return nil, err
	}
	st, err := cl.States(ctx, project(c), typeName)
	if err != nil {
		return nil, apiError(err, fmt.Sprintf("the work item type %q", typeName))
	}
	return st, nil
}

// QueryView is a saved query or folder.
type QueryView struct {
	ID          string      `json:"id"`
	Name        string      `json:"name"`
	Path        string      `json:"path"`
	IsFolder    bool        `json:"is_folder"`
	HasChildren bool        `json:"has_children"`
	QueryType   string      `json:"query_type,omitempty"`
	IsPublic    bool        `json:"is_public"`
	Children    []QueryView `json:"children,omitempty"`
}

func queryView(q azdo.QueryItem) QueryView {
	v := QueryView{ID: q.ID, Name: q.Name, Path: q.Path, IsFolder: q.IsFolder, HasChildren: q.HasChildren, QueryType: q.QueryType, IsPublic: q.IsPublic}
	for _, c := range q.Children {
		v.Children = append(v.Children, queryView(c))
	}
	return v
}

// Queries returns the query tree (two levels, "My Queries" and "Shared Queries" with
// their children) or, with search text, the queries whose name matches.
func (s *Service) Queries(ctx context.Context, org string, connectionID int64, search string) ([]QueryView, error) {
	c, cl, err := s.lookupClient(ctx, org, connectionID)
	if err != nil {
		return nil, err
	}
	var qs []azdo.QueryItem
	if strings.TrimSpace(search) != "" {
		qs, err = cl.SearchQueries(ctx, project(c), strings.TrimSpace(search), 50)
	} else {
		qs, err = cl.Queries(ctx, project(c), 2, azdo.ExpandNone)
	}
	if err != nil {
		return nil, apiError(err, "the saved queries")
	}
	out := make([]QueryView, 0, len(qs))
	for _, q := range qs {
		out = append(out, queryView(q))
	}
	return out, nil
}

// WorkItemView is a work item found by search.
type WorkItemView struct {
	ID    int    `json:"id"`
	Title string `json:"title"`
	Type  string `json:"type"`
	State string `json:"state"`
	URL   string `json:"url"`
}

// SearchWorkItems finds work items of a type by id or by words of the title, newest first,
// at most 50.
func (s *Service) SearchWorkItems(ctx context.Context, org string, connectionID int64, typeName, text string) ([]WorkItemView, error) {
	c, cl, err := s.lookupClient(ctx, org, connectionID)
	if err != nil {
		return nil, err
	}
	typeName, text = strings.TrimSpace(typeName), strings.TrimSpace(text)
	if typeName == "" {
		return nil, cairn.FieldError("type", "type is required")
	}
	where := "[System.TeamProject] = @project AND [System.WorkItemType] = '" + wiqlString(typeName) + "'"
	if id, err := strconv.Atoi(strings.TrimPrefix(text, "#")); err == nil && id > 0 {
		where += " AND [System.Id] = " + strconv.Itoa(id)
	} else if text != "" {
		where += " AND [System.Title] CONTAINS '" + wiqlString(text) + "'"
	}
	res, err := cl.WIQL(ctx, project(c), "SELECT [System.Id] FROM WorkItems WHERE "+where+" ORDER BY [System.ChangedDate] DESC", azdo.WIQLOptions{Top: 50})
	if err != nil {
		return nil, apiError(err, "the work items")
	}
	ids := res.IDs()
	if len(ids) == 0 {
		return []WorkItemView{}, nil
	}
	ws, err := cl.WorkItems(ctx, project(c), ids, azdo.WorkItemsOptions{Fields: []string{"System.Id", "System.Title", "System.WorkItemType", "System.State"}, ErrorPolicy: azdo.ErrorPolicyOmit})
	if err != nil {
		return nil, apiError(err, "the work items")
	}
	out := make([]WorkItemView, 0, len(ws))
	for _, w := range ws {
		out = append(out, WorkItemView{ID: w.ID, Title: w.String("System.Title"), Type: w.String("System.WorkItemType"), State: w.String("System.State"), URL: c.WorkItemURL(w.ID)})
	}
	return out, nil
}

// wiqlString escapes a value for a single-quoted WIQL literal.
func wiqlString(s string) string { return strings.ReplaceAll(s, "'", "''") }
