// Package authzmatrix is Cairn's authorization matrix: every route the server routes,
// JSON API and HTML UI alike, with the policy that decides who may use it, and a driver
// that sends each route's request as each role over HTTP and checks the status.
//
// The same matrix runs in-process against web/ui's test server and end to end against
// `cairn serve --demo`. Its expected statuses are data written here, never computed by
// the code under test. A route the router serves that the matrix lacks, or a row whose
// route the router no longer serves, fails the run; adding a route means adding one row
// to Rows.
package authzmatrix
