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

func keySpec(t *testing.T, id string) string {
	t.Helper()
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return id + ":" + base64.StdEncoding.EncodeToString(k)
}

// TestCheckKeyRefusesAnotherKey: a replica whose keyring does not open the database's
// credentials is refused before it writes anything; the shared key, or a keyring in a
// rotation that still lists it, is accepted.
func TestCheckKeyRefusesAnotherKey(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{sqldb.DialectSQLite, sqldb.DialectPostgres} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			k1 := keySpec(t, "k1")
			b := setup(t, bundleOptions{dialect: dialect, keys: k1})
			b.connect(t) // a credential sealed under k1, before any key check exists
			load := func(spec string) *auth.Sealer {
				s, err := auth.LoadKey(spec, "")
				must(t, err)
				return s
			}
			other := keySpec(t, "k9")
			err := datasource.CheckKey(ctx, b.db, b.db, load(other))
			if err == nil || !strings.Contains(err.Error(), `sealed under key "k1"`) || !strings.Contains(err.Error(), "k9") {
				t.Fatalf("another key against an existing credential: %v", err)
			}
			if _, err := b.db.Setting(ctx, "secrets.key_check"); cairn.ErrorCode(err) != cairn.ENOTFOUND {
				t.Fatalf("a refused key wrote the key check: %v", err)
			}
			must(t, datasource.CheckKey(ctx, b.db, b.db, load(k1)))
			v, err := b.db.Setting(ctx, "secrets.key_check")
			must(t, err)
			if id, _ := auth.SealedKeyID(v); id != "k1" {
				t.Fatalf("key check sealed under %q, want k1", id)
			}
			// Now the check itself refuses a stranger, even in a database with no credential.
			if err := datasource.CheckKey(ctx, b.db, b.db, load(other)); err == nil || !strings.Contains(err.Error(), "same CAIRN_SECRET_KEY") {
				t.Fatalf("another key against the key check: %v", err)
			}
			// A rotation: the new key first, the old one still listed, re-seals the check.
			k2 := keySpec(t, "k2")
			must(t, datasource.CheckKey(ctx, b.db, b.db, load(k2+","+k1)))
			v, err = b.db.Setting(ctx, "secrets.key_check")
			must(t, err)
			if id, _ := auth.SealedKeyID(v); id != "k2" {
				t.Fatalf("after a start with k2 first the key check is under %q, want k2", id)
			}
			if err := datasource.CheckKey(ctx, b.db, b.db, load(k1)); err == nil {
				t.Fatal("the old key alone was accepted after the check moved to the new key")
			}
		})
	}
}
