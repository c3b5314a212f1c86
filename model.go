package cairn

import (
	"regexp"
	"strings"
	"time"

	"github.com/cairn-okr/cairn/progress"
)

// Role is a member's role in an organization. Tenant admins are marked on the user.
type Role string

// The roles of PRODUCT.md §1.
const (
	RoleAdmin  Role = "admin"  // organization admin
	RoleMember Role = "member" // creates OKRs, edits those they own or are editors of
	RoleViewer Role = "viewer" // reads only
)

// Valid reports whether r is a known organization role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleMember || r == RoleViewer }

// Tenant is one installation of Cairn.
type Tenant struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// User is a person who can sign in.
type User struct {
	ID           int64  `json:"id"`
	Email        string `json:"email"`
	Name         string `json:"name"`
	TenantAdmin  bool   `json:"tenant_admin"`
	PasswordHash string `json:"-"`
	OIDCSubject  string `json:"-"`
	// Unclaimed marks a person an import named who has no account yet: the email is a
	// placeholder under UnclaimedDomain and the user cannot sign in until an admin merges
	// it into a real account, or its owner signs in with Microsoft under the same name.
	Unclaimed bool      `json:"unclaimed,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// UnclaimedDomain is the domain of the placeholder emails of unclaimed users. It lies under
// .invalid, which RFC 2606 reserves, so that no mail can reach it and no real account can
// hold it.
const UnclaimedDomain = "unclaimed.invalid"

var emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)

// Validate checks a user before it is stored.
func (u *User) Validate() error {
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	u.Name = strings.TrimSpace(u.Name)
	if u.Email == "" {
		return FieldError("email", "email is required")
	}
	if len(u.Email) > 254 || !emailRE.MatchString(u.Email) {
		return FieldError("email", "%q is not an email address", u.Email)
	}
	switch {
	case u.Unclaimed && !strings.HasSuffix(u.Email, "@"+UnclaimedDomain):
		return FieldError("email", "an unclaimed user's email must be a placeholder under %s", UnclaimedDomain)
	case !u.Unclaimed && strings.HasSuffix(u.Email, ".invalid"):
		return FieldError("email", "%q is under the reserved .invalid domain, which no mailbox has", u.Email)
	}
	if u.Unclaimed && (u.PasswordHash != "" || u.OIDCSubject != "") {
		return FieldError("unclaimed", "an unclaimed user cannot have a password or a sign-in identity")
	}
	if len(u.Name) > 200 {
		return FieldError("name", "name is longer than 200 characters")
	}
	return nil
}

// Session is a signed-in browser session. Only the hash of its id is stored.
type Session struct {
	IDHash    string
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// APIToken is a personal API token. Only the hash of the token is stored.
type APIToken struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	Hash       string     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// Org is an organization: the unit that holds teams, members and OKRs.
type Org struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Slug string `json:"slug"`
	// AtRiskGap is the shortfall against expected progress beyond which an item is at risk.
	AtRiskGap float64   `json:"at_risk_gap"`
	CreatedAt time.Time `json:"created_at"`
}

// DefaultAtRiskGap is the default threshold between Behind and At risk (PRODUCT.md §1).
const DefaultAtRiskGap = 0.25

var slugRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$`)

// Validate checks an organization.
func (o *Org) Validate() error {
	o.Name = strings.TrimSpace(o.Name)
	if err := validTitle("name", o.Name, 200); err != nil {
		return err
	}
	if o.Slug == "" {
		return FieldError("slug", "slug is required")
	}
	if !slugRE.MatchString(o.Slug) {
		return FieldError("slug", "slug must be lowercase letters, digits and dashes (at most 64), like \"fabrikam\"")
	}
	if isDigits(o.Slug) {
		return FieldError("slug", "slug must not be all digits, so that it cannot be mistaken for an id")
	}
	if o.AtRiskGap == 0 {
		o.AtRiskGap = DefaultAtRiskGap
	}
	if o.AtRiskGap < 0 || o.AtRiskGap > 1 {
		return FieldError("at_risk_gap", "at_risk_gap must be between 0 and 1")
	}
	return nil
}

