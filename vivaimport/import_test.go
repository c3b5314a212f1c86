package vivaimport_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/viva"
	"github.com/cairn-okr/cairn/vivaimport"
)

// TestImportExplorerCSV imports the Explorer export of viva/testdata and checks that every
// value arrives: periods, teams, people, the three kinds of items with their metrics, owners,
// alignments and weights, every check-in, scores, and the re-bind checklist.
func TestImportExplorerCSV(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		sum := b.apply(t, read(t, "../viva/testdata/explorer.csv"))
		w := b.load(t)

		for kind, want := range map[cairn.MappingKind][4]int{
			cairn.MappingPeriod:     {2, 0, 0, 0},
			cairn.MappingTeam:       {3, 0, 0, 0},
			cairn.MappingPerson:     {3, 0, 0, 0},
			cairn.MappingObjective:  {2, 0, 0, 0},
			cairn.MappingKeyResult:  {3, 0, 0, 0},
			cairn.MappingInitiative: {1, 0, 0, 0},
			cairn.MappingCheckIn:    {7, 0, 0, 0},
			cairn.MappingComment:    {0, 0, 0, 0},
		} {
			if got := counts(sum, kind); got != want {
				t.Errorf("%s: created, matched, updated, unchanged = %v, want %v", kind, got, want)
			}
		}
		if w.rows["objectives"] != 2 || w.rows["key_results"] != 3 || w.rows["initiatives"] != 1 || w.rows["check_ins"] != 7 {
			t.Fatalf("rows = %v", w.rows)
		}

		// People: three unclaimed members beside the admin, who cannot sign in.
		ram, roland, dev := w.memberNamed(t, "Ram Sagoo"), w.memberNamed(t, "Roland Green"), w.memberNamed(t, "Dev Lead")
		for _, m := range []*cairn.Member{ram, roland, dev} {
			if !m.Unclaimed || !strings.HasSuffix(m.Email, "@"+cairn.UnclaimedDomain) || m.Role != cairn.RoleMember {
				t.Errorf("member %+v, want an unclaimed member with a placeholder email", m)
			}
			u, err := b.db.UserByID(ctx, m.UserID)
			must(t, err)
			if u.PasswordHash != "" || u.OIDCSubject != "" {
				t.Errorf("unclaimed user %s can sign in", u.Name)
			}
		}
		if len(sum.Unclaimed()) != 3 {
			t.Errorf("summary lists %d unclaimed people, want 3", len(sum.Unclaimed()))
		}

		// Periods, with the items' dates, and none closed: not every Q1 item was.
		q1 := w.periods[w.objectives["1001"].PeriodID]
		if q1.Name != "Q1 2025" || q1.Start.String() != "2025-01-01" || q1.End.String() != "2025-03-31" || q1.Closed() {
			t.Errorf("period of 1001 = %+v", q1)
		}
		// Q2 2025 holds no item: 1006 stays with its objective in Q1.
		if len(sum.PeriodIDs) != 1 || sum.PeriodIDs[0] != q1.ID {
			t.Errorf("the summary's periods with items = %v, want Q1 2025's id %d", sum.PeriodIDs, q1.ID)
		}

		// Objectives.
		o1, o4 := w.objectives["1001"], w.objectives["1004"]
		if o1.Title != "Drive expansion leveraging our AI offering" || o1.Description != "Grow where AI helps.\nTwo lines; with a semicolon." {
			t.Errorf("objective 1001 = %q / %q", o1.Title, o1.Description)
		}
		if got := w.names(o1.OwnerIDs); strings.Join(got, ",") != "Ram Sagoo,Roland Green" {
			t.Errorf("owners of 1001 = %v", got)
		}
		if o1.Level != cairn.LevelTeam || o1.TeamID == nil || w.teams[*o1.TeamID].Name != "Sales" || o1.Parent != nil || o1.Aspirational {
			t.Errorf("objective 1001 = %+v", o1)
		}
		// 1004 aligns to 1002 at 0 % and to 1001 at 50 %: the counted one is the primary
		// parent, and the other is kept as a parent that does not count (weight 0).
		if o4.Parent == nil || *o4.Parent != (cairn.Ref{Type: cairn.ItemObjective, ID: o1.ID}) || o4.Weight != 0.5 || !o4.Aspirational {
			t.Errorf("objective 1004: parent %+v weight %v aspirational %v", o4.Parent, o4.Weight, o4.Aspirational)
		}
		wantParents := []cairn.Alignment{{Type: cairn.ItemObjective, ID: o1.ID, Weight: 0.5}, {Type: cairn.ItemKeyResult, ID: w.keyResults["1002"].ID, Weight: 0}}
		if !slices.Equal(o4.Parents, wantParents) {
			t.Errorf("objective 1004: parents %+v, want %+v", o4.Parents, wantParents)
		}
		if len(sum.MultiParent) != 1 || sum.MultiParent[0].VivaID != 1004 || sum.MultiParent[0].Parent != 1001 {
			t.Errorf("multi-parent = %+v", sum.MultiParent)
		}
		var kept viva.Item
		must(t, json.Unmarshal([]byte(w.mappings[cairn.MappingObjective]["1004"].Data), &kept))
		if len(kept.Alignments) != 2 || kept.Alignments[0].ParentID != 1002 || *kept.Alignments[0].Weight != 0 ||
			kept.Alignments[1].ParentID != 1001 || *kept.Alignments[1].Weight != 50 {
			t.Errorf("the mapping keeps alignments %+v, want both with their weights", kept.Alignments)
		}

		// Key results: metric, weight, owners, score.
		k2, k5, k6 := w.keyResults["1002"], w.keyResults["1005"], w.keyResults["1006"]
		wantMetric := cairn.Metric{Kind: cairn.MetricCurrency, Goal: cairn.GoalIncrease, Start: 200000, Target: 1200000, Unit: "$", Current: 450000}
		if k2.ObjectiveID != o1.ID || !reflect.DeepEqual(k2.Metric, wantMetric) || k2.Weight != 0.1429 || k2.Score != nil {
			t.Errorf("key result 1002 = %+v", k2)
		}
		if got := w.names(k2.OwnerIDs); strings.Join(got, ",") != "Roland Green" {
			t.Errorf("owners of 1002 = %v", got)
		}
		if k5.ObjectiveID != o4.ID || !reflect.DeepEqual(k5.Metric, cairn.Metric{Kind: cairn.MetricPercentage, Goal: cairn.GoalDecrease, Start: 8, Target: 5, Unit: "%", Current: 6.5}) ||
			!ptrEq(k5.Score, 0.7) || k5.Weight != 1 || len(k5.OwnerIDs) != 2 {
			t.Errorf("key result 1005 = %+v", k5)
		}
		// 1006 aligns to 1004 at 0 %: it must hang somewhere, and counts with weight 1.
		if k6.ObjectiveID != o4.ID || k6.Weight != 1 || k6.Metric.Unit != "" || k6.Metric.Current != 300 {
			t.Errorf("key result 1006 = %+v", k6)
		}

		// The initiative: under its key result with half its weight, percentage check-ins.
		i3 := w.initiatives["1003"]
		if i3.Parent != (cairn.Ref{Type: cairn.ItemKeyResult, ID: k2.ID}) || i3.Weight != 0.5 || i3.ProgressMode != cairn.ModeManual ||
			i3.Current != 60 || !i3.Contributes {
			t.Errorf("initiative 1003 = %+v", i3)
		}

		// Every check-in, with date, author, value, status and note.
		cs := b.checkIns(t, cairn.Ref{Type: cairn.ItemKeyResult, ID: k2.ID})
		want := []struct {
			at     string
			author string
			value  float64
			status string
			note   string
		}{
			{"2025-01-15T08:00:00Z", "Roland Green", 300000, "on_track", "First deal"},
			{"2025-02-10T17:45:00Z", "Ram Sagoo", 350000, "at_risk", "Met with team; Status: green on our side\nNext steps: renewals;"},
			{"2025-03-10T20:57:08Z", "Roland Green", 450000, "behind", "Two deals slipped"},
		}
		if len(cs) != len(want) {
			t.Fatalf("key result 1002 has %d check-ins, want %d", len(cs), len(want))
		}
		for n, c := range cs {
			wc := want[n]
			if c.CreatedAt.Format(time.RFC3339) != wc.at || c.AuthorID == nil || w.members[*c.AuthorID].Name != wc.author ||
				c.Value != wc.value || c.Status != wc.status || c.Note != wc.note || c.Source != cairn.CheckInManual {
				t.Errorf("check-in %d = %+v, want %+v", n, c, wc)
			}
		}
		if k2.LastCheckInAt == nil || k2.LastCheckInAt.Format(time.RFC3339) != "2025-03-10T20:57:08Z" {
			t.Errorf("last check-in of 1002 = %v", k2.LastCheckInAt)
		}
		ado := b.checkIns(t, cairn.Ref{Type: cairn.ItemInitiative, ID: i3.ID})
		if len(ado) != 2 || ado[0].Value != 40 || ado[1].Value != 60 || ado[1].AuthorID != nil || ado[1].Source != cairn.CheckInAzureDevOps {
			t.Errorf("Azure DevOps check-ins = %+v %+v", ado[0], ado[1])
		}
		closing := b.checkIns(t, cairn.Ref{Type: cairn.ItemKeyResult, ID: k5.ID})
		if len(closing) != 1 || closing[0].Status != "" || closing[0].Note != "Closing at 6.5%" || closing[0].Value != 6.5 {
			t.Errorf("closing check-in = %+v", closing)
		}
		var closedRecord viva.CheckIn
		for _, m := range w.mappings[cairn.MappingCheckIn] {
			if m.CairnID == closing[0].ID {
				must(t, json.Unmarshal([]byte(m.Data), &closedRecord))
			}
		}
		if closedRecord.Status != viva.StatusClosed {
			t.Errorf("the mapping of the closing check-in keeps status %q, want closed", closedRecord.Status)
		}
		// Jira set 1006's value: the author is still the person the export names.
		jira := b.checkIns(t, cairn.Ref{Type: cairn.ItemKeyResult, ID: k6.ID})
		if len(jira) != 1 || jira[0].AuthorID == nil || *jira[0].AuthorID != ram.UserID || jira[0].Source != cairn.CheckInManual {
			t.Errorf("Jira check-in = %+v", jira)
		}

		// The re-bind checklist: the Azure DevOps deliverable and the Jira key result.
		b.admin.TenantAdmin = false
		entries, err := b.svc.RebindChecklist(cairn.NewContext(ctx, b.admin), "fabrikam", false)
		must(t, err)
		if len(entries) != 2 || sum.Rebind != 2 {
			t.Fatalf("re-bind checklist = %+v (summary %d)", entries, sum.Rebind)
		}
		got := map[string]*cairn.RebindEntry{}
		for _, e := range entries {
			got[e.VivaID] = e
		}
		if e := got["1003"]; e == nil || e.Item != (cairn.Ref{Type: cairn.ItemInitiative, ID: i3.ID}) || e.Title != i3.Title ||
			!strings.Contains(e.Reason, "Azure DevOps") || e.DoneAt != nil {
			t.Errorf("entry of 1003 = %+v", e)
		}
		if e := got["1006"]; e == nil || e.Item.Type != cairn.ItemKeyResult || !strings.Contains(e.Reason, "Jira") {
			t.Errorf("entry of 1006 = %+v", e)
		}
		notes := map[int64]*vivaimport.RebindNote{}
		for _, n := range sum.RebindItems {
			notes[n.VivaID] = n
		}
		if n := notes[1003]; len(sum.RebindItems) != 2 || n == nil || n.Title != i3.Title || n.Source != "Azure DevOps" || n.Pos.Row != 4 || n.Kind != viva.KindInitiative {
			t.Errorf("summary's re-bind items = %+v, want 1003 (row 4, Azure DevOps) and 1006", sum.RebindItems)
		}
		if n := notes[1006]; n == nil || n.Kind != viva.KindKeyResult || n.Pos.Row != 7 {
			t.Errorf("summary's re-bind note of 1006 = %+v", n)
		}

		// What Cairn could not hold exactly is reported with its row.
		for _, wantProblem := range []string{
			`row 7, column "Aligned To": Id 1006: every alignment has weight 0 %`,
			`row 7, column "Period": Id 1006: its period is "Q2 2025", its objective's "Q1 2025"`,
			`row 2, column "Team": Id 1001: 2 teams`,
		} {
			found := false
			for _, p := range sum.Problems {
				found = found || strings.HasPrefix(p.Error(), wantProblem)
			}
			if !found {
				t.Errorf("no problem %q among %v", wantProblem, sum.Problems)
			}
		}
	})
}

