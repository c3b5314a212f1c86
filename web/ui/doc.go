// Package ui is Cairn's web UI: server-rendered pages built with html/template and htmx,
// mounted on the API server so that they share its sign-in, CSRF protection and logging.
//
// Every page is plain HTML that works without JavaScript; htmx (vendored under static/)
// turns links and forms into partial updates, and a small script adds the keyboard
// shortcuts. Charts are inline SVG drawn on the server. The pages call the same
// cairn.Service as the JSON API, so authorization is enforced in one place; the UI only
// decides which controls to show.
package ui
