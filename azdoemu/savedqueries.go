package azdoemu

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/cairn-okr/cairn/wiql"
)

// queryBody is the QueryHierarchyItem a client sends to create, move or update a
// saved query or folder.
type queryBody struct {
	ID        string  `json:"id"`
	Name      *string `json:"name"`
	Wiql      *string `json:"wiql"`
	IsFolder  bool    `json:"isFolder"`
	IsDeleted *bool   `json:"isDeleted"`
}

// Errors the service answers to saved-query writes.
func errQueryNameConflict(name, folder string) *apiError {
	return newAPIError(http.StatusConflict, "QueryItemNameConflictException", nsWIT,
		"TF237018: A query or folder named '%s' already exists in '%s'. Choose another name.", name, folder)
}

func errQueryNotFolder(path string) *apiError {
	return newAPIError(http.StatusBadRequest, "InvalidQueryItemParentException", nsWIT,
		"TF401259: '%s' is a query, not a folder. Queries and folders can only be saved in a folder.", path)
}

func errQueryName(reason string) *apiError {
	return newAPIError(http.StatusBadRequest, "InvalidQueryItemNameException", nsWIT,
		"TF237012: The query or folder name is not valid: %s", reason)
}

// checkQueryName applies the service's naming rules: not empty, at most 255
// characters, and none of \ / : * ? " < > | ; #  $ and no leading or trailing space.
func checkQueryName(name string) *apiError {
	switch {
	case strings.TrimSpace(name) == "":
		return errQueryName("the name is empty.")
	case len([]rune(name)) > 255:
		return errQueryName("the name is longer than 255 characters.")
	case strings.TrimSpace(name) != name:
		return errQueryName("the name starts or ends with a space.")
	case strings.ContainsAny(name, `\/:*?"<>|;#$`):
		return errQueryName(`the name contains one of \ / : * ? " < > | ; # $.`)
	}
	return nil
}

// isDeletedItem reports whether q or a folder above it is deleted.
func (q *queryItem) isDeletedItem() bool {
	for x := q; x != nil; x = x.parent {
		if x.deleted {
			return true
		}
	}
	return false
}

// siblingNamed returns the live child of folder called name, other than skip.
func siblingNamed(folder *queryItem, name string, skip *queryItem) *queryItem {
	for _, ch := range folder.children {
		if ch != skip && !ch.deleted && strings.EqualFold(ch.name, name) {
			return ch
		}
	}
	return nil
}

func newQueryID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	s := hex.EncodeToString(b)
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

// isAncestor reports whether a is q or a folder above q.
func isAncestor(a, q *queryItem) bool {
	for x := q; x != nil; x = x.parent {
		if x == a {
			return true
		}
	}
	return false
}

// createQueryREST serves POST …/wit/queries/{folder id or path}: a new query (name and
// wiql), a new folder (name and isFolder), or, with the id of an existing item, a move
// of that item into the folder. validateWiqlOnly=true checks the WIQL and saves nothing.
func (s *Server) createQueryREST(c *reqCtx) {
	key := strings.Join(c.rest[2:], "/")
	var body queryBody
	if err := decodeBody(c.r, &body); err != nil {
		c.fail(err)
		return
	}
	folder := c.findVisible(c.proj, key)
	if folder == nil {
		c.fail(errQueryNotFound(key))
		return
	}
	if !folder.folder {
		c.fail(errQueryNotFolder(folder.path()))
		return
	}
	now := s.now()
	if body.ID != "" {
		q := c.findVisible(c.proj, body.ID)
		if q == nil {
			c.fail(errQueryNotFound(body.ID))
			return
		}
		if q.parent == nil {
			c.fail(newAPIError(http.StatusBadRequest, "QueryItemCannotMoveRootException", nsWIT,
				"TF401260: The root query folder %s cannot be moved.", q.name))
			return
		}
		if isAncestor(q, folder) {
			c.fail(newAPIError(http.StatusBadRequest, "QueryItemCircularMoveException", nsWIT,
				"TF401261: The folder %s cannot be moved into itself or one of its subfolders.", q.path()))
			return
		}
		name := q.name
		if body.Name != nil {
			if err := checkQueryName(*body.Name); err != nil {
				c.fail(err)
				return
			}
			name = *body.Name
		}
		if siblingNamed(folder, name, q) != nil {
			c.fail(errQueryNameConflict(name, folder.path()))
			return
		}
		detach(q)
		q.name, q.parent, q.modified, q.by = name, folder, now, c.me
		folder.children = append(folder.children, q)
		setPublic(q, folder.public)
		c.json(s.queryJSON(c, c.proj, q, "wiql", 1))
		return
	}
	if body.Name == nil {
		c.fail(errQueryName("the name is empty."))
		return
	}
	if err := checkQueryName(*body.Name); err != nil {
		c.fail(err)
		return
	}
	q := &queryItem{name: *body.Name, folder: body.IsFolder, public: folder.public, parent: folder,
		created: now, modified: now, by: c.me}
	if !body.IsFolder {
		if body.Wiql == nil || strings.TrimSpace(*body.Wiql) == "" {
			c.fail(newAPIError(http.StatusBadRequest, "InvalidQueryItemException", nsWIT,
				"TF401262: A query needs a WIQL text: send 'wiql', or 'isFolder': true for a folder."))
			return
		}
		pq, err := wiql.Parse(*body.Wiql)
		if err != nil {
			c.fail(wiqlError(err))
			return
		}
		q.wiql, q.qtype = *body.Wiql, pq.QueryType()
	}
	if strings.EqualFold(c.param("validateWiqlOnly"), "true") {
		c.json(s.queryJSON(c, c.proj, q, "wiql", 0))
		return
	}
	if siblingNamed(folder, q.name, nil) != nil {
		c.fail(errQueryNameConflict(q.name, folder.path()))
		return
	}
	q.id = newQueryID()
	folder.children = append(folder.children, q)
	folder.modified = now
	c.json(s.queryJSON(c, c.proj, q, "wiql", 0))
}

