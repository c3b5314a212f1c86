package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/datasource"
	"github.com/cairn-okr/cairn/progress"
)

// AlignmentResponse answers GET /api/v1/azure-devops/alignment: what a work item counts
// towards in Cairn, for the Azure DevOps extension's work item page.
type AlignmentResponse struct {
	OrganizationURL string           `json:"organization_url"`
	Project         string           `json:"project"`
	WorkItemID      int              `json:"work_item_id"`
	Alignments      []AlignmentEntry `json:"alignments"`
	// AddURL offers "Add an initiative in Cairn" when nothing counts the item.
	AddURL string `json:"add_url,omitempty"`
}

// AlignmentOrg names a Cairn organization.
type AlignmentOrg struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// AlignmentEntry is one data source whose item set holds the work item, with its chains
// from the target up to a top objective, nearest first: one per path up the alignments of
// items with several parents. Chain is the primary one (first parents all the way), and
// also the first of Chains.
type AlignmentEntry struct {
	Org           AlignmentOrg      `json:"org"`
	DataSourceID  int64             `json:"data_source_id"`
	Target        cairn.Target      `json:"target"`
	ProgressType  string            `json:"progress_type"`
	Measured      bool              `json:"measured"`
	Value         *float64          `json:"value"`
	Warning       string            `json:"warning"`
	Error         *cairn.SyncError  `json:"error"`
	LastSuccessAt *time.Time        `json:"last_success_at"`
	Chain         []AlignmentLink   `json:"chain"`
	Chains        [][]AlignmentLink `json:"chains"`
}

// AlignmentLink is one OKR item of a chain. Progress is a fraction (0.42 is 42 %).
type AlignmentLink struct {
	Type     cairn.ItemType `json:"type"`
	ID       int64          `json:"id"`
	Title    string         `json:"title"`
	Progress float64        `json:"progress"`
	Status   string         `json:"status"`
	Current  *float64       `json:"current,omitempty"`
	Unit     string         `json:"unit,omitempty"`
	// Goal, Target and BaselinePending describe a key result's or initiative's metric, so
	// that the extension can say "stay at or below 300 ms" or that the start is still to
	// be measured.
	Goal            cairn.MetricGoal `json:"goal,omitempty"`
	Target          *float64         `json:"target,omitempty"`
	BaselinePending bool             `json:"baseline_pending,omitempty"`
	Period          string           `json:"period,omitempty"`
	// Closed says that the item's period is closed: its values are frozen, and only
	// admins may still check in.
	Closed bool   `json:"closed,omitempty"`
	URL    string `json:"url"`
	// CanEdit says that the caller may check in on the key result or initiative: as an
	// admin, an owner, an editor or a check-in owner. It is false for objectives.
	CanEdit bool `json:"can_edit"`
	// Weight is the weight with which the item counts towards the next link of the chain
	// (0: aligned, not counted); the last link has none.
	Weight *float64 `json:"weight,omitempty"`
	// Trend is how a key result's or initiative's value moved over its latest check-ins.
	Trend *progress.Trend `json:"trend,omitempty"`
	// ExpectedProgress is the progress a key result is expected to have now, through its
	// milestones when it has any.
	ExpectedProgress *float64 `json:"expected_progress,omitempty"`
	// Milestones are a key result's dated intermediate targets, in date order.
	Milestones []cairn.Milestone `json:"milestones,omitempty"`
	// Confidence is the newest confidence, 1 to 10, that a check-in of the key result gave.
	Confidence *int `json:"confidence,omitempty"`
}

// alignment answers from the mirror, never calling Azure DevOps. Signed-in users see the
// organizations they belong to; the extension (a valid app token) sees every organization
// connected to the Azure DevOps project, and may check in only where its linked user may.
func (s *Server) alignment(w http.ResponseWriter, r *http.Request) {
	ig, ok := s.integration(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	_, fromExtension := ExtensionUser(ctx)
	user := cairn.UserFromContext(ctx)
	if user == nil && !fromExtension {
		writeProblem(w, r, http.StatusUnauthorized, cairn.EUNAUTHORIZED, "sign in, send an API token, or call from the Azure DevOps extension with its app token", "")
		return
	}
	q := r.URL.Query()
	wi, err := strconv.Atoi(q.Get("work-item"))
	if err != nil || wi <= 0 {
		s.writeError(w, r, cairn.FieldError("work-item", "work-item must be a work item id, not %q", q.Get("work-item")))
		return
	}
	var allow func(int64) bool
	if !fromExtension {
		allow = func(orgID int64) bool { return s.svc.MemberOf(ctx, orgID) }
	}
	a, err := ig.Alignment(ctx, q.Get("org-url"), q.Get("project"), wi, allow)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := AlignmentResponse{OrganizationURL: a.OrganizationURL, Project: a.Project, WorkItemID: a.WorkItemID, AddURL: a.AddURL, Alignments: []AlignmentEntry{}}
	for _, src := range a.Sources {
		e := AlignmentEntry{Org: AlignmentOrg{Slug: src.Org, Name: src.OrgName}, DataSourceID: src.DataSourceID, Target: src.Target,
			ProgressType: src.ProgressType, Measured: src.Measured, Value: src.Value, Warning: src.Warning, Error: src.Error,
			LastSuccessAt: src.LastSuccessAt, Chains: [][]AlignmentLink{}}
		canEdit := map[cairn.Ref]bool{}
		for _, chain := range src.Chains {
			links := []AlignmentLink{}
			for _, l := range chain {
				ref := cairn.Ref{Type: l.Type, ID: l.ID}
				can, ok := canEdit[ref]
				if !ok {
					can = user != nil && l.Type != cairn.ItemObjective && s.svc.CanEdit(ctx, src.OrgID, ref)
					canEdit[ref] = can
				}
				al := AlignmentLink{Type: l.Type, ID: l.ID, Title: l.Title, Progress: l.Progress, Status: string(l.Status), Period: l.Period, Closed: l.Closed,
					URL: datasource.ItemURL("", src.Org, ref), CanEdit: can, Weight: l.Weight, Trend: l.Trend, ExpectedProgress: l.Expected,
					Confidence: l.Confidence}
				switch {
				case l.Metric != nil:
					c, target := l.Metric.Current, l.Metric.Target
					al.Current, al.Unit, al.Goal, al.Target, al.BaselinePending = &c, l.Metric.Unit, l.Metric.Goal, &target, l.Metric.BaselinePending
					al.Milestones = l.Metric.Milestones
					if l.Metric.BaselinePending {
						al.Current = nil
					}
				case l.Current != nil:
					al.Current, al.Unit = l.Current, "%"
				}
				links = append(links, al)
			}
			e.Chains = append(e.Chains, links)
		}
		e.Chain = []AlignmentLink{}
		if len(e.Chains) > 0 {
			e.Chain = e.Chains[0]
		}
		out.Alignments = append(out.Alignments, e)
	}
	writeJSON(w, http.StatusOK, out)
}
