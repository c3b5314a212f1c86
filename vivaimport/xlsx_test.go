package vivaimport_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/viva"
	"github.com/cairn-okr/cairn/vivaimport"
	"github.com/xuri/excelize/v2"
)

// writeVivaXLSX writes the Explorer export of testdata/explorer.csv as a workbook, the way
// Viva Goals' Explorer saves one: a single sheet whose first row is the header, with its
// unlabeled columns after Checkins, one row per item, the Ids and scores as numbers and every
// other cell as the text the Explorer shows, multi-line descriptions and notes included. It
// returns the workbook's path.
func writeVivaXLSX(tb testing.TB, csvPath string) string {
	tb.Helper()
	data, err := os.ReadFile(csvPath)
	must(tb, err)
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	must(tb, err)
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Sheet1"
	header := rows[0]
	numeric := map[string]bool{"Id": true, "Score": true}
	blank := 0
	for r, row := range rows {
		if r > 0 && strings.Join(row, "") == "" {
			blank++
			continue // a workbook keeps no blank rows
		}
		for c, v := range row {
			if v == "" {
				continue
			}
			cell, err := excelize.CoordinatesToCellName(c+1, r+1)
			must(tb, err)
			if r > 0 && c < len(header) && numeric[header[c]] {
				n, err := strconv.ParseFloat(v, 64)
				must(tb, err)
				must(tb, f.SetCellFloat(sheet, cell, n, -1, 64))
				continue
			}
			must(tb, f.SetCellStr(sheet, cell, v))
		}
	}
	if blank != 1 {
		tb.Fatalf("the fixture has %d blank rows, want its last", blank)
	}
	path := filepath.Join(tb.TempDir(), "explorer.xlsx")
	must(tb, f.SaveAs(path))
	return path
}

// TestImportVivaXLSX imports the Explorer export saved as XLSX on SQLite and PostgreSQL, and
// the same export as CSV into another database: the two hold the same items, owners,
// alignments with their weights, metrics, check-ins with their dates, authors, values,
// statuses and notes, scores, statuses and progress as the tree shows them, and the same
// records in the import's mappings; and the XLSX import loses nothing of the export.
func TestImportVivaXLSX(t *testing.T) {
	t.Parallel()
	const fixture = "../viva/testdata/explorer.csv"
	forEachDB(t, func(t *testing.T, fromXLSX *testBundle) {
		xlsx := read(t, writeVivaXLSX(t, fixture))
		if xlsx.Format != viva.FormatXLSX || len(xlsx.Items) != 6 {
			t.Fatalf("read the workbook as %s with %d items", xlsx.Format, len(xlsx.Items))
		}
		// The unlabeled check-in cells and the multi-line notes came through.
		if it, _ := xlsx.Lookup(1002); len(it.CheckIns) != 3 || !strings.Contains(it.CheckIns[1].Note, "green on our side\nNext steps: renewals;") {
			t.Fatalf("check-ins of 1002 from the workbook = %+v", it.CheckIns)
		}
		xsum := fromXLSX.apply(t, xlsx)
		checkLossless(t, fromXLSX, xlsx, xsum)

		fromCSV := setup(t, fromXLSX.dialect)
		csvExp := read(t, fixture)
		csum := fromCSV.apply(t, csvExp)

		for _, c := range csum.Counts {
			if x := xsum.Count(c.Kind); *x != *c {
				t.Errorf("%s: XLSX %+v, CSV %+v", c.Kind, *x, *c)
			}
		}
		if got, want := problemTexts(xsum), problemTexts(csum); !slices.Equal(got, want) {
			t.Errorf("problems of the XLSX import:\n%s\nof the CSV import:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if xsum.Rebind != csum.Rebind || len(xsum.MultiParent) != len(csum.MultiParent) {
			t.Errorf("XLSX: %d to re-bind, %d with several parents; CSV: %d, %d", xsum.Rebind, len(xsum.MultiParent), csum.Rebind, len(csum.MultiParent))
		}

		got, want := describe(t, fromXLSX), describe(t, fromCSV)
		if len(want) < 6 {
			t.Fatalf("the CSV import holds %d records: %v", len(want), want)
		}
		for _, k := range slices.Sorted(mapsKeys(want, got)) {
			if got[k] != want[k] {
				t.Errorf("%s\n  XLSX: %s\n  CSV:  %s", k, got[k], want[k])
			}
		}
	})
}

func mapsKeys(ms ...map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		seen := map[string]bool{}
		for _, m := range ms {
			for k := range m {
				if !seen[k] {
					seen[k] = true
					if !yield(k) {
						return
					}
				}
			}
		}
	}
}

// problemTexts lists a summary's problems as text, sorted.
func problemTexts(s *vivaimport.Summary) []string {
	out := make([]string, len(s.Problems))
	for n, p := range s.Problems {
		out[n] = p.Error()
	}
	slices.Sort(out)
	return out
}

