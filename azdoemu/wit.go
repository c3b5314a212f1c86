package azdoemu

import (
	"net/http"
	"strings"
)

// serveWIT dispatches the work item tracking area (…/_apis/wit/…).
func (s *Server) serveWIT(c *reqCtx) []pending {
	if len(c.rest) < 2 {
		s.routeMiss(c)
		return nil
	}
	m := c.r.Method
	sub := strings.ToLower(c.rest[1])
	n := len(c.rest)
	switch sub {
	case "workitemtypes":
		if m != http.MethodGet || !c.needProject() {
			break
		}
		switch {
		case n == 2:
			s.listTypes(c)
		case n == 3:
			s.getType(c)
		case n == 4 && strings.EqualFold(c.rest[3], "states"):
			s.listStates(c)
		case n == 4 && strings.EqualFold(c.rest[3], "fields"):
			s.listTypeFields(c)
		case n == 5 && strings.EqualFold(c.rest[3], "fields"):
			s.getTypeField(c)
		default:
			s.routeMiss(c)
		}
		return nil
	case "workitemrelationtypes":
		if m == http.MethodGet && n == 2 {
			s.listRelationTypes(c)
			return nil
		}
		if m == http.MethodGet && n == 3 {
			s.getRelationType(c)
			return nil
		}
	case "fields":
		if m == http.MethodGet && n == 2 {
			s.listFields(c)
			return nil
		}
		if m == http.MethodGet && n == 3 {
			s.getField(c)
			return nil
		}
	case "classificationnodes":
		s.serveClassificationNodes(c)
		return nil
	case "queries":
		if !c.needProject() {
			return nil
		}
		switch m {
		case http.MethodGet:
			s.getQueries(c)
			return nil
		case http.MethodDelete:
			if n > 2 {
				s.deleteQueryREST(c)
				return nil
			}
		case http.MethodPost:
			if n > 2 {
				s.createQueryREST(c)
				return nil
			}
		case http.MethodPatch:
			if n > 2 {
				s.updateQueryREST(c)
				return nil
			}
		}
	case "wiql":
		switch {
		case m == http.MethodPost && n == 2:
			s.postWIQL(c)
			return nil
		case (m == http.MethodGet || m == http.MethodHead) && n == 3:
			s.runSavedQuery(c)
			return nil
		}
	case "workitemsbatch":
		if m == http.MethodPost && n == 2 {
			s.workItemsBatch(c)
			return nil
		}
	case "workitems":
		switch {
		case m == http.MethodGet && n == 2:
			s.listWorkItems(c)
			return nil
		case m == http.MethodPost && n == 3 && strings.HasPrefix(c.rest[2], "$"):
			if !c.needProject() {
				return nil
			}
			return s.createWorkItemREST(c)
		case m == http.MethodGet && n == 3:
			s.getWorkItem(c)
			return nil
		case m == http.MethodPatch && n == 3:
			return s.updateWorkItemREST(c)
		case m == http.MethodDelete && n == 3:
			return s.deleteWorkItemREST(c)
		case m == http.MethodGet && n == 4 && strings.EqualFold(c.rest[3], "revisions"):
			s.listRevisions(c)
			return nil
		case m == http.MethodGet && n == 5 && strings.EqualFold(c.rest[3], "revisions"):
			s.getRevision(c)
			return nil
		case m == http.MethodGet && n == 4 && strings.EqualFold(c.rest[3], "updates"):
			s.listUpdates(c)
			return nil
		case m == http.MethodGet && n == 5 && strings.EqualFold(c.rest[3], "updates"):
			s.getUpdate(c)
			return nil
		}
	case "recyclebin":
		if !c.needProject() {
			return nil
		}
		switch {
		case m == http.MethodGet && n == 2:
			s.listRecycleBin(c)
			return nil
		case m == http.MethodGet && n == 3:
			s.getRecycleBin(c)
			return nil
		case m == http.MethodPatch && n == 3:
			return s.restoreWorkItemREST(c)
		}
	case "reporting":
		if n == 3 && strings.EqualFold(c.rest[2], "workitemrevisions") && (m == http.MethodGet || m == http.MethodPost) {
			s.reportingRevisions(c)
			return nil
		}
	}
	s.routeMiss(c)
	return nil
}
