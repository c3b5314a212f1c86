package datasource

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/azdo"
	"github.com/cairn-okr/cairn/progress"
)

// DataSourceInput is the body that creates a data source or previews one.
type DataSourceInput struct {
	Target             cairn.Target `json:"target"`
	ConnectionID       int64        `json:"connection_id"`
	Method             cairn.Method `json:"method"`
	QueryID            string       `json:"query_id,omitempty"`
	WorkItemType       string       `json:"work_item_type,omitempty"`
	WorkItemIDs        []int        `json:"work_item_ids,omitempty"`
	ProgressType       string       `json:"progress_type"`
	Measure            string       `json:"measure"`
	CountTotal         bool         `json:"count_total"`
	ResolvedIsComplete bool         `json:"resolved_is_complete"`
}

func (in DataSourceInput) dataSource() *cairn.DataSource {
	return &cairn.DataSource{Target: in.Target, ConnectionID: in.ConnectionID, Method: in.Method, QueryID: in.QueryID,
		WorkItemType: in.WorkItemType, WorkItemIDs: slices.Clone(in.WorkItemIDs), ProgressType: in.ProgressType,
		Measure: in.Measure, CountTotal: in.CountTotal, ResolvedIsComplete: in.ResolvedIsComplete}
}

// checked is a data source validated against Cairn and live Azure DevOps metadata.
type checked struct {
	d      *cairn.DataSource
	conn   *cairn.Connection
	info   *cairn.TargetInfo
	client *azdo.Client
	// notes explain the macros and mode of a saved query.
	notes []string
}

// knownNumeric are fields Cairn knows to be numeric without sampling.
var knownNumeric = []string{progress.FieldStoryPoints, progress.FieldEffort, progress.FieldOriginalEstimate,
	progress.FieldCompletedWork, progress.FieldRemainingWork, "Microsoft.VSTS.Common.BusinessValue",
	"Microsoft.VSTS.Common.Priority", "Microsoft.VSTS.Scheduling.Size", "Microsoft.VSTS.Common.TimeCriticality"}

// check validates a data source for the user: the connection is usable, the target is
// editable and open, the rule fits the target's metric, and the query, types, items and
// field exist in Azure DevOps.
func (s *Service) check(ctx context.Context, a *cairn.IntegrationActor, d *cairn.DataSource) (*checked, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	if err := s.cfg.Cairn.RequireIntegration(ctx, a.Org.ID); err != nil {
		return nil, err
	}
	conn, err := s.usableConnection(ctx, a, d.ConnectionID, "connection_id")
	if err != nil {
		return nil, err
	}
	info, err := s.cfg.Cairn.EditableTarget(ctx, a, d.Target)
	if err != nil {
		return nil, err
	}
	if err := rule(d, info.MetricKind).Validate(); err != nil {
		if errors.Is(err, progress.ErrRemainingWorkNeedsNumber) {
			return nil, cairn.FieldError("measure", "Remaining Work works with number metrics only; this %s measures %s", d.Target.Type, kindName(info.MetricKind))
		}
		return nil, cairn.FieldError("measure", "%v", err)
	}
	cl, err := s.client(ctx, conn)
	if err != nil {
		return nil, err
	}
	proj := project(conn)
	var notes []string
	switch d.Method {
	case cairn.MethodSharedQuery:
		q, err := cl.Query(ctx, proj, d.QueryID, azdo.ExpandWiql)
		if errors.Is(err, azdo.ErrNotFound) {
			return nil, cairn.FieldError("query_id", "query %s does not exist in project %q, or the connection's identity may not read it. %s", d.QueryID, conn.Project, GuidanceQueryHidden)
		}
		if err != nil {
			return nil, apiError(err, "the shared query "+d.QueryID)
		}
		if q.IsFolder {
			return nil, cairn.FieldError("query_id", "%q is a folder, not a query", q.Path)
		}
		d.QueryName = q.Path
		notes = queryNotes(q.Wiql)
	case cairn.MethodWorkItems:
		t, err := cl.WorkItemType(ctx, proj, d.WorkItemType)
		if errors.Is(err, azdo.ErrNotFound) {
			return nil, cairn.FieldError("work_item_type", "project %q has no work item type %q", conn.Project, d.WorkItemType)
		}
		if err != nil {
			return nil, apiError(err, "the work item type "+d.WorkItemType)
		}
		d.WorkItemType = t.Name
		ws, err := cl.WorkItems(ctx, proj, d.WorkItemIDs, azdo.WorkItemsOptions{Fields: []string{"System.Id", "System.WorkItemType"}, ErrorPolicy: azdo.ErrorPolicyOmit})
		if err != nil {
			return nil, apiError(err, "the work items")
		}
		found := map[int]string{}
		for _, w := range ws {
			found[w.ID] = w.String("System.WorkItemType")
		}
		var missing, wrong []string
		for _, id := range d.WorkItemIDs {
			typ, ok := found[id]
			switch {
			case !ok:
				missing = append(missing, strconv.Itoa(id))
			case !strings.EqualFold(typ, t.Name):
				wrong = append(wrong, fmt.Sprintf("%d is a %s", id, typ))
			}
		}
		if len(missing) > 0 {
			return nil, cairn.FieldError("work_item_ids", "work items %s do not exist in project %q", strings.Join(missing, ", "), conn.Project)
		}
		if len(wrong) > 0 {
			return nil, cairn.FieldError("work_item_ids", "pick %s work items only: %s", t.Name, strings.Join(wrong, ", "))
		}
	}
	if d.ProgressType != cairn.ProgressAll {
		t, err := cl.WorkItemType(ctx, proj, d.ProgressType)
		if errors.Is(err, azdo.ErrNotFound) {
			return nil, cairn.FieldError("progress_type", "project %q has no work item type %q", conn.Project, d.ProgressType)
		}
		if err != nil {
			return nil, apiError(err, "the work item type "+d.ProgressType)
		}
		d.ProgressType = t.Name
	}
	if d.Measure != cairn.MeasureCount {
		m, err := checkMeasure(ctx, cl, conn, d.ProgressType, d.Measure)
		if err != nil {
			return nil, err
		}
		d.Measure = m
	}
	return &checked{d: d, conn: conn, info: info, client: cl, notes: notes}, nil
}

