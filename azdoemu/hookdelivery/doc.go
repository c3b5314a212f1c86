// Package hookdelivery delivers service-hook payloads for the Azure DevOps emulator the way
// Azure DevOps does: an HTTP POST of the JSON payload, with the subscription's basic-auth
// secret and extra headers, retried on failure, with the subscription put on probation and
// finally disabled when its consumer keeps failing.
//
// # Retry policy (DefaultPolicy)
//
//   - 2xx: delivered. A subscription on probation becomes "enabled" again.
//   - 410 Gone: the subscription becomes "disabledBySystem" at once; no retry.
//   - 408, 502, 503, 504 and network errors: retried up to 8 times after waiting 5s, 10s, 15s,
//     20s, 25s, 30s, 35s and 40s (3 minutes in all). If every retry fails the delivery counts
//     as failed, as below.
//   - Any other answer (other 4xx, 500, other 5xx, 3xx) or a URL that cannot be requested:
//     failed. The subscription goes "onProbation" and the delivery is retried after 15 minutes,
//     then after waits that double up to 8 hours, the last wait cut short so that the final
//     retry comes 36 hours after probation began. If that fails too, the subscription becomes
//     "disabledBySystem".
//
// During probation a 410 still disables at once and a 2xx ends probation; any other answer
// counts as a failure.
//
// # Order and state
//
// Each subscription has one queue worked in order, so its deliveries arrive in the order they
// were handed over, and a delivery being retried holds back the ones behind it (probation
// holds new events until the consumer recovers). A disabled subscription drops its queue and
// ignores further deliveries until Enable is called. Different subscriptions never wait for
// each other.
//
// Time comes from an injected Clock, so tests can run days of retries instantly.
package hookdelivery
