package viva_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cairn-okr/cairn/viva"
)

// An importer reads the export, then creates the items parents first.
func ExampleReadFile() {
	e, err := viva.ReadFile("testdata/explorer.csv", viva.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, it := range e.ParentsFirst() {
		fmt.Printf("%d %s %q parents=%v check-ins=%d", it.ID, it.Kind, it.Title, it.ParentIDs(), len(it.CheckIns))
		if it.AzureDevOps() {
			fmt.Print(" (re-bind to Azure DevOps)")
		}
		fmt.Println()
	}
	// Output:
	// 1001 objective "Drive expansion leveraging our AI offering" parents=[] check-ins=0
	// 1002 key_result "Grow ARR (new logos) to $1.2M" parents=[1001] check-ins=3
	// 1003 initiative "Ship ADO integration (phase 1)" parents=[1002] check-ins=2 (re-bind to Azure DevOps)
	// 1004 objective "Improve retention (EMEA)" parents=[1002 1001] check-ins=0
	// 1005 key_result "Reduce churn" parents=[1004] check-ins=1
	// 1006 key_result "Support tickets resolved" parents=[1004] check-ins=1
}

// A dry run lists every problem with the row and column a spreadsheet shows.
func ExampleParseError() {
	csv := "Id,Title,Object Type,Target\n1,Grow,Key result,lots\n2,,Objective,\n"
	_, err := viva.ReadCSV(strings.NewReader(csv), viva.Options{})
	var pe *viva.ParseError
	if errors.As(err, &pe) {
		for _, p := range pe.Problems {
			fmt.Printf("row %d, %s (%s): %s\n", p.Row, p.Column, p.Cell, p.Message)
		}
	}
	// Output:
	// row 2, Target (D2): "lots" is not a number
	// row 3, Title (B3): the title is empty
}
