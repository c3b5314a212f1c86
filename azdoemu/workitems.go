package azdoemu

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxBatch is the most ids one work items read may ask for.
const maxBatch = 200

func (c *reqCtx) itemURL(w *workItem) string {
	return c.orgURL() + "/" + w.proj.id + "/_apis/wit/workItems/" + strconv.Itoa(w.id)
}

// restValue renders one stored field value for REST.
func restValue(c *reqCtx, v any) any {
	switch x := v.(type) {
	case time.Time:
		return fmtTime(x)
	case Identity:
		return identityJSON(c.base, c.org.name, x)
	}
	return v
}

// hookValue renders one stored field value for hook payloads and the
// reporting API: identities as "Name <upn>".
func hookValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		return fmtTime(x)
	case Identity:
		return x.String()
	}
	return v
}

// revisionIndex finds the index of r in w.revs.
func (w *workItem) revisionIndex(r *revision) int {
	for i := len(w.revs) - 1; i >= 0; i-- {
		if w.revs[i] == r {
			return i
		}
	}
	return len(w.revs) - 1
}

// itemJSON renders a work item revision. fields nil means all fields.
func (s *Server) itemJSON(c *reqCtx, w *workItem, r *revision, fields []fieldInfo, expand string, withLinks bool) map[string]any {
	out := make(map[string]any, len(r.fields)+2)
	if fields == nil {
		for k, v := range r.fields {
			if s.releaseHasField(k) {
				out[k] = restValue(c, v)
			}
		}
		out["System.RevisedDate"] = fmtTime(w.revisedDate(w.revisionIndex(r)))
	} else {
		for _, f := range fields {
			if f.Ref == "System.RevisedDate" {
				out[f.Ref] = fmtTime(w.revisedDate(w.revisionIndex(r)))
				continue
			}
			if v, ok := r.fields[f.Ref]; ok {
				out[f.Ref] = restValue(c, v)
			}
		}
	}
	u := c.itemURL(w)
	body := map[string]any{"id": w.id, "rev": r.rev(), "fields": out, "url": u}
	if (expand == "relations" || expand == "all") && len(r.relations) > 0 {
		body["relations"] = s.relationsJSON(c, r.relations)
	}
	if expand == "links" || expand == "all" || withLinks {
		body["_links"] = s.itemLinks(c, w)
	}
	return body
}

func (s *Server) relationsJSON(c *reqCtx, rels []relation) []any {
	out := make([]any, 0, len(rels))
	for _, rl := range rels {
		target := c.orgURL() + "/_apis/wit/workItems/" + strconv.Itoa(rl.Target)
		if t, ok := c.org.items[rl.Target]; ok {
			target = c.itemURL(t)
		}
		out = append(out, map[string]any{
			"rel":        rl.Rel,
			"url":        target,
			"attributes": map[string]any{"isLocked": false, "name": linkNames[rl.Rel]},
		})
	}
	return out
}

func (s *Server) itemLinks(c *reqCtx, w *workItem) map[string]any {
	u := c.itemURL(w)
	href := func(h string) map[string]any { return map[string]any{"href": h} }
	return map[string]any{
		"self":              href(u),
		"workItemUpdates":   href(u + "/updates"),
		"workItemRevisions": href(u + "/revisions"),
		"workItemComments":  href(u + "/comments"),
		"html":              href(c.orgURL() + "/" + w.proj.id + "/_workitems/edit/" + strconv.Itoa(w.id)),
		"workItemType":      href(c.projURL(w.proj) + "/_apis/wit/workItemTypes/" + pathEscape(w.cur().fields["System.WorkItemType"].(string))),
		"fields":            href(c.projURL(w.proj) + "/_apis/wit/fields"),
	}
}

// readRequest is a parsed work items read.
type readRequest struct {
	ids    []int
	fields []fieldInfo
	expand string
	asOf   *time.Time
	omit   bool
}

func (s *Server) parseRead(c *reqCtx, ids []int, fields []string, expand, asOf, policy string) (*readRequest, error) {
	rr := &readRequest{ids: ids}
	if len(ids) == 0 {
		return nil, errBadRequest("VS403496: The ids parameter must contain at least one work item id.")
	}
	if len(ids) > maxBatch {
		return nil, errTooManyIDs(len(ids))
	}
	for _, name := range fields {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		f, ok := c.org.field(name)
		if !ok || !s.releaseHasField(f.Ref) {
			return nil, errFieldNotFound(name)
		}
		rr.fields = append(rr.fields, f)
	}
	switch e := strings.ToLower(expand); e {
	case "", "none":
		rr.expand = "none"
	case "relations", "fields", "links", "all":
		rr.expand = e
	default:
		return nil, errBadRequest("The value '%s' is not valid for $expand. Valid values are None, Relations, Fields, Links, All.", expand)
	}
	if len(rr.fields) > 0 && rr.expand != "none" {
		return nil, newAPIError(http.StatusBadRequest, "ConflictingParametersException", nsWIT,
			"VS403437: The expand parameter can not be used with the fields parameter.")
	}
	if asOf != "" {
		t, err := parseTime(asOf)
		if err != nil {
			return nil, errBadRequest("The value '%s' is not a valid date for asOf.", asOf)
		}
		rr.asOf = &t
	}
	switch strings.ToLower(policy) {
	case "", "fail":
	case "omit":
		rr.omit = true
	default:
		return nil, errBadRequest("The value '%s' is not valid for errorPolicy. Valid values are Fail, Omit.", policy)
	}
	return rr, nil
}

