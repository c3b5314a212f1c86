package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/cairn-okr/cairn/jobs"
	"github.com/cairn-okr/cairn/web"
	"riverqueue.com/riverui"
)

// newJobsUI returns River's UI over the runner's client, started, to serve under
// web.JobsUIPath. Its background counts stop when ctx ends.
func newJobsUI(ctx context.Context, runner *jobs.Runner, log *slog.Logger) (*riverui.Handler, error) {
	h, err := riverui.NewHandler(&riverui.HandlerOpts{
		Endpoints: riverui.NewEndpoints(runner.Client(), nil),
		Logger:    log.With(slog.String("component", "riverui")),
		Prefix:    web.JobsUIPath,
	})
	if err != nil {
		return nil, fmt.Errorf("river UI: %w", err)
	}
	if err := h.Start(ctx); err != nil {
		return nil, fmt.Errorf("river UI: start: %w", err)
	}
	return h, nil
}
