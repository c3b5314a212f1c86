package azdo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// FieldRef names a field.
type FieldRef struct {
	// ReferenceName is the field's reference name, such as System.Title.
	ReferenceName string `json:"referenceName"`
	// Name is the field's friendly name.
	Name string `json:"name,omitempty"`
	// URL is the field's REST URL.
	URL string `json:"url,omitempty"`
}

// SortColumn is one ORDER BY column of a query.
type SortColumn struct {
	// Field is the sorted field.
	Field FieldRef `json:"field"`
	// Descending reports a descending sort.
	Descending bool `json:"descending"`
}

// WorkItemType is a work item type of a project.
type WorkItemType struct {
	// Name is the type's name, such as "User Story".
	Name string `json:"name"`
	// ReferenceName is the type's reference name.
	ReferenceName string `json:"referenceName,omitempty"`
	// Description describes the type.
	Description string `json:"description,omitempty"`
	// Color is the type's hex color without '#'.
	Color string `json:"color,omitempty"`
	// Icon is the type's icon.
	Icon *WorkItemTypeIcon `json:"icon,omitempty"`
	// IsDisabled reports a disabled type.
	IsDisabled bool `json:"isDisabled"`
	// States are the type's states, when the server includes them.
	States []State `json:"states,omitempty"`
	// Fields are the type's fields.
	Fields []WorkItemTypeField `json:"fields,omitempty"`
	// URL is the type's REST URL.
	URL string `json:"url,omitempty"`
}

// WorkItemTypeIcon is a work item type's icon.
type WorkItemTypeIcon struct {
	// ID names the icon, such as icon_insect.
	ID string `json:"id"`
	// URL addresses the icon image.
	URL string `json:"url,omitempty"`
}

// WorkItemTypeField is a field of a work item type.
type WorkItemTypeField struct {
	// ReferenceName is the field's reference name.
	ReferenceName string `json:"referenceName"`
	// Name is the field's friendly name.
	Name string `json:"name,omitempty"`
	// AlwaysRequired reports a field that must always have a value.
	AlwaysRequired bool `json:"alwaysRequired,omitempty"`
	// URL is the field's REST URL.
	URL string `json:"url,omitempty"`
}

// State is a work item state and its category.
type State struct {
	// Name is the state's name, such as "Active".
	Name string `json:"name"`
	// Color is the state's hex color without '#'.
	Color string `json:"color,omitempty"`
	// Category is Proposed, InProgress, Resolved, Completed or Removed.
	Category string `json:"category"`
}

// State categories.
const (
	// CategoryProposed is the category of states such as New and To Do.
	CategoryProposed = "Proposed"
	// CategoryInProgress is the category of states such as Active and Doing.
	CategoryInProgress = "InProgress"
	// CategoryResolved is the category of states such as Resolved.
	CategoryResolved = "Resolved"
	// CategoryCompleted is the category of states such as Closed and Done.
	CategoryCompleted = "Completed"
	// CategoryRemoved is the category of states such as Removed.
	CategoryRemoved = "Removed"
)

