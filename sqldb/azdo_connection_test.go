package sqldb_test

import (
	"testing"

	"github.com/cairn-okr/cairn"
)

// TestSwapConnectionCredential: the swap stores the new sealed credential only over the
// one the caller read, so that re-sealing never overwrites a token a sync just refreshed.
func TestSwapConnectionCredential(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		u := b.user(t, "owner@example.com")
		o := b.org(t, "fabrikam", u.ID)
		c := &cairn.Connection{OrgID: o.ID, OwnerID: u.ID, Name: "c", OrganizationURL: "https://dev.azure.com/fabrikam",
			Project: "Fabrikam Fiber", AuthType: cairn.AuthPAT, Credential: "v1:k1:first"}
		must(t, b.db.CreateConnection(ctx, c))
		stored := func() string {
			t.Helper()
			got, err := b.db.ConnectionForSync(ctx, c.ID)
			must(t, err)
			return got.Credential
		}
		if ok, err := b.db.SwapConnectionCredential(ctx, c.ID, "v1:k1:stale", "v1:k2:resealed"); err != nil || ok {
			t.Fatalf("swap over a credential that changed = %v, %v; want false", ok, err)
		}
		if got := stored(); got != "v1:k1:first" {
			t.Fatalf("a refused swap changed the credential to %q", got)
		}
		if ok, err := b.db.SwapConnectionCredential(ctx, c.ID, "v1:k1:first", "v1:k2:resealed"); err != nil || !ok {
			t.Fatalf("swap = %v, %v; want true", ok, err)
		}
		if got := stored(); got != "v1:k2:resealed" {
			t.Fatalf("credential after the swap is %q", got)
		}
		if ok, err := b.db.SwapConnectionCredential(ctx, c.ID+1000, "v1:k2:resealed", "x"); err != nil || ok {
			t.Fatalf("swap of a missing connection = %v, %v; want false", ok, err)
		}
	})
}
