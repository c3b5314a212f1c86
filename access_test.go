package cairn_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn"
)

// Who may do what in fabrikam; everyone else is refused.
var (
	readers     = []string{"tenant", "admin", "owner", "editor", "assignee", "member", "viewer"}
	writers     = []string{"tenant", "admin", "owner", "editor", "assignee", "member"}
	objEditors  = []string{"tenant", "admin", "owner", "editor"}
	itemEditors = []string{"tenant", "admin", "owner", "editor", "assignee"}
	admins      = []string{"tenant", "admin"}
)

// matrixOp is one operation of an authorization matrix.
type matrixOp struct {
	name    string
	allowed []string
	// do runs the operation as the actor, creating what it needs first as fabrikam's admin.
	// done, when not nil, reads back as the admin whether the operation took effect.
	do func(t *testing.T, b *testBundle, actor string) (done func(t *testing.T) bool, err error)
}

// refusal is the error code and the subtest name prefix for an actor who may not do an
// operation: members of another organization learn nothing about fabrikam, so they get not
// found, never forbidden.
func refusal(actor string) (code, prefix string) {
	switch actor {
	case "anonymous":
		return cairn.EUNAUTHORIZED, "ErrUnauthorized"
	case "outsider":
		return cairn.ENOTFOUND, "ErrNotFound"
	}
	return cairn.EFORBIDDEN, "ErrForbidden"
}

// runMatrix runs every operation as every actor, in sequence on one bundle. An allowed
// operation must succeed and take effect; a refused one must fail with the actor's code and
// change nothing.
func runMatrix(t *testing.T, b *testBundle, ops []matrixOp) {
	t.Helper()
	for _, op := range ops {
		for _, actor := range actors {
			ok := slices.Contains(op.allowed, actor)
			code, prefix := refusal(actor)
			if ok {
				code, prefix = "", "OK"
			}
			t.Run(op.name+"/"+prefix+strings.ToUpper(actor[:1])+actor[1:], func(t *testing.T) {
				done, err := op.do(t, b, actor)
				wantCode(t, err, code)
				if done != nil && done(t) != ok {
					t.Fatalf("took effect = %v, want %v", !ok, ok)
				}
			})
		}
	}
}

// actorIndex makes values that differ from one actor to the next, so that each case can
// tell its own write from an earlier one.
func actorIndex(actor string) float64 { return float64(slices.Index(actors, actor)) }

