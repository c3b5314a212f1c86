package cairn

import (
	"regexp"
	"strings"
	"time"
)

// TargetType is what a data source writes into.
type TargetType string

// The three targets of PRODUCT.md §2.
const (
	TargetKeyResult        TargetType = "key_result"        // the key result's metric
	TargetInitiativeMetric TargetType = "initiative_metric" // the initiative's metric (KPI)
	TargetInitiativeTasks  TargetType = "initiative_tasks"  // the initiative's tasks, % complete
)

// Target is the item a data source writes into.
type Target struct {
	Type TargetType `json:"type"`
	ID   int64      `json:"id"`
}

// Ref returns the OKR item the target writes into.
func (t Target) Ref() Ref {
	if t.Type == TargetKeyResult {
		return Ref{Type: ItemKeyResult, ID: t.ID}
	}
	return Ref{Type: ItemInitiative, ID: t.ID}
}

// Method is how a data source selects its work items.
type Method string

// The two methods of PRODUCT.md §2.
const (
	MethodSharedQuery Method = "shared_query" // every item a saved query returns
	MethodWorkItems   Method = "work_items"   // chosen items and their descendants
)

// The progress type that measures every item, and the default measure.
const (
	ProgressAll  = "*"
	MeasureCount = "count"
)

// MaxWorkItemIDs bounds the items a work-items data source may select.
const MaxWorkItemIDs = 200

// SyncError is a data source's last failure, for people: what happened and what to do.
type SyncError struct {
	Kind     string    `json:"kind"`
	Message  string    `json:"message"`
	Guidance string    `json:"guidance"`
	At       time.Time `json:"at"`
}

// The kinds of sync errors (PRODUCT.md §2, "Errors users must understand").
const (
	SyncErrCredentials       = "credentials"        // 401, or 203 with a sign-in page
	SyncErrHostNotAllowed    = "host_not_allowed"   // the organization URL is not on the egress allow-list
	SyncErrConditionalAccess = "conditional_access" // 403 VS403463 or an IP allow-list
	SyncErrForbidden         = "forbidden"          // another 403: no permission
	SyncErrNotFound          = "not_found"          // the query, project or items are gone
	SyncErrTooLarge          = "too_large"          // more than 20,000 results
	SyncErrInvalid           = "invalid"            // a type or field no longer exists
	SyncErrUnavailable       = "unavailable"        // Azure DevOps did not answer
	SyncErrDisabled          = "disabled"           // an admin switched the integration off
	SyncErrInternal          = "internal"
)

