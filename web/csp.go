package web

import (
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"net/http"
)

// defaultPolicy is the Content-Security-Policy of every response whose handler sets none:
// JSON, problem details, redirects and plain-text errors. Nothing may load or run in such
// a response, and no site may frame it.
const defaultPolicy = "default-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// jobsUIPolicy is the policy of River's UI: its scripts, stylesheet and API come from
// Cairn. Its toasts and graphs insert <style> elements, so styles may be inline; scripts
// may not.
const jobsUIPolicy = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// pagePolicy is the policy of one of the server's own pages outside the UI (the setup and
// link pages): no script at all, and its one inline stylesheet allowed by its hash.
func pagePolicy(css string) string {
	sum := sha256.Sum256([]byte(css))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; " +
		"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}

// writePage answers with one of the server's own pages outside the UI, whose only
// stylesheet is css, inlined by the template.
func writePage(w http.ResponseWriter, status int, t *template.Template, css string, data any) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", pagePolicy(css))
	w.WriteHeader(status)
	_ = t.Execute(w, data)
}