// TestAuthorization checks every read and write of objectives, key results, initiatives,
// check-ins and scores for every role: viewers read only (even when listed as owners or
// editors), members change what they own or edit, organization and tenant admins change
// anything, and another organization's admin cannot even see fabrikam.
func TestAuthorization(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		obj := b.objective(t, "Delight customers")
		kr := b.keyResult(t, obj.ID, "NPS to 50")
		ini := b.initiative(t, objRef(obj.ID), "Interview 20 users")

		slug := b.org.Slug
		admin := b.as("admin")
		gone := func(err error) func(t *testing.T) bool {
			return func(t *testing.T) bool {
				t.Helper()
				if c := cairn.ErrorCode(err); c != "" && c != cairn.ENOTFOUND {
					t.Fatalf("read back: %v", err)
				}
				return err != nil
			}
		}
		latestCheckIn := func(t *testing.T, item cairn.Ref, value float64, actor string) bool {
			cs, err := b.svc.ListCheckIns(admin, slug, item, 1)
			must(t, err)
			return len(cs) == 1 && cs[0].Value == value && cs[0].AuthorID != nil && *cs[0].AuthorID == b.id(actor)
		}

		runMatrix(t, b, []matrixOp{
			{"ReadObjective", readers, func(t *testing.T, b *testBundle, actor string) (func(*testing.T) bool, error) {
				v, err := b.svc.Objective(b.as(actor), slug, obj.ID)
				if err == nil && v.ID != obj.ID {
					t.Fatalf("read objective %d, want %d", v.ID, obj.ID)
				}
				return nil, err
			}},
			{"ObjectiveTree", readers, func(t *testing.T, b *testBundle, actor string) (func(*testing.T) bool, error) {
				_, err := b.svc.ObjectiveTree(b.as(actor), slug, obj.ID)
				return nil, err
			}},
			{"ListObjectives", readers, func(t *testing.T, b *testBundle, actor string) (func(*testing.T) bool, error) {
				_, err := b.svc.ListObjectives(b.as(actor), slug, cairn.ObjectiveQuery{})
				return nil, err
			}},
			{"ListCheckIns", readers, func(t *testing.T, b *testBundle, actor string) (func(*testing.T) bool, error) {
				_, err := b.svc.ListCheckIns(b.as(actor), slug, krRef(kr.ID), 0)
				return nil, err
			}},
			{"CreateObjective", writers, func(t *testing.T, b *testBundle, actor string) (func(*testing.T) bool, error) {
				title := "Created by " + actor
				err := b.svc.CreateObjective(b.as(actor), slug, &cairn.Objective{PeriodID: b.period.ID, Title: title, OwnerIDs: []int64{b.id("owner")}})
				return func(t *testing.T) bool { return hasTitle(b.objectiveTitles(t), title) }, err
			}},
			{"UpdateObjective", objEditors, func(t *testing.T, b *testBundle, actor string) (func(*testing.T) bool, error) {
				title := "Renamed by " + actor
				_, err := b.svc.UpdateObjective(b.as(actor), slug, obj.ID, cairn.ObjectiveUpdate{Title: &title})
				return func(t *testing.T) bool {
					v, err := b.svc.Objective(admin, slug, obj.ID)
					must(t, err)
					return v.Title == title
				}, err
			}},
			{"DeleteObjective", objEditors, func(t *testing.T, b *testBundle, actor string) (func(*testing.T) bool, error) {
				o := b.objective(t, "Doomed for "+actor)
				err := b.svc.DeleteObjective(b.as(actor), slug, o.ID)
				return func(t *testing.T) bool { _, err := b.svc.Objective(admin, slug, o.ID); return gone(err)(t) }, err
			}},
			{"CreateKeyResult", objEditors, func(t *testing.T, b *testBundle, actor string) (func(*testing.T) bool, error) {
				title := "KR by " + actor
				err := b.svc.CreateKeyResult(b.as(actor), slug, &cairn.KeyResult{ObjectiveID: obj.ID, Title: title,
					Metric: cairn.Metric{Kind: cairn.MetricPercentage, Start: 0, Target: 100}, OwnerIDs: []int64{b.id("assignee")}})
				return func(t *testing.T) bool {
					ks, err := b.svc.ListKeyResults(admin, slug, obj.ID, 0)
					must(t, err)
					return slices.ContainsFunc(ks, func(k *cairn.KeyResultView) bool { return k.Title == title })
				}, err
			}},
			{"UpdateKeyResult", itemEditors, func(t *testing.T, b *testBundle, actor string) (func(*testing.T) bool, error) {
				title := "KR renamed by " + actor
				_, err := b.svc.UpdateKeyResult(b.as(actor), slug, kr.ID, cairn.KeyResultUpdate{Title: &title})
				return func(t *testing.T) bool {
					v, err := b.svc.KeyResult(admin, slug, kr.ID)
					must(t, err)
					return v.Title == title
				}, err
			}},
			{"DeleteKeyResult", itemEditors, func(t *testing.T, b *testBundle, actor string) (func(*testing.T) bool, error) {
				k := b.keyResult(t, obj.ID, "Doomed KR for "+actor)
				err := b.svc.DeleteKeyResult(b.as(actor), slug, k.ID)
				return func(t *testing.T) bool { _, err := b.svc.KeyResult(admin, slug, k.ID); return gone(err)(t) }, err
			}},
			{"CreateInitiativeUnderKeyResult", itemEditors, func(t *testing.T, b *testBundle, actor string) (func(*testing.T) bool, error) {
				title := "Initiative by " + actor
				parent := krRef(kr.ID)
				err := b.svc.CreateInitiative(b.as(actor), slug, &cairn.Initiative{Parent: parent, Title: title, Contributes: true, OwnerIDs: []int64{b.id("member")}})
				return func(t *testing.T) bool {
					is, err := b.svc.ListInitiatives(admin, slug, &parent)
					must(t, err)
					return slices.ContainsFunc(is, func(i *cairn.InitiativeView) bool { return i.Title == title })
				}, err
			}},
			{"UpdateInitiative", itemEditors, func(t *testing.T, b *testBundle, actor string) (func(*testing.T) bool, error) {
				title := "Initiative renamed by " + actor
				_, err := b.svc.UpdateInitiative(b.as(actor), slug, ini.ID, cairn.InitiativeUpdate{Title: &title})
				return func(t *testing.T) bool {
					v, err := b.svc.Initiative(admin, slug, ini.ID)
					must(t, err)
					return v.Title == title
				}, err
			}},
			{"DeleteInitiative", itemEditors, func(t *testing.T, b *testBundle, actor string) (func(*testing.T) bool, error) {
				i := b.initiative(t, objRef(obj.ID), "Doomed initiative for "+actor)
				err := b.svc.DeleteInitiative(b.as(actor), slug, i.ID)
				return func(t *testing.T) bool { _, err := b.svc.Initiative(admin, slug, i.ID); return gone(err)(t) }, err
			}},
			{"CheckInKeyResult", itemEditors, func(t *testing.T, b *testBundle, actor string) (func(*testing.T) bool, error) {
				v := 10 + actorIndex(actor)
				err := b.svc.CheckIn(b.as(actor), slug, &cairn.CheckIn{Item: krRef(kr.ID), Value: v, Note: "by " + actor})
				return func(t *testing.T) bool { return latestCheckIn(t, krRef(kr.ID), v, actor) }, err
			}},
			{"CheckInInitiative", itemEditors, func(t *testing.T, b *testBundle, actor string) (func(*testing.T) bool, error) {
				v := 10 + actorIndex(actor)
				err := b.svc.CheckIn(b.as(actor), slug, &cairn.CheckIn{Item: initRef(ini.ID), Value: v})
				return func(t *testing.T) bool { return latestCheckIn(t, initRef(ini.ID), v, actor) }, err
			}},
			// Scores chosen ahead of the close; TestClosedPeriodIsReadOnly covers closed items.
			{"ScoreObjective", objEditors, func(t *testing.T, b *testBundle, actor string) (func(*testing.T) bool, error) {
				score := 0.1 + actorIndex(actor)/20
				_, err := b.svc.UpdateObjective(b.as(actor), slug, obj.ID, cairn.ObjectiveUpdate{Score: &score})
				return func(t *testing.T) bool {
					v, err := b.svc.Objective(admin, slug, obj.ID)
					must(t, err)
					return v.Score != nil && *v.Score == score
				}, err
			}},
			{"ScoreKeyResult", itemEditors, func(t *testing.T, b *testBundle, actor string) (func(*testing.T) bool, error) {
				score := 0.1 + actorIndex(actor)/20
				_, err := b.svc.UpdateKeyResult(b.as(actor), slug, kr.ID, cairn.KeyResultUpdate{Score: &score})
				return func(t *testing.T) bool {
					v, err := b.svc.KeyResult(admin, slug, kr.ID)
					must(t, err)
					return v.Score != nil && *v.Score == score
				}, err
			}},
		})
	})
}