// QueryItem is a saved query or a query folder.
type QueryItem struct {
	// ID is the query's GUID.
	ID string `json:"id"`
	// Name is the query's name.
	Name string `json:"name"`
	// Path is the query's path, such as "Shared Queries/Team/All Bugs".
	Path string `json:"path"`
	// IsFolder reports a folder.
	IsFolder bool `json:"isFolder,omitempty"`
	// HasChildren reports a folder with children, listed or not.
	HasChildren bool `json:"hasChildren,omitempty"`
	// Children are the folder's children down to the requested depth.
	Children []QueryItem `json:"children,omitempty"`
	// IsPublic reports a shared query.
	IsPublic bool `json:"isPublic,omitempty"`
	// IsDeleted reports a deleted query.
	IsDeleted bool `json:"isDeleted,omitempty"`
	// QueryType is flat, tree or oneHop; absent on folders.
	QueryType string `json:"queryType,omitempty"`
	// Wiql is the query text, with $expand=wiql or all.
	Wiql string `json:"wiql,omitempty"`
	// Columns are the query's columns, with $expand=all or clauses.
	Columns []FieldRef `json:"columns,omitempty"`
	// SortColumns are the query's ORDER BY columns.
	SortColumns []SortColumn `json:"sortColumns,omitempty"`
	// FilterOptions is the link query mode, such as linksRecursiveMayContain.
	FilterOptions string `json:"filterOptions,omitempty"`
	// Clauses, SourceClauses, TargetClauses and LinkClauses are the parsed
	// WHERE clauses with $expand=clauses or all, kept undecoded.
	Clauses       json.RawMessage `json:"clauses,omitempty"`
	SourceClauses json.RawMessage `json:"sourceClauses,omitempty"`
	TargetClauses json.RawMessage `json:"targetClauses,omitempty"`
	LinkClauses   json.RawMessage `json:"linkClauses,omitempty"`
	// CreatedBy and LastModifiedBy are the query's author and last editor.
	CreatedBy      *Identity `json:"createdBy,omitempty"`
	LastModifiedBy *Identity `json:"lastModifiedBy,omitempty"`
	// CreatedDate and LastModifiedDate are when the query was created and
	// last changed.
	CreatedDate      time.Time `json:"createdDate,omitzero"`
	LastModifiedDate time.Time `json:"lastModifiedDate,omitzero"`
	// Links holds the query's _links, such as "html" and "wiql".
	Links map[string]Link `json:"_links,omitempty"`
	// URL is the query's REST URL.
	URL string `json:"url,omitempty"`
}

