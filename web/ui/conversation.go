package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
)

// commentView is one comment as the drawer shows it.
type commentView struct {
	ID     int64
	Author string
	At     time.Time
	Edited *time.Time
	// Parts is the body cut into plain text and the mentions, which the page highlights.
	Parts []textPart
	// Body is the text as written, for the edit form.
	Body      string
	CanEdit   bool
	CanDelete bool
}

// textPart is a run of a comment's text; a mention names the member it mentions.
type textPart struct {
	Text    string
	Mention string
}

// commentForm keeps a refused comment as the user wrote it, next to its error: on the item
// (Target is the item), on a check-in, or an edit of a comment (Editing).
type commentForm struct {
	Target  cairn.Ref
	Editing int64
	Body    string
	Err     string
	Saved   bool
}

// thread is what the thread template shows: comments with the form to add one, and what a
// refused form brings back.
type thread struct {
	Comments   []commentView
	CanComment bool
	Action     string
	InputID    string
	// Reply marks the thread of a check-in.
	Reply bool
	// Body, Err and Saved are the new-comment form's; EditID, EditBody and EditErr a refused
	// edit's.
	Body     string
	Err      string
	Saved    bool
	EditID   int64
	EditBody string
	EditErr  string
}

// thread returns the thread of the item or check-in target.
func (d *drawer) thread(org string, target cairn.Ref, comments []commentView) thread {
	t := thread{Comments: comments, CanComment: d.CanComment, Reply: target.Type == cairn.ItemCheckIn}
	id := strconv.FormatInt(target.ID, 10)
	if t.Reply {
		t.Action, t.InputID = "/o/"+org+"/check-ins/"+id+"/comments", "reply-"+id
	} else {
		t.Action, t.InputID = "/o/"+org+"/"+kindPath(target.Type)+"/"+id+"/comments", "comment-body"
	}
	f := d.CommentForm
	switch {
	case f.Target != target:
	case f.Editing != 0:
		t.EditID, t.EditBody, t.EditErr = f.Editing, f.Body, f.Err
	default:
		t.Body, t.Err, t.Saved = f.Body, f.Err, f.Saved
	}
	return t
}

// ItemThread returns the thread of the drawer's item.
func (d *drawer) ItemThread() thread { return d.thread(d.Org, d.ref(), d.Comments) }

// CheckInThread returns the thread of one of the drawer's check-ins.
func (d *drawer) CheckInThread(c checkInRow) thread {
	return d.thread(d.Org, cairn.Ref{Type: cairn.ItemCheckIn, ID: c.ID}, c.Comments)
}

// historyRow is one event of the audit trail, in words.
type historyRow struct {
	At      time.Time
	Actor   string
	What    string
	Changes []changeRow
}

// changeRow is one field an event changed.
type changeRow struct {
	Field  string
	Before string
	After  string
}

// loadConversation fills in the drawer's comments, the threads of its check-ins and its
// history.
func (u *UI) loadConversation(ctx context.Context, q *request, d *drawer, members []*cairn.Member) error {
	org := q.org.Slug
	d.Org = org
	names := memberNames(members)
	cs, err := u.svc.ListComments(ctx, org, d.ref())
	if err != nil {
		return err
	}
	d.Comments = commentViews(q, cs, members, names)
	if len(d.CheckIns) > 0 {
		cs, err := u.svc.ListCheckInComments(ctx, org, d.ref())
		if err != nil {
			return err
		}
		byCheckIn := map[int64][]*cairn.Comment{}
		for _, c := range cs {
			byCheckIn[c.Item.ID] = append(byCheckIn[c.Item.ID], c)
		}
		for n := range d.CheckIns {
			d.CheckIns[n].Comments = commentViews(q, byCheckIn[d.CheckIns[n].ID], members, names)
		}
	}
	events, err := u.svc.History(ctx, org, d.ref(), 200)
	if err != nil {
		return err
	}
	for _, e := range events {
		d.History = append(d.History, historyEntry(e, d.ref(), names))
	}
	return nil
}

