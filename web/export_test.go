package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/viva"
	"github.com/cairn-okr/cairn/vivaexport"
	"github.com/cairn-okr/cairn/vivaimport"
	"github.com/xuri/excelize/v2"
)

// roundTripTree builds, in fabrikam, a period with a team, two objectives (one aligned to
// a key result and to the other objective, with weights), key results of every goal with
// negative values, a unit-less currency and titles a spreadsheet would run as formulas,
// initiatives of both modes (one not contributing), and check-ins with notes, statuses and
// semicolons.
func roundTripTree(t *testing.T, b *testBundle) (period int64) {
	t.Helper()
	org := "/api/v1/orgs/fabrikam"
	period = b.must(t, 201, "admin", "POST", org+"/periods", map[string]any{"name": "Q3 2026", "start": "2026-07-01", "end": "2026-09-30"}).id(t)
	team := b.must(t, 201, "admin", "POST", org+"/teams", map[string]any{"name": "Checkout, web", "member_ids": []int64{b.users["owner"].ID}}).id(t)
	owner, member := b.users["owner"].ID, b.users["member"].ID
	o1 := b.must(t, 201, "owner", "POST", org+"/objectives", map[string]any{"period_id": period, "title": "=HYPERLINK(\"http://evil\") shoppers", "level": "team", "team_id": team,
		"aspirational": true, "description": "@everyone why it matters", "owner_ids": []int64{owner, member}}).id(t)
	kr := func(title string, metric map[string]any, extra map[string]any) int64 {
		body := map[string]any{"objective_id": o1, "title": title, "metric": metric, "owner_ids": []int64{owner}}
		for k, v := range extra {
			body[k] = v
		}
		return b.must(t, 201, "owner", "POST", org+"/key-results", body).id(t)
	}
	checkIn := func(kind string, id int64, body map[string]any) {
		b.must(t, 201, "owner", "POST", fmt.Sprintf("%s/%s/%d/check-ins", org, kind, id), body)
	}
	kr1 := kr("Checkout conversion", map[string]any{"kind": "percentage", "start": 0, "target": 100, "unit": "%"}, nil)
	checkIn("key-results", kr1, map[string]any{"value": 30, "note": "first; with a semicolon", "status": "on_track"})
	checkIn("key-results", kr1, map[string]any{"value": 45, "note": "-2 regressions fixed", "confidence": 7})
	kr2 := kr("-5% page weight", map[string]any{"kind": "number", "start": 200, "target": 100, "unit": "ms"}, map[string]any{"weight": 0.5})
	checkIn("key-results", kr2, map[string]any{"value": 150})
	kr3 := kr("Revenue floor", map[string]any{"kind": "currency", "goal": "stay_above", "start": 10, "target": 50}, nil)
	checkIn("key-results", kr3, map[string]any{"value": 60, "status": "on_track"})
	kr4 := kr("+Net promoter", map[string]any{"kind": "number", "start": -10.5, "target": 10}, nil)
	checkIn("key-results", kr4, map[string]any{"value": -5.25})
	i1 := b.must(t, 201, "owner", "POST", org+"/initiatives", map[string]any{"parent": map[string]any{"type": "key_result", "id": kr1}, "title": "New checkout",
		"contributes": true, "progress_mode": "manual", "owner_ids": []int64{member}}).id(t)
	checkIn("initiatives", i1, map[string]any{"value": 80, "note": "almost"})
	i2 := b.must(t, 201, "owner", "POST", org+"/initiatives", map[string]any{"parent": map[string]any{"type": "objective", "id": o1}, "title": "Audit",
		"contributes": false, "progress_mode": "metric", "metric": map[string]any{"kind": "number", "start": 0, "target": 10, "unit": "pages"}, "owner_ids": []int64{owner}}).id(t)
	checkIn("initiatives", i2, map[string]any{"value": 4})
	b.must(t, 201, "owner", "POST", org+"/objectives", map[string]any{"period_id": period, "title": "Faster pages", "level": "organization", "owner_ids": []int64{member},
		"parents": []map[string]any{{"type": "key_result", "id": kr2, "weight": 0.7}, {"type": "objective", "id": o1, "weight": 0.3}}})
	return period
}