func kindName(k cairn.MetricKind) string {
	if k == "" {
		return "tasks"
	}
	return "a " + string(k) + " metric"
}

// PreviewItem is one work item of a preview.
type PreviewItem struct {
	ID            int     `json:"id"`
	Title         string  `json:"title"`
	Type          string  `json:"type"`
	State         string  `json:"state"`
	StateCategory string  `json:"state_category"`
	AssignedTo    string  `json:"assigned_to"`
	ParentID      int     `json:"parent_id"`
	Measured      bool    `json:"measured"`
	Complete      bool    `json:"complete"`
	Measure       float64 `json:"measure"`
	URL           string  `json:"url"`
}

// Preview is what a data source would show, computed live and saved nowhere.
type Preview struct {
	Value           float64 `json:"value"`
	ItemCount       int     `json:"item_count"`
	MeasuredCount   int     `json:"measured_count"`
	CompleteCount   int     `json:"complete_count"`
	CompleteMeasure float64 `json:"complete_measure"`
	TotalMeasure    float64 `json:"total_measure"`
	Warning         string  `json:"warning"`
	Note            string  `json:"note"`
	// QueryNotes explain what a saved query's macros and tree mode mean when Cairn runs it.
	QueryNotes     []string       `json:"query_notes"`
	Types          []string       `json:"types"`
	Items          []PreviewItem  `json:"items"`
	ItemsTruncated bool           `json:"items_truncated"`
	Tasks          []*cairn.Task  `json:"tasks"`
	APICalls       map[string]int `json:"api_calls"`
}

// maxPreviewItems bounds the items a preview lists; the value covers all of them.
const maxPreviewItems = 1000