// updateQueryREST serves PATCH …/wit/queries/{id or path}: rename, change the WIQL, or
// undelete ({"isDeleted": false}). Deleting a folder deletes what it holds too: an
// undelete restores the item alone, and with $undeleteDescendants=true also what was
// deleted with it (not what had been deleted on its own before).
func (s *Server) updateQueryREST(c *reqCtx) {
	key := strings.Join(c.rest[2:], "/")
	var body queryBody
	if err := decodeBody(c.r, &body); err != nil {
		c.fail(err)
		return
	}
	q := c.proj.findQueryAny(key)
	if q != nil && !canRead(q, c.me) {
		q = nil
	}
	if q == nil || (q.isDeletedItem() && (body.IsDeleted == nil || *body.IsDeleted)) {
		c.fail(errQueryNotFound(key))
		return
	}
	now := s.now()
	if body.IsDeleted != nil && !*body.IsDeleted && q.isDeletedItem() {
		if q.parent != nil && q.parent.isDeletedItem() {
			c.fail(newAPIError(http.StatusBadRequest, "QueryItemParentDeletedException", nsWIT,
				"TF401263: The folder %s is deleted. Restore it first.", q.parent.path()))
			return
		}
		if q.parent != nil && siblingNamed(q.parent, q.name, q) != nil {
			c.fail(errQueryNameConflict(q.name, q.parent.path()))
			return
		}
		with := q.deletedWith
		q.deleted, q.deletedWith = false, nil
		if strings.EqualFold(c.param("$undeleteDescendants"), "true") {
			restoreDeletedWith(q, with)
		}
		q.modified, q.by = now, c.me
	}
	if q.parent == nil && (body.Name != nil || body.Wiql != nil) {
		c.fail(newAPIError(http.StatusBadRequest, "QueryItemCannotUpdateRootException", nsWIT,
			"TF401264: The root query folder %s cannot be renamed or changed.", q.name))
		return
	}
	if body.Name != nil && *body.Name != q.name {
		if err := checkQueryName(*body.Name); err != nil {
			c.fail(err)
			return
		}
		if siblingNamed(q.parent, *body.Name, q) != nil {
			c.fail(errQueryNameConflict(*body.Name, q.parent.path()))
			return
		}
	}
	var qtype string
	if body.Wiql != nil {
		if q.folder {
			c.fail(newAPIError(http.StatusBadRequest, "InvalidQueryItemException", nsWIT,
				"TF401265: %s is a folder; a folder has no WIQL.", q.path()))
			return
		}
		pq, err := wiql.Parse(*body.Wiql)
		if err != nil {
			c.fail(wiqlError(err))
			return
		}
		qtype = pq.QueryType()
	}
	if body.Name != nil {
		q.name = *body.Name
	}
	if body.Wiql != nil {
		q.wiql, q.qtype = *body.Wiql, qtype
	}
	if body.Name != nil || body.Wiql != nil {
		q.modified, q.by = now, c.me
	}
	c.json(s.queryJSON(c, c.proj, q, "wiql", 0))
}

// restoreDeletedWith undeletes the items beneath q that the DELETE of with deleted.
func restoreDeletedWith(q, with *queryItem) {
	for _, ch := range q.children {
		if ch.deleted && ch.deletedWith == with {
			ch.deleted, ch.deletedWith = false, nil
			restoreDeletedWith(ch, with)
		}
	}
}

// detach removes q from its folder's children.
func detach(q *queryItem) {
	if q.parent == nil {
		return
	}
	kids := q.parent.children[:0]
	for _, ch := range q.parent.children {
		if ch != q {
			kids = append(kids, ch)
		}
	}
	q.parent.children = kids
}

// setPublic marks q and everything under it as shared or private.
func setPublic(q *queryItem, public bool) {
	q.public = public
	for _, ch := range q.children {
		setPublic(ch, public)
	}
}