// TestImportBundle imports the JSON bundle of viva/testdata into an organization that has
// some of its people and periods already, and checks the matching, the comments and the
// check-ins the bundle gives by id.
func TestImportBundle(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		ram := &cairn.User{Email: "RAM@contoso.com", Name: "Ram S."}
		must(t, b.db.CreateUser(ctx, ram))
		dev := &cairn.User{Email: "dev.lead@example.com", Name: "Dev  Lead"}
		must(t, b.db.CreateUser(ctx, dev))
		must(t, b.db.AddMember(ctx, &cairn.Member{OrgID: b.org.ID, UserID: dev.ID, Role: cairn.RoleViewer}))
		q1 := &cairn.Period{OrgID: b.org.ID, Name: "q1 2025", Start: cairn.Date{Year: 2025, Month: 1, Day: 1}, End: cairn.Date{Year: 2025, Month: 3, Day: 31}}
		must(t, b.db.CreatePeriod(ctx, q1))

		sum := b.apply(t, read(t, "../viva/testdata/bundle"))
		w := b.load(t)
		for kind, want := range map[cairn.MappingKind][4]int{
			cairn.MappingPeriod:     {1, 1, 0, 0},
			cairn.MappingTeam:       {2, 0, 0, 0},
			cairn.MappingPerson:     {1, 2, 0, 0},
			cairn.MappingObjective:  {2, 0, 0, 0},
			cairn.MappingKeyResult:  {2, 0, 0, 0},
			cairn.MappingInitiative: {1, 0, 0, 0},
			cairn.MappingCheckIn:    {4, 0, 0, 0},
			cairn.MappingComment:    {2, 0, 0, 0},
		} {
			if got := counts(sum, kind); got != want {
				t.Errorf("%s: created, matched, updated, unchanged = %v, want %v", kind, got, want)
			}
		}
		// Ram by email (and now a member), Dev Lead by name, Roland unclaimed.
		if m := w.members[ram.ID]; m == nil || m.Unclaimed || m.Role != cairn.RoleMember {
			t.Errorf("Ram's membership = %+v", m)
		}
		if m := w.members[dev.ID]; m == nil || m.Role != cairn.RoleViewer {
			t.Errorf("Dev Lead's membership = %+v, want the viewer role kept", m)
		}
		roland := w.memberNamed(t, "Roland Green")
		if !roland.Unclaimed {
			t.Errorf("Roland = %+v, want unclaimed", roland)
		}
		hows := map[string]string{}
		for _, p := range sum.People {
			hows[p.Name] = p.How
		}
		if hows["Ram S."] != "matched_by_email" || hows["Dev  Lead"] != "matched_by_name" || hows["Roland Green"] != "unclaimed" {
			t.Errorf("people = %v", hows)
		}

		o1, o4 := w.objectives["1001"], w.objectives["1004"]
		if o1.PeriodID != q1.ID {
			t.Errorf("objective 1001 is in period %d, want the matched period %d", o1.PeriodID, q1.ID)
		}
		fy := w.periods[o4.PeriodID]
		if fy.Name != "FY 2025" || fy.Start.String() != "2025-01-01" || fy.End.String() != "2025-12-31" {
			t.Errorf("period of 1004 = %+v", fy)
		}
		if got := w.names(o1.OwnerIDs); strings.Join(got, ",") != "Ram S.,Roland Green" {
			t.Errorf("owners of 1001 = %v", got)
		}
		// Weight missing in the bundle's second parent: Cairn's default.
		if o4.Parent == nil || o4.Parent.ID != o1.ID || o4.Weight != 1 {
			t.Errorf("objective 1004: parent %+v weight %v", o4.Parent, o4.Weight)
		}
		sales := w.teams[*o1.TeamID]
		if sales.Name != "Sales" || len(sales.MemberIDs) != 1 || sales.MemberIDs[0] != ram.ID {
			t.Errorf("team Sales = %+v, want its owner Ram as member", sales)
		}

		// Comments, oldest first, with their authors and times.
		cms, err := b.db.ListComments(ctx, b.org.ID, cairn.Ref{Type: cairn.ItemObjective, ID: o1.ID})
		must(t, err)
		if len(cms) != 2 || cms[0].Body != "Kick-off" || *cms[0].AuthorID != ram.ID ||
			cms[0].CreatedAt.Format(time.RFC3339) != "2025-01-02T10:00:00Z" ||
			cms[1].Body != "Great start; keep going" || *cms[1].AuthorID != roland.UserID {
			t.Errorf("comments = %+v %+v", cms[0], cms[1])
		}

		k2 := w.keyResults["1002"]
		cs := b.checkIns(t, cairn.Ref{Type: cairn.ItemKeyResult, ID: k2.ID})
		if len(cs) != 2 || cs[0].Value != 300000 || cs[1].Value != 450000 ||
			cs[1].Note != "Two deals slipped; one moved to Q2\nRenewals next" || *cs[1].AuthorID != roland.UserID {
			t.Errorf("check-ins of 1002 = %+v %+v", cs[0], cs[1])
		}
		// No "Actual Progress" in the bundle: the latest check-in is the current value.
		if k2.Metric.Current != 450000 {
			t.Errorf("current of 1002 = %v", k2.Metric.Current)
		}
		i3 := w.initiatives["1003"]
		ado := b.checkIns(t, cairn.Ref{Type: cairn.ItemInitiative, ID: i3.ID})
		if len(ado) != 2 || ado[0].AuthorID != nil || ado[0].Source != cairn.CheckInAzureDevOps || i3.Current != 60 {
			t.Errorf("check-ins of 1003 = %+v, current %v", ado, i3.Current)
		}
		if _, ok := w.mappings[cairn.MappingCheckIn]["id:9001"]; !ok {
			t.Errorf("check-in 9001 is not mapped by its id: %v", w.mappings[cairn.MappingCheckIn])
		}
		if sum.Rebind != 1 || w.rows["import_rebinds"] != 1 {
			t.Errorf("re-bind entries = %d (%d rows), want 1003's", sum.Rebind, w.rows["import_rebinds"])
		}
	})
}

