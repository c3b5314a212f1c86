//go:build !unix

package sqldb

import "context"

// lockFile does nothing where flock is missing: replicas of one SQLite file run on Unix.
func lockFile(context.Context, string) (func(), error) { return func() {}, nil }
