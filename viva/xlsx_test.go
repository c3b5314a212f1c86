package viva_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn/viva"
	"github.com/xuri/excelize/v2"
)

// writeExplorerXLSX writes testdata/explorer.csv into a workbook the way Excel stores such a
// sheet: Ids as numbers (the first as a HYPERLINK formula never calculated), dates as date
// cells, progress as percent-formatted fractions and the first target as a currency-formatted
// number. The export sits on the second sheet, after a sheet of notes.
func writeExplorerXLSX(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/explorer.csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "About"))
	must(f.SetCellValue("About", "A1", "Exported from Viva Goals"))
	const sheet = "Explorer"
	_, err = f.NewSheet(sheet)
	must(err)

	// Formats whose shown text the reader cannot parse (two-digit years), so that only the
	// stored serial numbers can give the dates.
	dateFmt := "d-mmm-yy"
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	must(err)
	stampFmt := "dd/mm/yy hh:mm"
	stampStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &stampFmt})
	must(err)
	pctStyle, err := f.NewStyle(&excelize.Style{NumFmt: 9}) // 0%
	must(err)
	moneyFmt := `"$"#,##0.00`
	moneyStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &moneyFmt})
	must(err)

	col := map[string]int{}
	for i, h := range rows[0] {
		if h != "" {
			col[h] = i
		}
	}
	for r, row := range rows {
		for c, v := range row {
			cell, err := excelize.CoordinatesToCellName(c+1, r+1)
			must(err)
			if v == "" {
				continue
			}
			switch {
			case r == 0:
				must(f.SetCellStr(sheet, cell, v))
			case c == col["Id"] && v == "1001":
				must(f.SetCellFormula(sheet, cell, `HYPERLINK("https://goals.microsoft.com/okr/1001","1001")`))
			case c == col["Id"]:
				n, err := strconv.Atoi(v)
				must(err)
				must(f.SetCellInt(sheet, cell, int64(n)))
			case c == col["Start Date"] || c == col["End Date"]:
				d, err := time.Parse("2006-01-02", v)
				if err != nil {
					d, err = time.Parse("1/2/2006", v)
				}
				must(err)
				must(f.SetCellValue(sheet, cell, d))
				must(f.SetCellStyle(sheet, cell, cell, dateStyle))
			case c == col["Created At"] && strings.HasPrefix(v, "2024-12-15 09:30"):
				must(f.SetCellValue(sheet, cell, time.Date(2024, 12, 15, 9, 30, 0, 0, time.UTC)))
				must(f.SetCellStyle(sheet, cell, cell, stampStyle))
			case c == col["Progress %"]:
				n, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64)
				must(err)
				must(f.SetCellFloat(sheet, cell, n/100, -1, 64))
				must(f.SetCellStyle(sheet, cell, cell, pctStyle))
			case c == col["Target"] && v == "$1,200,000.00":
				must(f.SetCellFloat(sheet, cell, 1200000, -1, 64))
				must(f.SetCellStyle(sheet, cell, cell, moneyStyle))
			default:
				must(f.SetCellStr(sheet, cell, v))
			}
		}
	}
	var buf bytes.Buffer
	must(f.Write(&buf))
	return buf.Bytes()
}

func TestReadXLSX(t *testing.T) {
	t.Parallel()
	data := writeExplorerXLSX(t)
	var last [2]int
	e, err := viva.ReadXLSX(bytes.NewReader(data), viva.Options{Progress: func(done, total int) { last = [2]int{done, total} }})
	if err != nil {
		t.Fatal(err)
	}
	if e.Format != viva.FormatXLSX {
		t.Errorf("format = %q", e.Format)
	}
	checkExplorerExport(t, e)
	if it := mustItem(t, e, 1001); it.URL != "https://goals.microsoft.com/okr/1001" {
		t.Errorf("url = %q, want the HYPERLINK target", it.URL)
	}
	if last != [2]int{6, 6} { // a workbook keeps no trailing blank row
		t.Errorf("last progress = %v", last)
	}

	// The same workbook through ReadFile, which must tell it from a JSON bundle zip.
	path := filepath.Join(t.TempDir(), "export")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	e, err = viva.ReadFile(path, viva.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if e.Format != viva.FormatXLSX || len(e.Items) != 6 {
		t.Errorf("ReadFile: format %q items %d", e.Format, len(e.Items))
	}
}

func TestReadXLSXErrors(t *testing.T) {
	t.Parallel()
	t.Run("ErrNotAWorkbook", func(t *testing.T) {
		t.Parallel()
		_, err := viva.ReadXLSX(strings.NewReader("Id,Title\n"), viva.Options{})
		if err == nil || !strings.Contains(err.Error(), "not an Excel workbook") {
			t.Errorf("error = %v", err)
		}
	})
	t.Run("ErrBadDateCell", func(t *testing.T) {
		t.Parallel()
		f := excelize.NewFile()
		defer f.Close()
		for cell, v := range map[string]string{"A1": "Id", "B1": "Title", "C1": "Object Type", "D1": "Start Date",
			"A2": "5", "B2": "A", "C2": "Objective", "D2": "the first of May"} {
			if err := f.SetCellStr("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
		}
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		_, err := viva.ReadXLSX(&buf, viva.Options{})
		var re *viva.RowError
		if !errors.As(err, &re) || re.Row != 2 || re.Column != "Start Date" || re.Cell != "D2" {
			t.Errorf("error = %v", err)
		}
	})
}
