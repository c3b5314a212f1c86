// Package datasource is Cairn's Azure DevOps sync engine and integration service.
//
// A connection's mirror keeps the work items of all of its data sources, each fetched
// once per revision: a sync asks Azure DevOps which items each data source holds (one
// saved-query or WIQL link query per data source), which items changed since the last
// watermark (one reporting call per connection), fetches only new and changed items in
// batches of 200, computes every data source's value with the pure rules of package
// progress, and writes check-ins, tasks, data source state and the sync log in one
// transaction. State categories come from a per-connection cache of the project's work
// item types, loaded with one call when the connection is verified and reloaded on
// "Sync now", once a day, or when an item's type or state is unknown, so a regular sync
// makes no metadata calls. Service-hook deliveries only trigger such a sync; their
// payloads are never trusted.
//
// The Service wraps the same engine for the HTTP API: connections with sealed
// credentials verified live, lookups for configuring, data sources validated against live
// metadata, previews, "sync now", the sync log, tasks, service-hook intake and the
// alignment lookup of the Azure DevOps extension.
package datasource
