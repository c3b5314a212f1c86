package main

import (
	"context"
	"errors"
	"io"
)

// runAzdo is replaced by the Azure DevOps client's command.
func runAzdo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not built yet")
}
