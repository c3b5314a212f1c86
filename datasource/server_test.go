package datasource_test

import (
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/azdoemu"
)

// TestSyncWithAzureDevOpsServer connects to each emulated Azure DevOps Server release at
// its collection URL, records the negotiated REST API version on the connection, and
// follows a change in Azure DevOps into a key result, using only versions the release
// knows.
func TestSyncWithAzureDevOpsServer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ release, version string }{{"2019", "5.0"}, {"2020", "6.0"}, {"2022", "7.0"}} {
		t.Run(tc.release, func(t *testing.T) {
			t.Parallel()
			b := setup(t, bundleOptions{emu: azdoemu.Options{Server: tc.release}})
			conn := b.connect(t)
			if conn.APIVersion != tc.version || conn.Deployment != cairn.DeploymentServer {
				t.Fatalf("connection api_version %q deployment %q, want %s on server", conn.APIVersion, conn.Deployment, tc.version)
			}
			stored, err := b.db.ConnectionForSync(ctx, conn.ID)
			must(t, err)
			if stored.APIVersion != tc.version || stored.Deployment != cairn.DeploymentServer {
				t.Fatalf("stored api_version %q deployment %q", stored.APIVersion, stored.Deployment)
			}
			_, d := b.boundKR(t, conn.ID, storiesOfEpics)
			want := b.expect(t, b.descendants(t, 1, 2), "User Story", "count", "number", false, false)
			if *d.Value != want.value {
				t.Fatalf("first value %v, want %v", *d.Value, want.value)
			}
			b.closeOneStory(t)
			b.emu.ResetStats()
			rep, err := b.syncer.Sync(ctx, conn.ID, cairn.TriggerManual)
			must(t, err)
			// The stored version let the sync negotiate up front: nothing was refused.
			for route, st := range b.emu.Stats().Routes {
				if st["400"] > 0 {
					t.Errorf("route %s was refused %d times", route, st["400"])
				}
			}
			want = b.expect(t, b.descendants(t, 1, 2), "User Story", "count", "number", false, false)
			if got := b.get(t, d.ID); got.Error != nil || *got.Value != want.value {
				t.Fatalf("after the change: value %v error %+v, want %v", *got.Value, got.Error, want.value)
			}
			if rep.Calls["options"] != 1 {
				t.Errorf("sync calls %v, want one OPTIONS", rep.Calls)
			}
		})
	}
}

// TestServicesConnectionRecordsItsVersion records 7.1 on an Azure DevOps Services
// connection without an extra call.
func TestServicesConnectionRecordsItsVersion(t *testing.T) {
	t.Parallel()
	b := setup(t, bundleOptions{})
	conn := b.connect(t)
	if conn.APIVersion != "7.1" || conn.Deployment != cairn.DeploymentServices {
		t.Fatalf("api_version %q deployment %q", conn.APIVersion, conn.Deployment)
	}
	if n := b.emu.Stats().Routes["options"]; len(n) > 0 {
		t.Errorf("resource locations read against Services: %v", n)
	}
}

// TestSyncRecordsAnUpgradedServer: after an upgrade from Azure DevOps Server 2019 to 2022,
// the next sync negotiates again and records the newer version.
func TestSyncRecordsAnUpgradedServer(t *testing.T) {
	t.Parallel()
	b := setup(t, bundleOptions{emu: azdoemu.Options{Server: "2022"}})
	conn := b.connect(t)
	b.boundKR(t, conn.ID, storiesOfEpics)
	c, err := b.db.ConnectionForSync(ctx, conn.ID)
	must(t, err)
	c.APIVersion = "5.0" // as recorded before the upgrade
	must(t, b.db.UpdateConnection(ctx, c))
	_, err = b.syncer.Sync(ctx, conn.ID, cairn.TriggerSchedule)
	must(t, err)
	c, err = b.db.ConnectionForSync(ctx, conn.ID)
	must(t, err)
	if c.APIVersion != "7.0" {
		t.Fatalf("api_version after the sync %q, want 7.0", c.APIVersion)
	}
}

// TestSyncRecordsTheVersionOfAnOlderConnection: a connection made before versions were
// recorded learns its version at its next sync, without an extra call on Services.
func TestSyncRecordsTheVersionOfAnOlderConnection(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ release, version string }{{"", "7.1"}, {"2020", "6.0"}} {
		t.Run("release"+tc.release, func(t *testing.T) {
			t.Parallel()
			b := setup(t, bundleOptions{emu: azdoemu.Options{Server: tc.release}})
			conn := b.connect(t)
			b.boundKR(t, conn.ID, storiesOfEpics)
			c, err := b.db.ConnectionForSync(ctx, conn.ID)
			must(t, err)
			c.APIVersion, c.Deployment = "", ""
			must(t, b.db.UpdateConnection(ctx, c))
			_, err = b.syncer.Sync(ctx, conn.ID, cairn.TriggerSchedule)
			must(t, err)
			c, err = b.db.ConnectionForSync(ctx, conn.ID)
			must(t, err)
			if c.APIVersion != tc.version {
				t.Fatalf("api_version after the sync %q, want %s", c.APIVersion, tc.version)
			}
		})
	}
}
