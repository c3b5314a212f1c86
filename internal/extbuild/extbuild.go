// Package extbuild builds the Azure DevOps extension for the tests that need it, once at a
// time: `go test ./...` runs the packages that use it in parallel processes, and two `npm ci`
// in one folder remove each other's node_modules.
package extbuild

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

// ErrNoNPM reports that the extension must be built and npm is not installed.
var ErrNoNPM = fmt.Errorf("npm is not installed: run npm ci && npm run package in extension/")

// Ensure makes sure that the extension folder ext holds want (a path relative to ext, such
// as "dist/page.js" or "cairn-okr.vsix"), running `npm ci` and then `npm run <script>` when
// it does not. It holds an exclusive lock on ext/.build.lock meanwhile, so that processes
// that build at once wait for each other and build once.
func Ensure(ext, want, script string) error {
	target := filepath.Join(ext, want)
	if _, err := os.Stat(target); err == nil {
		return nil
	}
	lock, err := os.OpenFile(filepath.Join(ext, ".build.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("lock %s: %w", lock.Name(), err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) //nolint:errcheck
	if _, err := os.Stat(target); err == nil {
		return nil // another process built it while this one waited
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return ErrNoNPM
	}
	steps := [][]string{{"run", script}}
	if _, err := os.Stat(filepath.Join(ext, "node_modules", ".package-lock.json")); err != nil {
		steps = append([][]string{{"ci", "--no-audit", "--no-fund"}}, steps...)
	}
	for _, args := range steps {
		cmd := exec.Command(npm, args...)
		cmd.Dir = ext
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("npm %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	if _, err := os.Stat(target); err != nil {
		return fmt.Errorf("npm run %s did not write %s", script, want)
	}
	return nil
}
