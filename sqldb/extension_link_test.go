package sqldb_test

import (
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
)

func TestExtensionLinks(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		admin := &cairn.User{Email: "root@example.com", Name: "Root"}
		must(t, b.db.CreateTenant(ctx, &cairn.Tenant{Name: "Fabrikam"}, admin))
		now := b.clock.Now()
		exp := now.Add(10 * time.Minute)

		_, err := b.db.ExtensionLinkUserID(ctx, "azure-1")
		wantCode(t, err, cairn.ENOTFOUND)
		wantCode(t, b.db.CreateExtensionLinkCode(ctx, "", "azure-1", "", exp), cairn.EINVALID)
		wantCode(t, b.db.CreateExtensionLinkCode(ctx, "h1", " ", "", exp), cairn.EINVALID)

		must(t, b.db.CreateExtensionLinkCode(ctx, "h1", "azure-1", "Ada", exp))
		wantCode(t, b.db.CreateExtensionLinkCode(ctx, "h1", "azure-2", "", exp), cairn.ECONFLICT)
		id, name, err := b.db.ExtensionLinkCode(ctx, "h1", now)
		must(t, err)
		if id != "azure-1" || name != "Ada" {
			t.Fatalf("code = %q %q, want azure-1 Ada", id, name)
		}
		_, _, err = b.db.ExtensionLinkCode(ctx, "h1", exp.Add(time.Second))
		wantCode(t, err, cairn.ENOTFOUND)

		_, err = b.db.ConsumeExtensionLinkCode(ctx, "h1", admin.ID+100, now)
		wantCode(t, err, cairn.ENOTFOUND) // unknown user: nothing used up
		got, err := b.db.ConsumeExtensionLinkCode(ctx, "h1", admin.ID, now)
		must(t, err)
		if got != "azure-1" {
			t.Fatalf("consumed %q, want azure-1", got)
		}
		_, err = b.db.ConsumeExtensionLinkCode(ctx, "h1", admin.ID, now)
		wantCode(t, err, cairn.ENOTFOUND)
		uid, err := b.db.ExtensionLinkUserID(ctx, "azure-1")
		must(t, err)
		if uid != admin.ID {
			t.Fatalf("linked to %d, want %d", uid, admin.ID)
		}

		must(t, b.db.CreateExtensionLinkCode(ctx, "h2", "azure-2", "", exp))
		_, err = b.db.ConsumeExtensionLinkCode(ctx, "h2", admin.ID, exp.Add(time.Second))
		wantCode(t, err, cairn.ENOTFOUND)

		must(t, b.db.DeleteExtensionLink(ctx, "azure-1"))
		must(t, b.db.DeleteExtensionLink(ctx, "azure-1"))
		_, err = b.db.ExtensionLinkUserID(ctx, "azure-1")
		wantCode(t, err, cairn.ENOTFOUND)
	})
}
