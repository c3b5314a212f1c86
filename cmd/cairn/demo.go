package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/azdoemu"
	"github.com/cairn-okr/cairn/datasource"
)

// demoEnv prepares `serve --demo`: a fresh database in a temporary folder unless one was
// named, the demo admin's credentials, and the in-process Azure DevOps emulator.
type demoEnv struct {
	dir      string
	email    string
	password string
	emu      *azdoemu.Server
	emuURL   string
	// roots are the root items of the demo projects of other processes, by project.
	roots map[string]int
}

func startDemo(cfg *serveConfig, databaseSet bool) (*demoEnv, error) {
	d := &demoEnv{email: env("CAIRN_ADMIN_EMAIL", "admin@demo.cairn.example"), password: os.Getenv("CAIRN_ADMIN_PASSWORD")}
	if d.password == "" {
		b := make([]byte, 12)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		d.password = base64.RawURLEncoding.EncodeToString(b)
	}
	if !databaseSet {
		dir, err := os.MkdirTemp("", "cairn-demo-")
		if err != nil {
			return nil, err
		}
		d.dir = dir
		cfg.database = filepath.Join(dir, "cairn.db")
	}
	emu, err := azdoemu.New(azdoemu.Options{Scenario: azdoemu.DemoScenario()})
	if err != nil {
		return nil, fmt.Errorf("start the Azure DevOps emulator: %w", err)
	}
	d.emuURL, err = emu.Start("127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start the Azure DevOps emulator: %w", err)
	}
	d.emu = emu
	if d.roots, err = addDemoProjects(emu); err != nil {
		return nil, fmt.Errorf("add the demo projects: %w", err)
	}
	return d, nil
}

func (d *demoEnv) close() {
	if d.emu != nil {
		d.emu.Close()
	}
	if d.dir != "" {
		os.RemoveAll(d.dir)
	}
}