// describe writes every item of an organization in words that do not depend on its ids:
// kind, title, period, team, owners by name, progress and status, what it belongs and
// aligns to with weights, its metric, and its check-ins with their authors.
func describe(t *testing.T, b *testBundle, org string) []string {
	t.Helper()
	ctx := cairn.NewContext(context.Background(), b.users["tenant"])
	svc := cairn.NewService(b.db, cairn.ServiceOptions{Now: func() time.Time { return b.now }})
	items, err := svc.ListItems(ctx, org, cairn.ViewFilter{})
	if err != nil {
		t.Fatal(err)
	}
	members, err := svc.ListMembers(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	teams, err := svc.ListTeams(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	people := map[int64]string{}
	for _, m := range members {
		people[m.UserID] = m.Name
	}
	names := func(ids []int64) string {
		var out []string
		for _, id := range ids {
			out = append(out, people[id])
		}
		slices.Sort(out)
		return strings.Join(out, "+")
	}
	title := map[cairn.Ref]string{}
	for _, it := range items {
		title[it.Ref] = it.Title()
	}
	parents := func(ps []cairn.Alignment) string {
		var out []string
		for _, p := range ps {
			out = append(out, fmt.Sprintf("%s %q w%.4g", p.Type, title[p.Ref()], p.Weight))
		}
		return strings.Join(out, ", ")
	}
	metric := func(m cairn.Metric) string {
		return fmt.Sprintf("%s %s %g→%g now %g unit %q", m.Kind, m.Goal, m.Start, m.Target, m.Current, m.Unit)
	}
	var out []string
	for _, it := range items {
		team := ""
		if it.Owner.TeamID != nil {
			for _, tm := range teams {
				if tm.ID == *it.Owner.TeamID {
					team = tm.Name
				}
			}
		}
		d := fmt.Sprintf("%s %q period %s team %q owners %s status %s", it.Ref.Type, it.Title(), it.Period.Name, team, names(it.OwnerIDs()), it.Status())
		var progress float64
		switch {
		case it.Objective != nil:
			o := it.Objective
			progress = o.Progress
			d += fmt.Sprintf(" aspirational %v description %q parents [%s]", o.Aspirational, o.Description, parents(o.Parents))
		case it.KeyResult != nil:
			k := it.KeyResult
			progress = k.Progress
			d += fmt.Sprintf(" under %q w%g source %s metric %s parents [%s]", title[cairn.Ref{Type: cairn.ItemObjective, ID: k.ObjectiveID}], k.Weight, k.ProgressSource, metric(k.Metric), parents(k.Parents))
		default:
			i := it.Initiative
			progress = i.Progress
			d += fmt.Sprintf(" under %q w%g contributes %v mode %s now %g", title[i.Parent], i.Weight, i.Contributes, i.ProgressMode, i.Current)
			if i.Metric != nil {
				d += " metric " + metric(*i.Metric)
			}
		}
		d += fmt.Sprintf(" progress %.4f", progress)
		if it.Ref.Type != cairn.ItemObjective {
			cs, err := svc.ListCheckIns(ctx, org, it.Ref, 100)
			if err != nil {
				t.Fatal(err)
			}
			slices.Reverse(cs)
			for _, c := range cs {
				author := ""
				if c.AuthorID != nil {
					author = people[*c.AuthorID]
				}
				d += fmt.Sprintf(" | %g %s %q by %s at %s", c.Value, c.Status, c.Note, author, c.CreatedAt.UTC().Format(time.RFC3339))
			}
		}
		out = append(out, d)
	}
	slices.Sort(out)
	return out
}

// TestExportRoundTripsThroughTheVivaImport exports a tree as CSV and as XLSX, imports each
// file into a fresh organization with the Viva Goals importer, and finds the same tree:
// titles, teams, owners, alignments and weights, metrics and values, statuses, progress
// and check-ins.
func TestExportRoundTripsThroughTheVivaImport(t *testing.T) {
	t.Parallel()
	b := setup(t)
	roundTripTree(t, b)
	want := describe(t, b, "fabrikam")
	if len(want) != 8 {
		t.Fatalf("the tree has %d items, want 8:\n%s", len(want), strings.Join(want, "\n"))
	}
	for _, format := range []string{"csv", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			res := b.must(t, 200, "viewer", "GET", "/api/v1/orgs/fabrikam/export?format="+format, nil)
			if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.HasSuffix(cd, "."+format+`"`) {
				t.Errorf("Content-Disposition %q", cd)
			}
			var exp *viva.Export
			var err error
			if format == "csv" {
				exp, err = viva.ReadCSV(bytes.NewReader(res.Body), viva.Options{})
			} else {
				exp, err = viva.ReadXLSX(bytes.NewReader(res.Body), viva.Options{})
			}
			if err != nil {
				t.Fatalf("the importer cannot read the export: %v", err)
			}
			slug := "roundtrip-" + format
			b.must(t, 201, "tenant", "POST", "/api/v1/orgs", map[string]any{"name": "Round trip " + format, "slug": slug})
			org, err := b.db.OrgBySlug(context.Background(), slug)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := vivaimport.Import(context.Background(), b.db, org, exp, vivaimport.Options{Now: func() time.Time { return b.now }}); err != nil {
				t.Fatalf("import: %v", err)
			}
			got := describe(t, b, slug)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("the round trip changed the tree:\n got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestExportNeutralisesFormulas checks that text a spreadsheet would run as a formula is
// quoted in CSV and XLSX alike, while numbers, negative ones included, stay numbers.
func TestExportNeutralisesFormulas(t *testing.T) {
	t.Parallel()
	b := setup(t)
	roundTripTree(t, b)
	res := b.must(t, 200, "viewer", "GET", "/api/v1/orgs/fabrikam/export?format=csv", nil)
	if !bytes.HasPrefix(res.Body, []byte("\ufeff")) {
		t.Error("the CSV has no byte order mark")
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(res.Body, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int { return slices.Index(recs[0], name) }
	byTitle := map[string][]string{}
	for _, r := range recs[1:] {
		byTitle[r[col("Title")]] = r
	}
	if _, ok := byTitle["'-5% page weight"]; !ok {
		t.Errorf("a title starting with - is not quoted: titles %v", titlesOf(byTitle))
	}
	if _, ok := byTitle["'+Net promoter"]; !ok {
		t.Errorf("a title starting with + is not quoted: titles %v", titlesOf(byTitle))
	}
	nps := byTitle["'+Net promoter"]
	if nps != nil && (nps[col("Start")] != "-10.5" || nps[col("Actual Progress")] != "-5.25") {
		t.Errorf("negative numbers in CSV: start %q, actual %q; want -10.5 and -5.25 unquoted", nps[col("Start")], nps[col("Actual Progress")])
	}
	conv := byTitle["Checkout conversion"]
	if conv == nil || !strings.HasPrefix(conv[col("Aligned To (weight, Objective ID)")], "'=HYPERLINK") {
		t.Errorf("an alignment to a formula-like title is not quoted: %q", conv)
	}
	if conv != nil && conv[col("Last Check-in Note")] != "'-2 regressions fixed" {
		t.Errorf("note %q, want it quoted", conv[col("Last Check-in Note")])
	}

	res = b.must(t, 200, "viewer", "GET", "/api/v1/orgs/fabrikam/export?format=xlsx", nil)
	f, err := excelize.OpenReader(bytes.NewReader(res.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(vivaexport.SheetName)
	if err != nil {
		t.Fatal(err)
	}
	hcol := func(name string) int { return slices.Index(rows[0], name) }
	var sawObjective, sawNegative bool
	for n, r := range rows[1:] {
		cell := func(name string) string {
			c, _ := excelize.CoordinatesToCellName(hcol(name)+1, n+2)
			return c
		}
		switch r[hcol("Title")] {
		case `'=HYPERLINK("http://evil") shoppers`:
			sawObjective = true
			if r[hcol("Description")] != "'@everyone why it matters" {
				t.Errorf("XLSX description %q, want it quoted", r[hcol("Description")])
			}
			if f, _ := f.GetCellFormula(vivaexport.SheetName, cell("Title")); f != "" {
				t.Errorf("the title cell holds the formula %q", f)
			}
		case "'+Net promoter":
			sawNegative = true
			for _, name := range []string{"Start", "Actual Progress"} {
				typ, err := f.GetCellType(vivaexport.SheetName, cell(name))
				if err != nil {
					t.Fatal(err)
				}
				if typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
					t.Errorf("XLSX %s is of type %v, want a number", name, typ)
				}
				raw, _ := f.GetCellValue(vivaexport.SheetName, cell(name), excelize.Options{RawCellValue: true})
				if !strings.HasPrefix(raw, "-") {
					t.Errorf("XLSX %s is %q, want the negative number itself", name, raw)
				}
			}
		}
	}
	if !sawObjective || !sawNegative {
		t.Errorf("the XLSX lacks the formula-like rows (objective %v, negative %v)", sawObjective, sawNegative)
	}
}

func titlesOf(m map[string][]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestExportFiltersAndViews checks that the export takes the list's filters or a saved
// view, one row per matching item, and refuses bad parameters with a problem.
func TestExportFiltersAndViews(t *testing.T) {
	t.Parallel()
	b := setup(t)
	period := roundTripTree(t, b)
	org := "/api/v1/orgs/fabrikam"
	titles := func(path string) []string {
		t.Helper()
		res := b.must(t, 200, "member", "GET", path, nil)
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(res.Body, []byte("\ufeff")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range recs[1:] {
			out = append(out, r[1]+" ("+r[13]+")")
		}
		slices.Sort(out)
		return out
	}
	if got := titles(fmt.Sprintf("%s/export?period_id=%d", org, period)); len(got) != 8 {
		t.Errorf("the period's export has %d rows, want 8: %v", len(got), got)
	}
	got := titles(fmt.Sprintf("%s/export?owner_id=%d&type=initiative", org, b.users["member"].ID))
	if want := []string{"New checkout (Initiative)"}; !slices.Equal(got, want) {
		t.Errorf("member's initiatives: %v, want %v", got, want)
	}
	got = titles(org + "/export?level=organization")
	if want := []string{"Faster pages (Objective)"}; !slices.Equal(got, want) {
		t.Errorf("organization level: %v, want %v", got, want)
	}
	got = titles(org + "/export?source=manual&type=key_result&status=on_track")
	for _, g := range got {
		if !strings.HasSuffix(g, "(Key Result)") {
			t.Errorf("source=manual&type=key_result gave %v", got)
		}
	}
	if len(got) == 0 {
		t.Error("no manual key result on track")
	}
	if got := titles(org + "/export?source=azure-devops"); len(got) != 0 {
		t.Errorf("no item is tracked from Azure DevOps, yet the export lists %v", got)
	}

	// A team's export holds its objective with every key result and initiative under it,
	// and not the organization's objective; the items list agrees.
	var teams struct {
		Items []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	b.must(t, 200, "member", "GET", org+"/teams", nil).json(t, &teams)
	var team int64
	for _, tm := range teams.Items {
		if tm.Name == "Checkout, web" {
			team = tm.ID
		}
	}
	got = titles(fmt.Sprintf("%s/export?team_id=%d", org, team))
	wantTeam := []string{"'=HYPERLINK(\"http://evil\") shoppers (Objective)", "'+Net promoter (Key Result)", "'-5% page weight (Key Result)", "Audit (Initiative)",
		"Checkout conversion (Key Result)", "New checkout (Initiative)", "Revenue floor (Key Result)"}
	slices.Sort(wantTeam)
	if !slices.Equal(got, wantTeam) {
		t.Errorf("team %d's export:\n got %q\nwant %q", team, got, wantTeam)
	}
	var items struct {
		Items []struct {
			Title string `json:"title"`
		} `json:"items"`
	}
	b.must(t, 200, "member", "GET", fmt.Sprintf("%s/items?team_id=%d", org, team), nil).json(t, &items)
	if len(items.Items) != len(wantTeam) || slices.ContainsFunc(items.Items, func(it struct {
		Title string `json:"title"`
	}) bool {
		return it.Title == "Faster pages"
	}) {
		t.Errorf("team %d's items: %+v, want the %d of its export", team, items.Items, len(wantTeam))
	}

	// A saved view gives the same rows as its filter.
	view := b.must(t, 201, "member", "POST", org+"/views", map[string]any{"name": "Mine", "filter": map[string]any{"owner_id": b.users["member"].ID, "type": "initiative"}}).id(t)
	if got := titles(fmt.Sprintf("%s/export?view_id=%d", org, view)); !slices.Equal(got, []string{"New checkout (Initiative)"}) {
		t.Errorf("the view's export: %v", got)
	}
	// Another member's private view is not found; a shared one is found.
	b.must(t, 404, "owner", "GET", fmt.Sprintf("%s/export?view_id=%d", org, view), nil)
	b.must(t, 200, "member", "PATCH", fmt.Sprintf("%s/views/%d", org, view), map[string]any{"shared": true})
	b.must(t, 200, "owner", "GET", fmt.Sprintf("%s/export?view_id=%d&format=xlsx", org, view), nil)

	for _, c := range []struct{ query, field string }{
		{"format=pdf", "format"},
		{"status=done", "status"},
		{"type=task", "type"},
		{"level=galaxy", "level"},
		{"source=jira", "source"},
		{"team_id=abc", "team_id"},
		{"period_id=-1", "period_id"},
		{"period_id=999999", "period_id"},
		{fmt.Sprintf("view_id=%d&status=at_risk", view), "status"},
	} {
		res := b.do(t, "member", "GET", org+"/export?"+c.query, nil)
		if res.Status != 422 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("?%s: status %d %s, want a 422 problem", c.query, res.Status, res.Header.Get("Content-Type"))
			continue
		}
		if p := res.problem(t); p.Field != c.field {
			t.Errorf("?%s: problem names field %q, want %q: %s", c.query, p.Field, c.field, p.Detail)
		}
	}
}
