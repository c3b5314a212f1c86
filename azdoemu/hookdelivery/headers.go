package hookdelivery

import (
	"fmt"
	"strings"
)

// ParseHeaders parses a web-hook subscription's httpHeaders consumer input: one "Name: value"
// pair per line (CRLF or LF). Blank lines are skipped; a later line overrides an earlier one
// with the same name.
func ParseHeaders(s string) (map[string]string, error) {
	headers := map[string]string{}
	for i, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		name = strings.TrimSpace(name)
		if !ok {
			return nil, fmt.Errorf("parse httpHeaders: line %d %q has no ':' (want Name: value)", i+1, line)
		}
		if name == "" || strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("parse httpHeaders: line %d %q has an empty or spaced header name", i+1, line)
		}
		headers[name] = strings.TrimSpace(value)
	}
	return headers, nil
}
