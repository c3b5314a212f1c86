package cairn_test

import (
	"context"
	"testing"

	"github.com/cairn-okr/cairn"
)

// itemIDs names one of each item, to aim every read and write at.
type itemIDs struct {
	obj, kr, ini, period, team, user int64
}

// TestNotFound checks that an id that does not exist, or exists in another organization,
// is not found, for every read and write and whoever asks, even a tenant admin who may see
// both organizations; and that nothing of the other organization changes on the way.
func TestNotFound(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		f := b.foreignOKRs(t)
		obj := b.objective(t, "Delight customers")
		kr := b.keyResult(t, obj.ID, "NPS to 50")
		ini := b.initiative(t, krRef(kr.ID), "Interview 20 users")
		team := &cairn.Team{Name: "Platform"}
		must(t, b.svc.CreateTeam(b.as("admin"), b.org.Slug, team))

		fabrikam := itemIDs{obj.ID, kr.ID, ini.ID, b.period.ID, team.ID, b.id("member")}
		contoso := itemIDs{f.obj.ID, f.kr.ID, f.ini.ID, b.otherPeriod.ID, f.team.ID, b.id("outsider")}
		unknown := itemIDs{999999, 999998, 999997, 999996, 999995, 999994}

		title := "Stolen"
		ops := []struct {
			name string
			do   func(as context.Context, org string, id itemIDs) error
		}{
			{"Objective", func(as context.Context, org string, id itemIDs) error {
				_, err := b.svc.Objective(as, org, id.obj)
				return err
			}},
			{"ObjectiveTree", func(as context.Context, org string, id itemIDs) error {
				_, err := b.svc.ObjectiveTree(as, org, id.obj)
				return err
			}},
			{"ListObjectivesOfPeriod", func(as context.Context, org string, id itemIDs) error {
				_, err := b.svc.ListObjectives(as, org, cairn.ObjectiveQuery{PeriodID: id.period})
				return err
			}},
			{"KeyResult", func(as context.Context, org string, id itemIDs) error {
				_, err := b.svc.KeyResult(as, org, id.kr)
				return err
			}},
			{"ListKeyResultsOfObjective", func(as context.Context, org string, id itemIDs) error {
				_, err := b.svc.ListKeyResults(as, org, id.obj, 0)
				return err
			}},
			{"ListKeyResultsOfPeriod", func(as context.Context, org string, id itemIDs) error {
				_, err := b.svc.ListKeyResults(as, org, 0, id.period)
				return err
			}},
			{"Initiative", func(as context.Context, org string, id itemIDs) error {
				_, err := b.svc.Initiative(as, org, id.ini)
				return err
			}},
			{"ListInitiativesOfKeyResult", func(as context.Context, org string, id itemIDs) error {
				_, err := b.svc.ListInitiatives(as, org, new(krRef(id.kr)))
				return err
			}},
			{"ListCheckInsOfKeyResult", func(as context.Context, org string, id itemIDs) error {
				_, err := b.svc.ListCheckIns(as, org, krRef(id.kr), 0)
				return err
			}},
			{"ListCheckInsOfInitiative", func(as context.Context, org string, id itemIDs) error {
				_, err := b.svc.ListCheckIns(as, org, initRef(id.ini), 0)
				return err
			}},
			{"Period", func(as context.Context, org string, id itemIDs) error {
				_, err := b.svc.Period(as, org, id.period)
				return err
			}},
			{"Team", func(as context.Context, org string, id itemIDs) error {
				_, err := b.svc.Team(as, org, id.team)
				return err
			}},
			{"Member", func(as context.Context, org string, id itemIDs) error {
				_, err := b.svc.Member(as, org, id.user)
				return err
			}},
			{"UpdateObjective", func(as context.Context, org string, id itemIDs) error {
				_, err := b.svc.UpdateObjective(as, org, id.obj, cairn.ObjectiveUpdate{Title: &title})
				return err
			}},
			{"UpdateKeyResult", func(as context.Context, org string, id itemIDs) error {
				_, err := b.svc.UpdateKeyResult(as, org, id.kr, cairn.KeyResultUpdate{Title: &title})
				return err
			}},
			{"UpdateInitiative", func(as context.Context, org string, id itemIDs) error {
				_, err := b.svc.UpdateInitiative(as, org, id.ini, cairn.InitiativeUpdate{Title: &title})
				return err
			}},
			{"UpdatePeriod", func(as context.Context, org string, id itemIDs) error {
				_, err := b.svc.UpdatePeriod(as, org, id.period, cairn.PeriodUpdate{Name: &title})
				return err
			}},
			{"UpdateTeam", func(as context.Context, org string, id itemIDs) error {
				_, err := b.svc.UpdateTeam(as, org, id.team, cairn.TeamUpdate{Name: &title})
				return err
			}},
			{"UpdateMember", func(as context.Context, org string, id itemIDs) error {
				_, err := b.svc.UpdateMember(as, org, id.user, cairn.MemberUpdate{Role: new(cairn.RoleViewer)})
				return err
			}},
			{"CheckInKeyResult", func(as context.Context, org string, id itemIDs) error {
				return b.svc.CheckIn(as, org, &cairn.CheckIn{Item: krRef(id.kr), Value: 9})
			}},
			{"CheckInInitiative", func(as context.Context, org string, id itemIDs) error {
				return b.svc.CheckIn(as, org, &cairn.CheckIn{Item: initRef(id.ini), Value: 9})
			}},
			{"ClosePeriod", func(as context.Context, org string, id itemIDs) error {
				_, _, err := b.svc.ClosePeriod(as, org, id.period, nil)
				return err
			}},
			{"ReopenPeriod", func(as context.Context, org string, id itemIDs) error {
				_, err := b.svc.ReopenPeriod(as, org, id.period)
				return err
			}},
			{"DeleteInitiative", func(as context.Context, org string, id itemIDs) error { return b.svc.DeleteInitiative(as, org, id.ini) }},
			{"DeleteKeyResult", func(as context.Context, org string, id itemIDs) error { return b.svc.DeleteKeyResult(as, org, id.kr) }},
			{"DeleteObjective", func(as context.Context, org string, id itemIDs) error { return b.svc.DeleteObjective(as, org, id.obj) }},
			{"DeleteTeam", func(as context.Context, org string, id itemIDs) error { return b.svc.DeleteTeam(as, org, id.team) }},
			{"DeletePeriod", func(as context.Context, org string, id itemIDs) error { return b.svc.DeletePeriod(as, org, id.period) }},
			{"RemoveMember", func(as context.Context, org string, id itemIDs) error { return b.svc.RemoveMember(as, org, id.user) }},
		}
		for _, sc := range []struct {
			name  string
			actor string
			org   string
			ids   itemIDs
		}{
			{"UnknownID", "admin", "fabrikam", unknown},
			{"OtherOrgsIDAsOrgAdmin", "admin", "fabrikam", contoso},
			{"OtherOrgsIDAsTenantAdmin", "tenant", "fabrikam", contoso},
			{"ThisOrgsIDThroughOtherOrgAsTenantAdmin", "tenant", "contoso", fabrikam},
			{"OtherOrgsIDThroughOtherOrgAsOutsider", "outsider", "fabrikam", contoso},
		} {
			for _, op := range ops {
				t.Run("ErrNotFound/"+sc.name+"/"+op.name, func(t *testing.T) {
					wantCode(t, op.do(b.as(sc.actor), sc.org, sc.ids), cairn.ENOTFOUND)
				})
			}
		}

		t.Run("NothingChanged", func(t *testing.T) {
			for _, c := range []struct {
				actor, org string
				ids        itemIDs
				titles     [3]string
			}{
				{"admin", "fabrikam", fabrikam, [3]string{obj.Title, kr.Title, ini.Title}},
				{"outsider", "contoso", contoso, [3]string{f.obj.Title, f.kr.Title, f.ini.Title}},
			} {
				as := b.as(c.actor)
				o, err := b.svc.Objective(as, c.org, c.ids.obj)
				must(t, err)
				k, err := b.svc.KeyResult(as, c.org, c.ids.kr)
				must(t, err)
				i, err := b.svc.Initiative(as, c.org, c.ids.ini)
				must(t, err)
				if got := [3]string{o.Title, k.Title, i.Title}; got != c.titles {
					t.Errorf("%s's titles = %q, want %q", c.org, got, c.titles)
				}
				if k.LastCheckInAt != nil || i.LastCheckInAt != nil {
					t.Errorf("%s's items were checked in", c.org)
				}
				p, err := b.svc.Period(as, c.org, c.ids.period)
				must(t, err)
				if p.Closed() || p.Name == title {
					t.Errorf("%s's period = %+v", c.org, p)
				}
				tm, err := b.svc.Team(as, c.org, c.ids.team)
				must(t, err)
				if tm.Name == title {
					t.Errorf("%s's team was renamed", c.org)
				}
				m, err := b.svc.Member(as, c.org, c.ids.user)
				must(t, err)
				if m.Role == cairn.RoleViewer {
					t.Errorf("%s's member was demoted", c.org)
				}
			}
		})

		t.Run("ErrInvalidReferenceToOtherOrg", func(t *testing.T) {
			as, slug := b.as("tenant"), "fabrikam"
			k := &cairn.KeyResult{ObjectiveID: f.obj.ID, Title: "Hijack", OwnerIDs: []int64{b.id("member")},
				Metric: cairn.Metric{Kind: cairn.MetricNumber, Start: 0, Target: 1}}
			wantField(t, b.svc.CreateKeyResult(as, slug, k), "objective_id")
			i := &cairn.Initiative{Parent: krRef(f.kr.ID), Title: "Hijack", OwnerIDs: []int64{b.id("member")}}
			wantField(t, b.svc.CreateInitiative(as, slug, i), "parent.id")
			o := &cairn.Objective{PeriodID: b.period.ID, Title: "Hijack", OwnerIDs: []int64{b.id("member")}, Parent: new(objRef(f.obj.ID))}
			wantField(t, b.svc.CreateObjective(as, slug, o), "parent.id")
			wantField(t, b.svc.CreateTeam(as, slug, &cairn.Team{Name: "Mixed", MemberIDs: []int64{b.id("outsider")}}), "member_ids")
			_, _, err := b.svc.ClosePeriod(b.as("admin"), slug, b.period.ID, []cairn.Score{{Item: objRef(f.obj.ID), Value: 1}})
			wantField(t, err, "scores")
			p, err := b.svc.Period(as, slug, b.period.ID)
			must(t, err)
			if p.Closed() {
				t.Fatal("a refused close closed the period")
			}
		})
	})
}
