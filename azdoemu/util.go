package azdoemu

import (
	"net/url"
	"sort"
	"time"
)

func sortStrings(s []string) { sort.Strings(s) }

// fmtTime formats a time as Azure DevOps does: UTC, at most millisecond
// precision, trailing zeros trimmed.
func fmtTime(t time.Time) string {
	return t.UTC().Truncate(time.Millisecond).Format("2006-01-02T15:04:05.999Z07:00")
}

// pathEscape escapes one URL path segment.
func pathEscape(s string) string { return url.PathEscape(s) }
