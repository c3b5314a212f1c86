package web

import (
	"html/template"
	"net/http"
	"net/url"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/datasource"
)

func (s *Server) listConnections(w http.ResponseWriter, r *http.Request) {
	ig, ok := s.integration(w, r)
	if !ok {
		return
	}
	cs, err := ig.ListConnections(r.Context(), r.PathValue("org"))
	s.reply(w, r, http.StatusOK, list(cs), err)
}

func (s *Server) createConnection(w http.ResponseWriter, r *http.Request) {
	ig, ok := s.integration(w, r)
	if !ok {
		return
	}
	var in datasource.ConnectionInput
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := ig.CreateConnection(r.Context(), r.PathValue("org"), in)
	s.reply(w, r, http.StatusCreated, c, err)
}

// connectionCall parses the connection id and runs fn with the integration.
func (s *Server) connectionCall(w http.ResponseWriter, r *http.Request, fn func(ig *datasource.Service, id int64) (any, error)) {
	ig, ok := s.integration(w, r)
	if !ok {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := fn(ig, id)
	s.reply(w, r, http.StatusOK, v, err)
}

func (s *Server) getConnection(w http.ResponseWriter, r *http.Request) {
	s.connectionCall(w, r, func(ig *datasource.Service, id int64) (any, error) {
		return ig.Connection(r.Context(), r.PathValue("org"), id)
	})
}

func (s *Server) updateConnection(w http.ResponseWriter, r *http.Request) {
	var up datasource.ConnectionUpdate
	if err := DecodeJSON(r.Body, &up); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.connectionCall(w, r, func(ig *datasource.Service, id int64) (any, error) {
		return ig.UpdateConnection(r.Context(), r.PathValue("org"), id, up)
	})
}

func (s *Server) deleteConnection(w http.ResponseWriter, r *http.Request) {
	ig, ok := s.integration(w, r)
	if !ok {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.noContent(w, r, ig.DeleteConnection(r.Context(), r.PathValue("org"), id))
}

func (s *Server) rotateHookSecret(w http.ResponseWriter, r *http.Request) {
	s.connectionCall(w, r, func(ig *datasource.Service, id int64) (any, error) {
		return ig.RotateHookSecret(r.Context(), r.PathValue("org"), id)
	})
}

func (s *Server) connectionProjects(w http.ResponseWriter, r *http.Request) {
	s.connectionCall(w, r, func(ig *datasource.Service, id int64) (any, error) {
		ps, err := ig.Projects(r.Context(), r.PathValue("org"), id)
		return list(ps), err
	})
}

func (s *Server) connectionTypes(w http.ResponseWriter, r *http.Request) {
	s.connectionCall(w, r, func(ig *datasource.Service, id int64) (any, error) {
		ts, err := ig.WorkItemTypes(r.Context(), r.PathValue("org"), id)
		return list(ts), err
	})
}

func (s *Server) connectionStates(w http.ResponseWriter, r *http.Request) {
	s.connectionCall(w, r, func(ig *datasource.Service, id int64) (any, error) {
		st, err := ig.States(r.Context(), r.PathValue("org"), id, r.PathValue("type"))
		return list(st), err
	})
}

func (s *Server) connectionMeasureFields(w http.ResponseWriter, r *http.Request) {
	s.connectionCall(w, r, func(ig *datasource.Service, id int64) (any, error) {
		fs, err := ig.MeasureFields(r.Context(), r.PathValue("org"), id, r.URL.Query()["type"])
		return list(fs), err
	})
}

func (s *Server) connectionQueries(w http.ResponseWriter, r *http.Request) {
	s.connectionCall(w, r, func(ig *datasource.Service, id int64) (any, error) {
		qs, err := ig.Queries(r.Context(), r.PathValue("org"), id, r.URL.Query().Get("search"))
		return list(qs), err
	})
}

func (s *Server) connectionWorkItems(w http.ResponseWriter, r *http.Request) {
	s.connectionCall(w, r, func(ig *datasource.Service, id int64) (any, error) {
		q := r.URL.Query()
		ws, err := ig.SearchWorkItems(r.Context(), r.PathValue("org"), id, q.Get("type"), q.Get("q"))
		return list(ws), err
	})
}

func (s *Server) probeProjects(w http.ResponseWriter, r *http.Request) {
	ig, ok := s.integration(w, r)
	if !ok {
		return
	}
	var in datasource.ProbeInput
	if err := DecodeJSON(r.Body, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	ps, err := ig.ProbeProjects(r.Context(), r.PathValue("org"), in)
	s.reply(w, r, http.StatusOK, list(ps), err)
}

func (s *Server) azdoOrganizations(w http.ResponseWriter, r *http.Request) {
	ig, ok := s.integration(w, r)
	if !ok {
		return
	}
	as, err := ig.Organizations(r.Context(), r.PathValue("org"), r.URL.Query().Get("grant"))
	s.reply(w, r, http.StatusOK, list(as), err)
}

func (s *Server) azdoAuthorize(w http.ResponseWriter, r *http.Request) {
	ig, ok := s.integration(w, r)
	if !ok {
		return
	}
	u, err := ig.Authorize(r.Context(), r.PathValue("org"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, u, http.StatusFound)
}

var callbackErrorPage = template.Must(template.New("callback").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sign-in did not finish · Cairn</title></head>
<body><main><h1>Signing in to Azure DevOps did not finish</h1>
<p role="alert">{{.Message}}</p>
<p>Go back to the wizard and sign in again, or connect with a personal access token instead.</p>
<p><a href="/">Back to Cairn</a></p>
<p><small>Request id {{.RequestID}}</small></p></main></body></html>`))

// AuthorizeResult is the JSON answer of the authorization-code callback for API clients.
type AuthorizeResult struct {
	Grant string `json:"grant"`
	Org   string `json:"org"`
}

func (s *Server) azdoCallback(w http.ResponseWriter, r *http.Request) {
	ig, ok := s.integration(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	grant, org, err := ig.Callback(r.Context(), q.Get("state"), q.Get("code"), q.Get("error"))
	if err != nil {
		if r.Header.Get("Accept") == "application/json" {
			s.writeError(w, r, err)
			return
		}
		// A person arrives here from Microsoft's sign-in page: answer with a page, not JSON.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(StatusOf(cairn.ErrorCode(err)))
		_ = callbackErrorPage.Execute(w, struct{ Message, RequestID string }{cairn.ErrorMessage(err), requestID(r.Context())})
		return
	}
	if r.Header.Get("Accept") == "application/json" {
		writeJSON(w, http.StatusOK, AuthorizeResult{Grant: grant, Org: org})
		return
	}
	// The connection wizard picks the organization and project with the grant.
	http.Redirect(w, r, "/o/"+url.PathEscape(org)+"/connections/new?grant="+url.QueryEscape(grant), http.StatusSeeOther)
}
