// Package auth holds Cairn's authentication building blocks: password hashing,
// opaque tokens (API tokens, session ids, one-time setup links), the session
// cookie, CSRF protection, sealing of stored secrets, OpenID Connect sign-in
// with Microsoft Entra ID, and verification of Azure DevOps extension app
// tokens.
//
// The package keeps no state of its own and talks to no database: callers
// persist hashes, token digests and sealed secrets wherever they like. It does
// not import the root cairn package, so the store and the HTTP layer can both
// depend on it.
package auth
