package azdoemu

import (
	"strings"

	"github.com/cairn-okr/cairn/wiql"
)

// Who may read a saved query, as Azure DevOps decides it:
//
//   - "My Queries" is private: every identity sees the root folder, but only
//     the queries and folders it created itself beneath it. A query in
//     someone else's My Queries answers 404 TF401243, the same as a query
//     that does not exist.
//   - A folder or query under "Shared Queries" may deny Read to an identity
//     (SetQueryReadable); the denial covers everything beneath it and also
//     answers 404 TF401243.

// canRead reports whether who may read q.
func canRead(q *queryItem, who Identity) bool {
	for x := q; x != nil; x = x.parent {
		for _, d := range x.denied {
			if strings.EqualFold(d, who.UniqueName) {
				return false
			}
		}
		if x.parent != nil && x.parent.parent == nil && !x.parent.public {
			// A direct child of My Queries: only its creator sees it and
			// everything below it.
			return strings.EqualFold(x.by.UniqueName, who.UniqueName)
		}
	}
	return true
}

// findVisible finds a query by id or path that the caller may read.
func (c *reqCtx) findVisible(p *project, idOrPath string) *queryItem {
	q := p.findQuery(idOrPath)
	if q == nil || !canRead(q, c.me) {
		return nil
	}
	return q
}

// visibleChildren returns the children of q that the caller may read, leaving out
// deleted ones unless the request asked for them ($includeDeleted).
func (c *reqCtx) visibleChildren(q *queryItem) []*queryItem {
	out := make([]*queryItem, 0, len(q.children))
	for _, ch := range q.children {
		if canRead(ch, c.me) && (!ch.deleted || includeDeleted(c)) {
			out = append(out, ch)
		}
	}
	return out
}

// AddQueryAs saves a WIQL query as another identity ("Name <upn>" or a upn),
// so that a query under "My Queries" belongs to that identity and is private
// to it. It returns the query's id.
func (s *Server) AddQueryAs(orgName, projectName, folder, name, text, owner string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, p, err := s.lookup(orgName, projectName)
	if err != nil {
		return "", err
	}
	if p == nil {
		return "", errorf("add query", "a project is required")
	}
	q, err := s.addQuery(p, folder, name, text, "", s.identityFor(owner), s.now())
	if err != nil {
		return "", errorf("add query", "%v", err)
	}
	return q.id, nil
}

// AddPATFor makes the server accept a personal access token that belongs to
// another identity ("Name <upn>" or a upn): @Me in its queries is that
// identity, and it sees that identity's My Queries only.
func (s *Server) AddPATFor(pat, owner string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pats[pat] = &credential{owner: s.identityFor(owner)}
}

// SetQueryReadable denies (readable false) or grants again (true) Read on a
// query or query folder, by id or path, to an identity given by upn.
func (s *Server) SetQueryReadable(orgName, projectName, idOrPath, upn string, readable bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, p, err := s.lookup(orgName, projectName)
	if err != nil {
		return err
	}
	if p == nil {
		return errorf("set query permission", "a project is required")
	}
	q := p.findQuery(idOrPath)
	if q == nil {
		return errQueryNotFound(idOrPath)
	}
	kept := q.denied[:0]
	for _, d := range q.denied {
		if !strings.EqualFold(d, upn) {
			kept = append(kept, d)
		}
	}
	q.denied = kept
	if !readable {
		q.denied = append(q.denied, upn)
	}
	return nil
}

// SetQueryLimit sets how many rows a query may return before it fails with
// VS402337; 0 restores Azure DevOps' 20,000. Tests use it to reach the limit
// with little data.
func (s *Server) SetQueryLimit(n int) {
	if n <= 0 {
		n = 0
	}
	s.queryLimit.Store(int64(n))
}

// maxRows is the row limit of a query.
func (s *Server) maxRows() int {
	if n := s.queryLimit.Load(); n > 0 {
		return int(n)
	}
	return wiql.DefaultMaxRows
}
