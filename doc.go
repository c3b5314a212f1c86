// Package cairn holds Cairn's domain: the OKR model (organizations, periods, objectives, key
// results, initiatives, check-ins), its validation rules, the error type shared by every layer,
// the storage interface that adapters implement, and the service that enforces authorization
// and computes progress.
//
// The package imports no adapter. SQL lives in sqldb, HTTP in web, and the pure progress math
// in progress.
package cairn
