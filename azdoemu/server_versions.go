package azdoemu

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// serverRelease is an Azure DevOps Server release the emulator can play.
type serverRelease struct {
	name string
	// latest is the newest REST API version the release knows; it refuses
	// any later one with VssVersionOutOfRangeException.
	latest string
}

// serverReleases are the Azure DevOps Server releases of Options.Server:
// each RTW release's newest REST API version. Later updates raise it
// (2019 Update 1 knows 5.1, 2020 Update 1 knows 6.1-preview).
var serverReleases = map[string]serverRelease{
	"2019": {name: "Azure DevOps Server 2019", latest: "5.0"},
	"2020": {name: "Azure DevOps Server 2020", latest: "6.0"},
	"2022": {name: "Azure DevOps Server 2022", latest: "7.0"},
}

// ServerReleases returns the values Options.Server accepts, oldest first.
func ServerReleases() []string {
	out := make([]string, 0, len(serverReleases))
	for k := range serverReleases {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// DefaultCollection is the collection an emulated Azure DevOps Server serves
// its first organization as.
const DefaultCollection = "DefaultCollection"

// virtualDir is the path under which an emulated Azure DevOps Server serves
// its collections, as IIS does by default.
const virtualDir = "/tfs"

// ServerRelease returns the Azure DevOps Server release the emulator plays,
// such as "2020", or "" when it plays Azure DevOps Services.
func (s *Server) ServerRelease() string {
	if s.release == nil {
		return ""
	}
	for k, r := range serverReleases {
		if r == *s.release {
			return k
		}
	}
	return ""
}

// releaseHasField reports whether the emulated product knows a field: Azure
// DevOps Server 2019 predates System.Parent, which came with Services in 2019
// and with Server in 2020.
func (s *Server) releaseHasField(ref string) bool {
	return s.release == nil || s.release.latest != "5.0" || !strings.EqualFold(ref, "System.Parent")
}

// ServerAPIVersion returns the newest REST API version the emulated
// product knows: 7.1 for Services, the release's for Server.
func (s *Server) ServerAPIVersion() string {
	if s.release == nil {
		return "7.1"
	}
	return s.release.latest
}

// deploymentType is what connectionData says the deployment is.
func (s *Server) deploymentType() string {
	if s.release == nil {
		return "hosted"
	}
	return "onPremises"
}

// OrgURL returns the URL of the first organization (Services) or collection
// (Server), such as http://127.0.0.1:8090/fabrikam or
// http://127.0.0.1:8090/tfs/DefaultCollection, for a started server.
func (s *Server) OrgURL() string {
	s.mu.RLock()
	name := ""
	if len(s.orgOrder) > 0 {
		name = s.orgOrder[0].name
	}
	s.mu.RUnlock()
	b := ""
	if p := s.base.Load(); p != nil {
		b = *p
	}
	return b + s.rootPath() + "/" + pathEscape(name)
}

// rootPath is the path before the organization: "/tfs" on Server.
func (s *Server) rootPath() string {
	if s.release == nil {
		return ""
	}
	return virtualDir
}

// becomeServer turns the first organization into DefaultCollection. Over
// HTTP it answers to that name only; the Go methods (WorkItems,
// UpdateWorkItem, QueryID and the like) accept the scenario's name too.
// Callers hold no lock; New calls it last.
func (s *Server) becomeServer() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.orgOrder) == 0 || s.orgs[strings.ToLower(DefaultCollection)] != nil {
		return
	}
	o := s.orgOrder[0]
	o.name = DefaultCollection
	s.orgs[strings.ToLower(o.name)] = o
}

