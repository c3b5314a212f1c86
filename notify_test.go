package cairn_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
)

// TestPlanReminders pins who is reminded of what. The organization's check-ins are due on
// Mondays at 9:00 UTC; the clock stands on Sunday 17 May 2026 at 12:00, so that the next
// due time (18 May) is within a day and the last one (11 May) more than a day past, with 4
// May before it. A team checks in monthly on the 17th at 18:00 instead.
func TestPlanReminders(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		admin := b.as("admin")
		b.clock.Set(time.Date(2026, 4, 20, 12, 0, 0, 0, time.UTC))
		team := &cairn.Team{Name: "Field service"}
		must(t, b.svc.CreateTeam(admin, b.org.Slug, team))
		must(t, b.svc.SetTeamCadence(admin, b.org.Slug, team.ID, &cairn.Cadence{Frequency: cairn.Monthly, MonthDay: 17, Hour: 18}))
		o := b.objective(t, "Serve customers")
		teamObj := b.objective(t, "Field work", func(o *cairn.Objective) { o.TeamID = &team.ID })
		withCheckInOwner := func(k *cairn.KeyResult) { k.CheckInOwnerIDs = []int64{b.id("member")} }
		none := b.keyResult(t, o.ID, "No check-ins", withCheckInOwner)
		lateOK := b.keyResult(t, o.ID, "Checked in after the last due time")
		between := b.keyResult(t, o.ID, "Checked in before the last due time")
		teamKR := b.keyResult(t, teamObj.ID, "Team cadence")
		rollUp := b.keyResult(t, o.ID, "Rolls up", func(k *cairn.KeyResult) { k.ProgressSource = cairn.SourceRollUp })
		auto := func(title string, current float64) *cairn.KeyResult {
			k := &cairn.KeyResult{OrgID: b.org.ID, ObjectiveID: o.ID, Title: title, ProgressSource: cairn.SourceDataSource,
				Metric: cairn.Metric{Kind: cairn.MetricNumber, Start: 0, Target: 100}, OwnerIDs: []int64{b.id("assignee")}}
			must(t, b.db.CreateKeyResult(ctx, k))
			must(t, b.db.AddCheckIn(ctx, &cairn.CheckIn{OrgID: b.org.ID, Item: krRef(k.ID), Value: current,
				Source: cairn.CheckInAzureDevOps, CreatedAt: time.Date(2026, 5, 15, 3, 0, 0, 0, time.UTC)}))
			return k
		}
		autoOnTrack := auto("Synced and on track", 90)
		autoAtRisk := auto("Synced and at risk", 5)
		autoNoted := auto("Synced, at risk, with a note", 5)
		manual := func(k *cairn.KeyResult, at time.Time, note string) {
			uid := b.id("assignee")
			must(t, b.db.AddCheckIn(ctx, &cairn.CheckIn{OrgID: b.org.ID, Item: krRef(k.ID), Value: 5, Note: note,
				AuthorID: &uid, Source: cairn.CheckInManual, CreatedAt: at}))
		}
		manual(lateOK, time.Date(2026, 5, 12, 10, 0, 0, 0, time.UTC), "")
		manual(between, time.Date(2026, 5, 6, 10, 0, 0, 0, time.UTC), "")
		manual(autoNoted, time.Date(2026, 5, 12, 10, 0, 0, 0, time.UTC), "Blocked on the supplier; back on track in June")
		_ = rollUp

		now := time.Date(2026, 5, 17, 12, 0, 0, 0, time.UTC)
		rs, err := b.svc.PlanReminders(ctx, now)
		must(t, err)
		got := map[string][]int64{}
		for _, r := range rs {
			if r.OrgID != b.org.ID {
				t.Fatalf("a reminder of another organization: %+v", r)
			}
			kind := "remind"
			if r.FollowUp {
				kind = "follow-up"
			}
			key := fmt.Sprintf("%s %s %s", kind, b.name(r.UserID), r.Due.UTC().Format("Jan 2 15:04"))
			ids := slices.Clone(r.KeyResultIDs)
			slices.Sort(ids)
			got[key] = ids
		}
		sorted := func(ids ...int64) []int64 { slices.Sort(ids); return ids }
		want := map[string][]int64{
			// The viewer owns them all too, but cannot check in: no reminder.
			// Reminded of the next due time: no check-in since the last one.
			"remind assignee May 18 09:00": sorted(none.ID, between.ID, autoAtRisk.ID),
			"remind member May 18 09:00":   {none.ID},
			// Followed up for the last due time: no check-in since the one before.
			"follow-up assignee May 11 09:00": sorted(none.ID, autoAtRisk.ID),
			"follow-up member May 11 09:00":   {none.ID},
			// The team's monthly cadence: due today at 18:00; its last, 17 April, was
			// before the key result existed.
			"remind assignee May 17 18:00": {teamKR.ID},
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("reminders:\n got %v\nwant %v", got, want)
		}
		for _, k := range []*cairn.KeyResult{lateOK, rollUp, autoOnTrack, autoNoted} {
			for _, ids := range got {
				if slices.Contains(ids, k.ID) {
					t.Errorf("%q was reminded of", k.Title)
				}
			}
		}

		t.Run("CreateOnce", func(t *testing.T) {
			r := rs[0]
			n, created, err := b.svc.CreateReminder(ctx, r)
			must(t, err)
			if !created || len(n.Items) == 0 || n.Items[0].Link == "" {
				t.Fatalf("first reminder: created %v, %+v", created, n)
			}
			if _, created, err = b.svc.CreateReminder(ctx, r); err != nil || created {
				t.Fatalf("second reminder of the same due time: created %v, %v", created, err)
			}
		})
	})
}

