package azdoemu

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// This file serves the areas that common Azure DevOps tools probe when they start:
// agent pools, git repositories, teams and classification nodes. Their contents are
// generated from the emulator's organizations and projects, so that such tools find
// the lists the real service would give a fresh organization.

const (
	nsDistributedTask = "Microsoft.TeamFoundation.DistributedTask.WebApi"
	nsGit             = "Microsoft.TeamFoundation.Git.Server"
)

// agentPool is one generated agent pool.
type agentPool struct {
	id     int
	name   string
	hosted bool
}

// agentPools are the pools every organization has: the self-hosted "Default" pool
// and the Microsoft-hosted "Azure Pipelines" pool, with the ids the service gives them.
var agentPools = []agentPool{{1, "Default", false}, {9, "Azure Pipelines", true}}

func (c *reqCtx) poolJSON(o *org, p agentPool) map[string]any {
	return map[string]any{
		"id": p.id, "name": p.name, "isHosted": p.hosted, "isLegacy": false,
		"poolType": "automation", "size": 0, "options": "none",
		"scope":     guidFrom("poolscope", o.id),
		"createdBy": identityJSON(c.base, o.name, c.me), "owner": identityJSON(c.base, o.name, c.me),
		"createdOn":     "2020-01-01T00:00:00Z",
		"autoProvision": p.id == 1, "autoUpdate": true, "autoSize": true,
		"targetSize": nil, "agentCloudId": nil,
		"properties": map[string]any{},
	}
}

// serveDistributedTask serves GET …/_apis/distributedtask/pools and pools/{id}. Only
// pools are served; the other distributed task routes are counted as unserved.
func (s *Server) serveDistributedTask(c *reqCtx) {
	if c.proj != nil || c.r.Method != http.MethodGet || len(c.rest) < 2 || !strings.EqualFold(c.rest[1], "pools") {
		s.routeMiss(c)
		return
	}
	switch len(c.rest) {
	case 2:
		name := c.param("poolName")
		ids := map[int]bool{}
		if v := c.param("poolIds"); v != "" {
			for _, f := range strings.Split(v, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(f))
				if err != nil {
					c.fail(errBadRequest("The value '%s' is not valid for poolIds.", v))
					return
				}
				ids[n] = true
			}
		}
		out := []any{}
		for _, p := range agentPools {
			if name != "" && !strings.EqualFold(name, p.name) {
				continue
			}
			if len(ids) > 0 && !ids[p.id] {
				continue
			}
			out = append(out, c.poolJSON(c.org, p))
		}
		c.json(map[string]any{"count": len(out), "value": out})
	case 3:
		id, err := strconv.Atoi(c.rest[2])
		if err != nil {
			c.fail(errBadRequest("The value '%s' is not a valid pool id.", c.rest[2]))
			return
		}
		for _, p := range agentPools {
			if p.id == id {
				c.json(c.poolJSON(c.org, p))
				return
			}
		}
		c.fail(newAPIError(http.StatusNotFound, "TaskAgentPoolNotFoundException", nsDistributedTask,
			"No agent pool found with identifier %d.", id))
	default:
		s.routeMiss(c)
	}
}

// repoJSON renders the one git repository each project has, named after it, as a new
// project gets it.
func (c *reqCtx) repoJSON(p *project) map[string]any {
	id := guidFrom("repo", p.id)
	host := strings.TrimPrefix(strings.TrimPrefix(c.base, "https://"), "http://")
	web := c.orgURL() + "/" + pathEscape(p.name) + "/_git/" + pathEscape(p.name)
	return map[string]any{
		"id":              id,
		"name":            p.name,
		"url":             c.projURL(p) + "/_apis/git/repositories/" + id,
		"project":         projectRefJSON(c.orgURL(), p),
		"defaultBranch":   "refs/heads/main",
		"size":            0,
		"remoteUrl":       web,
		"sshUrl":          "git@ssh." + host + ":v3/" + c.org.name + "/" + p.name + "/" + p.name,
		"webUrl":          web,
		"isDisabled":      false,
		"isInMaintenance": false,
	}
}

