// Package traffic is HTTP middleware for the Azure DevOps emulator that makes it misbehave the
// way the real service does: fixed and random latency, a TSTU-style rate limit per identity,
// injected faults, and a count of every response by route and status.
//
// # Order of work per request
//
//  1. Sleep for Config.Latency plus every latency fault that fires for the route.
//  2. Rate limit: an identity whose usage in the last five minutes has reached the budget gets
//     429 (the request is not charged). Otherwise the request is charged.
//  3. The first non-latency fault (in spec order) that fires answers instead of the handler.
//  4. If the identity's usage has passed the delay threshold, the response is delayed and
//     carries the X-RateLimit-* and Retry-After headers; the handler still answers.
//
// Every random draw comes from one math/rand/v2 source seeded with Config.Seed and guarded by a
// mutex, so a sequence of requests sent one after another always meets the same faults. Each
// fault whose route matches draws once per request, whether or not an earlier fault fired.
//
// # Faults spec
//
// A spec (the emulator's --faults flag) is a comma-separated list of entries:
//
//	ROUTE:KIND[=PARAM][@PROBABILITY]
//
// ROUTE is a route name such as wit/wiql, or a glob where * matches any run of characters,
// slashes included: * matches every route and wit/* matches wit/wiql and wit/queries/folder.
//
// KIND is one of:
//
//	latency=DURATION  sleep DURATION (Go syntax: 300ms, 2s) before answering; required param
//	5xx               500, 502, 503 or 504 at random, with an Azure DevOps error body
//	500 .. 599        that exact status, with an Azure DevOps error body
//	429[=RETRY]       429 with Retry-After (a duration or whole seconds, default 1s) and the
//	                  TF400733 RequestBlockedException body
//	reset             hijack the connection and close it without any response
//	203               203 with an HTML sign-in page (an expired or malformed token)
//	401               401 with an empty body and WWW-Authenticate (bad credentials)
//	403               403 with the VS403463 conditional-access body
//
// PROBABILITY is a fraction (0.1) or a percentage (10%) between 0 and 1 inclusive. It is
// optional and defaults to 1 (every request). Spaces around entries and parts are ignored.
//
// Examples:
//
//	*:5xx@10%,*:429=1s@5%,*:reset@2%
//	wit/wiql:latency=300ms@50%
//	wit/workitemsbatch:503@0.25,projects:203
//
// # Rate limit
//
// Config.Budget is the TSTU allowance per identity over a sliding five-minute window, as in
// Azure DevOps (200 there). Config.Cost prices a request; DefaultCost charges 1 TSTU per
// request, 5 for running WIQL (…/_apis/wit/wiql) and 2 for reading work items in bulk
// (…/_apis/wit/workitemsbatch, …/_apis/wit/workitems, …/_apis/wit/reporting/…).
//
// Once usage passes Config.DelayThreshold of the budget (default 80 %), each response is delayed
// by up to Config.MaxDelay (default 1s), growing with the overage, and carries
// X-RateLimit-Resource: ATCPU, X-RateLimit-Delay (seconds, fractional), X-RateLimit-Limit,
// X-RateLimit-Remaining, X-RateLimit-Reset (Unix seconds when usage would return to zero) and
// Retry-After (seconds until usage falls back below the threshold). Once usage reaches the
// budget, requests get 429 with Retry-After (seconds until usage falls below the budget) and
// the TF400733 body, until enough of the window has slid past.
//
// # Counting
//
// Stats counts every request by route and outcome: the status sent (faults and 429 included),
// "reset" for a dropped connection and "canceled" when the client went away during a sleep.
package traffic
