// Package azdoemu is an in-memory emulator of the Azure DevOps Services REST
// API 7.1, faithful enough on the wire for Cairn's client, demo, sync tests
// and benchmarks to talk HTTP to it instead of dev.azure.com.
//
// It serves organizations and projects under {base}/{org}/… (projects by
// name or id, optional team segment), the profile and accounts APIs under
// {base}/_vssps/_apis/…, and two unauthenticated control routes,
// GET /_emulator/stats and POST /_emulator/reset. Besides the work item
// tracking, core, hooks and profile areas, it answers what common tools probe
// at start (agent pools, git repositories, teams, classification nodes); any
// other route gets the service's 404 and is counted as "unserved".
// docs/emulator.md lists every route.
//
// The model holds organizations, projects with the Agile, Scrum or Basic
// process (work item types, states and state categories), identities, work
// items with their full revision history, Hierarchy and Related links, saved
// queries in "My Queries" and "Shared Queries", and service-hook
// subscriptions. Every change is a new revision, so asOf reads, WIQL EVER
// and the reporting revisions API see history. WIQL is evaluated by package
// wiql; throttling and injected faults come from azdoemu/traffic; service
// hook deliveries go through azdoemu/hookdelivery.
//
// Data comes from a scenario (JSON or YAML, see Scenario and the embedded
// DemoScenario) or from a deterministic generator (see Options.Generate).
package azdoemu