// seedDemo fills the demo organization with a period and OKRs, as the demo admin.
func seedDemo(ctx context.Context, svc *cairn.Service, store cairn.Store, d *demoEnv, now time.Time, stdout io.Writer) error {
	admin, err := store.UserByEmail(ctx, d.email)
	if err != nil {
		return err
	}
	ctx = cairn.NewContext(ctx, admin)
	orgs, err := svc.ListOrgs(ctx)
	if err != nil {
		return err
	}
	if len(orgs) > 0 {
		return nil // seeded on an earlier start
	}
	org := &cairn.Org{Name: "Fabrikam", Slug: "fabrikam"}
	if err := svc.CreateOrg(ctx, org); err != nil {
		return err
	}
	q := (int(now.Month()) - 1) / 3
	start := time.Date(now.Year(), time.Month(q*3+1), 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 3, -1)
	period := &cairn.Period{Name: fmt.Sprintf("Q%d %d", q+1, now.Year()), Start: cairn.DateOf(start), End: cairn.DateOf(end)}
	if err := svc.CreatePeriod(ctx, org.Slug, period); err != nil {
		return err
	}
	owners := []int64{admin.ID}
	type kr struct {
		title      string
		kind       cairn.MetricKind
		start, tgt float64
		unit       string
		checkIns   []float64
	}
	plan := []struct {
		title string
		krs   []kr
		inits []string
	}{
		{"Delight shoppers with a faster checkout", []kr{
			{"Checkout conversion", cairn.MetricPercentage, 2.1, 3.5, "%", []float64{2.3, 2.6, 2.8}},
			{"Checkout p95 latency", cairn.MetricNumber, 1800, 600, "ms", []float64{1500, 1100}},
		}, []string{"Ship one-page checkout"}},
		{"Give field technicians everything on one device", []kr{
			{"Technicians on the new app", cairn.MetricNumber, 0, 400, "people", []float64{60, 150}},
			{"Jobs closed without a call back", cairn.MetricPercentage, 70, 90, "%", nil},
		}, []string{"Offline work orders"}},
		{"Let customers help themselves", []kr{
			{"Support tickets per 1,000 customers", cairn.MetricNumber, 42, 30, "tickets", []float64{40}},
		}, nil},
	}
	for _, p := range plan {
		o := &cairn.Objective{PeriodID: period.ID, Title: p.title, Level: cairn.LevelOrganization, OwnerIDs: owners}
		if err := svc.CreateObjective(ctx, org.Slug, o); err != nil {
			return err
		}
		for _, k := range p.krs {
			item := &cairn.KeyResult{ObjectiveID: o.ID, Title: k.title, Metric: cairn.Metric{Kind: k.kind, Start: k.start, Target: k.tgt, Unit: k.unit}, OwnerIDs: owners}
			if err := svc.CreateKeyResult(ctx, org.Slug, item); err != nil {
				return err
			}
			for _, v := range k.checkIns {
				if err := svc.CheckIn(ctx, org.Slug, &cairn.CheckIn{Item: cairn.Ref{Type: cairn.ItemKeyResult, ID: item.ID}, Value: v}); err != nil {
					return err
				}
			}
		}
		for _, title := range p.inits {
			in := &cairn.Initiative{Parent: cairn.Ref{Type: cairn.ItemObjective, ID: o.ID}, Title: title, Contributes: true, ProgressMode: cairn.ModeManual, OwnerIDs: owners}
			if err := svc.CreateInitiative(ctx, org.Slug, in); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(stdout, "Demo organization %q with period %s and %d objectives.\n", org.Name, period.Name, len(plan))
	return nil
}

// seedDemoIntegration turns the integration on and binds demo key results and
// initiatives to the in-process emulator by every target × method; their first syncs are
// queued with the bindings and run once the job runner starts.
func seedDemoIntegration(ctx context.Context, svc *cairn.Service, store cairn.Store, integ *datasource.Service, d *demoEnv, stdout io.Writer) error {
	admin, err := store.UserByEmail(ctx, d.email)
	if err != nil {
		return err
	}
	ctx = cairn.NewContext(ctx, admin)
	const org = "fabrikam"
	if cs, err := integ.ListConnections(ctx, org); err != nil {
		return err
	} else if len(cs) > 0 {
		return nil // bound on an earlier start
	}
	if err := svc.SetTenantIntegration(ctx, &cairn.TenantIntegration{Enabled: true}); err != nil {
		return err
	}
	on, interval := true, 15
	if _, err := svc.SetOrgIntegration(ctx, org, cairn.OrgIntegrationUpdate{Enabled: &on, SyncIntervalMinutes: &interval}); err != nil {
		return err
	}
	conn, err := integ.CreateConnection(ctx, org, datasource.ConnectionInput{
		Name: "fabrikam / Fabrikam Fiber", OrganizationURL: d.emuURL + "/fabrikam", Project: "Fabrikam Fiber",
		Visibility: cairn.VisibilityShared, Auth: datasource.AuthInput{Type: cairn.AuthPAT, Token: d.emu.PATs()[0]}})
	if err != nil {
		return fmt.Errorf("connect the emulator: %w", err)
	}
	objs, err := svc.ListObjectives(ctx, org, cairn.ObjectiveQuery{})
	if err != nil {
		return err
	}
	if len(objs) < 3 {
		return fmt.Errorf("the demo has %d objectives, want 3", len(objs))
	}
	owners := []int64{admin.ID}
	query := func(path string) string {
		id, _ := d.emu.QueryID("fabrikam", "Fabrikam Fiber", path)
		return id
	}
	kr := func(o *cairn.ObjectiveView, title string, kind cairn.MetricKind, target float64, unit string) (cairn.Target, error) {
		k := &cairn.KeyResult{ObjectiveID: o.ID, Title: title, Metric: cairn.Metric{Kind: kind, Start: 0, Target: target, Unit: unit}, OwnerIDs: owners}
		err := svc.CreateKeyResult(ctx, org, k)
		return cairn.Target{Type: cairn.TargetKeyResult, ID: k.ID}, err
	}
	initiative := func(o *cairn.ObjectiveView, title string, m *cairn.Metric) (cairn.Target, error) {
		i := &cairn.Initiative{Parent: cairn.Ref{Type: cairn.ItemObjective, ID: o.ID}, Title: title, Contributes: true,
			ProgressMode: cairn.ModeTasks, OwnerIDs: owners}
		t := cairn.Target{Type: cairn.TargetInitiativeTasks}
		if m != nil {
			i.ProgressMode, i.Metric, t.Type = cairn.ModeMetric, m, cairn.TargetInitiativeMetric
		}
		err := svc.CreateInitiative(ctx, org, i)
		t.ID = i.ID
		return t, err
	}
	checkout, field, portal := objs[0], objs[1], objs[2]
	for _, o := range objs {
		switch {
		case strings.Contains(o.Title, "checkout"):
			checkout = o
		case strings.Contains(o.Title, "technician"):
			field = o
		case strings.Contains(o.Title, "help themselves"):
			portal = o
		}
	}
	type binding struct {
		target func() (cairn.Target, error)
		in     datasource.DataSourceInput
	}
	plan := []binding{
		{func() (cairn.Target, error) {
			return kr(checkout, "Checkout epic user stories done", cairn.MetricPercentage, 100, "%")
		}, datasource.DataSourceInput{Method: cairn.MethodSharedQuery, QueryID: query("Shared Queries/Checkout epic tree"), ProgressType: "User Story"}},
		{func() (cairn.Target, error) {
			return kr(field, "Story points delivered on the technician app", cairn.MetricNumber, 60, "points")
		}, datasource.DataSourceInput{Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{2}, ProgressType: "User Story", Measure: "Microsoft.VSTS.Scheduling.StoryPoints"}},
		{func() (cairn.Target, error) {
			return initiative(checkout, "One-page checkout (Azure DevOps tasks)", nil)
		}, datasource.DataSourceInput{Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{1}, ProgressType: "User Story"}},
		{func() (cairn.Target, error) {
			return initiative(field, "Features with their stories", nil)
		}, datasource.DataSourceInput{Method: cairn.MethodSharedQuery, QueryID: query("Shared Queries/Features with stories"), ProgressType: "User Story"}},
		{func() (cairn.Target, error) {
			return initiative(portal, "Portal tasks closed", &cairn.Metric{Kind: cairn.MetricNumber, Start: 0, Target: 20, Unit: "tasks"})
		}, datasource.DataSourceInput{Method: cairn.MethodWorkItems, WorkItemType: "Epic", WorkItemIDs: []int{3}, ProgressType: "Task"}},
		{func() (cairn.Target, error) {
			return initiative(portal, "Q3 features complete", &cairn.Metric{Kind: cairn.MetricPercentage, Start: 0, Target: 100, Unit: "%"})
		}, datasource.DataSourceInput{Method: cairn.MethodSharedQuery, QueryID: query("Shared Queries/Q3 Features"), ProgressType: "Feature", ResolvedIsComplete: true}},
	}
	for _, b := range plan {
		t, err := b.target()
		if err != nil {
			return err
		}
		b.in.Target, b.in.ConnectionID = t, conn.ID
		if _, err := integ.CreateDataSource(ctx, org, b.in); err != nil {
			return fmt.Errorf("bind %s %d: %w", t.Type, t.ID, err)
		}
	}
	fmt.Fprintf(stdout, "Azure DevOps: connection %q with %d data sources (every target × method), service hooks %s.\n",
		conn.Name, len(plan), conn.HookStatus)
	n, err := bindDemoProcesses(ctx, svc, integ, d, field, owners)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Azure DevOps: %d more data sources over a CMMI project and an inherited process with custom states.\n", n)
	return nil
}
