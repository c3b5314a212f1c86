package wiql

import (
	"strings"
	"time"
)

// rowCtx is what a predicate reads: the work item (src) of a flat query, or
// the source, target and link type of a link row.
type rowCtx struct {
	src, tgt *Item
	link     string
}

// pred is a compiled condition.
type pred func(*rowCtx) bool

// getter reads one field from a row.
type getter struct {
	side     Side
	key      string
	isID     bool
	isLink   bool
	date     bool
	identity bool
	tags     bool
}

func newGetter(f FieldRef) getter {
	return getter{
		side:     f.Side,
		key:      f.Name,
		isID:     f.Name == "System.Id",
		isLink:   f.Name == "System.Links.LinkType",
		date:     isDateField(f.Name),
		identity: isIdentityField(f.Name),
		tags:     f.Name == "System.Tags",
	}
}

func (g *getter) item(ctx *rowCtx) *Item {
	if g.side == SideTarget {
		return ctx.tgt
	}
	return ctx.src
}

func (g *getter) get(ctx *rowCtx) val {
	if g.isLink {
		if ctx.link == "" {
			return val{}
		}
		return val{kind: vString, s: ctx.link}
	}
	it := g.item(ctx)
	if it == nil {
		return val{}
	}
	return g.from(it.Fields, it.ID)
}

// from reads the field from a field map (current values or a revision).
func (g *getter) from(fields map[string]any, id int) val {
	v, ok := fields[g.key]
	if !ok && g.isID {
		return val{kind: vNumber, f: float64(id)}
	}
	return toVal(v, g.date)
}

// compiler turns a WHERE condition into predicates for one Execute call.
type compiler struct {
	q   *Query
	env *Env
	loc *time.Location
}

func newCompiler(q *Query, env *Env) *compiler {
	loc := time.UTC
	if !env.Now.IsZero() {
		loc = env.Now.Location()
	}
	return &compiler{q: q, env: env, loc: loc}
}

func (c *compiler) fail(code string, pos int, token, what string) *Error {
	return errAt(c.q.src, code, pos, token, what)
}

// compile compiles e; a nil e compiles to a nil pred, meaning always true.
func (c *compiler) compile(e Expr) (pred, error) {
	switch x := e.(type) {
	case nil:
		return nil, nil
	case *AndExpr:
		ps, err := c.compileAll(x.Terms)
		if err != nil {
			return nil, err
		}
		if len(ps) == 2 {
			a, b := ps[0], ps[1]
			return func(ctx *rowCtx) bool { return a(ctx) && b(ctx) }, nil
		}
		return func(ctx *rowCtx) bool {
			for _, p := range ps {
				if !p(ctx) {
					return false
				}
			}
			return true
		}, nil
	case *OrExpr:
		ps, err := c.compileAll(x.Terms)
		if err != nil {
			return nil, err
		}
		return func(ctx *rowCtx) bool {
			for _, p := range ps {
				if p(ctx) {
					return true
				}
			}
			return false
		}, nil
	case *NotExpr:
		p, err := c.compile(x.X)
		if err != nil {
			return nil, err
		}
		if p == nil {
			return func(*rowCtx) bool { return false }, nil
		}
		return func(ctx *rowCtx) bool { return !p(ctx) }, nil
	case *Comparison:
		return c.comparison(x)
	}
	return nil, errNoPos(CodeInvalidQuery, "The condition holds an unknown node.")
}

func (c *compiler) compileAll(terms []Expr) ([]pred, error) {
	ps := make([]pred, 0, len(terms))
	for _, t := range terms {
		p, err := c.compile(t)
		if err != nil {
			return nil, err
		}
		if p == nil {
			p = func(*rowCtx) bool { return true }
		}
		ps = append(ps, p)
	}
	return ps, nil
}

