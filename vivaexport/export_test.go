package vivaexport_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/viva"
	"github.com/cairn-okr/cairn/vivaexport"
)

func TestNeutralize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+44 20": "'+44 20", "-5 days": "'-5 days", "@team": "'@team",
		"\tcmd": "'\tcmd", "\rcmd": "'\rcmd", "plain": "plain", "": "", "5-3": "5-3", "'=x": "'=x",
	} {
		if got := vivaexport.Neutralize(in); got != want {
			t.Errorf("Neutralize(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWeightsAboveOneBecomeShares checks that weights Cairn allows above 1, which no Viva
// percentage can say, are written as shares of their parent's sum, and read back in the
// same proportion.
func TestWeightsAboveOneBecomeShares(t *testing.T) {
	t.Parallel()
	p := &cairn.Period{ID: 1, Name: "Q1", Start: cairn.Date{Year: 2026, Month: 1, Day: 1}, End: cairn.Date{Year: 2026, Month: 3, Day: 31}}
	o := &cairn.Objective{ID: 1, PeriodID: 1, Title: "Grow", Level: cairn.LevelOrganization, OwnerIDs: []int64{7}}
	kr := func(id int64, w float64) *cairn.ListedItem {
		k := &cairn.KeyResult{ID: id, ObjectiveID: 1, Title: "KR", Weight: w, OwnerIDs: []int64{7},
			Metric: cairn.Metric{Kind: cairn.MetricNumber, Goal: cairn.GoalIncrease, Start: -3, Target: 10, Current: -1}}
		return &cairn.ListedItem{Ref: cairn.Ref{Type: cairn.ItemKeyResult, ID: id}, KeyResult: &cairn.KeyResultView{KeyResult: k}, Owner: o, Period: p}
	}
	items := []*cairn.ListedItem{
		{Ref: cairn.Ref{Type: cairn.ItemObjective, ID: 1}, Objective: &cairn.ObjectiveView{Objective: o}, Owner: o, Period: p},
		kr(1, 3), kr(2, 1),
	}
	rows := vivaexport.Rows(vivaexport.Input{Items: items, People: map[int64]string{7: "Ann"}, LastSync: map[cairn.Ref]time.Time{}})
	var buf bytes.Buffer
	if err := vivaexport.WriteCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	sheet := buf.String()
	e, err := viva.ReadCSV(&buf, viva.Options{})
	if err != nil {
		t.Fatalf("read back: %v\n%s", err, sheet)
	}
	var weights []float64
	for _, id := range []int64{12, 22} {
		it, ok := e.Lookup(id)
		if !ok || len(it.Alignments) != 1 || it.Alignments[0].ParentID != 11 {
			t.Fatalf("key result %d: %+v", id, it)
		}
		weights = append(weights, *it.Alignments[0].Weight)
		if it.Metric == nil || *it.Metric.Start != -3 || *it.Metric.Current != -1 {
			t.Errorf("key result %d metric %+v", id, it.Metric)
		}
	}
	if !slices.Equal(weights, []float64{75, 25}) {
		t.Errorf("weights 3 and 1 were written as %v %%, want 75 and 25", weights)
	}
	if !strings.Contains(sheet, "Grow(weight: 75%, Id: 11)") {
		t.Errorf("alignment cell not in Viva's form:\n%s", sheet)
	}
}
