// Package e2e holds Cairn's end-to-end tests: they build the cairn command, run
// `cairn serve --demo` with its Azure DevOps emulator, and drive Debian's headless Chromium
// through the web UI with chromedp over real HTTP. TestSecurityAuthorizationMatrix needs
// no browser: it sends every route of the authorization matrix as every role over HTTP.
//
// Run them with `go test ./e2e`; add -update-screenshots to refresh docs/screenshots.
// Without /usr/bin/chromium the browser tests skip, except under CI=true, where they fail.
package e2e
