package azdo

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// NewQuery describes a saved query or folder to create. A query has a Wiql; a folder
// has IsFolder and no Wiql.
type NewQuery struct {
	Name     string `json:"name"`
	Wiql     string `json:"wiql,omitempty"`
	IsFolder bool   `json:"isFolder,omitempty"`
}

// QueryChange is what UpdateQuery changes; nil fields stay as they are.
type QueryChange struct {
	Name *string `json:"name,omitempty"`
	Wiql *string `json:"wiql,omitempty"`
}

// querySegments are the path segments of a query or folder given by GUID or path.
func querySegments(project, idOrPath string) []string {
	return witBase(project, append([]string{"queries"}, strings.Split(idOrPath, "/")...)...)
}

func cleanQueryRef(op, idOrPath string) (string, error) {
	idOrPath = strings.Trim(idOrPath, "/ ")
	if idOrPath == "" {
		return "", fmt.Errorf("azdo: %s: a query ID or path is required", op)
	}
	return idOrPath, nil
}

// CreateQuery saves a new query or folder in folder (a GUID or a path such as
// "Shared Queries/Team") and returns it. With validateOnly the service checks the WIQL
// and saves nothing.
func (c *Client) CreateQuery(ctx context.Context, project, folder string, q NewQuery, validateOnly bool) (QueryItem, error) {
	if err := needProject("create query", project); err != nil {
		return QueryItem{}, err
	}
	folder, err := cleanQueryRef("create query", folder)
	if err != nil {
		return QueryItem{}, err
	}
	if strings.TrimSpace(q.Name) == "" {
		return QueryItem{}, errors.New("azdo: create query: a name is required")
	}
	if q.IsFolder == (strings.TrimSpace(q.Wiql) != "") {
		return QueryItem{}, errors.New("azdo: create query: give either WIQL (a query) or IsFolder (a folder)")
	}
	vals := url.Values{}
	if validateOnly {
		vals.Set("validateWiqlOnly", "true")
	}
	var item QueryItem
	_, err = c.do(ctx, &request{
		method: "POST", route: "wit/queries/{query}", base: c.org,
		segments: querySegments(project, folder), query: vals, body: q,
	}, &item)
	if err != nil {
		return QueryItem{}, fmt.Errorf("azdo: create query %q in %q: %w", q.Name, folder, err)
	}
	return item, nil
}

// MoveQuery moves the query or folder id into folder and returns it.
func (c *Client) MoveQuery(ctx context.Context, project, id, folder string) (QueryItem, error) {
	if err := needProject("move query", project); err != nil {
		return QueryItem{}, err
	}
	folder, err := cleanQueryRef("move query", folder)
	if err != nil {
		return QueryItem{}, err
	}
	if strings.TrimSpace(id) == "" {
		return QueryItem{}, errors.New("azdo: move query: the query's ID is required")
	}
	var item QueryItem
	_, err = c.do(ctx, &request{
		method: "POST", route: "wit/queries/{query}", base: c.org,
		segments: querySegments(project, folder), body: map[string]string{"id": id},
	}, &item)
	if err != nil {
		return QueryItem{}, fmt.Errorf("azdo: move query %s to %q: %w", id, folder, err)
	}
	return item, nil
}

// UpdateQuery renames a query or folder, or changes a query's WIQL, and returns it.
func (c *Client) UpdateQuery(ctx context.Context, project, idOrPath string, ch QueryChange) (QueryItem, error) {
	if err := needProject("update query", project); err != nil {
		return QueryItem{}, err
	}
	idOrPath, err := cleanQueryRef("update query", idOrPath)
	if err != nil {
		return QueryItem{}, err
	}
	if ch.Name == nil && ch.Wiql == nil {
		return QueryItem{}, errors.New("azdo: update query: nothing to change")
	}
	var item QueryItem
	_, err = c.do(ctx, &request{
		method: "PATCH", route: "wit/queries/{query}", base: c.org,
		segments: querySegments(project, idOrPath), body: ch, contentType: "application/json",
		idempotent: true,
	}, &item)
	if err != nil {
		return QueryItem{}, fmt.Errorf("azdo: update query %q: %w", idOrPath, err)
	}
	return item, nil
}

// DeleteQuery deletes a query or folder, with everything in it. The service keeps
// it, so that UndeleteQuery can bring it back.
func (c *Client) DeleteQuery(ctx context.Context, project, idOrPath string) error {
	if err := needProject("delete query", project); err != nil {
		return err
	}
	idOrPath, err := cleanQueryRef("delete query", idOrPath)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, &request{
		method: "DELETE", route: "wit/queries/{query}", base: c.org,
		segments: querySegments(project, idOrPath), idempotent: true,
	}, nil)
	if err != nil {
		return fmt.Errorf("azdo: delete query %q: %w", idOrPath, err)
	}
	return nil
}

// UndeleteQuery restores a deleted query or folder by GUID; with descendants, a
// folder gets back what it held when it was deleted.
func (c *Client) UndeleteQuery(ctx context.Context, project, id string, descendants bool) (QueryItem, error) {
	if err := needProject("undelete query", project); err != nil {
		return QueryItem{}, err
	}
	id, err := cleanQueryRef("undelete query", id)
	if err != nil {
		return QueryItem{}, err
	}
	vals := url.Values{}
	if descendants {
		vals.Set("$undeleteDescendants", "true")
	}
	var item QueryItem
	_, err = c.do(ctx, &request{
		method: "PATCH", route: "wit/queries/{query}", base: c.org,
		segments: querySegments(project, id), query: vals, body: map[string]bool{"isDeleted": false},
		contentType: "application/json", idempotent: true,
	}, &item)
	if err != nil {
		return QueryItem{}, fmt.Errorf("azdo: undelete query %s: %w", id, err)
	}
	return item, nil
}
