package sqldb_test

import (
	"slices"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/sqldb"
)

// TestConversationMigrationKeepsComments migrates a database that holds comments from
// before comments could be on check-ins (SQLite builds the table again for that) and checks
// that every comment keeps its id, author and text, and that new ones continue after them.
func TestConversationMigrationKeepsComments(t *testing.T) {
	t.Parallel()
	for _, dialect := range dialects {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			old, dsn := databaseAt(t, dialect, 11)
			q := func(s string) string { return rebind(dialect, s) }
			at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
			var userID, orgID, commentID int64
			must(t, old.QueryRow(q(`INSERT INTO users (email, name, created_at) VALUES (?, ?, ?) RETURNING id`), "ada@example.com", "Ada", at).Scan(&userID))
			must(t, old.QueryRow(q(`INSERT INTO orgs (name, slug, at_risk_gap, created_at) VALUES (?, ?, ?, ?) RETURNING id`), "Fabrikam", "fabrikam", 0.25, at).Scan(&orgID))
			for _, body := range []string{"first", "second"} {
				must(t, old.QueryRow(q(`INSERT INTO item_comments (org_id, item_type, item_id, author_id, body, created_at) VALUES (?, 'objective', 7, ?, ?, ?) RETURNING id`),
					orgID, userID, body, at).Scan(&commentID))
			}
			must(t, old.Close())

			db, err := sqldb.Open(ctx, dsn, sqldb.Options{})
			must(t, err)
			defer db.Close()
			c, err := db.CommentByID(ctx, orgID, commentID)
			must(t, err)
			if c.Body != "second" || c.AuthorID == nil || *c.AuthorID != userID || !c.CreatedAt.Equal(at) || c.EditedAt != nil ||
				c.Item != (cairn.Ref{Type: cairn.ItemObjective, ID: 7}) || len(c.MentionedUserIDs) != 0 {
				t.Fatalf("comment after the migration = %+v", c)
			}
			var next int64
			err = db.SQL().QueryRowContext(ctx, q(`INSERT INTO item_comments (org_id, item_type, item_id, body, created_at) VALUES (?, 'check_in', 1, 'new', ?) RETURNING id`),
				orgID, at).Scan(&next)
			must(t, err)
			if next <= commentID {
				t.Fatalf("a new comment has id %d, not after the old ones' %d", next, commentID)
			}
		})
	}
}

// TestMergeUsersTakesDelegationsMentionsAndHistory merges an unclaimed user who edits and
// checks in on items, is mentioned and made changes into an account, without duplicates
// where the account had the role already.
func TestMergeUsersTakesDelegationsMentionsAndHistory(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		w := b.world(t)
		ram := b.unclaimedUser(t, "Ram Sagoo", "viva-ram")
		must(t, b.db.AddMember(ctx, &cairn.Member{OrgID: w.org.ID, UserID: ram.ID, Role: cairn.RoleMember}))
		must(t, b.db.AddMember(ctx, &cairn.Member{OrgID: w.org.ID, UserID: w.carol.ID, Role: cairn.RoleMember}))
		o := b.objective(t, w.org.ID, w.period.ID, w.alice.ID)
		ramCtx := cairn.NewContext(ctx, ram)
		k := &cairn.KeyResult{OrgID: w.org.ID, ObjectiveID: o.ID, Title: "NPS", Metric: cairn.Metric{Kind: cairn.MetricNumber, Target: 50},
			EditorIDs: []int64{ram.ID}, CheckInOwnerIDs: []int64{ram.ID, w.carol.ID}}
		must(t, b.db.CreateKeyResult(ramCtx, k))
		i := &cairn.Initiative{OrgID: w.org.ID, Parent: cairn.Ref{Type: cairn.ItemObjective, ID: o.ID}, Title: "Calls", EditorIDs: []int64{ram.ID}}
		must(t, b.db.CreateInitiative(ctx, i))
		c := &cairn.Comment{OrgID: w.org.ID, Item: cairn.Ref{Type: cairn.ItemObjective, ID: o.ID}, Body: "@Ram Sagoo and @carol", AuthorID: &w.alice.ID,
			MentionedUserIDs: []int64{ram.ID, w.carol.ID}}
		must(t, b.db.AddComment(ctx, c))

		must(t, b.db.MergeUsers(ctx, w.carol, []int64{ram.ID}))
		gotK, err := b.db.KeyResultByID(ctx, w.org.ID, k.ID)
		must(t, err)
		wantIDs(t, "key result editors", gotK.EditorIDs, []int64{w.carol.ID})
		wantIDs(t, "key result check-in owners", gotK.CheckInOwnerIDs, []int64{w.carol.ID})
		gotI, err := b.db.InitiativeByID(ctx, w.org.ID, i.ID)
		must(t, err)
		wantIDs(t, "initiative editors", gotI.EditorIDs, []int64{w.carol.ID})
		gotC, err := b.db.CommentByID(ctx, w.org.ID, c.ID)
		must(t, err)
		wantIDs(t, "mentions", gotC.MentionedUserIDs, []int64{w.carol.ID})
		es, err := b.db.ListAuditEvents(ctx, cairn.AuditFilter{OrgID: w.org.ID, Item: &cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}})
		must(t, err)
		if len(es) != 1 || es[0].ActorID == nil || *es[0].ActorID != w.carol.ID {
			t.Fatalf("the key result's history after the merge = %+v", es)
		}
		if slices.ContainsFunc(es[0].Changes, func(c cairn.FieldChange) bool { return c.Field == "id" || c.Field == "created_at" }) {
			t.Fatalf("the audit trail records ids or times of its own: %+v", es[0].Changes)
		}
	})
}
