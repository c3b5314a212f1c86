package ui_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func id(n int64) string { return strconv.FormatInt(n, 10) }

// TestFormsRefuseBadInput sends every form bad values: each answer is 422 with the
// message next to the field it is about, and nothing is saved.
func TestFormsRefuseBadInput(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.signIn(t, "admin")
	long := strings.Repeat("x", 301)
	objective := func(kv ...string) url.Values {
		v := url.Values{"title": {"A fine objective"}, "period_id": {id(b.period)}, "level": {"organization"}, "owner_ids": {id(b.users["member"].ID)}}
		for i := 0; i+1 < len(kv); i += 2 {
			v[kv[i]] = []string{kv[i+1]}
		}
		return v
	}
	keyResult := func(kv ...string) url.Values {
		v := url.Values{"title": {"A key result"}, "objective_id": {id(b.objective)}, "metric_kind": {"number"}, "metric_start": {"0"}, "metric_target": {"10"}, "progress_source": {"manual"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v[kv[i]] = []string{kv[i+1]}
		}
		return v
	}
	initiative := func(kv ...string) url.Values {
		v := url.Values{"title": {"An initiative"}, "parent": {"key_result:" + id(b.keyResult)}, "progress_mode": {"manual"}, "contributes": {"1"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v[kv[i]] = []string{kv[i+1]}
		}
		return v
	}
	checkIn := func(kv ...string) url.Values {
		v := url.Values{"value": {"3"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v[kv[i]] = []string{kv[i+1]}
		}
		return v
	}
	kr := "/o/fabrikam/key-results/" + id(b.keyResult)
	tests := []struct {
		name    string
		path    string
		form    url.Values
		errID   string // the id of the message next to the field
		message string
	}{
		{"ObjectiveEmptyTitle", "/o/fabrikam/objectives", objective("title", "  "), "err-title", "title is required"},
		{"ObjectiveTitleTooLong", "/o/fabrikam/objectives", objective("title", long), "err-title", "longer than 300"},
		{"ObjectivePeriodNotANumber", "/o/fabrikam/objectives", objective("period_id", "next quarter"), "err-period-id", "choose a valid option"},
		{"ObjectivePeriodOfAnotherOrg", "/o/fabrikam/objectives", objective("period_id", id(b.otherPeriod)), "err-period-id", "not found in this organization"},
		{"ObjectiveOwnerOfAnotherOrg", "/o/fabrikam/objectives", objective("owner_ids", id(b.users["outsider"].ID)), "err-owner-ids", "not a member"},
		{"ObjectiveNoOwner", "/o/fabrikam/objectives", objective("owner_ids", ""), "err-owner-ids", "choose owners"},
		{"ObjectiveParentOfAnotherOrg", "/o/fabrikam/objectives", objective("parent", "objective:"+id(b.otherObjective)), "err-parent-id", "not found in this organization"},
		{"ObjectiveParentGarbage", "/o/fabrikam/objectives", objective("parent", "objective:abc"), "err-parent-id", "choose a parent"},
		{"ObjectiveLevelUnknown", "/o/fabrikam/objectives", objective("level", "galaxy"), "err-level", "level must be"},
		{"ObjectiveWeightNotANumber", "/o/fabrikam/objectives", objective("weight", "heavy"), "err-weight", "not a number"},
		{"KeyResultEmptyTitle", "/o/fabrikam/key-results", keyResult("title", ""), "err-title", "title is required"},
		{"KeyResultStartNotANumber", "/o/fabrikam/key-results", keyResult("metric_start", "ten"), "err-metric-start", "not a number"},
		{"KeyResultTargetMissing", "/o/fabrikam/key-results", keyResult("metric_target", ""), "err-metric-target", "target is required"},
		{"KeyResultTargetEqualsStart", "/o/fabrikam/key-results", keyResult("metric_target", "0"), "err-metric-target", "must differ from start"},
		{"KeyResultKindUnknown", "/o/fabrikam/key-results", keyResult("metric_kind", "vibes"), "err-metric-kind", "percentage, number or currency"},
		{"KeyResultUnitTooLong", "/o/fabrikam/key-results", keyResult("metric_unit", strings.Repeat("u", 21)), "err-metric-unit", "longer than 20"},
		{"KeyResultObjectiveOfAnotherOrg", "/o/fabrikam/key-results", keyResult("objective_id", id(b.otherObjective)), "err-objective-id", "not found in this organization"},
		{"KeyResultNoObjective", "/o/fabrikam/key-results", keyResult("objective_id", ""), "err-objective-id", "choose the objective"},
		{"KeyResultGoalUnknown", "/o/fabrikam/key-results", keyResult("metric_goal", "sideways"), "err-metric-goal", "goal must be"},
		{"KeyResultStayBelowCeilingUnderThreshold", "/o/fabrikam/key-results", keyResult("metric_goal", "stay_below", "metric_start", "200", "metric_target", "300"), "err-metric-start", "must be above the threshold"},
		{"KeyResultBaselinePendingForAThreshold", "/o/fabrikam/key-results", keyResult("metric_goal", "stay_above", "baseline_pending", "1"), "err-metric-baseline-pending", "needs its start now"},
		{"KeyResultMilestoneAfterThePeriod", "/o/fabrikam/key-results", keyResult("milestone_date", "2026-10-15", "milestone_value", "5"), "err-metric-milestones-0-date", "after the period"},
		{"KeyResultMilestoneWithoutValue", "/o/fabrikam/key-results", keyResult("milestone_date", "2026-08-31"), "err-metric-milestones-0-value", "is required"},
		{"KeyResultMilestoneWithoutDate", "/o/fabrikam/key-results", keyResult("milestone_value", "5"), "err-metric-milestones-0-date", "give the date"},
		{"KeyResultMilestonePastTarget", "/o/fabrikam/key-results", keyResult("milestone_date", "2026-08-31", "milestone_value", "12"), "err-metric-milestones-0-value", "past the target"},
		{"InitiativeNoParent", "/o/fabrikam/initiatives", initiative("parent", ""), "err-parent-id", "choose the objective or key result"},
		{"InitiativeParentOfAnotherOrg", "/o/fabrikam/initiatives", initiative("parent", "key_result:"+id(b.otherKeyResult)), "err-parent-id", "not found in this organization"},
		{"InitiativeMetricWithoutTarget", "/o/fabrikam/initiatives", initiative("progress_mode", "metric", "metric_kind", "number", "metric_start", "0"), "err-metric-target", "target is required"},
		{"InitiativeModeUnknown", "/o/fabrikam/initiatives", initiative("progress_mode", "telepathy"), "err-progress-mode", "progress_mode must be"},
		{"CheckInEmpty", kr + "/check-ins", checkIn("value", ""), "err-value", "enter the new value"},
		{"CheckInNotANumber", kr + "/check-ins", checkIn("value", "lots"), "err-value", "not a number"},
		{"CheckInNoteTooLong", kr + "/check-ins", checkIn("note", strings.Repeat("n", 5001)), "err-note", "longer than 5000"},
		{"CheckInStatusUnknown", kr + "/check-ins", checkIn("status", "great"), "err-status", "status must be"},
		{"PeriodEmptyName", "/o/fabrikam/admin/periods", url.Values{"name": {""}, "start": {"2026-10-01"}, "end": {"2026-12-31"}}, "err-name", "name is required"},
		{"PeriodStartNotADate", "/o/fabrikam/admin/periods", url.Values{"name": {"Q4"}, "start": {"October"}, "end": {"2026-12-31"}}, "err-start", "not a date"},
		{"PeriodEndBeforeStart", "/o/fabrikam/admin/periods", url.Values{"name": {"Q4"}, "start": {"2026-12-31"}, "end": {"2026-10-01"}}, "err-end", "before start"},
		{"MemberBadEmail", "/o/fabrikam/admin/members", url.Values{"email": {"not-an-email"}, "role": {"member"}}, "err-email", "not an email address"},
		{"MemberTwice", "/o/fabrikam/admin/members", url.Values{"email": {"viewer@example.com"}, "role": {"member"}}, "err-email", "already"},
		{"SettingsGapNotANumber", "/o/fabrikam/admin/settings", url.Values{"name": {"Fabrikam"}, "at_risk_gap": {"a quarter"}}, "err-at-risk-gap", "not a number"},
		{"SettingsGapTooBig", "/o/fabrikam/admin/settings", url.Values{"name": {"Fabrikam"}, "at_risk_gap": {"150"}}, "err-at-risk-gap", "at most 100 %"},
		{"SettingsEmptyName", "/o/fabrikam/admin/settings", url.Values{"name": {""}, "at_risk_gap": {"25"}}, "err-name", "name is required"},
		{"TeamEmptyName", "/o/fabrikam/admin/teams", url.Values{"name": {" "}}, "err-name", "name is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := b.counts(t)
			res := admin.post(t, tt.path, tt.form)
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422: %.400s", res.status, res.body)
			}
			marker := fmt.Sprintf(`id="%s" role="alert">`, tt.errID)
			i := strings.Index(res.body, marker)
			if i < 0 {
				t.Fatalf("no message with id %s in the answer: %.2000s", tt.errID, res.body)
			}
			msg := res.body[i+len(marker):]
			msg = msg[:strings.Index(msg, "<")]
			if !strings.Contains(msg, tt.message) {
				t.Fatalf("message %q does not contain %q", msg, tt.message)
			}
			if !strings.Contains(res.body, `aria-describedby="`+tt.errID+`"`) {
				t.Fatalf("no field points at %s with aria-describedby", tt.errID)
			}
			if after := b.counts(t); after != before {
				t.Fatalf("a refused form saved something: counts %v, then %v", before, after)
			}
		})
	}
}

// TestFormKeepsWhatWasTyped checks that a refused form comes back filled in.
func TestFormKeepsWhatWasTyped(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.signIn(t, "admin")
	res := admin.post(t, "/o/fabrikam/key-results", url.Values{"title": {"Latency <p95>"}, "objective_id": {id(b.objective)}, "metric_kind": {"number"}, "metric_start": {"1800"}, "metric_target": {"x"}, "metric_unit": {"ms"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", res.status)
	}
	for _, want := range []string{`value="Latency &lt;p95&gt;"`, `value="1800"`, `value="ms"`, `value="x"`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the refused form lost %s", want)
		}
	}
}

// TestDoubleSubmitSavesOnce sends the same create form twice, as a double click does.
func TestDoubleSubmitSavesOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	admin := b.signIn(t, "admin")
	tests := []struct {
		name  string
		path  string
		form  url.Values
		which int // index into counts
	}{
		{"Objective", "/o/fabrikam/objectives", url.Values{"title": {"Once"}, "period_id": {id(b.period)}, "owner_ids": {id(b.users["admin"].ID)}}, 0},
		{"KeyResult", "/o/fabrikam/key-results", url.Values{"title": {"Once"}, "objective_id": {id(b.objective)}, "metric_kind": {"number"}, "metric_start": {"0"}, "metric_target": {"5"}}, 1},
		{"Initiative", "/o/fabrikam/initiatives", url.Values{"title": {"Once"}, "parent": {"objective:" + id(b.objective)}, "progress_mode": {"manual"}}, 2},
		{"CheckIn", "/o/fabrikam/key-results/" + id(b.keyResult) + "/check-ins", url.Values{"value": {"3"}}, 3},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.form.Set("form_id", fmt.Sprintf("form-%d-abcdef", i))
			before := b.counts(t)
			first := admin.post(t, tt.path, tt.form)
			second := admin.post(t, tt.path, tt.form)
			if first.status != http.StatusSeeOther || second.status != http.StatusSeeOther {
				t.Fatalf("statuses %d and %d, want 303 twice: %.300s", first.status, second.status, first.body+second.body)
			}
			if a, b := first.header.Get("Location"), second.header.Get("Location"); a != b {
				t.Fatalf("the second submission leads to %s, the first to %s", b, a)
			}
			after := b.counts(t)
			if after[tt.which] != before[tt.which]+1 {
				t.Fatalf("two submissions made %d items, want 1", after[tt.which]-before[tt.which])
			}
		})
	}
}
