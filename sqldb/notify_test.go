package sqldb_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/sqldb"
)

// TestNotificationsOncePerKey stores a notification with its deliveries, then the same key
// again: the second stores nothing, so that a due date is never told twice.
func TestNotificationsOncePerKey(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		w := b.world(t)
		at := b.clock.Now()
		n := &cairn.Notification{UserID: w.alice.ID, OrgID: w.org.ID, Kind: cairn.NotifyReminder, Key: "reminder:2026-04-06T09:00:00Z",
			Title: "Check-in due", Body: "b", Link: "/o/fabrikam/okrs", CreatedAt: at,
			Items: []cairn.NotificationItem{{Title: "NPS to 50", Value: "10 / 50", Link: "/x#checkin-h"}}}
		ds := []*cairn.Delivery{{Channel: cairn.ChannelEmail, Target: "alice@example.com"}}
		ok, err := b.db.AddNotification(ctx, n, ds)
		must(t, err)
		if !ok || n.ID == 0 || ds[0].ID == 0 {
			t.Fatalf("first add: created %v, notification %d, delivery %d", ok, n.ID, ds[0].ID)
		}
		again := *n
		again.ID = 0
		ds2 := []*cairn.Delivery{{Channel: cairn.ChannelEmail, Target: "alice@example.com"}}
		ok, err = b.db.AddNotification(ctx, &again, ds2)
		must(t, err)
		if ok {
			t.Fatal("the same key was stored twice")
		}
		pending, err := b.db.PendingDeliveries(ctx, 10)
		must(t, err)
		wantIDs(t, "pending", pending, []int64{ds[0].ID})
		of, err := b.db.DeliveriesOf(ctx, n.ID)
		must(t, err)
		if len(of) != 1 || of[0].ID != ds[0].ID || of[0].Target != "alice@example.com" || of[0].Status != cairn.DeliveryPending || of[0].UserID != w.alice.ID {
			t.Fatalf("deliveries of the notification = %+v", of)
		}
		if of, err := b.db.DeliveriesOf(ctx, n.ID+1000); err != nil || len(of) != 0 {
			t.Fatalf("deliveries of no notification = %+v, %v", of, err)
		}

		got, err := b.db.ListNotifications(ctx, w.alice.ID, true, 10)
		must(t, err)
		if len(got) != 1 || got[0].Items[0].Title != "NPS to 50" || got[0].ReadAt != nil {
			t.Fatalf("inbox = %+v", got)
		}
		if c, err := b.db.UnreadCount(ctx, w.alice.ID); err != nil || c != 1 {
			t.Fatalf("unread = %d, %v", c, err)
		}
		t.Run("ErrOtherPersonsNotification", func(t *testing.T) {
			wantCode(t, b.db.MarkRead(ctx, w.bob.ID, n.ID, at), cairn.ENOTFOUND)
		})
		must(t, b.db.MarkRead(ctx, w.alice.ID, n.ID, at))
		if c, _ := b.db.UnreadCount(ctx, w.alice.ID); c != 0 {
			t.Fatalf("unread after mark read = %d", c)
		}

		d, err := b.db.DeliveryByID(ctx, ds[0].ID)
		must(t, err)
		d.Status, d.Attempts, d.LastError, d.UpdatedAt = cairn.DeliveryFailed, 1, "dial tcp: connection refused", at
		must(t, b.db.UpdateDelivery(ctx, d))
		failed, err := b.db.ListDeliveries(ctx, w.org.ID, cairn.DeliveryFailed, 10)
		must(t, err)
		if len(failed) != 1 || failed[0].LastError != "dial tcp: connection refused" || failed[0].Title != "Check-in due" {
			t.Fatalf("failed deliveries = %+v", failed)
		}
		if other, _ := b.db.ListDeliveries(ctx, w.other.ID, cairn.DeliveryFailed, 10); len(other) != 0 {
			t.Fatalf("another organization sees %d failed deliveries", len(other))
		}
		sentAt := at.Add(time.Minute)
		d.Status, d.Attempts, d.LastError, d.SentAt = cairn.DeliverySent, 2, "", &sentAt
		must(t, b.db.UpdateDelivery(ctx, d))
		// A sent delivery stays sent, whatever a late attempt records.
		d.Status = cairn.DeliveryFailed
		must(t, b.db.UpdateDelivery(ctx, d))
		d, err = b.db.DeliveryByID(ctx, d.ID)
		must(t, err)
		if d.Status != cairn.DeliverySent || d.SentAt == nil {
			t.Fatalf("delivery after a late failure = %+v", d)
		}
	})
}