// TestNamesakesStayApart imports two people of one name whom the export tells apart by id and
// email: each gets an account of their own, and neither is taken for the member of that name.
func TestNamesakesStayApart(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		member := &cairn.User{Email: "alex.kim@example.com", Name: "Alex Kim"}
		must(t, b.db.CreateUser(ctx, member))
		must(t, b.db.AddMember(ctx, &cairn.Member{OrgID: b.org.ID, UserID: member.ID, Role: cairn.RoleMember}))
		one := viva.Person{ID: 11, Name: "Alex Kim", Email: "alex.kim@contoso.com"}
		two := viva.Person{ID: 12, Name: "Alex Kim", Email: "akim@fabrikam.example"}
		q1 := viva.Period{ID: 7, Name: "Q1 2025", Start: cairn.Date{Year: 2025, Month: 1, Day: 1}, End: cairn.Date{Year: 2025, Month: 3, Day: 31}}
		exp := &viva.Export{Format: viva.FormatBundle, Periods: []viva.Period{q1}, People: []viva.Person{one, two},
			Items: []*viva.Item{
				{ID: 1, Kind: viva.KindObjective, Title: "One's", Period: viva.Ref{ID: 7, Name: "Q1 2025"}, Owners: []viva.Person{one}},
				{ID: 2, Kind: viva.KindObjective, Title: "Two's", Period: viva.Ref{ID: 7, Name: "Q1 2025"}, Owners: []viva.Person{two}},
			}}
		sum := b.apply(t, exp)
		w := b.load(t)
		a, c := w.objectives["1"].OwnerIDs, w.objectives["2"].OwnerIDs
		if len(a) != 1 || len(c) != 1 || a[0] == c[0] || a[0] == member.ID || c[0] == member.ID {
			t.Fatalf("owners %v and %v, want two new people, neither the member %d", a, c, member.ID)
		}
		if got := counts(sum, cairn.MappingPerson); got != [4]int{2, 0, 0, 0} {
			t.Errorf("people = %v", got)
		}
		if _, ok := w.mappings[cairn.MappingPerson]["name:alex kim"]; ok {
			t.Error("the shared name became a key")
		}
		if again := b.apply(t, exp); again.Changed() {
			t.Errorf("a second import changed %+v", again.Counts)
		}
	})
}

