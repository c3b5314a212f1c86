package sqldb_test

import (
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/sqldb"
)

// unclaimedUser stores an unclaimed user, as an import makes them.
func (b *testBundle) unclaimedUser(tb testing.TB, name, local string) *cairn.User {
	tb.Helper()
	u := &cairn.User{Email: local + "@" + cairn.UnclaimedDomain, Name: name, Unclaimed: true}
	must(tb, b.db.CreateUser(ctx, u))
	return u
}

// importComment stores a comment the way an import does.
func (b *testBundle) importComment(tb testing.TB, orgID int64, c *cairn.Comment) {
	tb.Helper()
	must(tb, b.db.Import(ctx, orgID, true, func(tx cairn.ImportTx) error { return tx.AddComment(ctx, c) }))
}

func TestUnclaimedUsers(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		t.Run("ErrPlaceholderRequired", func(t *testing.T) {
			wantCode(t, b.db.CreateUser(ctx, &cairn.User{Email: "ram@example.com", Name: "Ram", Unclaimed: true}), cairn.EINVALID)
		})
		t.Run("ErrReservedDomain", func(t *testing.T) {
			wantCode(t, b.db.CreateUser(ctx, &cairn.User{Email: "ram@" + cairn.UnclaimedDomain, Name: "Ram"}), cairn.EINVALID)
		})
		t.Run("ErrCannotSignIn", func(t *testing.T) {
			wantCode(t, b.db.CreateUser(ctx, &cairn.User{Email: "x@" + cairn.UnclaimedDomain, Unclaimed: true, PasswordHash: "h"}), cairn.EINVALID)
		})
		ram := b.unclaimedUser(t, "Ram Sagoo", "viva-ram")
		b.unclaimedUser(t, "Other", "viva-other")
		got, err := b.db.UserByID(ctx, ram.ID)
		must(t, err)
		if !got.Unclaimed {
			t.Fatalf("user %+v lost its mark", got)
		}
		byName, err := b.db.UnclaimedUsersByName(ctx, " ram SAGOO ")
		must(t, err)
		if len(byName) != 1 || byName[0].ID != ram.ID {
			t.Fatalf("unclaimed users named Ram Sagoo = %+v", byName)
		}
		real := b.user(t, "ram@example.com")
		real.Name = "Ram Sagoo"
		must(t, b.db.UpdateUser(ctx, real))
		if byName, _ := b.db.UnclaimedUsersByName(ctx, "Ram Sagoo"); len(byName) != 1 {
			t.Fatalf("a real account counts as unclaimed: %+v", byName)
		}
	})
}