// readItems resolves a read request into rendered items (nil for omitted).
func (s *Server) readItems(c *reqCtx, rr *readRequest) ([]any, error) {
	out := make([]any, 0, len(rr.ids))
	for _, id := range rr.ids {
		w, ok := c.org.items[id]
		var r *revision
		if ok && !w.deleted {
			r = w.cur()
			if rr.asOf != nil {
				r = w.asOf(*rr.asOf)
			}
		}
		if r == nil {
			if rr.omit {
				out = append(out, nil)
				continue
			}
			return nil, errWorkItemNotFound(id)
		}
		out = append(out, s.itemJSON(c, w, r, rr.fields, rr.expand, false))
	}
	return out, nil
}

func parseIDs(s string) ([]int, error) {
	var ids []int
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 {
			return nil, errBadRequest("The value '%s' is not a valid work item id.", p)
		}
		ids = append(ids, n)
	}
	return ids, nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// listWorkItems serves GET …/wit/workitems?ids=.
func (s *Server) listWorkItems(c *reqCtx) {
	ids, err := parseIDs(c.param("ids"))
	if err != nil {
		c.fail(err)
		return
	}
	rr, err := s.parseRead(c, ids, splitList(c.param("fields")), c.param("$expand"), c.param("asOf"), c.param("errorPolicy"))
	if err != nil {
		c.fail(err)
		return
	}
	items, err := s.readItems(c, rr)
	if err != nil {
		c.fail(err)
		return
	}
	c.json(map[string]any{"count": len(items), "value": items})
}

// getWorkItem serves GET …/wit/workitems/{id}.
func (s *Server) getWorkItem(c *reqCtx) {
	id, err := strconv.Atoi(c.rest[2])
	if err != nil || id <= 0 {
		c.fail(errBadRequest("The value '%s' is not a valid work item id.", c.rest[2]))
		return
	}
	rr, err := s.parseRead(c, []int{id}, splitList(c.param("fields")), c.param("$expand"), c.param("asOf"), "")
	if err != nil {
		c.fail(err)
		return
	}
	w, ok := c.org.items[id]
	if !ok || w.deleted {
		c.fail(errWorkItemNotFound(id))
		return
	}
	r := w.cur()
	if rr.asOf != nil {
		if r = w.asOf(*rr.asOf); r == nil {
			c.fail(errWorkItemNotFound(id))
			return
		}
	}
	c.json(s.itemJSON(c, w, r, rr.fields, rr.expand, true))
}

// batchBody is the body of POST …/wit/workitemsbatch.
type batchBody struct {
	IDs         []int    `json:"ids"`
	Fields      []string `json:"fields"`
	Expand      any      `json:"$expand"`
	AsOf        string   `json:"asOf"`
	ErrorPolicy any      `json:"errorPolicy"`
}

// enumString reads an enum that may come as a name or a number.
func enumString(v any, names ...string) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		if i := int(x); i >= 0 && i < len(names) {
			return names[i]
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}

// workItemsBatch serves POST …/wit/workitemsbatch.
func (s *Server) workItemsBatch(c *reqCtx) {
	var b batchBody
	if err := decodeBody(c.r, &b); err != nil {
		c.fail(err)
		return
	}
	rr, err := s.parseRead(c, b.IDs, b.Fields, enumString(b.Expand, "none", "relations", "fields", "links", "all"),
		b.AsOf, enumString(b.ErrorPolicy, "", "fail", "omit"))
	if err != nil {
		c.fail(err)
		return
	}
	items, err := s.readItems(c, rr)
	if err != nil {
		c.fail(err)
		return
	}
	c.json(map[string]any{"count": len(items), "value": items})
}

// listRevisions serves GET …/wit/workItems/{id}/revisions with $top, $skip and $expand.
// An item of another project than the URL's is not found, as for its updates.
func (s *Server) listRevisions(c *reqCtx) {
	w := c.itemForHistory()
	if w == nil {
		return
	}
	top, skip, perr := c.pageParams()
	if perr != nil {
		c.fail(perr)
		return
	}
	expand := strings.ToLower(c.param("$expand"))
	out := []any{}
	for i := skip; i < len(w.revs) && (top < 0 || len(out) < top); i++ {
		out = append(out, s.itemJSON(c, w, w.revs[i], nil, expand, false))
	}
	c.json(map[string]any{"count": len(out), "value": out})
}

// decodeBody reads a JSON request body into v.
func decodeBody(r *http.Request, v any) error {
	data, err := io.ReadAll(io.LimitReader(r.Body, 32<<20))
	if err != nil {
		return errBadRequest("Could not read the request body: %v", err)
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return newAPIError(http.StatusBadRequest, "VssPropertyValidationException", nsVSS,
			"VS403494: The request body is empty or malformed.")
	}
	if err := json.Unmarshal(data, v); err != nil {
		return newAPIError(http.StatusBadRequest, "VssRequestContentException", nsVSS,
			"VS403494: The request body is not valid JSON: %v", err)
	}
	return nil
}
