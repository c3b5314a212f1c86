package azdo

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Sentinel errors classify failures; compare with errors.Is. The *Error a
// call returns matches exactly one of them (ErrQueryTooLarge and
// ErrTooManyIDs also match ErrBadRequest).
var (
	// ErrUnauthorized reports rejected or expired credentials: a 401, a 203
	// sign-in page, or any non-JSON body where JSON was expected.
	ErrUnauthorized = errors.New("azdo: unauthorized")
	// ErrConditionalAccess reports a 403 VS403463 from a conditional access
	// policy or an IP allow-list.
	ErrConditionalAccess = errors.New("azdo: blocked by conditional access policy")
	// ErrForbidden reports any other 403.
	ErrForbidden = errors.New("azdo: forbidden")
	// ErrNotFound reports a missing organization, project, query, work item or
	// subscription (404, TF200016, TF401232, TF401243).
	ErrNotFound = errors.New("azdo: not found")
	// ErrQueryTooLarge reports a query whose result exceeds the 20,000 row
	// limit (VS402337).
	ErrQueryTooLarge = errors.New("azdo: query result too large")
	// ErrTooManyIDs reports a request for more than 200 work items at once
	// (VS403474).
	ErrTooManyIDs = errors.New("azdo: too many work item ids in one request")
	// ErrThrottled reports a 429 that persisted after every retry.
	ErrThrottled = errors.New("azdo: throttled")
	// ErrBadRequest reports a 4xx that retrying will not change.
	ErrBadRequest = errors.New("azdo: bad request")
	// ErrServer reports a 5xx that persisted after every retry.
	ErrServer = errors.New("azdo: server error")
	// ErrBadResponse reports a successful response whose JSON does not have the
	// shape the call expects: malformed JSON, a value of the wrong type or an
	// unreadable timestamp. It is not an *Error; the wrapped error says what
	// did not fit.
	ErrBadResponse = errors.New("azdo: malformed response")
)

// Error is a failed Azure DevOps call. It matches one of the package's
// sentinel errors through errors.Is.
type Error struct {
	// Status is the HTTP status, 203 or 200 for an unexpected non-JSON body.
	Status int
	// Code is the TF or VS code that prefixes the message, such as
	// "VS403463" or "TF200016", or "" when the message has none.
	Code string
	// Message is the server's message, or a description of the response
	// when it carried no error body.
	Message string
	// TypeKey is the server's exception type key, such as
	// "ProjectDoesNotExistWithNameException".
	TypeKey string
	// Route names the API route that failed, as passed to Config.OnCall.
	Route string
	// RetryAfter is the wait the server asked for, or 0.
	RetryAfter time.Duration

	kind error
}

// Error returns the route, the status and the server's message.
func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("%s: HTTP %d: %s", e.Route, e.Status, msg)
}

// Is reports whether target is the sentinel that classifies e.
func (e *Error) Is(target error) bool {
	if target == e.kind {
		return true
	}
	return target == ErrBadRequest && (e.kind == ErrQueryTooLarge || e.kind == ErrTooManyIDs)
}

// Kind returns the sentinel error that classifies e.
func (e *Error) Kind() error { return e.kind }

// newError builds an *Error and classifies it.
func newError(route string, status int, code, message, typeKey string, retryAfter time.Duration) *Error {
	e := &Error{Status: status, Code: code, Message: message, TypeKey: typeKey, Route: route, RetryAfter: retryAfter}
	e.kind = classify(status, code)
	return e
}

// classify maps a status and a TF/VS code to a sentinel error.
func classify(status int, code string) error {
	switch code {
	case "VS403463":
		return ErrConditionalAccess
	case "VS402337":
		return ErrQueryTooLarge
	case "VS403474":
		return ErrTooManyIDs
	case "TF200016", "TF401232", "TF401243", "TF26027", "TF51011":
		return ErrNotFound
	}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusNonAuthoritativeInfo || status < 300:
		return ErrUnauthorized
	case status == http.StatusForbidden:
		return ErrForbidden
	case status == http.StatusNotFound || status == http.StatusGone:
		return ErrNotFound
	case status == http.StatusTooManyRequests:
		return ErrThrottled
	case status >= 500:
		return ErrServer
	default:
		return ErrBadRequest
	}
}

// messageCode extracts the TF or VS code that prefixes an Azure DevOps
// message, such as "TF200016" in "TF200016: The following project …".
func messageCode(msg string) string {
	msg = strings.TrimSpace(msg)
	if len(msg) < 3 {
		return ""
	}
	if !strings.HasPrefix(msg, "TF") && !strings.HasPrefix(msg, "VS") {
		return ""
	}
	i := 2
	for i < len(msg) && msg[i] >= '0' && msg[i] <= '9' {
		i++
	}
	if i == 2 || i >= len(msg) || msg[i] != ':' {
		return ""
	}
	return msg[:i]
}
