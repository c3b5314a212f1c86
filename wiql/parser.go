package wiql

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// maxDepth bounds nesting of parentheses and NOT so that hostile input
// cannot exhaust the stack.
const maxDepth = 256

// Parse parses one WIQL statement. Errors are *Error.
func Parse(src string) (*Query, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	q, perr := p.query()
	if perr != nil {
		return nil, perr
	}
	if verr := validate(src, q); verr != nil {
		return nil, verr
	}
	q.src = src
	return q, nil
}

type parser struct {
	src   string
	toks  []token
	i     int
	depth int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.Kind != tkEOF {
		p.i++
	}
	return t
}

// isKeyword reports whether t is the bare word kw (case-insensitive).
func isKeyword(t token, kw string) bool {
	return t.Kind == tkIdent && strings.EqualFold(t.Text, kw)
}

func (p *parser) acceptKeyword(kw string) bool {
	if isKeyword(p.peek(), kw) {
		p.i++
		return true
	}
	return false
}

// fail reports a syntax error at token t.
func (p *parser) fail(t token, what string) *Error {
	return errAt(p.src, CodeSyntax, t.Pos, t.Raw, what)
}

func (p *parser) failCode(code string, t token, what string) *Error {
	return errAt(p.src, code, t.Pos, t.Raw, what)
}

func (p *parser) expectKeyword(kw, what string) *Error {
	if p.acceptKeyword(kw) {
		return nil
	}
	return p.fail(p.peek(), what)
}

// reserved lists the words that cannot be bare field names.
func reserved(word string) bool {
	switch strings.ToLower(word) {
	case "select", "from", "where", "and", "or", "not", "in", "group", "under", "contains", "words",
		"ever", "order", "by", "asc", "desc", "asof", "mode", "true", "false":
		return true
	}
	return false
}

func (p *parser) query() (*Query, *Error) {
	q := &Query{}
	if err := p.expectKeyword("SELECT", "Expecting SELECT."); err != nil {
		return nil, err
	}
	for {
		f, err := p.fieldRef()
		if err != nil {
			return nil, err
		}
		if f.Side != SideDefault {
			return nil, p.failCode(CodeInvalidQuery, p.toks[p.i-1], "Select columns cannot have a [Source] or [Target] prefix.")
		}
		q.Fields = append(q.Fields, f.Name)
		if p.peek().Kind != tkComma {
			break
		}
		p.i++
	}
	if err := p.expectKeyword("FROM", "Expecting «,» or FROM."); err != nil {
		return nil, err
	}
	src := p.next()
	switch {
	case isKeyword(src, "WorkItems"):
		q.From = FromWorkItems
	case isKeyword(src, "WorkItemLinks"):
		q.From = FromWorkItemLinks
	default:
		return nil, p.fail(src, "Expecting WorkItems or WorkItemLinks.")
	}
	if p.acceptKeyword("WHERE") {
		e, err := p.orExpr()
		if err != nil {
			return nil, err
		}
		q.Where = e
	}
	var sawOrder, sawAsOf, sawMode bool
	for {
		t := p.peek()
		switch {
		case t.Kind == tkEOF:
			if q.From == FromWorkItemLinks && q.Mode == ModeNone {
				q.Mode = ModeMustContain
			}
			return q, nil
		case isKeyword(t, "ORDER") && !sawOrder:
			sawOrder = true
			p.i++
			if err := p.expectKeyword("BY", "Expecting BY."); err != nil {
				return nil, err
			}
			if err := p.orderBy(q); err != nil {
				return nil, err
			}
		case isKeyword(t, "ASOF") && !sawAsOf:
			sawAsOf = true
			p.i++
			lit := p.next()
			if lit.Kind != tkString {
				return nil, p.fail(lit, "Expecting a date in quotes.")
			}
			at, _, ok := parseDate(lit.Text, time.UTC)
			if !ok {
				return nil, p.failCode(CodeInvalidValue, lit, "The ASOF value is not a valid date.")
			}
			q.AsOf = &at
		case isKeyword(t, "MODE") && !sawMode:
			if q.From != FromWorkItemLinks {
				return nil, p.failCode(CodeInvalidQuery, t, "MODE applies only to FROM WorkItemLinks.")
			}
			sawMode = true
			p.i++
			if err := p.mode(q); err != nil {
				return nil, err
			}
		default:
			what := "Expecting end of query."
			if q.Where == nil && !sawOrder && !sawAsOf && !sawMode {
				what = "Expecting WHERE, ORDER BY, ASOF, MODE or end of query."
			}
			return nil, p.fail(t, what)
		}
	}
}

