package sqldb_test

import (
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
)

func TestOrgs(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		alice, bob := b.user(t, "alice@example.com"), b.user(t, "bob@example.com")
		fab := b.org(t, "fabrikam", alice.ID)
		con := b.org(t, "contoso", bob.ID)
		if fab.AtRiskGap != cairn.DefaultAtRiskGap {
			t.Fatalf("at-risk gap = %v, want the default", fab.AtRiskGap)
		}

		m, err := b.db.Membership(ctx, fab.ID, alice.ID)
		must(t, err)
		if m.Role != cairn.RoleAdmin || m.Email != "alice@example.com" {
			t.Fatalf("creator membership = %+v, want admin", m)
		}

		got, err := b.db.OrgBySlug(ctx, "fabrikam")
		must(t, err)
		if *got != *fab {
			t.Fatalf("by slug = %+v, want %+v", got, fab)
		}
		got, err = b.db.OrgByID(ctx, con.ID)
		must(t, err)
		if got.Slug != "contoso" {
			t.Fatalf("by id = %+v", got)
		}

		t.Run("ErrDuplicateSlug", func(t *testing.T) {
			err := b.db.CreateOrg(ctx, &cairn.Org{Name: "Again", Slug: "fabrikam"}, alice.ID)
			wantCode(t, err, cairn.ECONFLICT)
			if cairn.ErrorField(err) != "slug" {
				t.Fatalf("field = %q, want slug", cairn.ErrorField(err))
			}
			dup := *con
			dup.Slug = "fabrikam"
			wantCode(t, b.db.UpdateOrg(ctx, &dup), cairn.ECONFLICT)
		})
		t.Run("ErrUnknownCreator", func(t *testing.T) {
			wantCode(t, b.db.CreateOrg(ctx, &cairn.Org{Name: "X", Slug: "x-org"}, 9999), cairn.ENOTFOUND)
			_, err := b.db.OrgBySlug(ctx, "x-org")
			wantCode(t, err, cairn.ENOTFOUND)
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := b.db.OrgByID(ctx, 9999)
			wantCode(t, err, cairn.ENOTFOUND)
			wantCode(t, b.db.UpdateOrg(ctx, &cairn.Org{ID: 9999, Name: "N", Slug: "n"}), cairn.ENOTFOUND)
			wantCode(t, b.db.DeleteOrg(ctx, 9999), cairn.ENOTFOUND)
		})

		all, err := b.db.ListOrgs(ctx, 0)
		must(t, err)
		if len(all) != 2 || all[0].Slug != "contoso" || all[1].Slug != "fabrikam" {
			t.Fatalf("ListOrgs(0) = %v, want contoso, fabrikam", all)
		}
		mine, err := b.db.ListOrgs(ctx, alice.ID)
		must(t, err)
		if len(mine) != 1 || mine[0].ID != fab.ID {
			t.Fatalf("ListOrgs(alice) = %v, want fabrikam only", mine)
		}
		none, err := b.db.ListOrgs(ctx, 9999)
		must(t, err)
		if none == nil || len(none) != 0 {
			t.Fatalf("ListOrgs(stranger) = %#v, want an empty slice", none)
		}

		fab.Name, fab.AtRiskGap = "Fabrikam Inc", 0.4
		must(t, b.db.UpdateOrg(ctx, fab))
		got, err = b.db.OrgByID(ctx, fab.ID)
		must(t, err)
		if got.Name != "Fabrikam Inc" || got.AtRiskGap != 0.4 {
			t.Fatalf("after update: %+v", got)
		}
	})
}