// Preview computes a data source's item set, measured set, value and visible tasks live
// from Azure DevOps, without saving anything.
func (s *Service) Preview(ctx context.Context, org string, in DataSourceInput) (*Preview, error) {
	a, err := s.cfg.Cairn.IntegrationActor(ctx, org)
	if err != nil {
		return nil, err
	}
	if !a.Writer() {
		return nil, cairn.Errorf(cairn.EFORBIDDEN, "viewers may not configure data sources")
	}
	d := in.dataSource()
	d.OrgID = a.Org.ID
	c, err := s.check(ctx, a, d)
	if err != nil {
		return nil, err
	}
	counter := &callCounter{calls: map[string]int{}}
	cred, err := openCredential(s.cfg.Sealer, c.conn)
	if err != nil {
		return nil, err
	}
	cl, err := s.cfg.Clients.newClient(ctx, c.conn.OrganizationURL, cred, counter.on, c.conn.APIVersion)
	if err != nil {
		return nil, cairn.Internal("build the Azure DevOps client", err)
	}
	proj := project(c.conn)
	ids, err := members(ctx, cl, proj, d)
	if err != nil {
		return nil, apiError(err, describe(d))
	}
	fields := measureFields([]*cairn.DataSource{d})
	ws, removed, err := fetchItems(ctx, cl, proj, ids, fields)
	if err != nil {
		return nil, apiError(err, "the work items")
	}
	if len(removed) > 0 {
		return nil, cairn.FieldError("measure", "Azure DevOps has no field %s", removed[0])
	}
	items := make(map[int]*cairn.MirrorItem, len(ws))
	for _, w := range ws {
		if err := numeric(w, d.Measure); err != nil {
			return nil, err
		}
		m := mirrorItem(w, fields, c.conn)
		items[m.ID] = &m
	}
	var present []int
	for _, id := range ids {
		if items[id] != nil {
			present = append(present, id)
		}
	}
	tc := loadTypeCache(ctx, s.cfg.Store, c.conn.ID)
	if tc.due(items, s.cfg.Now()) {
		if tc, err = refreshTypeCache(ctx, s.cfg.Store, cl, proj, c.conn.ID, tc, false, items, s.cfg.Now(), s.cfg.Log); err != nil {
			return nil, apiError(err, "the work item types")
		}
	}
	cats := tc.Categories
	ev, err := evaluate(d, c.info.MetricKind, items, present, cats)
	if err != nil {
		return nil, cairn.FieldError("measure", "%v", err)
	}
	res := ev.Result
	p := &Preview{Value: res.Value, ItemCount: res.ItemCount, MeasuredCount: res.MeasuredCount, CompleteCount: res.CompleteCount,
		CompleteMeasure: res.CompleteMeasure, TotalMeasure: res.TotalMeasure, Warning: res.Warning,
		Note: progress.Note(nil, res, rule(d, c.info.MetricKind), typeLabel(d)), Tasks: ev.Tasks, Items: []PreviewItem{}, Types: []string{},
		QueryNotes: c.notes}
	if p.QueryNotes == nil {
		p.QueryNotes = []string{}
	}
	if p.Tasks == nil {
		p.Tasks = []*cairn.Task{}
	}
	r := rule(d, c.info.MetricKind)
	types := map[string]bool{}
	for _, wi := range ev.Items {
		if strings.EqualFold(string(wi.Category), string(progress.Removed)) {
			continue
		}
		types[wi.Type] = true
		if len(p.Items) >= maxPreviewItems {
			p.ItemsTruncated = true
			continue
		}
		measured := r.ProgressType == cairn.ProgressAll || strings.EqualFold(r.ProgressType, wi.Type)
		complete := strings.EqualFold(string(wi.Category), string(progress.Completed)) || (r.ResolvedIsComplete && strings.EqualFold(string(wi.Category), string(progress.Resolved)))
		measure := 1.0
		if d.Measure != cairn.MeasureCount {
			measure = wi.Fields[d.Measure]
		}
		p.Items = append(p.Items, PreviewItem{ID: wi.ID, Title: wi.Title, Type: wi.Type, State: wi.State, StateCategory: string(wi.Category),
			AssignedTo: wi.AssignedTo, ParentID: wi.ParentID, Measured: measured, Complete: complete, Measure: measure, URL: c.conn.WorkItemURL(wi.ID)})
	}
	for t := range types {
		p.Types = append(p.Types, t)
	}
	sort.Strings(p.Types)
	p.APICalls, _ = counter.snapshot()
	return p, nil
}

// numeric refuses a measured field whose value is not a number.
func numeric(w azdo.WorkItem, field string) error {
	if field == "" || field == cairn.MeasureCount || slices.Contains(knownNumeric, field) {
		return nil
	}
	if _, ok := w.Fields[field]; !ok {
		return nil
	}
	if _, ok := w.Float(field); !ok {
		return cairn.FieldError("measure", "%s is not a numeric field: work item %d has %q", field, w.ID, w.String(field))
	}
	return nil
}

