package traffic_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn/azdoemu/traffic"
)

func TestParseFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		spec string
		want []traffic.Fault
	}{
		{name: "Empty", spec: "", want: nil},
		{name: "Blank", spec: "   ", want: nil},
		{
			name: "BriefExample",
			spec: "*:5xx@10%,*:429=1s@5%,*:reset@2%",
			want: []traffic.Fault{
				{Route: "*", Kind: traffic.FaultServerError, Probability: 0.1},
				{Route: "*", Kind: traffic.FaultThrottle, Duration: time.Second, Probability: 0.05},
				{Route: "*", Kind: traffic.FaultReset, Probability: 0.02},
			},
		},
		{
			name: "LatencyOnRoute",
			spec: "wit/wiql:latency=300ms@50%",
			want: []traffic.Fault{{Route: "wit/wiql", Kind: traffic.FaultLatency, Duration: 300 * time.Millisecond, Probability: 0.5}},
		},
		{
			name: "FractionAndDefaultProbability",
			spec: " wit/*:503@0.25 , projects:203 ",
			want: []traffic.Fault{
				{Route: "wit/*", Kind: traffic.FaultServerError, Status: 503, Probability: 0.25},
				{Route: "projects", Kind: traffic.FaultSignIn, Probability: 1},
			},
		},
		{
			name: "AuthFaultsAndRetryAfterSeconds",
			spec: "a:401@0,b:403@100%,c:429=7@1,d:429@1",
			want: []traffic.Fault{
				{Route: "a", Kind: traffic.FaultUnauthorized, Probability: 0},
				{Route: "b", Kind: traffic.FaultForbidden, Probability: 1},
				{Route: "c", Kind: traffic.FaultThrottle, Duration: 7 * time.Second, Probability: 1},
				{Route: "d", Kind: traffic.FaultThrottle, Duration: time.Second, Probability: 1},
			},
		},
		{
			name: "KindIsCaseInsensitive",
			spec: "*:RESET@1%",
			want: []traffic.Fault{{Route: "*", Kind: traffic.FaultReset, Probability: 0.01}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := traffic.ParseFaults(tt.spec)
			if err != nil {
				t.Fatalf("ParseFaults(%q): %v", tt.spec, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseFaults(%q) = %+v, want %+v", tt.spec, got, tt.want)
			}
		})
	}
}

func TestParseFaultsRoundTrip(t *testing.T) {
	t.Parallel()
	spec := "*:5xx@0.1,wit/*:502@1,x:429=2s@0.5,y:latency=1.5s@0.25,z:reset@0,p:203@1,q:401@1,r:403@1"
	faults, err := traffic.ParseFaults(spec)
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, f := range faults {
		parts = append(parts, f.String())
	}
	again, err := traffic.ParseFaults(strings.Join(parts, ","))
	if err != nil {
		t.Fatalf("reparse %q: %v", strings.Join(parts, ","), err)
	}
	if !reflect.DeepEqual(again, faults) {
		t.Fatalf("round trip = %+v, want %+v", again, faults)
	}
}

func TestParseFaultsErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		spec string
		want []string // substrings the error must contain
	}{
		{name: "ErrMissingColon", spec: "5xx@10%", want: []string{`entry 1 "5xx@10%"`, "missing ':'"}},
		{name: "ErrEmptyRoute", spec: ":5xx", want: []string{"empty route"}},
		{name: "ErrEmptyKind", spec: "*:@1", want: []string{"empty kind"}},
		{name: "ErrUnknownKind", spec: "*:5xx@1,*:boom@1", want: []string{`entry 2 "*:boom@1"`, `unknown kind "boom"`}},
		{name: "ErrStatusNotServerError", spec: "*:404", want: []string{`unknown kind "404"`}},
		{name: "ErrLatencyWithoutDuration", spec: "*:latency@1", want: []string{"needs a duration"}},
		{name: "ErrLatencyBadDuration", spec: "*:latency=fast", want: []string{`latency "fast"`}},
		{name: "ErrLatencyNegative", spec: "*:latency=-1s", want: []string{`latency "-1s"`}},
		{name: "ErrParamOnPlainKind", spec: "*:reset=1", want: []string{`kind "reset" takes no parameter`}},
		{name: "ErrEmptyParam", spec: "*:429=", want: []string{"no parameter"}},
		{name: "ErrBadRetryAfter", spec: "*:429=soon", want: []string{`retry delay "soon"`}},
		{name: "ErrNegativeRetryAfter", spec: "*:429=-3", want: []string{`retry delay "-3" is negative`}},
		{name: "ErrProbabilityNotNumber", spec: "*:5xx@often", want: []string{`probability "often"`}},
		{name: "ErrProbabilityTooHigh", spec: "*:5xx@150%", want: []string{`probability "150%" is outside`}},
		{name: "ErrProbabilityFractionTooHigh", spec: "*:5xx@1.5", want: []string{"outside 0..1"}},
		{name: "ErrProbabilityNegative", spec: "*:5xx@-0.1", want: []string{"outside"}},
		{name: "ErrProbabilityNaN", spec: "*:5xx@NaN", want: []string{"not a number"}},
		{name: "ErrProbabilityEmpty", spec: "*:5xx@", want: []string{"empty probability"}},
		{name: "ErrStrayComma", spec: "*:5xx@1,", want: []string{"entry 2", "empty entry"}},
		{name: "ErrSpaceInRoute", spec: "wit wiql:5xx", want: []string{"contains a space"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := traffic.ParseFaults(tt.spec)
			if err == nil {
				t.Fatalf("ParseFaults(%q) = %+v, want an error", tt.spec, got)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("ParseFaults(%q) error %q does not contain %q", tt.spec, err, w)
				}
			}
		})
	}
}

func TestFaultMatches(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, route string
		want           bool
	}{
		{"*", "wit/wiql", true},
		{"*", "", true},
		{"wit/*", "wit/wiql", true},
		{"wit/*", "wit/queries/folder", true},
		{"wit/*", "projects", false},
		{"wit/wiql", "wit/wiql", true},
		{"wit/wiql", "wit/wiqlx", false},
		{"*/wiql", "wit/wiql", true},
		{"w*t/*q*l", "wit/wiql", true},
		{"w*t/*q*x", "wit/wiql", false},
	}
	for _, tt := range tests {
		name := "Matches"
		if !tt.want {
			name = "NoMatch"
		}
		t.Run(name+"_"+tt.pattern+"_"+tt.route, func(t *testing.T) {
			t.Parallel()
			f := traffic.Fault{Route: tt.pattern}
			if got := f.Matches(tt.route); got != tt.want {
				t.Fatalf("Fault{Route:%q}.Matches(%q) = %v, want %v", tt.pattern, tt.route, got, tt.want)
			}
		})
	}
}
