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
// OPTIONS {org}/_apis lists the resource locations of its routes with their
// versions. docs/emulator.md lists every route.
//
// With Options.Server it plays Azure DevOps Server 2019, 2020 or 2022
// instead: the first organization is the collection
// {base}/tfs/DefaultCollection, api-versions newer than the release knows get
// the real 400 VssVersionOutOfRangeException, the routes a Server has only in
// preview demand -preview, and the profile and accounts APIs are absent.
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
