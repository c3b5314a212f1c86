package sqldb_test

import (
	"context"
	"testing"
)

// TestSettingsWithPrefixAndSwap: a prefix matches literally (no LIKE wildcards), and a
// swap changes a setting only while it holds the old value.
func TestSettingsWithPrefixAndSwap(t *testing.T) {
	forEachDB(t, func(t *testing.T, b *testBundle) {
		ctx := context.Background()
		for k, v := range map[string]string{"azdo.oauth.grant.a": "1", "azdo.oauth.grant.b": "2", "azdoXoauth.grant.c": "3", "other": "4"} {
			must(t, b.db.SetSetting(ctx, k, v))
		}
		got, err := b.db.SettingsWithPrefix(ctx, "azdo.oauth.grant.")
		must(t, err)
		if len(got) != 2 || got["azdo.oauth.grant.a"] != "1" || got["azdo.oauth.grant.b"] != "2" {
			t.Fatalf("SettingsWithPrefix = %v", got)
		}
		if got, err := b.db.SettingsWithPrefix(ctx, "azdo_"); err != nil || len(got) != 0 {
			t.Fatalf("a prefix with _ matched %v, %v", got, err)
		}
		if ok, err := b.db.SwapSetting(ctx, "azdo.oauth.grant.a", "stale", "new"); err != nil || ok {
			t.Fatalf("a swap from a stale value: %v, %v", ok, err)
		}
		if ok, err := b.db.SwapSetting(ctx, "azdo.oauth.grant.a", "1", "new"); err != nil || !ok {
			t.Fatalf("a swap from the stored value: %v, %v", ok, err)
		}
		if v, err := b.db.Setting(ctx, "azdo.oauth.grant.a"); err != nil || v != "new" {
			t.Fatalf("after the swap: %q, %v", v, err)
		}
	})
}