func (c *compiler) comparison(cmp *Comparison) (pred, error) {
	if len(cmp.Values) == 0 {
		return nil, c.fail(CodeSyntax, cmp.Pos, fieldText(cmp.Field), "Expecting a value.")
	}
	g := newGetter(cmp.Field)
	switch cmp.Op {
	case OpEq, OpNe, OpLt, OpLe, OpGt, OpGe:
		if v := cmp.Values[0]; v.Kind == OperandField {
			return fieldPred(g, newGetter(v.Field), cmp.Op), nil
		}
		l, err := c.lit(g, cmp.Values[0])
		if err != nil {
			return nil, err
		}
		return litPred(g, cmp.Op, l), nil
	case OpIn, OpNotIn, OpInGroup, OpNotInGroup:
		var ls []lit
		if cmp.Op == OpInGroup || cmp.Op == OpNotInGroup {
			types, err := c.category(cmp.Values[0])
			if err != nil {
				return nil, err
			}
			for _, t := range types {
				ls = append(ls, newStringLit(t, c.loc))
			}
		} else {
			for _, v := range cmp.Values {
				l, err := c.lit(g, v)
				if err != nil {
					return nil, err
				}
				ls = append(ls, l)
			}
		}
		want := cmp.Op == OpIn || cmp.Op == OpInGroup
		return func(ctx *rowCtx) bool {
			v := g.get(ctx)
			for i := range ls {
				if equalLit(&g, &v, &ls[i]) {
					return want
				}
			}
			return !want
		}, nil
	case OpEver, OpNotEver:
		l, err := c.lit(g, cmp.Values[0])
		if err != nil {
			return nil, err
		}
		want := cmp.Op == OpEver
		return func(ctx *rowCtx) bool {
			v := g.get(ctx)
			if equalLit(&g, &v, &l) {
				return want
			}
			if it := g.item(ctx); it != nil && !g.isLink {
				for _, rev := range it.Revisions {
					rv := g.from(rev, it.ID)
					if equalLit(&g, &rv, &l) {
						return want
					}
				}
			}
			return !want
		}, nil
	}
	// Text operators: UNDER, CONTAINS, CONTAINS WORDS and their negations.
	l, err := c.lit(g, cmp.Values[0])
	if err != nil {
		return nil, err
	}
	var match func(s string) bool
	switch cmp.Op {
	case OpUnder, OpNotUnder:
		match = func(s string) bool { return underPath(s, l.s) }
	case OpContains, OpNotContains:
		if g.tags {
			match = func(s string) bool { return hasTag(s, l.s) }
		} else {
			match = func(s string) bool { return containsFold(s, l.s) }
		}
	case OpContainsWords, OpNotContainsWords:
		match = func(s string) bool { return containsWords(s, l.s) }
	default:
		return nil, c.fail(CodeSyntax, cmp.Pos, cmp.Op.String(), "Expecting operator.")
	}
	want := cmp.Op == OpUnder || cmp.Op == OpContains || cmp.Op == OpContainsWords
	return func(ctx *rowCtx) bool {
		v := g.get(ctx)
		if v.kind != vString {
			return !want
		}
		return match(v.s) == want
	}, nil
}

// equalLit is = between a field value and a literal.
func equalLit(g *getter, v *val, l *lit) bool {
	if l.null {
		return v.kind == vNull
	}
	if v.kind == vNull {
		return false
	}
	if g.identity && v.kind == vString {
		return identityEqual(v.s, l)
	}
	c, ok := cmpLit(v, l)
	return ok && c == 0
}

func litPred(g getter, op Operator, l lit) pred {
	switch op {
	case OpEq:
		return func(ctx *rowCtx) bool { v := g.get(ctx); return equalLit(&g, &v, &l) }
	case OpNe:
		return func(ctx *rowCtx) bool { v := g.get(ctx); return !equalLit(&g, &v, &l) }
	}
	return func(ctx *rowCtx) bool {
		v := g.get(ctx)
		if l.null {
			switch op {
			case OpGt:
				return v.kind != vNull
			case OpGe:
				return true
			case OpLe:
				return v.kind == vNull
			}
			return false
		}
		if v.kind == vNull {
			return false
		}
		c, ok := cmpLit(&v, &l)
		return ok && orderHolds(op, c)
	}
}

