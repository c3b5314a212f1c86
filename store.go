package cairn

import (
	"context"
	"time"
)

// Store is the persistence port that the sqldb adapter implements for SQLite and PostgreSQL.
// Every method is atomic: a method that writes several rows does so in one transaction.
// Lookups by id take the organization id and answer ENOTFOUND for an id of another
// organization, so that no caller can reach across organizations by accident.
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
	// ClosePeriod marks the period closed and stores the scores, in one transaction.
	ClosePeriod(ctx context.Context, orgID, periodID int64, at time.Time, scores []Score) error

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

	// PeriodGraph loads every objective, key result and initiative of a period in a fixed
	// number of queries, whatever the number of items.
	PeriodGraph(ctx context.Context, orgID, periodID int64) (*Graph, error)
	// ObjectiveGraph loads one objective, the objectives aligned under it (recursively) and
	// every key result and initiative of those, with the period, in a fixed number of
	// queries.
	ObjectiveGraph(ctx context.Context, orgID, objectiveID int64) (*Graph, error)
}

// Score is the closing score of an objective or key result.
type Score struct {
	Item  Ref
	Value float64
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
}
