package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/azdoemu"
)

// demoEnv prepares `serve --demo`: a fresh database in a temporary folder unless one was
// named, the demo admin's credentials, and the in-process Azure DevOps emulator.
type demoEnv struct {
	dir      string
	email    string
	password string
	emu      *azdoemu.Server
	emuURL   string
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
