package azdoemu

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

const (
	defaultRevisionPage = 200
	maxRevisionPage     = 1000
)

// reportingEntry is one row of the reporting revisions stream.
type reportingEntry struct {
	w         *workItem
	r         *revision
	watermark int
	deleted   bool
}

// reportingRevisions serves GET and POST …/wit/reporting/workitemrevisions.
func (s *Server) reportingRevisions(c *reqCtx) {
	q := c.query
	var fieldNames, types []string
	includeLatest := strings.EqualFold(c.param("includeLatestOnly"), "true")
	includeDeleted := strings.EqualFold(c.param("includeDeleted"), "true")
	identityRef := strings.EqualFold(c.param("includeIdentityRef"), "true")
	fieldNames = splitList(c.param("fields"))
	types = splitList(c.param("types"))
	if c.r.Method == http.MethodPost {
		var b struct {
			Fields             []string `json:"fields"`
			Types              []string `json:"types"`
			IncludeIdentityRef bool     `json:"includeIdentityRef"`
		}
		if err := decodeBody(c.r, &b); err != nil {
			c.fail(err)
			return
		}
		fieldNames, types, identityRef = b.Fields, b.Types, identityRef || b.IncludeIdentityRef
	}
	var fields []fieldInfo
	for _, n := range fieldNames {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		f, ok := c.org.field(n)
		if !ok {
			c.fail(errFieldNotFound(n))
			return
		}
		fields = append(fields, f)
	}
	token := 0
	if v := c.param("continuationToken"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			c.fail(errBadRequest("VS402359: The continuation token '%s' is not valid.", v))
			return
		}
		token = n
	}
	var start time.Time
	if v := c.param("startDateTime"); v != "" {
		t, err := parseTime(v)
		if err != nil {
			c.fail(errBadRequest("The value '%s' is not a valid date for startDateTime.", v))
			return
		}
		start = t
	}
	size := defaultRevisionPage
	if v := c.param("$maxPageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			c.fail(errBadRequest("The value '%s' is not valid for $maxPageSize.", v))
			return
		}
		size = min(n, maxRevisionPage)
	}
	typeOK := func(w *workItem) bool {
		if len(types) == 0 {
			return true
		}
		t, _ := w.cur().fields["System.WorkItemType"].(string)
		for _, x := range types {
			if strings.EqualFold(strings.TrimSpace(x), t) {
				return true
			}
		}
		return false
	}
	var rows []reportingEntry
	for _, w := range c.org.items {
		if (c.proj != nil && w.proj != c.proj) || !typeOK(w) {
			continue
		}
		if w.deleted && !includeDeleted {
			continue
		}
		if includeLatest {
			r := w.cur()
			wm := max(r.watermark, w.deletedWatermark())
			if wm > token && !r.changed.Before(start) {
				rows = append(rows, reportingEntry{w: w, r: r, watermark: wm, deleted: w.deleted})
			}
			continue
		}
		for _, r := range w.revs {
			if r.watermark > token && !r.changed.Before(start) {
				rows = append(rows, reportingEntry{w: w, r: r, watermark: r.watermark})
			}
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].watermark < rows[j].watermark })
	last := len(rows) <= size
	if !last {
		rows = rows[:size]
	}
	next := token
	values := make([]any, 0, len(rows))
	for _, e := range rows {
		out := map[string]any{}
		render := func(ref string, v any) {
			if identityRef {
				out[ref] = restValue(c, v)
			} else {
				out[ref] = hookValue(v)
			}
		}
		if fields == nil {
			for k, v := range e.r.fields {
				render(k, v)
			}
		} else {
			for _, f := range fields {
				if v, ok := e.r.fields[f.Ref]; ok {
					render(f.Ref, v)
				}
			}
		}
		if e.deleted {
			out["System.IsDeleted"] = true
		}
		values = append(values, map[string]any{"id": e.w.id, "rev": e.r.rev(), "fields": out})
		next = e.watermark
	}
	nq := url.Values{}
	for k, v := range q {
		if !strings.EqualFold(k, "continuationToken") {
			nq[k] = v
		}
	}
	nq.Set("continuationToken", strconv.Itoa(next))
	if nq.Get("api-version") == "" {
		nq.Set("api-version", "7.1")
	}
	path := c.orgURL()
	if c.proj != nil {
		path += "/" + c.proj.id
	}
	body := map[string]any{
		"values":            values,
		"nextLink":          path + "/_apis/wit/reporting/workItemRevisions?" + nq.Encode(),
		"continuationToken": strconv.Itoa(next),
		"isLastBatch":       last,
	}
	c.json(body)
}
