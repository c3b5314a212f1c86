package cairn

import (
	"context"
	"database/sql"
	"slices"
	"time"
)

// The Azure DevOps integration works only when both switches are on: the tenant admin's
// and the organization admin's (PRODUCT.md §2). Turning either off pauses syncing and
// keeps every connection and data source.

// TenantIntegrationSetting is the settings key of the tenant's Azure DevOps switch.
const TenantIntegrationSetting = "integrations.azure_devops.enabled"

// DefaultSyncInterval is how often every data source syncs unless its organization chose
// a shorter interval; MinSyncInterval is the shortest an organization may choose.
const (
	DefaultSyncInterval = 60 * time.Minute
	MinSyncInterval     = 5 * time.Minute
)

// TenantIntegration is the tenant-level switch of the Azure DevOps integration, with the
// hosts besides Azure DevOps Services that credentials may reach.
type TenantIntegration struct {
	Enabled bool `json:"enabled"`
	// AllowedHosts are the Azure DevOps Server hosts a tenant admin allowed.
	AllowedHosts []string `json:"allowed_hosts"`
	// OperatorHosts are the hosts the operator allowed (CAIRN_AZDO_ALLOWED_HOSTS); read-only.
	OperatorHosts []string `json:"operator_hosts"`
}

// OrgIntegration is an organization's Azure DevOps switch and sync interval.
type OrgIntegration struct {
	OrgID               int64     `json:"org_id"`
	Enabled             bool      `json:"enabled"`
	SyncIntervalMinutes int       `json:"sync_interval_minutes"`
	UpdatedAt           time.Time `json:"updated_at"`
	// TenantEnabled mirrors the tenant switch so that a reader sees whether syncing runs.
	TenantEnabled bool `json:"tenant_enabled"`
	// Active reports whether both switches are on.
	Active bool `json:"active"`
}

// Validate checks the organization's integration settings; zero means the default interval.
func (o *OrgIntegration) Validate() error {
	if o.SyncIntervalMinutes == 0 {
		o.SyncIntervalMinutes = int(DefaultSyncInterval / time.Minute)
	}
	if o.SyncIntervalMinutes < int(MinSyncInterval/time.Minute) || o.SyncIntervalMinutes > int(DefaultSyncInterval/time.Minute) {
		return FieldError("sync_interval_minutes", "sync_interval_minutes must be between %d and %d, not %d",
			int(MinSyncInterval/time.Minute), int(DefaultSyncInterval/time.Minute), o.SyncIntervalMinutes)
	}
	return nil
}

// Interval returns the sync interval as a duration.
func (o *OrgIntegration) Interval() time.Duration {
	if o.SyncIntervalMinutes <= 0 {
		return DefaultSyncInterval
	}
	return time.Duration(o.SyncIntervalMinutes) * time.Minute
}

// TxHook runs inside the store's write transaction, so that work it records, such as a
// queued sync job, commits or rolls back together with the write that causes it.
type TxHook func(ctx context.Context, tx *sql.Tx) error