func TestDeleteOrgCascades(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		w := b.world(t)
		team := &cairn.Team{OrgID: w.org.ID, Name: "Platform", MemberIDs: []int64{w.alice.ID}}
		must(t, b.db.CreateTeam(ctx, team))
		o := &cairn.Objective{OrgID: w.org.ID, PeriodID: w.period.ID, TeamID: &team.ID, Level: cairn.LevelTeam,
			Title: "Ship", OwnerIDs: []int64{w.alice.ID}}
		must(t, b.db.CreateObjective(ctx, o))
		k := b.keyResult(t, w.org.ID, o.ID, w.alice.ID)
		i := b.initiative(t, w.org.ID, cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID})
		must(t, b.db.AddCheckIn(ctx, &cairn.CheckIn{OrgID: w.org.ID, Item: cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}, Value: 20}))
		keep := b.objective(t, w.other.ID, w.otherPeriod.ID, w.bob.ID)

		must(t, b.db.DeleteOrg(ctx, w.org.ID))
		for name, err := range map[string]error{
			"org":        second(b.db.OrgByID(ctx, w.org.ID)),
			"team":       second(b.db.TeamByID(ctx, w.org.ID, team.ID)),
			"period":     second(b.db.PeriodByID(ctx, w.org.ID, w.period.ID)),
			"objective":  second(b.db.ObjectiveByID(ctx, w.org.ID, o.ID)),
			"key result": second(b.db.KeyResultByID(ctx, w.org.ID, k.ID)),
			"initiative": second(b.db.InitiativeByID(ctx, w.org.ID, i.ID)),
			"membership": second(b.db.Membership(ctx, w.org.ID, w.alice.ID)),
		} {
			if cairn.ErrorCode(err) != cairn.ENOTFOUND {
				t.Errorf("%s after DeleteOrg: %v, want ENOTFOUND", name, err)
			}
		}
		if _, err := b.db.ObjectiveByID(ctx, w.other.ID, keep.ID); err != nil {
			t.Fatalf("the other organization's objective is gone: %v", err)
		}
		if _, err := b.db.UserByID(ctx, w.alice.ID); err != nil {
			t.Fatalf("users must survive their organization: %v", err)
		}
	})
}

func second[T any](_ T, err error) error { return err }

func TestMembers(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		w := b.world(t)
		m := &cairn.Member{OrgID: w.org.ID, UserID: w.bob.ID, Role: cairn.RoleViewer}
		must(t, b.db.AddMember(ctx, m))
		if m.Email != "bob@example.com" || m.CreatedAt.IsZero() {
			t.Fatalf("added member = %+v, want email and time filled in", m)
		}
		t.Run("ErrAlreadyMember", func(t *testing.T) {
			wantCode(t, b.db.AddMember(ctx, &cairn.Member{OrgID: w.org.ID, UserID: w.bob.ID, Role: cairn.RoleMember}), cairn.ECONFLICT)
		})
		t.Run("ErrInvalidRole", func(t *testing.T) {
			wantCode(t, b.db.AddMember(ctx, &cairn.Member{OrgID: w.org.ID, UserID: w.carol.ID, Role: "owner"}), cairn.EINVALID)
		})
		t.Run("ErrUnknownUserOrOrg", func(t *testing.T) {
			wantCode(t, b.db.AddMember(ctx, &cairn.Member{OrgID: w.org.ID, UserID: 9999, Role: cairn.RoleMember}), cairn.ENOTFOUND)
			wantCode(t, b.db.AddMember(ctx, &cairn.Member{OrgID: 9999, UserID: w.carol.ID, Role: cairn.RoleMember}), cairn.ENOTFOUND)
		})

		members, err := b.db.ListMembers(ctx, w.org.ID)
		must(t, err)
		if len(members) != 2 || members[0].UserID != w.alice.ID || members[1].Role != cairn.RoleViewer {
			t.Fatalf("members = %+v", members)
		}

		must(t, b.db.UpdateMember(ctx, &cairn.Member{OrgID: w.org.ID, UserID: w.bob.ID, Role: cairn.RoleMember}))
		got, err := b.db.Membership(ctx, w.org.ID, w.bob.ID)
		must(t, err)
		if got.Role != cairn.RoleMember {
			t.Fatalf("role = %q, want member", got.Role)
		}
		wantCode(t, b.db.UpdateMember(ctx, &cairn.Member{OrgID: w.org.ID, UserID: w.carol.ID, Role: cairn.RoleMember}), cairn.ENOTFOUND)

		team := &cairn.Team{OrgID: w.org.ID, Name: "Core", MemberIDs: []int64{w.bob.ID, w.alice.ID}}
		must(t, b.db.CreateTeam(ctx, team))
		must(t, b.db.RemoveMember(ctx, w.org.ID, w.bob.ID))
		_, err = b.db.Membership(ctx, w.org.ID, w.bob.ID)
		wantCode(t, err, cairn.ENOTFOUND)
		tm, err := b.db.TeamByID(ctx, w.org.ID, team.ID)
		must(t, err)
		wantIDs(t, "team members after removal", tm.MemberIDs, []int64{w.alice.ID})
		if _, err := b.db.Membership(ctx, w.other.ID, w.bob.ID); err != nil {
			t.Fatalf("removal reached into another organization: %v", err)
		}
		wantCode(t, b.db.RemoveMember(ctx, w.org.ID, w.bob.ID), cairn.ENOTFOUND)
	})
}

