package azdo

import (
	"fmt"
	"strings"
	"time"
)

// timeLayouts are the timestamp shapes Azure DevOps sends: RFC 3339 with a
// zone, and older payloads without one (read as UTC).
var timeLayouts = [...]string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05.999999999Z07:00:00",
	"2006-01-02",
}

// parseTime reads an Azure DevOps timestamp; "" is the zero time.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("unrecognized timestamp %q", s)
}

// formatTime writes a timestamp the way Azure DevOps accepts it.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.999Z07:00")
}

// parseInto parses s into *dst.
func parseInto(dst *time.Time, s string) error {
	t, err := parseTime(s)
	if err != nil {
		return err
	}
	*dst = t
	return nil
}
