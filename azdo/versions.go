package azdo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// MinAPIVersion is the oldest REST API version Cairn can work with: the one
// Azure DevOps Server 2019 ships. Team Foundation Server 2018 and older
// (4.x) lack the work items batch.
const MinAPIVersion = "5.0"

// The exception type keys with which a server refuses an api-version.
const (
	typeVersionOutOfRange = "VssVersionOutOfRangeException"
	typeInvalidPreview    = "VssInvalidPreviewVersionException"
)

// ErrServerTooOld reports a server whose REST API is older than
// MinAPIVersion, such as Team Foundation Server 2018.
var ErrServerTooOld = errors.New("azdo: server too old")

// Version is a REST API version, major.minor, without its stage.
type Version struct{ Major, Minor int }

var versionPattern = regexp.MustCompile(`^\s*(\d+)\.(\d+)(?:-[A-Za-z]+(?:\.\d+)?)?\s*$`)

// ParseVersion reads "5.0", "7.1-preview" or "7.1-preview.2"; the stage is
// dropped.
func ParseVersion(s string) (Version, error) {
	m := versionPattern.FindStringSubmatch(s)
	if m == nil {
		return Version{}, fmt.Errorf("azdo: %q is not an API version like 7.1", s)
	}
	major, err1 := strconv.Atoi(m[1])
	minor, err2 := strconv.Atoi(m[2])
	if err1 != nil || err2 != nil {
		return Version{}, fmt.Errorf("azdo: %q is not an API version like 7.1", s)
	}
	return Version{major, minor}, nil
}

