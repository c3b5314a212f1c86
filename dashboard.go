package cairn

import (
	"context"
	"slices"
	"time"

	"github.com/cairn-okr/cairn/progress"
)

// Dashboard is the picture of an organization, or of one team, that the dashboard page
// draws: progress by period, and for one period the distribution of status, check-in
// compliance and the items tracked from Azure DevOps against manual ones.
type Dashboard struct {
	// TeamID is the team the dashboard is about; 0 for the whole organization.
	TeamID int64 `json:"team_id"`
	// Periods is the average progress of the objectives of each period, oldest first.
	Periods []PeriodProgress `json:"periods"`
	// Period is the period that the figures below are about.
	Period *Period `json:"period"`
	// Status counts the objectives, key results and initiatives of the period by status.
	Status []StatusCount `json:"status"`
	// Cadence is the check-in cadence of the organization, or of the team when it has one
	// of its own, with the time zone it counts in. A key result whose objective belongs to
	// a team follows that team's cadence, as reminders do.
	Cadence OrgCadence `json:"cadence"`
	// Compliance is how many manual key results of the period are due check-ins, and how
	// many of them are overdue; Overdue lists those, most overdue first.
	Compliance Compliance     `json:"compliance"`
	Overdue    []*OverdueItem `json:"overdue"`
	// Sources counts the key results and initiatives of the period by source.
	Sources SourceCounts `json:"sources"`
}

// PeriodProgress is the average progress of a period's objectives.
type PeriodProgress struct {
	PeriodID   int64   `json:"period_id"`
	Name       string  `json:"name"`
	Objectives int     `json:"objectives"`
	Progress   float64 `json:"progress"`
	Expected   float64 `json:"expected"`
	Closed     bool    `json:"closed"`
}

// StatusCount is how many items have a status, by kind.
type StatusCount struct {
	Status      progress.Status `json:"status"`
	Objectives  int             `json:"objectives"`
	KeyResults  int             `json:"key_results"`
	Initiatives int             `json:"initiatives"`
}

// Total is the count over every kind.
func (c StatusCount) Total() int { return c.Objectives + c.KeyResults + c.Initiatives }

// Compliance counts the manual key results that are due check-ins.
type Compliance struct {
	Tracked int `json:"tracked"`
	Overdue int `json:"overdue"`
}

// SourceCounts counts key results and initiatives by where their progress comes from.
type SourceCounts struct {
	AzureDevOps int `json:"azure_devops"`
	Manual      int `json:"manual"`
}

// OverdueItem is a manual key result that missed its latest due check-in.
type OverdueItem struct {
	KeyResultID int64      `json:"key_result_id"`
	Title       string     `json:"title"`
	OwnerIDs    []int64    `json:"owner_ids"`
	LastCheckIn *time.Time `json:"last_check_in_at"`
	// Since is its latest check-in, else the key result's creation, else the period's
	// start.
	Since time.Time `json:"since"`
	// Due is the due time of the check-in it missed.
	Due time.Time `json:"due"`
	// DaysOverdue is how many whole days ago that was.
	DaysOverdue int `json:"days_overdue"`
}

// DashboardQuery selects what a dashboard is about. Zero fields mean the whole
// organization and the current period (the open one that holds today, else the latest
// open one, else the latest).
type DashboardQuery struct {
	TeamID   int64
	PeriodID int64
}

