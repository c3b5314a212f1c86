package wiql

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Item is a work item as the evaluator sees it: current field values by reference name.
// Values are string, float64, int, bool, time.Time. Identity fields (System.AssignedTo,
// System.CreatedBy, System.ChangedBy) are strings "Display Name <upn>"; match = against the
// display name, the upn, or the whole string (case-insensitive).
type Item struct {
	ID        int
	Fields    map[string]any
	Revisions []map[string]any // earlier field snapshots, oldest first; used by EVER
}

// Link is a typed link between work items, e.g. Type "System.LinkTypes.Hierarchy-Forward" from
// parent Source to child Target. The inverse link (Hierarchy-Reverse from child to parent) is
// implied and need not be listed.
type Link struct {
	Type           string
	Source, Target int
}

// Dataset is what a query runs over (the caller builds it as-of the right time).
type Dataset struct {
	Items []*Item
	Links []Link
}

// Env carries macro values and limits.
type Env struct {
	Project          string    // @project
	Me               string    // @me, "Display Name <upn>"
	Now              time.Time // @today, @today - n; its location decides where days start
	CurrentIteration string    // @currentIteration (iteration path)
	Top              int       // 0 = no limit; $top
	MaxRows          int       // 0 = DefaultMaxRows; more rows give an *Error with CodeTooManyResults

	// Categories adds or overrides work item type categories for IN GROUP,
	// by category reference name; DefaultCategory covers the standard ones.
	Categories map[string][]string
}

// Result is the outcome of Execute, shaped like the Azure DevOps WIQL response.
type Result struct {
	QueryType  string      // flat | tree | oneHop
	ResultType string      // workItem | workItemLink
	Fields     []string    // columns
	Sort       []OrderTerm // sort columns
	WorkItems  []int       // flat results, ordered
	Relations  []Relation  // link results, ordered: tree results in depth-first order with root rows (Rel "", Source 0) then children
}

// Relation is one link row. Source 0 (and Rel "") marks a root row.
type Relation struct {
	Rel            string
	Source, Target int
}

// TooManyResultsMessage is the message of the error Execute returns when a
// result exceeds the row limit.
func TooManyResultsMessage(limit int) string {
	return fmt.Sprintf("%s: The number of work items returned exceeds the size limit of %d. Change the query to return fewer items.", CodeTooManyResults, limit)
}

