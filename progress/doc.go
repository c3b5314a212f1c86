// Package progress holds the pure arithmetic of Cairn: metric progress for each goal
// (increase, decrease, stay above or below a threshold), roll-up, expected progress over a
// period (a straight line, or one through a key result's milestones), status, trends of
// the latest check-ins, the suggested score, forecasts, and the progress of an Azure DevOps
// data source computed from its work items. docs/progress.md states the same rules for
// people.
//
// Nothing here performs I/O or reads the clock: every instant is passed in, so the
// same inputs always give the same answers. Progress values are fractions (0.42 means
// 42 %), except the value of a work-item data source, which is expressed in the unit of
// its metric (a percentage from 0 to 100 for percentage metrics and initiative tasks).
//
// The package deliberately has its own small input types and does not import the
// domain package, so that the domain can depend on it.
package progress