func (p *parser) orderBy(q *Query) *Error {
	for {
		f, err := p.fieldRef()
		if err != nil {
			return err
		}
		term := OrderTerm{Field: f.Name}
		if p.acceptKeyword("DESC") {
			term.Descending = true
		} else {
			p.acceptKeyword("ASC")
		}
		q.OrderBy = append(q.OrderBy, term)
		if p.peek().Kind != tkComma {
			return nil
		}
		p.i++
	}
}

func (p *parser) mode(q *Query) *Error {
	if t := p.next(); t.Kind != tkLParen {
		return p.fail(t, "Expecting «(».")
	}
	for {
		t := p.next()
		switch {
		case isKeyword(t, "Recursive") && q.Mode == ModeNone:
			q.Mode = ModeRecursive
		case isKeyword(t, "MustContain") && q.Mode == ModeNone:
			q.Mode = ModeMustContain
		case isKeyword(t, "MayContain") && q.Mode == ModeNone:
			q.Mode = ModeMayContain
		case isKeyword(t, "DoesNotContain") && q.Mode == ModeNone:
			q.Mode = ModeDoesNotContain
		case isKeyword(t, "ReturnMatchingChildren") && !q.ReturnMatchingChildren:
			q.ReturnMatchingChildren = true
		default:
			return p.fail(t, "Expecting Recursive, MustContain, MayContain or DoesNotContain.")
		}
		sep := p.next()
		if sep.Kind == tkRParen {
			break
		}
		if sep.Kind != tkComma {
			return p.fail(sep, "Expecting «,» or «)».")
		}
	}
	if q.Mode == ModeNone {
		return p.fail(p.toks[p.i-1], "Expecting Recursive, MustContain, MayContain or DoesNotContain.")
	}
	if q.ReturnMatchingChildren && q.Mode != ModeRecursive {
		return p.failCode(CodeInvalidQuery, p.toks[p.i-1], "ReturnMatchingChildren applies only to MODE (Recursive).")
	}
	return nil
}

// fieldRef reads [f], bare f, or [Source].[f] / [Target].[f].
func (p *parser) fieldRef() (FieldRef, *Error) {
	t := p.next()
	var name string
	switch t.Kind {
	case tkField:
		name = t.Text
	case tkIdent:
		if reserved(t.Text) {
			return FieldRef{}, p.fail(t, "Expecting field name.")
		}
		name = t.Text
		// Bare Source.System.Id / Target.System.Id.
		for _, side := range [...]struct {
			prefix string
			side   Side
		}{{"source.", SideSource}, {"target.", SideTarget}} {
			if len(name) > len(side.prefix) && strings.EqualFold(name[:len(side.prefix)], side.prefix) {
				return FieldRef{Side: side.side, Name: ReferenceName(name[len(side.prefix):])}, nil
			}
		}
	default:
		return FieldRef{}, p.fail(t, "Expecting field name.")
	}
	if name == "" {
		return FieldRef{}, p.fail(t, "Expecting field name.")
	}
	if p.peek().Kind == tkDot {
		var side Side
		switch strings.ToLower(name) {
		case "source":
			side = SideSource
		case "target":
			side = SideTarget
		default:
			return FieldRef{}, p.fail(p.peek(), "Expecting operator.")
		}
		p.i++
		f, err := p.fieldRef()
		if err != nil {
			return FieldRef{}, err
		}
		if f.Side != SideDefault {
			return FieldRef{}, p.fail(p.toks[p.i-1], "Expecting field name.")
		}
		f.Side = side
		return f, nil
	}
	return FieldRef{Name: ReferenceName(name)}, nil
}

