package web

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/cairn-okr/cairn"
)

// codeStatus is the one table that maps Cairn's error codes to HTTP statuses.
var codeStatus = map[string]int{
	cairn.EBADREQUEST:     http.StatusBadRequest,
	cairn.EINVALID:        http.StatusUnprocessableEntity,
	cairn.ENOTFOUND:       http.StatusNotFound,
	cairn.ECONFLICT:       http.StatusConflict,
	cairn.EUNAUTHORIZED:   http.StatusUnauthorized,
	cairn.EFORBIDDEN:      http.StatusForbidden,
	cairn.ETOOLARGE:       http.StatusRequestEntityTooLarge,
	cairn.ETHROTTLED:      http.StatusTooManyRequests,
	cairn.EUNAVAILABLE:    http.StatusServiceUnavailable,
	cairn.ENOTIMPLEMENTED: http.StatusNotImplemented,
	cairn.EINTERNAL:       http.StatusInternalServerError,
}

// StatusOf returns the HTTP status for an error code.
func StatusOf(code string) int {
	if s, ok := codeStatus[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Problem is an RFC 9457 problem details body.
type Problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail"`
	Code      string `json:"code,omitempty"`
	Field     string `json:"field,omitempty"`
	Instance  string `json:"instance,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

// writeError answers with a problem+json body for err. Internal errors are logged with the
// request id and reach the client only as a generic message.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := cairn.ErrorCode(err)
	status := StatusOf(code)
	if code == cairn.EINTERNAL {
		s.log.ErrorContext(r.Context(), "request failed", slog.String("err", err.Error()), slog.String("request_id", requestID(r.Context())))
	}
	s.setRetryAfter(w, err)
	writeProblem(w, r, status, code, cairn.ErrorMessage(err), cairn.ErrorField(err))
}

// setRetryAfter sets the Retry-After header, in whole seconds and at least 1, for an error
// that says when to retry.
func (s *Server) setRetryAfter(w http.ResponseWriter, err error) {
	at, ok := cairn.RetryAt(err)
	if !ok {
		return
	}
	secs := max(int64((at.Sub(s.now())+time.Second-1)/time.Second), 1)
	w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
}

func writeProblem(w http.ResponseWriter, r *http.Request, status int, code, detail, field string) {
	p := Problem{
		Type:      "about:blank",
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    detail,
		Code:      code,
		Field:     field,
		Instance:  r.URL.Path,
		RequestID: requestID(r.Context()),
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	_ = enc.Encode(v)
}

// reply answers with v as JSON and the status, or with the problem for err.
func (s *Server) reply(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, v)
}

// noContent answers 204, or the problem for err.
func (s *Server) noContent(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
