package azdoemu

import (
	"net/http"
	"strconv"
	"strings"
)

// identityRef is an identity object as REST bodies carry it.
type identityRef struct {
	DisplayName string        `json:"displayName"`
	URL         string        `json:"url"`
	Links       identityLinks `json:"_links"`
	ID          string        `json:"id"`
	UniqueName  string        `json:"uniqueName"`
	ImageURL    string        `json:"imageUrl"`
	Descriptor  string        `json:"descriptor"`
	Name        string        `json:"name,omitempty"`
}

type identityLinks struct {
	Avatar struct {
		Href string `json:"href"`
	} `json:"avatar"`
}

// identityJSON renders an identity as a REST identity object.
func identityJSON(base, orgName string, id Identity) *identityRef {
	avatar := base + "/" + pathEscape(orgName) + "/_apis/GraphProfile/MemberAvatars/" + id.Descriptor
	idBase := base + "/_vssps"
	if strings.HasSuffix(base, virtualDir) {
		// Azure DevOps Server serves identities in the collection.
		idBase = base + "/" + pathEscape(orgName)
	}
	r := &identityRef{DisplayName: id.DisplayName, URL: idBase + "/_apis/Identities/" + id.ID,
		ID: id.ID, UniqueName: id.UniqueName, ImageURL: avatar, Descriptor: id.Descriptor}
	r.Links.Avatar.Href = avatar
	return r
}

func (c *reqCtx) orgURL() string { return c.base + "/" + pathEscape(c.org.name) }

func (c *reqCtx) projURL(p *project) string { return c.orgURL() + "/" + p.id }

func projectRefJSON(orgURL string, p *project) map[string]any {
	return map[string]any{
		"id":             p.id,
		"name":           p.name,
		"description":    p.description,
		"url":            orgURL + "/_apis/projects/" + p.id,
		"state":          "wellFormed",
		"revision":       p.revision,
		"visibility":     "private",
		"lastUpdateTime": fmtTime(p.created),
	}
}

// listProjects serves GET /{org}/_apis/projects with $top, $skip and
// continuationToken paging.
func (s *Server) listProjects(c *reqCtx) {
	top, skip := len(c.org.projects), 0
	if v := c.param("$top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			c.fail(errBadRequest("The value '%s' is not valid for $top.", v))
			return
		}
		top = n
	}
	if v := c.param("$skip"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			c.fail(errBadRequest("The value '%s' is not valid for $skip.", v))
			return
		}
		skip = n
	}
	if v := c.param("continuationToken"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			c.fail(errBadRequest("The continuation token '%s' is not valid.", v))
			return
		}
		skip = n
	}
	if st := c.param("stateFilter"); st != "" && !strings.EqualFold(st, "all") && !strings.EqualFold(st, "wellFormed") {
		c.json(map[string]any{"count": 0, "value": []any{}})
		return
	}
	all := c.org.projects
	end := min(skip+top, len(all))
	if skip > len(all) {
		skip = len(all)
	}
	page := all[skip:end]
	out := make([]any, 0, len(page))
	for _, p := range page {
		out = append(out, projectRefJSON(c.orgURL(), p))
	}
	if end < len(all) {
		c.w.Header().Set("X-MS-ContinuationToken", strconv.Itoa(end))
	}
	c.json(map[string]any{"count": len(out), "value": out})
}

// getProject serves GET /{org}/_apis/projects/{id or name}.
func (s *Server) getProject(c *reqCtx) {
	p := c.org.projectByNameOrID(c.rest[1])
	if p == nil {
		c.fail(errProjectNotFound(c.rest[1]))
		return
	}
	body := projectRefJSON(c.orgURL(), p)
	body["capabilities"] = map[string]any{
		"versioncontrol":  map[string]string{"sourceControlType": "Git", "gitEnabled": "True", "tfvcEnabled": "False"},
		"processTemplate": map[string]string{"templateName": p.process.Name, "templateTypeId": p.process.ID},
	}
	body["_links"] = map[string]any{
		"self":       map[string]any{"href": c.orgURL() + "/_apis/projects/" + p.id},
		"collection": map[string]any{"href": c.orgURL() + "/_apis/projectCollections/" + c.org.id},
		"web":        map[string]any{"href": c.orgURL() + "/" + pathEscape(p.name)},
	}
	teamID := guidFrom("team", p.id)
	body["defaultTeam"] = map[string]any{"id": teamID, "name": p.teamName(), "url": c.orgURL() + "/_apis/projects/" + p.id + "/teams/" + teamID}
	c.json(body)
}

// connectionData serves GET /{org}/_apis/connectionData.
func (s *Server) connectionData(c *reqCtx) {
	user := map[string]any{
		"id":                  c.me.ID,
		"descriptor":          "Microsoft.IdentityModel.Claims.ClaimsIdentity;" + c.me.UniqueName,
		"subjectDescriptor":   c.me.Descriptor,
		"providerDisplayName": c.me.DisplayName,
		"isActive":            true,
		"properties": map[string]any{
			"Account": map[string]any{"$type": "System.String", "$value": c.me.UniqueName},
		},
		"resourceVersion": 2,
		"metaTypeId":      0,
	}
	c.json(map[string]any{
		"authenticatedUser": user,
		"authorizedUser":    user,
		"instanceId":        c.org.id,
		"deploymentId":      guidFrom("deployment", c.org.id),
		"deploymentType":    s.deploymentType(),
		"locationServiceData": map[string]any{
			"serviceOwner":                "00025394-6065-48ca-87d9-7f5672854ef7",
			"defaultAccessMappingMoniker": "PublicAccessMapping",
			"lastChangeId":                1,
			"lastChangeId64":              1,
		},
	})
}

// serveVSSPS serves the profile and accounts APIs under /_vssps/_apis.
func (s *Server) serveVSSPS(c *reqCtx) {
	if c.r.Method != http.MethodGet {
		writeAPIError(c.w, errMethodNotAllowed(c.r.Method))
		return
	}
	switch {
	case c.at("profile", "profiles", "me") || c.at("profile", "profiles", "*") && c.rest[2] == c.me.ID:
		c.json(map[string]any{
			"displayName":  c.me.DisplayName,
			"publicAlias":  c.me.ID,
			"emailAddress": c.me.UniqueName,
			"coreRevision": 1,
			"timeStamp":    fmtTime(s.now()),
			"id":           c.me.ID,
			"revision":     1,
		})
	case c.at("profile", "profiles", "*"):
		writeAPIError(c.w, newAPIError(http.StatusNotFound, "ProfileNotFoundException", "Microsoft.VisualStudio.Services.Profile",
			"VS800018: The profile %s does not exist.", c.rest[2]))
	case c.at("accounts"):
		member := c.param("memberId")
		owner := c.param("ownerId")
		if member == "" && owner == "" {
			writeAPIError(c.w, errBadRequest("VS800030: memberId or ownerId must be specified."))
			return
		}
		out := []any{}
		if strings.EqualFold(member, c.me.ID) || strings.EqualFold(owner, c.me.ID) {
			s.mu.RLock()
			for _, o := range s.orgOrder {
				out = append(out, map[string]any{
					"accountId":   o.id,
					"accountUri":  c.base + "/" + pathEscape(o.name) + "/",
					"accountName": o.name,
					"properties":  map[string]any{},
				})
			}
			s.mu.RUnlock()
		}
		c.json(map[string]any{"count": len(out), "value": out})
	default:
		s.routeMiss(c)
	}
}
