// Package wiql parses and evaluates Azure DevOps WIQL (Work Item Query
// Language) statements over in-memory work items.
//
// Parse turns one statement into a Query; Execute runs a Query over a Dataset
// of work items and links and returns the rows Azure DevOps would return for
// the same data: a flat list of ids for FROM WorkItems, or link rows for
// FROM WorkItemLinks (oneHop for MODE (MustContain | MayContain |
// DoesNotContain), tree for MODE (Recursive)).
//
// # Supported language
//
//	SELECT [field], … FROM WorkItems | WorkItemLinks
//	[WHERE condition] [ORDER BY [field] [ASC|DESC], …] [ASOF 'date'] [MODE (mode)]
//
// Keywords are case-insensitive. Fields are written bracketed ([System.State],
// [Assigned To]) or bare (System.Id); friendly names are mapped to reference
// names (see ReferenceName). In link queries fields may carry a [Source]. or
// [Target]. prefix; an unprefixed field refers to the source item, and
// [System.Links.LinkType] selects link types.
//
// Operators: =, <>, >, <, >=, <=, IN (…), NOT IN (…), UNDER, NOT UNDER,
// CONTAINS, NOT CONTAINS, CONTAINS WORDS, NOT CONTAINS WORDS, EVER,
// NOT EVER, IN GROUP, NOT IN GROUP, with AND, OR, NOT and parentheses. The
// right-hand side is a literal ('text' or "text", a number, true/false), a
// macro (@project, @me, @today, @currentIteration, @startOfDay,
// @startOfWeek, @startOfMonth, @startOfYear, the date macros with ± n) or
// another field ([f] = [g]).
//
// # Evaluation rules
//
//   - String comparisons are case-insensitive. An unset field matches an
//     empty text literal, and an empty string counts as unset.
//   - Identity fields (System.AssignedTo, System.CreatedBy, System.ChangedBy
//     and similar) hold "Display Name <upn>"; = matches the display name,
//     the upn or the whole string.
//   - Dates compare by day when the right-hand side has no time of day
//     (date macros, '2026-01-01', '1/1/2026'), in the location of Env.Now.
//   - UNDER matches a path or any path below it (\ separated).
//   - CONTAINS is a substring match, except on System.Tags where it matches
//     one whole tag; CONTAINS WORDS matches whole words.
//   - EVER is true when the current value or any revision matches.
//   - Links may be given in one direction only: a Hierarchy-Forward link
//     from A to B implies the Hierarchy-Reverse link from B to A, and a
//     Related link works both ways.
//   - Flat results are ordered by ORDER BY and then by id; without ORDER BY
//     by id. Link rows list each returned source item as a root row
//     (Source 0) followed by its links; siblings follow the same order.
//   - Link conditions are split by what they read: [Source] conditions pick
//     source items, [Target] conditions pick link targets, link-type
//     conditions pick links, and conditions mixing them are checked per link.
//     Without a link-type condition every link type counts, except that
//     MODE (Recursive) always follows Hierarchy-Forward links.
//   - MODE (MustContain), the default, returns sources with at least one
//     matching link; MayContain also returns sources without one, as root
//     rows only; DoesNotContain returns only sources without one.
//   - MODE (Recursive) ("match top-level work items first") returns trees:
//     the top-level rows are source matches that are not reached from
//     another source match, each followed depth first by its descendants
//     that match the [Target] conditions; a non-matching child hides its
//     subtree, as Azure DevOps applies the linked-item filter at every
//     level. Every item appears at most once, so cyclic links end.
//   - MODE (Recursive, ReturnMatchingChildren) ("match linked work items
//     first") finds the linked items that match the [Target] conditions
//     first and returns each with its path up to a top-level source match:
//     items along the path appear whether or not they match, and source
//     matches with no matching item below them are left out.
//   - The argument of @currentIteration('[Project]\Team') is accepted and
//     ignored: Env.CurrentIteration gives the iteration. Macros whose Env
//     value is unset give CodeInvalidValue.
//
// # Error codes
//
// Every error returned by Parse and Execute is an *Error whose Code is one of:
//
//   - VS402336 (CodeSyntax): the statement is not valid WIQL (unexpected or
//     missing token, unknown operator, unterminated string, missing FROM,
//     unknown FROM source, unknown MODE).
//   - VS402337 (CodeTooManyResults): the result exceeds Env.MaxRows
//     (DefaultMaxRows when 0) and $top does not cut it to the limit; the
//     message is TooManyResultsMessage, the text Azure DevOps returns.
//   - VS402340 (CodeUnknownMacro): an @macro that is not supported.
//   - VS402341 (CodeInvalidValue): a value that cannot be used, such as a
//     bad date, a non-numeric offset or an unknown work item type category.
//   - VS402342 (CodeInvalidQuery): a well-formed but invalid combination,
//     such as [Source]. fields or MODE in a FROM WorkItems query, or
//     MODE (Recursive) over links other than Hierarchy-Forward.
package wiql
