package viva_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/cairn-okr/cairn/viva"
)

// checkResult asserts what holds for any input: either an export or an error, problems that
// say where they are, and an export whose Ids are unique, whose alignments resolve and whose
// items can be ordered parents first.
func checkResult(t *testing.T, e *viva.Export, err error, minRow int) {
	t.Helper()
	if (e == nil) == (err == nil) {
		t.Fatalf("export %v and error %v: want exactly one", e != nil, err)
	}
	if err != nil {
		var pe *viva.ParseError
		if errors.As(err, &pe) {
			if len(pe.Problems) == 0 || len(pe.Problems) > viva.DefaultMaxProblems {
				t.Fatalf("%d problems", len(pe.Problems))
			}
			for _, p := range pe.Problems {
				if p.Row < minRow || p.Message == "" {
					t.Fatalf("problem without a place or message: %+v", p)
				}
			}
		}
		return
	}
	seen := map[int64]bool{}
	for _, it := range e.Items {
		if it.ID <= 0 || seen[it.ID] {
			t.Fatalf("item Id %d repeated or not positive", it.ID)
		}
		seen[it.ID] = true
		if it.Title == "" || it.Kind == "" {
			t.Fatalf("item %d without title or kind", it.ID)
		}
	}
	for _, it := range e.Items {
		for _, a := range it.Alignments {
			if !seen[a.ParentID] || a.ParentID == it.ID {
				t.Fatalf("item %d aligns to %d", it.ID, a.ParentID)
			}
		}
	}
	order := e.ParentsFirst()
	if len(order) != len(e.Items) {
		t.Fatalf("parents first gave %d of %d items", len(order), len(e.Items))
	}
	placed := map[int64]bool{}
	for _, it := range order {
		for _, p := range it.ParentIDs() {
			if !placed[p] {
				t.Fatalf("item %d comes before its parent %d", it.ID, p)
			}
		}
		placed[it.ID] = true
	}
}

func FuzzParseCSV(f *testing.F) {
	data, err := os.ReadFile("testdata/explorer.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(csvOf(`1,A,Objective,,,,"B (x)(weight: 5%, Id: 2)",,,,,,`, `2,B,Key result,,,,,1%,Closed,0.5,"Checkin Date: 2025-01-01; Note: a;b",,`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := viva.ReadCSV(bytes.NewReader(data), viva.Options{})
		checkResult(t, e, err, 1)
	})
}

func FuzzParseCheckIn(f *testing.F) {
	f.Add("Checkin Date: 2025-03-10; User: Roland Green; Note: a; b\nc; Metric Name: Progress; Status: On Track; Current Value: 25%; Activity Date: 2025-03-10 20:57:08 UTC;")
	f.Add("Checkin Date: 3/10/2025; Current Value: $1,200.50")
	f.Fuzz(func(t *testing.T, cell string) {
		c, err := viva.ParseCheckIn(cell, viva.Options{})
		if err != nil {
			return
		}
		if c.Date.IsZero() {
			t.Fatalf("no date from %q", cell)
		}
		if c.Value == nil && strings.TrimSpace(c.ValueText) != "" {
			t.Fatalf("value text %q without a value", c.ValueText)
		}
		if utf8.ValidString(cell) && (!utf8.ValidString(c.Note) || strings.TrimSpace(c.Note) != c.Note) {
			t.Fatalf("note %q not trimmed", c.Note)
		}
	})
}

func FuzzReadBundle(f *testing.F) {
	objectives, err := os.ReadFile("testdata/bundle/objectives_1.json")
	if err != nil {
		f.Fatal(err)
	}
	checkins, err := os.ReadFile("testdata/bundle/checkins_1.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(objectives, checkins)
	f.Add([]byte(`[{"ID": 1, "Title": "A", "Type": "Objective", "Parent IDs": [2]}, {"ID": 2, "Title": "B", "Type": "Key result"}]`), []byte(`[{"OKR ID": 2, "CheckIn Date": "2025-01-01", "Check In Note": {"Check In Note": "x"}}]`))
	f.Fuzz(func(t *testing.T, objectives, checkins []byte) {
		fsys := fstest.MapFS{
			"objectives_1.json": {Data: objectives},
			"checkins_1.json":   {Data: checkins},
		}
		e, err := viva.ReadBundle(fsys, viva.Options{})
		checkResult(t, e, err, 0)
	})
}