// TestCanEdit checks the answer the UI and the extension use to show edit controls: it must
// agree with what the writes allow.
func TestCanEdit(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		obj := b.objective(t, "Delight customers")
		kr := b.keyResult(t, obj.ID, "NPS to 50")
		ini := b.initiative(t, krRef(kr.ID), "Interview 20 users", func(i *cairn.Initiative) { i.OwnerIDs = []int64{b.id("member")} })
		delegated := b.keyResult(t, obj.ID, "Delegated", func(k *cairn.KeyResult) { k.CheckInOwnerIDs = []int64{b.id("member"), b.id("viewer")} })
		for _, tc := range []struct {
			item    cairn.Ref
			allowed []string
		}{
			{objRef(obj.ID), objEditors},
			{krRef(kr.ID), itemEditors},
			// Its check-in owners check in from the extension; the viewer among them may not.
			{krRef(delegated.ID), append(slices.Clone(itemEditors), "member")},
			// The initiative's own owner, plus everyone who may edit its key result.
			{initRef(ini.ID), append(slices.Clone(itemEditors), "member")},
		} {
			for _, actor := range actors {
				want := slices.Contains(tc.allowed, actor)
				verdict := "CannotEdit"
				if want {
					verdict = "CanEdit"
				}
				name := fmt.Sprintf("%s/%s%s", tc.item.Type, verdict, strings.ToUpper(actor[:1])+actor[1:])
				t.Run(name, func(t *testing.T) {
					if got := b.svc.CanEdit(b.as(actor), b.org.ID, tc.item); got != want {
						t.Fatalf("CanEdit = %v, want %v", got, want)
					}
				})
			}
		}
		t.Run("MemberOf", func(t *testing.T) {
			for _, actor := range actors {
				if got, want := b.svc.MemberOf(b.as(actor), b.org.ID), slices.Contains(readers, actor); got != want {
					t.Errorf("MemberOf(%s) = %v, want %v", actor, got, want)
				}
			}
		})
	})
}

