package datasource

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-okr/cairn"
)

// Alignment is what a work item counts towards in Cairn, for the Azure DevOps extension.
type Alignment struct {
	OrganizationURL string          `json:"organization_url"`
	Project         string          `json:"project"`
	WorkItemID      int             `json:"work_item_id"`
	Sources         []AlignedSource `json:"sources"`
	// AddURL opens Cairn to add an initiative, offered when nothing counts the item.
	AddURL string `json:"add_url,omitempty"`
}

// AlignedSource is one data source whose item set holds the work item, with its chains
// target → key result → objective → parent objectives, one per path up the alignments.
type AlignedSource struct {
	DataSourceID  int64            `json:"data_source_id"`
	Org           string           `json:"org"`
	OrgName       string           `json:"org_name"`
	OrgID         int64            `json:"org_id"`
	Target        cairn.Target     `json:"target"`
	ProgressType  string           `json:"progress_type"`
	Measured      bool             `json:"measured"`
	Value         *float64         `json:"value"`
	Warning       string           `json:"warning"`
	Error         *cairn.SyncError `json:"error"`
	LastSuccessAt *time.Time       `json:"last_success_at"`
	// Chain is the primary chain, which follows first parents; Chains holds every chain,
	// the primary first.
	Chain  []cairn.ChainLink   `json:"chain"`
	Chains [][]cairn.ChainLink `json:"chains"`
	URL    string              `json:"url,omitempty"`
}

// Alignment answers from the mirror which data sources hold the work item of the Azure
// DevOps organization and project, with their chains; it never calls Azure DevOps. allow
// decides which Cairn organizations the reader may see; nil allows all.
func (s *Service) Alignment(ctx context.Context, orgURL, project string, workItemID int, allow func(orgID int64) bool) (*Alignment, error) {
	if strings.TrimSpace(project) == "" {
		return nil, cairn.FieldError("project", "project is required")
	}
	if workItemID <= 0 {
		return nil, cairn.FieldError("work-item", "work-item must be a work item id")
	}
	u, err := cairn.NormalizeOrgURL(orgURL)
	if err != nil {
		return nil, cairn.FieldError("org-url", "%s", cairn.ErrorMessage(err))
	}
	found, err := s.cfg.Store.Alignment(ctx, u, strings.TrimSpace(project), workItemID)
	if err != nil {
		return nil, err
	}
	out := &Alignment{OrganizationURL: u, Project: project, WorkItemID: workItemID, Sources: []AlignedSource{}}
	for _, f := range found {
		if allow != nil && !allow(f.OrgID) {
			continue
		}
		d, err := s.cfg.Store.DataSourceByID(ctx, f.OrgID, f.DataSourceID)
		if err != nil {
			continue // deleted meanwhile
		}
		chains, err := s.cfg.Cairn.AlignmentChains(ctx, f.OrgID, f.Target.Ref())
		if err != nil {
			return nil, err
		}
		as := AlignedSource{DataSourceID: d.ID, Org: f.OrgSlug, OrgName: f.OrgName, OrgID: f.OrgID, Target: d.Target, ProgressType: d.ProgressType, Measured: f.Measured,
			Value: d.Value, Warning: d.Warning, Error: d.Error, LastSuccessAt: d.LastSuccessAt, Chain: chains[0], Chains: chains}
		as.URL = ItemURL(s.cfg.PublicURL, f.OrgSlug, d.Target.Ref())
		out.Sources = append(out.Sources, as)
	}
	if len(out.Sources) == 0 {
		q := url.Values{"org-url": {u}, "project": {project}, "work-item": {strconv.Itoa(workItemID)}}
		out.AddURL = s.cfg.PublicURL + "/azure-devops/initiatives/new?" + q.Encode()
	}
	return out, nil
}

// ItemURL is where Cairn's UI shows an OKR item; base is the public URL, or "" for a path.
func ItemURL(base, orgSlug string, item cairn.Ref) string {
	kind := "objectives"
	switch item.Type {
	case cairn.ItemKeyResult:
		kind = "key-results"
	case cairn.ItemInitiative:
		kind = "initiatives"
	}
	return base + "/o/" + url.PathEscape(orgSlug) + "/okrs/" + kind + "/" + strconv.FormatInt(item.ID, 10)
}