func TestTeams(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		w := b.world(t)
		team := &cairn.Team{OrgID: w.org.ID, Name: " Platform ", MemberIDs: []int64{w.carol.ID, w.alice.ID}}
		must(t, b.db.CreateTeam(ctx, team))
		wantIDs(t, "created member ids", team.MemberIDs, []int64{w.alice.ID, w.carol.ID})
		empty := &cairn.Team{OrgID: w.org.ID, Name: "Alpha"}
		must(t, b.db.CreateTeam(ctx, empty))

		got, err := b.db.TeamByID(ctx, w.org.ID, team.ID)
		must(t, err)
		if got.Name != "Platform" || !got.CreatedAt.Equal(team.CreatedAt) {
			t.Fatalf("team = %+v", got)
		}
		wantIDs(t, "member ids", got.MemberIDs, []int64{w.alice.ID, w.carol.ID})

		t.Run("ErrNotFoundInOtherOrg", func(t *testing.T) {
			_, err := b.db.TeamByID(ctx, w.other.ID, team.ID)
			wantCode(t, err, cairn.ENOTFOUND)
			wantCode(t, b.db.UpdateTeam(ctx, &cairn.Team{ID: team.ID, OrgID: w.other.ID, Name: "Stolen"}), cairn.ENOTFOUND)
			wantCode(t, b.db.DeleteTeam(ctx, w.other.ID, team.ID), cairn.ENOTFOUND)
		})
		t.Run("ErrUnknownMember", func(t *testing.T) {
			err := b.db.CreateTeam(ctx, &cairn.Team{OrgID: w.org.ID, Name: "Ghosts", MemberIDs: []int64{9999}})
			wantCode(t, err, cairn.EINVALID)
			if cairn.ErrorField(err) != "member_ids" {
				t.Fatalf("field = %q", cairn.ErrorField(err))
			}
		})

		teams, err := b.db.ListTeams(ctx, w.org.ID)
		must(t, err)
		if len(teams) != 2 || teams[0].ID != empty.ID || teams[1].ID != team.ID {
			t.Fatalf("teams = %+v, want Alpha then Platform", teams)
		}
		wantIDs(t, "empty team's member ids", teams[0].MemberIDs, []int64{})
		wantIDs(t, "listed member ids", teams[1].MemberIDs, []int64{w.alice.ID, w.carol.ID})

		team.Name, team.MemberIDs = "Platform Eng", []int64{w.bob.ID}
		must(t, b.db.UpdateTeam(ctx, team))
		got, err = b.db.TeamByID(ctx, w.org.ID, team.ID)
		must(t, err)
		if got.Name != "Platform Eng" {
			t.Fatalf("name = %q", got.Name)
		}
		wantIDs(t, "updated member ids", got.MemberIDs, []int64{w.bob.ID})

		t.Run("ErrConflictWhileObjectivesUseIt", func(t *testing.T) {
			o := &cairn.Objective{OrgID: w.org.ID, PeriodID: w.period.ID, TeamID: &team.ID, Level: cairn.LevelTeam,
				Title: "T", OwnerIDs: []int64{w.alice.ID}}
			must(t, b.db.CreateObjective(ctx, o))
			wantCode(t, b.db.DeleteTeam(ctx, w.org.ID, team.ID), cairn.ECONFLICT)
			must(t, b.db.DeleteObjective(ctx, w.org.ID, o.ID))
		})
		must(t, b.db.DeleteTeam(ctx, w.org.ID, team.ID))
		_, err = b.db.TeamByID(ctx, w.org.ID, team.ID)
		wantCode(t, err, cairn.ENOTFOUND)
	})
}

