package main

import (
	"context"
	"fmt"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/azdoemu"
	"github.com/cairn-okr/cairn/datasource"
)

// demoProject is a demo project of a process other than Agile: a root item and its
// children, each with a state and fields.
type demoProject struct {
	name, process string
	root          map[string]any
	rootType      string
	childType     string
	children      []map[string]any
}

// demoProjects show that completion comes from state categories in every process: CMMI's
// Closed, and an inherited process's custom Shipped and Won't fix.
var demoProjects = []demoProject{
	{name: "Fabrikam Field Service", process: "CMMI", rootType: "Epic", childType: "Requirement",
		root: map[string]any{"System.Title": "Technician scheduling"},
		children: []map[string]any{
			{"System.Title": "Book a visit from the app", "System.State": "Closed", "Microsoft.VSTS.Scheduling.Size": 8.0},
			{"System.Title": "Reschedule by text message", "System.State": "Resolved", "Microsoft.VSTS.Scheduling.Size": 5.0},
			{"System.Title": "Route planning for technicians", "System.State": "Active", "Microsoft.VSTS.Scheduling.Size": 13.0},
			{"System.Title": "Visit reminders", "System.State": "Proposed", "Microsoft.VSTS.Scheduling.Size": 3.0},
		}},
	{name: "Fabrikam Support", process: "custom", rootType: "Feature", childType: "Customer Request",
		root: map[string]any{"System.Title": "Self-service support"},
		children: []map[string]any{
			{"System.Title": "Download invoices as PDF", "System.State": "Shipped", "Custom.CustomerImpact": 8.0},
			{"System.Title": "Change the billing address", "System.State": "Ready for QA", "Custom.CustomerImpact": 5.0},
			{"System.Title": "Pause a subscription", "System.State": "Won't fix", "Custom.CustomerImpact": 3.0},
			{"System.Title": "Outage notifications by email", "System.State": "Shipped", "Custom.CustomerImpact": 2.0},
			{"System.Title": "Live chat from the portal", "System.State": "Triaged", "Custom.CustomerImpact": 6.0},
		}},
}

// addDemoProjects adds the demo projects of other processes to the demo emulator, and
// returns each project's root item id.
func addDemoProjects(emu *azdoemu.Server) (map[string]int, error) {
	roots := map[string]int{}
	for _, p := range demoProjects {
		if err := emu.AddProject("fabrikam", p.name, p.process); err != nil {
			return nil, err
		}
		root, err := emu.CreateWorkItem("fabrikam", p.name, p.rootType, p.root)
		if err != nil {
			return nil, err
		}
		for _, c := range p.children {
			f := map[string]any{"System.Parent": root}
			for k, v := range c {
				f[k] = v
			}
			if _, err := emu.CreateWorkItem("fabrikam", p.name, p.childType, f); err != nil {
				return nil, fmt.Errorf("%s: %w", p.name, err)
			}
		}
		roots[p.name] = root
	}
	return roots, nil
}

// bindDemoProcesses connects the demo's projects of other processes and binds an item to
// each: a CMMI key result by Size, and an initiative by the inherited process's custom
// field.
func bindDemoProcesses(ctx context.Context, svc *cairn.Service, integ *datasource.Service, d *demoEnv, obj *cairn.ObjectiveView, owners []int64) (int, error) {
	const org = "fabrikam"
	n := 0
	for _, p := range demoProjects {
		conn, err := integ.CreateConnection(ctx, org, datasource.ConnectionInput{
			Name: "fabrikam / " + p.name, OrganizationURL: d.emuURL + "/fabrikam", Project: p.name,
			Visibility: cairn.VisibilityShared, Auth: datasource.AuthInput{Type: cairn.AuthPAT, Token: d.emu.PATs()[0]}})
		if err != nil {
			return n, fmt.Errorf("connect %s: %w", p.name, err)
		}
		in := datasource.DataSourceInput{ConnectionID: conn.ID, Method: cairn.MethodWorkItems, WorkItemType: p.rootType,
			WorkItemIDs: []int{d.roots[p.name]}, ProgressType: p.childType}
		switch p.process {
		case "CMMI":
			k := &cairn.KeyResult{ObjectiveID: obj.ID, Title: "Scheduling requirements delivered (size, CMMI)",
				Metric: cairn.Metric{Kind: cairn.MetricNumber, Start: 0, Target: 29, Unit: "size"}, OwnerIDs: owners}
			if err := svc.CreateKeyResult(ctx, org, k); err != nil {
				return n, err
			}
			in.Target, in.Measure = cairn.Target{Type: cairn.TargetKeyResult, ID: k.ID}, "Microsoft.VSTS.Scheduling.Size"
		default:
			i := &cairn.Initiative{Parent: cairn.Ref{Type: cairn.ItemObjective, ID: obj.ID}, Title: "Customer requests shipped (by customer impact)",
				Contributes: true, ProgressMode: cairn.ModeMetric, Metric: &cairn.Metric{Kind: cairn.MetricPercentage, Start: 0, Target: 100, Unit: "%"}, OwnerIDs: owners}
			if err := svc.CreateInitiative(ctx, org, i); err != nil {
				return n, err
			}
			in.Target, in.Measure = cairn.Target{Type: cairn.TargetInitiativeMetric, ID: i.ID}, azdoemu.FieldCustomerImpact
		}
		if _, err := integ.CreateDataSource(ctx, org, in); err != nil {
			return n, fmt.Errorf("bind %s: %w", p.name, err)
		}
		n++
	}
	return n, nil
}
