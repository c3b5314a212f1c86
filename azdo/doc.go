// Package azdo is Cairn's Azure DevOps REST 7.1 client.
//
// It talks to Azure DevOps Services (https://dev.azure.com/{org}), to Azure
// DevOps Server collections and to Cairn's own emulator through one base URL,
// and it is written by hand rather than generated: the official SDK ignores
// Retry-After, treats 203 sign-in pages as success and discovers routes with an
// extra OPTIONS call, all of which cost a sync engine dearly.
//
// Every call sends api-version=7.1 in the query string (7.1-preview where the
// resource has no released version) until the server refuses it: Azure DevOps
// Server 2019, 2020 and 2022 know 5.0, 6.0 and 7.0. The client then reads the
// resource locations (OPTIONS _apis) once and calls each route with the newest
// version both sides know, never older than MinAPIVersion (see Negotiate and
// Config.ServerAPIVersion). It also sends X-TFS-FedAuthRedirect: Suppress so that
// an expired credential yields a status instead of a sign-in page, and
// Accept: application/json. Bodies are stripped of a UTF-8 byte order mark
// before they are decoded, and numbers inside work item fields decode as
// json.Number so that identifiers and large values survive unchanged.
//
// Failures are typed. Compare with errors.Is against the sentinels
// (ErrUnauthorized, ErrNotFound, ErrThrottled, …) or extract an *Error with
// errors.As for the status, the TF/VS code and the server's message.
//
// The client honours Retry-After on every response through a gate shared by
// all requests to a host, slows down when Azure DevOps reports X-RateLimit-Delay
// or a low X-RateLimit-Remaining, and retries 429, 5xx and network failures of
// reads with capped, jittered exponential backoff bounded by the context.
package azdo
