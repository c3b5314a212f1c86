package cairn

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Item sources a filter may select: an Azure DevOps data source sets the item's progress, or
// it does not (people check in, or it rolls up from what aligns to it).
const (
	FilterSourceAzureDevOps = "azure-devops"
	FilterSourceManual      = "manual"
)

// ViewFilter selects the items of the OKR list: the filter of a saved view and of an export.
// Zero fields do not filter. Period, team and level are the objective's: a key result or
// an initiative goes with its objective. Owner, status, type and source are each item's own.
type ViewFilter struct {
	// PeriodIDs are the periods to show; none means every period.
	PeriodIDs []int64 `json:"period_ids"`
	TeamID    int64   `json:"team_id,omitempty"`
	OwnerID   int64   `json:"owner_id,omitempty"`
	// Status is not_started, on_track, behind or at_risk.
	Status string `json:"status,omitempty"`
	// Type is the kind of item: objective, key_result or initiative.
	Type ItemType `json:"type,omitempty"`
	// Level is the objective's level: organization, team or individual.
	Level Level `json:"level,omitempty"`
	// Source is azure-devops or manual. Objectives have no source of their own (their
	// progress rolls up) and never match one.
	Source string `json:"source,omitempty"`
	// Q keeps items whose title contains it, ignoring case.
	Q string `json:"q,omitempty"`
}

// Validate checks a filter's own fields; ids are checked against the organization by the
// service.
func (f *ViewFilter) Validate() error {
	if f.PeriodIDs == nil {
		f.PeriodIDs = []int64{}
	}
	if len(f.PeriodIDs) > 50 {
		return FieldError("period_ids", "at most 50 periods")
	}
	if err := validIDs("period_ids", f.PeriodIDs); err != nil {
		return err
	}
	if f.TeamID < 0 {
		return FieldError("team_id", "%d is not a valid id", f.TeamID)
	}
	if f.OwnerID < 0 {
		return FieldError("owner_id", "%d is not a valid id", f.OwnerID)
	}
	switch f.Status {
	case "", "not_started", "on_track", "behind", "at_risk":
	default:
		return FieldError("status", "status must be not_started, on_track, behind or at_risk, not %q", f.Status)
	}
	switch f.Type {
	case "", ItemObjective, ItemKeyResult, ItemInitiative:
	default:
		return FieldError("type", "type must be objective, key_result or initiative, not %q", f.Type)
	}
	switch f.Level {
	case "", LevelOrganization, LevelTeam, LevelIndividual:
	default:
		return FieldError("level", "level must be organization, team or individual, not %q", f.Level)
	}
	switch f.Source {
	case "", FilterSourceAzureDevOps, FilterSourceManual:
	default:
		return FieldError("source", "source must be azure-devops or manual, not %q", f.Source)
	}
	f.Q = strings.TrimSpace(f.Q)
	if len([]rune(f.Q)) > 200 {
		return FieldError("q", "q is longer than 200 characters")
	}
	return nil
}

