package cairn

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Comment is a remark on an objective, key result, initiative or check-in: the conversation
// around the numbers. Imports bring the comments of Viva Goals over with their author and
// time.
type Comment struct {
	ID        int64     `json:"id"`
	OrgID     int64     `json:"org_id"`
	Item      Ref       `json:"item"`
	AuthorID  *int64    `json:"author_id"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`

	// MentionedUserIDs are the members the body mentions with @ (see ParseMentions),
	// sorted. The service finds them whenever the body is written.
	MentionedUserIDs []int64 `json:"mentioned_user_ids"`
	// EditedAt is when the author last changed the body; nil when never.
	EditedAt *time.Time `json:"edited_at"`
}

// MaxCommentLength bounds a comment's body, in bytes.
const MaxCommentLength = 20000

// Validate checks a comment.
func (c *Comment) Validate() error {
	switch c.Item.Type {
	case ItemObjective, ItemKeyResult, ItemInitiative, ItemCheckIn:
	default:
		return FieldError("item.type", "comments are for objectives, key results, initiatives and check-ins, not %q", c.Item.Type)
	}
	if c.Item.ID <= 0 {
		return FieldError("item.id", "item id is required")
	}
	if strings.TrimSpace(c.Body) == "" {
		return FieldError("body", "body is required")
	}
	if len(c.Body) > MaxCommentLength {
		return FieldError("body", "body is longer than %d bytes", MaxCommentLength)
	}
	if c.MentionedUserIDs == nil {
		c.MentionedUserIDs = []int64{}
	}
	if err := validIDs("mentioned_user_ids", c.MentionedUserIDs); err != nil {
		return err
	}
	return nil
}

// ListComments lists the comments on an objective, key result, initiative or check-in,
// oldest first. Every member may read them.
func (s *Service) ListComments(ctx context.Context, org string, item Ref) ([]*Comment, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	return s.store.ListComments(ctx, a.org.ID, item)
}

// ListCheckInComments lists the comments on all the check-ins of a key result or an
// initiative, oldest first, so that a page shows every check-in's thread at once.
func (s *Service) ListCheckInComments(ctx context.Context, org string, item Ref) ([]*Comment, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	return s.store.ListCheckInComments(ctx, a.org.ID, item)
}

// Comment returns one comment of the organization.
func (s *Service) Comment(ctx context.Context, org string, id int64) (*Comment, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	return s.store.CommentByID(ctx, a.org.ID, id)
}

// AddComment comments on an objective, key result, initiative or check-in. Members and
// admins may comment on anything they can read, in open and closed periods alike, since a
// conversation changes no number; viewers read only. The author is the caller, and the
// members the body mentions are recorded.
func (s *Service) AddComment(ctx context.Context, org string, c *Comment) error {
	a, err := s.access(ctx, org)
	if err != nil {
		return err
	}
	if err := a.requireWriter("comment"); err != nil {
		return err
	}
	uid := a.user.ID
	c.ID, c.OrgID, c.AuthorID, c.EditedAt = 0, a.org.ID, &uid, nil
	c.MentionedUserIDs = []int64{}
	if err := c.Validate(); err != nil {
		return err
	}
	if err := s.commentTarget(ctx, a, c.Item); err != nil {
		return err
	}
	if c.MentionedUserIDs, err = s.mentions(ctx, a, c.Body); err != nil {
		return err
	}
	c.CreatedAt = s.now().UTC()
	return s.store.AddComment(ctx, c)
}

// UpdateComment changes a comment's body and the members it mentions; only its author may.
func (s *Service) UpdateComment(ctx context.Context, org string, id int64, body string) (*Comment, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	if err := a.requireWriter("edit comments"); err != nil {
		return nil, err
	}
	c, err := s.store.CommentByID(ctx, a.org.ID, id)
	if err != nil {
		return nil, err
	}
	if c.AuthorID == nil || *c.AuthorID != a.user.ID {
		return nil, Errorf(EFORBIDDEN, "only the author of a comment may edit it")
	}
	c.Body = body
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.MentionedUserIDs, err = s.mentions(ctx, a, c.Body); err != nil {
		return nil, err
	}
	at := s.now().UTC()
	c.EditedAt = &at
	if err := s.store.UpdateComment(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// DeleteComment deletes a comment; its author and organization admins may, so that admins
// can take down what should not stay.
func (s *Service) DeleteComment(ctx context.Context, org string, id int64) error {
	a, err := s.access(ctx, org)
	if err != nil {
		return err
	}
	if err := a.requireWriter("delete comments"); err != nil {
		return err
	}
	c, err := s.store.CommentByID(ctx, a.org.ID, id)
	if err != nil {
		return err
	}
	if !a.isAdmin() && (c.AuthorID == nil || *c.AuthorID != a.user.ID) {
		return Errorf(EFORBIDDEN, "only the author of a comment and organization admins may delete it")
	}
	return s.store.DeleteComment(ctx, a.org.ID, id)
}

// commentTarget checks that the item or check-in a comment is for exists in the
// organization.
func (s *Service) commentTarget(ctx context.Context, a *access, ref Ref) error {
	var err error
	switch ref.Type {
	case ItemObjective:
		_, err = s.store.ObjectiveByID(ctx, a.org.ID, ref.ID)
	case ItemKeyResult:
		_, err = s.store.KeyResultByID(ctx, a.org.ID, ref.ID)
	case ItemInitiative:
		_, err = s.store.InitiativeByID(ctx, a.org.ID, ref.ID)
	case ItemCheckIn:
		_, err = s.store.CheckInByID(ctx, a.org.ID, ref.ID)
	default:
		err = FieldError("item.type", "comments are for objectives, key results, initiatives and check-ins, not %q", ref.Type)
	}
	return err
}

// mentions returns the ids of the members the text mentions, sorted.
func (s *Service) mentions(ctx context.Context, a *access, text string) ([]int64, error) {
	if !strings.Contains(text, "@") {
		return []int64{}, nil
	}
	members, err := s.store.ListMembers(ctx, a.org.ID)
	if err != nil {
		return nil, err
	}
	ids := []int64{}
	for _, m := range ParseMentions(text, members) {
		if !slices.Contains(ids, m.UserID) {
			ids = append(ids, m.UserID)
		}
	}
	slices.Sort(ids)
	if len(ids) > 50 {
		return nil, FieldError("body", "a comment may mention at most 50 people, not %d", len(ids))
	}
	return ids, nil
}
