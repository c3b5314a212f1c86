package datasource

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/cairn-okr/cairn/azdo"
	"github.com/cairn-okr/cairn/wiql"
)

// maxNarrowCalls bounds the WIQL calls one narrowed query may make, so that a
// query that cannot be split (one top-level item with more than 20,000 rows
// below it) fails in bounded time.
const maxNarrowCalls = 64

// errNotNarrowable reports a query over the 20,000 row limit that Cairn could
// not split by work item id; it matches azdo.ErrQueryTooLarge.
type errNotNarrowable struct {
	reason string
	err    error
}

func (e *errNotNarrowable) Error() string { return e.reason + ": " + e.err.Error() }
func (e *errNotNarrowable) Unwrap() error { return e.err }

// runSavedQuery runs a saved query. When Azure DevOps refuses it for returning
// more than 20,000 rows (VS402337), it reads the query's WIQL and runs it again
// in slices of work item ids ([System.Id] for flat queries, [Source].[System.Id]
// for link queries), halving a slice that is still too large, and joins the
// rows. The item set is the same: every row belongs to exactly one slice of
// its source item, and a tree below a source item is the same in every slice.
func runSavedQuery(ctx context.Context, c *azdo.Client, project, queryID string) (azdo.WIQLResult, error) {
	res, err := c.RunSavedQuery(ctx, project, queryID, 0)
	if !errors.Is(err, azdo.ErrQueryTooLarge) {
		return res, err
	}
	tooLarge := err
	q, err := c.Query(ctx, project, queryID, azdo.ExpandWiql)
	if err != nil {
		return azdo.WIQLResult{}, err
	}
	parsed, perr := wiql.Parse(q.Wiql)
	if perr != nil {
		return azdo.WIQLResult{}, &errNotNarrowable{reason: "Cairn could not read the query to split it by work item id (" + perr.Error() + ")", err: tooLarge}
	}
	// The highest work item id bounds the slices.
	top, err := c.WIQL(ctx, project, "SELECT [System.Id] FROM WorkItems ORDER BY [System.Id] DESC", azdo.WIQLOptions{Top: 1})
	if err != nil {
		return azdo.WIQLResult{}, err
	}
	if len(top.WorkItems) == 0 {
		return azdo.WIQLResult{}, tooLarge
	}
	maxID := top.WorkItems[0].ID
	type span struct{ lo, hi int }
	mid := maxID / 2
	todo := []span{{mid + 1, maxID}, {1, mid}} // popped from the end: ascending ids
	out := azdo.WIQLResult{}
	calls := 0
	for len(todo) > 0 {
		s := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if s.lo > s.hi {
			continue
		}
		if calls++; calls > maxNarrowCalls {
			return azdo.WIQLResult{}, &errNotNarrowable{reason: fmt.Sprintf("Cairn split the query into %d id ranges and it still returns too many rows", maxNarrowCalls), err: tooLarge}
		}
		part, err := c.WIQL(ctx, project, withIDRange(parsed, s.lo, s.hi), azdo.WIQLOptions{})
		if errors.Is(err, azdo.ErrQueryTooLarge) {
			if s.lo == s.hi {
				return azdo.WIQLResult{}, &errNotNarrowable{reason: fmt.Sprintf("work item %d alone has more than the limit of rows below it", s.lo), err: err}
			}
			m := s.lo + (s.hi-s.lo)/2
			todo = append(todo, span{m + 1, s.hi}, span{s.lo, m})
			continue
		}
		if err != nil {
			return azdo.WIQLResult{}, err
		}
		out.QueryType, out.QueryResultType = part.QueryType, part.QueryResultType
		out.WorkItems = append(out.WorkItems, part.WorkItems...)
		out.WorkItemRelations = append(out.WorkItemRelations, part.WorkItemRelations...)
	}
	return out, nil
}

// withIDRange renders q with its (source) items limited to ids lo…hi.
func withIDRange(q *wiql.Query, lo, hi int) string {
	side := wiql.SideDefault
	if q.From == wiql.FromWorkItemLinks {
		side = wiql.SideSource
	}
	num := func(n int) []wiql.Operand {
		return []wiql.Operand{{Kind: wiql.OperandNumber, Str: strconv.Itoa(n), Num: float64(n)}}
	}
	rng := &wiql.AndExpr{Terms: []wiql.Expr{
		&wiql.Comparison{Field: wiql.FieldRef{Side: side, Name: "System.Id"}, Op: wiql.OpGe, Values: num(lo)},
		&wiql.Comparison{Field: wiql.FieldRef{Side: side, Name: "System.Id"}, Op: wiql.OpLe, Values: num(hi)},
	}}
	c := *q
	if c.Where == nil {
		c.Where = rng
	} else {
		c.Where = &wiql.AndExpr{Terms: []wiql.Expr{q.Where, rng}}
	}
	return c.String()
}

// queryNotes explains, for the person binding a saved query, what its macros
// mean when Cairn runs it with the connection's credentials.
func queryNotes(text string) []string {
	q, err := wiql.Parse(text)
	if err != nil || q.Where == nil {
		return nil
	}
	seen := map[string]bool{}
	var visit func(e wiql.Expr)
	visit = func(e wiql.Expr) {
		switch x := e.(type) {
		case *wiql.AndExpr:
			for _, t := range x.Terms {
				visit(t)
			}
		case *wiql.OrExpr:
			for _, t := range x.Terms {
				visit(t)
			}
		case *wiql.NotExpr:
			visit(x.X)
		case *wiql.Comparison:
			for _, v := range x.Values {
				if v.Kind == wiql.OperandMacro {
					seen[v.Macro] = true
				}
			}
		}
	}
	visit(q.Where)
	var notes []string
	if seen["me"] {
		notes = append(notes, "@Me in this query is the connection's identity (the person whose token or sign-in the connection uses), not whoever looks at the key result in Cairn.")
	}
	if seen["currentIteration"] {
		notes = append(notes, "@CurrentIteration is the current iteration of the project's default team when Cairn runs the query, so the item set moves when the sprint ends.")
	}
	if seen["today"] || seen["startOfDay"] || seen["startOfWeek"] || seen["startOfMonth"] || seen["startOfYear"] {
		notes = append(notes, "@Today and the other date macros count days in the Azure DevOps organization's time zone each time Cairn syncs, so items leave and join the set as days pass.")
	}
	if q.ReturnMatchingChildren {
		notes = append(notes, "This tree query matches linked work items first: Cairn counts the matching linked items and every parent on the way up to a top-level item, as Azure DevOps shows them.")
	}
	return notes
}
