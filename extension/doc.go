// Package extension holds Cairn's Azure DevOps extension: the manifest, the work item page
// and its settings hub (JavaScript, bundled with esbuild), and a Go test that checks the
// packaged .vsix. Build it with `npm ci && npm run package`; see README.md.
package extension