func fieldPred(a, b getter, op Operator) pred {
	return func(ctx *rowCtx) bool {
		x, y := a.get(ctx), b.get(ctx)
		if x.kind == vNull || y.kind == vNull {
			both := x.kind == y.kind
			switch op {
			case OpEq, OpLe, OpGe:
				return both
			case OpNe:
				return !both
			}
			return false
		}
		c, ok := cmpVals(&x, &y)
		if op == OpNe {
			return !ok || c != 0
		}
		return ok && orderHolds(op, c)
	}
}

func orderHolds(op Operator, c int) bool {
	switch op {
	case OpEq:
		return c == 0
	case OpNe:
		return c != 0
	case OpLt:
		return c < 0
	case OpLe:
		return c <= 0
	case OpGt:
		return c > 0
	case OpGe:
		return c >= 0
	}
	return false
}

// lit prepares an operand for comparison with the field read by g.
func (c *compiler) lit(g getter, o Operand) (lit, error) {
	switch o.Kind {
	case OperandString:
		if g.isLink {
			return newStringLit(canonicalLinkType(o.Str), c.loc), nil
		}
		return newStringLit(o.Str, c.loc), nil
	case OperandNumber:
		return newNumberLit(o.Num, o.Str), nil
	case OperandBool:
		return newBoolLit(o.Bool), nil
	case OperandMacro:
		return c.macro(o)
	}
	return lit{}, c.fail(CodeInvalidQuery, o.Pos, fieldText(o.Field), "A field cannot be used here; expecting a value.")
}

func (c *compiler) macro(o Operand) (lit, error) {
	need := func(v, what string) (lit, error) {
		if v == "" {
			return lit{}, c.fail(CodeInvalidValue, o.Pos, "@"+o.Macro, "The macro has no value: "+what+" is not set.")
		}
		return newStringLit(v, c.loc), nil
	}
	switch o.Macro {
	case "project":
		return need(c.env.Project, "the project")
	case "me":
		return need(c.env.Me, "the current user")
	case "currentIteration":
		return need(c.env.CurrentIteration, "the current iteration")
	}
	if c.env.Now.IsZero() {
		return lit{}, c.fail(CodeInvalidValue, o.Pos, "@"+o.Macro, "The macro has no value: the current time is not set.")
	}
	day := startOfDay(c.env.Now)
	switch o.Macro {
	case "today", "startOfDay":
		day = day.AddDate(0, 0, o.Offset)
	case "startOfWeek":
		day = day.AddDate(0, 0, -int(day.Weekday())+7*o.Offset)
	case "startOfMonth":
		day = time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, day.Location()).AddDate(0, o.Offset, 0)
	case "startOfYear":
		day = time.Date(day.Year(), 1, 1, 0, 0, 0, 0, day.Location()).AddDate(o.Offset, 0, 0)
	default:
		return lit{}, c.fail(CodeUnknownMacro, o.Pos, "@"+o.Macro, "The macro is not supported.")
	}
	return newDayLit(day), nil
}

// category returns the work item types of the IN GROUP operand.
func (c *compiler) category(o Operand) ([]string, error) {
	if o.Kind != OperandString {
		return nil, c.fail(CodeInvalidValue, o.Pos, "", "IN GROUP needs a category name in quotes.")
	}
	for name, types := range c.env.Categories {
		if strings.EqualFold(strings.TrimSpace(name), strings.TrimSpace(o.Str)) {
			return types, nil
		}
	}
	if types, ok := DefaultCategory(o.Str); ok {
		return types, nil
	}
	return nil, c.fail(CodeInvalidValue, o.Pos, o.Str, "Unknown work item type category; expecting one such as 'Microsoft.RequirementCategory', 'Microsoft.TaskCategory', 'Microsoft.BugCategory', 'Microsoft.FeatureCategory' or 'Microsoft.EpicCategory'.")
}
