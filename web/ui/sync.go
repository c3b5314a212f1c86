package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cairn-okr/cairn"
)

// syncWait is how long the data source card polls for a requested sync before it stops
// and says the sync is still queued.
const syncWait = 2 * time.Minute

// syncTicket is a sync someone asked for: the newest sync log entry before the request,
// and when it was made. The sync is done once a newer entry exists, or, for "Sync now",
// which records a request on the connection, once that request is cleared without one.
type syncTicket struct {
	After int64
	Since time.Time
	// Requested is set for "Sync now"; a new data source's first sync is queued without
	// a request on the connection.
	Requested bool
}

// query encodes the ticket for the status URL and for the item page after a plain form.
func (t syncTicket) query() string {
	v := url.Values{}
	v.Set("sync_after", strconv.FormatInt(t.After, 10))
	v.Set("sync_since", strconv.FormatInt(t.Since.Unix(), 10))
	if t.Requested {
		v.Set("sync_req", "1")
	}
	return v.Encode()
}

// readTicket reads a ticket from a query string; ok is false when it holds none.
func readTicket(v url.Values) (syncTicket, bool) {
	if !v.Has("sync_after") {
		return syncTicket{}, false
	}
	after, err1 := strconv.ParseInt(v.Get("sync_after"), 10, 64)
	since, err2 := strconv.ParseInt(v.Get("sync_since"), 10, 64)
	if err1 != nil || err2 != nil || after < 0 {
		return syncTicket{}, false
	}
	return syncTicket{After: after, Since: time.Unix(since, 0), Requested: v.Get("sync_req") == "1"}, true
}

// syncProgress is what the data source card shows while a sync it asked for runs.
type syncProgress struct {
	Label string
	// Elapsed is how long the sync has been asked for, such as "4 s", while it polls.
	Elapsed string
	PollURL string
	// Polling is false once the card has waited syncWait.
	Polling bool
	// PageURL reloads the item page with the same ticket, for browsers without scripts.
	PageURL string
}

// latestRunID returns the id of a data source's newest sync log entry, or 0.
func (u *UI) latestRunID(ctx context.Context, org string, dataSourceID int64) (int64, error) {
	runs, err := u.azdo.Runs(ctx, org, dataSourceID, 1)
	if err != nil {
		return 0, err
	}
	if len(runs) == 0 {
		return 0, nil
	}
	return runs[0].ID, nil
}

// syncDone reports whether the ticket's sync has finished for the card's data source, with
// what the card should say about it.
func syncDone(c *sourceCard, t syncTicket) (bool, string) {
	if len(c.Runs) > 0 && c.Runs[0].ID > t.After {
		r := c.Runs[0]
		switch {
		case r.Error != nil:
			return true, "The sync failed: " + r.Error.Message
		case r.ValueBefore != nil && r.ValueAfter != nil && *r.ValueBefore != *r.ValueAfter:
			return true, fmt.Sprintf("Synced %s work items: %s → %s.", num(float64(r.ItemCount)), num(*r.ValueBefore), num(*r.ValueAfter))
		case r.ValueAfter != nil:
			return true, fmt.Sprintf("Synced %s work items: the value stays %s.", num(float64(r.ItemCount)), num(*r.ValueAfter))
		}
		return true, fmt.Sprintf("Synced %s work items.", num(float64(r.ItemCount)))
	}
	if t.Requested && c.Connection != nil && c.Connection.SyncRequestedAt == nil && !c.DS.Paused {
		// The request was served without a log entry for this data source (its period
		// closed, or a switch went off in the meantime).
		return true, "The sync finished without changes to this item."
	}
	return false, ""
}

// progressOf describes a pending sync.
func (u *UI) progressOf(q *request, ref cairn.Ref, t syncTicket, first bool) *syncProgress {
	elapsed := max(u.now().Sub(t.Since), 0)
	p := &syncProgress{
		PollURL: dsBase(q.org.Slug, ref) + "/sync-status?" + t.query(),
		PageURL: itemURL(q.org.Slug, ref) + "?" + t.query(),
		Polling: elapsed < syncWait,
	}
	switch {
	case first:
		p.Label = "Queued…"
	case !p.Polling:
		p.Label = "The sync is still queued; the sync log shows it once it has run."
	default:
		p.Label = "Syncing with Azure DevOps…"
		p.Elapsed = fmt.Sprintf("%d s", int(elapsed.Round(time.Second)/time.Second))
	}
	return p
}

