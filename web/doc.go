// Package web is Cairn's HTTP adapter: the JSON API under /api/v1 with its OpenAPI
// document, sign-in and sessions, health and metrics endpoints, and the middleware that
// gives every request an id, a log line and a metric.
package web
