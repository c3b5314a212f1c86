package azdo

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MaxBatchIDs is the most work items Azure DevOps returns in one call.
const MaxBatchIDs = 200

// Error policies of a work items batch.
const (
	// ErrorPolicyFail fails the whole batch when one ID is missing.
	ErrorPolicyFail = "fail"
	// ErrorPolicyOmit leaves missing or inaccessible items out.
	ErrorPolicyOmit = "omit"
)

// Work item expansions.
const (
	// ExpandRelations adds each item's relations.
	ExpandRelations = "relations"
	// ExpandFields returns every field (the default without Fields).
	ExpandFields = "fields"
	// ExpandLinks adds each item's _links.
	ExpandLinks = "links"
)

// WorkItemsOptions tunes WorkItems.
type WorkItemsOptions struct {
	// Fields limits the returned fields; nil returns all. It cannot be
	// combined with an Expand other than "none" or "links".
	Fields []string
	// Expand is none, relations, fields, links or all.
	Expand string
	// AsOf reads the items as they were at that moment; zero means now.
	AsOf time.Time
	// ErrorPolicy is ErrorPolicyFail (the default) or ErrorPolicyOmit.
	ErrorPolicy string
}

type batchRequest struct {
	IDs         []int    `json:"ids"`
	Fields      []string `json:"fields,omitempty"`
	Expand      string   `json:"$expand,omitempty"`
	AsOf        string   `json:"asOf,omitempty"`
	ErrorPolicy string   `json:"errorPolicy,omitempty"`
}

// WorkItems returns work items by ID in the order of ids, skipping repeated
// IDs. It makes ⌈n/200⌉ workitemsbatch calls, at most Config.Concurrency at
// once. With ErrorPolicyOmit, items the server leaves out are missing from
// the result. project may be "".
func (c *Client) WorkItems(ctx context.Context, project string, ids []int, opts WorkItemsOptions) ([]WorkItem, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if err := checkWorkItemsOptions(opts); err != nil {
		return nil, err
	}
	uniq := make([]int, 0, len(ids))
	seen := make(map[int]struct{}, len(ids))
	for _, id := range ids {
		if id <= 0 {
			return nil, fmt.Errorf("azdo: work items: invalid ID %d", id)
		}
		if _, dup := seen[id]; !dup {
			seen[id] = struct{}{}
			uniq = append(uniq, id)
		}
	}
	var chunks [][]int
	for start := 0; start < len(uniq); start += MaxBatchIDs {
		chunks = append(chunks, uniq[start:min(start+MaxBatchIDs, len(uniq))])
	}
	results := make([][]WorkItem, len(chunks))
	if len(chunks) == 1 {
		items, err := c.batch(ctx, project, chunks[0], opts)
		if err != nil {
			return nil, err
		}
		return items, nil
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
		sem      = make(chan struct{}, c.conc)
	)
	for i, chunk := range chunks {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			items, err := c.batch(ctx, project, chunk, opts)
			if err != nil {
				errOnce.Do(func() { firstErr = err; cancel() })
				return
			}
			results[i] = items
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("azdo: work items: %w", err)
	}
	out := make([]WorkItem, 0, len(uniq))
	for _, r := range results {
		out = append(out, r...)
	}
	return out, nil
}

func checkWorkItemsOptions(opts WorkItemsOptions) error {
	switch strings.ToLower(opts.Expand) {
	case "", ExpandNone, ExpandLinks:
	case ExpandRelations, ExpandFields, ExpandAll:
		if len(opts.Fields) > 0 {
			return fmt.Errorf("azdo: work items: fields cannot be combined with $expand=%s", opts.Expand)
		}
	default:
		return fmt.Errorf("azdo: work items: unknown $expand %q (want none, relations, fields, links or all)", opts.Expand)
	}
	switch opts.ErrorPolicy {
	case "", ErrorPolicyFail, ErrorPolicyOmit:
	default:
		return fmt.Errorf("azdo: work items: unknown error policy %q (want fail or omit)", opts.ErrorPolicy)
	}
	for _, f := range opts.Fields {
		if strings.TrimSpace(f) == "" {
			return errors.New("azdo: work items: empty field name")
		}
	}
	return nil
}

