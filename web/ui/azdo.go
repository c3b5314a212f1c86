package ui

import (
	"context"

	"github.com/cairn-okr/cairn"
)

// Integration is what the UI needs of the Azure DevOps integration.
type Integration interface{}

// sourceCard is the data source card of an automated item.
type sourceCard struct{}

// orgIntegration is the organization's Azure DevOps settings as the settings page shows them.
type orgIntegration struct{}

// automated returns the organization's items that a data source drives, with a tooltip.
func (u *UI) automated(ctx context.Context, q *request) map[cairn.Ref]string { return nil }

func (u *UI) sourceCard(ctx context.Context, q *request, ref cairn.Ref) (*sourceCard, error) {
	return nil, nil
}

func (u *UI) orgIntegration(q *request) (*orgIntegration, error) { return nil, nil }

func (u *UI) saveOrgIntegration(q *request, errs map[string]string) error { return nil }

func (u *UI) azdoRoutes(in options) {}