func commentViews(q *request, cs []*cairn.Comment, members []*cairn.Member, names map[int64]string) []commentView {
	out := make([]commentView, 0, len(cs))
	for _, c := range cs {
		v := commentView{ID: c.ID, Author: "A former member", At: c.CreatedAt, Edited: c.EditedAt, Body: c.Body,
			Parts: mentionParts(c.Body, c.MentionedUserIDs, members, names)}
		mine := c.AuthorID != nil && *c.AuthorID == q.user.ID
		if c.AuthorID != nil {
			if n, ok := names[*c.AuthorID]; ok {
				v.Author = n
			}
		} else {
			v.Author = "Someone"
		}
		v.CanEdit = mine && q.canWrite()
		v.CanDelete = (mine && q.canWrite()) || q.isAdmin()
		out = append(out, v)
	}
	return out
}

// mentionParts cuts a body into text and the mentions of the members it was found to
// mention when written; an @ that mentions no one stays text.
func mentionParts(body string, mentioned []int64, members []*cairn.Member, names map[int64]string) []textPart {
	var out []textPart
	at := 0
	for _, m := range cairn.ParseMentions(body, members) {
		if !slices.Contains(mentioned, m.UserID) {
			continue
		}
		if m.Start > at {
			out = append(out, textPart{Text: body[at:m.Start]})
		}
		out = append(out, textPart{Text: body[m.Start:m.End], Mention: names[m.UserID]})
		at = m.End
	}
	if at < len(body) {
		out = append(out, textPart{Text: body[at:]})
	}
	return out
}

// historyEntry puts an audit event in words for the history of the item ref.
func historyEntry(e *cairn.AuditEvent, ref cairn.Ref, names map[int64]string) historyRow {
	row := historyRow{At: e.CreatedAt, Actor: "Cairn"}
	if e.ActorID != nil {
		row.Actor = "A former member"
		if n, ok := names[*e.ActorID]; ok {
			row.Actor = n
		}
	}
	kind := strings.ToLower(kindName(e.Subject.Type))
	switch {
	case e.Subject.Type == cairn.ItemCheckIn:
		row.What = "checked in"
	case e.Subject.Type == cairn.ItemDataSource && e.Action == cairn.AuditCreated:
		row.What = "connected it to Azure DevOps"
	case e.Subject.Type == cairn.ItemDataSource && e.Action == cairn.AuditDeleted:
		row.What = "disconnected it from Azure DevOps"
	case e.Subject.Type == cairn.ItemDataSource && movedTarget(e) != nil:
		// A close that carries a key result forward moves its data source to the copy.
		if to := movedTarget(e); *to == ref {
			row.What = "moved its data source here, from the key result it carried forward"
		} else {
			row.What = "moved its data source to " + strings.ToLower(kindName(to.Type)) + " #" + strconv.FormatInt(to.ID, 10) + ", its copy in the next period"
		}
	case e.Subject.Type == cairn.ItemDataSource:
		row.What = "changed its data source"
	case e.Subject == ref && e.Action == cairn.AuditCreated:
		row.What = "created this " + kind
	case e.Subject == ref && e.Action == cairn.AuditDeleted:
		row.What = "deleted this " + kind
	case e.Subject == ref:
		row.What = "changed this " + kind
	case e.Action == cairn.AuditDeleted:
		row.What = "deleted the " + kind + " " + strconv.Quote(titleOf(e))
	default:
		row.What = string(e.Action) + " the " + kind + " " + strconv.Quote(titleOf(e))
	}
	if e.Action == cairn.AuditDeleted {
		// A deletion lists the whole item; its title says enough.
		return row
	}
	for _, c := range e.Changes {
		row.Changes = append(row.Changes, changeRow{Field: fieldLabel(c.Field), Before: fieldValue(c.Field, c.Before, names),
			After: fieldValue(c.Field, c.After, names)})
	}
	return row
}

// movedTarget returns the item a data source's change moved it to, or nil when the change
// kept its target.
func movedTarget(e *cairn.AuditEvent) *cairn.Ref {
	for _, c := range e.Changes {
		if c.Field != "target" || emptyRaw(c.Before) {
			continue
		}
		var t cairn.Target
		if json.Unmarshal(c.After, &t) == nil && t.ID > 0 {
			r := t.Ref()
			return &r
		}
	}
	return nil
}