// TestCadencesAndPrefs stores an organization's time zone and cadence, a team's override
// and a person's channels.
func TestCadencesAndPrefs(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		w := b.world(t)
		oc, err := b.db.OrgCadence(ctx, w.org.ID)
		must(t, err)
		if oc.TimeZone != "UTC" || oc.Cadence != cairn.DefaultCadence {
			t.Fatalf("default cadence = %+v", oc)
		}
		want := &cairn.OrgCadence{TimeZone: "Europe/Berlin", Cadence: cairn.Cadence{Frequency: cairn.Monthly, MonthDay: 3, Hour: 16}}
		must(t, b.db.SetOrgCadence(ctx, w.org.ID, want))
		oc, err = b.db.OrgCadence(ctx, w.org.ID)
		must(t, err)
		if *oc != *want {
			t.Fatalf("cadence = %+v, want %+v", oc, want)
		}
		team := &cairn.Team{OrgID: w.org.ID, Name: "Platform"}
		must(t, b.db.CreateTeam(ctx, team))
		tc := cairn.Cadence{Frequency: cairn.Biweekly, Weekday: 4, MonthDay: 1, Hour: 10}
		must(t, b.db.SetTeamCadence(ctx, w.org.ID, team.ID, &tc))
		t.Run("ErrTeamOfOtherOrg", func(t *testing.T) {
			wantCode(t, b.db.SetTeamCadence(ctx, w.other.ID, team.ID, &tc), cairn.ENOTFOUND)
		})
		cs, err := b.db.TeamCadences(ctx, w.org.ID)
		must(t, err)
		if cs[team.ID] != tc {
			t.Fatalf("team cadences = %+v", cs)
		}
		must(t, b.db.SetTeamCadence(ctx, w.org.ID, team.ID, nil))
		if cs, _ = b.db.TeamCadences(ctx, w.org.ID); len(cs) != 0 {
			t.Fatalf("team cadence after clearing = %+v", cs)
		}

		p, err := b.db.NotifyPrefs(ctx, w.bob.ID)
		must(t, err)
		if p != cairn.DefaultNotifyPrefs {
			t.Fatalf("default prefs = %+v", p)
		}
		must(t, b.db.SetNotifyPrefs(ctx, w.bob.ID, cairn.NotifyPrefs{Email: false, Teams: true, Slack: false, Digest: true}))
		p, _ = b.db.NotifyPrefs(ctx, w.bob.ID)
		if p.Email || !p.Teams || p.Slack || !p.Digest {
			t.Fatalf("prefs = %+v", p)
		}
		digest, err := b.db.DigestUsers(ctx)
		must(t, err)
		wantIDs(t, "digest users", digest, []int64{w.bob.ID})

		hook := &cairn.TeamWebhook{TeamID: team.ID, OrgID: w.org.ID, Kind: cairn.ChannelSlack, Sealed: "sealed", Hint: "hooks.slack.com/…abcd", CreatedAt: b.clock.Now()}
		must(t, b.db.PutTeamWebhook(ctx, hook))
		hooks, err := b.db.TeamWebhooks(ctx, w.org.ID, team.ID)
		must(t, err)
		if len(hooks) != 1 || hooks[0].Sealed != "sealed" || hooks[0].Kind != cairn.ChannelSlack {
			t.Fatalf("webhooks = %+v", hooks)
		}
		must(t, b.db.DeleteTeamWebhook(ctx, w.org.ID, team.ID, cairn.ChannelSlack))
		wantCode(t, b.db.DeleteTeamWebhook(ctx, w.org.ID, team.ID, cairn.ChannelSlack), cairn.ENOTFOUND)
	})
}