// batch fetches at most MaxBatchIDs items in one call. A server that does not
// know System.Parent (Azure DevOps Server 2019, REST API 5.x; the field came
// with 2020) refuses a field list naming it with TF51535; the client then asks
// for every field with the relations, from which WorkItem.ParentID reads the
// parent, and keeps doing so. With a server negotiated below 6.0 it asks that
// way from the start.
func (c *Client) batch(ctx context.Context, project string, ids []int, opts WorkItemsOptions) ([]WorkItem, error) {
	if !asksParentField(opts) {
		return c.batchOnce(ctx, project, ids, opts)
	}
	if c.noParentField.Load() || c.negotiatedBelow(Version{6, 0}) {
		return c.batchOnce(ctx, project, ids, withRelations(opts))
	}
	items, err := c.batchOnce(ctx, project, ids, opts)
	var ae *Error
	if err != nil && errors.As(err, &ae) && ae.Code == "TF51535" && strings.Contains(ae.Message, "System.Parent") {
		c.noParentField.Store(true)
		return c.batchOnce(ctx, project, ids, withRelations(opts))
	}
	return items, err
}

// asksParentField reports whether a field list names System.Parent.
func asksParentField(opts WorkItemsOptions) bool {
	for _, f := range opts.Fields {
		if strings.EqualFold(strings.TrimSpace(f), "System.Parent") {
			return true
		}
	}
	return false
}

// withRelations asks for every field and the relations instead of a field list.
func withRelations(opts WorkItemsOptions) WorkItemsOptions {
	opts.Fields, opts.Expand = nil, ExpandRelations
	return opts
}

// batchOnce fetches at most MaxBatchIDs items in one call.
func (c *Client) batchOnce(ctx context.Context, project string, ids []int, opts WorkItemsOptions) ([]WorkItem, error) {
	body := batchRequest{IDs: ids, Fields: opts.Fields, Expand: opts.Expand, ErrorPolicy: opts.ErrorPolicy}
	if !opts.AsOf.IsZero() {
		body.AsOf = formatTime(opts.AsOf)
	}
	var l list[WorkItem]
	_, err := c.do(ctx, &request{
		method: "POST", route: "wit/workitemsbatch", base: c.org,
		segments: witBase(project, "workitemsbatch"), body: body, idempotent: true,
	}, &l)
	if err != nil {
		return nil, fmt.Errorf("azdo: work items batch of %d: %w", len(ids), err)
	}
	// ErrorPolicyOmit answers null for missing items, which decode as zero.
	items := l.Value[:0]
	for _, w := range l.Value {
		if w.ID != 0 {
			items = append(items, w)
		}
	}
	return items, nil
}

// WorkItem returns one work item; expand is "", none, relations, fields,
// links or all. project may be "".
func (c *Client) WorkItem(ctx context.Context, project string, id int, expand string) (WorkItem, error) {
	if id <= 0 {
		return WorkItem{}, fmt.Errorf("azdo: work item: invalid ID %d", id)
	}
	q := url.Values{}
	if expand != "" {
		q.Set("$expand", expand)
	}
	var w WorkItem
	_, err := c.do(ctx, &request{
		method: "GET", route: "wit/workitems/{id}", base: c.org,
		segments: witBase(project, "workitems", strconv.Itoa(id)), query: q, idempotent: true,
	}, &w)
	if err != nil {
		return WorkItem{}, fmt.Errorf("azdo: work item %d: %w", id, err)
	}
	return w, nil
}

// RevisionsOptions tunes WorkItemRevisions.
type RevisionsOptions struct {
	// StartDateTime returns revisions from this moment; zero means from
	// the beginning. It is ignored when ContinuationToken is set.
	StartDateTime time.Time
	// Fields limits the returned fields; nil returns all.
	Fields []string
	// Types limits the work item types.
	Types []string
	// IncludeLatestOnly returns only the latest revision of each item.
	IncludeLatestOnly bool
	// IncludeDeleted includes deleted items.
	IncludeDeleted bool
	// IncludeIdentityRef returns identities as objects instead of
	// "Name <upn>" strings.
	IncludeIdentityRef bool
	// ContinuationToken resumes from a previous batch's token.
	ContinuationToken string
	// MaxPageSize bounds one batch; ≤ 0 leaves it to the server.
	MaxPageSize int
}

// RevisionsPage is one batch of reporting revisions.
type RevisionsPage struct {
	// Values are the revisions, oldest first.
	Values []WorkItem `json:"values"`
	// ContinuationToken resumes after this batch; keep the last one as the
	// watermark of the next incremental sync.
	ContinuationToken string `json:"continuationToken"`
	// IsLastBatch reports that no more revisions exist now.
	IsLastBatch bool `json:"isLastBatch"`
	// NextLink is the URL of the next batch.
	NextLink string `json:"nextLink,omitempty"`
}

