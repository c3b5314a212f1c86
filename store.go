package cairn

import (
	"context"
	"time"

	"github.com/cairn-okr/cairn/progress"
)

// Store is the persistence port that the sqldb adapter implements for SQLite and PostgreSQL.
// Every method is atomic: a method that writes several rows does so in one transaction.
// Lookups by id take the organization id and answer ENOTFOUND for an id of another
// organization, so that no caller can reach across organizations by accident.
//
// The writes of objectives, key results, initiatives and manual check-ins here, and of data
// sources in IntegrationStore, record an AuditEvent in the same transaction, made by the user
// the context carries (UserFromContext), or by nobody without one. Imports and syncs do not:
// an import keeps its own records, and what a sync writes is in its check-ins and sync log.
type Store interface {
	// Ping checks that the database is reachable and fully migrated.
	Ping(ctx context.Context) error

	// Tenant returns the installation's tenant, or ENOTFOUND before first start.
	Tenant(ctx context.Context) (*Tenant, error)
	// CreateTenant creates the tenant and its first tenant admin in one transaction.
	// It fails with ECONFLICT when a tenant exists already.
	CreateTenant(ctx context.Context, t *Tenant, admin *User) error
	// SetSetting and Setting keep small named values, such as the one-time setup token hash.
	SetSetting(ctx context.Context, key, value string) error
	Setting(ctx context.Context, key string) (string, error)
	DeleteSetting(ctx context.Context, key string) error

	CreateUser(ctx context.Context, u *User) error // ECONFLICT on a duplicate email
	UserByID(ctx context.Context, id int64) (*User, error)
	UserByEmail(ctx context.Context, email string) (*User, error)
	UserByOIDCSubject(ctx context.Context, subject string) (*User, error)
	UpdateUser(ctx context.Context, u *User) error
	ListUsers(ctx context.Context) ([]*User, error)
	// UnclaimedUsersByName lists the unclaimed users whose name equals name, compared
	// without regard to case.
	UnclaimedUsersByName(ctx context.Context, name string) ([]*User, error)
	// MergeUsers merges unclaimed users into an account in one transaction: the account
	// takes over their memberships (keeping its own role where it has one), team places,
	// ownerships, editorships and check-in ownerships, check-ins, comments and mentions,
	// audit events and import mappings, and they are deleted. An account with id 0 is
	// created first. A user in from that is not unclaimed fails the whole merge with
	// ECONFLICT.
	MergeUsers(ctx context.Context, into *User, from []int64) error

	// ChangePassword sets the user's password hash and ends every session of the user, in
	// one transaction, so that a changed password leaves no old session behind.
	ChangePassword(ctx context.Context, userID int64, hash string) error

	CreateSession(ctx context.Context, s *Session) error
	SessionByHash(ctx context.Context, hash string) (*Session, error) // ENOTFOUND when expired
	DeleteSession(ctx context.Context, hash string) error
	// DeleteUserSessions ends every session of the user.
	DeleteUserSessions(ctx context.Context, userID int64) error

	CreateAPIToken(ctx context.Context, t *APIToken) error
	APITokenByHash(ctx context.Context, hash string) (*APIToken, error)
	TouchAPIToken(ctx context.Context, id int64, at time.Time) error
	// ListAPITokens lists the user's tokens, newest first.
	ListAPITokens(ctx context.Context, userID int64) ([]*APIToken, error)
	// DeleteAPIToken revokes one of the user's tokens; a token of another user is ENOTFOUND.
	DeleteAPIToken(ctx context.Context, userID, id int64) error

	// SignInThrottle returns the failed sign-ins of an account or address, or ENOTFOUND.
	SignInThrottle(ctx context.Context, scope ThrottleScope, subject string) (*SignInThrottle, error)
	// SaveSignInThrottle stores t only while the stored record still equals prev (none when
	// prev is nil), and fails with ECONFLICT otherwise, so that replicas counting attempts
	// at once never lose one.
	SaveSignInThrottle(ctx context.Context, t, prev *SignInThrottle) error
	// DeleteSignInThrottle forgets the failed sign-ins of an account or address; forgetting
	// none is not an error.
	DeleteSignInThrottle(ctx context.Context, scope ThrottleScope, subject string) error
	// DeleteStaleSignInThrottles removes the records whose last failure and retry time are
	// both before the time, and returns how many it removed.
	DeleteStaleSignInThrottles(ctx context.Context, before time.Time) (int64, error)

	// CreateOrg creates the organization and makes creatorID its admin.
	CreateOrg(ctx context.Context, o *Org, creatorID int64) error // ECONFLICT on a duplicate slug
	OrgByID(ctx context.Context, id int64) (*Org, error)
	OrgBySlug(ctx context.Context, slug string) (*Org, error)
	// ListOrgs lists every organization when userID is 0, else those the user belongs to.
	ListOrgs(ctx context.Context, userID int64) ([]*Org, error)
	UpdateOrg(ctx context.Context, o *Org) error
	DeleteOrg(ctx context.Context, id int64) error

	// Membership and ListMembers set each member's LockedUntil while password sign-in with
	// the member's email is locked by the clock.
	Membership(ctx context.Context, orgID, userID int64) (*Member, error)
	ListMembers(ctx context.Context, orgID int64) ([]*Member, error)
	AddMember(ctx context.Context, m *Member) error // ECONFLICT when already a member
	UpdateMember(ctx context.Context, m *Member) error
	RemoveMember(ctx context.Context, orgID, userID int64) error

	CreateTeam(ctx context.Context, t *Team) error
	TeamByID(ctx context.Context, orgID, id int64) (*Team, error)
	ListTeams(ctx context.Context, orgID int64) ([]*Team, error)
	UpdateTeam(ctx context.Context, t *Team) error
	DeleteTeam(ctx context.Context, orgID, id int64) error

	CreatePeriod(ctx context.Context, p *Period) error
	PeriodByID(ctx context.Context, orgID, id int64) (*Period, error)
	ListPeriods(ctx context.Context, orgID int64) ([]*Period, error)
	UpdatePeriod(ctx context.Context, p *Period) error
	DeletePeriod(ctx context.Context, orgID, id int64) error // ECONFLICT while objectives use it
	// ClosePeriod closes a period as c describes, in one transaction: it marks the period
	// closed with its note, stores every score and closing status, and carries key results
	// forward. It fails with ECONFLICT when the period is closed already, or when the
	// period to carry into is closed or a key result was carried forward before.
	ClosePeriod(ctx context.Context, c *Closing) error
	// ReopenPeriod opens a closed period again, keeping its scores, statuses and note. It
	// fails with ECONFLICT when the period is open.
	ReopenPeriod(ctx context.Context, orgID, periodID int64) error

	CreateObjective(ctx context.Context, o *Objective) error
	ObjectiveByID(ctx context.Context, orgID, id int64) (*Objective, error)
	ListObjectives(ctx context.Context, f ObjectiveFilter) ([]*Objective, error)
	UpdateObjective(ctx context.Context, o *Objective) error
	// DeleteObjective deletes the objective with its key results, initiatives and their
	// check-ins; objectives aligned to it lose their parent.
	DeleteObjective(ctx context.Context, orgID, id int64) error

	CreateKeyResult(ctx context.Context, k *KeyResult) error
	KeyResultByID(ctx context.Context, orgID, id int64) (*KeyResult, error)
	ListKeyResults(ctx context.Context, f KeyResultFilter) ([]*KeyResult, error)
	UpdateKeyResult(ctx context.Context, k *KeyResult) error
	DeleteKeyResult(ctx context.Context, orgID, id int64) error

	CreateInitiative(ctx context.Context, i *Initiative) error
	InitiativeByID(ctx context.Context, orgID, id int64) (*Initiative, error)
	ListInitiatives(ctx context.Context, f InitiativeFilter) ([]*Initiative, error)
	UpdateInitiative(ctx context.Context, i *Initiative) error
	DeleteInitiative(ctx context.Context, orgID, id int64) error

	// AddCheckIn stores the check-in and, in the same transaction, sets the item's current
	// value and last check-in time.
	AddCheckIn(ctx context.Context, c *CheckIn) error
	ListCheckIns(ctx context.Context, orgID int64, item Ref, limit int) ([]*CheckIn, error)
	CheckInByID(ctx context.Context, orgID, id int64) (*CheckIn, error)

	// ListComments lists the comments on an item or a check-in, oldest first.
	ListComments(ctx context.Context, orgID int64, item Ref) ([]*Comment, error)
	// ListCheckInComments lists the comments on the check-ins of a key result or an
	// initiative, oldest first.
	ListCheckInComments(ctx context.Context, orgID int64, item Ref) ([]*Comment, error)
	// AddComment stores a comment with its mentions; its item or check-in must exist.
	AddComment(ctx context.Context, c *Comment) error
	CommentByID(ctx context.Context, orgID, id int64) (*Comment, error)
	// UpdateComment stores a comment's body, mentions and edit time.
	UpdateComment(ctx context.Context, c *Comment) error
	DeleteComment(ctx context.Context, orgID, id int64) error

	// ListAuditEvents lists the audit events the filter selects, newest first.
	ListAuditEvents(ctx context.Context, f AuditFilter) ([]*AuditEvent, error)

	// ListRebinds lists the re-bind checklist of the organization, oldest first, with each
	// item's title: the open entries, or every entry with all. Entries of deleted items are
	// left out.
	ListRebinds(ctx context.Context, orgID int64, all bool) ([]*RebindEntry, error)
	// AddRebind stores an entry, or with reopen opens an existing entry of the item again
	// with the new reason; without reopen an existing entry is left as it is. An item that
	// has a data source already is done at once. ENOTFOUND when the item does not exist.
	AddRebind(ctx context.Context, e *RebindEntry, reopen bool) error
	// MarkRebindDone marks an entry done at the time, if it is not done already, and
	// returns it.
	MarkRebindDone(ctx context.Context, orgID, id int64, at time.Time) (*RebindEntry, error)

	// CreateView stores a saved view; ECONFLICT when its owner has a view of that name.
	CreateView(ctx context.Context, v *SavedView) error
	// ViewByID returns a saved view of the organization, whoever owns it.
	ViewByID(ctx context.Context, orgID, id int64) (*SavedView, error)
	// ListViews lists the user's own views and the organization's shared ones, by name.
	ListViews(ctx context.Context, orgID, userID int64) ([]*SavedView, error)
	// UpdateView stores a view's name, sharing, filter and update time.
	UpdateView(ctx context.Context, v *SavedView) error
	DeleteView(ctx context.Context, orgID, id int64) error

	// PeriodGraph loads every objective, key result and initiative of a period in a fixed
	// number of queries, whatever the number of items.
	PeriodGraph(ctx context.Context, orgID, periodID int64) (*Graph, error)
	// ObjectiveGraph loads one objective, the objectives aligned under it and the objectives
	// of key results aligned under it (recursively), and every key result, initiative and
	// alignment of those, with the period, in a fixed number of queries.
	ObjectiveGraph(ctx context.Context, orgID, objectiveID int64) (*Graph, error)
}