// serveGit serves GET …/_apis/git/repositories and repositories/{id or name}, at
// organization and project scope.
func (s *Server) serveGit(c *reqCtx) {
	if c.r.Method != http.MethodGet || len(c.rest) < 2 || !strings.EqualFold(c.rest[1], "repositories") {
		s.routeMiss(c)
		return
	}
	projects := c.org.projects
	if c.proj != nil {
		projects = []*project{c.proj}
	}
	switch len(c.rest) {
	case 2:
		out := make([]any, 0, len(projects))
		for _, p := range projects {
			out = append(out, c.repoJSON(p))
		}
		c.json(map[string]any{"count": len(out), "value": out})
	case 3:
		key := c.rest[2]
		for _, p := range projects {
			if strings.EqualFold(key, p.name) || strings.EqualFold(key, guidFrom("repo", p.id)) {
				c.json(c.repoJSON(p))
				return
			}
		}
		c.fail(newAPIError(http.StatusNotFound, "GitRepositoryNotFoundException", nsGit,
			"TF401019: The Git repository with name or identifier %s does not exist or you do not have permissions for the operation you are attempting.", key))
	default:
		s.routeMiss(c)
	}
}

// teamJSON renders a project's default team, the only team a project has here.
func (c *reqCtx) teamJSON(p *project) map[string]any {
	id := guidFrom("team", p.id)
	return map[string]any{
		"id":          id,
		"name":        p.teamName(),
		"url":         c.orgURL() + "/_apis/projects/" + p.id + "/teams/" + id,
		"description": "The default project team.",
		"identityUrl": c.base + "/_vssps/_apis/Identities/" + id,
		"projectName": p.name,
		"projectId":   p.id,
	}
}

// listTeams serves GET /{org}/_apis/projects/{project}/teams and /{org}/_apis/teams.
func (s *Server) listTeams(c *reqCtx, projects []*project) {
	out := make([]any, 0, len(projects))
	for _, p := range projects {
		out = append(out, c.teamJSON(p))
	}
	c.json(map[string]any{"count": len(out), "value": out})
}

// getTeam serves GET /{org}/_apis/projects/{project}/teams/{team}.
func (s *Server) getTeam(c *reqCtx, p *project, key string) {
	if strings.EqualFold(key, p.teamName()) || strings.EqualFold(key, guidFrom("team", p.id)) {
		c.json(c.teamJSON(p))
		return
	}
	c.fail(newAPIError(http.StatusNotFound, "TeamNotFoundException", nsCore,
		"The team with id %s does not exist.", key))
}

// serveProjectTeams routes …/_apis/projects/{project}/teams[/{team}].
func (s *Server) serveProjectTeams(c *reqCtx) {
	p := c.org.projectByNameOrID(c.rest[1])
	if p == nil {
		c.fail(errProjectNotFound(c.rest[1]))
		return
	}
	switch len(c.rest) {
	case 3:
		s.listTeams(c, []*project{p})
	case 4:
		s.getTeam(c, p, c.rest[3])
	default:
		s.routeMiss(c)
	}
}

// classNode is one area or iteration node, built from a project's paths.
type classNode struct {
	name     string
	path     []string // names from the project root down to this node
	children []*classNode
}