// Execute runs q over ds.
func Execute(q *Query, ds *Dataset, env Env) (*Result, error) {
	if q == nil {
		return nil, errNoPos(CodeInvalidQuery, "There is no query to run.")
	}
	if ds == nil {
		ds = &Dataset{}
	}
	if env.Top < 0 {
		return nil, errNoPos(CodeInvalidValue, fmt.Sprintf("$top must not be negative, got %d.", env.Top))
	}
	if env.MaxRows < 0 {
		return nil, errNoPos(CodeInvalidValue, fmt.Sprintf("The row limit must not be negative, got %d.", env.MaxRows))
	}
	r := &Result{
		QueryType: q.QueryType(),
		Fields:    slices.Clone(q.Fields),
		Sort:      slices.Clone(q.OrderBy),
	}
	if r.Sort == nil {
		r.Sort = []OrderTerm{}
	}
	x := &executor{q: q, ds: ds, env: &env, c: newCompiler(q, &env)}
	x.limit = env.MaxRows
	if x.limit == 0 {
		x.limit = DefaultMaxRows
	}
	var err error
	if q.From == FromWorkItemLinks {
		r.ResultType = "workItemLink"
		r.Relations, err = x.links()
	} else {
		r.ResultType = "workItem"
		r.WorkItems, err = x.flat()
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

type executor struct {
	q     *Query
	ds    *Dataset
	env   *Env
	c     *compiler
	limit int

	// Sorting works on int32 handles: keys[h*len(terms)+i] is the value of
	// ORDER BY term i for handle h, and ids[h] its work item id.
	terms []OrderTerm
	keys  []sortKey
	ids   []int
}

// overLimit reports whether n rows break the row limit; $top at or under
// the limit lifts it, as the result is cut to $top.
func (x *executor) overLimit(n int) bool {
	return n > x.limit && (x.env.Top == 0 || x.env.Top > x.limit)
}

func (x *executor) tooMany() error {
	return &Error{Code: CodeTooManyResults, Message: TooManyResultsMessage(x.limit), Pos: -1}
}

func (x *executor) top(n int) int {
	if x.env.Top > 0 && n > x.env.Top {
		return x.env.Top
	}
	return n
}

// prepareOrder computes ids and order keys for handles 0..count-1; itemOf
// returns the item of a handle, or nil.
func (x *executor) prepareOrder(count int, itemOf func(h int) *Item) {
	x.ids = make([]int, count)
	terms := x.q.OrderBy
	plainID := len(terms) == 0 || (terms[0].Field == "System.Id" && !terms[0].Descending)
	if !plainID {
		x.terms = terms
		x.keys = make([]sortKey, count*len(terms))
	}
	getters := make([]getter, len(x.terms))
	for i, t := range x.terms {
		getters[i] = newGetter(FieldRef{Name: t.Field})
	}
	for h := range count {
		it := itemOf(h)
		if it == nil {
			continue
		}
		x.ids[h] = it.ID
		base := h * len(getters)
		for i := range getters {
			x.keys[base+i] = makeSortKey(getters[i].from(it.Fields, it.ID))
		}
	}
}

// compare orders two handles by the ORDER BY terms, then by id, so it is a
// total order and the result does not depend on the input order.
func (x *executor) compare(a, b int32) int {
	if n := len(x.terms); n > 0 {
		ka, kb := x.keys[int(a)*n:int(a)*n+n], x.keys[int(b)*n:int(b)*n+n]
		for i, t := range x.terms {
			if c := cmpSortKey(&ka[i], &kb[i]); c != 0 {
				if t.Descending {
					return -c
				}
				return c
			}
		}
	}
	return cmp.Compare(x.ids[a], x.ids[b])
}

// sortKey is a value reduced for fast ordering.
type sortKey struct {
	kind vkind
	n    float64 // numbers and booleans
	i    int64   // times, as Unix nanoseconds
	s    string  // text, lower-cased
}

func makeSortKey(v val) sortKey {
	k := sortKey{kind: v.kind}
	switch v.kind {
	case vNumber:
		k.n = v.f
	case vBool:
		if v.b {
			k.n = 1
		}
	case vTime:
		k.i = v.t.UnixNano()
	case vString:
		k.s = strings.ToLower(v.s)
	}
	return k
}

// cmpSortKey orders unset values first, then by kind, then by value.
func cmpSortKey(a, b *sortKey) int {
	if a.kind != b.kind {
		return cmp.Compare(a.kind, b.kind)
	}
	switch a.kind {
	case vNumber, vBool:
		return cmp.Compare(a.n, b.n)
	case vTime:
		return cmp.Compare(a.i, b.i)
	case vString:
		return strings.Compare(a.s, b.s)
	}
	return 0
}

func (x *executor) flat() ([]int, error) {
	p, err := x.c.compile(x.q.Where)
	if err != nil {
		return nil, err
	}
	items := x.ds.Items
	matched := make([]int32, 0, 64)
	var ctx rowCtx
	for i, it := range items {
		if it == nil {
			continue
		}
		ctx.src = it
		if p == nil || p(&ctx) {
			matched = append(matched, int32(i))
		}
	}
	if x.overLimit(len(matched)) {
		return nil, x.tooMany()
	}
	x.prepareOrder(len(matched), func(h int) *Item { return items[matched[h]] })
	order := make([]int32, len(matched))
	for i := range order {
		order[i] = int32(i)
	}
	if !slices.IsSortedFunc(order, x.compare) {
		slices.SortFunc(order, x.compare)
	}
	ids := make([]int, x.top(len(order)))
	for i := range ids {
		ids[i] = x.ids[order[i]]
	}
	return ids, nil
}
