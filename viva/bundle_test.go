package viva_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/cairn-okr/cairn/viva"
)

// checkBundleExport asserts what testdata/bundle holds.
func checkBundleExport(t *testing.T, e *viva.Export) {
	t.Helper()
	if e.Format != viva.FormatBundle {
		t.Errorf("format = %q", e.Format)
	}
	var ids []int64
	for _, it := range e.Items {
		ids = append(ids, it.ID)
	}
	if !reflect.DeepEqual(ids, []int64{1001, 1002, 1003, 1004, 1005}) {
		t.Fatalf("item ids = %v, want both objectives files in name order", ids)
	}

	o := mustItem(t, e, 1001)
	wantOwners := []viva.Person{{ID: 501, Name: "Ram Sagoo", Email: "ram@contoso.com"}, {ID: 502, Name: "Roland Green", Email: "roland@contoso.com"}}
	if !reflect.DeepEqual(o.Owners, wantOwners) {
		t.Errorf("owners = %+v", o.Owners)
	}
	if o.Creator.Email != "ram@contoso.com" || o.Pos.File != "objectives_1.json" || o.Pos.Row != 1 {
		t.Errorf("creator %+v pos %+v", o.Creator, o.Pos)
	}
	if o.Period != (viva.Ref{ID: 701, Name: "Q1 2025"}) || len(o.Teams) != 2 || o.Teams[1] != (viva.Ref{ID: 602, Name: "Marketing, EMEA"}) {
		t.Errorf("period %+v teams %+v", o.Period, o.Teams)
	}
	if len(o.Tags) != 1 || o.Tags[0] != (viva.Ref{ID: 801, Name: "Growth"}) {
		t.Errorf("tags = %+v", o.Tags)
	}
	if o.ProgressSource != viva.ProgressChildren || o.ProgressRule != "Update from Children" || deref(o.Progress) != 40.0 {
		t.Errorf("progress source %q rule %q progress %v", o.ProgressSource, o.ProgressRule, deref(o.Progress))
	}
	if o.Metric != nil {
		t.Errorf("objective metric = %+v, want none", o.Metric)
	}
	if len(o.Comments) != 2 || o.Comments[0].Text != "Kick-off" || o.Comments[1].Text != "Great start; keep going" ||
		o.Comments[1].Author.Email != "roland@contoso.com" || !o.Comments[0].CreatedAt.Equal(time.Date(2025, 1, 2, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("comments = %+v", o.Comments)
	}
	if !o.LastCheckIn.Equal(time.Date(2025, 3, 10, 20, 57, 8, 0, time.UTC)) {
		t.Errorf("last check-in = %v", o.LastCheckIn)
	}

	kr := mustItem(t, e, 1002)
	if len(kr.Alignments) != 1 || kr.Alignments[0].ParentID != 1001 || deref(kr.Alignments[0].Weight) != 14.29 {
		t.Errorf("alignments = %+v", kr.Alignments)
	}
	m := kr.Metric
	if m == nil || m.Name != "ARR" || m.Unit != "$" || m.Kind != viva.MetricCurrency || deref(m.Start) != 200000.0 ||
		deref(m.Target) != 1200000.0 || m.Direction != viva.DirectionIncrease || m.TargetType != "Increase From" {
		t.Fatalf("metric = %+v", m)
	}
	if len(m.PhasedTargets) != 2 || m.PhasedTargets[1] != (viva.PhasedTarget{Date: date(2025, 2, 28), Value: 800000}) {
		t.Errorf("phased targets = %+v", m.PhasedTargets)
	}
	if kr.ProgressSource != viva.ProgressManual {
		t.Errorf("progress source = %q", kr.ProgressSource)
	}
	if len(kr.CheckIns) != 2 {
		t.Fatalf("check-ins = %+v", kr.CheckIns)
	}
	first, last := kr.CheckIns[0], kr.CheckIns[1]
	if first.ID != 9002 || first.Note != "First deal" || deref(first.Value) != 300000.0 || first.ValueText != "300,000" {
		t.Errorf("first check-in = %+v", first)
	}
	if last.ID != 9001 || last.Note != "Two deals slipped; one moved to Q2\nRenewals next" ||
		!strings.HasPrefix(last.NoteHTML, "<p>Two deals") || last.Status != viva.StatusBehind ||
		last.Author != (viva.Person{ID: 502, Name: "Roland Green", Email: "roland@contoso.com"}) || last.Integration != "" ||
		!last.ActivityAt.Equal(time.Date(2025, 3, 10, 20, 57, 8, 0, time.UTC)) || last.Pos != (viva.Position{File: "checkins_1.json", Row: 1}) {
		t.Errorf("last check-in = %+v", last)
	}

	d := mustItem(t, e, 1003)
	if d.Kind != viva.KindInitiative || d.ProgressSource != viva.ProgressIntegration || d.DataSource != "Azure DevOps" || !d.AzureDevOps() {
		t.Errorf("deliverable kind %q source %q data source %q", d.Kind, d.ProgressSource, d.DataSource)
	}
	if d.Metric == nil || d.Metric.Unit != "%" || d.Metric.Kind != viva.MetricPercentage || deref(d.Metric.Target) != 100.0 {
		t.Errorf("deliverable metric = %+v", d.Metric)
	}
	for _, c := range d.CheckIns {
		if c.Integration != "Azure DevOps" {
			t.Errorf("check-in %d integration = %q", c.ID, c.Integration)
		}
	}

	o2 := mustItem(t, e, 1004)
	if len(o2.Alignments) != 2 || o2.Alignments[0].ParentID != 1002 || o2.Alignments[0].Counted() ||
		o2.Alignments[1].ParentID != 1001 || o2.Alignments[1].Weight != nil || !o2.Alignments[1].Counted() {
		t.Errorf("alignments = %+v, want Alignment first, then the Parent IDs it lacks", o2.Alignments)
	}
	if !o2.Aspirational || o2.Extra["Delegated To"] != `{"ID":502,"Name":"Roland Green","Email":"roland@contoso.com"}` {
		t.Errorf("aspirational %v extra %v", o2.Aspirational, o2.Extra)
	}

	closed := mustItem(t, e, 1005)
	if !closed.Closed() || deref(closed.Score) != 0.7 || closed.Metric.Direction != viva.DirectionDecrease {
		t.Errorf("closed %v score %v direction %q", closed.Closed(), deref(closed.Score), closed.Metric.Direction)
	}

	if len(e.People) != 3 || e.People[0] != (viva.Person{ID: 501, Name: "Ram Sagoo", Email: "ram@contoso.com"}) {
		t.Errorf("people = %+v, want the three users and no integration", e.People)
	}
	if len(e.Teams) != 2 || e.Teams[1].Parent != "Sales" || len(e.Teams[0].Owners) != 1 || e.Teams[0].Description != "Sells" {
		t.Errorf("teams = %+v", e.Teams)
	}
	if len(e.Periods) != 2 || e.Periods[0].Derived || e.Periods[0].End != date(2025, 3, 31) ||
		e.Periods[1] != (viva.Period{ID: 702, Name: "FY 2025", Start: date(2025, 1, 1), End: date(2025, 12, 31), Derived: true}) {
		t.Errorf("periods = %+v, want the listed one and the one an objective names", e.Periods)
	}
	if len(e.Tags) != 1 {
		t.Errorf("tags = %+v", e.Tags)
	}
}

func TestReadBundle(t *testing.T) {
	t.Parallel()
	t.Run("Folder", func(t *testing.T) {
		t.Parallel()
		var calls int
		var last [2]int
		e, err := viva.ReadBundle(os.DirFS("testdata/bundle"), viva.Options{Progress: func(done, total int) {
			calls++
			last = [2]int{done, total}
		}})
		if err != nil {
			t.Fatal(err)
		}
		checkBundleExport(t, e)
		// 3 users, 2 teams, 1 period, 1 tag, 5 items, 4 check-ins, 2 comments.
		if last != [2]int{18, 18} || calls != 19 {
			t.Errorf("progress: %d calls, last %v", calls, last)
		}
	})
	t.Run("Zip", func(t *testing.T) {
		t.Parallel()
		data := zipFolder(t, "testdata/bundle", "VivaGoalsExport/")
		e, err := viva.ReadBundleZip(bytes.NewReader(data), int64(len(data)), viva.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range e.Items {
			it.Pos.File = strings.TrimPrefix(it.Pos.File, "VivaGoalsExport/")
			for i := range it.CheckIns {
				it.CheckIns[i].Pos.File = strings.TrimPrefix(it.CheckIns[i].Pos.File, "VivaGoalsExport/")
			}
		}
		checkBundleExport(t, e)

		path := filepath.Join(t.TempDir(), "export.zip")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		e, err = viva.ReadFile(path, viva.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if e.Format != viva.FormatBundle || len(e.Items) != 5 {
			t.Errorf("ReadFile: format %q items %d", e.Format, len(e.Items))
		}
	})
}

// zipFolder zips the files of dir under prefix, with a macOS resource fork beside them as
// Finder leaves them, which the reader must skip.
func zipFolder(t *testing.T, dir, prefix string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, ent := range entries {
		data, err := os.ReadFile(filepath.Join(dir, ent.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{prefix + ent.Name(), "__MACOSX/" + prefix + "._" + ent.Name()} {
			w, err := zw.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(name, "__MACOSX") {
				data = []byte{0, 5, 22, 7}
			}
			if _, err := w.Write(data); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadBundleErrors(t *testing.T) {
	t.Parallel()
	const okItem = `{"ID": 1, "Title": "A", "Type": "Objective"}`
	type where struct {
		file, column string
		row          int
		msg          string
	}
	tests := []struct {
		name  string
		files map[string]string
		want  []where
	}{
		{name: "ErrNoObjectives", files: map[string]string{"Users_1.json": `[]`},
			want: []where{{"objectives_*.json", "", 0, "no objectives file"}}},
		{name: "ErrNotJSON", files: map[string]string{"objectives_1.json": `[{"ID": 1,]`},
			want: []where{{"objectives_1.json", "", 0, "not valid JSON"}}},
		{name: "ErrNotAnArray", files: map[string]string{"objectives_1.json": `{"ID": 1}`},
			want: []where{{"objectives_1.json", "", 0, "not a JSON array"}}},
		{name: "ErrRecordNotObject", files: map[string]string{"objectives_1.json": `[` + okItem + `, 7]`},
			want: []where{{"objectives_1.json", "", 2, "not a JSON object"}}},
		{name: "ErrBadFields", files: map[string]string{"objectives_1.json": `[
			{"ID": "x1", "Title": "A", "Type": "Objective"},
			{"ID": 2, "Title": "", "Type": "Objective"},
			{"ID": 3, "Title": "C", "Type": "Objective", "Start Date": "2025-31-01"},
			{"ID": 4, "Title": "D", "Type": "Key result", "Outcome": {"Target": "lots"}},
			{"ID": 5, "Title": "E", "Type": "Objective", "Alignment": [{"ID": 4, "Weight": "heavy"}]},
			{"ID": 6, "Title": "F", "Type": "Objective", "Owner": [42]},
			{"ID": 7, "Title": "G", "Type": "Objective", "Score": 3}
		]`}, want: []where{
			{"objectives_1.json", "ID", 1, `Id "x1" is not a whole number`},
			{"objectives_1.json", "Title", 2, "title is empty"},
			{"objectives_1.json", "Start Date", 3, "out of range"},
			{"objectives_1.json", "Outcome.Target", 4, `"lots" is not a number`},
			{"objectives_1.json", "Alignment[0].Weight", 5, `weight "heavy"`},
			{"objectives_1.json", "Owner[0]", 6, "want a person, not a JSON number"},
			{"objectives_1.json", "Score", 7, "not between 0 and 1"},
		}},
		{name: "ErrDangling", files: map[string]string{
			"objectives_1.json": `[` + okItem + `, {"ID": 2, "Title": "B", "Type": "Key result", "Parent IDs": [1, 3]}]`,
			"checkins_1.json":   `[{"OKR ID": 9, "CheckIn Date": "2025-01-01"}, {"OKR ID": 1}]`,
			"comments_1.json":   `[{"OKR ID": 8, "Comment": "hi"}]`,
		}, want: []where{
			{"checkins_1.json", "OKR ID", 1, "Id 9, which is not in the export"},
			{"checkins_1.json", "CheckIn Date", 2, "no date"},
			{"comments_1.json", "OKR ID", 1, "Id 8, which is not in the export"},
			{"objectives_1.json", "Alignment", 2, "aligns to Id 3"},
		}},
		{name: "ErrOnlyTheBadItem", files: map[string]string{
			"objectives_1.json": `[{"ID": 1, "Title": "A", "Type": "Moonshot"}, {"ID": 2, "Title": "B", "Type": "Key result", "Parent IDs": [1]}]`,
			"checkins_1.json":   `[{"OKR ID": 1, "CheckIn Date": "2025-01-01"}]`,
		}, want: []where{{"objectives_1.json", "Type", 1, `object type "Moonshot"`}}},
		{name: "ErrDuplicateId", files: map[string]string{"objectives_1.json": `[` + okItem + `]`, "objectives_2.json": `[` + okItem + `]`},
			want: []where{{"objectives_2.json", "ID", 1, "Id 1 is used twice: also by objectives_1.json record 1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fsys := fstest.MapFS{}
			for name, data := range tt.files {
				fsys[name] = &fstest.MapFile{Data: []byte(data)}
			}
			_, err := viva.ReadBundle(fsys, viva.Options{})
			var pe *viva.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error = %v, want a *viva.ParseError", err)
			}
			if len(pe.Problems) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(pe.Problems), len(tt.want), err)
			}
			for i, w := range tt.want {
				p := pe.Problems[i]
				if p.File != w.file || p.Row != w.row || p.Column != w.column || !strings.Contains(p.Message, w.msg) {
					t.Errorf("problem %d = %+v\nwant %+v", i, p, w)
				}
			}
		})
	}
}

func TestReadBundleDropDangling(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"objectives_1.json": {Data: []byte(`[{"ID": 1, "Title": "A", "Type": "Objective", "Parent IDs": [3]}]`)},
		"checkins_1.json":   {Data: []byte(`[{"OKR ID": 9, "CheckIn Date": "2025-01-01"}]`)},
	}
	e, err := viva.ReadBundle(fsys, viva.Options{DropDangling: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Warnings) != 2 || len(mustItem(t, e, 1).Alignments) != 0 {
		t.Errorf("warnings = %v", e.Warnings)
	}
}

func TestReadBundleLenientShapes(t *testing.T) {
	t.Parallel()
	// Ids as strings, a single owner object instead of a list, names instead of objects, a
	// note as plain text, a data source as an object and field names spelled differently.
	fsys := fstest.MapFS{"export/OBJECTIVES.json": {Data: []byte(`[{
		"id": "12", "title": "A", "object_type": "Key Result", "owner": {"Name": "Ada"},
		"teams": ["Core; Platform"], "time_period": "H1",
		"progress_and_status_configuration": {"progress": "Automatic", "data_source": {"Name": "Jira Cloud"}},
		"metric name": "Bugs", "unit": "Number", "start": "50", "target": "10"
	}]`)}}
	e, err := viva.ReadBundle(fsys, viva.Options{})
	if err != nil {
		t.Fatal(err)
	}
	it := mustItem(t, e, 12)
	if it.Kind != viva.KindKeyResult || len(it.Owners) != 1 || it.Owners[0].Name != "Ada" || it.Period.Name != "H1" ||
		len(it.Teams) != 1 || it.DataSource != "Jira Cloud" || it.ProgressSource != viva.ProgressIntegration {
		t.Errorf("item = %+v", it)
	}
	if it.Metric == nil || it.Metric.Direction != viva.DirectionDecrease || deref(it.Metric.Target) != 10.0 {
		t.Errorf("metric = %+v", it.Metric)
	}
}

func TestParentsFirst(t *testing.T) {
	t.Parallel()
	// Children listed before their parents, and a diamond: 4 aligns to 2 and 3.
	fsys := fstest.MapFS{"objectives_1.json": {Data: []byte(`[
		{"ID": 4, "Title": "D", "Type": "Deliverable", "Parent IDs": [2, 3]},
		{"ID": 2, "Title": "B", "Type": "Key result", "Parent IDs": [1]},
		{"ID": 5, "Title": "E", "Type": "Objective"},
		{"ID": 3, "Title": "C", "Type": "Key result", "Parent IDs": [1, 5]},
		{"ID": 1, "Title": "A", "Type": "Objective"}
	]`)}}
	e, err := viva.ReadBundle(fsys, viva.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var order []int64
	for _, it := range e.ParentsFirst() {
		order = append(order, it.ID)
	}
	if !reflect.DeepEqual(order, []int64{5, 1, 2, 3, 4}) {
		t.Errorf("order = %v", order)
	}
}
