// Package vivaimport imports a Viva Goals export, as package viva reads it, into one Cairn
// organization. Import writes everything in one transaction of a cairn.ImportStore, or with
// Options.DryRun writes nothing and reports what it would do; Plan and Apply are the two
// halves for a web page that shows the plan before it imports. The caller decides who may
// import: the CLI acts as the operator, and the web UI calls cairn.Service.AuthorizeImport
// first.
//
// # Repeatable
//
// Every Viva Goals id becomes a row of the organization's import mappings (kind, Viva id →
// Cairn id), with a hash of the record and the record itself as read. A second import of the
// same export changes nothing; an export that changed updates what changed and creates what
// is new, and the Summary counts, per kind, what was created, matched, updated and left
// unchanged. Summary.Changes lists each item, check-in, comment and team updated, with the
// fields that changed (the record as the last import stored it against the one read now;
// "check-ins" when an item's check-ins changed; what Cairn holds of it when the record did
// not change, such as an alignment to an objective made again), and each record created
// where the organization had imported before. A record whose hash did not change is not
// written again, so that edits made in Cairn since survive; a mapped row that was deleted in
// Cairn is created again. Check-ins and comments are mapped by their Viva id, or in a
// spreadsheet export, which has none, by item, date, author and value (and the order of
// equal ones).
//
// # How Viva Goals maps onto Cairn
//
//   - Periods are found by name (ignoring case; among equal names the one with the same
//     dates), then by the same start and end, or created. A matched period is never
//     changed. A Viva period whose items are all closed closes the Cairn period, if the
//     import created it; a matched period is left open and named in Summary.LeftOpen.
//   - Teams are found by name or created; a bundle's team owners become team members.
//   - People are found by their mapping, then by email (a bundle gives emails), then among
//     the organization's members by name when exactly one has it. Anyone else becomes an
//     unclaimed member: a user with a placeholder email under cairn.UnclaimedDomain that
//     cannot sign in, until an admin claims it for a real account
//     (cairn.Service.ClaimMember) or its owner signs in with Microsoft under the same name.
//   - Objectives keep title, description, owners (the creator when none), aspirational goal
//     type, the first team (level team; organization without), score, and Viva's status as
//     the objective's stated status (cairn.Objective.StatedStatus), which the tree shows until
//     the owners change it. Cairn's objectives take no check-ins: an objective's check-ins
//     become comments on it, with their date, author, value, status and note.
//   - Key results keep title, description, owners, score and the metric: kind, unit, start,
//     target, current value (Viva's actual value, else the latest check-in's, else the value
//     at the export's Progress %), goal (Increase, Decrease, Stay above, Stay below become
//     cairn.Metric's goals increase, decrease, stay_above and stay_below) and phased targets
//     (the bundle's; they become milestones, but for one on the period's last day at the
//     target, which the period's end says already). A metric Cairn cannot hold (no target,
//     or target equal to start) becomes a 0–100 % metric of Viva's progress, with a problem
//     reported; so does a goal or phased targets that do not fit. Progress "from children"
//     becomes roll-up; anything else manual.
//   - Deliverables become initiatives: a metric other than 0–100 % measures them (progress
//     mode metric); otherwise they take percentage check-ins (manual).
//   - Check-ins keep date (with the time of day of their activity time when it falls on that
//     date), author, value, status and note; an empty value repeats the previous one. A
//     check-in an integration made has no author, and Azure DevOps' are marked as such. A
//     check-in's status holds until the next check-in (docs/progress.md), so that each key
//     result and initiative shows the status of its latest check-in, as Viva Goals did; an
//     item whose Status differs from its latest check-in's is reported. Viva's check-in status
//     Closed is the item's (below), not the check-in's.
//   - Tags, which Cairn has not, and the teams of key results and initiatives, which Cairn
//     places in their objective's team, live only in the mapping's data; tags are reported.
//   - Comments, which only the JSON bundle holds, keep author, time and text.
//
// # Alignment and weights
//
// Every alignment is imported with its weight, and kept in the mapping's data. An
// objective aligns to each of its parents, the first counted alignment (weight above 0 %)
// first, as its primary parent. A key result lives under the objective of its first counted
// alignment, with that weight, and counts towards the parents of its other alignments too.
// Items with more than one alignment are listed in Summary.MultiParent. A Viva weight is the
// share of the parent's progress, in percent; Cairn's weight is relative among the parent's
// children (see cairn.Alignment), so the weight is the percentage divided by 100
// (14.29 % → 0.1429): siblings keep Viva's proportions, and Cairn's default weight 1 stands
// for 100 %. No weight gives 1; 0 % gives 0, aligned but not counted, as in Viva Goals.
//
// Where Cairn's structure is narrower the import moves up the alignment chain and reports
// it: a key result goes under the nearest objective above it; an item aligned to an
// initiative hangs under that initiative's parent; a key result or initiative that aligns to
// nothing goes under one objective per period made for them. An initiative whose only
// alignments have weight 0 % contributes nothing (Contributes false); a key result always
// counts towards its own objective, so there it counts with weight 1 and a problem says so.
// Initiatives keep one parent: the first counted alignment's.
//
// # Closed items and scores
//
// Cairn closes whole periods: closing freezes the items and stores the score of every
// objective and key result. Viva Goals closed items one by one, so an item closed there is
// closed on its own in Cairn (ClosedAt: its latest check-in's time, else the end of its dates
// or period) with its score, on objectives, key results and initiatives alike: it shows the
// status Closed and its score in the tree while its period stays open.
//
// # Progress
//
// Cairn computes progress by its own rules (docs/progress.md). After writing, the import
// works out each item's progress as Cairn will show it and reports, with both values, every
// item whose progress differs from the export's Progress % by half a point or more; the
// mapping keeps Viva's value. The differences are Cairn's rules: an objective rolls up from
// its key results and initiatives by their weights, not from the objectives aligned to it
// nor from its own check-ins, as Viva Goals' could; and progress is not capped at 100 %.
//
// # Re-binding
//
// A Viva export holds no Azure DevOps bindings. Every imported item whose progress an
// integration drove (viva.Item.AzureDevOps, or ProgressSource integration) is put on the
// organization's re-bind checklist (cairn.Service.RebindChecklist), which is done item by
// item as data sources are bound.
package vivaimport