func (p *parser) orExpr() (Expr, *Error) {
	first, err := p.andExpr()
	if err != nil {
		return nil, err
	}
	if !isKeyword(p.peek(), "OR") {
		return first, nil
	}
	or := &OrExpr{Terms: []Expr{first}}
	for p.acceptKeyword("OR") {
		e, err := p.andExpr()
		if err != nil {
			return nil, err
		}
		or.Terms = append(or.Terms, e)
	}
	return or, nil
}

func (p *parser) andExpr() (Expr, *Error) {
	first, err := p.unary()
	if err != nil {
		return nil, err
	}
	if !isKeyword(p.peek(), "AND") {
		return first, nil
	}
	and := &AndExpr{Terms: []Expr{first}}
	for p.acceptKeyword("AND") {
		e, err := p.unary()
		if err != nil {
			return nil, err
		}
		and.Terms = append(and.Terms, e)
	}
	return and, nil
}

func (p *parser) unary() (Expr, *Error) {
	t := p.peek()
	if p.depth >= maxDepth {
		return nil, p.fail(t, "The condition is nested too deeply.")
	}
	p.depth++
	defer func() { p.depth-- }()
	switch {
	case isKeyword(t, "NOT"):
		p.i++
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &NotExpr{X: x}, nil
	case t.Kind == tkLParen:
		p.i++
		e, err := p.orExpr()
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.Kind != tkRParen {
			return nil, p.fail(c, "Expecting «)».")
		}
		return e, nil
	}
	return p.comparison()
}

func (p *parser) comparison() (Expr, *Error) {
	start := p.peek()
	f, err := p.fieldRef()
	if err != nil {
		return nil, err
	}
	c := &Comparison{Field: f, Pos: start.Pos}
	opTok := p.peek()
	op, ok := p.operator()
	if !ok {
		return nil, p.fail(opTok, "Expecting operator.")
	}
	c.Op = op
	switch op {
	case OpIn, OpNotIn:
		if t := p.next(); t.Kind != tkLParen {
			return nil, p.fail(t, "Expecting «(».")
		}
		for {
			v, err := p.operand()
			if err != nil {
				return nil, err
			}
			if v.Kind == OperandField {
				return nil, p.failCode(CodeInvalidQuery, p.toks[p.i-1], "IN lists take values, not fields.")
			}
			c.Values = append(c.Values, v)
			sep := p.next()
			if sep.Kind == tkRParen {
				break
			}
			if sep.Kind != tkComma {
				return nil, p.fail(sep, "Expecting «,» or «)».")
			}
		}
	default:
		v, err := p.operand()
		if err != nil {
			return nil, err
		}
		c.Values = []Operand{v}
	}
	return c, nil
}

// operator reads a comparison operator.
func (p *parser) operator() (Operator, bool) {
	t := p.peek()
	if t.Kind == tkOp {
		p.i++
		switch t.Text {
		case "=":
			return OpEq, true
		case "<>", "!=":
			return OpNe, true
		case "<":
			return OpLt, true
		case "<=":
			return OpLe, true
		case ">":
			return OpGt, true
		case ">=":
			return OpGe, true
		}
		p.i--
		return 0, false
	}
	save := p.i
	neg := p.acceptKeyword("NOT")
	var op Operator
	switch {
	case p.acceptKeyword("IN"):
		op = OpIn
		if p.acceptKeyword("GROUP") {
			op = OpInGroup
		}
	case p.acceptKeyword("UNDER"):
		op = OpUnder
	case p.acceptKeyword("CONTAINS"):
		op = OpContains
		if p.acceptKeyword("WORDS") {
			op = OpContainsWords
		}
	case p.acceptKeyword("EVER"):
		op = OpEver
	default:
		p.i = save
		return 0, false
	}
	if neg {
		op = negate(op)
	}
	return op, true
}

