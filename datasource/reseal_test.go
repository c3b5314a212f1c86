package datasource_test

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/auth"
	"github.com/cairn-okr/cairn/datasource"
	"github.com/cairn-okr/cairn/sqldb"
)

// TestKeyRotationReseal rotates the key that seals connection credentials: stored under
// k1, they still open once the server runs with "k2:NEW,k1:OLD"; ResealCredentials moves
// them to k2; and with k1 dropped they open only once re-sealed.
func TestKeyRotationReseal(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{sqldb.DialectSQLite, sqldb.DialectPostgres} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			oldKey, newKey := randomKey(t), randomKey(t)
			b := setup(t, bundleOptions{dialect: dialect, keys: "k1:" + oldKey})
			var conns []int64
			for _, name := range []string{"first", "second"} {
				c, err := b.ds.CreateConnection(b.actx, b.org.Slug, datasource.ConnectionInput{Name: name, OrganizationURL: b.emuURL + "/" + emuOrg,
					Project: emuProject, Visibility: cairn.VisibilityShared, Auth: datasource.AuthInput{Type: cairn.AuthPAT, Token: testPAT}})
				must(t, err)
				k := b.keyResult(t, cairn.MetricNumber, 0, 50)
				_, err = b.ds.CreateDataSource(b.actx, b.org.Slug, datasource.DataSourceInput{Target: cairn.Target{Type: cairn.TargetKeyResult, ID: k.ID},
					ConnectionID: c.ID, Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{1}, ProgressType: "User Story"})
				must(t, err)
				conns = append(conns, c.ID)
			}
			stored := func(id int64) string {
				t.Helper()
				c, err := b.db.ConnectionForSync(ctx, id)
				must(t, err)
				return c.Credential
			}
			// opens syncs the connection with a server holding keys, and reports whether its
			// credential opened.
			opens := func(keys string, id int64) bool {
				t.Helper()
				sealer, err := auth.LoadKey(keys, "")
				must(t, err)
				rep, err := datasource.NewSyncer(datasource.SyncerConfig{Store: b.db, Sealer: sealer, Clients: b.clients}).Sync(ctx, id, cairn.TriggerManual)
				must(t, err)
				if len(rep.Sources) != 1 {
					t.Fatalf("sync of connection %d reported %d data sources, want 1", id, len(rep.Sources))
				}
				if e := rep.Sources[0].Error; e != nil {
					if e.Kind != cairn.SyncErrInternal {
						t.Fatalf("sync of connection %d failed with %s, not because of its key: %s", id, e.Kind, e.Message)
					}
					return false
				}
				return true
			}
			for _, id := range conns {
				if s := stored(id); !strings.HasPrefix(s, "v1:k1:") || strings.Contains(s, testPAT) {
					t.Fatalf("credential %q is not sealed under k1", s)
				}
			}

			rotated := "k2:" + newKey + ",k1:" + oldKey
			if !opens(rotated, conns[0]) || !opens(rotated, conns[1]) {
				t.Fatal("with k2 current and k1 kept, credentials sealed under k1 do not open")
			}
			if opens("k2:"+newKey, conns[0]) {
				t.Fatal("a credential sealed under k1 opened without k1")
			}

			sealer, err := auth.LoadKey(rotated, "")
			must(t, err)
			n, err := datasource.ResealCredentials(ctx, b.db, sealer)
			if err != nil || n != 2 {
				t.Fatalf("ResealCredentials = %d, %v; want 2 re-sealed", n, err)
			}
			for _, id := range conns {
				if s := stored(id); !strings.HasPrefix(s, "v1:k2:") || strings.Contains(s, testPAT) {
					t.Fatalf("re-sealed credential %q is not under k2", s)
				}
			}
			if n, err := datasource.ResealCredentials(ctx, b.db, sealer); err != nil || n != 0 {
				t.Fatalf("ResealCredentials again = %d, %v; want nothing left to do", n, err)
			}
			for _, id := range conns {
				if !opens("k2:"+newKey, id) {
					t.Fatalf("connection %d does not open with k2 alone after re-sealing", id)
				}
				if opens("k1:"+oldKey, id) {
					t.Fatalf("connection %d still opens with the dropped k1", id)
				}
			}
		})
	}
}

// TestResealCredentialsReportsWhatItCannotOpen: a credential that opens under none of the
// sealer's keys is named in the error, and the others are re-sealed all the same.
func TestResealCredentialsReportsWhatItCannotOpen(t *testing.T) {
	t.Parallel()
	oldKey, otherKey, newKey := randomKey(t), randomKey(t), randomKey(t)
	b := setup(t, bundleOptions{keys: "k1:" + oldKey})
	good := b.connect(t)
	// A second connection sealed under a key the rotated server never had.
	foreign, err := auth.LoadKey("k0:"+otherKey, "")
	must(t, err)
	ds := datasource.New(datasource.Config{Cairn: b.svc, Store: b.db, Sealer: foreign, Clients: b.clients})
	lost, err := ds.CreateConnection(b.actx, b.org.Slug, datasource.ConnectionInput{Name: "lost", OrganizationURL: b.emuURL + "/" + emuOrg,
		Project: emuProject, Visibility: cairn.VisibilityShared, Auth: datasource.AuthInput{Type: cairn.AuthPAT, Token: testPAT}})
	must(t, err)

	sealer, err := auth.LoadKey("k2:"+newKey+",k1:"+oldKey, "")
	must(t, err)
	n, err := datasource.ResealCredentials(ctx, b.db, sealer)
	if n != 1 || err == nil || !strings.Contains(err.Error(), "lost") || strings.Contains(err.Error(), testPAT) {
		t.Fatalf("ResealCredentials = %d, %v; want 1 re-sealed and an error naming the connection \"lost\"", n, err)
	}
	for id, prefix := range map[int64]string{good.ID: "v1:k2:", lost.ID: "v1:k0:"} {
		c, err := b.db.ConnectionForSync(ctx, id)
		must(t, err)
		if !strings.HasPrefix(c.Credential, prefix) {
			t.Fatalf("connection %d credential %q, want it under %s", id, c.Credential, prefix)
		}
	}
}

// randomKey returns a fresh sealing key in the base64 form CAIRN_SECRET_KEY takes.
func randomKey(tb testing.TB) string {
	tb.Helper()
	k := make([]byte, auth.SecretKeyLen)
	if _, err := rand.Read(k); err != nil {
		tb.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(k)
}
