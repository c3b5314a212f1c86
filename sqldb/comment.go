package sqldb

import (
	"context"
	"database/sql"
	"errors"

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

// commentTable returns the table of what a comment may be on: an OKR item or a check-in.
func commentTable(t cairn.ItemType) (table, kind string, err error) {
	if t == cairn.ItemCheckIn {
		return "check_ins", "check-in", nil
	}
	table, kind, err = okrTable(t)
	if err != nil {
		return "", "", cairn.FieldError("item.type", "comments are for objectives, key results, initiatives and check-ins, not %q", t)
	}
	return table, kind, nil
}

const commentColumns = `c.id, c.org_id, c.item_type, c.item_id, c.author_id, c.body, c.created_at, c.edited_at`

func scanComment(s interface{ Scan(...any) error }) (*cairn.Comment, error) {
	c := &cairn.Comment{MentionedUserIDs: []int64{}}
	var author sql.NullInt64
	var edited sql.NullTime
	if err := s.Scan(&c.ID, &c.OrgID, &c.Item.Type, &c.Item.ID, &author, &c.Body, &c.CreatedAt, &edited); err != nil {
		return nil, err
	}
	c.AuthorID, c.CreatedAt, c.EditedAt = int64Ptr(author), c.CreatedAt.UTC(), timePtr(edited)
	return c, nil
}

// insertComment stores a validated comment with its mentions.
func insertComment(ctx context.Context, r runner, c *cairn.Comment) error {
	c.CreatedAt = clean(c.CreatedAt)
	c.EditedAt = cleanPtr(c.EditedAt)
	err := r.queryRow(ctx, `INSERT INTO item_comments (org_id, item_type, item_id, author_id, body, created_at, edited_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.OrgID, c.Item.Type, c.Item.ID, nullInt(c.AuthorID), c.Body, c.CreatedAt, nullTime(c.EditedAt)).Scan(&c.ID)
	if kind, _ := violation(err); kind == violForeign {
		return cairn.FieldError("author_id", "user %d does not exist", *c.AuthorID)
	}
	if err != nil {
		return err
	}
	return setMentions(ctx, r, c, true)
}

// setMentions replaces a comment's mentions; a new comment, fresh, has none to delete.
func setMentions(ctx context.Context, r runner, c *cairn.Comment, fresh bool) error {
	if !fresh {
		if _, err := r.exec(ctx, `DELETE FROM comment_mentions WHERE comment_id = ?`, c.ID); err != nil {
			return err
		}
	}
	if err := insertPairs(ctx, r, `INSERT INTO comment_mentions (comment_id, user_id) VALUES `, c.ID, c.MentionedUserIDs, ""); err != nil {
		return peopleError(err, "mentioned_user_ids")
	}
	c.MentionedUserIDs = sortedIDs(c.MentionedUserIDs)
	return nil
}

// AddComment stores a comment with its mentions on an item or a check-in of its
// organization.
func (db *DB) AddComment(ctx context.Context, c *cairn.Comment) error {
	if err := c.Validate(); err != nil {
		return err
	}
	table, kind, err := commentTable(c.Item.Type)
	if err != nil {
		return err
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = db.stamp()
	}
	return db.tx(ctx, "add comment", func(r runner) error {
		if ok, err := r.exists(ctx, `SELECT 1 FROM `+table+` WHERE id = ? AND org_id = ?`, c.Item.ID, c.OrgID); err != nil || !ok {
			return notFoundOr(err, kind, c.Item.ID)
		}
		return insertComment(ctx, r, c)
	})
}

// CommentByID returns a comment of the organization with its mentions.
func (db *DB) CommentByID(ctx context.Context, orgID, id int64) (*cairn.Comment, error) {
	var c *cairn.Comment
	err := db.snapshot(ctx, "comment by id", func(r runner) error {
		var err error
		c, err = scanComment(r.queryRow(ctx, `SELECT `+commentColumns+` FROM item_comments c WHERE c.id = ? AND c.org_id = ?`, id, orgID))
		if errors.Is(err, sql.ErrNoRows) {
			return cairn.NotFound("comment", id)
		}
		if err != nil {
			return err
		}
		return loadMentions(ctx, r, []*cairn.Comment{c}, `SELECT comment_id, user_id FROM comment_mentions WHERE comment_id = ?`, id)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// UpdateComment stores a comment's body, mentions and edit time.
func (db *DB) UpdateComment(ctx context.Context, c *cairn.Comment) error {
	if err := c.Validate(); err != nil {
		return err
	}
	c.EditedAt = cleanPtr(c.EditedAt)
	return db.tx(ctx, "update comment", func(r runner) error {
		n, err := r.affected(ctx, `UPDATE item_comments SET body = ?, edited_at = ? WHERE id = ? AND org_id = ?`,
			c.Body, nullTime(c.EditedAt), c.ID, c.OrgID)
		if err != nil {
			return err
		}
		if n == 0 {
			return cairn.NotFound("comment", c.ID)
		}
		return setMentions(ctx, r, c, false)
	})
}

// DeleteComment deletes a comment of the organization with its mentions.
func (db *DB) DeleteComment(ctx context.Context, orgID, id int64) error {
	return db.tx(ctx, "delete comment", func(r runner) error {
		n, err := r.affected(ctx, `DELETE FROM item_comments WHERE id = ? AND org_id = ?`, id, orgID)
		if err != nil {
			return err
		}
		if n == 0 {
			return cairn.NotFound("comment", id)
		}
		return nil
	})
}

// ListComments lists the comments on an item or a check-in, oldest first.
func (db *DB) ListComments(ctx context.Context, orgID int64, item cairn.Ref) ([]*cairn.Comment, error) {
	table, kind, err := commentTable(item.Type)
	if err != nil {
		return nil, err
	}
	var out []*cairn.Comment
	err = db.snapshot(ctx, "list comments", func(r runner) error {
		ok, err := r.exists(ctx, `SELECT 1 FROM `+table+` WHERE id = ? AND org_id = ?`, item.ID, orgID)
		if err != nil || !ok {
			return notFoundOr(err, kind, item.ID)
		}
		const where = `c.org_id = ? AND c.item_type = ? AND c.item_id = ?`
		out, err = listComments(ctx, r, where, orgID, item.Type, item.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListCheckInComments lists the comments on the check-ins of a key result or an
// initiative, oldest first, in two queries however many check-ins there are.
func (db *DB) ListCheckInComments(ctx context.Context, orgID int64, item cairn.Ref) ([]*cairn.Comment, error) {
	table, err := itemTable(item.Type)
	if err != nil {
		return nil, err
	}
	var out []*cairn.Comment
	err = db.snapshot(ctx, "list check-in comments", func(r runner) error {
		ok, err := r.exists(ctx, `SELECT 1 FROM `+table+` WHERE id = ? AND org_id = ?`, item.ID, orgID)
		if err != nil || !ok {
			return notFoundOr(err, itemKind(item.Type), item.ID)
		}
		const where = `c.org_id = ? AND c.item_type = 'check_in' AND c.item_id IN
			(SELECT id FROM check_ins WHERE org_id = ? AND item_type = ? AND item_id = ?)`
		out, err = listComments(ctx, r, where, orgID, orgID, item.Type, item.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// listComments lists the comments where selects, oldest first, with their mentions.
func listComments(ctx context.Context, r runner, where string, args ...any) ([]*cairn.Comment, error) {
	rows, err := r.query(ctx, `SELECT `+commentColumns+` FROM item_comments c WHERE `+where+` ORDER BY c.created_at, c.id`, args...)
	if err != nil {
		return nil, err
	}
	out := []*cairn.Comment{}
	for rows.Next() {
		c, err := scanComment(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	err = loadMentions(ctx, r, out, `SELECT m.comment_id, m.user_id FROM comment_mentions m
		JOIN item_comments c ON c.id = m.comment_id WHERE `+where, args...)
	return out, err
}

// loadMentions runs a query of (comment_id, user_id) rows and fills in the mentions of cs.
func loadMentions(ctx context.Context, r runner, cs []*cairn.Comment, q string, args ...any) error {
	ids, err := loadPairs(ctx, r, q, args...)
	if err != nil {
		return err
	}
	for _, c := range cs {
		c.MentionedUserIDs = orEmpty(ids[c.ID])
	}
	return nil
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

// deleteCheckIns deletes the check-ins a deletion removes, with the comments on them. which
// is a condition on the check-ins' item_type and item_id, with its arguments.
func deleteCheckIns(ctx context.Context, r runner, orgID int64, which string, args ...any) error {
	all := append([]any{orgID, orgID}, args...)
	_, err := r.exec(ctx, `DELETE FROM item_comments WHERE org_id = ? AND item_type = 'check_in' AND item_id IN
		(SELECT id FROM check_ins WHERE org_id = ? AND (`+which+`))`, all...)
	if err != nil {
		return err
	}
	_, err = r.exec(ctx, `DELETE FROM check_ins WHERE org_id = ? AND (`+which+`)`, append([]any{orgID}, args...)...)
	return err
}