func TestPeriods(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		w := b.world(t)
		q3 := &cairn.Period{OrgID: w.org.ID, Name: "Q3 2026",
			Start: cairn.Date{Year: 2026, Month: 7, Day: 1}, End: cairn.Date{Year: 2026, Month: 9, Day: 30}}
		must(t, b.db.CreatePeriod(ctx, q3))
		got, err := b.db.PeriodByID(ctx, w.org.ID, q3.ID)
		must(t, err)
		if got.Name != "Q3 2026" || got.Start != q3.Start || got.End != q3.End || got.ClosedAt != nil {
			t.Fatalf("period = %+v, want %+v", got, q3)
		}
		list, err := b.db.ListPeriods(ctx, w.org.ID)
		must(t, err)
		if len(list) != 2 || list[0].ID != q3.ID || list[1].ID != w.period.ID {
			t.Fatalf("periods = %+v, want the latest start first", list)
		}

		t.Run("ErrInvalid", func(t *testing.T) {
			bad := &cairn.Period{OrgID: w.org.ID, Name: "Backwards", Start: q3.End, End: q3.Start}
			wantCode(t, b.db.CreatePeriod(ctx, bad), cairn.EINVALID)
			wantCode(t, b.db.CreatePeriod(ctx, &cairn.Period{OrgID: 9999, Name: "X", Start: q3.Start, End: q3.End}), cairn.ENOTFOUND)
		})
		t.Run("ErrNotFoundInOtherOrg", func(t *testing.T) {
			_, err := b.db.PeriodByID(ctx, w.other.ID, q3.ID)
			wantCode(t, err, cairn.ENOTFOUND)
			p := *q3
			p.OrgID = w.other.ID
			wantCode(t, b.db.UpdatePeriod(ctx, &p), cairn.ENOTFOUND)
			wantCode(t, b.db.DeletePeriod(ctx, w.other.ID, q3.ID), cairn.ENOTFOUND)
		})

		q3.Name, q3.End = "Q3", cairn.Date{Year: 2026, Month: 10, Day: 15}
		must(t, b.db.UpdatePeriod(ctx, q3))
		got, err = b.db.PeriodByID(ctx, w.org.ID, q3.ID)
		must(t, err)
		if got.Name != "Q3" || got.End != q3.End {
			t.Fatalf("after update: %+v", got)
		}

		o := b.objective(t, w.org.ID, q3.ID, w.alice.ID)
		wantCode(t, b.db.DeletePeriod(ctx, w.org.ID, q3.ID), cairn.ECONFLICT)
		must(t, b.db.DeleteObjective(ctx, w.org.ID, o.ID))
		must(t, b.db.DeletePeriod(ctx, w.org.ID, q3.ID))
		_, err = b.db.PeriodByID(ctx, w.org.ID, q3.ID)
		wantCode(t, err, cairn.ENOTFOUND)
	})
}