// UnmarshalJSON decodes a query item, tolerating zone-less timestamps.
func (q *QueryItem) UnmarshalJSON(b []byte) error {
	type alias QueryItem
	var w struct {
		alias
		CreatedDate      string `json:"createdDate"`
		LastModifiedDate string `json:"lastModifiedDate"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*q = QueryItem(w.alias)
	return errors.Join(parseInto(&q.CreatedDate, w.CreatedDate), parseInto(&q.LastModifiedDate, w.LastModifiedDate))
}

// WorkItemRef is a reference to a work item in a query result.
type WorkItemRef struct {
	// ID is the work item's ID.
	ID int `json:"id"`
	// URL is the work item's REST URL.
	URL string `json:"url,omitempty"`
}

// WorkItemLink is one row of a tree or one-hop query result.
type WorkItemLink struct {
	// Rel is the link type; "" on root rows.
	Rel string `json:"rel,omitempty"`
	// Source is the linking item; nil on root rows.
	Source *WorkItemRef `json:"source,omitempty"`
	// Target is the linked item.
	Target *WorkItemRef `json:"target,omitempty"`
}

// WIQLResult is the result of a WIQL query.
type WIQLResult struct {
	// QueryType is flat, tree or oneHop.
	QueryType string `json:"queryType"`
	// QueryResultType is workItem or workItemLink.
	QueryResultType string `json:"queryResultType,omitempty"`
	// AsOf is the moment the query ran against.
	AsOf time.Time `json:"asOf"`
	// Columns are the query's columns.
	Columns []FieldRef `json:"columns,omitempty"`
	// SortColumns are the query's ORDER BY columns.
	SortColumns []SortColumn `json:"sortColumns,omitempty"`
	// WorkItems are the rows of a flat query.
	WorkItems []WorkItemRef `json:"workItems,omitempty"`
	// WorkItemRelations are the rows of a tree or one-hop query.
	WorkItemRelations []WorkItemLink `json:"workItemRelations,omitempty"`
}

// UnmarshalJSON decodes a WIQL result, tolerating zone-less timestamps.
func (r *WIQLResult) UnmarshalJSON(b []byte) error {
	var w wiqlWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	return w.into(r)
}

// wiqlWire is a WIQL result as it travels, its timestamp still text. The client decodes
// responses into it rather than into WIQLResult, whose UnmarshalJSON would make the
// decoder scan a result of thousands of rows twice more.
type wiqlWire struct {
	QueryType         string         `json:"queryType"`
	QueryResultType   string         `json:"queryResultType,omitempty"`
	AsOf              string         `json:"asOf"`
	Columns           []FieldRef     `json:"columns,omitempty"`
	SortColumns       []SortColumn   `json:"sortColumns,omitempty"`
	WorkItems         []WorkItemRef  `json:"workItems,omitempty"`
	WorkItemRelations []WorkItemLink `json:"workItemRelations,omitempty"`
}

func (w *wiqlWire) into(r *WIQLResult) error {
	*r = WIQLResult{QueryType: w.QueryType, QueryResultType: w.QueryResultType, Columns: w.Columns,
		SortColumns: w.SortColumns, WorkItems: w.WorkItems, WorkItemRelations: w.WorkItemRelations}
	return parseInto(&r.AsOf, w.AsOf)
}

// IDs returns the distinct work item IDs of the result in row order: the
// rows of a flat query, or the sources and targets of a link query.
func (r WIQLResult) IDs() []int {
	seen := make(map[int]bool, len(r.WorkItems)+len(r.WorkItemRelations))
	var ids []int
	add := func(ref *WorkItemRef) {
		if ref != nil && ref.ID > 0 && !seen[ref.ID] {
			seen[ref.ID] = true
			ids = append(ids, ref.ID)
		}
	}
	for i := range r.WorkItems {
		add(&r.WorkItems[i])
	}
	for _, l := range r.WorkItemRelations {
		add(l.Source)
		add(l.Target)
	}
	return ids
}

// witBase returns the path segments of a WIT route, with or without a
// project.
func witBase(project string, rest ...string) []string {
	segs := make([]string, 0, len(rest)+3)
	if project != "" {
		segs = append(segs, project)
	}
	segs = append(segs, "_apis", "wit")
	return append(segs, rest...)
}

// WorkItemTypes returns a project's work item types.
func (c *Client) WorkItemTypes(ctx context.Context, project string) ([]WorkItemType, error) {
	if err := needProject("work item types", project); err != nil {
		return nil, err
	}
	var l list[WorkItemType]
	_, err := c.do(ctx, &request{
		method: "GET", route: "wit/workitemtypes", base: c.org,
		segments: witBase(project, "workitemtypes"), idempotent: true,
	}, &l)
	if err != nil {
		return nil, fmt.Errorf("azdo: work item types of %q: %w", project, err)
	}
	return l.Value, nil
}

// WorkItemType returns one work item type of a project.
func (c *Client) WorkItemType(ctx context.Context, project, typeName string) (WorkItemType, error) {
	if err := needProject("work item type", project); err != nil {
		return WorkItemType{}, err
	}
	if strings.TrimSpace(typeName) == "" {
		return WorkItemType{}, errors.New("azdo: work item type: type name is required")
	}
	var t WorkItemType
	_, err := c.do(ctx, &request{
		method: "GET", route: "wit/workitemtypes/{type}", base: c.org,
		segments: witBase(project, "workitemtypes", typeName), idempotent: true,
	}, &t)
	if err != nil {
		return WorkItemType{}, fmt.Errorf("azdo: work item type %q of %q: %w", typeName, project, err)
	}
	return t, nil
}

// States returns the states of a work item type with their categories.
func (c *Client) States(ctx context.Context, project, typeName string) ([]State, error) {
	if err := needProject("states", project); err != nil {
		return nil, err
	}
	if strings.TrimSpace(typeName) == "" {
		return nil, errors.New("azdo: states: type name is required")
	}
	var l list[State]
	_, err := c.do(ctx, &request{
		method: "GET", route: "wit/workitemtypes/{type}/states", base: c.org,
		segments: witBase(project, "workitemtypes", typeName, "states"), idempotent: true,
	}, &l)
	if err != nil {
		return nil, fmt.Errorf("azdo: states of %q in %q: %w", typeName, project, err)
	}
	return l.Value, nil
}

// Query expansions.
const (
	// ExpandNone asks for the least detail (queries and work items).
	ExpandNone = "none"
	// ExpandWiql adds each query's WIQL text.
	ExpandWiql = "wiql"
	// ExpandClauses adds each query's parsed clauses and columns.
	ExpandClauses = "clauses"
	// ExpandAll asks for every detail (queries and work items).
	ExpandAll = "all"
	// ExpandMinimal returns queries with names and paths only.
	ExpandMinimal = "minimal"
)

// Queries returns the roots of a project's query tree ("My Queries" and
// "Shared Queries") with children down to depth (0 to 2). expand is one of
// the Expand constants or "".
func (c *Client) Queries(ctx context.Context, project string, depth int, expand string) ([]QueryItem, error) {
	if err := needProject("queries", project); err != nil {
		return nil, err
	}
	if depth < 0 || depth > 2 {
		return nil, fmt.Errorf("azdo: queries: depth %d is out of range 0..2", depth)
	}
	q := url.Values{}
	if depth > 0 {
		q.Set("$depth", strconv.Itoa(depth))
	}
	if expand != "" {
		q.Set("$expand", expand)
	}
	var l list[QueryItem]
	_, err := c.do(ctx, &request{
		method: "GET", route: "wit/queries", base: c.org,
		segments: witBase(project, "queries"), query: q, idempotent: true,
	}, &l)
	if err != nil {
		return nil, fmt.Errorf("azdo: queries of %q: %w", project, err)
	}
	return l.Value, nil
}

// Query returns one saved query or folder by GUID or by path, such as
// "Shared Queries/Team/All Bugs".
func (c *Client) Query(ctx context.Context, project, idOrPath, expand string) (QueryItem, error) {
	if err := needProject("query", project); err != nil {
		return QueryItem{}, err
	}
	idOrPath = strings.Trim(idOrPath, "/ ")
	if idOrPath == "" {
		return QueryItem{}, errors.New("azdo: query: ID or path is required")
	}
	q := url.Values{}
	if expand != "" {
		q.Set("$expand", expand)
	}
	var item QueryItem
	_, err := c.do(ctx, &request{
		method: "GET", route: "wit/queries/{query}", base: c.org,
		segments: witBase(project, append([]string{"queries"}, strings.Split(idOrPath, "/")...)...),
		query:    q, idempotent: true,
	}, &item)
	if err != nil {
		return QueryItem{}, fmt.Errorf("azdo: query %q: %w", idOrPath, err)
	}
	return item, nil
}

// SearchQueries returns up to top (1 to 200; ≤ 0 means the server default)
// saved queries whose name contains text.
func (c *Client) SearchQueries(ctx context.Context, project, text string, top int) ([]QueryItem, error) {
	if err := needProject("search queries", project); err != nil {
		return nil, err
	}
	if strings.TrimSpace(text) == "" {
		return nil, errors.New("azdo: search queries: search text is required")
	}
	q := url.Values{"$filter": {text}}
	if top > 0 {
		q.Set("$top", strconv.Itoa(top))
	}
	var l list[QueryItem]
	_, err := c.do(ctx, &request{
		method: "GET", route: "wit/queries?$filter", base: c.org,
		segments: witBase(project, "queries"), query: q, idempotent: true,
	}, &l)
	if err != nil {
		return nil, fmt.Errorf("azdo: search queries for %q: %w", text, err)
	}
	return l.Value, nil
}

// RunSavedQuery runs a saved query by GUID and returns its work item IDs
// (flat) or links (tree, one-hop). project may be "" for an organization
// level call; top ≤ 0 leaves the limit to the server.
func (c *Client) RunSavedQuery(ctx context.Context, project, id string, top int) (WIQLResult, error) {
	if strings.TrimSpace(id) == "" {
		return WIQLResult{}, errors.New("azdo: run saved query: query ID is required")
	}
	q := url.Values{}
	if top > 0 {
		q.Set("$top", strconv.Itoa(top))
	}
	var r WIQLResult
	_, err := c.do(ctx, &request{
		method: "GET", route: "wit/wiql/{id}", base: c.org,
		segments: witBase(project, "wiql", id), query: q, idempotent: true,
	}, &r)
	if err != nil {
		return WIQLResult{}, fmt.Errorf("azdo: run saved query %s: %w", id, err)
	}
	return r, nil
}

// WIQLOptions tunes a WIQL call.
type WIQLOptions struct {
	// Top limits the number of rows; ≤ 0 leaves it to the server.
	Top int
	// TimePrecision makes date comparisons use the time of day.
	TimePrecision bool
	// Team scopes macros such as @currentIteration; requires a project.
	Team string
}

// WIQL runs a WIQL query. project may be "" when the query names no
// @project.
func (c *Client) WIQL(ctx context.Context, project, query string, opts WIQLOptions) (WIQLResult, error) {
	if strings.TrimSpace(query) == "" {
		return WIQLResult{}, errors.New("azdo: wiql: query text is required")
	}
	if opts.Team != "" && project == "" {
		return WIQLResult{}, errors.New("azdo: wiql: a team needs a project")
	}
	q := url.Values{}
	if opts.Top > 0 {
		q.Set("$top", strconv.Itoa(opts.Top))
	}
	if opts.TimePrecision {
		q.Set("timePrecision", "true")
	}
	segs := witBase(project, "wiql")
	if opts.Team != "" {
		segs = append([]string{project, opts.Team}, segs[1:]...)
	}
	var w wiqlWire
	_, err := c.do(ctx, &request{
		method: "POST", route: "wit/wiql", base: c.org, segments: segs, query: q,
		body: struct {
			Query string `json:"query"`
		}{query}, idempotent: true,
	}, &w)
	if err != nil {
		return WIQLResult{}, fmt.Errorf("azdo: wiql: %w", err)
	}
	var r WIQLResult
	if err := w.into(&r); err != nil {
		return WIQLResult{}, fmt.Errorf("azdo: wiql: wit/wiql: decode response: %w: %w", ErrBadResponse, err)
	}
	return r, nil
}

func needProject(op, project string) error {
	if strings.TrimSpace(project) == "" {
		return fmt.Errorf("azdo: %s: project is required", op)
	}
	return nil
}

// Field is a work item field as the fields API describes it, with its value type.
type Field struct {
	// ReferenceName is the field's reference name, such as Microsoft.VSTS.Scheduling.Size.
	ReferenceName string `json:"referenceName"`
	// Name is the field's friendly name.
	Name string `json:"name"`
	// Type is the field's value type: string, integer, double, dateTime, plainText,
	// html, treePath, history, guid, boolean, identity, picklistString,
	// picklistInteger or picklistDouble.
	Type string `json:"type"`
	// ReadOnly reports a field that only Azure DevOps sets.
	ReadOnly bool `json:"readOnly,omitempty"`
	// IsIdentity reports an identity field.
	IsIdentity bool `json:"isIdentity,omitempty"`
	// IsDeleted reports a deleted field.
	IsDeleted bool `json:"isDeleted,omitempty"`
	// URL is the field's REST URL.
	URL string `json:"url,omitempty"`
}

// Numeric reports whether the field holds numbers: integer, double and their
// picklists.
func (f Field) Numeric() bool {
	switch strings.ToLower(f.Type) {
	case "integer", "double", "picklistinteger", "picklistdouble":
		return true
	}
	return false
}

// Fields returns the fields of a project's process (or of the organization when
// project is ""), with their value types.
func (c *Client) Fields(ctx context.Context, project string) ([]Field, error) {
	var l list[Field]
	_, err := c.do(ctx, &request{
		method: "GET", route: "wit/fields", base: c.org,
		segments: witBase(project, "fields"), idempotent: true,
	}, &l)
	if err != nil {
		return nil, fmt.Errorf("azdo: fields of %q: %w", project, err)
	}
	return l.Value, nil
}

// WorkItemTypeFields returns the fields of a work item type. They carry no value type;
// Fields has it.
func (c *Client) WorkItemTypeFields(ctx context.Context, project, typeName string) ([]WorkItemTypeField, error) {
	if err := needProject("work item type fields", project); err != nil {
		return nil, err
	}
	if strings.TrimSpace(typeName) == "" {
		return nil, errors.New("azdo: work item type fields: type name is required")
	}
	var l list[WorkItemTypeField]
	_, err := c.do(ctx, &request{
		method: "GET", route: "wit/workitemtypes/{type}/fields", base: c.org,
		segments: witBase(project, "workitemtypes", typeName, "fields"), idempotent: true,
	}, &l)
	if err != nil {
		return nil, fmt.Errorf("azdo: fields of %q in %q: %w", typeName, project, err)
	}
	return l.Value, nil
}
