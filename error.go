package cairn

import (
	"errors"
	"fmt"
)

// Error codes shared by every layer. The web layer maps each to one HTTP status.
const (
	EBADREQUEST     = "bad_request"     // the request cannot be read: unparseable JSON, wrong content type, too large
	ECONFLICT       = "conflict"        // the request conflicts with the current state
	EINTERNAL       = "internal"        // an unexpected failure
	EINVALID        = "invalid"         // the input is invalid
	ENOTFOUND       = "not_found"       // the thing does not exist or is not visible
	EUNAUTHORIZED   = "unauthorized"    // no valid credentials
	EFORBIDDEN      = "forbidden"       // valid credentials, not allowed
	ETOOLARGE       = "too_large"       // the request body is too large
	ETHROTTLED      = "throttled"       // too many attempts: retry later (see RetryAt)
	EUNAVAILABLE    = "unavailable"     // a dependency is down
	ENOTIMPLEMENTED = "not_implemented" // the feature is not configured
)

// Error is Cairn's error: a machine-readable code, a message for people and, for invalid
// input, the name of the offending field.
type Error struct {
	Code    string
	Message string
	Field   string
	Err     error
}

// Error returns the message with its field and any wrapped cause.
func (e *Error) Error() string {
	msg := e.Message
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the wrapped cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an EINVALID error that names the field at fault.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound returns an ENOTFOUND error for the kind of thing and its id.
func NotFound(kind string, id any) *Error {
	return &Error{Code: ENOTFOUND, Message: fmt.Sprintf("%s %v not found", kind, id)}
}

// Internal wraps an unexpected error with the operation that failed.
func Internal(op string, err error) *Error {
	return &Error{Code: EINTERNAL, Message: op, Err: err}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any other
// error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, and a generic text
// for other errors so that internal details never reach a user.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return "internal error"
}

// ErrorField returns the field named by the first *Error in err's chain, if any.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