// TestAdminOnly checks that periods, teams, members and the organization's settings are
// changed by organization and tenant admins only.
func TestAdminOnly(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		slug := b.org.Slug
		admin := b.as("admin")
		newPeriod := func(t *testing.T, name string) *cairn.Period {
			p := &cairn.Period{Name: name, Start: cairn.Date{Year: 2027, Month: 1, Day: 1}, End: cairn.Date{Year: 2027, Month: 3, Day: 31}}
			must(t, b.svc.CreatePeriod(admin, slug, p))
			return p
		}
		newMember := func(t *testing.T, name string) *cairn.Member {
			m, err := b.svc.AddMember(admin, slug, cairn.NewMember{Email: name + "@example.com", Role: cairn.RoleMember})
			must(t, err)
			return m
		}
		memberRole := func(t *testing.T, userID int64) cairn.Role {
			m, err := b.svc.Member(admin, slug, userID)
			if cairn.ErrorCode(err) == cairn.ENOTFOUND {
				return ""
			}
			must(t, err)
			return m.Role
		}
		runMatrix(t, b, []matrixOp{
			{"ListMembers", readers, func(t *testing.T, b *testBundle, actor string) (func(*testing.T) bool, error) {
				_, err := b.svc.ListMembers(b.as(actor), slug)
				return nil, err
			}},
			{"CreatePeriod", admins, func(t *testing.T, b *testBundle, actor string) (func(*testing.T) bool, error) {
				p := &cairn.Period{Name: "Period of " + actor, Start: q2Start, End: q2End}
				err := b.svc.CreatePeriod(b.as(actor), slug, p)
				return func(t *testing.T) bool {
					ps, err := b.svc.ListPeriods(admin, slug)
					must(t, err)
					return slices.ContainsFunc(ps, func(x *cairn.Period) bool { return x.Name == p.Name })
				}, err
			}},
			{"UpdatePeriod", admins, func(t *testing.T, b *testBundle, actor string) (func(*testing.T) bool, error) {
				name := "Q2 by " + actor
				_, err := b.svc.UpdatePeriod(b.as(actor), slug, b.period.ID, cairn.PeriodUpdate{Name: &name})
				return func(t *testing.T) bool {
					p, err := b.svc.Period(admin, slug, b.period.ID)
					must(t, err)
					return p.Name == name
				}, err
			}},
			{"DeletePeriod", admins, func(t *testing.T, b *testBundle, actor string) (func(*testing.T) bool, error) {
				p := newPeriod(t, "Doomed for "+actor)
				err := b.svc.DeletePeriod(b.as(actor), slug, p.ID)
				return func(t *testing.T) bool {
					_, err := b.svc.Period(admin, slug, p.ID)
					return cairn.ErrorCode(err) == cairn.ENOTFOUND
				}, err
			}},
			{"ClosePeriod", admins, func(t *testing.T, b *testBundle, actor string) (func(*testing.T) bool, error) {
				p := newPeriod(t, "Closed by "+actor)
				_, _, err := b.svc.ClosePeriod(b.as(actor), slug, p.ID, nil)
				return func(t *testing.T) bool {
					p, err := b.svc.Period(admin, slug, p.ID)
					must(t, err)
					return p.Closed()
				}, err
			}},
			{"ReopenPeriod", admins, func(t *testing.T, b *testBundle, actor string) (func(*testing.T) bool, error) {
				p := newPeriod(t, "Reopened by "+actor)
				_, _, err := b.svc.ClosePeriod(admin, slug, p.ID, nil)
				must(t, err)
				_, err = b.svc.ReopenPeriod(b.as(actor), slug, p.ID)
				return func(t *testing.T) bool {
					p, err := b.svc.Period(admin, slug, p.ID)
					must(t, err)
					return !p.Closed()
				}, err
			}},
			{"CreateTeam", admins, func(t *testing.T, b *testBundle, actor string) (func(*testing.T) bool, error) {
				name := "Team of " + actor
				err := b.svc.CreateTeam(b.as(actor), slug, &cairn.Team{Name: name, MemberIDs: []int64{b.id("member")}})
				return func(t *testing.T) bool {
					ts, err := b.svc.ListTeams(admin, slug)
					must(t, err)
					return slices.ContainsFunc(ts, func(x *cairn.Team) bool { return x.Name == name })
				}, err
			}},
			{"AddMember", admins, func(t *testing.T, b *testBundle, actor string) (func(*testing.T) bool, error) {
				email := "added-by-" + actor + "@example.com"
				_, err := b.svc.AddMember(b.as(actor), slug, cairn.NewMember{Email: email, Role: cairn.RoleViewer})
				return func(t *testing.T) bool {
					ms, err := b.svc.ListMembers(admin, slug)
					must(t, err)
					return slices.ContainsFunc(ms, func(m *cairn.Member) bool { return m.Email == email })
				}, err
			}},
			{"UpdateMember", admins, func(t *testing.T, b *testBundle, actor string) (func(*testing.T) bool, error) {
				m := newMember(t, "promoted-by-"+actor)
				role := cairn.RoleAdmin
				_, err := b.svc.UpdateMember(b.as(actor), slug, m.UserID, cairn.MemberUpdate{Role: &role})
				return func(t *testing.T) bool { return memberRole(t, m.UserID) == cairn.RoleAdmin }, err
			}},
			{"RemoveMember", admins, func(t *testing.T, b *testBundle, actor string) (func(*testing.T) bool, error) {
				m := newMember(t, "removed-by-"+actor)
				err := b.svc.RemoveMember(b.as(actor), slug, m.UserID)
				return func(t *testing.T) bool { return memberRole(t, m.UserID) == "" }, err
			}},
			{"UpdateOrg", admins, func(t *testing.T, b *testBundle, actor string) (func(*testing.T) bool, error) {
				gap := 0.1 + actorIndex(actor)/100
				_, err := b.svc.UpdateOrg(b.as(actor), slug, cairn.OrgUpdate{AtRiskGap: &gap})
				return func(t *testing.T) bool {
					o, err := b.svc.Org(admin, slug)
					must(t, err)
					return o.AtRiskGap == gap
				}, err
			}},
		})
	})
}