func negate(op Operator) Operator {
	switch op {
	case OpIn:
		return OpNotIn
	case OpInGroup:
		return OpNotInGroup
	case OpUnder:
		return OpNotUnder
	case OpContains:
		return OpNotContains
	case OpContainsWords:
		return OpNotContainsWords
	case OpEver:
		return OpNotEver
	}
	return op
}

// operand reads a literal, a macro with optional argument and offset, or a field.
func (p *parser) operand() (Operand, *Error) {
	t := p.peek()
	switch t.Kind {
	case tkString:
		p.i++
		return Operand{Kind: OperandString, Str: t.Text, Pos: t.Pos}, nil
	case tkNumber:
		p.i++
		return p.number(t, false)
	case tkMinus:
		p.i++
		n := p.next()
		if n.Kind != tkNumber {
			return Operand{}, p.fail(n, "Expecting a number.")
		}
		o, err := p.number(n, true)
		o.Pos = t.Pos
		return o, err
	case tkMacro:
		p.i++
		return p.macro(t)
	case tkField:
		f, err := p.fieldRef()
		if err != nil {
			return Operand{}, err
		}
		return Operand{Kind: OperandField, Field: f, Pos: t.Pos}, nil
	case tkIdent:
		switch {
		case isKeyword(t, "true"), isKeyword(t, "false"):
			p.i++
			return Operand{Kind: OperandBool, Bool: strings.EqualFold(t.Text, "true"), Pos: t.Pos}, nil
		case !reserved(t.Text):
			f, err := p.fieldRef()
			if err != nil {
				return Operand{}, err
			}
			return Operand{Kind: OperandField, Field: f, Pos: t.Pos}, nil
		}
	}
	return Operand{}, p.fail(t, "Expecting a value.")
}

func (p *parser) number(t token, neg bool) (Operand, *Error) {
	v, err := strconv.ParseFloat(t.Text, 64)
	if err != nil || math.IsInf(v, 0) {
		return Operand{}, p.failCode(CodeInvalidValue, t, "The number is out of range.")
	}
	text := t.Text
	if neg {
		v = -v
		text = "-" + text
	}
	return Operand{Kind: OperandNumber, Num: v, Str: text, Pos: t.Pos}, nil
}

// canonicalMacro returns the canonical spelling of a supported macro name.
func canonicalMacro(name string) (string, bool) {
	for _, m := range [...]string{"project", "me", "today", "currentIteration", "startOfDay", "startOfWeek", "startOfMonth", "startOfYear"} {
		if strings.EqualFold(name, m) {
			return m, true
		}
	}
	return "", false
}

func isDateMacro(m string) bool {
	switch m {
	case "today", "startOfDay", "startOfWeek", "startOfMonth", "startOfYear":
		return true
	}
	return false
}

func (p *parser) macro(t token) (Operand, *Error) {
	name, ok := canonicalMacro(t.Text)
	if !ok {
		return Operand{}, p.failCode(CodeUnknownMacro, t, "The macro is not supported.")
	}
	o := Operand{Kind: OperandMacro, Macro: name, Pos: t.Pos}
	if p.peek().Kind == tkLParen {
		if name != "currentIteration" {
			return Operand{}, p.fail(p.peek(), "This macro takes no argument.")
		}
		p.i++
		arg := p.next()
		if arg.Kind != tkString {
			return Operand{}, p.fail(arg, "Expecting a team name in quotes.")
		}
		if c := p.next(); c.Kind != tkRParen {
			return Operand{}, p.fail(c, "Expecting «)».")
		}
		o.Arg = arg.Text
	}
	sign := p.peek()
	if sign.Kind != tkPlus && sign.Kind != tkMinus {
		return o, nil
	}
	p.i++
	n := p.next()
	if n.Kind != tkNumber {
		return Operand{}, p.fail(n, "Expecting a number.")
	}
	if !isDateMacro(name) {
		return Operand{}, p.failCode(CodeInvalidValue, sign, "Only date macros take an offset.")
	}
	off, err := strconv.Atoi(n.Text)
	if err != nil || off > 100000 {
		return Operand{}, p.failCode(CodeInvalidValue, n, "The offset must be a whole number of at most 100000.")
	}
	if sign.Kind == tkMinus {
		off = -off
	}
	o.Offset = off
	return o, nil
}

