package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/cairn-okr/cairn"
)

// MaxBodyBytes bounds every request body the API reads.
const MaxBodyBytes = 1 << 20

// DecodeJSON reads exactly one JSON value from body into v. A body that cannot be read as
// one JSON value (empty, malformed, cut short, followed by more data, or over MaxBodyBytes)
// is EBADREQUEST, a 400. A well-formed value that does not fit v (unknown fields, wrong
// types) is EINVALID, a 422, with an error that names the field. It never panics on any
// input.
func DecodeJSON(body io.Reader, v any) error {
	data, err := io.ReadAll(io.LimitReader(body, MaxBodyBytes+1))
	if err != nil {
		return cairn.Errorf(cairn.EBADREQUEST, "cannot read the request body: %v", err)
	}
	if len(data) > MaxBodyBytes {
		return cairn.Errorf(cairn.EBADREQUEST, "the request body is larger than the limit of %d bytes", MaxBodyBytes)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return cairn.Errorf(cairn.EBADREQUEST, "the request body is empty: send a JSON object")
	}
	// The syntax is checked first: decoding stops at the first value that does not fit,
	// and would call "0 0" a number where an object belongs rather than malformed.
	if err := checkJSONSyntax(data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	return nil
}

// takesJSONBody reports whether a route reads a JSON body: every POST, PUT and PATCH of the
// JSON API. The UI's form posts and the service-hook receiver are outside /api/.
func takesJSONBody(rt route) bool {
	switch rt.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		return strings.HasPrefix(rt.Pattern, "/api/")
	}
	return false
}

// requireJSONBody checks the body of a JSON API write before any handler runs, so that every
// route answers the same way: a body with a content type other than JSON (application/json or
// any application/*+json), one over MaxBodyBytes, or one that is not a single well-formed JSON
// value is refused with a 400 problem. A request without a Content-Type header is read as
// JSON; an empty body passes, for routes that need none. The handler then reads the checked
// body from memory and refuses, with a 422, a well-formed value that does not fit.
func requireJSONBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		if ct := r.Header.Get("Content-Type"); ct != "" && !isJSONMediaType(ct) {
			mt, _, _ := mime.ParseMediaType(ct)
			if mt == "" {
				mt = ct
			}
			writeProblem(w, r, http.StatusBadRequest, cairn.EBADREQUEST,
				fmt.Sprintf("the request body must be JSON (Content-Type: application/json), not %s", mt), "")
			return
		}
		data, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
		if err != nil {
			writeProblem(w, r, http.StatusBadRequest, cairn.EBADREQUEST, fmt.Sprintf("cannot read the request body: %v", err), "")
			return
		}
		if len(data) > MaxBodyBytes {
			writeProblem(w, r, http.StatusBadRequest, cairn.EBADREQUEST,
				fmt.Sprintf("the request body is larger than the limit of %d bytes", MaxBodyBytes), "")
			return
		}
		if len(bytes.TrimSpace(data)) > 0 {
			if err := checkJSONSyntax(data); err != nil {
				writeProblem(w, r, http.StatusBadRequest, cairn.EBADREQUEST, cairn.ErrorMessage(err), "")
				return
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(data))
		r.ContentLength = int64(len(data))
		next.ServeHTTP(w, r)
	})
}

// checkJSONSyntax reports, as EBADREQUEST, why data is not exactly one well-formed JSON value.
func checkJSONSyntax(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	var v json.RawMessage
	if err := dec.Decode(&v); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return cairn.Errorf(cairn.EBADREQUEST, "malformed JSON at byte %d: %v", syn.Offset, syn)
		}
		return cairn.Errorf(cairn.EBADREQUEST, "the JSON body ends too early")
	}
	if _, err := dec.Token(); err != io.EOF {
		return cairn.Errorf(cairn.EBADREQUEST, "the request body has data after the JSON value")
	}
	return nil
}

func isJSONMediaType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")
}

func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return cairn.Errorf(cairn.EBADREQUEST, "malformed JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return cairn.Errorf(cairn.EINVALID, "the body must be %s, not %s", kindName(typ.Type.Kind().String()), typ.Value)
		}
		return cairn.FieldError(field, "%s must be %s, not %s", field, kindName(typ.Type.String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return cairn.Errorf(cairn.EBADREQUEST, "the JSON body ends too early")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return cairn.FieldError(name, "unknown field %q", name)
	}
	// Errors from a type's own UnmarshalJSON, such as a bad date.
	return cairn.Errorf(cairn.EINVALID, "invalid JSON body: %v", err)
}

func kindName(t string) string {
	switch {
	case strings.Contains(t, "int"), strings.Contains(t, "float"):
		return "a number"
	case t == "string" || strings.HasSuffix(t, "string") || strings.HasSuffix(t, "Role") || strings.HasSuffix(t, "Level") || strings.HasSuffix(t, "Kind") || strings.HasSuffix(t, "Mode") || strings.HasSuffix(t, "Type") || strings.HasSuffix(t, "Source") || strings.HasSuffix(t, "Goal"):
		return "a string"
	case t == "bool" || strings.HasSuffix(t, "bool"):
		return "true or false"
	case strings.HasPrefix(t, "[]") || strings.HasPrefix(t, "*[]"):
		return "an array"
	case t == "struct" || t == "ptr":
		return "an object"
	}
	return "an object"
}

// pathID parses the named path value as a positive id.
func pathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, cairn.Errorf(cairn.ENOTFOUND, "%q is not a valid %s", v, name)
	}
	return id, nil
}

// queryInt parses an optional integer query parameter.
func queryInt(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, cairn.FieldError(name, "query parameter %s must be a non-negative integer, not %q", name, v)
	}
	return n, nil
}

func mustBeOneOf(field, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return cairn.FieldError(field, "%s must be one of %s, not %q", field, strings.Join(allowed, ", "), v)
}

// queryBool parses an optional boolean query parameter: true or false, absent meaning false.
func queryBool(r *http.Request, name string) (bool, error) {
	switch v := r.URL.Query().Get(name); v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, cairn.FieldError(name, "query parameter %s must be true or false, not %q", name, v)
	}
}
