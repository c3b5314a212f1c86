package web_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
	"github.com/cairn-okr/cairn/web"
)

// TestOpenAPIDescribesExactlyTheRoutes compares the OpenAPI document with the routes the
// server answers, both ways, and checks that every operation is well formed.
func TestOpenAPIDescribesExactlyTheRoutes(t *testing.T) {
	t.Parallel()
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
		Comps   struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(web.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("openapi %q, want 3.1", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
			var op struct {
				OperationID string                     `json:"operationId"`
				Responses   map[string]json.RawMessage `json:"responses"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatal(err)
			}
			if op.OperationID == "" || len(op.Responses) == 0 {
				t.Errorf("%s %s lacks an operationId or responses", method, path)
			}
		}
	}
	served := map[string]bool{}
	for _, r := range web.Routes() {
		served[r] = true
	}
	var missing, extra []string
	for r := range served {
		if !documented[r] {
			missing = append(missing, r)
		}
	}
	for r := range documented {
		if !served[r] {
			extra = append(extra, r)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("served but not documented: %v", missing)
	}
	if len(extra) > 0 {
		t.Errorf("documented but not served: %v", extra)
	}
	// Every $ref resolves.
	for _, ref := range refs(web.OpenAPI()) {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		if strings.HasPrefix(ref, "#/components/schemas/") {
			if _, ok := doc.Comps.Schemas[name]; !ok {
				t.Errorf("dangling $ref %s", ref)
			}
		}
	}
}

func refs(doc []byte) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if k == "$ref" {
					out = append(out, c.(string))
				}
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	var v any
	_ = json.Unmarshal(doc, &v)
	walk(v)
	return out
}

func TestOpenAPIIsServed(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.must(t, 200, "", "GET", "/api/v1/openapi.json", nil)
	if string(r.Body) != string(web.OpenAPI()) {
		t.Fatal("served document differs from the embedded one")
	}
}

// TestOpenAPIKeyResultSchemasMatchTheJSON checks that the schemas of key results,
// initiatives, metrics, objectives, check-ins, comments and audit events name exactly the
// fields the API writes, down through their nested objects and arrays, so that a field added
// to the model cannot go undocumented.
func TestOpenAPIKeyResultSchemasMatchTheJSON(t *testing.T) {
	t.Parallel()
	schemas := openAPISchemas(t)
	metric := cairn.Metric{Kind: cairn.MetricNumber, Goal: cairn.GoalDecrease, Start: 1500, Target: 800, Unit: "ms",
		Milestones: []cairn.Milestone{{Date: cairn.Date{Year: 2026, Month: 8, Day: 31}, Value: 1200}}}
	trend := &progress.Trend{Direction: progress.Down, Effect: progress.Better, Points: 3}
	parents := []cairn.Alignment{{Type: cairn.ItemObjective, ID: 2, Weight: 0.7}, {Type: cairn.ItemKeyResult, ID: 3, Weight: 0.3}}
	at := time.Date(2026, 8, 15, 12, 0, 0, 0, time.UTC)
	author, confidence, score := int64(4), 7, 0.8
	objective := &cairn.Objective{ID: 1, OrgID: 1, PeriodID: 1, Title: "Delight shoppers", Level: cairn.LevelOrganization,
		OwnerIDs: []int64{4}, EditorIDs: []int64{5}, Parent: &cairn.Ref{Type: cairn.ItemObjective, ID: 2}, Weight: 0.7,
		Score: &score, ClosingStatus: progress.Achieved, ClosedAt: &at, CreatedAt: at, UpdatedAt: at}
	objective.SetParents(parents)
	for name, v := range map[string]any{
		"KeyResult": cairn.KeyResultView{KeyResult: &cairn.KeyResult{ID: 3, OrgID: 1, ObjectiveID: 1, Title: "Page load", Metric: metric,
			ProgressSource: cairn.SourceManual, OwnerIDs: []int64{4}, EditorIDs: []int64{}, CheckInOwnerIDs: []int64{5}, Weight: 1,
			Parents: parents, LastCheckInAt: &at, CreatedAt: at, UpdatedAt: at},
			Progress: 0.5, Status: progress.OnTrack, Source: "manual", Expected: 0.45, Trend: trend},
		"Initiative": cairn.InitiativeView{Initiative: &cairn.Initiative{ID: 6, OrgID: 1, Parent: cairn.Ref{Type: cairn.ItemKeyResult, ID: 3},
			Title: "Lazy images", Contributes: true, ProgressMode: cairn.ModeMetric, Metric: &metric, Current: 1300,
			OwnerIDs: []int64{4}, EditorIDs: []int64{5}, CheckInOwnerIDs: []int64{}, Weight: 1, CreatedAt: at, UpdatedAt: at},
			Progress: 0.2857142857142857, Status: progress.AtRisk, Source: "manual", Trend: trend},
		"Metric":    metric,
		"Milestone": metric.Milestones[0],
		"Objective": cairn.ObjectiveView{Objective: objective, Progress: 0.5, Status: progress.OnTrack},
		"CheckIn": &cairn.CheckIn{ID: 1, OrgID: 1, Item: cairn.Ref{Type: cairn.ItemKeyResult, ID: 3}, Value: 42, Status: "on_track",
			Note: "Up", AuthorID: &author, Source: cairn.CheckInManual, CreatedAt: at, Confidence: &confidence},
		"Comment": &cairn.Comment{ID: 1, OrgID: 1, Item: cairn.Ref{Type: cairn.ItemCheckIn, ID: 1}, AuthorID: &author, Body: "Nice, @member",
			CreatedAt: at, MentionedUserIDs: []int64{5}, EditedAt: &at},
		"AuditEvent": &cairn.AuditEvent{ID: 1, OrgID: 1, Item: cairn.Ref{Type: cairn.ItemKeyResult, ID: 3}, Subject: cairn.Ref{Type: cairn.ItemCheckIn, ID: 1},
			ActorID: &author, Action: cairn.AuditCreated, CreatedAt: at,
			Changes: []cairn.FieldChange{{Field: "value", Before: json.RawMessage("null"), After: json.RawMessage("42")}}},
	} {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		schemas.match(t, name, name, data)
	}
}

// TestOpenAPIEnumsMatchTheModel checks the allowed values of the schemas against what the
// model allows, where the JSON of one answer cannot show them all: a check-in's status and an
// objective's stated status are those people may give (cairn.CheckInStatuses), and an
// objective's parent, read or written, is an objective or a key result, as in its parents.
func TestOpenAPIEnumsMatchTheModel(t *testing.T) {
	t.Parallel()
	cs := openAPISchemas(t)
	enum := func(s *openAPISchema) []string {
		var out []string
		s = cs.resolve(s)
		for _, e := range s.Enum {
			out = append(out, e.(string))
		}
		return out
	}
	statuses := cairn.CheckInStatuses
	parentTypes := []string{string(cairn.ItemObjective), string(cairn.ItemKeyResult)}
	for _, c := range []struct {
		what string
		got  []string
		want []string
	}{
		{"CheckIn.status", enum(cs["CheckIn"].Properties["status"]), statuses},
		{"CheckInInput.status", enum(cs["CheckInInput"].Properties["status"]), statuses},
		{"Objective.stated_status", enum(cs["Objective"].Properties["stated_status"]), statuses},
		{"ParentAlignment.type", enum(cs["ParentAlignment"].Properties["type"]), parentTypes},
		{"Objective.parent.type", enum(cs.resolve(cs["Objective"].Properties["parent"]).Properties["type"]), parentTypes},
		{"ObjectiveInput.parent.type", enum(cs.resolve(cs["ObjectiveInput"].Properties["parent"]).Properties["type"]), parentTypes},
		{"ObjectiveUpdate.parent.type", enum(cs.resolve(cs["ObjectiveUpdate"].Properties["parent"]).Properties["type"]), parentTypes},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s: the OpenAPI schema allows %q, the model %q", c.what, c.got, c.want)
		}
	}
}

// TestOpenAPISchemasMatchTheServedJSON sends the calls that answer with objectives, key
// results, check-ins (with a confidence and without), comments and audit events, and checks
// each answer, list envelopes included, against the schema the OpenAPI document gives for
// that call's status, field by field and both ways, with types, formats and allowed values.
// The items pass through the states that change their JSON: without and with parents, a
// pending baseline, milestones and a trend, a stated status, an edited comment, and a close.
func TestOpenAPISchemasMatchTheServedJSON(t *testing.T) {
	t.Parallel()
	doc := openAPIDocument(t)
	b := setup(t)
	ids := b.okrs(t)
	org := "/api/v1/orgs/fabrikam"
	call := func(want int, who, method, template string, body any, args ...any) response {
		t.Helper()
		path := strings.ReplaceAll(template, "{id}", "%d")
		if len(args) > 0 {
			path = fmt.Sprintf(path, args...)
		}
		r := b.must(t, want, who, method, org+path, body)
		doc.matchResponse(t, method, "/api/v1/orgs/{org}"+template, want, r.Body)
		return r
	}

	kr, obj, ini := ids.keyResult, ids.objective, ids.initiative
	call(200, "owner", "PATCH", "/key-results/{id}", map[string]any{"metric": map[string]any{"milestones": []map[string]any{{"date": "2026-08-31", "value": 50}}}}, kr)
	checkIn := call(201, "owner", "POST", "/key-results/{id}/check-ins", map[string]any{"value": 30, "note": "Started", "confidence": 6}, kr).id(t)
	call(201, "owner", "POST", "/key-results/{id}/check-ins", map[string]any{"value": 40, "status": "on_track", "confidence": 8}, kr)
	call(201, "owner", "POST", "/initiatives/{id}/check-ins", map[string]any{"value": 25}, ini)
	pending := call(201, "owner", "POST", "/key-results", map[string]any{"objective_id": obj, "title": "Checkout time",
		"metric": map[string]any{"kind": "number", "goal": "decrease", "target": 800, "unit": "ms", "baseline_pending": true}}).id(t)
	child := call(201, "owner", "POST", "/objectives", map[string]any{"period_id": ids.period, "title": "Faster checkout",
		"owner_ids": []int64{b.users["owner"].ID}, "editor_ids": []int64{b.users["member"].ID},
		"parents": []map[string]any{{"id": obj, "weight": 70}, {"type": "key_result", "id": kr, "weight": 30}}}).id(t)
	call(200, "owner", "PATCH", "/objectives/{id}", map[string]any{"stated_status": "behind"}, child)
	// An objective's parent is no initiative, as the schemas say.
	if p := b.must(t, 422, "owner", "PATCH", fmt.Sprintf("%s/objectives/%d", org, child), map[string]any{"parent": map[string]any{"type": "initiative", "id": ini}}).problem(t); p.Field != "parent.type" {
		t.Fatalf("an initiative as an objective's parent: problem %+v, want field parent.type", p)
	}

	comments := map[string]int64{}
	for _, c := range []struct {
		template string
		id       int64
	}{{"/objectives/{id}/comments", obj}, {"/key-results/{id}/comments", kr}, {"/initiatives/{id}/comments", ini}, {"/check-ins/{id}/comments", checkIn}} {
		comments[c.template] = call(201, "owner", "POST", c.template, map[string]any{"body": "Thanks @member"}, c.id).id(t)
		call(200, "viewer", "GET", c.template, nil, c.id)
	}
	call(200, "owner", "PATCH", "/comments/{id}", map[string]any{"body": "Thanks a lot @member"}, comments["/check-ins/{id}/comments"])
	call(200, "viewer", "GET", "/check-ins/{id}/comments", nil, checkIn)

	reads := func() {
		t.Helper()
		call(200, "viewer", "GET", "/objectives", nil)
		call(200, "viewer", "GET", "/objectives/{id}", nil, obj)
		call(200, "viewer", "GET", "/objectives/{id}", nil, child)
		call(200, "viewer", "GET", "/key-results", nil)
		call(200, "viewer", "GET", "/key-results/{id}", nil, kr)
		call(200, "viewer", "GET", "/key-results/{id}", nil, pending)
		call(200, "viewer", "GET", "/key-results/{id}/check-ins", nil, kr)
		call(200, "viewer", "GET", "/initiatives/{id}/check-ins", nil, ini)
		for _, c := range []struct {
			template string
			id       int64
		}{{"/objectives/{id}/history", child}, {"/key-results/{id}/history", kr}, {"/initiatives/{id}/history", ini}, {"/check-ins/{id}/history", checkIn}} {
			call(200, "viewer", "GET", c.template, nil, c.id)
		}
	}
	reads()
	t.Run("AfterTheClose", func(t *testing.T) {
		b.must(t, 200, "admin", "POST", fmt.Sprintf("%s/periods/%d/close", org, ids.period), map[string]any{"closing_note": "Done"})
		reads()
	})
}

// openAPIDoc is the OpenAPI document as the schema checks read it.
type openAPIDoc struct {
	Paths map[string]map[string]struct {
		Responses map[string]struct {
			Content map[string]struct {
				Schema *openAPISchema `json:"schema"`
			} `json:"content"`
		} `json:"responses"`
	} `json:"paths"`
	Comps struct {
		Schemas openAPIComponents `json:"schemas"`
	} `json:"components"`
}

func openAPIDocument(t *testing.T) *openAPIDoc {
	t.Helper()
	var doc openAPIDoc
	if err := json.Unmarshal(web.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	return &doc
}

// matchResponse checks an answer against the JSON schema the document gives for the
// operation's status.
func (d *openAPIDoc) matchResponse(t *testing.T, method, path string, status int, body []byte) {
	t.Helper()
	res, ok := d.Paths[path][strings.ToLower(method)].Responses[strconv.Itoa(status)]
	if !ok || res.Content["application/json"].Schema == nil {
		t.Fatalf("%s %s: the OpenAPI document gives no JSON schema for status %d", method, path, status)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	for _, p := range d.Comps.Schemas.check(method+" "+path, res.Content["application/json"].Schema, v, 0) {
		t.Error(p)
	}
}

// openAPISchema is the part of a JSON schema that says what an answer holds: its fields,
// their types, formats and allowed values.
type openAPISchema struct {
	Ref        string                    `json:"$ref"`
	Type       any                       `json:"type"` // a type name, or a list of them
	Format     string                    `json:"format"`
	Enum       []any                     `json:"enum"`
	Required   []string                  `json:"required"`
	Properties map[string]*openAPISchema `json:"properties"`
	Items      *openAPISchema            `json:"items"`
	OneOf      []*openAPISchema          `json:"oneOf"`
	AnyOf      []*openAPISchema          `json:"anyOf"`
}

// openAPIComponents are the named schemas of the OpenAPI document.
type openAPIComponents map[string]*openAPISchema

func openAPISchemas(t *testing.T) openAPIComponents {
	t.Helper()
	var doc struct {
		Comps struct {
			Schemas openAPIComponents `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(web.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Comps.Schemas
}

// match checks the JSON answer data against the named schema: every field written is
// documented and every field documented is written, at every level, and each value has the
// documented type, format and one of the documented values.
func (cs openAPIComponents) match(t *testing.T, what, name string, data []byte) {
	t.Helper()
	s, ok := cs[name]
	if !ok {
		t.Fatalf("%s: no schema %s", what, name)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	for _, p := range cs.check(what+" ("+name+")", s, v, 0) {
		t.Error(p)
	}
}

// resolve follows $refs and picks the object branch of a oneOf (an optional object is
// documented as one of the object and null).
func (cs openAPIComponents) resolve(s *openAPISchema) *openAPISchema {
	for s != nil && s.Ref != "" {
		s = cs[strings.TrimPrefix(s.Ref, "#/components/schemas/")]
	}
	for _, o := range s.OneOf {
		if o = cs.resolve(o); o != nil && o.Properties != nil {
			return o
		}
	}
	return s
}

// check returns how v disagrees with the schema s, one line a disagreement.
func (cs openAPIComponents) check(path string, s *openAPISchema, v any, depth int) []string {
	for s != nil && s.Ref != "" {
		s = cs[strings.TrimPrefix(s.Ref, "#/components/schemas/")]
	}
	if s == nil || depth > 10 {
		return nil
	}
	if branches := append(slices.Clone(s.OneOf), s.AnyOf...); len(branches) > 0 {
		// An optional value is documented as one of a schema and null: v must match a branch.
		var best []string
		for _, b := range branches {
			ps := cs.check(path, b, v, depth+1)
			if len(ps) == 0 {
				return nil
			}
			if best == nil || len(ps) < len(best) {
				best = ps
			}
		}
		return best
	}
	var out []string
	if types := schemaTypes(s.Type); len(types) > 0 && !slices.Contains(types, jsonType(v)) &&
		!(jsonType(v) == "integer" && slices.Contains(types, "number")) {
		return []string{fmt.Sprintf("%s: the API writes %s %s, the OpenAPI schema says %s", path, jsonType(v), compactJSON(v), strings.Join(types, " or "))}
	}
	if len(s.Enum) > 0 && !slices.ContainsFunc(s.Enum, func(e any) bool { return compactJSON(e) == compactJSON(v) }) {
		out = append(out, fmt.Sprintf("%s: the API writes %s, which is not among the OpenAPI schema's values %s", path, compactJSON(v), compactJSON(s.Enum)))
	}
	if str, ok := v.(string); ok {
		layout := map[string]string{"date-time": time.RFC3339Nano, "date": time.DateOnly}[s.Format]
		if _, err := time.Parse(layout, str); layout != "" && err != nil {
			out = append(out, fmt.Sprintf("%s: the API writes %q, not a %s", path, str, s.Format))
		}
	}
	switch x := v.(type) {
	case map[string]any:
		if s.Properties == nil {
			return out // free-form, such as the values of a field change
		}
		for _, f := range slices.Sorted(maps.Keys(x)) {
			fs, ok := s.Properties[f]
			if !ok {
				out = append(out, fmt.Sprintf("%s: the API writes %q, which the OpenAPI schema does not document", path, f))
				continue
			}
			out = append(out, cs.check(path+"."+f, fs, x[f], depth+1)...)
		}
		for _, f := range slices.Sorted(maps.Keys(s.Properties)) {
			if _, ok := x[f]; !ok {
				out = append(out, fmt.Sprintf("%s: the OpenAPI schema documents %q, which the API does not write", path, f))
			}
		}
		for _, f := range s.Required {
			if _, ok := x[f]; !ok && s.Properties[f] == nil {
				out = append(out, fmt.Sprintf("%s: the OpenAPI schema requires %q, which it does not document and the API does not write", path, f))
			}
		}
	case []any:
		for i, e := range x {
			out = append(out, cs.check(fmt.Sprintf("%s[%d]", path, i), s.Items, e, depth+1)...)
		}
	}
	return out
}

// schemaTypes lists the types a schema's "type" names.
func schemaTypes(t any) []string {
	switch x := t.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// jsonType names the JSON Schema type of a decoded JSON value.
func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if x == math.Trunc(x) && !math.IsInf(x, 0) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	default:
		return "object"
	}
}

func compactJSON(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}