// describe writes down, by Viva Goals Id, everything fabrikam holds of an import that is not
// an id of the database: each item with its period, team, owners, alignments (by the Viva Ids
// of their parents) and weights, metric, score and closing, the status and progress the tree
// shows, its check-ins or comments, and the import's record of it; the periods; the members.
func describe(tb testing.TB, b *testBundle) map[string]string {
	tb.Helper()
	w := b.load(tb)
	vivaOf := map[cairn.Ref]string{}
	for vid, o := range w.objectives {
		vivaOf[cairn.Ref{Type: cairn.ItemObjective, ID: o.ID}] = vid
	}
	for vid, k := range w.keyResults {
		vivaOf[cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}] = vid
	}
	for vid, i := range w.initiatives {
		vivaOf[cairn.Ref{Type: cairn.ItemInitiative, ID: i.ID}] = vid
	}
	for key, m := range w.mappings[cairn.MappingHolder] {
		vivaOf[cairn.Ref{Type: cairn.ItemObjective, ID: m.CairnID}] = "holder " + key
	}
	ref := func(r cairn.Ref) string {
		if v, ok := vivaOf[r]; ok {
			return string(r.Type) + " " + v
		}
		return string(r.Type) + " not imported"
	}
	parents := func(as []cairn.Alignment) []string {
		out := []string{}
		for _, a := range as {
			out = append(out, ref(a.Ref())+" weight "+strconv.FormatFloat(a.Weight, 'g', -1, 64))
		}
		return out
	}
	name := func(id *int64) string {
		if id == nil {
			return ""
		}
		return w.names([]int64{*id})[0]
	}
	period := func(id int64) string {
		p := w.periods[id]
		if p == nil {
			return "none"
		}
		closed := ""
		if p.ClosedAt != nil {
			closed = " closed"
		}
		return p.Name + " " + p.Start.String() + " to " + p.End.String() + closed
	}
	team := func(id *int64) string {
		if id == nil {
			return ""
		}
		if t := w.teams[*id]; t != nil {
			return t.Name
		}
		return "?"
	}
	evals := map[cairn.Ref]cairn.Eval{}
	for _, p := range w.periods {
		g, err := b.db.PeriodGraph(ctx, b.org.ID, p.ID)
		must(tb, err)
		for r, ev := range cairn.EvaluateGraph(g, b.org, now) {
			evals[r] = ev
		}
	}
	shown := func(r cairn.Ref) string {
		ev := evals[r]
		return string(ev.Status) + " " + strconv.FormatFloat(ev.Progress*100, 'f', 2, 64) + " %"
	}
	type checkIn struct {
		At     time.Time
		Author string
		Value  float64
		Status string
		Note   string
		Source cairn.CheckInSource
	}
	checkIns := func(r cairn.Ref) []checkIn {
		out := []checkIn{}
		for _, c := range b.checkIns(tb, r) {
			out = append(out, checkIn{At: c.CreatedAt.UTC(), Author: name(c.AuthorID), Value: c.Value, Status: c.Status, Note: c.Note, Source: c.Source})
		}
		return out
	}
	comments := func(r cairn.Ref) []string {
		cms, err := b.db.ListComments(ctx, b.org.ID, r)
		must(tb, err)
		out := []string{}
		for _, c := range cms {
			out = append(out, c.CreatedAt.UTC().Format(time.RFC3339)+" "+name(c.AuthorID)+": "+c.Body)
		}
		slices.Sort(out)
		return out
	}
	text := func(v any) string {
		b, err := json.Marshal(v)
		must(tb, err)
		return string(b)
	}
	out := map[string]string{}
	for vid, o := range w.objectives {
		r := cairn.Ref{Type: cairn.ItemObjective, ID: o.ID}
		out["objective "+vid] = text(map[string]any{"title": o.Title, "description": o.Description, "period": period(o.PeriodID),
			"level": o.Level, "team": team(o.TeamID), "owners": w.names(o.OwnerIDs), "aspirational": o.Aspirational,
			"parents": parents(o.Parents), "score": o.Score, "stated": o.StatedStatus, "closed": o.ClosedAt,
			"shown": shown(r), "comments": comments(r)})
	}
	for vid, k := range w.keyResults {
		r := cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}
		out["key result "+vid] = text(map[string]any{"title": k.Title, "description": k.Description,
			"objective": ref(cairn.Ref{Type: cairn.ItemObjective, ID: k.ObjectiveID}), "weight": k.Weight, "parents": parents(k.Parents),
			"metric": k.Metric, "source": k.ProgressSource, "owners": w.names(k.OwnerIDs), "score": k.Score, "closed": k.ClosedAt,
			"last check-in": k.LastCheckInAt, "shown": shown(r), "check-ins": checkIns(r), "comments": comments(r)})
	}
	for vid, i := range w.initiatives {
		r := cairn.Ref{Type: cairn.ItemInitiative, ID: i.ID}
		out["initiative "+vid] = text(map[string]any{"title": i.Title, "parent": ref(i.Parent), "weight": i.Weight,
			"contributes": i.Contributes, "mode": i.ProgressMode, "metric": i.Metric, "current": i.Current,
			"owners": w.names(i.OwnerIDs), "score": i.Score, "closed": i.ClosedAt, "last check-in": i.LastCheckInAt,
			"shown": shown(r), "check-ins": checkIns(r), "comments": comments(r)})
	}
	for _, p := range w.periods {
		out["period "+p.Name] = period(p.ID)
	}
	for _, m := range w.members {
		out["member "+m.Name] = text(map[string]any{"role": m.Role, "unclaimed": m.Unclaimed})
	}
	// The import's records: everything the export said, Cairn's columns or not.
	for _, kind := range cairn.MappingKinds {
		for vid, m := range w.mappings[kind] {
			out["record "+string(kind)+" "+vid] = m.Data
		}
	}
	rebind, err := b.db.ListRebinds(ctx, b.org.ID, true)
	must(tb, err)
	var rb []string
	for _, e := range rebind {
		rb = append(rb, ref(e.Item)+": "+e.Reason)
	}
	slices.Sort(rb)
	out["re-bind"] = strings.Join(rb, "; ")
	return out
}