func TestClosePeriod(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		w := b.world(t)
		o := b.objective(t, w.org.ID, w.period.ID, w.alice.ID)
		k := b.keyResult(t, w.org.ID, o.ID, w.alice.ID)
		foreign := b.objective(t, w.other.ID, w.otherPeriod.ID, w.bob.ID)
		at := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
		closing := func(orgID int64, scores ...cairn.Score) *cairn.Closing {
			return &cairn.Closing{OrgID: orgID, PeriodID: w.period.ID, At: at, Note: "A good quarter", Scores: scores}
		}
		objScore := func(id int64, v float64, st progress.ClosingStatus) cairn.Score {
			return cairn.Score{Item: cairn.Ref{Type: cairn.ItemObjective, ID: id}, Value: v, Status: st}
		}
		krScore := func(id int64, v float64, st progress.ClosingStatus) cairn.Score {
			return cairn.Score{Item: cairn.Ref{Type: cairn.ItemKeyResult, ID: id}, Value: v, Status: st}
		}

		t.Run("ErrItemOutsidePeriodChangesNothing", func(t *testing.T) {
			err := b.db.ClosePeriod(ctx, closing(w.org.ID, objScore(o.ID, 0.7, progress.Achieved), objScore(foreign.ID, 0.1, progress.Missed)))
			wantCode(t, err, cairn.EINVALID)
			p, err := b.db.PeriodByID(ctx, w.org.ID, w.period.ID)
			must(t, err)
			got, err := b.db.ObjectiveByID(ctx, w.org.ID, o.ID)
			must(t, err)
			if p.Closed() || p.ClosingNote != "" || got.Score != nil || got.ClosingStatus != "" {
				t.Fatalf("a failed close left changes: closed=%v note=%q score=%v status=%q", p.ClosedAt, p.ClosingNote, got.Score, got.ClosingStatus)
			}
		})
		t.Run("ErrScoreOutOfRange", func(t *testing.T) {
			wantCode(t, b.db.ClosePeriod(ctx, closing(w.org.ID, krScore(k.ID, 1.5, progress.Achieved))), cairn.EINVALID)
		})
		t.Run("ErrStatusMissing", func(t *testing.T) {
			wantCode(t, b.db.ClosePeriod(ctx, closing(w.org.ID, krScore(k.ID, 0.5, ""))), cairn.EINVALID)
		})
		t.Run("ErrNotFoundInOtherOrg", func(t *testing.T) {
			wantCode(t, b.db.ClosePeriod(ctx, closing(w.other.ID)), cairn.ENOTFOUND)
		})
		t.Run("ErrReopenOpenPeriod", func(t *testing.T) {
			wantCode(t, b.db.ReopenPeriod(ctx, w.org.ID, w.period.ID), cairn.ECONFLICT)
		})

		must(t, b.db.ClosePeriod(ctx, closing(w.org.ID, objScore(o.ID, 0.7, progress.Achieved), krScore(k.ID, 0.25, progress.PartiallyAchieved))))
		p, err := b.db.PeriodByID(ctx, w.org.ID, w.period.ID)
		must(t, err)
		if p.ClosedAt == nil || !p.ClosedAt.Equal(at) || p.ClosingNote != "A good quarter" {
			t.Fatalf("closed at = %v with note %q, want %v and the note", p.ClosedAt, p.ClosingNote, at)
		}
		gotO, err := b.db.ObjectiveByID(ctx, w.org.ID, o.ID)
		must(t, err)
		gotK, err := b.db.KeyResultByID(ctx, w.org.ID, k.ID)
		must(t, err)
		if gotO.Score == nil || *gotO.Score != 0.7 || gotO.ClosingStatus != progress.Achieved ||
			gotK.Score == nil || *gotK.Score != 0.25 || gotK.ClosingStatus != progress.PartiallyAchieved {
			t.Fatalf("scores = %v %q, %v %q, want 0.7 achieved and 0.25 partially achieved", gotO.Score, gotO.ClosingStatus, gotK.Score, gotK.ClosingStatus)
		}
		wantCode(t, b.db.ClosePeriod(ctx, closing(w.org.ID)), cairn.ECONFLICT)

		t.Run("ReopenKeepsScoresAndNote", func(t *testing.T) {
			wantCode(t, b.db.ReopenPeriod(ctx, w.other.ID, w.period.ID), cairn.ENOTFOUND)
			must(t, b.db.ReopenPeriod(ctx, w.org.ID, w.period.ID))
			p, err := b.db.PeriodByID(ctx, w.org.ID, w.period.ID)
			must(t, err)
			gotK, err := b.db.KeyResultByID(ctx, w.org.ID, k.ID)
			must(t, err)
			if p.Closed() || p.ClosingNote != "A good quarter" || *gotK.Score != 0.25 || gotK.ClosingStatus != progress.PartiallyAchieved {
				t.Fatalf("after reopening: closed %v note %q key result %v %q", p.ClosedAt, p.ClosingNote, gotK.Score, gotK.ClosingStatus)
			}
		})
	})
}

