package wiql

import (
	"strconv"
	"strings"
	"time"
)

// From names the source a query reads.
type From int

const (
	// FromWorkItems is FROM WorkItems: a flat list of work items.
	FromWorkItems From = iota
	// FromWorkItemLinks is FROM WorkItemLinks: links between work items.
	FromWorkItemLinks
)

// String returns the WIQL spelling of f.
func (f From) String() string {
	if f == FromWorkItemLinks {
		return "WorkItemLinks"
	}
	return "WorkItems"
}

// Mode is the MODE of a link query.
type Mode int

const (
	// ModeNone is the mode of a flat query.
	ModeNone Mode = iota
	// ModeRecursive returns a tree over Hierarchy-Forward links.
	ModeRecursive
	// ModeMustContain returns source items that have at least one matching link.
	ModeMustContain
	// ModeMayContain returns matching source items with or without matching links.
	ModeMayContain
	// ModeDoesNotContain returns matching source items that have no matching link.
	ModeDoesNotContain
)

// String returns the WIQL spelling of m, or "" for ModeNone.
func (m Mode) String() string {
	switch m {
	case ModeRecursive:
		return "Recursive"
	case ModeMustContain:
		return "MustContain"
	case ModeMayContain:
		return "MayContain"
	case ModeDoesNotContain:
		return "DoesNotContain"
	}
	return ""
}

// OrderTerm is one ORDER BY term.
type OrderTerm struct {
	Field      string // reference name
	Descending bool
}

// Query is a parsed WIQL statement. For link queries without a MODE clause,
// Mode is ModeMustContain.
type Query struct {
	Fields  []string    // SELECT list as reference names
	From    From        // FromWorkItems or FromWorkItemLinks
	Mode    Mode        // ModeNone for flat queries
	OrderBy []OrderTerm // ORDER BY terms, in order
	AsOf    *time.Time  // ASOF 'date', nil when absent
	Where   Expr        // WHERE condition, nil when absent

	// ReturnMatchingChildren records MODE (Recursive, ReturnMatchingChildren).
	ReturnMatchingChildren bool

	src string // source text, for error positions found while executing
}

// QueryType returns "flat", "tree" (links + Recursive) or "oneHop" (links, other modes).
func (q *Query) QueryType() string {
	switch {
	case q.From != FromWorkItemLinks:
		return "flat"
	case q.Mode == ModeRecursive:
		return "tree"
	}
	return "oneHop"
}

// String renders q as canonical WIQL that Parse accepts and that parses to
// an equal query.
func (q *Query) String() string {
	var b strings.Builder
	b.WriteString("SELECT ")
	for i, f := range q.Fields {
		if i > 0 {
			b.WriteString(", ")
		}
		writeField(&b, FieldRef{Name: f})
	}
	b.WriteString(" FROM ")
	b.WriteString(q.From.String())
	if q.Where != nil {
		b.WriteString(" WHERE ")
		b.WriteString(q.Where.String())
	}
	if len(q.OrderBy) > 0 {
		b.WriteString(" ORDER BY ")
		for i, o := range q.OrderBy {
			if i > 0 {
				b.WriteString(", ")
			}
			writeField(&b, FieldRef{Name: o.Field})
			if o.Descending {
				b.WriteString(" DESC")
			}
		}
	}
	if q.AsOf != nil {
		b.WriteString(" ASOF '")
		b.WriteString(q.AsOf.UTC().Format(time.RFC3339Nano))
		b.WriteString("'")
	}
	if q.From == FromWorkItemLinks {
		b.WriteString(" MODE (")
		b.WriteString(q.Mode.String())
		if q.ReturnMatchingChildren {
			b.WriteString(", ReturnMatchingChildren")
		}
		b.WriteString(")")
	}
	return b.String()
}

// Expr is a node of a WHERE condition: *AndExpr, *OrExpr, *NotExpr or *Comparison.
type Expr interface {
	// String renders the node as WIQL.
	String() string
	exprNode()
}

// AndExpr is true when every term is true.
type AndExpr struct{ Terms []Expr }

// OrExpr is true when any term is true.
type OrExpr struct{ Terms []Expr }

// NotExpr negates X.
type NotExpr struct{ X Expr }

// Side says which item of a link row a field refers to.
type Side uint8

const (
	// SideDefault is an unprefixed field: the work item in a flat query, the source in a link query.
	SideDefault Side = iota
	// SideSource is a [Source]. field.
	SideSource
	// SideTarget is a [Target]. field.
	SideTarget
)

// FieldRef is a field reference, optionally prefixed by [Source]. or [Target].
type FieldRef struct {
	Side Side
	Name string // reference name
}

// Operator is a comparison operator.
type Operator uint8

// Operators.
const (
	OpEq Operator = iota
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe
	OpIn
	OpNotIn
	OpUnder
	OpNotUnder
	OpContains
	OpNotContains
	OpContainsWords
	OpNotContainsWords
	OpEver
	OpNotEver
	OpInGroup
	OpNotInGroup
)