// Member is a user's membership in an organization.
type Member struct {
	OrgID     int64     `json:"org_id"`
	UserID    int64     `json:"user_id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	CreatedAt time.Time `json:"created_at"`
	// LockedUntil is set while too many failed sign-ins lock the member's password sign-in;
	// an admin can unlock it sooner.
	LockedUntil *time.Time `json:"locked_until,omitempty"`
	// Unclaimed says that the member is a person an import named who has no account yet
	// (see User.Unclaimed); an admin claims it for a real account.
	Unclaimed bool `json:"unclaimed"`
}

// Team is a group of members inside an organization.
type Team struct {
	ID        int64     `json:"id"`
	OrgID     int64     `json:"org_id"`
	Name      string    `json:"name"`
	MemberIDs []int64   `json:"member_ids"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks a team.
func (t *Team) Validate() error {
	t.Name = strings.TrimSpace(t.Name)
	if t.MemberIDs == nil {
		t.MemberIDs = []int64{}
	}
	return validTitle("name", t.Name, 200)
}

// Period is a time period such as a quarter. Start and End are inclusive dates.
type Period struct {
	ID       int64      `json:"id"`
	OrgID    int64      `json:"org_id"`
	Name     string     `json:"name"`
	Start    Date       `json:"start"`
	End      Date       `json:"end"`
	ClosedAt *time.Time `json:"closed_at"`
	// ClosingNote is what the admin who closed the period wrote about it; reopening keeps
	// it until the next close.
	ClosingNote string `json:"closing_note"`
}

// Closed reports whether the period has been closed and its items frozen.
func (p *Period) Closed() bool { return p.ClosedAt != nil }

// Validate checks a period.
func (p *Period) Validate() error {
	p.Name = strings.TrimSpace(p.Name)
	if err := validTitle("name", p.Name, 200); err != nil {
		return err
	}
	if p.Start.IsZero() {
		return FieldError("start", "start is required")
	}
	if p.End.IsZero() {
		return FieldError("end", "end is required")
	}
	if p.End.Before(p.Start) {
		return FieldError("end", "end %s is before start %s", p.End, p.Start)
	}
	if len(p.ClosingNote) > MaxClosingNote {
		return FieldError("closing_note", "closing note is longer than %d characters", MaxClosingNote)
	}
	return nil
}

// MaxClosingNote bounds a period's closing note, in bytes.
const MaxClosingNote = 5000

// Level is an objective's level.
type Level string

// The levels of PRODUCT.md §1.
const (
	LevelOrganization Level = "organization"
	LevelTeam         Level = "team"
	LevelIndividual   Level = "individual"
)

// ItemType names a kind of OKR item.
type ItemType string

// The item types that parents, check-ins and alignments refer to.
const (
	ItemObjective  ItemType = "objective"
	ItemKeyResult  ItemType = "key_result"
	ItemInitiative ItemType = "initiative"
)

// Ref points at an item by type and id.
type Ref struct {
	Type ItemType `json:"type"`
	ID   int64    `json:"id"`
}

// Objective is a qualitative goal for a period.
type Objective struct {
	ID           int64   `json:"id"`
	OrgID        int64   `json:"org_id"`
	PeriodID     int64   `json:"period_id"`
	TeamID       *int64  `json:"team_id"`
	Title        string  `json:"title"`
	Description  string  `json:"description"`
	Level        Level   `json:"level"`
	Aspirational bool    `json:"aspirational"`
	OwnerIDs     []int64 `json:"owner_ids"`
	EditorIDs    []int64 `json:"editor_ids"`
	// Parent is the objective or key result this objective aligns to, if any.
	Parent *Ref    `json:"parent"`
	Weight float64 `json:"weight"`
	// Score and ClosingStatus are the closing score and status: while the period is open
	// the ones its owners chose ahead of the close, if any, and once it is closed the final
	// ones (see Closing).
	Score         *float64               `json:"score"`
	ClosingStatus progress.ClosingStatus `json:"closing_status"`
	// CarriedFromID is the objective of an earlier period that this one continues; a
	// closing period's copy of an objective whose key results were carried forward.
	CarriedFromID *int64 `json:"carried_from_id"`
	// CarriedToID is the first copy of this objective that a later period holds; the store
	// fills it in on reads.
	CarriedToID *int64    `json:"carried_to_id"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Validate checks an objective's own fields; references are checked by the service.
func (o *Objective) Validate() error { return o.validate(true) }

// ValidateNew checks a new objective as a request states it: its owners may be left out, and
// the service then makes the caller the owner.
func (o *Objective) ValidateNew() error { return o.validate(o.OwnerIDs != nil) }

func (o *Objective) validate(needOwners bool) error {
	o.Title = strings.TrimSpace(o.Title)
	if err := validTitle("title", o.Title, 300); err != nil {
		return err
	}
	if len(o.Description) > 10000 {
		return FieldError("description", "description is longer than 10000 characters")
	}
	if o.PeriodID <= 0 {
		return FieldError("period_id", "period_id is required")
	}
	switch o.Level {
	case "":
		o.Level = LevelOrganization
	case LevelOrganization, LevelTeam, LevelIndividual:
	default:
		return FieldError("level", "level must be organization, team or individual, not %q", o.Level)
	}
	if o.Level == LevelTeam && o.TeamID == nil {
		return FieldError("team_id", "team_id is required for a team objective")
	}
	if needOwners && len(o.OwnerIDs) == 0 {
		return FieldError("owner_ids", "an objective needs at least one owner")
	}
	if err := validIDs("owner_ids", o.OwnerIDs); err != nil {
		return err
	}
	if err := validIDs("editor_ids", o.EditorIDs); err != nil {
		return err
	}
	if o.EditorIDs == nil {
		o.EditorIDs = []int64{}
	}
	if o.Parent != nil {
		if o.Parent.Type != ItemObjective && o.Parent.Type != ItemKeyResult {
			return FieldError("parent.type", "parent type must be objective or key_result, not %q", o.Parent.Type)
		}
		if o.Parent.ID <= 0 {
			return FieldError("parent.id", "parent id is required")
		}
		if o.Parent.Type == ItemObjective && o.Parent.ID == o.ID {
			return FieldError("parent.id", "an objective cannot align to itself")
		}
	}
	if err := validClosing(o.Score, o.ClosingStatus); err != nil {
		return err
	}
	return validWeight(&o.Weight)
}

// MetricKind is the kind of a metric.
type MetricKind string

// The metric kinds of PRODUCT.md §1.
const (
	MetricPercentage MetricKind = "percentage"
	MetricNumber     MetricKind = "number"
	MetricCurrency   MetricKind = "currency"
)

// Metric is a measurable quantity with a start and a target. Current is the latest value.
type Metric struct {
	Kind    MetricKind `json:"kind"`
	Start   float64    `json:"start"`
	Target  float64    `json:"target"`
	Unit    string     `json:"unit"`
	Current float64    `json:"current"`
}

// Validate checks a metric; prefix names the enclosing field.
func (m *Metric) Validate(prefix string) error {
	switch m.Kind {
	case MetricPercentage, MetricNumber, MetricCurrency:
	case "":
		return FieldError(prefix+".kind", "metric kind is required (percentage, number or currency)")
	default:
		return FieldError(prefix+".kind", "metric kind must be percentage, number or currency, not %q", m.Kind)
	}
	if m.Start == m.Target {
		return FieldError(prefix+".target", "target must differ from start (both are %g)", m.Start)
	}
	if !finite(m.Start) {
		return FieldError(prefix+".start", "start must be a finite number")
	}
	if !finite(m.Target) {
		return FieldError(prefix+".target", "target must be a finite number")
	}
	if !finite(m.Current) {
		return FieldError(prefix+".current", "current must be a finite number")
	}
	m.Unit = strings.TrimSpace(m.Unit)
	if len(m.Unit) > 20 {
		return FieldError(prefix+".unit", "unit is longer than 20 characters")
	}
	return nil
}

// ProgressSource is where a key result's progress comes from.
type ProgressSource string

// The progress sources of PRODUCT.md §1.
const (
	SourceManual     ProgressSource = "manual"      // check-ins
	SourceRollUp     ProgressSource = "roll_up"     // aligned children
	SourceDataSource ProgressSource = "data_source" // Azure DevOps
)

// KeyResult is a measurable outcome of an objective.
type KeyResult struct {
	ID             int64          `json:"id"`
	OrgID          int64          `json:"org_id"`
	ObjectiveID    int64          `json:"objective_id"`
	Title          string         `json:"title"`
	Metric         Metric         `json:"metric"`
	ProgressSource ProgressSource `json:"progress_source"`
	OwnerIDs       []int64        `json:"owner_ids"`
	Weight         float64        `json:"weight"`
	// Score and ClosingStatus are the closing score and status, as on Objective.
	Score         *float64               `json:"score"`
	ClosingStatus progress.ClosingStatus `json:"closing_status"`
	// CarriedFromID is the unfinished key result of an earlier period that this one
	// carries forward; CarriedToID is that copy, seen from the original, which the store
	// fills in on reads.
	CarriedFromID *int64     `json:"carried_from_id"`
	CarriedToID   *int64     `json:"carried_to_id"`
	LastCheckInAt *time.Time `json:"last_check_in_at"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// Validate checks a key result's own fields.
func (k *KeyResult) Validate() error {
	k.Title = strings.TrimSpace(k.Title)
	if err := validTitle("title", k.Title, 300); err != nil {
		return err
	}
	if k.ObjectiveID <= 0 {
		return FieldError("objective_id", "objective_id is required")
	}
	if err := k.Metric.Validate("metric"); err != nil {
		return err
	}
	switch k.ProgressSource {
	case "":
		k.ProgressSource = SourceManual
	case SourceManual, SourceRollUp, SourceDataSource:
	default:
		return FieldError("progress_source", "progress_source must be manual, roll_up or data_source, not %q", k.ProgressSource)
	}
	if k.OwnerIDs == nil {
		k.OwnerIDs = []int64{}
	}
	if err := validIDs("owner_ids", k.OwnerIDs); err != nil {
		return err
	}
	if err := validClosing(k.Score, k.ClosingStatus); err != nil {
		return err
	}
	return validWeight(&k.Weight)
}

// ProgressMode is how an initiative's progress is measured.
type ProgressMode string

// The initiative progress modes of PRODUCT.md §1.
const (
	ModeManual ProgressMode = "manual" // check-ins of a percentage
	ModeMetric ProgressMode = "metric" // a metric, like a key result
	ModeTasks  ProgressMode = "tasks"  // % of tasks complete
)

// Initiative is work that serves a key result or an objective.
type Initiative struct {
	ID            int64        `json:"id"`
	OrgID         int64        `json:"org_id"`
	Parent        Ref          `json:"parent"`
	Title         string       `json:"title"`
	Contributes   bool         `json:"contributes"`
	ProgressMode  ProgressMode `json:"progress_mode"`
	Metric        *Metric      `json:"metric"`
	Current       float64      `json:"current"`
	OwnerIDs      []int64      `json:"owner_ids"`
	Weight        float64      `json:"weight"`
	LastCheckInAt *time.Time   `json:"last_check_in_at"`
	CreatedAt     time.Time    `json:"created_at"`
	UpdatedAt     time.Time    `json:"updated_at"`
	// Automated reports whether an Azure DevOps data source sets the initiative's progress;
	// the store fills it in on reads.
	Automated bool `json:"-"`
}

// Validate checks an initiative's own fields.
func (i *Initiative) Validate() error {
	i.Title = strings.TrimSpace(i.Title)
	if err := validTitle("title", i.Title, 300); err != nil {
		return err
	}
	if i.Parent.Type != ItemKeyResult && i.Parent.Type != ItemObjective {
		return FieldError("parent.type", "parent type must be key_result or objective, not %q", i.Parent.Type)
	}
	if i.Parent.ID <= 0 {
		return FieldError("parent.id", "parent id is required")
	}
	switch i.ProgressMode {
	case "":
		i.ProgressMode = ModeManual
	case ModeManual, ModeTasks:
		if i.Metric != nil {
			return FieldError("metric", "metric is only for progress_mode metric")
		}
	case ModeMetric:
		if i.Metric == nil {
			return FieldError("metric", "metric is required for progress_mode metric")
		}
		if err := i.Metric.Validate("metric"); err != nil {
			return err
		}
	default:
		return FieldError("progress_mode", "progress_mode must be manual, metric or tasks, not %q", i.ProgressMode)
	}
	if i.OwnerIDs == nil {
		i.OwnerIDs = []int64{}
	}
	if err := validIDs("owner_ids", i.OwnerIDs); err != nil {
		return err
	}
	return validWeight(&i.Weight)
}

// CheckInSource says who made a check-in.
type CheckInSource string

// The check-in sources of PRODUCT.md §1.
const (
	CheckInManual      CheckInSource = "manual"
	CheckInAzureDevOps CheckInSource = "azure-devops"
)

// CheckIn records a value of a key result or initiative at a time.
type CheckIn struct {
	ID        int64         `json:"id"`
	OrgID     int64         `json:"org_id"`
	Item      Ref           `json:"item"`
	Value     float64       `json:"value"`
	Status    string        `json:"status"`
	Note      string        `json:"note"`
	AuthorID  *int64        `json:"author_id"`
	Source    CheckInSource `json:"source"`
	CreatedAt time.Time     `json:"created_at"`
}

// CheckInStatuses are the statuses a person may give with a check-in; empty means "let Cairn
// compute it".
var CheckInStatuses = []string{"", "not_started", "on_track", "behind", "at_risk"}

// Validate checks a check-in.
func (c *CheckIn) Validate() error {
	if !finite(c.Value) {
		return FieldError("value", "value must be a finite number")
	}
	ok := false
	for _, s := range CheckInStatuses {
		if c.Status == s {
			ok = true
		}
	}
	if !ok {
		return FieldError("status", "status must be not_started, on_track, behind or at_risk, not %q", c.Status)
	}
	if len(c.Note) > 5000 {
		return FieldError("note", "note is longer than 5000 characters")
	}
	switch c.Source {
	case "":
		c.Source = CheckInManual
	case CheckInManual, CheckInAzureDevOps:
	default:
		return FieldError("source", "unknown check-in source %q", c.Source)
	}
	return nil
}

func validTitle(field, s string, max int) error {
	if s == "" {
		return FieldError(field, "%s is required", field)
	}
	if len([]rune(s)) > max {
		return FieldError(field, "%s is longer than %d characters", field, max)
	}
	return nil
}

func validIDs(field string, ids []int64) error {
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if id <= 0 {
			return FieldError(field, "%d is not a valid id", id)
		}
		if seen[id] {
			return FieldError(field, "id %d is listed twice", id)
		}
		seen[id] = true
	}
	if len(ids) > 50 {
		return FieldError(field, "at most 50 ids")
	}
	return nil
}

// validClosing checks a closing score and status; either may be unset.
func validClosing(score *float64, status progress.ClosingStatus) error {
	if score != nil && (!finite(*score) || *score < 0 || *score > 1) {
		return FieldError("score", "score must be between 0 and 1")
	}
	if status != "" && !status.Valid() {
		return FieldError("closing_status", "closing_status must be achieved, partially_achieved or missed, not %q", status)
	}
	return nil
}

func validWeight(w *float64) error {
	if *w == 0 {
		*w = 1
	}
	if !finite(*w) || *w < 0 || *w > 1000 {
		return FieldError("weight", "weight must be a positive number up to 1000")
	}
	return nil
}

func finite(f float64) bool { return f == f && f < 1e300 && f > -1e300 }

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