// TestCommentsAfterCarryContext reads new comments with what notifications need: the
// mentions, the author and, for a comment on a check-in, the key result and its owners.
func TestCommentsAfterCarryContext(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		w := b.world(t)
		o := b.objective(t, w.org.ID, w.period.ID, w.alice.ID)
		k := b.keyResult(t, w.org.ID, o.ID, w.carol.ID)
		alice := w.alice.ID
		ci := &cairn.CheckIn{OrgID: w.org.ID, Item: cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}, Value: 20, AuthorID: &alice, CreatedAt: b.clock.Now()}
		must(t, b.db.AddCheckIn(ctx, ci))
		before, err := b.db.LatestCommentID(ctx)
		must(t, err)
		c := &cairn.Comment{OrgID: w.org.ID, Item: cairn.Ref{Type: cairn.ItemCheckIn, ID: ci.ID}, AuthorID: &alice, Body: "@bob look",
			MentionedUserIDs: []int64{w.bob.ID}, CreatedAt: b.clock.Now()}
		must(t, b.db.AddComment(ctx, c))
		evs, err := b.db.CommentsAfter(ctx, before, 10)
		must(t, err)
		if len(evs) != 1 {
			t.Fatalf("events = %d", len(evs))
		}
		ev := evs[0]
		if ev.Item != (cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}) || ev.ItemTitle != k.Title || ev.AuthorName != "alice" {
			t.Fatalf("event = %+v", ev)
		}
		wantIDs(t, "owners", ev.OwnerIDs, []int64{w.carol.ID})
		wantIDs(t, "mentions", ev.Comment.MentionedUserIDs, []int64{w.bob.ID})
		if evs, _ := b.db.CommentsAfter(ctx, c.ID, 10); len(evs) != 0 {
			t.Fatalf("comments after the last = %d", len(evs))
		}
	})
}

// TestMigrationNamesTheOrganizationInNotificationKeys migrates reminder, follow-up and
// digest notifications stored before their keys named the organization, and checks that
// each key gains its organization while other keys stay as they were, so that a reminder
// made before the upgrade is still not made again.
func TestMigrationNamesTheOrganizationInNotificationKeys(t *testing.T) {
	t.Parallel()
	for _, dialect := range dialects {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			old, dsn := databaseAt(t, dialect, 21)
			q := func(s string) string { return rebind(dialect, s) }
			at := time.Date(2026, 4, 5, 9, 0, 0, 0, time.UTC)
			var userID, orgID int64
			must(t, old.QueryRow(q(`INSERT INTO users (email, name, created_at) VALUES (?, ?, ?) RETURNING id`), "ada@example.com", "Ada", at).Scan(&userID))
			must(t, old.QueryRow(q(`INSERT INTO orgs (name, slug, at_risk_gap, created_at) VALUES (?, ?, ?, ?) RETURNING id`), "Fabrikam", "fabrikam", 0.25, at).Scan(&orgID))
			keys := map[string]string{ // kind → key before the migration
				"reminder": "reminder:2026-04-06T09:00:00Z",
				"overdue":  "overdue:2026-03-30T09:00:00Z",
				"digest":   "digest:2026-W14",
				"mention":  "mention:12",
			}
			for kind, key := range keys {
				_, err := old.Exec(q(`INSERT INTO notifications (user_id, org_id, kind, dedup_key, title, body, link, created_at) VALUES (?, ?, ?, ?, 't', 'b', '/', ?)`),
					userID, orgID, kind, key, at)
				must(t, err)
			}
			must(t, old.Close())

			db, err := sqldb.Open(ctx, dsn, sqldb.Options{})
			must(t, err)
			defer db.Close()
			got, err := db.ListNotifications(ctx, userID, false, 10)
			must(t, err)
			org := strconv.FormatInt(orgID, 10)
			want := map[string]string{
				"reminder": cairn.Reminder{OrgID: orgID, Due: time.Date(2026, 4, 6, 9, 0, 0, 0, time.UTC)}.Key(),
				"overdue":  cairn.Reminder{OrgID: orgID, Due: time.Date(2026, 3, 30, 9, 0, 0, 0, time.UTC), FollowUp: true}.Key(),
				"digest":   cairn.DigestKey(orgID, "2026-W14"),
				"mention":  "mention:12",
			}
			if want["reminder"] != "reminder:"+org+":2026-04-06T09:00:00Z" {
				t.Fatalf("Reminder.Key() = %q", want["reminder"])
			}
			if len(got) != len(want) {
				t.Fatalf("%d notifications after the migration, want %d", len(got), len(want))
			}
			for _, n := range got {
				if n.Key != want[string(n.Kind)] {
					t.Errorf("%s key after the migration = %q, want %q", n.Kind, n.Key, want[string(n.Kind)])
				}
			}
			// The reminder made before the upgrade is not made again.
			again := &cairn.Notification{UserID: userID, OrgID: orgID, Kind: cairn.NotifyReminder, Key: want["reminder"], Title: "t", Body: "b", Link: "/", CreatedAt: at}
			ok, err := db.AddNotification(ctx, again, nil)
			must(t, err)
			if ok {
				t.Error("a reminder stored before the upgrade was stored again under its new key")
			}
		})
	}
}
