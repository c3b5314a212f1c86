package viva_test

import (
	"strings"
	"testing"

	"github.com/cairn-okr/cairn/viva"
)

// TestReadCairnExportColumns reads what Cairn's own export adds to the Explorer sheet: the
// Data Source column sets the progress source, and the single quote that guards text a
// spreadsheet would run as a formula is dropped, while a quote before anything else stays.
func TestReadCairnExportColumns(t *testing.T) {
	t.Parallel()
	csv := strings.Join([]string{
		`Id,Title,Object Type,"Aligned To (weight, Objective ID)",Description,Data Source,Last Sync,Checkins`,
		`11,'=SUM(A1) growth,Objective,,'@team read this,Roll-up,,`,
		`12,'-5% churn,Key Result,"'=SUM(A1) growth(weight: 50%, Id: 11)",'it's fine,Azure DevOps,2026-08-01 10:00:00 UTC,`,
		`22,Manual one,Key Result,"'=SUM(A1) growth(weight: 100%, Id: 11)",'+1,Manual,,`,
		`32,Rolled,Key Result,"'=SUM(A1) growth(weight: 100%, Id: 11)",,Roll-up,,`,
	}, "\n")
	e, err := viva.ReadCSV(strings.NewReader(csv), viva.Options{})
	if err != nil {
		t.Fatal(err)
	}
	o := mustItem(t, e, 11)
	if o.Title != "=SUM(A1) growth" || o.Description != "@team read this" {
		t.Errorf("objective title %q, description %q: the guarding quote stayed", o.Title, o.Description)
	}
	k := mustItem(t, e, 12)
	if k.Title != "-5% churn" || len(k.Alignments) != 1 || k.Alignments[0].ParentTitle != "=SUM(A1) growth" {
		t.Errorf("key result %q aligned %+v", k.Title, k.Alignments)
	}
	if k.Description != "'it's fine" {
		t.Errorf("a quote before plain text was dropped: %q", k.Description)
	}
	if k.ProgressSource != viva.ProgressIntegration || !k.AzureDevOps() {
		t.Errorf("Data Source Azure DevOps read as %q / %q", k.ProgressSource, k.DataSource)
	}
	if k.Extra["Last Sync"] == "" {
		t.Errorf("the Last Sync column is not kept: %v", k.Extra)
	}
	if m := mustItem(t, e, 22); m.ProgressSource != viva.ProgressManual || m.Description != "+1" {
		t.Errorf("manual item: source %q, description %q", m.ProgressSource, m.Description)
	}
	if r := mustItem(t, e, 32); r.ProgressSource != viva.ProgressChildren {
		t.Errorf("Roll-up read as %q", r.ProgressSource)
	}
}
