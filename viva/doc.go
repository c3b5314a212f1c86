// Package viva reads the exports of Microsoft Viva Goals (retired on 31 December 2025) into a
// neutral in-memory model, so that Cairn can import an organization's OKRs with nothing lost. It
// writes nothing: the import into Cairn's store builds on Export.
//
// # Formats
//
// Viva Goals exported data in two forms, and every reader returns the same *Export:
//
//   - The Explorer export, a sheet with one row per item, saved as CSV (ReadCSV) or XLSX
//     (ReadXLSX). Its header row names the columns Id, Title, Team, Creator, Owner, Period,
//     Start Date, End Date, Description, "Aligned To (weight, Objective ID)", Metric Name, Unit,
//     Target, Object Type, Goal Type, Start, Created At, Last Check-in, Progress %, Actual
//     Progress, Status, Last Check-in Note, Score and Checkins, followed by unlabeled columns
//     that hold one further check-in each; a Tags column, when present, is read like Team.
//     Columns are found by header, in any order and without regard to case; Id, Title and
//     Object Type are required, the others optional, and columns the package does not know are
//     kept in Item.Extra. In a workbook the Id may be a HYPERLINK formula, which gives Item.URL.
//   - The JSON data export (ReadBundle, ReadBundleZip), a folder or .zip of per-entity files:
//     objectives_*.json, checkins_*.json, comments_*.json, Teams_*.json, Tags_*.json,
//     TimePeriods_*.json and Users_*.json, each a JSON array of records.
//
// ReadFile and Read tell the formats apart by content.
//
// # The bundle's records
//
// Microsoft documented no schema for the JSON export. The field names below are those seen in
// real exports as public importers of it read them; field names are matched without regard to
// case, spaces and punctuation, and fields the reader does not use are kept in Item.Extra.
//
//   - objectives: ID, Title, Type ("Objective", "Key result", "Deliverable"), Description,
//     "Created By" and Owner and "Check-in Owners" (people: {ID, Name, Email}), Teams and Tags
//     ([{ID, Name}] and [{ID, "Tag Name"}]), "Time Period" ({ID, Name}), "Start Date",
//     "End Date", Alignment ([{ID, Title, Weight: "14.29%"}]), "Parent IDs", "Progress and
//     Status Configuration" ({Progress: "Update from Children" or "Update Manually", Status,
//     "Data Source"}), Progress (percent), Status, Score, "Goal Type", Outcome ({"Outcome Type":
//     "Metric" or "Percentage", "Metric Name", "Metric Unit", Start, Target, "Target Type":
//     "Increase From", "Decrease From" or "Reach"}), "Phased Targets" ("Disabled", or
//     [{"Target Value", "Target Date"}], bare or under {Interval, "Phased Targets"}), "Created
//     At", "Last Check-in" and Children (ignored: the children's alignments say the same).
//   - checkins: ID, "OKR ID", "CheckIn Date", "Check In Owner" (a person), "Check In Note"
//     ({"Check In Note", "Check In Note HTML"}, or text), "Metric Name", Status, "Current
//     Value" and "Activity Date".
//   - comments: ID, "OKR ID", Comment, "Created By" and "Created At".
//   - Users: ID, Name and Email. Teams: ID, "Team Name", "Parent Team", "Team Owners", "Team
//     Type", Status and Description. TimePeriods: ID, "Time Period Name", "Start Date" and "End
//     Date". Tags: ID and "Tag Name".
//
// # Cells
//
// The parsers of single cells are exported for reuse: ParseAlignments, ParseCheckIn,
// ParseNames, ParseTeams and ParseNumber. In short:
//
//   - An alignment reads "Parent title(weight: 14.29%, Id: 2295776)". Alignments are found by
//     that suffix, so titles may hold parentheses and commas; several alignments stand one per
//     line or separated by ";" or ",". Weight 0 % means aligned but not counted
//     (Alignment.Counted).
//   - A check-in reads "Checkin Date: …; User: …; Note: …; Metric Name: …; Status: …; Current
//     Value: …; Activity Date: …;". It is split on those labels, the ones after the note found
//     from the end, so notes may hold semicolons, line breaks and anything else.
//   - Owners are separated by commas, semicolons or line breaks; teams by semicolons or line
//     breaks, so that team names may hold commas.
//   - Numbers may carry a percent sign, currency symbols or codes and thousands separators:
//     "25%", "1,200", "$1,200.50". A percentage is kept as written: "25%" is 25.
//   - Dates may be YYYY-MM-DD, M/D/YYYY (D/M/YYYY with Options.DayFirst), "Mar 10, 2025", or
//     any of these with a time, "UTC" or an offset; in a workbook, real date cells too. A date
//     is taken as written, without moving it between time zones.
//
// Whatever cannot be read is refused, never guessed.
//
// # Integrations
//
// An import needs to know which items an integration such as Azure DevOps drove, to bind them
// again (Item.AzureDevOps). The rule:
//
//   - In the bundle, an item's "Data Source" (or a progress rule that speaks of a data source
//     or integration) makes its ProgressSource ProgressIntegration and names DataSource.
//   - A check-in is an integration's (CheckIn.Integration) when its user is the name of a
//     known integration (Azure DevOps, Azure Boards, Jira, Power BI, Excel, Planner,
//     Smartsheet, Salesforce and others, or Options.IntegrationNames), or a name ending in
//     "Integration", "Connector" or "Data Source"; or when its note says it was updated
//     automatically or "updated via/by/from … integration" or "… data source". In the bundle, a
//     check-in without an owner on an item driven by a data source is that data source's too.
//   - The Explorer export says nothing of data sources: there an item whose latest check-in is
//     an integration's gets ProgressIntegration and that integration as DataSource.
//
// # Errors
//
// A file that is not a Viva Goals export, or holds values that cannot be read, is refused with
// a *ParseError listing every problem (up to Options.MaxProblems) as a *RowError that names the
// row as a spreadsheet shows it (the header is row 1), the column and the cell, or for a bundle
// the file, the record and the field. Besides single values, the reader checks that Ids are
// unique, that every alignment, check-in and comment points at an item of the export
// (Options.DropDangling relaxes this) and that alignments form no cycle. No input makes a reader
// panic.
package viva
