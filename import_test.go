package cairn_test

import (
	"testing"

	"github.com/cairn-okr/cairn"
)

// TestImportAccess checks who may import into an organization, claim its unclaimed members
// and work its re-bind checklist: its admins and tenant admins.
func TestImportAccess(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		ram := &cairn.User{Email: "viva-ram@" + cairn.UnclaimedDomain, Name: "Ram Sagoo", Unclaimed: true}
		must(t, b.db.CreateUser(ctx, ram))
		must(t, b.db.AddMember(ctx, &cairn.Member{OrgID: b.org.ID, UserID: ram.ID, Role: cairn.RoleMember}))
		o := b.objective(t, "Grow")
		want := map[string]string{"tenant": "", "admin": "", "owner": cairn.EFORBIDDEN, "editor": cairn.EFORBIDDEN,
			"assignee": cairn.EFORBIDDEN, "member": cairn.EFORBIDDEN, "viewer": cairn.EFORBIDDEN,
			"outsider": cairn.ENOTFOUND, "anonymous": cairn.EUNAUTHORIZED}
		for _, actor := range actors {
			t.Run(actor, func(t *testing.T) {
				org, err := b.svc.AuthorizeImport(b.as(actor), "fabrikam")
				if cairn.ErrorCode(err) != want[actor] || (err == nil && org.ID != b.org.ID) {
					t.Errorf("AuthorizeImport: %v, want %q", err, want[actor])
				}
				_, err = b.svc.RebindChecklist(b.as(actor), "fabrikam", true)
				if cairn.ErrorCode(err) != want[actor] {
					t.Errorf("RebindChecklist: %v, want %q", err, want[actor])
				}
				err = b.svc.AddRebind(b.as(actor), "fabrikam", &cairn.RebindEntry{Item: objRef(o.ID)})
				if cairn.ErrorCode(err) != want[actor] {
					t.Errorf("AddRebind: %v, want %q", err, want[actor])
				}
				if want[actor] != "" {
					_, err = b.svc.ClaimMember(b.as(actor), "fabrikam", ram.ID, cairn.ClaimInput{UserID: b.id("member")})
					if cairn.ErrorCode(err) != want[actor] {
						t.Errorf("ClaimMember: %v, want %q", err, want[actor])
					}
				}
			})
		}
		if m, err := b.db.Membership(ctx, b.org.ID, ram.ID); err != nil || !m.Unclaimed {
			t.Fatalf("a refused claim changed the member: %+v, %v", m, err)
		}
		m, err := b.svc.ClaimMember(b.as("admin"), "fabrikam", ram.ID, cairn.ClaimInput{UserID: b.id("member")})
		must(t, err)
		if m.UserID != b.id("member") || m.Role != cairn.RoleMember {
			t.Fatalf("claimed membership = %+v", m)
		}
		_, err = b.svc.ClaimMember(b.as("admin"), "fabrikam", b.id("viewer"), cairn.ClaimInput{UserID: b.id("member")})
		if cairn.ErrorCode(err) != cairn.ECONFLICT {
			t.Errorf("claiming a member with an account: %v, want conflict", err)
		}
	})
}