// validate checks the rules that depend on the whole query.
func validate(src string, q *Query) *Error {
	if q.Where == nil {
		return nil
	}
	var bad *Error
	walk(q.Where, func(c *Comparison) {
		if bad != nil {
			return
		}
		bad = validateComparison(src, q, c)
	})
	return bad
}

func validateComparison(src string, q *Query, c *Comparison) *Error {
	fail := func(pos int, what string) *Error {
		token := fieldText(c.Field)
		for _, v := range c.Values {
			if v.Pos == pos && pos != c.Pos {
				token = operandText(v)
			}
		}
		return errAt(src, CodeInvalidQuery, pos, token, what)
	}
	refs := []FieldRef{c.Field}
	for _, v := range c.Values {
		if v.Kind == OperandField {
			refs = append(refs, v.Field)
		}
	}
	for _, f := range refs {
		if q.From == FromWorkItems && f.Side != SideDefault {
			return fail(c.Pos, "[Source] and [Target] fields need FROM WorkItemLinks.")
		}
		if f.Name == "System.Links.LinkType" && q.From == FromWorkItems {
			return fail(c.Pos, "[System.Links.LinkType] needs FROM WorkItemLinks.")
		}
	}
	if c.Field.Name == "System.Links.LinkType" {
		switch c.Op {
		case OpEq, OpNe, OpIn, OpNotIn:
		default:
			return fail(c.Pos, "[System.Links.LinkType] takes =, <>, IN or NOT IN.")
		}
		for _, v := range c.Values {
			if v.Kind != OperandString {
				return fail(v.Pos, "[System.Links.LinkType] is compared with link type names in quotes.")
			}
		}
		if q.Mode == ModeRecursive {
			if c.Op != OpEq && c.Op != OpIn {
				return fail(c.Pos, "MODE (Recursive) needs [System.Links.LinkType] = 'System.LinkTypes.Hierarchy-Forward'.")
			}
			for _, v := range c.Values {
				if canonicalLinkType(v.Str) != "System.LinkTypes.Hierarchy-Forward" {
					return fail(v.Pos, "MODE (Recursive) works only over System.LinkTypes.Hierarchy-Forward links.")
				}
			}
		}
	}
	if (c.Op == OpInGroup || c.Op == OpNotInGroup) && c.Field.Name != "System.WorkItemType" {
		return fail(c.Pos, "IN GROUP applies only to [System.WorkItemType].")
	}
	if c.Op == OpInGroup || c.Op == OpNotInGroup || c.Op == OpUnder || c.Op == OpNotUnder ||
		c.Op == OpContains || c.Op == OpNotContains || c.Op == OpContainsWords || c.Op == OpNotContainsWords {
		if v := c.Values[0]; v.Kind == OperandField || v.Kind == OperandBool {
			return fail(v.Pos, c.Op.String()+" needs a value in quotes.")
		}
	}
	return nil
}

func operandText(o Operand) string {
	var b strings.Builder
	o.write(&b)
	return b.String()
}

func fieldText(f FieldRef) string {
	var b strings.Builder
	writeField(&b, f)
	return b.String()
}

// walk calls fn for every comparison in e.
func walk(e Expr, fn func(*Comparison)) {
	switch x := e.(type) {
	case *AndExpr:
		for _, t := range x.Terms {
			walk(t, fn)
		}
	case *OrExpr:
		for _, t := range x.Terms {
			walk(t, fn)
		}
	case *NotExpr:
		walk(x.X, fn)
	case *Comparison:
		fn(x)
	}
}
