package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/web"
)

// bodyRoutes lists the JSON API routes whose OpenAPI operation takes a request body, taken
// from the router's own table so that a new route cannot be missed.
func bodyRoutes(t *testing.T) []string {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]struct {
			RequestBody json.RawMessage            `json:"requestBody"`
			Responses   map[string]json.RawMessage `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(web.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range web.Routes() {
		method, pattern, _ := strings.Cut(r, " ")
		if !strings.HasPrefix(pattern, "/api/") {
			continue
		}
		op, ok := doc.Paths[pattern][strings.ToLower(method)]
		if ok && len(op.RequestBody) > 0 {
			if _, documented := op.Responses["400"]; !documented {
				t.Errorf("%s takes a body but its OpenAPI operation lists no 400 response", r)
			}
			out = append(out, r)
		}
	}
	return out
}

// TestUnreadableBodiesAre400OnEveryRoute sends, to every API route that takes a body, a body
// that cannot be read as one JSON value and checks that each answers 400 problem+json with
// the code bad_request, while a well-formed body that does not fit is never a 400.
func TestUnreadableBodiesAre400OnEveryRoute(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.okrs(t)
	routes := bodyRoutes(t)
	if len(routes) < 25 {
		t.Fatalf("only %d routes take a body according to the OpenAPI document: %v", len(routes), routes)
	}
	oversized := `{"title":"` + strings.Repeat("a", web.MaxBodyBytes) + `"}`
	bad := []struct {
		name, contentType, body, detail string
	}{
		{"Malformed", "application/json", `{"name": `, "JSON"},
		{"SyntaxError", "application/json", `{"name" "x"}`, "malformed JSON at byte"},
		{"TrailingData", "application/json", `{} {}`, "data after the JSON value"},
		{"WrongContentType", "text/plain", `{}`, "must be JSON"},
		{"FormContentType", "application/x-www-form-urlencoded", `name=x`, "not application/x-www-form-urlencoded"},
		{"Oversized", "application/json", oversized, "larger than the limit"},
	}
	before := b.snapshot(t)
	for _, rt := range routes {
		method, pattern, _ := strings.Cut(rt, " ")
		path := strings.NewReplacer("{org}", "fabrikam", "{id}", itoa(ids.keyResult), "{type}", "Bug").Replace(pattern)
		for _, c := range bad {
			t.Run(rt+"/"+c.name, func(t *testing.T) {
				res := b.raw(t, method, path, c.contentType, c.body)
				if res.Status != http.StatusBadRequest {
					t.Fatalf("status %d, want 400: %s", res.Status, res.Body)
				}
				if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
					t.Fatalf("content type %q", ct)
				}
				p := res.problem(t)
				if p.Code != cairn.EBADREQUEST || p.Status != 400 || !strings.Contains(p.Detail, c.detail) {
					t.Fatalf("problem %+v, want code %s and a detail with %q", p, cairn.EBADREQUEST, c.detail)
				}
			})
		}
		t.Run(rt+"/WellFormedIsNot400", func(t *testing.T) {
			res := b.raw(t, method, path, "application/json; charset=utf-8", `{"no_such_field": 1}`)
			if res.Status == http.StatusBadRequest || res.Status < 400 {
				t.Fatalf("status %d for a well-formed body that does not fit: %s", res.Status, res.Body)
			}
		})
	}
	if after := b.snapshot(t); after != before {
		t.Fatalf("unreadable bodies changed the data:\nbefore %s\nafter  %s", before, after)
	}
}

// TestWellFormedButInvalidIs422 checks the other side of the line: a body that is valid JSON
// but fails validation is a 422 that names the field.
func TestWellFormedButInvalidIs422(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := b.okrs(t)
	for _, c := range []struct {
		name, path, body, field string
	}{
		{"UnknownField", "/objectives", `{"title":"a","period_id":1,"colour":"red"}`, "colour"},
		{"WrongType", "/objectives", `{"title":"a","period_id":"one"}`, "period_id"},
		{"NotAnObject", "/objectives", `[1,2]`, ""},
		{"EmptyTitle", "/objectives", `{"title":" ","period_id":` + itoa(ids.period) + `}`, "title"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := b.raw(t, "POST", "/api/v1/orgs/fabrikam"+c.path, "application/vnd.cairn+json", c.body)
			if res.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422: %s", res.Status, res.Body)
			}
			if p := res.problem(t); p.Code != cairn.EINVALID || p.Field != c.field {
				t.Fatalf("problem %+v, want code invalid and field %q", p, c.field)
			}
		})
	}
}

// raw sends a body as is with the given content type, as the tenant admin.
func (b *testBundle) raw(t *testing.T, method, path, contentType, body string) response {
	t.Helper()
	req, err := http.NewRequest(method, b.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+b.tokens["tenant"])
	res, err := b.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, res.Body); err != nil {
		t.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: buf.Bytes()}
}

// TestDecodeJSONChecksSyntaxBeforeShape: a body that is not one JSON value is a bad request
// even when its first value would not fit either, and a value of the wrong kind says which
// kind belongs.
func TestDecodeJSONChecksSyntaxBeforeShape(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, body string
		code       string
		message    string
	}{
		{"NumberThenMore", `000`, cairn.EBADREQUEST, "data after the JSON value"},
		{"ArrayThenMore", `[1] {}`, cairn.EBADREQUEST, "data after the JSON value"},
		{"ArrayForObject", `[1, 2]`, cairn.EINVALID, "the body must be an object, not array"},
		{"NumberForObject", `0`, cairn.EINVALID, "the body must be an object, not number"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var in web.InitiativeInput
			err := web.DecodeJSON(strings.NewReader(c.body), &in)
			if cairn.ErrorCode(err) != c.code || !strings.Contains(cairn.ErrorMessage(err), c.message) {
				t.Fatalf("DecodeJSON(%q) = %v, want %s with %q", c.body, err, c.code, c.message)
			}
		})
	}
}
