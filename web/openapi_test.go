package web_test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

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
// initiatives and metrics name exactly the fields the API writes, so that a field added to
// the model cannot go undocumented.
func TestOpenAPIKeyResultSchemasMatchTheJSON(t *testing.T) {
	t.Parallel()
	var doc struct {
		Comps struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(web.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	metric := cairn.Metric{Kind: cairn.MetricNumber, Goal: cairn.GoalDecrease, Start: 1500, Target: 800, Unit: "ms",
		Milestones: []cairn.Milestone{{Date: cairn.Date{Year: 2026, Month: 8, Day: 31}, Value: 1200}}}
	trend := &progress.Trend{Direction: progress.Down, Effect: progress.Better, Points: 3}
	for name, v := range map[string]any{
		"KeyResult":  cairn.KeyResultView{KeyResult: &cairn.KeyResult{Metric: metric}, Trend: trend},
		"Initiative": cairn.InitiativeView{Initiative: &cairn.Initiative{Metric: &metric}, Trend: trend},
		"Metric":     metric,
		"Milestone":  metric.Milestones[0],
	} {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(data, &fields); err != nil {
			t.Fatal(err)
		}
		documented := doc.Comps.Schemas[name].Properties
		for f := range fields {
			if _, ok := documented[f]; !ok {
				t.Errorf("%s: the API writes %q, which the OpenAPI schema does not document", name, f)
			}
		}
		for f := range documented {
			if _, ok := fields[f]; !ok {
				t.Errorf("%s: the OpenAPI schema documents %q, which the API does not write", name, f)
			}
		}
	}
}