// TestOrgs checks the organization itself: only tenant admins create or delete one,
// everyone sees only the organizations they belong to, an organization is reached by slug
// or id, and it always keeps one admin.
func TestOrgs(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		t.Run("ErrForbiddenCreateOrgAsOrgAdmin", func(t *testing.T) {
			wantCode(t, b.svc.CreateOrg(b.as("admin"), &cairn.Org{Name: "Mine", Slug: "mine"}), cairn.EFORBIDDEN)
		})
		t.Run("ErrUnauthorizedCreateOrgAnonymous", func(t *testing.T) {
			wantCode(t, b.svc.CreateOrg(b.as("anonymous"), &cairn.Org{Name: "Mine", Slug: "mine"}), cairn.EUNAUTHORIZED)
		})
		t.Run("ErrInvalidSlug", func(t *testing.T) {
			for _, slug := range []string{"", "Has Spaces", "-dash", "2026"} {
				wantField(t, b.svc.CreateOrg(b.as("tenant"), &cairn.Org{Name: "Bad", Slug: slug}), "slug")
			}
		})
		t.Run("ErrConflictDuplicateSlug", func(t *testing.T) {
			wantCode(t, b.svc.CreateOrg(b.as("tenant"), &cairn.Org{Name: "Again", Slug: "contoso"}), cairn.ECONFLICT)
		})
		var created *cairn.Org
		t.Run("TenantCreatesOrgAndBecomesItsAdmin", func(t *testing.T) {
			created = &cairn.Org{Name: "Northwind", Slug: "northwind"}
			must(t, b.svc.CreateOrg(b.as("tenant"), created))
			role, err := b.svc.Role(b.as("tenant"), "northwind")
			must(t, err)
			if role != cairn.RoleAdmin {
				t.Fatalf("creator's role = %q, want admin", role)
			}
		})
		t.Run("ListOrgsShowsOnlyOwnOrgs", func(t *testing.T) {
			for actor, want := range map[string][]string{
				"tenant":   {"contoso", "fabrikam", "northwind"},
				"admin":    {"fabrikam"},
				"viewer":   {"fabrikam"},
				"outsider": {"contoso"},
			} {
				list, err := b.svc.ListOrgs(b.as(actor))
				must(t, err)
				var got []string
				for _, o := range list {
					got = append(got, o.Slug)
				}
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Errorf("%s lists %v, want %v", actor, got, want)
				}
			}
		})
		t.Run("RoleOfEachActor", func(t *testing.T) {
			for actor, want := range map[string]cairn.Role{"tenant": cairn.RoleAdmin, "admin": cairn.RoleAdmin,
				"owner": cairn.RoleMember, "member": cairn.RoleMember, "viewer": cairn.RoleViewer} {
				got, err := b.svc.Role(b.as(actor), "fabrikam")
				must(t, err)
				if got != want {
					t.Errorf("%s's role = %q, want %q", actor, got, want)
				}
			}
		})
		t.Run("ReachedByIDAndMixedCaseSlug", func(t *testing.T) {
			for _, ref := range []string{strconv.FormatInt(b.org.ID, 10), " FabriKam "} {
				o, err := b.svc.Org(b.as("viewer"), ref)
				must(t, err)
				if o.ID != b.org.ID {
					t.Fatalf("Org(%q) = %d, want %d", ref, o.ID, b.org.ID)
				}
			}
		})
		t.Run("ErrNotFoundOtherOrgByID", func(t *testing.T) {
			_, err := b.svc.Org(b.as("admin"), strconv.FormatInt(b.other.ID, 10))
			wantCode(t, err, cairn.ENOTFOUND)
		})
		t.Run("ErrNotFoundUnknownOrg", func(t *testing.T) {
			_, err := b.svc.Org(b.as("tenant"), "nowhere")
			wantCode(t, err, cairn.ENOTFOUND)
		})
		t.Run("ErrConflictLastAdmin", func(t *testing.T) {
			viewer := cairn.RoleViewer
			_, err := b.svc.UpdateMember(b.as("tenant"), "fabrikam", b.id("admin"), cairn.MemberUpdate{Role: &viewer})
			wantCode(t, err, cairn.ECONFLICT)
			wantCode(t, b.svc.RemoveMember(b.as("tenant"), "fabrikam", b.id("admin")), cairn.ECONFLICT)
			role, err := b.svc.Role(b.as("admin"), "fabrikam")
			must(t, err)
			if role != cairn.RoleAdmin {
				t.Fatalf("admin's role = %q after refused demotion", role)
			}
		})
		t.Run("ErrInvalidMember", func(t *testing.T) {
			_, err := b.svc.AddMember(b.as("admin"), "fabrikam", cairn.NewMember{Email: "x@example.com", Role: "boss"})
			wantField(t, err, "role")
			_, err = b.svc.AddMember(b.as("admin"), "fabrikam", cairn.NewMember{Email: "not-an-email"})
			wantField(t, err, "email")
			_, err = b.svc.AddMember(b.as("admin"), "fabrikam", cairn.NewMember{Email: "viewer@example.com"})
			wantCode(t, err, cairn.ECONFLICT)
		})
		t.Run("ErrInvalidAtRiskGap", func(t *testing.T) {
			for _, gap := range []float64{0, -0.1, 1.5} {
				_, err := b.svc.UpdateOrg(b.as("admin"), "fabrikam", cairn.OrgUpdate{AtRiskGap: &gap})
				wantField(t, err, "at_risk_gap")
			}
		})
		t.Run("ErrForbiddenDeleteOrgAsOrgAdmin", func(t *testing.T) {
			wantCode(t, b.svc.DeleteOrg(b.as("admin"), "fabrikam"), cairn.EFORBIDDEN)
			_, err := b.svc.Org(b.as("admin"), "fabrikam")
			must(t, err)
		})
		t.Run("ErrNotFoundDeleteOtherOrg", func(t *testing.T) {
			wantCode(t, b.svc.DeleteOrg(b.as("admin"), "contoso"), cairn.ENOTFOUND)
		})
		t.Run("TenantDeletesOrg", func(t *testing.T) {
			if created == nil || created.ID == 0 {
				t.Fatal("northwind was not created")
			}
			must(t, b.svc.DeleteOrg(b.as("tenant"), created.Slug))
			_, err := b.svc.Org(b.as("tenant"), created.Slug)
			wantCode(t, err, cairn.ENOTFOUND)
		})
	})
}
