package azdoemu

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-okr/cairn/wiql"
)

// findQuery finds a live query item by id or by path ("Shared Queries/Q3 Features").
func (p *project) findQuery(idOrPath string) *queryItem { return p.lookupQuery(idOrPath, false) }

// findQueryAny finds a query item by id or path, deleted ones included.
func (p *project) findQueryAny(idOrPath string) *queryItem { return p.lookupQuery(idOrPath, true) }

// lookupQuery walks the query tree for an item by id or path; deleted items and what
// they hold count only with deleted.
func (p *project) lookupQuery(idOrPath string, deleted bool) *queryItem {
	idOrPath = strings.Trim(idOrPath, "/")
	var walk func(q *queryItem) *queryItem
	walk = func(q *queryItem) *queryItem {
		if q.deleted && !deleted {
			return nil
		}
		if strings.EqualFold(q.id, idOrPath) || strings.EqualFold(q.path(), idOrPath) {
			return q
		}
		for _, ch := range q.children {
			if f := walk(ch); f != nil {
				return f
			}
		}
		return nil
	}
	for _, r := range p.roots {
		if f := walk(r); f != nil {
			return f
		}
	}
	return nil
}

func (c *reqCtx) queryURL(p *project, q *queryItem) string {
	return c.orgURL() + "/" + p.id + "/_apis/wit/queries/" + q.id
}

// fieldRefJSON renders a column reference.
func (c *reqCtx) fieldRefJSON(ref string) map[string]any {
	name := ref
	if f, ok := c.org.field(ref); ok {
		ref, name = f.Ref, f.Name
	}
	return map[string]any{"referenceName": ref, "name": name, "url": c.orgURL() + "/_apis/wit/fields/" + ref}
}

// queryJSON renders a query item; depth is how many folder levels of
// children to include.
func (s *Server) queryJSON(c *reqCtx, p *project, q *queryItem, expand string, depth int) map[string]any {
	out := map[string]any{"id": q.id, "name": q.name, "path": q.path()}
	if q.deleted {
		out["isDeleted"] = true
	}
	if expand != "minimal" {
		out["createdBy"] = identityJSON(c.base, c.org.name, q.by)
		out["createdDate"] = fmtTime(q.created)
		out["lastModifiedBy"] = identityJSON(c.base, c.org.name, q.by)
		out["lastModifiedDate"] = fmtTime(q.modified)
	}
	if q.folder {
		out["isFolder"] = true
		kids := c.visibleChildren(q)
		out["hasChildren"] = len(kids) > 0
		if depth > 0 && len(kids) > 0 {
			ch := make([]any, 0, len(kids))
			for _, x := range kids {
				ch = append(ch, s.queryJSON(c, p, x, expand, depth-1))
			}
			out["children"] = ch
		}
	} else {
		out["queryType"] = q.qtype
		if expand == "wiql" || expand == "all" {
			out["wiql"] = q.wiql
		}
		if expand == "clauses" || expand == "all" {
			if pq, err := wiql.Parse(q.wiql); err == nil {
				cols := make([]any, 0, len(pq.Fields))
				for _, f := range pq.Fields {
					cols = append(cols, c.fieldRefJSON(f))
				}
				out["columns"] = cols
				sorts := make([]any, 0, len(pq.OrderBy))
				for _, o := range pq.OrderBy {
					sorts = append(sorts, map[string]any{"field": c.fieldRefJSON(o.Field), "descending": o.Descending})
				}
				out["sortColumns"] = sorts
				if opt := filterOptions(pq); opt != "" {
					out["filterOptions"] = opt
				}
				if pq.ReturnMatchingChildren {
					out["queryRecursionOption"] = "childFirst"
				}
			}
		}
	}
	out["isPublic"] = q.public
	if expand == "minimal" {
		return out
	}
	links := map[string]any{
		"self": map[string]any{"href": c.queryURL(p, q)},
		"html": map[string]any{"href": c.orgURL() + "/" + p.id + "/_queries/query/" + q.id},
	}
	if q.parent != nil {
		links["parent"] = map[string]any{"href": c.queryURL(p, q.parent)}
	}
	if !q.folder {
		links["wiql"] = map[string]any{"href": c.orgURL() + "/" + p.id + "/_apis/wit/wiql/" + q.id}
	}
	out["_links"] = links
	out["url"] = c.queryURL(p, q)
	return out
}

func queryExpand(c *reqCtx) (string, error) {
	e := strings.ToLower(c.param("$expand"))
	switch e {
	case "":
		return "none", nil
	case "none", "wiql", "clauses", "all", "minimal":
		return e, nil
	}
	return "", errBadRequest("The value '%s' is not valid for $expand. Valid values are None, Wiql, Clauses, All, Minimal.", c.param("$expand"))
}

func queryDepth(c *reqCtx) (int, error) {
	v := c.param("$depth")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 2 {
		return 0, newAPIError(http.StatusBadRequest, "ArgumentOutOfRangeException", "System",
			"VS402371: The value of $depth must be between 0 and 2, got '%s'.", v)
	}
	return n, nil
}