// IntegrationStore is the persistence port of the Azure DevOps integration. The sqldb
// adapter implements it next to Store. Lookups by id take the organization id, as in
// Store, except the ones the sync engine and the webhook receiver use, which act for no
// user and say so in their names.
type IntegrationStore interface {
	OrgIntegration(ctx context.Context, orgID int64) (*OrgIntegration, error) // defaults when never set
	SetOrgIntegration(ctx context.Context, o *OrgIntegration) error

	CreateConnection(ctx context.Context, c *Connection) error
	ConnectionByID(ctx context.Context, orgID, id int64) (*Connection, error)
	// ConnectionForSync loads a connection of any organization, for jobs and webhooks.
	ConnectionForSync(ctx context.Context, id int64) (*Connection, error)
	ListConnections(ctx context.Context, orgID int64) ([]*Connection, error)
	// UpdateConnection stores the name, visibility, credential and service-hook fields.
	UpdateConnection(ctx context.Context, c *Connection) error
	// SwapConnectionCredential stores sealed as the connection's credential if it still
	// holds old, and reports whether it did, so that re-sealing under a new key never
	// overwrites a credential a sync has just refreshed.
	SwapConnectionCredential(ctx context.Context, id int64, old, sealed string) (bool, error)
	// DeleteConnection deletes the connection with its data sources, mirror and runs.
	DeleteConnection(ctx context.Context, orgID, id int64) error

	// CreateDataSource stores the data source, marks its target as synced from Azure
	// DevOps and runs hook in the same transaction.
	CreateDataSource(ctx context.Context, d *DataSource, hook TxHook) error
	DataSourceByID(ctx context.Context, orgID, id int64) (*DataSource, error)
	ListDataSources(ctx context.Context, f DataSourceFilter) ([]*DataSource, error)
	// UpdateDataSource stores the configuration and the paused flag, and runs hook in the
	// same transaction.
	UpdateDataSource(ctx context.Context, d *DataSource, hook TxHook) error
	// DeleteDataSource deletes the data source and gives its target back to manual
	// check-ins; an initiative's synced tasks go with it.
	DeleteDataSource(ctx context.Context, orgID, id int64) error
	// DataSourceForTarget returns the data source bound to an item, or ENOTFOUND.
	DataSourceForTarget(ctx context.Context, orgID int64, target Ref) (*DataSource, error)
	// PauseDataSourceForTarget sets the paused flag of the item's data source, if any, and
	// stores the check-in, in one transaction.
	CheckInAndPause(ctx context.Context, c *CheckIn, pause bool) error

	// RequestSync records that the connection should sync and runs hook (which queues the
	// job) in the same transaction.
	RequestSync(ctx context.Context, connectionID int64, at time.Time, hook TxHook) error
	// DueConnections returns the connections whose organization's interval has passed
	// since their last sync, for the periodic scheduler.
	DueConnections(ctx context.Context, now time.Time, limit int) ([]int64, error)

	// SyncPlan loads what a sync of the connection needs: its data sources with their
	// targets and the mirror's state. When heldMirror is not 0 and is the connection's
	// mirror version, the caller holds that mirror and MirrorRevs stays nil.
	SyncPlan(ctx context.Context, connectionID int64, heldMirror int64) (*SyncPlan, error)
	// MirrorItems returns the mirrored work items of the connection with the given ids.
	MirrorItems(ctx context.Context, connectionID int64, ids []int) ([]MirrorItem, error)
	// ApplySync writes the result of one sync in one transaction: mirror changes,
	// memberships, check-ins, tasks, data source state and the run log.
	ApplySync(ctx context.Context, w *SyncWrite) error

	ListSyncRuns(ctx context.Context, orgID, dataSourceID int64, limit int) ([]*SyncRun, error)
	ListTasks(ctx context.Context, orgID, initiativeID int64) ([]*Task, error)
	// Alignment returns every data source of a connection to the Azure DevOps organization
	// URL and project whose item set contains the work item, answered from the mirror.
	Alignment(ctx context.Context, orgURL, project string, workItemID int) ([]*AlignedSource, error)
}

// integrationStore returns the store's integration port, or EUNAVAILABLE when the store
// has none.
func (s *Service) integrationStore() (IntegrationStore, error) {
	is, ok := s.store.(IntegrationStore)
	if !ok {
		return nil, Errorf(ENOTIMPLEMENTED, "this store does not support the Azure DevOps integration")
	}
	return is, nil
}

// IntegrationActor is what the signed-in user may do in one organization, as the
// integration service needs to know it.
type IntegrationActor struct {
	Org  *Org
	User *User
	Role Role
}

// Admin reports whether the user is an organization admin (tenant admins are).
func (a *IntegrationActor) Admin() bool { return a.Role == RoleAdmin }

// Writer reports whether the user may create and edit OKRs.
func (a *IntegrationActor) Writer() bool { return a.Role == RoleAdmin || a.Role == RoleMember }

// IntegrationActor resolves the organization reference for the signed-in user.
func (s *Service) IntegrationActor(ctx context.Context, org string) (*IntegrationActor, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	return &IntegrationActor{Org: a.org, User: a.user, Role: a.role}, nil
}

// TenantIntegration returns the tenant's Azure DevOps switch; anyone signed in may read it.
func (s *Service) TenantIntegration(ctx context.Context) (*TenantIntegration, error) {
	if _, err := currentUser(ctx); err != nil {
		return nil, err
	}
	on, err := s.tenantIntegrationEnabled(ctx)
	if err != nil {
		return nil, err
	}
	hosts, err := s.AllowedHosts(ctx)
	if err != nil {
		return nil, err
	}
	return &TenantIntegration{Enabled: on, AllowedHosts: hosts, OperatorHosts: slices.Clone(s.operatorHosts)}, nil
}

