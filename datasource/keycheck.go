package datasource

import (
	"context"
	"fmt"
	"strings"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/auth"
)

// keyCheckSetting holds a value sealed under the key that seals the database's
// credentials, so that a replica can tell, before it writes anything, whether its keyring
// is the one the others use.
const keyCheckSetting = "secrets.key_check"

var keyCheckPlain = []byte("cairn sealing key check")

// KeySettings is the part of a store CheckKey needs.
type KeySettings interface {
	Setting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
	SwapSetting(ctx context.Context, key, old, value string) (bool, error)
}

// CheckKey makes sure that sealer opens what the database holds, so that a replica
// started without the shared key, or with another one, refuses to start instead of
// sealing credentials that the others cannot read (or failing on theirs). The database
// keeps a value sealed under the current key; the first start with a keyring writes it,
// after checking the credentials already there. A keyring whose current key is newer
// (a rotation under way) re-seals it.
func CheckKey(ctx context.Context, store Store, settings KeySettings, sealer *auth.Sealer) error {
	refuse := func(what, sealed string) error {
		id, _ := auth.SealedKeyID(sealed)
		return fmt.Errorf("the sealing key does not open %s: it is sealed under key %q, and this keyring holds %s. "+
			"Start every replica with the same CAIRN_SECRET_KEY or key file (CAIRN_SECRET_KEY_FILE); during a rotation, "+
			"list the new key and the old one (see docs/operations.md)", what, id, strings.Join(sealer.KeyIDs(), ", "))
	}
	v, err := settings.Setting(ctx, keyCheckSetting)
	switch {
	case err == nil:
		if _, err := sealer.Open(v, []byte(keyCheckSetting)); err != nil {
			return refuse("the credentials this database holds", v)
		}
		if sealer.NeedsReseal(v) {
			again, err := sealer.Seal(keyCheckPlain, []byte(keyCheckSetting))
			if err != nil {
				return err
			}
			if _, err := settings.SwapSetting(ctx, keyCheckSetting, v, again); err != nil {
				return err
			}
		}
		return nil
	case cairn.ErrorCode(err) != cairn.ENOTFOUND:
		return fmt.Errorf("check the sealing key: %w", err)
	}
	// A database from before the check: every stored credential must open.
	orgs, err := store.ListOrgs(ctx, 0)
	if err != nil {
		return fmt.Errorf("check the sealing key: %w", err)
	}
	for _, o := range orgs {
		conns, err := store.ListConnections(ctx, o.ID)
		if err != nil {
			return fmt.Errorf("check the sealing key: %w", err)
		}
		for _, c := range conns {
			if c.Credential == "" {
				continue
			}
			if _, err := openCredential(sealer, c); err != nil {
				return refuse(fmt.Sprintf("the credential of connection %d (%s) of organization %s", c.ID, c.Name, o.Slug), c.Credential)
			}
		}
	}
	sealed, err := sealer.Seal(keyCheckPlain, []byte(keyCheckSetting))
	if err != nil {
		return err
	}
	return settings.SetSetting(ctx, keyCheckSetting, sealed)
}

// resealKeyCheck re-seals the key check under the current key during a rotation.
func resealKeyCheck(ctx context.Context, settings SealedSettings, sealer *auth.Sealer) error {
	values, err := settings.SettingsWithPrefix(ctx, keyCheckSetting)
	if err != nil {
		return err
	}
	for key, v := range values {
		if _, err := resealSetting(ctx, settings, sealer, key, v); err != nil {
			return fmt.Errorf("the key check: %w", err)
		}
	}
	return nil
}
