package cairn_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cairn-okr/cairn"
)

// TestComments checks the conversation around items and check-ins: who may comment, edit
// and delete, that mentions are found and kept, and that comments go with what they are on.
func TestComments(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, b *testBundle) {
		slug := b.org.Slug
		obj := b.objective(t, "Delight customers")
		kr := b.keyResult(t, obj.ID, "NPS to 50")
		ini := b.initiative(t, krRef(kr.ID), "Interview users")
		ci := &cairn.CheckIn{Item: krRef(kr.ID), Value: 20, Note: "first interviews"}
		must(t, b.svc.CheckIn(b.as("assignee"), slug, ci))
		checkInRef := cairn.Ref{Type: cairn.ItemCheckIn, ID: ci.ID}

		add := func(t *testing.T, actor string, item cairn.Ref, body string) *cairn.Comment {
			t.Helper()
			c := &cairn.Comment{Item: item, Body: body}
			must(t, b.svc.AddComment(b.as(actor), slug, c))
			return c
		}

		t.Run("OnEveryKind", func(t *testing.T) {
			for _, item := range []cairn.Ref{objRef(obj.ID), krRef(kr.ID), initRef(ini.ID), checkInRef} {
				c := add(t, "member", item, "about "+string(item.Type))
				cs, err := b.svc.ListComments(b.as("viewer"), slug, item)
				must(t, err)
				if len(cs) != 1 {
					t.Fatalf("%s: %d comments, want 1", item.Type, len(cs))
				}
				got := cs[0]
				if got.ID != c.ID || got.Item != item || got.OrgID != b.org.ID || got.AuthorID == nil || *got.AuthorID != b.id("member") ||
					got.Body != "about "+string(item.Type) || !got.CreatedAt.Equal(midQ2) || got.EditedAt != nil {
					t.Fatalf("%s: comment = %+v", item.Type, got)
				}
			}
			cs, err := b.svc.ListCheckInComments(b.as("viewer"), slug, krRef(kr.ID))
			must(t, err)
			if len(cs) != 1 || cs[0].Item != checkInRef {
				t.Fatalf("comments on the key result's check-ins = %+v", cs)
			}
		})

		t.Run("MentionsAreFoundAndKept", func(t *testing.T) {
			// "owner" is both a name and a handle of one member; outsider is no member of
			// fabrikam; the email address mentions no one.
			c := add(t, "member", objRef(obj.ID), "@owner and @Editor, see viewer@example.com and @outsider")
			want := []int64{b.id("owner"), b.id("editor")}
			slices.Sort(want)
			if !slices.Equal(c.MentionedUserIDs, want) {
				t.Fatalf("mentioned = %v, want %v", c.MentionedUserIDs, want)
			}
			got, err := b.svc.Comment(b.as("viewer"), slug, c.ID)
			must(t, err)
			if !slices.Equal(got.MentionedUserIDs, want) {
				t.Fatalf("stored mentions = %v, want %v", got.MentionedUserIDs, want)
			}
			plain := add(t, "member", objRef(obj.ID), "no one here")
			if plain.MentionedUserIDs == nil || len(plain.MentionedUserIDs) != 0 {
				t.Fatalf("mentions of a plain comment = %#v, want empty", plain.MentionedUserIDs)
			}
		})

		t.Run("ErrInvalid", func(t *testing.T) {
			for _, tc := range []struct {
				name  string
				c     cairn.Comment
				field string
			}{
				{"ErrInvalidEmptyBody", cairn.Comment{Item: objRef(obj.ID), Body: "  \n "}, "body"},
				{"ErrInvalidBodyTooLong", cairn.Comment{Item: objRef(obj.ID), Body: strings.Repeat("x", cairn.MaxCommentLength+1)}, "body"},
				{"ErrInvalidItemType", cairn.Comment{Item: cairn.Ref{Type: cairn.ItemDataSource, ID: 1}, Body: "x"}, "item.type"},
				{"ErrInvalidItemID", cairn.Comment{Item: cairn.Ref{Type: cairn.ItemObjective}, Body: "x"}, "item.id"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					c := tc.c
					wantField(t, b.svc.AddComment(b.as("member"), slug, &c), tc.field)
				})
			}
			wantCode(t, b.svc.AddComment(b.as("member"), slug, &cairn.Comment{Item: krRef(999999), Body: "x"}), cairn.ENOTFOUND)
			wantCode(t, b.svc.AddComment(b.as("member"), slug, &cairn.Comment{Item: cairn.Ref{Type: cairn.ItemCheckIn, ID: 999999}, Body: "x"}), cairn.ENOTFOUND)
		})

		t.Run("WhoMayComment", func(t *testing.T) {
			before, err := b.svc.ListComments(b.as("admin"), slug, initRef(ini.ID))
			must(t, err)
			for actor, code := range map[string]string{"viewer": cairn.EFORBIDDEN, "anonymous": cairn.EUNAUTHORIZED, "outsider": cairn.ENOTFOUND} {
				wantCode(t, b.svc.AddComment(b.as(actor), slug, &cairn.Comment{Item: initRef(ini.ID), Body: "hello"}), code)
			}
			after, err := b.svc.ListComments(b.as("admin"), slug, initRef(ini.ID))
			must(t, err)
			if len(after) != len(before) {
				t.Fatalf("refused comments were stored: %d comments, want %d", len(after), len(before))
			}
			// Tenant admins and every member may, whether or not they own the item.
			for _, actor := range []string{"tenant", "admin", "assignee", "member"} {
				add(t, actor, initRef(ini.ID), "from "+actor)
			}
		})

		t.Run("OnlyTheAuthorEdits", func(t *testing.T) {
			c := add(t, "member", krRef(kr.ID), "draft")
			for _, actor := range []string{"admin", "tenant", "owner", "viewer"} {
				_, err := b.svc.UpdateComment(b.as(actor), slug, c.ID, "taken over")
				wantCode(t, err, cairn.EFORBIDDEN)
			}
			_, err := b.svc.UpdateComment(b.as("outsider"), slug, c.ID, "taken over")
			wantCode(t, err, cairn.ENOTFOUND)
			_, err = b.svc.UpdateComment(b.as("member"), slug, c.ID, "")
			wantField(t, err, "body")
			got, err := b.svc.Comment(b.as("admin"), slug, c.ID)
			must(t, err)
			if got.Body != "draft" || got.EditedAt != nil {
				t.Fatalf("comment after refused edits = %+v", got)
			}

			later := midQ2.Add(2 * time.Hour)
			b.clock.Set(later)
			defer b.clock.Set(midQ2)
			edited, err := b.svc.UpdateComment(b.as("member"), slug, c.ID, "final, thanks @viewer")
			must(t, err)
			got, err = b.svc.Comment(b.as("viewer"), slug, c.ID)
			must(t, err)
			if edited.Body != "final, thanks @viewer" || got.Body != edited.Body || got.EditedAt == nil || !got.EditedAt.Equal(later) ||
				!got.CreatedAt.Equal(midQ2) || !slices.Equal(got.MentionedUserIDs, []int64{b.id("viewer")}) {
				t.Fatalf("edited comment = %+v", got)
			}
		})

		t.Run("AuthorAndAdminsDelete", func(t *testing.T) {
			mine := add(t, "member", objRef(obj.ID), "mine")
			theirs := add(t, "editor", objRef(obj.ID), "theirs")
			for _, actor := range []string{"editor", "owner", "viewer"} {
				wantCode(t, b.svc.DeleteComment(b.as(actor), slug, mine.ID), cairn.EFORBIDDEN)
			}
			must(t, b.svc.DeleteComment(b.as("member"), slug, mine.ID))
			must(t, b.svc.DeleteComment(b.as("admin"), slug, theirs.ID))
			for _, id := range []int64{mine.ID, theirs.ID} {
				_, err := b.svc.Comment(b.as("admin"), slug, id)
				wantCode(t, err, cairn.ENOTFOUND)
			}
			wantCode(t, b.svc.DeleteComment(b.as("member"), slug, mine.ID), cairn.ENOTFOUND)
		})

		t.Run("CommentsGoWithWhatTheyAreOn", func(t *testing.T) {
			k := b.keyResult(t, obj.ID, "To delete")
			c := &cairn.CheckIn{Item: krRef(k.ID), Value: 5}
			must(t, b.svc.CheckIn(b.as("assignee"), slug, c))
			onItem := add(t, "member", krRef(k.ID), "on the key result")
			onCheckIn := add(t, "member", cairn.Ref{Type: cairn.ItemCheckIn, ID: c.ID}, "on its check-in")
			kept := add(t, "member", checkInRef, "on another check-in")
			must(t, b.svc.DeleteKeyResult(b.as("admin"), slug, k.ID))
			for _, id := range []int64{onItem.ID, onCheckIn.ID} {
				_, err := b.db.CommentByID(ctx, b.org.ID, id)
				wantCode(t, err, cairn.ENOTFOUND)
			}
			if _, err := b.db.CommentByID(ctx, b.org.ID, kept.ID); err != nil {
				t.Fatalf("a comment on another check-in went too: %v", err)
			}
		})
	})
}