// classTree builds the area or iteration tree of p. Its paths are stored as
// "Project\Child\Grandchild"; the root is the project itself.
func classTree(p *project, group string) *classNode {
	root := &classNode{name: p.name}
	paths := p.areas
	if group == "iterations" {
		paths = p.iterations
	}
	for _, full := range paths {
		parts := strings.Split(full, `\`)
		if len(parts) == 0 || !strings.EqualFold(parts[0], p.name) {
			continue
		}
		n := root
		for i, name := range parts[1:] {
			var next *classNode
			for _, ch := range n.children {
				if strings.EqualFold(ch.name, name) {
					next = ch
				}
			}
			if next == nil {
				next = &classNode{name: name, path: append(append([]string{}, parts[1:i+1]...), name)}
				n.children = append(n.children, next)
			}
			n = next
		}
	}
	var sortTree func(n *classNode)
	sortTree = func(n *classNode) {
		sort.Slice(n.children, func(i, j int) bool { return n.children[i].name < n.children[j].name })
		for _, ch := range n.children {
			sortTree(ch)
		}
	}
	sortTree(root)
	return root
}

// nodeJSON renders a classification node with depth levels of children.
func (c *reqCtx) nodeJSON(p *project, group string, n *classNode, depth int) map[string]any {
	structure, label := "area", "Area"
	if group == "iterations" {
		structure, label = "iteration", "Iteration"
	}
	key := group + "\x00" + strings.ToLower(strings.Join(n.path, `\`))
	h := guidFrom("node", p.id, key)
	id, _ := strconv.ParseInt(strings.ReplaceAll(h, "-", "")[:6], 16, 64)
	urlGroup := "Areas"
	if group == "iterations" {
		urlGroup = "Iterations"
	}
	segs := make([]string, 0, len(n.path))
	for _, s := range n.path {
		segs = append(segs, pathEscape(s))
	}
	u := c.projURL(p) + "/_apis/wit/classificationNodes/" + urlGroup
	if len(segs) > 0 {
		u += "/" + strings.Join(segs, "/")
	}
	out := map[string]any{
		"id":            id,
		"identifier":    h,
		"name":          n.name,
		"structureType": structure,
		"hasChildren":   len(n.children) > 0,
		"path":          `\` + strings.Join(append([]string{p.name, label}, n.path...), `\`),
		"url":           u,
	}
	if depth > 0 && len(n.children) > 0 {
		ch := make([]any, 0, len(n.children))
		for _, x := range n.children {
			ch = append(ch, c.nodeJSON(p, group, x, depth-1))
		}
		out["children"] = ch
	}
	return out
}

// serveClassificationNodes serves GET …/_apis/wit/classificationnodes (both roots) and
// …/classificationnodes/{Areas|Iterations}[/{path}], with $depth.
func (s *Server) serveClassificationNodes(c *reqCtx) {
	if c.r.Method != http.MethodGet {
		s.routeMiss(c)
		return
	}
	if !c.needProject() {
		return
	}
	depth := 0
	if v := c.param("$depth"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			c.fail(errBadRequest("The value '%s' is not valid for $depth.", v))
			return
		}
		depth = n
	}
	p := c.proj
	if len(c.rest) == 2 {
		c.json(map[string]any{"count": 2, "value": []any{
			c.nodeJSON(p, "areas", classTree(p, "areas"), depth),
			c.nodeJSON(p, "iterations", classTree(p, "iterations"), depth),
		}})
		return
	}
	group := strings.ToLower(c.rest[2])
	if group != "areas" && group != "iterations" {
		c.fail(errBadRequest("The structure group '%s' is not valid. Use Areas or Iterations.", c.rest[2]))
		return
	}
	n := classTree(p, group)
	for _, name := range c.rest[3:] {
		var next *classNode
		for _, ch := range n.children {
			if strings.EqualFold(ch.name, name) {
				next = ch
			}
		}
		if next == nil {
			label := "Area"
			if group == "iterations" {
				label = "Iteration"
			}
			c.fail(newAPIError(http.StatusNotFound, "TreeNodeNotFoundException", nsWIT,
				`TF200014: The following node does not exist: \%s. Verify that the path of the node is correct.`,
				strings.Join(append([]string{p.name, label}, c.rest[3:]...), `\`)))
			return
		}
		n = next
	}
	c.json(c.nodeJSON(p, group, n, depth))
}