// checkNumeric samples up to 200 items of the set for a non-numeric measured field.
func (s *Service) checkNumeric(ctx context.Context, c *checked) error {
	d := c.d
	if d.Measure == cairn.MeasureCount || slices.Contains(knownNumeric, d.Measure) {
		return nil
	}
	proj := project(c.conn)
	ids, err := members(ctx, c.client, proj, d)
	if err != nil {
		return apiError(err, describe(d))
	}
	if len(ids) > azdo.MaxBatchIDs {
		ids = ids[:azdo.MaxBatchIDs]
	}
	ws, removed, err := fetchItems(ctx, c.client, proj, ids, []string{d.Measure})
	if err != nil {
		return apiError(err, "the work items")
	}
	if len(removed) > 0 {
		return cairn.FieldError("measure", "Azure DevOps has no field %s", removed[0])
	}
	for _, w := range ws {
		if err := numeric(w, d.Measure); err != nil {
			return err
		}
	}
	return nil
}

// CreateDataSource validates a data source live and stores it; its first sync is queued
// in the same transaction, or runs at once without a job queue.
func (s *Service) CreateDataSource(ctx context.Context, org string, in DataSourceInput) (*cairn.DataSource, error) {
	a, err := s.cfg.Cairn.IntegrationActor(ctx, org)
	if err != nil {
		return nil, err
	}
	if !a.Writer() {
		return nil, cairn.Errorf(cairn.EFORBIDDEN, "viewers may not connect items to Azure DevOps")
	}
	d := in.dataSource()
	d.OrgID = a.Org.ID
	uid := a.User.ID
	d.CreatedBy = &uid
	c, err := s.check(ctx, a, d)
	if err != nil {
		return nil, err
	}
	if err := s.checkNumeric(ctx, c); err != nil {
		return nil, err
	}
	if err := s.cfg.Store.CreateDataSource(ctx, d, s.enqueueHook(d.ConnectionID, cairn.TriggerCreate, 0)); err != nil {
		return nil, err
	}
	if s.cfg.Enqueuer == nil && s.cfg.Syncer != nil {
		if _, err := s.cfg.Syncer.Sync(ctx, d.ConnectionID, cairn.TriggerCreate); err != nil {
			return nil, err
		}
	}
	return s.dataSource(ctx, a, d.ID)
}

// dataSource loads a data source with its computed status and next sync.
func (s *Service) dataSource(ctx context.Context, a *cairn.IntegrationActor, id int64) (*cairn.DataSource, error) {
	d, err := s.cfg.Store.DataSourceByID(ctx, a.Org.ID, id)
	if err != nil {
		return nil, err
	}
	return d, s.decorate(ctx, a, d, nil)
}

// decorate fills the status and the next scheduled sync.
func (s *Service) decorate(ctx context.Context, a *cairn.IntegrationActor, d *cairn.DataSource, oi *cairn.OrgIntegration) error {
	var err error
	if oi == nil {
		if oi, err = s.cfg.Cairn.OrgIntegration(ctx, a.Org.Slug); err != nil {
			return err
		}
	}
	conn, err := s.cfg.Store.ConnectionByID(ctx, a.Org.ID, d.ConnectionID)
	if err != nil {
		return err
	}
	p, err := s.cfg.Cairn.TargetPeriod(ctx, a, d.Target.Ref())
	if err != nil {
		return err
	}
	switch {
	case p.Closed():
		d.Status = cairn.DataSourceClosed
	case !oi.Active:
		d.Status = cairn.DataSourceDisabled
	case d.Paused:
		d.Status = cairn.DataSourcePaused
	default:
		d.Status = cairn.DataSourceActive
		next := s.cfg.Now().UTC()
		if conn.LastSyncAt != nil {
			if n := conn.LastSyncAt.Add(oi.Interval()); n.After(next) {
				next = n
			}
		}
		next = next.Truncate(time.Second)
		d.NextSyncAt = &next
	}
	return nil
}

// DataSource returns one data source of the organization.
func (s *Service) DataSource(ctx context.Context, org string, id int64) (*cairn.DataSource, error) {
	a, err := s.cfg.Cairn.IntegrationActor(ctx, org)
	if err != nil {
		return nil, err
	}
	return s.dataSource(ctx, a, id)
}