func emptyRaw(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null"
}

// titleOf returns the title an event's changes give its subject.
func titleOf(e *cairn.AuditEvent) string {
	for _, c := range e.Changes {
		if c.Field == "title" {
			var s string
			if json.Unmarshal(c.Before, &s) == nil && s != "" {
				return s
			}
			_ = json.Unmarshal(c.After, &s)
			return s
		}
	}
	return "#" + strconv.FormatInt(e.Subject.ID, 10)
}

// fieldLabels names the audited fields for people.
var fieldLabels = map[string]string{
	"title": "Title", "description": "Description", "level": "Level", "team_id": "Team", "aspirational": "Aspirational",
	"owner_ids": "Owners", "editor_ids": "Editors", "checkin_owner_ids": "Check-in owners", "parent": "Aligned to",
	"weight": "Weight", "score": "Score", "period_id": "Period", "objective_id": "Objective",
	"metric.kind": "Metric kind", "metric.start": "Start", "metric.target": "Target", "metric.unit": "Unit",
	"metric": "Metric", "progress_source": "Progress comes from", "contributes": "Counts towards its parent",
	"progress_mode": "Progress", "value": "Value", "status": "Status", "note": "Note", "confidence": "Confidence",
	"connection_id": "Connection", "method": "Method", "query_id": "Query", "query_name": "Query path",
	"work_item_type": "Work item type", "work_item_ids": "Work items", "progress_type": "Progress type",
	"measure": "Measure", "count_total": "Count the total", "resolved_is_complete": "Resolved counts as complete",
	"paused": "Paused", "target": "Target", "parents": "Also aligned to", "carried_from_id": "Carried forward from",
	"closing_status": "Closing status", "metric.goal": "Goal", "metric.baseline_pending": "Baseline pending",
	"metric.milestones": "Milestones",
}

func fieldLabel(f string) string {
	if l, ok := fieldLabels[f]; ok {
		return l
	}
	return strings.ReplaceAll(f, "_", " ")
}

// fieldValue writes a JSON value of an audited field for people: names for lists of people,
// yes or no, numbers as numbers, and "—" for nothing.
func fieldValue(field string, raw json.RawMessage, names map[int64]string) string {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || v == nil {
		return "—"
	}
	switch x := v.(type) {
	case string:
		if x == "" {
			return "—"
		}
		if len(x) > 300 {
			x = x[:300] + "…"
		}
		return x
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return num(f)
		}
		return x.String()
	case []any:
		if len(x) == 0 {
			return "nobody"
		}
		var parts []string
		for _, e := range x {
			s := strings.Trim(string(rawOf(e)), `"`)
			if strings.HasSuffix(field, "_ids") && field != "work_item_ids" {
				if id, err := strconv.ParseInt(s, 10, 64); err == nil {
					if n, ok := names[id]; ok {
						s = n
					}
				}
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		if t, ok := x["type"].(string); ok {
			return strings.ToLower(kindName(cairn.ItemType(t))) + " #" + string(rawOf(x["id"]))
		}
	}
	return string(raw)
}

func rawOf(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// commentTarget reads what a comment form is for from its path: an item kind and id, or a
// check-in.
func commentTarget(r *http.Request) (cairn.Ref, error) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return cairn.Ref{}, err
	}
	if strings.Contains(r.URL.Path, "/check-ins/") {
		return cairn.Ref{Type: cairn.ItemCheckIn, ID: id}, nil
	}
	t, err := kindOf(r)
	if err != nil {
		return cairn.Ref{}, err
	}
	return cairn.Ref{Type: t, ID: id}, nil
}

// threadItem returns the item whose drawer shows a comment's thread: the item itself, or
// the item of a check-in.
func (u *UI) threadItem(ctx context.Context, q *request, target cairn.Ref) (cairn.Ref, error) {
	if target.Type != cairn.ItemCheckIn {
		return target, nil
	}
	c, err := u.svc.CheckInByID(ctx, q.org.Slug, target.ID)
	if err != nil {
		return cairn.Ref{}, err
	}
	return c.Item, nil
}