// Dashboard computes the dashboard of the organization or one of its teams. Every member
// may see it.
func (s *Service) Dashboard(ctx context.Context, org string, q DashboardQuery) (*Dashboard, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	f := ViewFilter{TeamID: q.TeamID}
	if q.PeriodID != 0 {
		f.PeriodIDs = []int64{q.PeriodID}
	}
	if err := s.checkFilter(ctx, a, &f); err != nil {
		return nil, err
	}
	periods, err := s.store.ListPeriods(ctx, a.org.ID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	d := &Dashboard{TeamID: q.TeamID, Periods: []PeriodProgress{}, Status: []StatusCount{}, Overdue: []*OverdueItem{}}
	d.Period = currentPeriod(periods, q.PeriodID, now)
	all, err := s.allItems(ctx, a, nil)
	if err != nil {
		return nil, err
	}
	plan := &orgPlan{loc: time.UTC, cadence: DefaultCadence}
	if ns, ok := s.store.(NotifyStore); ok {
		if plan, err = s.loadOrgPlan(ctx, ns, a.org); err != nil {
			return nil, err
		}
	}
	d.Cadence = OrgCadence{TimeZone: plan.loc.String(), Cadence: plan.cadence}
	if c, ok := plan.teams[q.TeamID]; ok {
		d.Cadence.Cadence = c
	}
	objectives := map[int64]*Objective{}
	for _, it := range all {
		if it.Objective != nil {
			objectives[it.Ref.ID] = it.Objective.Objective
		}
	}
	team := ViewFilter{TeamID: q.TeamID}
	byPeriod := map[int64]*PeriodProgress{}
	counts := map[progress.Status]*StatusCount{}
	for _, it := range all {
		if !it.Matches(team) {
			continue
		}
		if it.Objective != nil {
			pp := byPeriod[it.Period.ID]
			if pp == nil {
				pp = &PeriodProgress{PeriodID: it.Period.ID, Name: it.Period.Name, Closed: it.Period.Closed()}
				byPeriod[it.Period.ID] = pp
			}
			pp.Objectives++
			pp.Progress += min(it.Objective.Progress, 1)
		}
		if d.Period == nil || it.Period.ID != d.Period.ID {
			continue
		}
		st := progress.Status(it.Status())
		c := counts[st]
		if c == nil {
			c = &StatusCount{Status: st}
			counts[st] = c
		}
		switch it.Ref.Type {
		case ItemObjective:
			c.Objectives++
			continue
		case ItemKeyResult:
			c.KeyResults++
		case ItemInitiative:
			c.Initiatives++
		}
		if it.Source() == FilterSourceAzureDevOps {
			d.Sources.AzureDevOps++
		} else {
			d.Sources.Manual++
		}
		if it.KeyResult != nil && it.KeyResult.ProgressSource == SourceManual && !it.Period.Closed() {
			d.Compliance.Tracked++
			k := it.KeyResult.KeyResult
			if o := overdue(k, it.Period, plan.cadenceOf(objectives[k.ObjectiveID]), plan.loc, now); o != nil {
				d.Compliance.Overdue++
				d.Overdue = append(d.Overdue, o)
			}
		}
	}
	for _, st := range []progress.Status{progress.OnTrack, progress.Behind, progress.AtRisk, progress.NotStarted} {
		if c := counts[st]; c != nil {
			d.Status = append(d.Status, *c)
		}
	}
	slices.SortFunc(periods, func(x, y *Period) int { return x.Start.Time().Compare(y.Start.Time()) })
	for _, p := range periods {
		pp := byPeriod[p.ID]
		if pp == nil {
			pp = &PeriodProgress{PeriodID: p.ID, Name: p.Name, Closed: p.Closed()}
		}
		if pp.Objectives > 0 {
			pp.Progress /= float64(pp.Objectives)
		}
		at := now
		if p.ClosedAt != nil && p.ClosedAt.Before(at) {
			at = *p.ClosedAt
		}
		pp.Expected = progress.Expected(p.Start.Time(), p.End.Time(), at)
		d.Periods = append(d.Periods, *pp)
	}
	slices.SortStableFunc(d.Overdue, func(x, y *OverdueItem) int { return x.Since.Compare(y.Since) })
	return d, nil
}

// overdue reports a manual key result that missed its latest due check-in, or nil. The
// rule is the follow-up's (docs/notifications.md) without its day of grace: the cadence's
// latest due time at or before now fell in the period and after the key result was made,
// and no check-in came at or after the due time before it (a late check-in counts).
func overdue(k *KeyResult, p *Period, cad Cadence, loc *time.Location, now time.Time) *OverdueItem {
	due := cad.Last(now, loc)
	if due.IsZero() || !covers(p, due, loc) || !k.CreatedAt.Before(due) {
		return nil
	}
	if k.LastCheckInAt != nil && !k.LastCheckInAt.Before(cad.Previous(due, loc)) {
		return nil
	}
	since := k.CreatedAt
	if k.LastCheckInAt != nil {
		since = *k.LastCheckInAt
	}
	if start := p.Start.Time(); since.Before(start) {
		since = start
	}
	return &OverdueItem{KeyResultID: k.ID, Title: k.Title, OwnerIDs: k.OwnerIDs, LastCheckIn: k.LastCheckInAt,
		Since: since, Due: due.UTC(), DaysOverdue: int(now.Sub(due) / (24 * time.Hour))}
}

// currentPeriod returns the period with the id, or without one the open period that holds
// today, else the latest open one, else the latest; nil when there are none.
func currentPeriod(ps []*Period, id int64, now time.Time) *Period {
	var best *Period
	for _, p := range ps {
		if id != 0 && p.ID == id {
			return p
		}
	}
	today := DateOf(now)
	for _, p := range ps {
		if !p.Closed() && !today.Before(p.Start) && !p.End.Before(today) {
			return p
		}
	}
	for _, p := range ps {
		if !p.Closed() && (best == nil || p.Start.Time().After(best.Start.Time())) {
			best = p
		}
	}
	if best != nil {
		return best
	}
	for _, p := range ps {
		if best == nil || p.Start.Time().After(best.Start.Time()) {
			best = p
		}
	}
	return best
}
