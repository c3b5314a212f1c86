package datasource

import (
	"context"
	"errors"
	"fmt"

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
