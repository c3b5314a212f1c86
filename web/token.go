package web

import (
	"context"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/auth"
)

// APITokenPrefix starts every personal API token, so that secret scanners can spot them.
const APITokenPrefix = "cairn_pat_"

// CreateAPIToken creates a personal API token for the user and returns it with its plain
// value, which is shown once and stored only as a hash.
func CreateAPIToken(ctx context.Context, store cairn.Store, userID int64, name string, now time.Time) (*cairn.APIToken, string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "API token"
	}
	if len(name) > 100 {
		return nil, "", cairn.FieldError("name", "name is longer than 100 characters")
	}
	plain, hash, err := auth.NewToken(APITokenPrefix)
	if err != nil {
		return nil, "", cairn.Internal("web: new token", err)
	}
	t := &cairn.APIToken{UserID: userID, Name: name, Hash: hash, CreatedAt: now.UTC()}
	if err := store.CreateAPIToken(ctx, t); err != nil {
		return nil, "", err
	}
	return t, plain, nil
}
