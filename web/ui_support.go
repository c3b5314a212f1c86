package web

import "github.com/cairn-okr/cairn/datasource"

// Integration returns the Azure DevOps integration the server was built with, or nil, for
// handlers mounted on the server such as the UI.
func (s *Server) Integration() *datasource.Service { return s.azdo }