// String returns the WIQL spelling of op.
func (op Operator) String() string {
	switch op {
	case OpEq:
		return "="
	case OpNe:
		return "<>"
	case OpLt:
		return "<"
	case OpLe:
		return "<="
	case OpGt:
		return ">"
	case OpGe:
		return ">="
	case OpIn:
		return "IN"
	case OpNotIn:
		return "NOT IN"
	case OpUnder:
		return "UNDER"
	case OpNotUnder:
		return "NOT UNDER"
	case OpContains:
		return "CONTAINS"
	case OpNotContains:
		return "NOT CONTAINS"
	case OpContainsWords:
		return "CONTAINS WORDS"
	case OpNotContainsWords:
		return "NOT CONTAINS WORDS"
	case OpEver:
		return "EVER"
	case OpNotEver:
		return "NOT EVER"
	case OpInGroup:
		return "IN GROUP"
	case OpNotInGroup:
		return "NOT IN GROUP"
	}
	return "?"
}

// Comparison is one field condition, such as [System.State] = 'Active'.
type Comparison struct {
	Field  FieldRef
	Op     Operator
	Values []Operand // one operand, or the list of IN / NOT IN
	Pos    int       // byte offset of the field in the source
}

// OperandKind classifies an Operand.
type OperandKind uint8

const (
	// OperandString is a quoted literal.
	OperandString OperandKind = iota
	// OperandNumber is a numeric literal.
	OperandNumber
	// OperandBool is true or false.
	OperandBool
	// OperandMacro is an @macro with an optional offset and argument.
	OperandMacro
	// OperandField is another field, as in [f] = [g].
	OperandField
)

// Operand is the right-hand side of a comparison.
type Operand struct {
	Kind   OperandKind
	Str    string   // OperandString text; OperandNumber source text
	Num    float64  // OperandNumber value
	Bool   bool     // OperandBool value
	Macro  string   // OperandMacro canonical name without @, e.g. "today"
	Offset int      // OperandMacro ± n
	Arg    string   // OperandMacro argument, as in @currentIteration('[Project]\Team')
	Field  FieldRef // OperandField reference
	Pos    int      // byte offset in the source
}

func (*AndExpr) exprNode()    {}
func (*OrExpr) exprNode()     {}
func (*NotExpr) exprNode()    {}
func (*Comparison) exprNode() {}

// String renders the conjunction in parentheses.
func (e *AndExpr) String() string { return joinExprs(e.Terms, " AND ") }

// String renders the disjunction in parentheses.
func (e *OrExpr) String() string { return joinExprs(e.Terms, " OR ") }

// String renders the negation.
func (e *NotExpr) String() string { return "NOT (" + e.X.String() + ")" }

// String renders the comparison.
func (c *Comparison) String() string {
	var b strings.Builder
	writeField(&b, c.Field)
	b.WriteByte(' ')
	b.WriteString(c.Op.String())
	b.WriteByte(' ')
	if c.Op == OpIn || c.Op == OpNotIn {
		b.WriteByte('(')
		for i, v := range c.Values {
			if i > 0 {
				b.WriteString(", ")
			}
			v.write(&b)
		}
		b.WriteByte(')')
		return b.String()
	}
	if len(c.Values) > 0 {
		c.Values[0].write(&b)
	}
	return b.String()
}

func joinExprs(terms []Expr, sep string) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, t := range terms {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(t.String())
	}
	b.WriteByte(')')
	return b.String()
}

func writeField(b *strings.Builder, f FieldRef) {
	switch f.Side {
	case SideSource:
		b.WriteString("[Source].")
	case SideTarget:
		b.WriteString("[Target].")
	}
	b.WriteByte('[')
	b.WriteString(f.Name)
	b.WriteByte(']')
}

func (o Operand) write(b *strings.Builder) {
	switch o.Kind {
	case OperandString:
		b.WriteByte('\'')
		b.WriteString(strings.ReplaceAll(o.Str, "'", "''"))
		b.WriteByte('\'')
	case OperandNumber:
		b.WriteString(strconv.FormatFloat(o.Num, 'f', -1, 64))
	case OperandBool:
		b.WriteString(strconv.FormatBool(o.Bool))
	case OperandMacro:
		b.WriteByte('@')
		b.WriteString(o.Macro)
		if o.Arg != "" {
			b.WriteString("('")
			b.WriteString(strings.ReplaceAll(o.Arg, "'", "''"))
			b.WriteString("')")
		}
		if o.Offset > 0 {
			b.WriteString(" + ")
			b.WriteString(strconv.Itoa(o.Offset))
		} else if o.Offset < 0 {
			b.WriteString(" - ")
			b.WriteString(strconv.Itoa(-o.Offset))
		}
	case OperandField:
		writeField(b, o.Field)
	}
}