// ImportStore runs an import of another tool's OKRs into one organization. The sqldb adapter
// implements it next to Store.
type ImportStore interface {
	// Import runs fn with an ImportTx of the organization. With write, fn runs in one write
	// transaction that commits when fn returns nil and rolls back otherwise, so that an
	// import is stored whole or not at all. Without write, fn reads one consistent snapshot
	// and every write fails with EINTERNAL: a dry run.
	Import(ctx context.Context, orgID int64, write bool, fn func(tx ImportTx) error) error
}

// ImportTx reads and writes one organization inside an import's transaction. Its methods take
// no organization id: every row they read or write is the organization's. Writes validate
// what they store as the Store's methods do; unlike those, they leave the current value and
// last check-in time of items to SetCurrent, so that a history of check-ins is written once.
type ImportTx interface {
	// Mappings lists the organization's import mappings without their Data.
	Mappings(ctx context.Context) ([]*ImportMapping, error)
	// PutMapping stores a mapping, replacing the one of the same kind and Viva id.
	PutMapping(ctx context.Context, m *ImportMapping) error
	// ExistingIDs returns the ids of the organization's rows of the table a kind maps to
	// (users that are members, for people), so that mappings to deleted rows are noticed.
	ExistingIDs(ctx context.Context, kind MappingKind) (map[int64]bool, error)

	ListPeriods(ctx context.Context) ([]*Period, error)
	CreatePeriod(ctx context.Context, p *Period) error
	UpdatePeriod(ctx context.Context, p *Period) error

	ListTeams(ctx context.Context) ([]*Team, error)
	CreateTeam(ctx context.Context, t *Team) error
	UpdateTeam(ctx context.Context, t *Team) error

	// ListMembers lists the organization's members; UserByEmail finds any user.
	ListMembers(ctx context.Context) ([]*Member, error)
	UserByEmail(ctx context.Context, email string) (*User, error)
	CreateUser(ctx context.Context, u *User) error
	// AddMember adds a user to the organization; a member already is left as it is.
	AddMember(ctx context.Context, userID int64, role Role) error

	ObjectiveByID(ctx context.Context, id int64) (*Objective, error)
	CreateObjective(ctx context.Context, o *Objective) error
	UpdateObjective(ctx context.Context, o *Objective) error
	KeyResultByID(ctx context.Context, id int64) (*KeyResult, error)
	CreateKeyResult(ctx context.Context, k *KeyResult) error
	UpdateKeyResult(ctx context.Context, k *KeyResult) error
	InitiativeByID(ctx context.Context, id int64) (*Initiative, error)
	CreateInitiative(ctx context.Context, i *Initiative) error
	UpdateInitiative(ctx context.Context, i *Initiative) error
	// SetCurrent sets a key result's or initiative's current value and last check-in time.
	SetCurrent(ctx context.Context, item Ref, value float64, lastCheckIn *time.Time) error

	// AddCheckIn stores a check-in as it is, CreatedAt included, without touching its item.
	AddCheckIn(ctx context.Context, c *CheckIn) error
	// UpdateCheckIn stores a check-in's value, status, note, author, source and time.
	UpdateCheckIn(ctx context.Context, c *CheckIn) error
	AddComment(ctx context.Context, c *Comment) error
	// UpdateComment stores a comment's body, author and time.
	UpdateComment(ctx context.Context, c *Comment) error

	// RebindItems returns the items that have a re-bind entry, open or done.
	RebindItems(ctx context.Context) (map[Ref]bool, error)
	// AddRebind stores a re-bind entry unless the item has one already (Store.AddRebind
	// without reopen), and reports whether it stored one.
	AddRebind(ctx context.Context, e *RebindEntry) (bool, error)
}

