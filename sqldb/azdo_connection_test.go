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

// TestConnectionAPIVersion stores the negotiated REST API version and the deployment with a
// connection, changes them with UpdateConnection, and lets a sync replace the version.
func TestConnectionAPIVersion(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		u := b.user(t, "owner@example.com")
		o := b.org(t, "fabrikam", u.ID)
		c := &cairn.Connection{OrgID: o.ID, OwnerID: u.ID, Name: "c", OrganizationURL: "https://tfs.example.com/tfs/DefaultCollection",
			Project: "Fabrikam Fiber", AuthType: cairn.AuthPAT, Credential: "v1:k1:first", APIVersion: "5.0", Deployment: cairn.DeploymentServer}
		must(t, b.db.CreateConnection(ctx, c))
		got, err := b.db.ConnectionByID(ctx, o.ID, c.ID)
		must(t, err)
		if got.APIVersion != "5.0" || got.Deployment != cairn.DeploymentServer {
			t.Fatalf("stored %q %q", got.APIVersion, got.Deployment)
		}
		got.APIVersion = "6.0"
		must(t, b.db.UpdateConnection(ctx, got))
		must(t, b.db.ApplySync(ctx, &cairn.SyncWrite{ConnectionID: c.ID, StartedAt: got.UpdatedAt, FinishedAt: got.UpdatedAt}))
		list, err := b.db.ListConnections(ctx, o.ID)
		must(t, err)
		if len(list) != 1 || list[0].APIVersion != "6.0" {
			t.Fatalf("after update and a sync without a version: %+v", list)
		}
		must(t, b.db.ApplySync(ctx, &cairn.SyncWrite{ConnectionID: c.ID, StartedAt: got.UpdatedAt, FinishedAt: got.UpdatedAt, APIVersion: "7.0"}))
		got, err = b.db.ConnectionForSync(ctx, c.ID)
		must(t, err)
		if got.APIVersion != "7.0" || got.Deployment != cairn.DeploymentServer {
			t.Fatalf("after a sync that negotiated 7.0: %q %q", got.APIVersion, got.Deployment)
		}
	})
}
