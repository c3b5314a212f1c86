package viva_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"testing"

	"github.com/cairn-okr/cairn/viva"
)

// explorerCSV generates an Explorer export of n rows: objectives with key results under them and
// deliverables under those, each key result and deliverable with up to six check-ins whose notes
// hold semicolons and line breaks.
func explorerCSV(tb testing.TB, n int) []byte {
	tb.Helper()
	header := []string{"Id", "Title", "Team", "Creator", "Owner", "Period", "Start Date", "End Date", "Description",
		"Aligned To (weight, Objective ID)", "Metric Name", "Unit", "Target", "Object Type", "Goal Type", "Start",
		"Created At", "Last Check-in", "Progress %", "Actual Progress", "Status", "Last Check-in Note", "Score", "Checkins"}
	for i := 0; i < 25; i++ {
		header = append(header, "")
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(header); err != nil {
		tb.Fatal(err)
	}
	var objective, keyResult int
	for i := 1; i <= n; i++ {
		id := 100000 + i
		row := make([]string, len(header))
		row[0] = fmt.Sprint(id)
		row[2] = "Team " + fmt.Sprint(i%40) + "; Platform"
		row[3] = "Person " + fmt.Sprint(i%300)
		row[4] = fmt.Sprintf("Person %d, Person %d", i%300, (i+7)%300)
		row[5] = "Q1 2025"
		row[6], row[7] = "2025-01-01", "3/31/2025"
		row[8] = "Why this matters;\nand how."
		row[16] = "2024-12-15 09:30:00 UTC"
		row[18] = fmt.Sprintf("%d%%", i%100)
		row[20] = []string{"On Track", "Behind", "At Risk", "Not Started"}[i%4]
		switch {
		case i%10 == 1:
			objective = id
			row[1] = fmt.Sprintf("Objective %d (growth)", i)
			row[13] = "Objective"
		case i%10 < 5:
			keyResult = id
			row[1] = fmt.Sprintf("Key result %d", i)
			row[13] = "Key result"
			row[9] = fmt.Sprintf("Objective %d (growth)(weight: 25%%, Id: %d)", objective-100000, objective)
			row[10], row[11], row[12], row[15], row[19] = "Revenue", "$", "$1,200,000", "$200,000", "$450,000"
		default:
			row[1] = fmt.Sprintf("Deliverable %d", i)
			row[13] = "Deliverable"
			row[9] = fmt.Sprintf("Key result %d(weight: 0%%, Id: %d)", keyResult-100000, keyResult)
			row[10], row[11], row[12], row[15], row[19] = "Progress", "%", "100%", "0%", "40%"
		}
		if row[13] != "Objective" {
			for c := 0; c < i%7; c++ {
				row[23+c] = fmt.Sprintf("Checkin Date: 2025-%02d-%02d; User: Person %d; Note: Step %d done; next: more\nsee notes; Metric Name: %s; Status: On Track; Current Value: %d%%; Activity Date: 2025-%02d-%02d 10:00:00 UTC;",
					1+c%3, 1+c, i%300, c, row[10], c*10, 1+c%3, 1+c)
			}
		}
		if err := w.Write(row); err != nil {
			tb.Fatal(err)
		}
	}
	w.Flush()
	return buf.Bytes()
}

func BenchmarkReadCSV20000(b *testing.B) {
	data := explorerCSV(b, 20000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		e, err := viva.ReadCSV(bytes.NewReader(data), viva.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(e.Items) != 20000 {
			b.Fatalf("read %d items", len(e.Items))
		}
	}
}