// DataSource joins a connection to one target: the binding of PRODUCT.md §2.
type DataSource struct {
	ID           int64  `json:"id"`
	OrgID        int64  `json:"org_id"`
	ConnectionID int64  `json:"connection_id"`
	Target       Target `json:"target"`
	Method       Method `json:"method"`
	QueryID      string `json:"query_id,omitempty"`
	// QueryName is the saved query's path, kept to name it in errors.
	QueryName          string `json:"query_name,omitempty"`
	WorkItemType       string `json:"work_item_type,omitempty"`
	WorkItemIDs        []int  `json:"work_item_ids,omitempty"`
	ProgressType       string `json:"progress_type"`
	Measure            string `json:"measure"`
	CountTotal         bool   `json:"count_total"`
	ResolvedIsComplete bool   `json:"resolved_is_complete"`
	Paused             bool   `json:"paused"`
	CreatedBy          *int64 `json:"created_by"`

	// The state of the last sync.
	Value           *float64   `json:"value"`
	ItemCount       int        `json:"item_count"`
	MeasuredCount   int        `json:"measured_count"`
	CompleteCount   int        `json:"complete_count"`
	CompleteMeasure float64    `json:"complete_measure"`
	TotalMeasure    float64    `json:"total_measure"`
	Warning         string     `json:"warning"`
	Error           *SyncError `json:"error"`
	LastAttemptAt   *time.Time `json:"last_attempt_at"`
	LastSuccessAt   *time.Time `json:"last_success_at"`
	// NextSyncAt and Status are computed when the data source is read.
	NextSyncAt *time.Time `json:"next_sync_at"`
	// Status is active, paused (by a person), disabled (a switch is off) or closed (the
	// target's period is closed).
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// The statuses of a data source.
const (
	DataSourceActive   = "active"
	DataSourcePaused   = "paused"
	DataSourceDisabled = "disabled"
	DataSourceClosed   = "closed"
)

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// fieldRefRE matches a field reference name such as Microsoft.VSTS.Scheduling.StoryPoints
// or Custom.RiskScore.
var fieldRefRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$`)

// Validate checks a data source's own fields; its connection, target and Azure DevOps
// metadata are checked by the integration service.
func (d *DataSource) Validate() error {
	switch d.Target.Type {
	case TargetKeyResult, TargetInitiativeMetric, TargetInitiativeTasks:
	case "":
		return FieldError("target.type", "target.type is required (key_result, initiative_metric or initiative_tasks)")
	default:
		return FieldError("target.type", "target.type must be key_result, initiative_metric or initiative_tasks, not %q", d.Target.Type)
	}
	if d.Target.ID <= 0 {
		return FieldError("target.id", "target.id is required")
	}
	if d.ConnectionID <= 0 {
		return FieldError("connection_id", "connection_id is required")
	}
	switch d.Method {
	case MethodSharedQuery:
		d.QueryID = strings.TrimSpace(d.QueryID)
		if d.QueryID == "" {
			return FieldError("query_id", "query_id is required for the shared_query method")
		}
		if !guidRE.MatchString(d.QueryID) {
			return FieldError("query_id", "query_id must be a query's GUID, not %q", d.QueryID)
		}
		if d.WorkItemType != "" || len(d.WorkItemIDs) > 0 {
			return FieldError("work_item_ids", "work_item_type and work_item_ids are for the work_items method")
		}
		d.QueryID = strings.ToLower(d.QueryID)
	case MethodWorkItems:
		d.WorkItemType = strings.TrimSpace(d.WorkItemType)
		if d.WorkItemType == "" {
			return FieldError("work_item_type", "work_item_type is required for the work_items method")
		}
		if len(d.WorkItemIDs) == 0 {
			return FieldError("work_item_ids", "pick at least one work item")
		}
		if len(d.WorkItemIDs) > MaxWorkItemIDs {
			return FieldError("work_item_ids", "at most %d work items", MaxWorkItemIDs)
		}
		seen := map[int]bool{}
		for _, id := range d.WorkItemIDs {
			if id <= 0 {
				return FieldError("work_item_ids", "%d is not a work item id", id)
			}
			if seen[id] {
				return FieldError("work_item_ids", "work item %d is listed twice", id)
			}
			seen[id] = true
		}
		if d.QueryID != "" {
			return FieldError("query_id", "query_id is for the shared_query method")
		}
	case "":
		return FieldError("method", "method is required (shared_query or work_items)")
	default:
		return FieldError("method", "method must be shared_query or work_items, not %q", d.Method)
	}
	d.ProgressType = strings.TrimSpace(d.ProgressType)
	if d.ProgressType == "" {
		if d.Method == MethodWorkItems {
			d.ProgressType = d.WorkItemType
		} else {
			return FieldError("progress_type", "progress_type is required: a work item type, or \"*\" for all")
		}
	}
	if len(d.ProgressType) > 128 {
		return FieldError("progress_type", "progress_type is longer than 128 characters")
	}
	d.Measure = strings.TrimSpace(d.Measure)
	if d.Measure == "" {
		d.Measure = MeasureCount
	}
	if d.Measure != MeasureCount && !fieldRefRE.MatchString(d.Measure) {
		return FieldError("measure", "measure must be \"count\" or a field reference name such as Microsoft.VSTS.Scheduling.StoryPoints, not %q", d.Measure)
	}
	if d.Target.Type == TargetInitiativeTasks && d.CountTotal {
		return FieldError("count_total", "count_total is for number and currency metrics, not initiative tasks")
	}
	return nil
}

// DataSourceFilter selects data sources. Zero fields do not filter; OrgID or ConnectionID
// is required.
type DataSourceFilter struct {
	OrgID        int64
	ConnectionID int64
}

// MirrorItem is one work item as the connection's mirror keeps it.
type MirrorItem struct {
	ID         int                `json:"id"`
	Rev        int                `json:"rev"`
	Type       string             `json:"type"`
	State      string             `json:"state"`
	Title      string             `json:"title"`
	AssignedTo string             `json:"assigned_to"`
	ParentID   int                `json:"parent_id"`
	URL        string             `json:"url"`
	Fields     map[string]float64 `json:"fields"`
}

// StateCategory is the category of one state of one work item type, as cached per
// connection.
type StateCategory struct {
	Type     string
	State    string
	Category string
}

// SyncPlan is what the store hands the sync engine for one connection.
type SyncPlan struct {
	Connection  *Connection
	Integration *OrgIntegration
	// TenantEnabled is the tenant switch.
	TenantEnabled bool
	Sources       []*PlannedSource
	// Categories are the cached state categories of the connection's project.
	Categories []StateCategory
	// MirrorRevs is the revision of every mirrored item; nil when the caller said it
	// holds the current mirror.
	MirrorRevs map[int]int
}

// PlannedSource is a data source with what the sync needs of its target.
type PlannedSource struct {
	*DataSource
	// MetricKind is the target's metric kind; empty for initiative tasks.
	MetricKind MetricKind
	// Current is the target's current value, which a manual check-in may have overridden.
	Current float64
	// PeriodClosed reports that the target's period is closed: it never syncs.
	PeriodClosed bool
	// Members are the item ids of the last successful sync.
	Members []int
}

// SyncWrite is everything one connection sync writes, in one transaction.
type SyncWrite struct {
	ConnectionID int64
	StartedAt    time.Time
	FinishedAt   time.Time
	// Upserts and Deletes change the mirror; Categories replace cached state categories of
	// the types they name.
	Upserts    []MirrorItem
	Deletes    []int
	Categories []StateCategory
	// CategoryTypes are the types whose cached categories Categories replace.
	CategoryTypes []string
	// WatermarkToken and WatermarkTime advance the changed-since position when set.
	WatermarkToken string
	WatermarkTime  *time.Time
	MirrorFields   []string
	// ClearRequest clears the connection's pending sync request made before StartedAt.
	ClearRequest bool
	// APIVersion, when set, is the REST API version the sync negotiated; it replaces the
	// connection's.
	APIVersion string
	Sources    []*SourceWrite
	// MirrorVersion is the connection's mirror version the sync read (SyncPlan). ApplySync
	// sets MirrorVersionAfter to the version after the write when no other sync changed
	// the mirror since the sync read it, and to 0 otherwise.
	MirrorVersion      int64
	MirrorVersionAfter int64
}

// SourceWrite is the outcome of one data source in a sync.
type SourceWrite struct {
	DataSourceID int64
	OrgID        int64
	Target       Target
	// AddMembers and RemoveMembers change the data source's item set.
	AddMembers, RemoveMembers []int
	// CheckIn, when set, is written and sets the target's current value.
	CheckIn *CheckIn
	// Tasks, when not nil, replace the initiative's tasks.
	Tasks []*Task
	// Success carries the new state; Error records a failure and keeps the last good values.
	Success *SyncState
	Error   *SyncError
	Run     *SyncRun
}

// SyncState is a data source's state after a successful sync.
type SyncState struct {
	Value           float64
	ItemCount       int
	MeasuredCount   int
	CompleteCount   int
	CompleteMeasure float64
	TotalMeasure    float64
	Warning         string
}

// SyncRun is one entry of a data source's sync log.
type SyncRun struct {
	ID           int64          `json:"id"`
	DataSourceID int64          `json:"data_source_id"`
	Trigger      string         `json:"trigger"`
	StartedAt    time.Time      `json:"started_at"`
	FinishedAt   time.Time      `json:"finished_at"`
	APICalls     map[string]int `json:"api_calls"`
	APICallCount int            `json:"api_call_count"`
	ItemsFetched int            `json:"items_fetched"`
	ItemCount    int            `json:"item_count"`
	ValueBefore  *float64       `json:"value_before"`
	ValueAfter   *float64       `json:"value_after"`
	CheckInID    *int64         `json:"check_in_id"`
	Error        *SyncError     `json:"error"`
}

// ErrSyncSuperseded is what ApplySync answers for a sync that started before the last
// applied sync of its connection: it read Azure DevOps earlier, so its values are older
// and are not written.
var ErrSyncSuperseded = &Error{Code: ECONFLICT, Message: "a sync of this connection that started later has been applied already"}

// The triggers of a sync run.
const (
	TriggerSchedule = "schedule"
	TriggerManual   = "manual"
	TriggerHook     = "hook"
	// TriggerRescued is a sync that a replica started and did not finish (it stopped or
	// was killed), run again by another replica once the job was found abandoned.
	TriggerRescued = "rescued"
	TriggerCreate  = "create"
)

// Task is one work item shown as an initiative's task.
type Task struct {
	WorkItemID    int     `json:"work_item_id"`
	Title         string  `json:"title"`
	Type          string  `json:"type"`
	State         string  `json:"state"`
	StateCategory string  `json:"state_category"`
	AssignedTo    string  `json:"assigned_to"`
	ParentID      *int    `json:"parent_id"`
	Measure       float64 `json:"measure"`
	URL           string  `json:"url"`
}

// AlignedSource is a data source whose item set contains a work item, with the chain of
// OKR items it counts towards.
type AlignedSource struct {
	DataSourceID int64  `json:"data_source_id"`
	OrgID        int64  `json:"org_id"`
	OrgSlug      string `json:"org_slug"`
	OrgName      string `json:"org_name"`
	ConnectionID int64  `json:"connection_id"`
	Target       Target `json:"target"`
	ProgressType string `json:"progress_type"`
	// Measured reports whether the item is of the progress type, so it counts directly.
	Measured bool `json:"measured"`
}