// addComment posts a comment on an item or a check-in and answers with the drawer.
func (u *UI) addComment(q *request) error {
	ctx := q.r.Context()
	target, err := commentTarget(q.r)
	if err != nil {
		return err
	}
	if err := parseForm(q); err != nil {
		return err
	}
	item, err := u.threadItem(ctx, q, target)
	if err != nil {
		return err
	}
	form := commentForm{Target: target, Body: q.r.PostForm.Get("body")}
	formID := q.r.PostForm.Get("form_id")
	if _, ok := u.forms.claim(formID); !ok {
		return u.redirect(q, itemURL(q.org.Slug, item))
	}
	c := &cairn.Comment{Item: target, Body: form.Body}
	if err := u.svc.AddComment(ctx, q.org.Slug, c); err != nil {
		u.forms.release(formID)
		if !formProblem(err) {
			return err
		}
		form.Err = cairn.ErrorMessage(err)
		return u.conversationAnswer(q, item, form, http.StatusUnprocessableEntity)
	}
	u.forms.done(formID, itemURL(q.org.Slug, item))
	return u.conversationAnswer(q, item, commentForm{Target: target, Saved: true}, http.StatusOK)
}

// editComment changes a comment's body and answers with the drawer.
func (u *UI) editComment(q *request) error {
	ctx := q.r.Context()
	id, err := parseID(q.r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := parseForm(q); err != nil {
		return err
	}
	c, err := u.svc.Comment(ctx, q.org.Slug, id)
	if err != nil {
		return err
	}
	item, err := u.threadItem(ctx, q, c.Item)
	if err != nil {
		return err
	}
	form := commentForm{Target: c.Item, Editing: id, Body: q.r.PostForm.Get("body")}
	if _, err := u.svc.UpdateComment(ctx, q.org.Slug, id, form.Body); err != nil {
		if !formProblem(err) {
			return err
		}
		form.Err = cairn.ErrorMessage(err)
		return u.conversationAnswer(q, item, form, http.StatusUnprocessableEntity)
	}
	return u.conversationAnswer(q, item, commentForm{Target: c.Item, Saved: true}, http.StatusOK)
}

// deleteComment deletes a comment and answers with the drawer.
func (u *UI) deleteComment(q *request) error {
	ctx := q.r.Context()
	id, err := parseID(q.r.PathValue("id"))
	if err != nil {
		return err
	}
	c, err := u.svc.Comment(ctx, q.org.Slug, id)
	if err != nil {
		return err
	}
	item, err := u.threadItem(ctx, q, c.Item)
	if err != nil {
		return err
	}
	if err := u.svc.DeleteComment(ctx, q.org.Slug, id); err != nil {
		return err
	}
	return u.conversationAnswer(q, item, commentForm{Target: c.Item}, http.StatusOK)
}

// formProblem reports whether an error is about what the user typed, to show at the form.
func formProblem(err error) bool {
	code := cairn.ErrorCode(err)
	return code == cairn.EINVALID || code == cairn.ECONFLICT
}

// conversationAnswer answers a comment form: htmx gets the item's drawer with the form's
// outcome, a plain form that worked goes back to the item, and one that did not gets the
// page with the drawer.
func (u *UI) conversationAnswer(q *request, item cairn.Ref, form commentForm, status int) error {
	if !q.htmx() && status == http.StatusOK {
		to := itemURL(q.org.Slug, item)
		if form.Target.Type == cairn.ItemCheckIn {
			to += "#check-in-" + strconv.FormatInt(form.Target.ID, 10)
		} else {
			to += "#comments"
		}
		return u.redirect(q, to)
	}
	d, err := u.loadDrawer(q.r.Context(), q, item)
	if err != nil {
		return err
	}
	d.CommentForm = form
	if form.Target.Type == cairn.ItemCheckIn {
		d.OpenThread = form.Target.ID
	}
	if q.htmx() {
		return u.renderBlock(q, status, "okrs", "drawer", u.view(q, d.Title, "okrs", d))
	}
	return u.itemFull(q, d, status)
}