// TestRemindersAndDigestsInEachOrganization pins that a person in two organizations whose
// check-ins fall due at the same time (both on the default cadence, Mondays at 9:00 UTC) is
// reminded by each, and gets each organization's weekly digest, once.
func TestRemindersAndDigestsInEachOrganization(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		b.clock.Set(time.Date(2026, 4, 20, 12, 0, 0, 0, time.UTC))
		_, err := b.svc.AddMember(b.as("outsider"), b.other.Slug, cairn.NewMember{Email: "assignee@example.com", Name: "assignee", Role: cairn.RoleMember})
		must(t, err)
		mine := b.keyResult(t, b.objective(t, "Serve customers").ID, "Fabrikam NPS")
		theirs := &cairn.Objective{PeriodID: b.otherPeriod.ID, Title: "Grow Contoso", OwnerIDs: []int64{b.id("outsider")}}
		must(t, b.svc.CreateObjective(b.as("outsider"), b.other.Slug, theirs))
		other := &cairn.KeyResult{ObjectiveID: theirs.ID, Title: "Contoso NPS", Metric: cairn.Metric{Kind: cairn.MetricNumber, Target: 100},
			OwnerIDs: []int64{b.id("assignee")}}
		must(t, b.svc.CreateKeyResult(b.as("outsider"), b.other.Slug, other))

		now := time.Date(2026, 5, 17, 12, 0, 0, 0, time.UTC)
		b.clock.Set(now)
		rs, err := b.svc.PlanReminders(ctx, now)
		must(t, err)
		due := time.Date(2026, 5, 18, 9, 0, 0, 0, time.UTC)
		byOrg := map[int64]cairn.Reminder{}
		for _, r := range rs {
			if r.UserID == b.id("assignee") && !r.FollowUp && r.Due.Equal(due) {
				byOrg[r.OrgID] = r
			}
		}
		if !slices.Contains(byOrg[b.org.ID].KeyResultIDs, mine.ID) || !slices.Equal(byOrg[b.other.ID].KeyResultIDs, []int64{other.ID}) {
			t.Fatalf("assignee's reminders of %s by organization: %+v", due, byOrg)
		}
		for _, org := range []int64{b.org.ID, b.other.ID} {
			n, created, err := b.svc.CreateReminder(ctx, byOrg[org])
			must(t, err)
			if !created || n.OrgID != org {
				t.Fatalf("the reminder of organization %d: created %v, %+v", org, created, n)
			}
			if _, again, err := b.svc.CreateReminder(ctx, byOrg[org]); err != nil || again {
				t.Fatalf("the reminder of organization %d was made twice (%v)", org, err)
			}
		}

		must(t, b.svc.SetMyNotifyPrefs(b.as("assignee"), cairn.NotifyPrefs{Email: true, Digest: true}))
		made, err := b.svc.CreateDigest(ctx, b.id("assignee"), now.Add(24*time.Hour))
		must(t, err)
		if made != 2 {
			t.Fatalf("made %d digests, want one for each of the two organizations", made)
		}
		if made, err = b.svc.CreateDigest(ctx, b.id("assignee"), now.Add(25*time.Hour)); err != nil || made != 0 {
			t.Fatalf("the same week's digests again: made %d, %v", made, err)
		}
	})
}