// ListDataSources lists the organization's data sources.
func (s *Service) ListDataSources(ctx context.Context, org string) ([]*cairn.DataSource, error) {
	a, err := s.cfg.Cairn.IntegrationActor(ctx, org)
	if err != nil {
		return nil, err
	}
	ds, err := s.cfg.Store.ListDataSources(ctx, cairn.DataSourceFilter{OrgID: a.Org.ID})
	if err != nil {
		return nil, err
	}
	oi, err := s.cfg.Cairn.OrgIntegration(ctx, a.Org.Slug)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		if err := s.decorate(ctx, a, d, oi); err != nil {
			return nil, err
		}
	}
	return ds, nil
}

// DataSourceForItem returns the data source bound to a key result or initiative.
func (s *Service) DataSourceForItem(ctx context.Context, org string, item cairn.Ref) (*cairn.DataSource, error) {
	a, err := s.cfg.Cairn.IntegrationActor(ctx, org)
	if err != nil {
		return nil, err
	}
	d, err := s.cfg.Store.DataSourceForTarget(ctx, a.Org.ID, item)
	if err != nil {
		return nil, err
	}
	return d, s.decorate(ctx, a, d, nil)
}

// DataSourceUpdate changes a data source's configuration or pauses and resumes it.
type DataSourceUpdate struct {
	ConnectionID       *int64        `json:"connection_id"`
	Method             *cairn.Method `json:"method"`
	QueryID            *string       `json:"query_id"`
	WorkItemType       *string       `json:"work_item_type"`
	WorkItemIDs        *[]int        `json:"work_item_ids"`
	ProgressType       *string       `json:"progress_type"`
	Measure            *string       `json:"measure"`
	CountTotal         *bool         `json:"count_total"`
	ResolvedIsComplete *bool         `json:"resolved_is_complete"`
	Paused             *bool         `json:"paused"`
}

func (up DataSourceUpdate) config() bool {
	return up.ConnectionID != nil || up.Method != nil || up.QueryID != nil || up.WorkItemType != nil || up.WorkItemIDs != nil ||
		up.ProgressType != nil || up.Measure != nil || up.CountTotal != nil || up.ResolvedIsComplete != nil
}

// editable loads a data source whose target the user may edit.
func (s *Service) editable(ctx context.Context, org string, id int64) (*cairn.IntegrationActor, *cairn.DataSource, error) {
	a, err := s.cfg.Cairn.IntegrationActor(ctx, org)
	if err != nil {
		return nil, nil, err
	}
	d, err := s.cfg.Store.DataSourceByID(ctx, a.Org.ID, id)
	if err != nil {
		return nil, nil, err
	}
	if !a.Writer() {
		return nil, nil, cairn.Errorf(cairn.EFORBIDDEN, "viewers may not change data sources")
	}
	return a, d, nil
}

// UpdateDataSource changes a data source; a new configuration is validated live. A change
// or a resume queues a sync.
func (s *Service) UpdateDataSource(ctx context.Context, org string, id int64, up DataSourceUpdate) (*cairn.DataSource, error) {
	a, d, err := s.editable(ctx, org, id)
	if err != nil {
		return nil, err
	}
	if up.Method != nil && *up.Method != d.Method {
		d.QueryID, d.QueryName, d.WorkItemType, d.WorkItemIDs = "", "", "", nil
	}
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	if up.ConnectionID != nil {
		d.ConnectionID = *up.ConnectionID
	}
	if up.Method != nil {
		d.Method = *up.Method
	}
	set(&d.QueryID, up.QueryID)
	set(&d.WorkItemType, up.WorkItemType)
	if up.WorkItemIDs != nil {
		d.WorkItemIDs = slices.Clone(*up.WorkItemIDs)
	}
	set(&d.ProgressType, up.ProgressType)
	set(&d.Measure, up.Measure)
	if up.CountTotal != nil {
		d.CountTotal = *up.CountTotal
	}
	if up.ResolvedIsComplete != nil {
		d.ResolvedIsComplete = *up.ResolvedIsComplete
	}
	if up.Paused != nil {
		d.Paused = *up.Paused
	}
	if up.config() {
		c, err := s.check(ctx, a, d)
		if err != nil {
			return nil, err
		}
		if err := s.checkNumeric(ctx, c); err != nil {
			return nil, err
		}
	} else {
		if _, err := s.cfg.Cairn.EditableTarget(ctx, a, d.Target); err != nil {
			return nil, err
		}
		if err := d.Validate(); err != nil {
			return nil, err
		}
	}
	var hook cairn.TxHook
	if !d.Paused {
		hook = s.enqueueHook(d.ConnectionID, cairn.TriggerManual, 0)
	}
	if err := s.cfg.Store.UpdateDataSource(ctx, d, hook); err != nil {
		return nil, err
	}
	if !d.Paused && s.cfg.Enqueuer == nil && s.cfg.Syncer != nil {
		if _, err := s.cfg.Syncer.Sync(ctx, d.ConnectionID, cairn.TriggerManual); err != nil {
			return nil, err
		}
	}
	return s.dataSource(ctx, a, id)
}