// serverPath strips the virtual directory from an Azure DevOps Server
// request; it reports false, having answered 404, for a path outside it.
func (s *Server) serverPath(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	p := r.URL.Path
	if !strings.HasPrefix(strings.ToLower(p), virtualDir+"/") {
		writeAPIError(w, errNotFoundRoute(p))
		return nil, false
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = p[len(virtualDir):]
	if r.URL.RawPath != "" {
		r2.URL.RawPath = r.URL.RawPath[len(virtualDir):]
	}
	return r2, true
}

// checkRequestVersion validates the api-version as the emulated product
// does: Services knows up to 7.1; a Server refuses what is newer than its
// release, and a released version of a resource it has in preview only.
func (s *Server) checkRequestVersion(r *http.Request, rest []string) *apiError {
	if s.release == nil {
		return checkVersion(r)
	}
	v := apiVersion(r)
	if v == "" {
		return checkVersion(r)
	}
	m := versionRE.FindStringSubmatch(v)
	if m == nil {
		return checkVersion(r)
	}
	req := [2]int{atoi(m[1]), atoi(m[2])}
	lm := versionRE.FindStringSubmatch(s.release.latest)
	latest := [2]int{atoi(lm[1]), atoi(lm[2])}
	if req[0] > latest[0] || (req[0] == latest[0] && req[1] > latest[1]) {
		return newAPIError(http.StatusBadRequest, "VssVersionOutOfRangeException", nsVSS,
			"The requested REST API version of %s is out of range for this server. The latest REST API version this server supports is %s.", v, s.release.latest)
	}
	if m[3] == "" && serverPreviewRoute(rest) {
		return newAPIError(http.StatusBadRequest, "VssInvalidPreviewVersionException", nsVSS,
			"The requested version \"%s\" of the resource is under preview. The -preview flag must be supplied in the api-version for such requests. For example: \"%s-preview\"", v, v)
	}
	return nil
}

// serverPreviewRoute reports whether the route after _apis is one Azure
// DevOps Server offers in preview only: the states of a work item type, and
// the resources that are in preview on Services too (the connection data,
// the resource areas and the organization's teams; see location.preview).
func serverPreviewRoute(rest []string) bool {
	switch {
	case len(rest) == 1 && (strings.EqualFold(rest[0], "connectionData") || strings.EqualFold(rest[0], "teams")):
		return true
	case len(rest) >= 1 && len(rest) <= 2 && strings.EqualFold(rest[0], "ResourceAreas"):
		return true
	case len(rest) == 4 && strings.EqualFold(rest[0], "wit") && strings.EqualFold(rest[1], "workitemtypes") && strings.EqualFold(rest[3], "states"):
		return true
	}
	return false
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// versionWriter makes the content type of a Server's answers name the
// api-version it served instead of 7.1.
type versionWriter struct {
	http.ResponseWriter
	version string
	wrote   bool
}

func (v *versionWriter) WriteHeader(status int) {
	if !v.wrote {
		v.wrote = true
		h := v.Header()
		if ct := h.Get("Content-Type"); strings.Contains(ct, "api-version=7.1") {
			h.Set("Content-Type", strings.Replace(ct, "api-version=7.1", "api-version="+v.version, 1))
		}
	}
	v.ResponseWriter.WriteHeader(status)
}

func (v *versionWriter) Write(b []byte) (int, error) {
	if !v.wrote {
		v.WriteHeader(http.StatusOK)
	}
	return v.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the underlying writer.
func (v *versionWriter) Unwrap() http.ResponseWriter { return v.ResponseWriter }

// hookContainers are the resourceContainers of a service-hook delivery:
// Services names the account, Server the server.
func (s *Server) hookContainers(c *reqCtx, projectID string) map[string]any {
	out := map[string]any{
		"collection": map[string]any{"id": c.org.id, "baseUrl": c.orgURL() + "/"},
		"project":    map[string]any{"id": projectID, "baseUrl": c.orgURL() + "/"},
	}
	if s.release != nil {
		out["server"] = map[string]any{"id": guidFrom("server", c.org.id), "baseUrl": c.base + "/"}
	} else {
		out["account"] = map[string]any{"id": guidFrom("account", c.org.id), "baseUrl": c.orgURL() + "/"}
	}
	return out
}
