package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/cairn-okr/cairn"
)

// MaxBodyBytes bounds every request body the API reads.
const MaxBodyBytes = 1 << 20

// DecodeJSON reads exactly one JSON value from body into v, refusing unknown fields,
// wrong types, trailing data and bodies over MaxBodyBytes, each with an error that names
// the field. It never panics on any input.
func DecodeJSON(body io.Reader, v any) error {
	data, err := io.ReadAll(io.LimitReader(body, MaxBodyBytes+1))
	if err != nil {
		return cairn.Errorf(cairn.EINVALID, "cannot read the request body: %v", err)
	}
	if len(data) > MaxBodyBytes {
		return cairn.Errorf(cairn.ETOOLARGE, "the request body is larger than %d bytes", MaxBodyBytes)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return cairn.Errorf(cairn.EINVALID, "the request body is empty: send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return cairn.Errorf(cairn.EINVALID, "the request body has data after the JSON value")
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		return cairn.Errorf(cairn.EINVALID, "the request body has data after the JSON value")
	}
	return nil
}

func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return cairn.Errorf(cairn.EINVALID, "malformed JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return cairn.Errorf(cairn.EINVALID, "the body must be a JSON %s, not %s", kindName(typ.Type.Kind().String()), typ.Value)
		}
		return cairn.FieldError(field, "%s must be %s, not %s", field, kindName(typ.Type.String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return cairn.Errorf(cairn.EINVALID, "the JSON body ends too early")
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
	case t == "string" || strings.HasSuffix(t, "string") || strings.HasSuffix(t, "Role") || strings.HasSuffix(t, "Level") || strings.HasSuffix(t, "Kind") || strings.HasSuffix(t, "Mode") || strings.HasSuffix(t, "Type") || strings.HasSuffix(t, "Source"):
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