// SavedView is a named filter of the OKR list. A private view is its owner's alone; a
// shared one every member of the organization sees.
type SavedView struct {
	ID        int64      `json:"id"`
	OrgID     int64      `json:"org_id"`
	OwnerID   int64      `json:"owner_id"`
	Name      string     `json:"name"`
	Shared    bool       `json:"shared"`
	Filter    ViewFilter `json:"filter"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// Validate checks a saved view.
func (v *SavedView) Validate() error {
	v.Name = strings.TrimSpace(v.Name)
	if err := validTitle("name", v.Name, 100); err != nil {
		return err
	}
	return v.Filter.Validate()
}

// ViewUpdate is a partial update of a saved view.
type ViewUpdate struct {
	Name   *string     `json:"name"`
	Shared *bool       `json:"shared"`
	Filter *ViewFilter `json:"filter"`
}

// ListViews lists the caller's own views and the views shared in the organization, by name.
func (s *Service) ListViews(ctx context.Context, org string) ([]*SavedView, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	return s.store.ListViews(ctx, a.org.ID, a.user.ID)
}

// View returns a saved view the caller may see: their own, or a shared one. Another
// member's private view is not found.
func (s *Service) View(ctx context.Context, org string, id int64) (*SavedView, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	return s.visibleView(ctx, a, id)
}

func (s *Service) visibleView(ctx context.Context, a *access, id int64) (*SavedView, error) {
	v, err := s.store.ViewByID(ctx, a.org.ID, id)
	if err != nil {
		return nil, err
	}
	if !v.Shared && v.OwnerID != a.user.ID {
		return nil, NotFound("view", id)
	}
	return v, nil
}

// CreateView saves a view for the caller. Every member may save private views; sharing one
// with the organization takes a member or an admin, not a viewer.
func (s *Service) CreateView(ctx context.Context, org string, v *SavedView) error {
	a, err := s.access(ctx, org)
	if err != nil {
		return err
	}
	if v.Shared {
		if err := a.requireWriter("share views with the organization"); err != nil {
			return err
		}
	}
	v.ID, v.OrgID, v.OwnerID = 0, a.org.ID, a.user.ID
	if err := v.Validate(); err != nil {
		return err
	}
	if err := s.checkFilter(ctx, a, &v.Filter); err != nil {
		return err
	}
	v.CreatedAt = s.now().UTC()
	v.UpdatedAt = v.CreatedAt
	return s.store.CreateView(ctx, v)
}

// UpdateView changes a saved view: its owner may, and an organization admin may change a
// shared one.
func (s *Service) UpdateView(ctx context.Context, org string, id int64, up ViewUpdate) (*SavedView, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	v, err := s.visibleView(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if v.OwnerID != a.user.ID && !a.isAdmin() {
		return nil, Errorf(EFORBIDDEN, "only the view's owner or an organization admin may change it")
	}
	if up.Name != nil {
		v.Name = *up.Name
	}
	if up.Shared != nil {
		if *up.Shared && !v.Shared {
			if err := a.requireWriter("share views with the organization"); err != nil {
				return nil, err
			}
		}
		v.Shared = *up.Shared
	}
	if up.Filter != nil {
		v.Filter = *up.Filter
	}
	if err := v.Validate(); err != nil {
		return nil, err
	}
	if up.Filter != nil {
		if err := s.checkFilter(ctx, a, &v.Filter); err != nil {
			return nil, err
		}
	}
	v.UpdatedAt = s.now().UTC()
	if err := s.store.UpdateView(ctx, v); err != nil {
		return nil, err
	}
	return v, nil
}

// DeleteView deletes a saved view: its owner may, and an organization admin may delete a
// shared one.
func (s *Service) DeleteView(ctx context.Context, org string, id int64) error {
	a, err := s.access(ctx, org)
	if err != nil {
		return err
	}
	v, err := s.visibleView(ctx, a, id)
	if err != nil {
		return err
	}
	if v.OwnerID != a.user.ID && !a.isAdmin() {
		return Errorf(EFORBIDDEN, "only the view's owner or an organization admin may delete it")
	}
	return s.store.DeleteView(ctx, a.org.ID, id)
}

// checkFilter checks that the periods, team and owner a filter names are the
// organization's.
func (s *Service) checkFilter(ctx context.Context, a *access, f *ViewFilter) error {
	if err := f.Validate(); err != nil {
		return err
	}
	for _, id := range f.PeriodIDs {
		if _, err := s.store.PeriodByID(ctx, a.org.ID, id); err != nil {
			if ErrorCode(err) == ENOTFOUND {
				return FieldError("period_id", "period %d is not in %s", id, a.org.Name)
			}
			return err
		}
	}
	if f.TeamID != 0 {
		if _, err := s.store.TeamByID(ctx, a.org.ID, f.TeamID); err != nil {
			if ErrorCode(err) == ENOTFOUND {
				return FieldError("team_id", "team %d is not in %s", f.TeamID, a.org.Name)
			}
			return err
		}
	}
	if f.OwnerID != 0 {
		if _, err := s.store.Membership(ctx, a.org.ID, f.OwnerID); err != nil {
			if ErrorCode(err) == ENOTFOUND {
				return FieldError("owner_id", "user %d is not a member of %s", f.OwnerID, a.org.Name)
			}
			return err
		}
	}
	return nil
}

// ListedItem is one objective, key result or initiative as a filtered list or an export
// gives it, with the objective it belongs to and its period.
type ListedItem struct {
	Ref        Ref
	Objective  *ObjectiveView  // the objective, for an objective's row
	KeyResult  *KeyResultView  // the key result, for a key result's row
	Initiative *InitiativeView // the initiative, for an initiative's row
	// Owner is the objective the item belongs to: itself, a key result's objective, or the
	// objective above an initiative.
	Owner  *Objective
	Period *Period
}

// Title returns the item's title.
func (it *ListedItem) Title() string {
	switch {
	case it.Objective != nil:
		return it.Objective.Title
	case it.KeyResult != nil:
		return it.KeyResult.Title
	default:
		return it.Initiative.Title
	}
}

// OwnerIDs returns the item's own owners.
func (it *ListedItem) OwnerIDs() []int64 {
	switch {
	case it.Objective != nil:
		return it.Objective.OwnerIDs
	case it.KeyResult != nil:
		return it.KeyResult.OwnerIDs
	default:
		return it.Initiative.OwnerIDs
	}
}

// Status returns the item's computed status.
func (it *ListedItem) Status() string {
	switch {
	case it.Objective != nil:
		return string(it.Objective.Status)
	case it.KeyResult != nil:
		return string(it.KeyResult.Status)
	default:
		return string(it.Initiative.Status)
	}
}

// Source returns azure-devops when an Azure DevOps data source sets the item's progress,
// manual for any other key result or initiative, and "" for an objective.
func (it *ListedItem) Source() string {
	switch {
	case it.KeyResult != nil && it.KeyResult.ProgressSource == SourceDataSource,
		it.Initiative != nil && it.Initiative.Automated:
		return FilterSourceAzureDevOps
	case it.Objective != nil:
		return ""
	default:
		return FilterSourceManual
	}
}

// Matches reports whether the item passes the filter.
func (it *ListedItem) Matches(f ViewFilter) bool {
	if len(f.PeriodIDs) > 0 && !slices.Contains(f.PeriodIDs, it.Period.ID) {
		return false
	}
	if f.TeamID != 0 && (it.Owner.TeamID == nil || *it.Owner.TeamID != f.TeamID) {
		return false
	}
	if f.Level != "" && it.Owner.Level != f.Level {
		return false
	}
	if f.Type != "" && it.Ref.Type != f.Type {
		return false
	}
	if f.OwnerID != 0 && !slices.Contains(it.OwnerIDs(), f.OwnerID) {
		return false
	}
	if f.Status != "" && it.Status() != f.Status {
		return false
	}
	if f.Source != "" && it.Source() != f.Source {
		return false
	}
	if f.Q != "" && !strings.Contains(strings.ToLower(it.Title()), strings.ToLower(f.Q)) {
		return false
	}
	return true
}

// ListItems lists the objectives, key results and initiatives the filter selects, each
// objective followed by its key results (each followed by its initiatives) and then its own
// initiatives, periods newest first. Every period is loaded in a fixed number of queries.
func (s *Service) ListItems(ctx context.Context, org string, f ViewFilter) ([]*ListedItem, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	if err := s.checkFilter(ctx, a, &f); err != nil {
		return nil, err
	}
	all, err := s.allItems(ctx, a, f.PeriodIDs)
	if err != nil {
		return nil, err
	}
	out := make([]*ListedItem, 0, len(all))
	for _, it := range all {
		if it.Matches(f) {
			out = append(out, it)
		}
	}
	return out, nil
}

// allItems loads and evaluates every item of the periods (all when none), in list order.
func (s *Service) allItems(ctx context.Context, a *access, periodIDs []int64) ([]*ListedItem, error) {
	periods, err := s.store.ListPeriods(ctx, a.org.ID)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(periods, func(x, y *Period) int {
		if c := y.Start.Time().Compare(x.Start.Time()); c != 0 {
			return c
		}
		return int(x.ID - y.ID)
	})
	var out []*ListedItem
	for _, p := range periods {
		if len(periodIDs) > 0 && !slices.Contains(periodIDs, p.ID) {
			continue
		}
		g, err := s.store.PeriodGraph(ctx, a.org.ID, p.ID)
		if err != nil {
			return nil, err
		}
		e := newEvaluator(g, a.org, s.now())
		add := func(it *ListedItem) { it.Period = g.Period; out = append(out, it) }
		for _, o := range g.Objectives {
			add(&ListedItem{Ref: Ref{ItemObjective, o.ID}, Objective: objectiveView(o, e.objective(o)), Owner: o})
			for _, k := range e.krsByObjective[o.ID] {
				add(&ListedItem{Ref: Ref{ItemKeyResult, k.ID}, KeyResult: e.keyResultView(k), Owner: o})
				for _, i := range e.initsByParent[Ref{ItemKeyResult, k.ID}] {
					add(&ListedItem{Ref: Ref{ItemInitiative, i.ID}, Initiative: e.initiativeView(i), Owner: o})
				}
			}
			for _, i := range e.initsByParent[Ref{ItemObjective, o.ID}] {
				add(&ListedItem{Ref: Ref{ItemInitiative, i.ID}, Initiative: e.initiativeView(i), Owner: o})
			}
		}
	}
	return out, nil
}