// TestCarryForward checks the store's part of carrying key results into the next period:
// one copy of each objective however many of its key results go, links both ways, a key
// result carried at most once, and a closed target refused with nothing written.
func TestCarryForward(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		w := b.world(t)
		next := &cairn.Period{OrgID: w.org.ID, Name: "Q3", Start: cairn.Date{Year: 2026, Month: 7, Day: 1}, End: cairn.Date{Year: 2026, Month: 9, Day: 30}}
		must(t, b.db.CreatePeriod(ctx, next))
		o := b.objective(t, w.org.ID, w.period.ID, w.alice.ID)
		k1 := b.keyResult(t, w.org.ID, o.ID, w.alice.ID)
		k2 := b.keyResult(t, w.org.ID, o.ID, w.bob.ID)
		carry := func(k *cairn.KeyResult) *cairn.CarryForward {
			c, oc := *k, *o
			c.CarriedFromID, c.Metric.Start = &k.ID, 30
			return &cairn.CarryForward{From: k, Copy: &c, Objective: &oc}
		}
		at := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
		scores := []cairn.Score{
			{Item: cairn.Ref{Type: cairn.ItemObjective, ID: o.ID}, Value: 0.5, Status: progress.PartiallyAchieved},
			{Item: cairn.Ref{Type: cairn.ItemKeyResult, ID: k1.ID}, Value: 0.5, Status: progress.PartiallyAchieved},
			{Item: cairn.Ref{Type: cairn.ItemKeyResult, ID: k2.ID}, Value: 0.5, Status: progress.PartiallyAchieved},
		}

		t.Run("ErrConflictClosedTargetChangesNothing", func(t *testing.T) {
			closedNext := &cairn.Period{OrgID: w.org.ID, Name: "Closed Q3", Start: next.Start, End: next.End, ClosedAt: &at}
			must(t, b.db.CreatePeriod(ctx, closedNext))
			err := b.db.ClosePeriod(ctx, &cairn.Closing{OrgID: w.org.ID, PeriodID: w.period.ID, At: at, Scores: scores,
				CarryTo: closedNext.ID, Carry: []*cairn.CarryForward{carry(k1)}})
			wantCode(t, err, cairn.ECONFLICT)
			p, err := b.db.PeriodByID(ctx, w.org.ID, w.period.ID)
			must(t, err)
			objs, err := b.db.ListObjectives(ctx, cairn.ObjectiveFilter{OrgID: w.org.ID, PeriodID: closedNext.ID})
			must(t, err)
			if p.Closed() || len(objs) != 0 {
				t.Fatalf("a refused carry left the period closed (%v) or %d objectives", p.ClosedAt, len(objs))
			}
		})

		c1, c2 := carry(k1), carry(k2)
		must(t, b.db.ClosePeriod(ctx, &cairn.Closing{OrgID: w.org.ID, PeriodID: w.period.ID, At: at, Scores: scores,
			CarryTo: next.ID, Carry: []*cairn.CarryForward{c1, c2}}))
		if c1.Objective.ID == 0 || c1.Objective.ID != c2.Objective.ID || c1.Copy.ObjectiveID != c1.Objective.ID || c1.MovedDataSource {
			t.Fatalf("copies: objective %d and %d, key result under %d, data source moved %v", c1.Objective.ID, c2.Objective.ID, c1.Copy.ObjectiveID, c1.MovedDataSource)
		}
		objs, err := b.db.ListObjectives(ctx, cairn.ObjectiveFilter{OrgID: w.org.ID, PeriodID: next.ID})
		must(t, err)
		if len(objs) != 1 || objs[0].CarriedFromID == nil || *objs[0].CarriedFromID != o.ID || objs[0].Score != nil {
			t.Fatalf("objectives of the next period = %+v, want one copy of %d", objs, o.ID)
		}
		copyK, err := b.db.KeyResultByID(ctx, w.org.ID, c1.Copy.ID)
		must(t, err)
		if copyK.CarriedFromID == nil || *copyK.CarriedFromID != k1.ID || copyK.Metric.Start != 30 || copyK.OwnerIDs[0] != w.alice.ID {
			t.Fatalf("copy = %+v", copyK)
		}
		orig, err := b.db.KeyResultByID(ctx, w.org.ID, k1.ID)
		must(t, err)
		origO, err := b.db.ObjectiveByID(ctx, w.org.ID, o.ID)
		must(t, err)
		if orig.CarriedToID == nil || *orig.CarriedToID != c1.Copy.ID || origO.CarriedToID == nil || *origO.CarriedToID != c1.Objective.ID {
			t.Fatalf("links from the originals: key result to %v, objective to %v", orig.CarriedToID, origO.CarriedToID)
		}

		t.Run("ErrConflictCarriedTwice", func(t *testing.T) {
			must(t, b.db.ReopenPeriod(ctx, w.org.ID, w.period.ID))
			err := b.db.ClosePeriod(ctx, &cairn.Closing{OrgID: w.org.ID, PeriodID: w.period.ID, At: at, Scores: scores,
				CarryTo: next.ID, Carry: []*cairn.CarryForward{carry(k1)}})
			wantCode(t, err, cairn.ECONFLICT)
			krs, err := b.db.ListKeyResults(ctx, cairn.KeyResultFilter{OrgID: w.org.ID, PeriodID: next.ID})
			must(t, err)
			if len(krs) != 2 {
				t.Fatalf("%d key results in the next period after a refused second carry, want 2", len(krs))
			}
		})
		t.Run("DeletingTheOriginalUnlinks", func(t *testing.T) {
			must(t, b.db.DeleteKeyResult(ctx, w.org.ID, k2.ID))
			got, err := b.db.KeyResultByID(ctx, w.org.ID, c2.Copy.ID)
			must(t, err)
			if got.CarriedFromID != nil {
				t.Fatalf("the copy still links to deleted key result %d", *got.CarriedFromID)
			}
		})
	})
}