// Score is the closing score and status of an objective or key result. As an override
// that a close is given, a zero Status leaves the status to the score.
type Score struct {
	Item   Ref
	Value  float64
	Status progress.ClosingStatus
}

// Closing is everything the close of a period writes.
type Closing struct {
	OrgID    int64
	PeriodID int64
	At       time.Time
	Note     string
	// Scores holds the final score and status of every objective and key result of the
	// period.
	Scores []Score
	// CarryTo is the period that Carry goes into; 0 when nothing is carried forward.
	CarryTo int64
	Carry   []*CarryForward
}

// CarryForward is one unfinished key result that a close copies into the next period.
type CarryForward struct {
	// From is the key result as it closes.
	From *KeyResult
	// Copy is the new key result. Its CarriedFromID is From's id; the store sets its id
	// and its objective: the copy of From's objective in the next period.
	Copy *KeyResult
	// Objective is the copy of From's objective to create in the next period, unless that
	// period holds a copy of it already, which the store then uses; either way the store
	// sets its id.
	Objective *Objective
	// MovedDataSource reports, once stored, that From's Azure DevOps data source moved to
	// Copy.
	MovedDataSource bool
}

// ObjectiveFilter selects objectives. Zero fields do not filter.
type ObjectiveFilter struct {
	OrgID    int64
	PeriodID int64
	TeamID   int64
	OwnerID  int64
	ParentID int64 // aligned to this objective
	Limit    int
	Offset   int
}

// KeyResultFilter selects key results. Zero fields do not filter.
type KeyResultFilter struct {
	OrgID       int64
	ObjectiveID int64
	PeriodID    int64
	Limit       int
	Offset      int
}

// InitiativeFilter selects initiatives. Zero fields do not filter.
type InitiativeFilter struct {
	OrgID  int64
	Parent *Ref
	Limit  int
	Offset int
}

// Graph is every OKR item of one period, as loaded for roll-up and display.
type Graph struct {
	Period      *Period
	Objectives  []*Objective
	KeyResults  []*KeyResult
	Initiatives []*Initiative
	// Recent holds the values of the latest check-ins of each key result and initiative,
	// oldest first, at most progress.TrendWindow of them: what their trends are read from.
	Recent map[Ref][]float64
	// Stated holds, for each key result and initiative whose latest check-in gave a status,
	// that status: it holds until the next check-in (docs/progress.md).
	Stated map[Ref]progress.Status
}