// WorkItemRevisionsPage returns one batch of the reporting revisions feed.
func (c *Client) WorkItemRevisionsPage(ctx context.Context, project string, opts RevisionsOptions) (RevisionsPage, error) {
	q := url.Values{}
	if opts.ContinuationToken != "" {
		q.Set("continuationToken", opts.ContinuationToken)
	} else if !opts.StartDateTime.IsZero() {
		q.Set("startDateTime", formatTime(opts.StartDateTime))
	}
	if len(opts.Fields) > 0 {
		q.Set("fields", strings.Join(opts.Fields, ","))
	}
	if len(opts.Types) > 0 {
		q.Set("types", strings.Join(opts.Types, ","))
	}
	if opts.IncludeLatestOnly {
		q.Set("includeLatestOnly", "true")
	}
	if opts.IncludeDeleted {
		q.Set("includeDeleted", "true")
	}
	if opts.IncludeIdentityRef {
		q.Set("includeIdentityRef", "true")
	}
	if opts.MaxPageSize > 0 {
		q.Set("$maxPageSize", strconv.Itoa(opts.MaxPageSize))
	}
	var p RevisionsPage
	_, err := c.do(ctx, &request{
		method: "GET", route: "wit/reporting/workitemrevisions", base: c.org,
		segments: witBase(project, "reporting", "workitemrevisions"), query: q, idempotent: true,
	}, &p)
	if err != nil {
		return RevisionsPage{}, fmt.Errorf("azdo: work item revisions: %w", err)
	}
	return p, nil
}

// WorkItemRevisions pages through the reporting revisions feed until
// isLastBatch and returns every revision with the final continuation token.
func (c *Client) WorkItemRevisions(ctx context.Context, project string, opts RevisionsOptions) ([]WorkItem, string, error) {
	var all []WorkItem
	for {
		p, err := c.WorkItemRevisionsPage(ctx, project, opts)
		if err != nil {
			return nil, "", err
		}
		all = append(all, p.Values...)
		if p.IsLastBatch || p.ContinuationToken == "" {
			token := p.ContinuationToken
			if token == "" {
				token = opts.ContinuationToken
			}
			return all, token, nil
		}
		if p.ContinuationToken == opts.ContinuationToken {
			return nil, "", fmt.Errorf("azdo: work item revisions: continuation token %q did not advance", p.ContinuationToken)
		}
		opts.ContinuationToken = p.ContinuationToken
	}
}

// PatchOp is one JSON Patch operation on a work item.
type PatchOp struct {
	// Op is add, remove, replace, test, move or copy.
	Op string `json:"op"`
	// Path is the target, such as /fields/System.Title or /relations/-.
	Path string `json:"path"`
	// From is the source of move and copy.
	From string `json:"from,omitempty"`
	// Value is the new value.
	Value any `json:"value,omitempty"`
}

// CreateWorkItem creates a work item of typeName in project from JSON Patch
// operations and returns it.
func (c *Client) CreateWorkItem(ctx context.Context, project, typeName string, ops []PatchOp) (WorkItem, error) {
	if err := needProject("create work item", project); err != nil {
		return WorkItem{}, err
	}
	if strings.TrimSpace(typeName) == "" {
		return WorkItem{}, errors.New("azdo: create work item: type name is required")
	}
	if len(ops) == 0 {
		return WorkItem{}, errors.New("azdo: create work item: no patch operations")
	}
	var w WorkItem
	_, err := c.do(ctx, &request{
		method: "POST", route: "wit/workitems/${type}", base: c.org,
		segments: witBase(project, "workitems", "$"+typeName), body: ops,
		contentType: "application/json-patch+json",
	}, &w)
	if err != nil {
		return WorkItem{}, fmt.Errorf("azdo: create %s: %w", typeName, err)
	}
	return w, nil
}

// UpdateWorkItem applies JSON Patch operations to a work item and returns
// the new revision. project may be "".
func (c *Client) UpdateWorkItem(ctx context.Context, project string, id int, ops []PatchOp) (WorkItem, error) {
	if id <= 0 {
		return WorkItem{}, fmt.Errorf("azdo: update work item: invalid ID %d", id)
	}
	if len(ops) == 0 {
		return WorkItem{}, errors.New("azdo: update work item: no patch operations")
	}
	var w WorkItem
	_, err := c.do(ctx, &request{
		method: "PATCH", route: "wit/workitems/{id}", base: c.org,
		segments: witBase(project, "workitems", strconv.Itoa(id)), body: ops,
		contentType: "application/json-patch+json",
	}, &w)
	if err != nil {
		return WorkItem{}, fmt.Errorf("azdo: update work item %d: %w", id, err)
	}
	return w, nil
}
