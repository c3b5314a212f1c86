package main

import (
	"context"
	"errors"
	"io"
)

// runEmulator is replaced by the emulator's command.
func runEmulator(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not built yet")
}
