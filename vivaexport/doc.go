// Package vivaexport writes Cairn's OKRs as a Viva Goals Explorer export, CSV or XLSX, so
// that a team can take them to a spreadsheet and back: `cairn import viva` (package
// vivaimport) reads what this package writes.
//
// # Columns
//
// The sheet has Viva Goals' Explorer columns, in Viva's order: Id, Title, Team, Creator,
// Owner, Period, Start Date, End Date, Description, "Aligned To (weight, Objective ID)",
// Metric Name, Unit, Target, Object Type, Goal Type, Start, Created At, Last Check-in,
// Progress %, Actual Progress, Status, Last Check-in Note and Score; then Cairn's own
// columns, Data Source ("Azure DevOps", "Manual" or "Roll-up") and Last Sync (the last
// successful Azure DevOps sync); then Checkins, which holds the oldest check-in, and one
// unlabeled cell per further check-in, oldest first. The importer keeps columns it does
// not know, and reads the Data Source column back.
//
// One row stands for each objective, key result and initiative. Viva Goals numbers every
// item in one sequence, Cairn each kind in its own, so the Id is Cairn's id times ten plus
// 1 for an objective, 2 for a key result and 3 for an initiative (ExportID): key result 42
// is Id 422.
//
// A key result aligns first to its own objective, with its weight, then to its other
// parents; an initiative to its parent, with weight 0 % when it does not contribute.
// Viva weights are shares in percent, Cairn's relative (see cairn.Alignment): a weight w
// is written as w × 100 %, so Cairn's default 1 is 100 %, and the importer divides by 100.
// Where a parent has a child of weight above 1, which no percentage can say, every weight
// under that parent is written as its share of their sum instead, which keeps their
// proportions. Alignments to items the export leaves out (another period, or filtered
// out) are not written, so that every file imports.
//
// # Numbers and text
//
// Id, Target, Start, Progress %, Actual Progress and Score are numbers: numeric cells in
// XLSX, a negative value included, and plain numbers ("-12.5") in CSV. Every other cell is
// text. Dates and times are text, YYYY-MM-DD and "YYYY-MM-DD HH:MM:SS UTC".
//
// # Formula injection
//
// A text cell that begins with =, +, -, @, a tab or a carriage return could run as a
// formula when a spreadsheet opens the file. Such a cell is written with a single quote
// before it ("'=1+1"), in CSV and in XLSX alike, and the viva reader drops that quote
// again, so that the round trip keeps the text. Number cells are never quoted: in XLSX
// they are numbers, not text, and in CSV they are written by Cairn, digits with at most a
// leading minus, which no spreadsheet reads as a formula.
package vivaexport
