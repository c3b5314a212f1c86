package datasource

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/auth"
)

// ResealCredentials seals the credential of every connection, in every organization, again
// under the sealer's current key, so that the keys it was sealed under can be dropped from
// CAIRN_SECRET_KEY. The sealer must still hold those keys. Credentials already under the
// current key are left alone, so running it again does nothing. It returns how many
// credentials it re-sealed; a credential that opens under none of the sealer's keys is
// reported in the error, with its connection, and the others are re-sealed all the same.
//
// OAuth sign-ins not yet turned into a connection are sealed too, but last minutes: they
// are not re-sealed, and a sign-in under way when a key is dropped has to start again.
func ResealCredentials(ctx context.Context, store Store, sealer *auth.Sealer) (int, error) {
	orgs, err := store.ListOrgs(ctx, 0)
	if err != nil {
		return 0, fmt.Errorf("reseal credentials: %w", err)
	}
	n := 0
	var errs []error
	for _, o := range orgs {
		conns, err := store.ListConnections(ctx, o.ID)
		if err != nil {
			return n, fmt.Errorf("reseal credentials of organization %s: %w", o.Slug, err)
		}
		for _, c := range conns {
			done, err := resealConnection(ctx, store, sealer, c)
			if err != nil {
				errs = append(errs, fmt.Errorf("connection %d (%s) of organization %s: %w", c.ID, c.Name, o.Slug, err))
			}
			if done {
				n++
			}
		}
	}
	if len(errs) > 0 {
		return n, fmt.Errorf("reseal credentials: %w", errors.Join(errs...))
	}
	return n, nil
}

// resealConnection re-seals one connection's credential under the current key, unless it
// is already there. A sync may refresh an OAuth token between the read and the write: the
// swap then fails and the newer credential is read again.
func resealConnection(ctx context.Context, store Store, sealer *auth.Sealer, c *cairn.Connection) (bool, error) {
	for range 3 {
		if !sealer.NeedsReseal(c.Credential) {
			return false, nil
		}
		cred, err := openCredential(sealer, c)
		if err != nil {
			return false, err
		}
		sealed, err := sealCredential(sealer, c, cred)
		if err != nil {
			return false, err
		}
		swapped, err := store.SwapConnectionCredential(ctx, c.ID, c.Credential, sealed)
		if err != nil || swapped {
			return swapped, err
		}
		if c, err = store.ConnectionForSync(ctx, c.ID); err != nil {
			if cairn.ErrorCode(err) == cairn.ENOTFOUND {
				return false, nil // deleted meanwhile
			}
			return false, err
		}
	}
	return false, errors.New("the credential kept changing while it was re-sealed; run again")
}

// SealedSettings is the part of a store that keeps the sealed OAuth sign-ins in flight.
type SealedSettings interface {
	SettingsWithPrefix(ctx context.Context, prefix string) (map[string]string, error)
	SwapSetting(ctx context.Context, key, old, value string) (bool, error)
}

// sealedSettingPrefixes name the settings that hold sealed values: the OAuth sign-ins in
// flight (their state and their grant).
var sealedSettingPrefixes = []string{oauthStatePrefix, oauthGrantPrefix}

// ResealReport says what Reseal did.
type ResealReport struct {
	// Credentials counts the connections' credentials, and Resealed how many of them were
	// re-sealed (the others were under the current key already).
	Credentials, Resealed int
	// Flows counts the sealed OAuth sign-ins in flight, and FlowsResealed those re-sealed.
	Flows, FlowsResealed int
}

// Reseal seals every sealed value Cairn stores again under the sealer's current key: the
// credential of every connection (see ResealCredentials) and the OAuth sign-ins in flight.
// Each value is swapped on its own, only while it still holds what was read, so replicas
// keep serving and syncing (and refreshing OAuth tokens) meanwhile; running it again does
// nothing. progress, when set, hears of each organization done. A value that opens under
// none of the sealer's keys is named in the error, and the others are re-sealed all the
// same.
func Reseal(ctx context.Context, store Store, settings SealedSettings, sealer *auth.Sealer, progress func(msg string)) (ResealReport, error) {
	var rep ResealReport
	if progress == nil {
		progress = func(string) {}
	}
	orgs, err := store.ListOrgs(ctx, 0)
	if err != nil {
		return rep, fmt.Errorf("reseal credentials: %w", err)
	}
	var errs []error
	for _, o := range orgs {
		conns, err := store.ListConnections(ctx, o.ID)
		if err != nil {
			return rep, fmt.Errorf("reseal credentials of organization %s: %w", o.Slug, err)
		}
		n := 0
		for _, c := range conns {
			done, err := resealConnection(ctx, store, sealer, c)
			if err != nil {
				errs = append(errs, fmt.Errorf("connection %d (%s) of organization %s: %w", c.ID, c.Name, o.Slug, err))
			}
			if done {
				n++
			}
		}
		rep.Credentials += len(conns)
		rep.Resealed += n
		progress(fmt.Sprintf("organization %s: %d of %d connection credentials re-sealed", o.Slug, n, len(conns)))
	}
	for _, prefix := range sealedSettingPrefixes {
		values, err := settings.SettingsWithPrefix(ctx, prefix)
		if err != nil {
			return rep, fmt.Errorf("reseal OAuth sign-ins: %w", err)
		}
		for key, sealed := range values {
			rep.Flows++
			done, err := resealSetting(ctx, settings, sealer, key, sealed)
			if err != nil {
				// Sign-ins last minutes; one that cannot be opened is only a sign-in to
				// start again, but say so.
				errs = append(errs, fmt.Errorf("OAuth sign-in %s: %w", strings.TrimPrefix(key, prefix), err))
			}
			if done {
				rep.FlowsResealed++
			}
		}
	}
	if rep.Flows > 0 {
		progress(fmt.Sprintf("%d of %d OAuth sign-ins in flight re-sealed", rep.FlowsResealed, rep.Flows))
	}
	if err := resealKeyCheck(ctx, settings, sealer); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return rep, fmt.Errorf("reseal: %w", errors.Join(errs...))
	}
	return rep, nil
}

// resealSetting re-seals one sealed setting under the current key unless it is there.
func resealSetting(ctx context.Context, settings SealedSettings, sealer *auth.Sealer, key, sealed string) (bool, error) {
	if !sealer.NeedsReseal(sealed) {
		return false, nil
	}
	plain, err := sealer.Open(sealed, []byte(key))
	if err != nil {
		return false, err
	}
	again, err := sealer.Seal(plain, []byte(key))
	if err != nil {
		return false, err
	}
	// A sign-in that moved on meanwhile was sealed under the current key by its replica.
	return settings.SwapSetting(ctx, key, sealed, again)
}

// SealedKeyIDs counts the sealed values Cairn stores (connection credentials and OAuth
// sign-ins in flight) by the id of the key they are sealed under, so an operator knows
// when an old key is no longer needed. Values not in the sealed form count under "".
func SealedKeyIDs(ctx context.Context, store Store, settings SealedSettings) (map[string]int, error) {
	out := map[string]int{}
	count := func(sealed string) {
		id, _ := auth.SealedKeyID(sealed)
		out[id]++
	}
	orgs, err := store.ListOrgs(ctx, 0)
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		conns, err := store.ListConnections(ctx, o.ID)
		if err != nil {
			return nil, err
		}
		for _, c := range conns {
			count(c.Credential)
		}
	}
	for _, prefix := range sealedSettingPrefixes {
		values, err := settings.SettingsWithPrefix(ctx, prefix)
		if err != nil {
			return nil, err
		}
		for _, v := range values {
			count(v)
		}
	}
	return out, nil
}
