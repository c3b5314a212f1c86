package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
)

// closingOptions are the closing statuses a person may choose, after the one that follows
// the score.
var closingOptions = []statusOption{
	{string(progress.Achieved), "Achieved"},
	{string(progress.PartiallyAchieved), "Partially achieved"},
	{string(progress.Missed), "Missed"},
}

// closingLabel names a closing status for people.
func closingLabel(s progress.ClosingStatus) string {
	for _, o := range closingOptions {
		if o.Value == string(s) {
			return o.Label
		}
	}
	return ""
}

// scoreText shows a score with two decimals, as the close page and the drawer show it.
func scoreText(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

// closingPanel is the closing score and status of an objective or key result, in its
// drawer: chosen ahead of the close while the period is open, final once it is closed.
type closingPanel struct {
	// Suggested is the score the close would suggest today: the progress capped at 1.
	Suggested string
	// Score and Status are what is set: the form's values, or those typed when refused.
	Score  string
	Status string
	// Label names the set status, or the one the score suggests once closed.
	Label string
	// Final reports that the period is closed: the score and status are the final ones.
	Final bool
	// CanSet reports that the user may change them: the item's owners and editors while
	// the period is open, organization admins always.
	CanSet bool
	// CarriedFromURL and CarriedToURL link the copies a close made.
	CarriedFromURL string
	CarriedToURL   string
	Errs           map[string]string
	Saved          bool
}

// newClosingPanel builds the panel of an item whose progress, closing score and status and
// carry-forward links are given.
func newClosingPanel(org string, t cairn.ItemType, prog float64, score *float64, status progress.ClosingStatus, from, to *int64) *closingPanel {
	c := &closingPanel{Suggested: scoreText(progress.SuggestedScore(prog)), Status: string(status), Label: closingLabel(status)}
	if score != nil {
		c.Score = scoreText(*score)
	}
	if from != nil {
		c.CarriedFromURL = itemURL(org, cairn.Ref{Type: t, ID: *from})
	}
	if to != nil {
		c.CarriedToURL = itemURL(org, cairn.Ref{Type: t, ID: *to})
	}
	return c
}

// setClosing saves the closing score and status from a drawer's form and answers with the
// refreshed drawer, or with the form and what is wrong with it.
func (u *UI) setClosing(q *request) error {
	ctx := q.r.Context()
	t, err := kindOf(q.r)
	if err != nil {
		return err
	}
	if t != cairn.ItemObjective && t != cairn.ItemKeyResult {
		return notFound("page")
	}
	id, err := parseID(q.r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := parseForm(q); err != nil {
		return err
	}
	ref := cairn.Ref{Type: t, ID: id}
	typed := strings.TrimSpace(q.r.PostForm.Get("score"))
	status := progress.ClosingStatus(q.r.PostForm.Get("closing_status"))
	var score *float64
	var ferr error
	if typed != "" {
		v, perr := parseNumber(typed)
		if perr != nil || v < 0 || v > 1 {
			ferr = cairn.FieldError("score", "a score is a number from 0 to 1, like 0.7")
		}
		score = &v
	}
	if ferr == nil {
		// An empty score drops the one chosen ahead of the close; a closed period's items
		// keep theirs.
		if t == cairn.ItemObjective {
			up := cairn.ObjectiveUpdate{Score: score, ClosingStatus: &status}
			up.ClearScore, err = u.clearsScore(q, ref, typed)
			if err == nil {
				_, ferr = u.svc.UpdateObjective(ctx, q.org.Slug, id, up)
			}
		} else {
			up := cairn.KeyResultUpdate{Score: score, ClosingStatus: &status}
			up.ClearScore, err = u.clearsScore(q, ref, typed)
			if err == nil {
				_, ferr = u.svc.UpdateKeyResult(ctx, q.org.Slug, id, up)
			}
		}
		if err != nil {
			return err
		}
	}
	if ferr != nil && cairn.ErrorField(ferr) == "" {
		return ferr
	}
	if !q.htmx() && ferr == nil {
		return u.redirect(q, itemURL(q.org.Slug, ref))
	}
	d, err := u.loadDrawer(ctx, q, ref)
	if err != nil {
		return err
	}
	code := http.StatusOK
	if ferr != nil {
		// The form has two fields; an error about anything else shows at the score.
		field := cairn.ErrorField(ferr)
		if field != "closing_status" {
			field = "score"
		}
		d.Closing.Score, d.Closing.Status = typed, string(status)
		d.Closing.Errs = map[string]string{field: cairn.ErrorMessage(ferr)}
		code = http.StatusUnprocessableEntity
	} else {
		d.Closing.Saved = true
		q.w.Header().Set("HX-Trigger", "okrs-changed")
	}
	if q.htmx() {
		return u.renderBlock(q, code, "okrs", "drawer", u.view(q, d.Title, "okrs", d))
	}
	return u.itemFull(q, d, code)
}

// clearsScore reports whether an empty score field drops the item's score: only while its
// period is open, since a closed period's items keep a score.
func (u *UI) clearsScore(q *request, ref cairn.Ref, typed string) (bool, error) {
	if typed != "" {
		return false, nil
	}
	ctx := q.r.Context()
	var periodID int64
	switch ref.Type {
	case cairn.ItemObjective:
		o, err := u.svc.Objective(ctx, q.org.Slug, ref.ID)
		if err != nil {
			return false, err
		}
		periodID = o.PeriodID
	default:
		k, err := u.svc.KeyResult(ctx, q.org.Slug, ref.ID)
		if err != nil {
			return false, err
		}
		o, err := u.svc.Objective(ctx, q.org.Slug, k.ObjectiveID)
		if err != nil {
			return false, err
		}
		periodID = o.PeriodID
	}
	p, err := u.svc.Period(ctx, q.org.Slug, periodID)
	if err != nil {
		return false, err
	}
	return !p.Closed(), nil
}
