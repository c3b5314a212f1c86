package vivaimport_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
	"github.com/cairn-okr/cairn/sqldb"
)

// TestImportFieldsIntoCairn checks the fields that Cairn holds as its own rather than in the
// import's records: phased targets as milestones, goals, key result descriptions, stated
// statuses and items closed on their own; and that what does not fit is reported and kept.
func TestImportFieldsIntoCairn(t *testing.T) {
	t.Parallel()
	t.Run("PhasedTargetsBecomeMilestones", func(t *testing.T) {
		t.Parallel()
		b := setup(t, sqldb.DialectSQLite)
		b.apply(t, read(t, "../viva/testdata/bundle"))
		k := b.load(t).keyResults["1002"]
		want := []cairn.Milestone{{Date: cairn.Date{Year: 2025, Month: 1, Day: 31}, Value: 500000}, {Date: cairn.Date{Year: 2025, Month: 2, Day: 28}, Value: 800000}}
		if !slices.Equal(k.Metric.Milestones, want) {
			t.Errorf("milestones %v, want the phased targets %v", k.Metric.Milestones, want)
		}
	})
	t.Run("GoalsStatusesAndClosedItems", func(t *testing.T) {
		t.Parallel()
		b := setup(t, sqldb.DialectSQLite)
		b.apply(t, read(t, "testdata/platform.csv"))
		w := b.load(t)
		for id, goal := range map[string]cairn.MetricGoal{"3002": cairn.GoalStayAbove, "3003": cairn.GoalStayBelow, "3004": cairn.GoalDecrease, "3006": cairn.GoalIncrease} {
			if got := w.keyResults[id].Metric.Goal; got != goal {
				t.Errorf("%s: goal %s, want %s", id, got, goal)
			}
		}
		if got := w.keyResults["3004"].Description; got != "Sev 1 and Sev 2 only." {
			t.Errorf("3004: description %q", got)
		}
		if got := w.objectives["3001"].StatedStatus; got != progress.OnTrack {
			t.Errorf("3001: stated status %q, want on_track", got)
		}
		kr, in := w.keyResults["3006"], w.initiatives["3005"]
		if kr.ClosedAt == nil || !ptrEq(kr.Score, 0.5) || in.ClosedAt == nil || !ptrEq(in.Score, 1) {
			t.Errorf("closed items: key result %v %v, initiative %v %v", kr.ClosedAt, kr.Score, in.ClosedAt, in.Score)
		}
		if p := w.periods[w.objectives["3001"].PeriodID]; p.Closed() {
			t.Error("the period closed, though only some of its items were")
		}
		if w.keyResults["3002"].ClosedAt != nil || w.objectives["3001"].ClosedAt != nil {
			t.Error("an open item was closed")
		}
	})
	t.Run("WhatDoesNotFitIsReported", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "misfit.csv")
		csv := "Id,Title,Owner,Period,Start Date,End Date,\"Aligned To (weight, Objective ID)\",Metric Name,Unit,Target,Object Type,Goal Type,Start,Progress %,Actual Progress,Status,Checkins\n" +
			"1,Keep the lights on,Ana Ruiz,Q3 2025,2025-07-01,2025-09-30,,,,,Objective,Committed,,,,Behind,\n" +
			// A stay above whose floor lies above its threshold cannot be one.
			"2,Uptime,Ana Ruiz,Q3 2025,2025-07-01,2025-09-30,\"Keep the lights on(weight: 100%, Id: 1)\",Uptime,%,99%,Key result,Stay above,99.9%,50%,99.5%,On Track,\n"
		must(t, os.WriteFile(path, []byte(csv), 0o644))
		b := setup(t, sqldb.DialectSQLite)
		sum := b.apply(t, read(t, path))
		w := b.load(t)
		if got := w.keyResults["2"].Metric.Goal; got != cairn.GoalDecrease {
			t.Errorf("goal %s, want decrease, as start and target say", got)
		}
		var cols []string
		for _, p := range sum.Problems {
			if strings.HasPrefix(p.Message, "Id 2:") {
				cols = append(cols, p.Column)
			}
		}
		// Goal Type: the goal does not fit; Status: On Track with no check-in to hold it.
		for _, want := range []string{"Goal Type", "Status"} {
			if !slices.Contains(cols, want) {
				t.Errorf("no %s problem for Id 2 among %q", want, cols)
			}
		}
		if w.objectives["1"].StatedStatus != progress.Behind {
			t.Errorf("the objective's stated status is %q, want behind", w.objectives["1"].StatedStatus)
		}
	})
}