// TestMergeUsers merges an unclaimed user into an account: memberships, team places,
// ownerships, editorships, check-ins, comments and mappings move, without duplicates where
// the account had them already, and the unclaimed user is gone.
func TestMergeUsers(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		w := b.world(t)
		ram := b.unclaimedUser(t, "Ram Sagoo", "viva-ram")
		must(t, b.db.AddMember(ctx, &cairn.Member{OrgID: w.org.ID, UserID: ram.ID, Role: cairn.RoleMember}))
		must(t, b.db.AddMember(ctx, &cairn.Member{OrgID: w.org.ID, UserID: w.carol.ID, Role: cairn.RoleViewer}))
		team := &cairn.Team{OrgID: w.org.ID, Name: "Sales", MemberIDs: []int64{ram.ID, w.carol.ID}}
		must(t, b.db.CreateTeam(ctx, team))
		both := b.objective(t, w.org.ID, w.period.ID, ram.ID, w.carol.ID)
		mine := b.objective(t, w.org.ID, w.period.ID, ram.ID)
		mine.EditorIDs = []int64{ram.ID}
		mine.OwnerIDs = []int64{w.alice.ID}
		must(t, b.db.UpdateObjective(ctx, mine))
		k := b.keyResult(t, w.org.ID, both.ID, ram.ID)
		i := b.initiative(t, w.org.ID, cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}, ram.ID, w.carol.ID)
		kref := cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}
		must(t, b.db.AddCheckIn(ctx, &cairn.CheckIn{OrgID: w.org.ID, Item: kref, Value: 20, AuthorID: &ram.ID}))
		b.importComment(t, w.org.ID, &cairn.Comment{Item: cairn.Ref{Type: cairn.ItemObjective, ID: both.ID}, Body: "Kick-off", AuthorID: &ram.ID, CreatedAt: time.Now()})
		must(t, b.db.Import(ctx, w.org.ID, true, func(tx cairn.ImportTx) error {
			return tx.PutMapping(ctx, &cairn.ImportMapping{Kind: cairn.MappingPerson, VivaID: "name:ram sagoo", CairnID: ram.ID})
		}))

		t.Run("ErrNotUnclaimed", func(t *testing.T) {
			wantCode(t, b.db.MergeUsers(ctx, w.carol, []int64{w.bob.ID}), cairn.ECONFLICT)
		})
		must(t, b.db.MergeUsers(ctx, w.carol, []int64{ram.ID}))

		if _, err := b.db.UserByID(ctx, ram.ID); cairn.ErrorCode(err) != cairn.ENOTFOUND {
			t.Fatalf("the unclaimed user is still there: %v", err)
		}
		m, err := b.db.Membership(ctx, w.org.ID, w.carol.ID)
		must(t, err)
		if m.Role != cairn.RoleViewer {
			t.Errorf("carol's role = %s, want her own viewer role kept", m.Role)
		}
		gotTeam, err := b.db.TeamByID(ctx, w.org.ID, team.ID)
		must(t, err)
		wantIDs(t, "team members", gotTeam.MemberIDs, []int64{w.carol.ID})
		gotBoth, err := b.db.ObjectiveByID(ctx, w.org.ID, both.ID)
		must(t, err)
		wantIDs(t, "owners of the shared objective", gotBoth.OwnerIDs, []int64{w.carol.ID})
		gotMine, err := b.db.ObjectiveByID(ctx, w.org.ID, mine.ID)
		must(t, err)
		wantIDs(t, "editors", gotMine.EditorIDs, []int64{w.carol.ID})
		gotK, err := b.db.KeyResultByID(ctx, w.org.ID, k.ID)
		must(t, err)
		wantIDs(t, "key result owners", gotK.OwnerIDs, []int64{w.carol.ID})
		gotI, err := b.db.InitiativeByID(ctx, w.org.ID, i.ID)
		must(t, err)
		wantIDs(t, "initiative owners", gotI.OwnerIDs, []int64{w.carol.ID})
		cs, err := b.db.ListCheckIns(ctx, w.org.ID, kref, 0)
		must(t, err)
		if len(cs) != 1 || cs[0].AuthorID == nil || *cs[0].AuthorID != w.carol.ID {
			t.Errorf("check-ins = %+v", cs)
		}
		cms, err := b.db.ListComments(ctx, w.org.ID, cairn.Ref{Type: cairn.ItemObjective, ID: both.ID})
		must(t, err)
		if len(cms) != 1 || *cms[0].AuthorID != w.carol.ID {
			t.Errorf("comments = %+v", cms)
		}
		ms, err := b.db.ImportMappings(ctx, w.org.ID, cairn.MappingPerson)
		must(t, err)
		if len(ms) != 1 || ms[0].CairnID != w.carol.ID {
			t.Errorf("person mappings = %+v", ms)
		}

		t.Run("IntoNewAccount", func(t *testing.T) {
			rol := b.unclaimedUser(t, "Roland", "viva-rol")
			must(t, b.db.AddMember(ctx, &cairn.Member{OrgID: w.org.ID, UserID: rol.ID, Role: cairn.RoleMember}))
			u := &cairn.User{Email: "roland@example.com", Name: "Roland"}
			must(t, b.db.MergeUsers(ctx, u, []int64{rol.ID}))
			m, err := b.db.Membership(ctx, w.org.ID, u.ID)
			must(t, err)
			if u.ID == 0 || m.Role != cairn.RoleMember || m.Unclaimed {
				t.Fatalf("new account %+v, membership %+v", u, m)
			}
		})
	})
}

