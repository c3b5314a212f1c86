package traffic

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// FaultKind names what a fault does to a request.
type FaultKind string

// The fault kinds a spec can name; see the package documentation for what each sends.
const (
	// FaultLatency delays the request by Fault.Duration.
	FaultLatency FaultKind = "latency"
	// FaultServerError answers Fault.Status, or a random one of 500/502/503/504 when it is 0.
	FaultServerError FaultKind = "5xx"
	// FaultThrottle answers 429 with Retry-After of Fault.Duration.
	FaultThrottle FaultKind = "429"
	// FaultReset closes the connection without a response.
	FaultReset FaultKind = "reset"
	// FaultSignIn answers 203 with an HTML sign-in page.
	FaultSignIn FaultKind = "203"
	// FaultUnauthorized answers 401 with an empty body.
	FaultUnauthorized FaultKind = "401"
	// FaultForbidden answers 403 with the VS403463 conditional-access body.
	FaultForbidden FaultKind = "403"
)

// Fault is one parsed entry of a faults spec.
type Fault struct {
	// Route is a route name or a glob where * matches any run of characters.
	Route string
	// Kind is what the fault does.
	Kind FaultKind
	// Status is the exact status of a FaultServerError, or 0 for a random 5xx.
	Status int
	// Duration is the delay of a FaultLatency or the Retry-After of a FaultThrottle.
	Duration time.Duration
	// Probability is the chance, from 0 to 1, that the fault fires on a matching request.
	Probability float64
}

// String renders the fault in spec syntax, so that ParseFaults(f.String()) gives f back.
func (f Fault) String() string {
	var kind string
	switch f.Kind {
	case FaultLatency:
		kind = "latency=" + f.Duration.String()
	case FaultServerError:
		kind = "5xx"
		if f.Status != 0 {
			kind = strconv.Itoa(f.Status)
		}
	case FaultThrottle:
		kind = "429=" + f.Duration.String()
	default:
		kind = string(f.Kind)
	}
	return f.Route + ":" + kind + "@" + strconv.FormatFloat(f.Probability, 'g', -1, 64)
}

// Matches reports whether the fault applies to the named route.
func (f Fault) Matches(route string) bool {
	return globMatch(f.Route, route)
}

// ParseFaults parses a --faults spec (see the package documentation for the grammar). An empty
// or blank spec gives no faults. Errors name the entry and the part that is wrong.
func ParseFaults(spec string) ([]Fault, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, nil
	}
	entries := strings.Split(spec, ",")
	faults := make([]Fault, 0, len(entries))
	for i, entry := range entries {
		f, err := parseEntry(strings.TrimSpace(entry))
		if err != nil {
			return nil, fmt.Errorf("parse faults: entry %d %q: %w", i+1, strings.TrimSpace(entry), err)
		}
		faults = append(faults, f)
	}
	return faults, nil
}

func parseEntry(entry string) (Fault, error) {
	if entry == "" {
		return Fault{}, errors.New("empty entry (stray comma?)")
	}
	f := Fault{Probability: 1}
	body := entry
	if at := strings.LastIndexByte(entry, '@'); at >= 0 {
		p, err := parseProbability(strings.TrimSpace(entry[at+1:]))
		if err != nil {
			return Fault{}, err
		}
		f.Probability = p
		body = entry[:at]
	}
	route, kind, ok := strings.Cut(body, ":")
	if !ok {
		return Fault{}, errors.New("missing ':' between route and kind (want ROUTE:KIND[=PARAM][@PROBABILITY])")
	}
	f.Route = strings.TrimSpace(route)
	if f.Route == "" {
		return Fault{}, errors.New("empty route (use * for every route)")
	}
	if strings.ContainsAny(f.Route, " \t@") {
		return Fault{}, fmt.Errorf("route %q contains a space or '@'", f.Route)
	}
	name, param, hasParam := strings.Cut(kind, "=")
	name = strings.ToLower(strings.TrimSpace(name))
	param = strings.TrimSpace(param)
	if hasParam && param == "" {
		return Fault{}, fmt.Errorf("kind %q has '=' but no parameter", name)
	}
	noParam := func() error {
		if hasParam {
			return fmt.Errorf("kind %q takes no parameter, got %q", name, param)
		}
		return nil
	}
	switch name {
	case "":
		return Fault{}, errors.New("empty kind (want latency=DURATION, 5xx, 500..599, 429, reset, 203, 401 or 403)")
	case "latency":
		if !hasParam {
			return Fault{}, errors.New("kind \"latency\" needs a duration, e.g. latency=200ms")
		}
		d, err := time.ParseDuration(param)
		if err != nil || d <= 0 {
			return Fault{}, fmt.Errorf("latency %q is not a positive duration such as 200ms or 1.5s", param)
		}
		f.Kind, f.Duration = FaultLatency, d
	case "5xx":
		f.Kind = FaultServerError
		return f, noParam()
	case "429":
		f.Kind, f.Duration = FaultThrottle, time.Second
		if hasParam {
			d, err := parseRetryAfter(param)
			if err != nil {
				return Fault{}, err
			}
			f.Duration = d
		}
	case "reset":
		f.Kind = FaultReset
		return f, noParam()
	case "203":
		f.Kind = FaultSignIn
		return f, noParam()
	case "401":
		f.Kind = FaultUnauthorized
		return f, noParam()
	case "403":
		f.Kind = FaultForbidden
		return f, noParam()
	default:
		code, err := strconv.Atoi(name)
		if err != nil || code < 500 || code > 599 {
			return Fault{}, fmt.Errorf("unknown kind %q (want latency=DURATION, 5xx, 500..599, 429, reset, 203, 401 or 403)", name)
		}
		f.Kind, f.Status = FaultServerError, code
		return f, noParam()
	}
	return f, nil
}

func parseRetryAfter(param string) (time.Duration, error) {
	if n, err := strconv.Atoi(param); err == nil {
		if n < 0 {
			return 0, fmt.Errorf("retry delay %q is negative", param)
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(param)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("retry delay %q is not whole seconds or a duration such as 2s", param)
	}
	return d, nil
}

func parseProbability(s string) (float64, error) {
	if s == "" {
		return 0, errors.New("empty probability after '@' (want 0.1 or 10%)")
	}
	text, scale := s, 1.0
	if strings.HasSuffix(s, "%") {
		text, scale = strings.TrimSpace(strings.TrimSuffix(s, "%")), 100
	}
	p, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(p) || math.IsInf(p, 0) {
		return 0, fmt.Errorf("probability %q is not a number (want 0.1 or 10%%)", s)
	}
	p /= scale
	if p < 0 || p > 1 {
		return 0, fmt.Errorf("probability %q is outside 0..1 (0%%..100%%)", s)
	}
	return p, nil
}

// globMatch reports whether name matches pattern, where * matches any run of characters
// (slashes included) and every other character matches itself.
func globMatch(pattern, name string) bool {
	// Iterative matcher with backtracking to the last star: linear in practice.
	p, n := 0, 0
	star, mark := -1, 0
	for n < len(name) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, n
			p++
		case p < len(pattern) && pattern[p] == name[n]:
			p++
			n++
		case star >= 0:
			p = star + 1
			mark++
			n = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
