// Package e2e holds Cairn's browser tests: they build the cairn command, run
// `cairn serve --demo` with its Azure DevOps emulator, and drive Debian's headless Chromium
// through the web UI with chromedp over real HTTP.
//
// Run them with `go test ./e2e`; add -update-screenshots to refresh docs/screenshots.
// Without /usr/bin/chromium they skip, except under CI=true, where they fail.
package e2e
