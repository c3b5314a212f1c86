package cairn

import "context"

type actorKey struct{}

// NewContext returns a context that carries the signed-in user.
func NewContext(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, actorKey{}, u)
}

// UserFromContext returns the signed-in user, or nil.
func UserFromContext(ctx context.Context) *User {
	u, _ := ctx.Value(actorKey{}).(*User)
	return u
}
