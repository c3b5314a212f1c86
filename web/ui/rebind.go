package ui

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-okr/cairn"
)

// rebindList is the re-bind checklist: the imported items whose progress an integration
// drove in Viva Goals, and those an admin added, until each has a data source again or is
// marked done. The organization's settings page and the import's result page show it.
type rebindList struct {
	Open []rebindRow
	// Done is how many entries are done.
	Done int
	// KeyResults and Initiatives are what the "Add an item" form offers: the key results
	// and initiatives of open periods that are not on the open list.
	KeyResults  []choice
	Initiatives []choice
	// Item and Reason are the add form as sent; Err its error.
	Item, Reason string
	Err          string
	// Notice says what an addition did when it is not plain to see.
	Notice string
}

// rebindRow is one open entry with its links.
type rebindRow struct {
	*cairn.RebindEntry
	// ItemURL opens the item; Wizard opens the data source wizard for it, when the server
	// has the Azure DevOps integration and the item can take a data source.
	ItemURL string
	Wizard  string
}

// rebindList loads the checklist of the request's organization.
func (u *UI) rebindList(q *request) (*rebindList, error) {
	ctx := q.r.Context()
	org := q.org.Slug
	entries, err := u.svc.RebindChecklist(ctx, org, true)
	if err != nil {
		return nil, err
	}
	l := &rebindList{}
	open := map[cairn.Ref]bool{}
	for _, e := range entries {
		if e.DoneAt != nil {
			l.Done++
			continue
		}
		open[e.Item] = true
		row := rebindRow{RebindEntry: e, ItemURL: itemURL(org, e.Item)}
		if u.azdo != nil && e.Item.Type != cairn.ItemObjective {
			row.Wizard = dsBase(org, e.Item)
		}
		l.Open = append(l.Open, row)
	}
	// Only items of open periods can take a data source.
	periods, err := u.svc.ListPeriods(ctx, org)
	if err != nil {
		return nil, err
	}
	var openPeriods []*cairn.Period
	for _, p := range periods {
		if !p.Closed() {
			openPeriods = append(openPeriods, p)
		}
	}
	label := func(title string, p *cairn.Period) string {
		if len(openPeriods) > 1 {
			return title + " · " + p.Name
		}
		return title
	}
	parents := map[cairn.Ref]*cairn.Period{}
	for _, p := range openPeriods {
		objs, err := u.svc.ListObjectives(ctx, org, cairn.ObjectiveQuery{PeriodID: p.ID})
		if err != nil {
			return nil, err
		}
		for _, o := range objs {
			parents[cairn.Ref{Type: cairn.ItemObjective, ID: o.ID}] = p
		}
		krs, err := u.svc.ListKeyResults(ctx, org, 0, p.ID)
		if err != nil {
			return nil, err
		}
		for _, k := range krs {
			ref := cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}
			parents[ref] = p
			if !open[ref] {
				l.KeyResults = append(l.KeyResults, choice{"key_result:" + strconv.FormatInt(k.ID, 10), label(k.Title, p)})
			}
		}
	}
	if len(parents) > 0 {
		is, err := u.svc.ListInitiatives(ctx, org, nil)
		if err != nil {
			return nil, err
		}
		for _, i := range is {
			p := parents[i.Parent]
			if p != nil && !open[cairn.Ref{Type: cairn.ItemInitiative, ID: i.ID}] {
				l.Initiatives = append(l.Initiatives, choice{"initiative:" + strconv.FormatInt(i.ID, 10), label(i.Title, p)})
			}
		}
	}
	byLabel := func(a, b choice) int { return strings.Compare(strings.ToLower(a.Label), strings.ToLower(b.Label)) }
	slices.SortStableFunc(l.KeyResults, byLabel)
	slices.SortStableFunc(l.Initiatives, byLabel)
	return l, nil
}

// addRebind puts a key result or initiative on the checklist.
func (u *UI) addRebind(q *request) error {
	if err := adminOnly(q, "change the re-bind checklist"); err != nil {
		return err
	}
	if err := parseForm(q); err != nil {
		return err
	}
	item, reason := q.r.PostForm.Get("item"), q.r.PostForm.Get("reason")
	ref, ok := rebindRef(item)
	e := &cairn.RebindEntry{Item: ref, Reason: reason}
	var err error
	if !ok {
		err = cairn.FieldError("item", "choose the key result or initiative to bind again")
	} else {
		err = u.svc.AddRebind(q.r.Context(), q.org.Slug, e)
	}
	if err != nil {
		if c := cairn.ErrorCode(err); c != cairn.EINVALID && c != cairn.ENOTFOUND {
			return err
		}
		return u.showRebind(q, http.StatusUnprocessableEntity, func(l *rebindList) {
			l.Item, l.Reason, l.Err = item, reason, cairn.ErrorMessage(err)
		})
	}
	if e.DoneAt != nil && q.htmx() {
		return u.showRebind(q, http.StatusOK, func(l *rebindList) {
			l.Notice = "“" + e.Title + "” has a data source already, so its entry is done."
		})
	}
	return u.afterRebind(q)
}

// rebindRef reads an item of the add form, such as "key_result:12".
func rebindRef(v string) (cairn.Ref, bool) {
	t, id, ok := strings.Cut(v, ":")
	n, err := strconv.ParseInt(id, 10, 64)
	if !ok || err != nil || n <= 0 {
		return cairn.Ref{}, false
	}
	switch cairn.ItemType(t) {
	case cairn.ItemKeyResult, cairn.ItemInitiative:
		return cairn.Ref{Type: cairn.ItemType(t), ID: n}, true
	}
	return cairn.Ref{}, false
}

// markRebindDone ticks an entry off.
func (u *UI) markRebindDone(q *request) error {
	if err := adminOnly(q, "change the re-bind checklist"); err != nil {
		return err
	}
	id, err := parseID(q.r.PathValue("id"))
	if err != nil {
		return err
	}
	if _, err := u.svc.MarkRebindDone(q.r.Context(), q.org.Slug, id); err != nil {
		return err
	}
	return u.afterRebind(q)
}

// afterRebind answers a change of the checklist: htmx gets the checklist again, a plain
// form goes back to the settings page.
func (u *UI) afterRebind(q *request) error {
	if !q.htmx() {
		return u.redirect(q, "/o/"+q.org.Slug+"/admin#rebind")
	}
	return u.showRebind(q, http.StatusOK, nil)
}

// showRebind renders the checklist, changed by edit when not nil: alone for htmx, else on
// the settings page.
func (u *UI) showRebind(q *request, status int, edit func(*rebindList)) error {
	l, err := u.rebindList(q)
	if err != nil {
		return err
	}
	if edit != nil {
		edit(l)
	}
	if q.htmx() {
		return u.renderBlock(q, status, "admin_settings", "rebind", u.view(q, "Re-bind checklist", "admin", l))
	}
	f, err := u.settings(q)
	if err != nil {
		return err
	}
	f.Rebind = l
	return u.render(q, status, "admin_settings", "Settings · "+q.org.Name, "admin", f)
}
