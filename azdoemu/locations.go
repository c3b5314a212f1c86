package azdoemu

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/cairn-okr/cairn/azdoemu/traffic"
)

// location is one resource location of OPTIONS _apis: where a route is and
// which api-versions it takes. Microsoft's SDKs find every route through
// these: the Go SDK reads OPTIONS {org}/_apis, the Node SDK OPTIONS
// {org}/_apis/{area}, and both expand the route template with their values.
type location struct {
	ID              string `json:"id"`
	Area            string `json:"area"`
	ResourceName    string `json:"resourceName"`
	RouteTemplate   string `json:"routeTemplate"`
	ResourceVersion int    `json:"resourceVersion"`
	MinVersion      string `json:"minVersion"`
	MaxVersion      string `json:"maxVersion"`
	ReleasedVersion string `json:"releasedVersion"`
	// preview marks a resource that Azure DevOps offers in preview only,
	// Services and Server alike: its released version is 0.0.
	preview bool
	// serverPreview marks a resource that Azure DevOps Server offers in
	// preview only: it refuses a released api-version for it.
	serverPreview bool
}

// locations are the resource locations of the routes the emulator serves,
// one for each, with the ids, areas, resource names, route templates,
// resource versions and minimum versions that Azure DevOps Services lists in
// OPTIONS https://dev.azure.com/{org}/_apis.
var locations = []location{
	{ID: "00d9565f-ed9c-4a06-9a50-00e7896ccab4", Area: "Location", ResourceName: "ConnectionData", RouteTemplate: "_apis/{resource}", ResourceVersion: 1, MinVersion: "1.0", preview: true},
	{ID: "e81700f7-3be2-46de-8624-2eb35882fcaa", Area: "Location", ResourceName: "ResourceAreas", RouteTemplate: "_apis/{resource}/{areaId}", ResourceVersion: 1, MinVersion: "3.2", preview: true},

	{ID: "603fe2ac-9723-48b9-88ad-09305aa6c6e1", Area: "core", ResourceName: "projects", RouteTemplate: "_apis/{resource}/{*projectId}", ResourceVersion: 4, MinVersion: "1.0"},
	{ID: "d30a3dd1-f8ba-442a-b86a-bd0c0c383e59", Area: "core", ResourceName: "teams", RouteTemplate: "_apis/projects/{projectId}/{resource}/{*teamId}", ResourceVersion: 3, MinVersion: "1.0"},
	{ID: "7a4d9ee9-3433-4347-b47a-7a80f1cf307e", Area: "core", ResourceName: "teams", RouteTemplate: "_apis/{resource}", ResourceVersion: 3, MinVersion: "4.1", preview: true},

	{ID: "a8c47e17-4d56-4a56-92bb-de7ea7dc65be", Area: "distributedtask", ResourceName: "pools", RouteTemplate: "_apis/{area}/{resource}/{poolId}", ResourceVersion: 1, MinVersion: "1.0"},

	{ID: "225f7195-f9c7-4d14-ab28-a83f7ff77e1f", Area: "git", ResourceName: "repositories", RouteTemplate: "{project}/_apis/{area}/{resource}/{repositoryId}", ResourceVersion: 1, MinVersion: "1.0"},

	{ID: "fc50d02a-849f-41fb-8af1-0a5216103269", Area: "hooks", ResourceName: "subscriptions", RouteTemplate: "_apis/{area}/{resource}/{subscriptionId}", ResourceVersion: 1, MinVersion: "1.0"},

	{ID: "a70579d1-f53a-48ee-a5be-7be8659023b9", Area: "wit", ResourceName: "classificationNodes", RouteTemplate: "{project}/_apis/{area}/{resource}", ResourceVersion: 2, MinVersion: "1.0"},
	{ID: "5a172953-1b41-49d3-840a-33f79c3ce89f", Area: "wit", ResourceName: "classificationNodes", RouteTemplate: "{project}/_apis/{area}/{resource}/{structureGroup}/{*path}", ResourceVersion: 2, MinVersion: "1.0"},
	{ID: "b51fd764-e5c2-4b9b-aaf7-3395cf4bdd94", Area: "wit", ResourceName: "fields", RouteTemplate: "{project}/_apis/{area}/{resource}/{fieldNameOrRefName}", ResourceVersion: 3, MinVersion: "1.0"},
	{ID: "a67d190c-c41f-424b-814d-0e906f659301", Area: "wit", ResourceName: "queries", RouteTemplate: "{project}/_apis/{area}/{resource}/{*query}", ResourceVersion: 2, MinVersion: "1.0"},
	{ID: "b70d8d39-926c-465e-b927-b1bf0e5ca0e0", Area: "wit", ResourceName: "recyclebin", RouteTemplate: "{project}/_apis/{area}/{resource}/{id}", ResourceVersion: 2, MinVersion: "2.1"},
	{ID: "1a9c53f7-f243-4447-b110-35ef023636e4", Area: "wit", ResourceName: "wiql", RouteTemplate: "{project}/{team}/_apis/{area}/{resource}", ResourceVersion: 2, MinVersion: "1.0"},
	{ID: "a02355f5-5f8a-4671-8e32-369d23aac83d", Area: "wit", ResourceName: "wiql", RouteTemplate: "{project}/{team}/_apis/{area}/{resource}/{id}", ResourceVersion: 2, MinVersion: "1.0"},
	{ID: "f5d33bc9-5b49-4a3c-a9bd-f3cd46dd2165", Area: "wit", ResourceName: "workItemRelationTypes", RouteTemplate: "_apis/{area}/{resource}/{relation}", ResourceVersion: 2, MinVersion: "1.0"},
	{ID: "f828fe59-dd87-495d-a17c-7a8d6211ca6c", Area: "wit", ResourceName: "workItemRevisions", RouteTemplate: "{project}/_apis/{area}/reporting/{resource}", ResourceVersion: 2, MinVersion: "2.0"},
	{ID: "62d3d110-0047-428c-ad3c-4fe872c91c74", Area: "wit", ResourceName: "workItems", RouteTemplate: "{project}/_apis/{area}/{resource}/${type}", ResourceVersion: 3, MinVersion: "1.0"},
	{ID: "72c7ddf8-2cdc-4f60-90cd-ab71c14a399b", Area: "wit", ResourceName: "workItems", RouteTemplate: "{project}/_apis/{area}/{resource}/{id}", ResourceVersion: 3, MinVersion: "1.0"},
	{ID: "908509b6-4248-4475-a1cd-829139ba419f", Area: "wit", ResourceName: "workItemsBatch", RouteTemplate: "{project}/_apis/{area}/{resource}", ResourceVersion: 1, MinVersion: "5.0"},
	{ID: "a00c85a5-80fa-4565-99c3-bcd2181434bb", Area: "wit", ResourceName: "revisions", RouteTemplate: "{project}/_apis/{area}/workItems/{id}/revisions/{revisionNumber}", ResourceVersion: 3, MinVersion: "1.0"},
	{ID: "6570bf97-d02c-4a91-8d93-3abe9895b1a9", Area: "wit", ResourceName: "updates", RouteTemplate: "{project}/_apis/{area}/workItems/{id}/updates/{updateNumber}", ResourceVersion: 4, MinVersion: "1.0"},
	{ID: "7c8d7a76-4a09-43e8-b5df-bd792f4ac6aa", Area: "wit", ResourceName: "workItemTypes", RouteTemplate: "{project}/_apis/{area}/{resource}/{type}", ResourceVersion: 2, MinVersion: "1.0"},
	{ID: "bd293ce5-3d25-4192-8e67-e8092e879efb", Area: "wit", ResourceName: "workItemTypesField", RouteTemplate: "{project}/_apis/{area}/workitemtypes/{type}/fields/{field}", ResourceVersion: 3, MinVersion: "1.0"},
	{ID: "7c9d7a76-4a09-43e8-b5df-bd792f4ac6aa", Area: "wit", ResourceName: "workItemTypeStates", RouteTemplate: "{project}/_apis/{area}/workitemtypes/{type}/states", ResourceVersion: 1, MinVersion: "1.0", serverPreview: true},
}

