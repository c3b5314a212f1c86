package wiql

import (
	"fmt"
	"unicode/utf8"
)

// Error codes returned in Error.Code; doc.go describes when each occurs.
const (
	// CodeSyntax marks a statement that is not valid WIQL.
	CodeSyntax = "VS402336"
	// CodeTooManyResults marks a result larger than the row limit.
	CodeTooManyResults = "VS402337"
	// CodeUnknownMacro marks an unsupported @macro.
	CodeUnknownMacro = "VS402340"
	// CodeInvalidValue marks a value that cannot be used where it appears.
	CodeInvalidValue = "VS402341"
	// CodeInvalidQuery marks a well-formed statement whose parts do not fit together.
	CodeInvalidQuery = "VS402342"
)

// DefaultMaxRows is the row limit Execute applies when Env.MaxRows is 0.
const DefaultMaxRows = 20000

// Error is a WIQL syntax or semantic error.
type Error struct {
	Code    string // VS402xxx code, one of the Code constants
	Message string // full text, starting with the code
	Pos     int    // byte offset in the source, or -1 when no position applies
	Token   string // the offending token text, if any
}

// Error returns the full message.
func (e *Error) Error() string { return e.Message }

// errAt builds an error that points at a token in src.
func errAt(src, code string, pos int, token, what string) *Error {
	line, col := lineCol(src, pos)
	var msg string
	if token == "" {
		msg = fmt.Sprintf("%s: %s The error is caused by the end of the query at line %d, position %d.", code, what, line, col)
	} else {
		msg = fmt.Sprintf("%s: %s The error is caused by «%s» at line %d, position %d.", code, what, token, line, col)
	}
	return &Error{Code: code, Message: msg, Pos: pos, Token: token}
}

// errNoPos builds an error that is not tied to a place in the source.
func errNoPos(code, what string) *Error {
	return &Error{Code: code, Message: code + ": " + what, Pos: -1}
}

// lineCol converts a byte offset into a 1-based line and a 1-based
// character position within that line.
func lineCol(src string, pos int) (line, col int) {
	if pos > len(src) {
		pos = len(src)
	}
	if pos < 0 {
		pos = 0
	}
	line, col = 1, 1
	for i := 0; i < pos; {
		r, n := utf8.DecodeRuneInString(src[i:])
		i += n
		if r == '\n' {
			line++
			col = 1
			continue
		}
		col++
	}
	return line, col
}
