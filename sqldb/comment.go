package sqldb

import (
	"context"
	"database/sql"

	"github.com/cairn-okr/cairn"
)

// okrTable returns the table of any OKR item type, and its name for messages.
func okrTable(t cairn.ItemType) (table, kind string, err error) {
	switch t {
	case cairn.ItemObjective:
		return "objectives", "objective", nil
	case cairn.ItemKeyResult:
		return "key_results", "key result", nil
	case cairn.ItemInitiative:
		return "initiatives", "initiative", nil
	}
	return "", "", cairn.FieldError("item.type", "item type must be objective, key_result or initiative, not %q", t)
}

// insertComment stores a validated comment.
func insertComment(ctx context.Context, r runner, c *cairn.Comment) error {
	c.CreatedAt = clean(c.CreatedAt)
	err := r.queryRow(ctx, `INSERT INTO item_comments (org_id, item_type, item_id, author_id, body, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		c.OrgID, c.Item.Type, c.Item.ID, nullInt(c.AuthorID), c.Body, c.CreatedAt).Scan(&c.ID)
	if kind, _ := violation(err); kind == violForeign {
		return cairn.FieldError("author_id", "user %d does not exist", *c.AuthorID)
	}
	return err
}

// ListComments lists an item's comments, oldest first.
func (db *DB) ListComments(ctx context.Context, orgID int64, item cairn.Ref) ([]*cairn.Comment, error) {
	table, kind, err := okrTable(item.Type)
	if err != nil {
		return nil, err
	}
	out := []*cairn.Comment{}
	err = db.snapshot(ctx, "list comments", func(r runner) error {
		ok, err := r.exists(ctx, `SELECT 1 FROM `+table+` WHERE id = ? AND org_id = ?`, item.ID, orgID)
		if err != nil || !ok {
			return notFoundOr(err, kind, item.ID)
		}
		rows, err := r.query(ctx, `SELECT id, org_id, item_type, item_id, author_id, body, created_at FROM item_comments
			WHERE org_id = ? AND item_type = ? AND item_id = ? ORDER BY created_at, id`, orgID, item.Type, item.ID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c := &cairn.Comment{}
			var author sql.NullInt64
			if err := rows.Scan(&c.ID, &c.OrgID, &c.Item.Type, &c.Item.ID, &author, &c.Body, &c.CreatedAt); err != nil {
				return err
			}
			c.AuthorID, c.CreatedAt = int64Ptr(author), c.CreatedAt.UTC()
			out = append(out, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// deleteAttached deletes the comments and re-bind entries of the items a deletion removes:
// like check-ins they point at their item by type and id, without a foreign key. which is a
// condition on item_type and item_id, with its arguments.
func deleteAttached(ctx context.Context, r runner, orgID int64, which string, args ...any) error {
	for _, table := range []string{"item_comments", "import_rebinds"} {
		if _, err := r.exec(ctx, `DELETE FROM `+table+` WHERE org_id = ? AND (`+which+`)`, append([]any{orgID}, args...)...); err != nil {
			return err
		}
	}
	return nil
}