// TestRebindEntries stores re-bind entries and checks that binding a data source to the item
// ticks its entry off, and that deleting the item removes it.
func TestRebindEntries(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		w := b.world(t)
		o := b.objective(t, w.org.ID, w.period.ID, w.alice.ID)
		k := b.keyResult(t, w.org.ID, o.ID)
		kref := cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}
		e := &cairn.RebindEntry{OrgID: w.org.ID, Item: kref, VivaID: "1002", Reason: "Azure DevOps set it"}
		must(t, b.db.AddRebind(ctx, e, false))
		oe := &cairn.RebindEntry{OrgID: w.org.ID, Item: cairn.Ref{Type: cairn.ItemObjective, ID: o.ID}}
		must(t, b.db.AddRebind(ctx, oe, false))
		if e.ID == 0 || e.Title != k.Title || e.DoneAt != nil || oe.Reason == "" {
			t.Fatalf("entries = %+v %+v", e, oe)
		}
		t.Run("ErrOtherOrganization", func(t *testing.T) {
			wantCode(t, b.db.AddRebind(ctx, &cairn.RebindEntry{OrgID: w.other.ID, Item: kref}, true), cairn.EINVALID)
		})
		// Without reopen an entry stays as it is.
		again := &cairn.RebindEntry{OrgID: w.org.ID, Item: kref, Reason: "other"}
		must(t, b.db.AddRebind(ctx, again, false))
		if again.ID != e.ID || again.Reason != "Azure DevOps set it" {
			t.Fatalf("entry after a second add = %+v", again)
		}

		conn := &cairn.Connection{OrgID: w.org.ID, OwnerID: w.alice.ID, Name: "ADO", OrganizationURL: "https://dev.azure.com/fabrikam",
			Project: "Fiber", AuthType: cairn.AuthPAT, Credential: "sealed"}
		must(t, b.db.CreateConnection(ctx, conn))
		must(t, b.db.CreateDataSource(ctx, &cairn.DataSource{OrgID: w.org.ID, ConnectionID: conn.ID,
			Target: cairn.Target{Type: cairn.TargetKeyResult, ID: k.ID}, Method: cairn.MethodWorkItems,
			WorkItemType: "Epic", WorkItemIDs: []int{1}}, nil))
		open, err := b.db.ListRebinds(ctx, w.org.ID, false)
		must(t, err)
		if len(open) != 1 || open[0].ID != oe.ID {
			t.Fatalf("open entries after binding the key result = %+v", open)
		}
		all, err := b.db.ListRebinds(ctx, w.org.ID, true)
		must(t, err)
		if len(all) != 2 || all[0].DoneAt == nil {
			t.Fatalf("all entries = %+v", all)
		}
		// An item bound already is done as soon as it is added again.
		re := &cairn.RebindEntry{OrgID: w.org.ID, Item: kref, Reason: "check the query"}
		must(t, b.db.AddRebind(ctx, re, true))
		if re.DoneAt == nil || re.Reason != "check the query" {
			t.Fatalf("reopened entry of a bound item = %+v", re)
		}

		done, err := b.db.MarkRebindDone(ctx, w.org.ID, oe.ID, time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
		must(t, err)
		if done.DoneAt == nil || !done.DoneAt.Equal(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("done = %+v", done)
		}
		_, err = b.db.MarkRebindDone(ctx, w.other.ID, oe.ID, time.Now())
		wantCode(t, err, cairn.ENOTFOUND)

		must(t, b.db.DeleteObjective(ctx, w.org.ID, o.ID))
		all, err = b.db.ListRebinds(ctx, w.org.ID, true)
		must(t, err)
		var n int
		must(t, b.db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM import_rebinds`).Scan(&n))
		if len(all) != 0 || n != 0 {
			t.Fatalf("entries of deleted items: listed %d, stored %d", len(all), n)
		}
	})
}

// TestImportDryRunCannotWrite checks that the snapshot of a dry run refuses every write.
func TestImportDryRunCannotWrite(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		w := b.world(t)
		err := b.db.Import(ctx, w.org.ID, false, func(tx cairn.ImportTx) error {
			ps, err := tx.ListPeriods(ctx)
			if err != nil || len(ps) != 1 {
				t.Errorf("periods in the snapshot = %v, %v", ps, err)
			}
			return tx.CreatePeriod(ctx, &cairn.Period{Name: "Q3", Start: w.period.Start, End: w.period.End})
		})
		wantCode(t, err, cairn.EINTERNAL)
		wantCode(t, b.db.Import(ctx, 999999, true, func(cairn.ImportTx) error { return nil }), cairn.ENOTFOUND)
	})
}

// TestImportAnalyzesOnPostgres checks that a written import leaves the planner fresh
// statistics of what it wrote (ANALYZE), and that a dry run leaves them alone: with the
// statistics of nearly empty tables PostgreSQL planned a period's check-ins so badly after a
// large import that the period list took seconds.
func TestImportAnalyzesOnPostgres(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		if b.db.Dialect() != sqldb.DialectPostgres {
			return
		}
		w := b.world(t)
		analyzed := func() bool {
			var n int
			must(t, b.db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_user_tables
				WHERE schemaname = current_schema() AND relname = 'periods' AND last_analyze IS NOT NULL`).Scan(&n))
			return n == 1
		}
		period := func(name string) func(tx cairn.ImportTx) error {
			return func(tx cairn.ImportTx) error {
				return tx.CreatePeriod(ctx, &cairn.Period{Name: name, Start: w.period.Start, End: w.period.End})
			}
		}
		must(t, b.db.Import(ctx, w.org.ID, false, func(tx cairn.ImportTx) error { _, err := tx.ListPeriods(ctx); return err }))
		time.Sleep(1500 * time.Millisecond) // statistics reach the views within a second
		if analyzed() {
			t.Fatal("a dry run analyzed the tables")
		}
		must(t, b.db.Import(ctx, w.org.ID, true, period("Q3")))
		deadline := time.Now().Add(10 * time.Second)
		for !analyzed() {
			if time.Now().After(deadline) {
				t.Fatal("the written import left the tables without fresh statistics")
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}