// TestCommentsBeforeTheFirstScan pins where comment notifications start: comments made
// before notifications were prepared (an upgrade) are not told, and a comment made after
// the server prepared them is told even when the first scan runs after it.
func TestCommentsBeforeTheFirstScan(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		k := b.keyResult(t, b.objective(t, "Serve customers").ID, "NPS")
		mention := func(body string) {
			must(t, b.svc.AddComment(b.as("member"), b.org.Slug, &cairn.Comment{Item: krRef(k.ID), Body: body}))
		}
		mentions := func() []string {
			list, err := b.svc.Inbox(b.as("assignee"), false, 10)
			must(t, err)
			var out []string
			for _, n := range list {
				if n.Kind == cairn.NotifyMention {
					out = append(out, n.Body)
				}
			}
			return out
		}
		mention("@assignee before the upgrade")
		must(t, b.svc.PrepareNotifications(ctx))
		must(t, b.svc.PrepareNotifications(ctx)) // a second replica's start changes nothing
		mention("@assignee after the start, before the first scan")
		_, err := b.svc.ScanEvents(ctx, b.clock.Now())
		must(t, err)
		if got := mentions(); len(got) != 1 || got[0] != "@assignee after the start, before the first scan" {
			t.Fatalf("mentions told: %q, want only the one made after notifications were prepared", got)
		}
	})
}

// name returns the actor's name of a user id.
func (b *testBundle) name(id int64) string {
	for n, u := range b.users {
		if u.ID == id {
			return n
		}
	}
	return fmt.Sprint(id)
}

// BenchmarkPlanReminders plans the reminders of an organization with 20 objectives of 10 key
// results each, every one due, on SQLite: what the leader pays every CAIRN_NOTIFY_INTERVAL.
func BenchmarkPlanReminders(b *testing.B) {
	tb := setup(b, "sqlite")
	for i := 0; i < 20; i++ {
		o := tb.objective(b, fmt.Sprintf("Objective %d", i))
		for j := 0; j < 10; j++ {
			tb.keyResult(b, o.ID, fmt.Sprintf("Key result %d.%d", i, j))
		}
	}
	now := time.Date(2026, 5, 17, 12, 0, 0, 0, time.UTC)
	b.ResetTimer()
	for b.Loop() {
		rs, err := tb.svc.PlanReminders(ctx, now)
		if err != nil || len(rs) == 0 {
			b.Fatal(len(rs), err)
		}
	}
}

// BenchmarkScanEvents scans the same organization for events when nothing changed.
func BenchmarkScanEvents(b *testing.B) {
	tb := setup(b, "sqlite")
	for i := 0; i < 20; i++ {
		o := tb.objective(b, fmt.Sprintf("Objective %d", i))
		for j := 0; j < 10; j++ {
			tb.keyResult(b, o.ID, fmt.Sprintf("Key result %d.%d", i, j))
		}
	}
	now := time.Date(2026, 5, 17, 12, 0, 0, 0, time.UTC)
	if _, err := tb.svc.ScanEvents(ctx, now); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := tb.svc.ScanEvents(ctx, now); err != nil {
			b.Fatal(err)
		}
	}
}