func (s *Service) tenantIntegrationEnabled(ctx context.Context) (bool, error) {
	v, err := s.store.Setting(ctx, TenantIntegrationSetting)
	if ErrorCode(err) == ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return v == "true", nil
}

// SetTenantIntegration turns the tenant's Azure DevOps switch on or off; only tenant
// admins may.
func (s *Service) SetTenantIntegration(ctx context.Context, t *TenantIntegration) error {
	u, err := currentUser(ctx)
	if err != nil {
		return err
	}
	if !u.TenantAdmin {
		return Errorf(EFORBIDDEN, "only a tenant admin may turn the Azure DevOps integration on or off for the tenant")
	}
	v := "false"
	if t.Enabled {
		v = "true"
	}
	return s.store.SetSetting(ctx, TenantIntegrationSetting, v)
}

// OrgIntegration returns the organization's Azure DevOps switch and interval.
func (s *Service) OrgIntegration(ctx context.Context, org string) (*OrgIntegration, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	return s.orgIntegration(ctx, a.org.ID)
}

func (s *Service) orgIntegration(ctx context.Context, orgID int64) (*OrgIntegration, error) {
	is, err := s.integrationStore()
	if err != nil {
		return nil, err
	}
	oi, err := is.OrgIntegration(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if oi.TenantEnabled, err = s.tenantIntegrationEnabled(ctx); err != nil {
		return nil, err
	}
	oi.Active = oi.TenantEnabled && oi.Enabled
	return oi, nil
}

// OrgIntegrationUpdate is a partial update of an organization's integration settings.
type OrgIntegrationUpdate struct {
	Enabled             *bool `json:"enabled"`
	SyncIntervalMinutes *int  `json:"sync_interval_minutes"`
}

// SetOrgIntegration changes the organization's switch or interval; only organization
// admins may.
func (s *Service) SetOrgIntegration(ctx context.Context, org string, up OrgIntegrationUpdate) (*OrgIntegration, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	if err := a.requireAdmin("turn the Azure DevOps integration on or off"); err != nil {
		return nil, err
	}
	oi, err := s.orgIntegration(ctx, a.org.ID)
	if err != nil {
		return nil, err
	}
	if up.Enabled != nil {
		oi.Enabled = *up.Enabled
	}
	if up.SyncIntervalMinutes != nil {
		oi.SyncIntervalMinutes = *up.SyncIntervalMinutes
		if oi.SyncIntervalMinutes == 0 {
			return nil, FieldError("sync_interval_minutes", "sync_interval_minutes must be between 5 and 60")
		}
	}
	if err := oi.Validate(); err != nil {
		return nil, err
	}
	oi.OrgID, oi.UpdatedAt = a.org.ID, s.now().UTC()
	is, _ := s.integrationStore()
	if err := is.SetOrgIntegration(ctx, oi); err != nil {
		return nil, err
	}
	return s.orgIntegration(ctx, a.org.ID)
}

// RequireIntegration refuses with ECONFLICT, naming the admin who must act, unless both
// switches are on for the organization.
func (s *Service) RequireIntegration(ctx context.Context, orgID int64) error {
	oi, err := s.orgIntegration(ctx, orgID)
	if err != nil {
		return err
	}
	if !oi.TenantEnabled {
		return Errorf(ECONFLICT, "the Azure DevOps integration is off for this Cairn installation: a tenant admin must turn it on (PUT /api/v1/tenant/integrations/azure-devops)")
	}
	if !oi.Enabled {
		return Errorf(ECONFLICT, "the Azure DevOps integration is off for this organization: an organization admin must turn it on (PUT /api/v1/orgs/{org}/integrations/azure-devops)")
	}
	return nil
}

// TargetInfo is a data source target the user may edit, with what validation needs.
type TargetInfo struct {
	Target Target
	Title  string
	// MetricKind is the metric's kind; empty for initiative tasks.
	MetricKind MetricKind
	Period     *Period
}

// EditableTarget checks that the user may bind the target: the item exists in the
// organization, the user may edit it, its period is open and its progress mode fits the
// target type.
func (s *Service) EditableTarget(ctx context.Context, a *IntegrationActor, t Target) (*TargetInfo, error) {
	ac := &access{org: a.Org, user: a.User, role: a.Role}
	info := &TargetInfo{Target: t}
	var periodID int64
	switch t.Type {
	case TargetKeyResult:
		k, err := s.store.KeyResultByID(ctx, ac.org.ID, t.ID)
		if ErrorCode(err) == ENOTFOUND {
			return nil, FieldError("target.id", "key result %d not found in this organization", t.ID)
		}
		if err != nil {
			return nil, err
		}
		ok, err := s.canEditKeyResult(ctx, ac, k)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, forbidden("connect this key result to Azure DevOps")
		}
		if k.ProgressSource == SourceRollUp {
			return nil, FieldError("target.id", "key result %d rolls up from its children; set its progress source to manual first", k.ID)
		}
		o, err := s.store.ObjectiveByID(ctx, ac.org.ID, k.ObjectiveID)
		if err != nil {
			return nil, err
		}
		info.Title, info.MetricKind, periodID = k.Title, k.Metric.Kind, o.PeriodID
	case TargetInitiativeMetric, TargetInitiativeTasks:
		i, err := s.store.InitiativeByID(ctx, ac.org.ID, t.ID)
		if ErrorCode(err) == ENOTFOUND {
			return nil, FieldError("target.id", "initiative %d not found in this organization", t.ID)
		}
		if err != nil {
			return nil, err
		}
		ok, err := s.canEditInitiative(ctx, ac, i)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, forbidden("connect this initiative to Azure DevOps")
		}
		if t.Type == TargetInitiativeMetric {
			if i.ProgressMode != ModeMetric || i.Metric == nil {
				return nil, FieldError("target.type", "initiative %d has no metric: give it a metric (progress_mode metric) or bind its tasks (initiative_tasks)", i.ID)
			}
			info.MetricKind = i.Metric.Kind
		} else if i.ProgressMode == ModeMetric {
			return nil, FieldError("target.type", "initiative %d measures a metric: bind it as initiative_metric, or change its progress_mode to tasks", i.ID)
		}
		info.Title = i.Title
		if periodID, err = s.periodOfParent(ctx, ac, i.Parent); err != nil {
			return nil, err
		}
	default:
		return nil, FieldError("target.type", "unknown target type %q", t.Type)
	}
	p, err := s.requireOpenPeriod(ctx, ac.org.ID, periodID)
	if err != nil {
		return nil, err
	}
	info.Period = p
	return info, nil
}

