package viva

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// ReadXLSX reads the Explorer export saved as an Excel workbook. It reads the first sheet whose
// first row has Id and Title columns, or the first sheet when none has. Cells are read as a
// spreadsheet shows them, except that a date cell is read from its stored value, and an Id cell
// holding a HYPERLINK formula gives the item's link as well.
func ReadXLSX(r io.Reader, opts Options) (e *Export, err error) {
	// The workbook library is large and its input untrusted: a damaged file must fail the
	// import, not the process.
	defer func() {
		if v := recover(); v != nil {
			e, err = nil, fmt.Errorf("read XLSX: the workbook is damaged (%v)", v)
		}
	}()
	limit := opts.maxFileSize()
	f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: limit})
	if err != nil {
		return nil, fmt.Errorf("read XLSX: not an Excel workbook Cairn can open: %w", err)
	}
	defer f.Close()
	sheet, err := exportSheet(f)
	if err != nil {
		return nil, fmt.Errorf("read XLSX: %w", err)
	}
	shown, err := f.GetRows(sheet)
	if err != nil {
		return nil, fmt.Errorf("read XLSX: sheet %q: %w", sheet, err)
	}
	raw, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, fmt.Errorf("read XLSX: sheet %q: %w", sheet, err)
	}
	t := &table{rows: shown, raw: raw}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		t.date1904 = *props.Date1904
	}
	t.formula = func(row, col int) string {
		name, err := excelize.CoordinatesToCellName(col+1, row+1)
		if err != nil {
			return ""
		}
		formula, _ := f.GetCellFormula(sheet, name)
		return formula
	}
	return readTable(t, FormatXLSX, opts)
}

// exportSheet picks the sheet that holds the export.
func exportSheet(f *excelize.File) (string, error) {
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return "", fmt.Errorf("the workbook has no sheet")
	}
	for _, name := range sheets {
		rows, err := f.Rows(name)
		if err != nil {
			continue
		}
		var header []string
		if rows.Next() {
			header, _ = rows.Columns()
		}
		_ = rows.Close()
		has := map[string]bool{}
		for _, h := range header {
			has[headerNames[squash(h)]] = true
		}
		if has[colID] && has[colTitle] {
			return name, nil
		}
	}
	return sheets[0], nil
}