// TestImportEveryWeightedAlignment imports a key result aligned to two objectives at 70 % and
// 30 % and an objective aligned to both at 60 % and 40 %: each keeps every parent with its
// weight, and a second import leaves them.
func TestImportEveryWeightedAlignment(t *testing.T) {
	t.Parallel()
	const csv = "Id,Title,Object Type,Period,Start Date,End Date,\"Aligned To (weight, Objective ID)\",Metric Name,Unit,Start,Target,Current Value\n" +
		"1,North,Objective,Q1 2025,2025-01-01,2025-03-31,,,,,,\n" +
		"2,South,Objective,Q1 2025,2025-01-01,2025-03-31,,,,,,\n" +
		"3,Shared KR,Key result,Q1 2025,2025-01-01,2025-03-31,\"North(weight: 70%, Id: 1)\nSouth(weight: 30%, Id: 2)\",Deals,#,0,100,40\n" +
		"4,Bridge,Objective,Q1 2025,2025-01-01,2025-03-31,\"North(weight: 60%, Id: 1); South(weight: 40%, Id: 2)\",,,,,\n"
	exp, err := viva.ReadCSV(strings.NewReader(csv), viva.Options{})
	must(t, err)
	forEachDB(t, func(t *testing.T, b *testBundle) {
		sum := b.apply(t, exp)
		w := b.load(t)
		north, south, bridge, kr := w.objectives["1"], w.objectives["2"], w.objectives["4"], w.keyResults["3"]
		// The key result lives under North with 0.7 and counts towards South with 0.3.
		if kr.ObjectiveID != north.ID || kr.Weight != 0.7 {
			t.Errorf("key result under objective %d with weight %v, want %d with 0.7", kr.ObjectiveID, kr.Weight, north.ID)
		}
		if want := []cairn.Alignment{{Type: cairn.ItemObjective, ID: south.ID, Weight: 0.3}}; !slices.Equal(kr.Parents, want) {
			t.Errorf("key result parents %+v, want %+v", kr.Parents, want)
		}
		want := []cairn.Alignment{{Type: cairn.ItemObjective, ID: north.ID, Weight: 0.6}, {Type: cairn.ItemObjective, ID: south.ID, Weight: 0.4}}
		if !slices.Equal(bridge.Parents, want) || bridge.Parent == nil || bridge.Parent.ID != north.ID {
			t.Errorf("objective 4 parents %+v (primary %v), want %+v", bridge.Parents, bridge.Parent, want)
		}
		if len(sum.MultiParent) != 2 {
			t.Errorf("multi-parent = %+v, want the key result and objective 4", sum.MultiParent)
		}
		g, err := b.db.PeriodGraph(ctx, b.org.ID, north.PeriodID)
		must(t, err)
		if len(g.KeyResults) != 1 || !slices.Equal(g.KeyResults[0].Parents, kr.Parents) {
			t.Fatalf("period graph key results %+v", g.KeyResults)
		}
		// A second import of the same export changes nothing.
		again := b.apply(t, exp)
		if got := counts(again, cairn.MappingKeyResult); got != [4]int{0, 0, 0, 1} {
			t.Errorf("second import of the key result: %v", got)
		}
		if w2 := b.load(t); !slices.Equal(w2.keyResults["3"].Parents, kr.Parents) || !slices.Equal(w2.objectives["4"].Parents, bridge.Parents) {
			t.Errorf("a second import changed the parents")
		}
	})
}