// CheckInAndPause records a manual check-in like CheckIn. When pause is true and the item
// is synced from Azure DevOps, its data source pauses in the same transaction, so that the
// value stays until someone resumes syncing; otherwise the check-in is a one-off override
// that the next sync replaces.
func (s *Service) CheckInAndPause(ctx context.Context, org string, c *CheckIn, pause bool) error {
	if !pause {
		return s.CheckIn(ctx, org, c)
	}
	return s.checkIn(ctx, org, c, true)
}

// TargetPeriod returns the period of a key result or initiative of the organization the
// actor belongs to.
func (s *Service) TargetPeriod(ctx context.Context, a *IntegrationActor, item Ref) (*Period, error) {
	ac := &access{org: a.Org, user: a.User, role: a.Role}
	var periodID int64
	switch item.Type {
	case ItemKeyResult:
		k, err := s.store.KeyResultByID(ctx, ac.org.ID, item.ID)
		if err != nil {
			return nil, err
		}
		o, err := s.store.ObjectiveByID(ctx, ac.org.ID, k.ObjectiveID)
		if err != nil {
			return nil, err
		}
		periodID = o.PeriodID
	case ItemInitiative:
		i, err := s.store.InitiativeByID(ctx, ac.org.ID, item.ID)
		if err != nil {
			return nil, err
		}
		if periodID, err = s.periodOfParent(ctx, ac, i.Parent); err != nil {
			return nil, err
		}
	default:
		return nil, FieldError("item.type", "only key results and initiatives have data sources")
	}
	return s.store.PeriodByID(ctx, ac.org.ID, periodID)
}