// syncNow queues a sync of the item's connection and answers at once with the data
// source card, which polls until the sync is done.
func (u *UI) syncNow(q *request) error {
	ref, err := itemRef(q)
	if err != nil {
		return err
	}
	ctx := q.r.Context()
	d, err := u.azdo.DataSourceForItem(ctx, q.org.Slug, ref)
	if err != nil {
		return err
	}
	after, err := u.latestRunID(ctx, q.org.Slug, d.ID)
	if err != nil {
		return err
	}
	t := syncTicket{After: after, Since: u.now(), Requested: true}
	if _, err := u.azdo.SyncNow(ctx, q.org.Slug, d.ID, false); err != nil {
		if code := cairn.ErrorCode(err); code == cairn.EINTERNAL || code == cairn.EFORBIDDEN || code == cairn.ENOTFOUND {
			return err
		}
		// The card's form targets the card; the answer is the whole drawer.
		q.w.Header().Set("HX-Retarget", "#drawer")
		q.w.Header().Set("HX-Reswap", "innerHTML")
		return u.drawerAfter(q, ref, cairn.ErrorMessage(err))
	}
	return u.answerSync(q, ref, t, true)
}

// syncStatus answers the card's poll: the progress while the sync is pending, then the
// refreshed card with the item's value, chart and check-ins.
func (u *UI) syncStatus(q *request) error {
	ref, err := itemRef(q)
	if err != nil {
		return err
	}
	t, ok := readTicket(q.r.URL.Query())
	if !ok {
		return cairn.Errorf(cairn.EINVALID, "the sync status needs sync_after and sync_since")
	}
	return u.answerSync(q, ref, t, false)
}

// answerSync renders the state of a requested sync: for htmx the card (or only its status
// line while polling) and, once done, the item's value, chart and check-ins out of band;
// for a plain form the item page.
func (u *UI) answerSync(q *request, ref cairn.Ref, t syncTicket, first bool) error {
	if !q.htmx() {
		return u.redirect(q, itemURL(q.org.Slug, ref)+"?"+t.query())
	}
	ctx := q.r.Context()
	card, err := u.sourceCard(ctx, q, ref)
	if err != nil {
		return err
	}
	if card == nil {
		// The data source went away meanwhile: show the item as it is now.
		q.w.Header().Set("HX-Retarget", "#drawer")
		q.w.Header().Set("HX-Reswap", "innerHTML")
		return u.drawerAfter(q, ref, "")
	}
	if done, notice := syncDone(card, t); done {
		d, err := u.loadDrawer(ctx, q, ref)
		if err != nil {
			return err
		}
		if d.Source == nil {
			d.Source = card
		}
		d.Source.Notice = notice
		d.OOB = true
		h := q.w.Header()
		h.Set("HX-Retarget", "#source-card")
		h.Set("HX-Reswap", "outerHTML")
		h.Set("HX-Trigger", "okrs-changed")
		return u.renderBlock(q, http.StatusOK, "okrs", "sync-done", u.view(q, d.Title, "okrs", d))
	}
	card.Sync = u.progressOf(q, ref, t, first)
	if first {
		return u.renderBlock(q, http.StatusAccepted, "okrs", "source-card", u.view(q, "", "okrs", card))
	}
	return u.renderBlock(q, http.StatusOK, "okrs", "sync-status", u.view(q, "", "okrs", card))
}

// ticketProgress sets the card's progress, or its notice once done, for an item page
// opened with a sync ticket.
func (u *UI) ticketProgress(q *request, ref cairn.Ref, c *sourceCard) {
	t, ok := readTicket(q.r.URL.Query())
	if !ok || c == nil {
		return
	}
	if done, notice := syncDone(c, t); done {
		if u.now().Sub(t.Since) < syncWait {
			c.Notice = notice
		}
		return
	}
	c.Sync = u.progressOf(q, ref, t, false)
}

// connected answers the wizard's Save: the item with its new data source card, which
// polls until the first sync, queued with the data source, is done.
func (u *UI) connected(q *request, ref cairn.Ref, since time.Time) error {
	t := syncTicket{Since: since}
	q.w.Header().Set("HX-Trigger", "okrs-changed")
	if !inDrawer(q) {
		// A plain form, or the wizard on a page of its own: the item page shows the progress.
		return u.redirect(q, itemURL(q.org.Slug, ref)+"?"+t.query())
	}
	d, err := u.loadDrawer(q.r.Context(), q, ref)
	if err != nil {
		return err
	}
	if c := d.Source; c != nil {
		if done, _ := syncDone(c, t); done {
			// The first sync finished while the drawer loaded, perhaps after the item's
			// value was read: load it again so that the value and the sync log agree.
			if d, err = u.loadDrawer(q.r.Context(), q, ref); err != nil {
				return err
			}
		}
	}
	if c := d.Source; c != nil {
		c.Notice = "Connected to Azure DevOps."
		if done, notice := syncDone(c, t); done {
			c.Notice += " " + notice
		} else {
			c.Sync = u.progressOf(q, ref, t, true)
		}
	}
	return u.renderBlock(q, http.StatusOK, "okrs", "drawer", u.view(q, d.Title, "okrs", d))
}