// getQueries serves the query tree, query search, and one query by id or path.
func (s *Server) getQueries(c *reqCtx) {
	expand, err := queryExpand(c)
	if err != nil {
		c.fail(err)
		return
	}
	depth, err := queryDepth(c)
	if err != nil {
		c.fail(err)
		return
	}
	p := c.proj
	if len(c.rest) > 2 {
		key := strings.Join(c.rest[2:], "/")
		q := c.findVisible(p, key)
		if q == nil && includeDeleted(c) {
			if x := p.findQueryAny(key); x != nil && canRead(x, c.me) {
				q = x
			}
		}
		if q == nil {
			c.fail(errQueryNotFound(key))
			return
		}
		c.json(s.queryJSON(c, p, q, expand, depth))
		return
	}
	if filter := c.param("$filter"); filter != "" {
		top := 50
		if v := c.param("$top"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 200 {
				c.fail(errBadRequest("VS402369: The value of $top must be between 1 and 200, got '%s'.", v))
				return
			}
			top = n
		}
		var found []any
		more := false
		var walk func(q *queryItem)
		walk = func(q *queryItem) {
			if q.deleted || !canRead(q, c.me) {
				return
			}
			if q.parent != nil && strings.Contains(strings.ToLower(q.name), strings.ToLower(filter)) {
				if len(found) < top {
					found = append(found, s.queryJSON(c, p, q, expand, 0))
				} else {
					more = true
				}
			}
			for _, ch := range q.children {
				walk(ch)
			}
		}
		for _, r := range p.roots {
			walk(r)
		}
		if found == nil {
			found = []any{}
		}
		c.json(map[string]any{"count": len(found), "hasMore": more, "value": found})
		return
	}
	out := make([]any, 0, len(p.roots))
	for _, r := range p.roots {
		out = append(out, s.queryJSON(c, p, r, expand, depth))
	}
	c.json(map[string]any{"count": len(out), "value": out})
}

// filterOptions is the LinkQueryMode Azure DevOps reports for a link query,
// or "" for a flat one.
func filterOptions(q *wiql.Query) string {
	if q.From != wiql.FromWorkItemLinks {
		return ""
	}
	switch q.Mode {
	case wiql.ModeRecursive:
		return "linksRecursiveMayContain"
	case wiql.ModeMayContain:
		return "linksOneHopMayContain"
	case wiql.ModeDoesNotContain:
		return "linksOneHopDoesNotContain"
	}
	return "linksOneHopMustContain"
}

// deleteQueryREST serves DELETE …/wit/queries/{id or path}.
func (s *Server) deleteQueryREST(c *reqCtx) {
	key := strings.Join(c.rest[2:], "/")
	if c.findVisible(c.proj, key) == nil {
		c.fail(errQueryNotFound(key))
		return
	}
	if err := deleteQuery(c.proj, key); err != nil {
		c.fail(err)
		return
	}
	c.w.WriteHeader(http.StatusNoContent)
}

func deleteQuery(p *project, key string) error {
	q := p.findQuery(key)
	if q == nil {
		return errQueryNotFound(key)
	}
	if q.parent == nil {
		return newAPIError(http.StatusBadRequest, "QueryItemCannotDeleteRootException", nsWIT,
			"TF401258: The root query folder %s cannot be deleted.", q.name)
	}
	markDeleted(q, q)
	return nil
}

// markDeleted deletes q and everything beneath it as the DELETE of root does.
// An item deleted before keeps its own deletion, and so does what it holds.
func markDeleted(q, root *queryItem) {
	if q.deleted {
		return
	}
	q.deleted, q.deletedWith = true, root
	for _, ch := range q.children {
		markDeleted(ch, root)
	}
}

// includeDeleted reports whether a request asked for deleted queries too.
func includeDeleted(c *reqCtx) bool { return strings.EqualFold(c.param("$includeDeleted"), "true") }

// DeleteQuery deletes a saved query or folder by id or path.
func (s *Server) DeleteQuery(orgName, projectName, idOrPath string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, p, err := s.lookup(orgName, projectName)
	if err != nil {
		return err
	}
	return deleteQuery(p, idOrPath)
}

// QueryID returns the id of a saved query given its path.
func (s *Server) QueryID(orgName, projectName, path string) (string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, p, err := s.lookup(orgName, projectName)
	if err != nil {
		return "", err
	}
	q := p.findQuery(path)
	if q == nil {
		return "", errQueryNotFound(path)
	}
	return q.id, nil
}

// wiqlBody is the body of POST …/wit/wiql.
type wiqlBody struct {
	Query string `json:"query"`
}

// postWIQL serves POST …/wit/wiql.
func (s *Server) postWIQL(c *reqCtx) {
	var b wiqlBody
	if err := decodeBody(c.r, &b); err != nil {
		c.fail(err)
		return
	}
	if strings.TrimSpace(b.Query) == "" {
		c.fail(newAPIError(http.StatusBadRequest, "ArgumentNullException", "System",
			"VS402300: The query text is empty. Provide a WIQL query in the request body."))
		return
	}
	s.runWIQL(c, b.Query, c.proj)
}