// DeleteDataSource deletes a data source; its item goes back to manual check-ins.
func (s *Service) DeleteDataSource(ctx context.Context, org string, id int64) error {
	a, d, err := s.editable(ctx, org, id)
	if err != nil {
		return err
	}
	if _, err := s.cfg.Cairn.EditableTarget(ctx, a, d.Target); err != nil {
		return err
	}
	return s.cfg.Store.DeleteDataSource(ctx, a.Org.ID, id)
}

// SyncNow syncs the data source's connection: at once when wait is set or there is no
// job queue, else by queueing the job ahead of its schedule.
func (s *Service) SyncNow(ctx context.Context, org string, id int64, wait bool) (*cairn.DataSource, error) {
	a, d, err := s.editable(ctx, org, id)
	if err != nil {
		return nil, err
	}
	if err := s.cfg.Cairn.RequireIntegration(ctx, a.Org.ID); err != nil {
		return nil, err
	}
	if d.Paused {
		return nil, cairn.Errorf(cairn.ECONFLICT, "data source %d is paused: resume it first (PATCH with {\"paused\": false})", id)
	}
	if wait || s.cfg.Enqueuer == nil {
		if _, err := s.cfg.Syncer.Sync(ctx, d.ConnectionID, cairn.TriggerManual); err != nil {
			return nil, err
		}
	} else if err := s.requestSync(ctx, d.ConnectionID, cairn.TriggerManual, 0); err != nil {
		return nil, err
	}
	return s.dataSource(ctx, a, id)
}

// Runs lists a data source's sync log, newest first.
func (s *Service) Runs(ctx context.Context, org string, id int64, limit int) ([]*cairn.SyncRun, error) {
	a, err := s.cfg.Cairn.IntegrationActor(ctx, org)
	if err != nil {
		return nil, err
	}
	return s.cfg.Store.ListSyncRuns(ctx, a.Org.ID, id, limit)
}

// Tasks lists an initiative's synced tasks. Each task links to its work item through the
// data source's connection (cairn.Connection.WorkItemURL), whatever link the mirror holds;
// without a data source the tasks have no link.
func (s *Service) Tasks(ctx context.Context, org string, initiativeID int64) ([]*cairn.Task, error) {
	a, err := s.cfg.Cairn.IntegrationActor(ctx, org)
	if err != nil {
		return nil, err
	}
	ts, err := s.cfg.Store.ListTasks(ctx, a.Org.ID, initiativeID)
	if err != nil || len(ts) == 0 {
		return ts, err
	}
	var conn *cairn.Connection
	d, err := s.cfg.Store.DataSourceForTarget(ctx, a.Org.ID, cairn.Ref{Type: cairn.ItemInitiative, ID: initiativeID})
	switch {
	case err == nil:
		c, err := s.cfg.Store.ConnectionByID(ctx, a.Org.ID, d.ConnectionID)
		switch {
		case err == nil:
			conn = c
		case cairn.ErrorCode(err) != cairn.ENOTFOUND:
			return nil, err
		}
	case cairn.ErrorCode(err) != cairn.ENOTFOUND:
		return nil, err
	}
	for _, t := range ts {
		t.URL = ""
		if conn != nil {
			t.URL = conn.WorkItemURL(t.WorkItemID)
		}
	}
	return ts, nil
}
