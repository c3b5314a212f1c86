// Package oidctest runs a small OpenID Connect provider in-process, shaped
// like a single Microsoft Entra ID tenant, so Cairn's tests can exercise the
// whole sign-in: discovery, JWKS, an /authorize endpoint that signs in a
// configured user at once, and a /token endpoint that issues RS256 ID tokens.
//
// Faults make the provider misbehave in one chosen way (bad signature, wrong
// audience, expired token, …) for negative tests. Tokens are signed with the
// standard library only.
package oidctest