// runSavedQuery serves GET /{org}/{project?}/{team?}/_apis/wit/wiql/{id}.
func (s *Server) runSavedQuery(c *reqCtx) {
	id := c.rest[2]
	var q *queryItem
	p := c.proj
	if p != nil {
		q = c.findVisible(p, id)
	} else {
		for _, x := range c.org.projects {
			if q = c.findVisible(x, id); q != nil {
				p = x
				break
			}
		}
	}
	if q == nil || !strings.EqualFold(q.id, id) {
		c.fail(errQueryNotFound(id))
		return
	}
	if q.folder {
		c.fail(newAPIError(http.StatusBadRequest, "QueryItemIsFolderException", nsWIT,
			"TF401257: The query %s is a folder and cannot be run.", q.path()))
		return
	}
	s.runWIQL(c, q.wiql, p)
}

// runWIQL parses, evaluates and renders a WIQL statement.
func (s *Server) runWIQL(c *reqCtx, text string, p *project) {
	q, err := wiql.Parse(text)
	if err != nil {
		c.fail(wiqlError(err))
		return
	}
	top := 0
	if v := c.param("$top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			c.fail(errBadRequest("The value '%s' is not valid for $top.", v))
			return
		}
		top = n
	}
	now := s.now()
	env := wiql.Env{Me: c.me.String(), Now: now, Top: top, MaxRows: s.maxRows()}
	if p != nil {
		env.Project = p.name
		env.CurrentIteration = p.currentIter
	}
	asOf := now
	ds := c.org.dataset()
	if q.AsOf != nil {
		asOf = *q.AsOf
		ds = c.org.datasetAsOf(asOf)
	}
	res, err := wiql.Execute(q, ds, env)
	if err != nil {
		c.fail(wiqlError(err))
		return
	}
	precise := strings.EqualFold(c.param("timePrecision"), "true")
	if !precise {
		asOf = asOf.Truncate(time.Second)
	}
	cols := make([]any, 0, len(res.Fields))
	for _, f := range res.Fields {
		cols = append(cols, c.fieldRefJSON(f))
	}
	body := map[string]any{
		"queryType":       res.QueryType,
		"queryResultType": res.ResultType,
		"asOf":            fmtTime(asOf),
		"columns":         cols,
	}
	if len(res.Sort) > 0 {
		sorts := make([]any, 0, len(res.Sort))
		for _, o := range res.Sort {
			sorts = append(sorts, map[string]any{"field": c.fieldRefJSON(o.Field), "descending": o.Descending})
		}
		body["sortColumns"] = sorts
	}
	ref := func(id int) map[string]any {
		return map[string]any{"id": id, "url": c.orgURL() + "/_apis/wit/workItems/" + strconv.Itoa(id)}
	}
	total := 0
	if res.ResultType == "workItemLink" {
		rels := make([]any, 0, len(res.Relations))
		for _, r := range res.Relations {
			row := map[string]any{"target": ref(r.Target)}
			if r.Source != 0 {
				row["rel"] = r.Rel
				row["source"] = ref(r.Source)
			}
			rels = append(rels, row)
		}
		body["workItemRelations"] = rels
		total = len(rels)
	} else {
		items := make([]any, 0, len(res.WorkItems))
		for _, id := range res.WorkItems {
			items = append(items, ref(id))
		}
		body["workItems"] = items
		total = len(items)
	}
	c.w.Header().Set("X-Total-Count", strconv.Itoa(total))
	if c.r.Method == http.MethodHead {
		c.w.Header().Set("Content-Type", "application/json; charset=utf-8; api-version=7.1")
		c.w.WriteHeader(http.StatusOK)
		return
	}
	c.json(body)
}

// wiqlError maps a wiql error to the Azure DevOps error it stands for.
func wiqlError(err error) *apiError {
	var we *wiql.Error
	if e, ok := err.(*wiql.Error); ok {
		we = e
	}
	if we == nil {
		return newAPIError(http.StatusBadRequest, "WorkItemTrackingQueryException", nsWIT, "VS402336: %s", err.Error())
	}
	msg := we.Message
	if !strings.HasPrefix(msg, we.Code) {
		msg = we.Code + ": " + msg
	}
	switch we.Code {
	case wiql.CodeTooManyResults:
		return &apiError{status: http.StatusBadRequest, message: msg, typeKey: "WorkItemTrackingQueryResultSizeLimitExceededException",
			typeName: "Microsoft.TeamFoundation.WorkItemTracking.Server.WorkItemTrackingQueryResultSizeLimitExceededException, Microsoft.TeamFoundation.WorkItemTracking.Server"}
	case wiql.CodeSyntax:
		return &apiError{status: http.StatusBadRequest, message: msg, typeKey: "SyntaxException",
			typeName: "Microsoft.TeamFoundation.WorkItemTracking.Server.Common.SyntaxException, Microsoft.TeamFoundation.WorkItemTracking.Server"}
	}
	return &apiError{status: http.StatusBadRequest, message: msg, typeKey: "WorkItemTrackingQueryException",
		typeName: "Microsoft.TeamFoundation.WorkItemTracking.Server.Common.WorkItemTrackingQueryException, Microsoft.TeamFoundation.WorkItemTracking.Server"}
}