func mustVersion(s string) Version {
	v, err := ParseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

// String returns "major.minor".
func (v Version) String() string { return strconv.Itoa(v.Major) + "." + strconv.Itoa(v.Minor) }

// Less reports whether v is older than o.
func (v Version) Less(o Version) bool {
	return v.Major < o.Major || (v.Major == o.Major && v.Minor < o.Minor)
}

// IsZero reports whether v is unset.
func (v Version) IsZero() bool { return v == Version{} }

func minVersion(a, b Version) Version {
	if b.Less(a) {
		return b
	}
	return a
}

// ResourceLocation is one entry of the resource locations a server lists in
// answer to OPTIONS {collection}/_apis.
type ResourceLocation struct {
	ID              string `json:"id"`
	Area            string `json:"area"`
	ResourceName    string `json:"resourceName"`
	RouteTemplate   string `json:"routeTemplate"`
	ResourceVersion int    `json:"resourceVersion"`
	MinVersion      string `json:"minVersion"`
	MaxVersion      string `json:"maxVersion"`
	ReleasedVersion string `json:"releasedVersion"`
}

// routeLocations maps the client's routes to the ids of their resource
// locations, as Azure DevOps lists them.
var routeLocations = map[string]string{
	"projects":                        "603fe2ac-9723-48b9-88ad-09305aa6c6e1",
	"projects/{id}":                   "603fe2ac-9723-48b9-88ad-09305aa6c6e1",
	"hooks/subscriptions":             "fc50d02a-849f-41fb-8af1-0a5216103269",
	"hooks/subscriptions/{id}":        "fc50d02a-849f-41fb-8af1-0a5216103269",
	"wit/workitemtypes":               "7c8d7a76-4a09-43e8-b5df-bd792f4ac6aa",
	"wit/workitemtypes/{type}":        "7c8d7a76-4a09-43e8-b5df-bd792f4ac6aa",
	"wit/workitemtypes/{type}/states": "7c9d7a76-4a09-43e8-b5df-bd792f4ac6aa",
	"wit/queries":                     "a67d190c-c41f-424b-814d-0e906f659301",
	"wit/queries/{query}":             "a67d190c-c41f-424b-814d-0e906f659301",
	"wit/queries?$filter":             "a67d190c-c41f-424b-814d-0e906f659301",
	"wit/wiql":                        "1a9c53f7-f243-4447-b110-35ef023636e4",
	"wit/wiql/{id}":                   "a02355f5-5f8a-4671-8e32-369d23aac83d",
	"wit/workitemsbatch":              "908509b6-4248-4475-a1cd-829139ba419f",
	"wit/workitems/{id}":              "72c7ddf8-2cdc-4f60-90cd-ab71c14a399b",
	"wit/workitems/${type}":           "62d3d110-0047-428c-ad3c-4fe872c91c74",
	"wit/reporting/workitemrevisions": "f828fe59-dd87-495d-a17c-7a8d6211ca6c",
}

// APIVersions is the outcome of version negotiation with one organization or
// collection.
type APIVersions struct {
	// Server is the newest REST API version the server knows, preview
	// included, such as "7.2" on Azure DevOps Services or "5.0" on Azure
	// DevOps Server 2019.
	Server string
	// Negotiated is the newest released version that both Cairn and the
	// server know, such as "7.1" or "6.0"; every call uses it unless its
	// route is older or only in preview on the server.
	Negotiated string
	// Routes maps each route that needs a version other than Negotiated to
	// the api-version it is called with, such as "5.0-preview.1".
	Routes map[string]string
	// Source says how the versions were found: "resource locations" (OPTIONS
	// _apis) or "version error" (the server's 400 answer), or "assumed" when
	// the server was never asked.
	Source string
}

// negotiation is a client's negotiated state.
type negotiation struct {
	done     bool
	versions APIVersions
}

// APIVersions returns the versions the client negotiated, and false when it
// has not negotiated: it then calls every route with APIVersion.
func (c *Client) APIVersions() (APIVersions, bool) {
	c.negMu.Lock()
	defer c.negMu.Unlock()
	return c.neg.versions, c.neg.done
}

// KnownAPIVersion returns the REST API version the organization is known to
// accept: the negotiated one, or APIVersion once a call with it succeeded
// without negotiating. It reports false before either.
func (c *Client) KnownAPIVersion() (string, bool) {
	if v, ok := c.APIVersions(); ok {
		return v.Negotiated, true
	}
	if c.served.Load() {
		return APIVersion, true
	}
	return "", false
}

// versionFor returns the api-version to call r with.
func (c *Client) versionFor(r *request) string {
	want := r.apiVersion
	if want == "" {
		want = APIVersion
	}
	if r.base != c.org || r.fixedVersion {
		return want
	}
	c.negMu.Lock()
	neg := c.neg
	c.negMu.Unlock()
	if !neg.done {
		return want
	}
	if v, ok := neg.versions.Routes[r.route]; ok {
		return v
	}
	if strings.Contains(want, "-preview") {
		return neg.versions.Negotiated + "-preview"
	}
	return neg.versions.Negotiated
}

// negotiatedBelow reports whether the client negotiated a version older than v.
func (c *Client) negotiatedBelow(v Version) bool {
	neg, ok := c.APIVersions()
	if !ok {
		return false
	}
	n, err := ParseVersion(neg.Negotiated)
	return err == nil && n.Less(v)
}

// needsNegotiation reports whether the client should negotiate before its
// first call to the organization: when Config.ServerAPIVersion says the
// server is older than APIVersion.
func (c *Client) needsNegotiation() bool {
	if c.hint.IsZero() || !c.hint.Less(mustVersion(APIVersion)) {
		return false
	}
	c.negMu.Lock()
	defer c.negMu.Unlock()
	return !c.neg.done
}

// Negotiate finds the REST API versions the server knows and makes the
// client use, for each route, the newest version both sides know. It asks
// once per client: it reads the resource locations (OPTIONS _apis) and,
// when the server will not list them, reads the latest version from the
// server's refusal of APIVersion. It fails with ErrServerTooOld when the
// server is older than MinAPIVersion. The client negotiates by itself the
// first time a server refuses its api-version, so callers need Negotiate
// only to learn the versions up front.
func (c *Client) Negotiate(ctx context.Context) (APIVersions, error) {
	c.negOnce.Lock()
	defer c.negOnce.Unlock()
	if v, ok := c.APIVersions(); ok {
		return v, nil
	}
	v, err := c.discover(ctx)
	if err != nil {
		return APIVersions{}, err
	}
	c.negMu.Lock()
	c.neg = negotiation{done: true, versions: v}
	c.negMu.Unlock()
	return v, nil
}

// discover asks the server for its versions.
func (c *Client) discover(ctx context.Context) (APIVersions, error) {
	var l list[ResourceLocation]
	_, err := c.do(ctx, &request{
		method: http.MethodOptions, route: "options", base: c.org,
		segments: []string{"_apis"}, noVersion: true, idempotent: true,
	}, &l)
	if err == nil && len(l.Value) > 0 {
		return versionsFromLocations(l.Value)
	}
	if err != nil && !fallbackWorthy(err) {
		return APIVersions{}, fmt.Errorf("azdo: negotiate the API version: %w", err)
	}
	// No resource locations (a proxy that refuses OPTIONS, say): ask with
	// APIVersion and read the server's latest version from its refusal.
	var cd ConnectionData
	_, cerr := c.do(ctx, &request{
		method: "GET", route: "connectionData", base: c.org,
		segments: []string{"_apis", "connectionData"}, apiVersion: APIVersion + "-preview",
		fixedVersion: true, idempotent: true,
	}, &cd)
	if cerr == nil {
		return APIVersions{Server: APIVersion, Negotiated: APIVersion, Source: "version error"}, nil
	}
	var ae *Error
	if errors.As(cerr, &ae) && ae.TypeKey == typeVersionOutOfRange {
		if latest, ok := latestFromMessage(ae.Message); ok {
			return versionsFromLatest(latest)
		}
	}
	if err != nil {
		return APIVersions{}, fmt.Errorf("azdo: negotiate the API version: %w", err)
	}
	return APIVersions{}, fmt.Errorf("azdo: negotiate the API version: %w", cerr)
}

// fallbackWorthy reports whether a failed OPTIONS call leaves another way to
// learn the version: not when the credentials or the address are wrong.
func fallbackWorthy(err error) bool {
	return !errors.Is(err, ErrUnauthorized) && !errors.Is(err, ErrConditionalAccess) &&
		!errors.Is(err, ErrForbidden) && !errors.Is(err, ErrNotFound)
}

var latestPattern = regexp.MustCompile(`(?i)latest REST API version (?:this server supports|supported by this server) is "?(\d+\.\d+)`)

// latestFromMessage reads the version from "… The latest REST API version
// this server supports is 5.0."
func latestFromMessage(msg string) (Version, bool) {
	m := latestPattern.FindStringSubmatch(msg)
	if m == nil {
		return Version{}, false
	}
	v, err := ParseVersion(m[1])
	return v, err == nil
}

// versionsFromLatest negotiates from the server's latest version alone.
func versionsFromLatest(latest Version) (APIVersions, error) {
	neg := minVersion(mustVersion(APIVersion), latest)
	if neg.Less(mustVersion(MinAPIVersion)) {
		return APIVersions{}, tooOld(latest)
	}
	return APIVersions{Server: latest.String(), Negotiated: neg.String(), Source: "version error"}, nil
}

func tooOld(latest Version) error {
	return fmt.Errorf("%w: it supports REST API versions up to %s, and Cairn needs %s or later (Azure DevOps Server 2019 or newer)",
		ErrServerTooOld, latest, MinAPIVersion)
}

// versionsFromLocations picks, for each route the client calls, the newest
// version that both sides know: the route's newest released version up to
// APIVersion, or when the route has none from MinAPIVersion on, its newest
// preview.
func versionsFromLocations(locs []ResourceLocation) (APIVersions, error) {
	ours := mustVersion(APIVersion)
	floor := mustVersion(MinAPIVersion)
	byID := map[string]ResourceLocation{}
	var server, released Version
	for _, l := range locs {
		byID[strings.ToLower(l.ID)] = l
		if v, err := ParseVersion(l.MaxVersion); err == nil && server.Less(v) {
			server = v
		}
		if v, err := ParseVersion(l.ReleasedVersion); err == nil && released.Less(v) {
			released = v
		}
	}
	if server.Less(floor) {
		return APIVersions{}, tooOld(server)
	}
	neg := minVersion(ours, released)
	if neg.Less(floor) {
		neg = minVersion(ours, server)
	}
	out := APIVersions{Server: server.String(), Negotiated: neg.String(), Routes: map[string]string{}, Source: "resource locations"}
	for route, id := range routeLocations {
		l, ok := byID[id]
		if !ok {
			continue
		}
		v, err := routeVersion(l, ours, floor)
		if err != nil {
			return APIVersions{}, fmt.Errorf("%w (route %s)", err, route)
		}
		if v != out.Negotiated {
			out.Routes[route] = v
		}
	}
	return out, nil
}

// routeVersion picks the api-version of one resource location.
func routeVersion(l ResourceLocation, ours, floor Version) (string, error) {
	maxV, err := ParseVersion(l.MaxVersion)
	if err != nil {
		return "", fmt.Errorf("azdo: resource location %s has maxVersion %q", l.ID, l.MaxVersion)
	}
	if rel, err := ParseVersion(l.ReleasedVersion); err == nil && !rel.Less(floor) {
		return minVersion(ours, rel).String(), nil
	}
	v := minVersion(ours, maxV)
	if v.Less(floor) {
		return "", tooOld(maxV)
	}
	if minV, err := ParseVersion(l.MinVersion); err == nil && v.Less(minV) {
		return "", fmt.Errorf("%w: %s/%s needs REST API %s or later", ErrServerTooOld, l.Area, l.ResourceName, minV)
	}
	s := v.String() + "-preview"
	if l.ResourceVersion > 0 {
		s += "." + strconv.Itoa(l.ResourceVersion)
	}
	return s, nil
}