// locationsFor returns the resource locations as a server of release rel
// lists them (Services when rel is nil), those of one area only when area is
// not empty (matched case-insensitively, as the service does).
func locationsFor(rel *serverRelease, area string) []location {
	out := make([]location, 0, len(locations))
	for _, l := range locations {
		if area != "" && !strings.EqualFold(l.Area, area) {
			continue
		}
		switch {
		case rel == nil && l.preview:
			l.MaxVersion, l.ReleasedVersion = "7.2", "0.0"
		case rel == nil:
			l.MaxVersion, l.ReleasedVersion = "7.2", "7.1"
		case l.preview || l.serverPreview:
			l.MaxVersion, l.ReleasedVersion = rel.latest, "0.0"
		default:
			l.MaxVersion, l.ReleasedVersion = rel.latest, rel.latest
		}
		out = append(out, l)
	}
	return out
}

// serveLocations answers OPTIONS {org}/_apis with the resource locations, and
// OPTIONS {org}/_apis/{area} with those of one area. An area the emulator
// serves nothing of answers the 404 of an unknown route and counts as
// unserved.
func (s *Server) serveLocations(w http.ResponseWriter, r *http.Request, org, area string) {
	s.mu.RLock()
	o := s.orgs[strings.ToLower(org)]
	s.mu.RUnlock()
	if o == nil || !strings.EqualFold(o.name, org) {
		writeAPIError(w, errOrgNotFound(org))
		return
	}
	locs := locationsFor(s.release, area)
	if len(locs) == 0 {
		traffic.SetRoute(r, RouteUnserved)
		writeAPIError(w, errNotFoundRoute(r.URL.Path))
		return
	}
	body, _ := json.Marshal(map[string]any{"count": len(locs), "value": locs})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// resourceArea is one entry of GET _apis/ResourceAreas: an area and the URL
// its routes are under.
type resourceArea struct {
	id, name string
}

// resourceAreas are the areas of the served routes that Azure DevOps Services
// lists in GET _apis/ResourceAreas, with their ids there. The Go SDK looks an
// area up by id before it makes a client for it.
var resourceAreas = []resourceArea{
	{"79134c72-4a58-4b42-976c-04e7115f32bf", "core"},
	{"a85b8835-c1a1-4aac-ae97-1c3d0ba72dbd", "distributedtask"},
	{"4e080c62-fa21-4fbc-8fef-2a10a2b38049", "git"},
	{"5264459e-e5e0-4bd8-b118-0985e68a4ec5", "wit"},
}

// serveResourceAreas serves GET {org}/_apis/ResourceAreas[/{areaId}]. On
// Services every area is in the organization itself; Azure DevOps Server
// lists none, which tells clients to use the collection URL for all of them.
func (s *Server) serveResourceAreas(c *reqCtx) {
	if c.r.Method != http.MethodGet || c.proj != nil || len(c.rest) > 2 {
		s.routeMiss(c)
		return
	}
	var areas []resourceArea
	if s.release == nil {
		areas = resourceAreas
	}
	render := func(a resourceArea) map[string]any {
		return map[string]any{"id": a.id, "name": a.name, "locationUrl": c.orgURL() + "/"}
	}
	if len(c.rest) == 2 {
		for _, a := range areas {
			if strings.EqualFold(a.id, c.rest[1]) {
				c.json(render(a))
				return
			}
		}
		c.fail(newAPIError(http.StatusNotFound, "VssResourceNotFoundException", nsVSS,
			"The resource area %s is not registered on %s.", c.rest[1], c.orgURL()))
		return
	}
	out := make([]any, 0, len(areas))
	for _, a := range areas {
		out = append(out, render(a))
	}
	c.json(map[string]any{"count": len(out), "value": out})
}
