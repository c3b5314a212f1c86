package web

import (
	"context"
	"net/http"
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

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) {
	ts, err := s.store.ListAPITokens(r.Context(), cairn.UserFromContext(r.Context()).ID)
	s.reply(w, r, http.StatusOK, list(ts), err)
}

// revokeToken deletes one of the caller's tokens. Tokens are looked up in the store on every
// request and never cached, so the very next request with the token is refused.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.noContent(w, r, s.store.DeleteAPIToken(r.Context(), cairn.UserFromContext(r.Context()).ID, id))
}
