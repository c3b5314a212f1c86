package cairn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
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

// The kinds besides OKR items that comments and audit events refer to: people comment on
// check-ins as on items, and the audit trail records changes of check-ins and data sources.
const (
	ItemCheckIn    ItemType = "check_in"
	ItemDataSource ItemType = "data_source"
)

// Ref points at an item by type and id.
type Ref struct {
	Type ItemType `json:"type"`
	ID   int64    `json:"id"`
}

// Alignment is one edge of the alignment graph: the objective or key result that holds it
// counts towards the parent objective or key result it names, with Weight.
//
// A weight belongs to the edge (child, parent), not to the child: a key result may count
// 0.7 towards one objective and 0.3 towards another. Under one parent, weights are relative
// among the children that count there: the parent's progress is
// Σ(weight × child progress) / Σ weight over its counted children, so two children of
// weight 1 count half each, and a child of weight 0.7 next to one of weight 1 counts
// 0.7/1.7. A weight of 0 means aligned but not counted, as Viva Goals' "weight: 0%": the
// link is kept and shown, and the parent's progress ignores it. docs/alignment.md has the
// whole rule.
type Alignment struct {
	Type ItemType `json:"type"`
	ID   int64    `json:"id"`
	// Weight is the child's weight under this parent: 0 to 1000, 0 meaning not counted.
	// A JSON alignment without a weight gets the default 1.
	Weight float64 `json:"weight"`
}

// Ref returns the parent the alignment points at.
func (a Alignment) Ref() Ref { return Ref{Type: a.Type, ID: a.ID} }

// Counted reports whether the alignment counts towards its parent's progress.
func (a Alignment) Counted() bool { return a.Weight > 0 }

// UnmarshalJSON reads an alignment strictly (unknown fields are refused). A missing weight is
// the default 1, so that weights default to equal, while an explicit 0 keeps its meaning:
// aligned but not counted. A missing type is objective, the usual parent, so that
// {"id": 12, "weight": 70} aligns to objective 12.
func (a *Alignment) UnmarshalJSON(b []byte) error {
	type plain Alignment
	p := plain{Weight: 1}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return err
	}
	if p.Type == "" {
		p.Type = ItemObjective
	}
	*a = Alignment(p)
	return nil
}

// MaxParents bounds the parents of one item.
const MaxParents = 20

// validAlignments checks the parents of self. field names the list in errors; a list made
// from the single parent field is reported as that field.
func validAlignments(field string, single bool, self Ref, ps []Alignment) error {
	if len(ps) > MaxParents {
		return FieldError(field, "at most %d parents", MaxParents)
	}
	seen := make(map[Ref]bool, len(ps))
	for n, a := range ps {
		f := field
		if !single {
			f = field + "[" + strconv.Itoa(n) + "]"
		}
		if a.Type != ItemObjective && a.Type != ItemKeyResult {
			return FieldError(f+".type", "parent type must be objective or key_result, not %q", a.Type)
		}
		if a.ID <= 0 {
			return FieldError(f+".id", "parent id is required")
		}
		if self.ID != 0 && a.Ref() == self {
			return FieldError(f+".id", "%s %d cannot align to itself", kindName(self.Type), self.ID)
		}
		if seen[a.Ref()] {
			return FieldError(f+".id", "%s %d is listed twice", kindName(a.Type), a.ID)
		}
		seen[a.Ref()] = true
		if !finite(a.Weight) || a.Weight < 0 || a.Weight > 1000 {
			return FieldError(f+".weight", "weight must be between 0 (aligned, not counted) and 1000")
		}
	}
	return nil
}

// kindName is an item type as a sentence says it.
func kindName(t ItemType) string { return strings.ReplaceAll(string(t), "_", " ") }

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
	// Parent is the first of Parents, the primary parent, if any. Reads fill it in; a
	// writer that leaves Parents nil may set Parent and Weight instead, which then make
	// the only parent.
	Parent *Ref `json:"parent"`
	// Weight is the weight towards the primary parent. Without a parent it is kept for
	// when one is set; 0 means the default 1 here (use Parents for an uncounted link).
	Weight float64 `json:"weight"`
	// Parents are every objective and key result this objective aligns to, primary first,
	// each with its weight (see Alignment). When set, Parents decides and Parent and Weight
	// follow it.
	Parents []Alignment `json:"parents"`
	// single says that Parents was made from Parent, so that errors name that field;
	// parentsSet that SetParents set them, so that they decide.
	single, parentsSet bool
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
	CarriedToID *int64 `json:"carried_to_id"`
	// StatedStatus is the status the objective's owners stated, which the objective shows
	// instead of the one computed from its children until they change or clear it; empty
	// lets Cairn compute it (docs/progress.md).
	StatedStatus progress.Status `json:"stated_status"`
	// ClosedAt is when the objective was closed on its own, ahead of its period, as Viva
	// Goals closed items one by one; it then shows as closed with its score.
	ClosedAt  *time.Time `json:"closed_at"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
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
	if err := validClosing(o.Score, o.ClosingStatus); err != nil {
		return err
	}
	if o.StatedStatus != "" && !o.StatedStatus.Valid() {
		return FieldError("stated_status", "stated_status must be not_started, on_track, behind or at_risk, or empty to compute it, not %q", o.StatedStatus)
	}
	return o.normalizeParents()
}

// ParentsField names the field that errors about the parents refer to: "parent" when they
// were given as the single parent field, else "parents" (whose entries are "parents[0]", …).
func (o *Objective) ParentsField() string {
	if o.single {
		return "parent"
	}
	return "parents"
}

// SetParents replaces the parents, primary first; nil leaves Parent and Weight to make the
// only parent. After SetParents, Parents decides and Validate sets Parent and Weight from it.
func (o *Objective) SetParents(ps []Alignment) {
	o.Parents, o.single, o.parentsSet = ps, false, ps != nil
}

// normalizeParents settles Parents against Parent and Weight, checks them, and sets Parent
// and Weight from the first. Parent and Weight decide when Parents is nil, or when a writer
// changed them since they were read: a different Parent replaces every parent by that one,
// and a different Weight with the same Parent changes the primary weight. Otherwise, and
// always after SetParents, Parents decides.
func (o *Objective) normalizeParents() error {
	switch {
	case o.parentsSet:
	case o.Parents == nil || (o.Parent != nil && (len(o.Parents) == 0 || *o.Parent != o.Parents[0].Ref())):
		if err := validWeight(&o.Weight); err != nil {
			return err
		}
		o.Parents, o.single = []Alignment{}, false
		if o.Parent != nil {
			o.Parents, o.single = []Alignment{{Type: o.Parent.Type, ID: o.Parent.ID, Weight: o.Weight}}, true
		}
	case o.Parent != nil && o.Weight != o.Parents[0].Weight:
		if err := validWeight(&o.Weight); err != nil {
			return err
		}
		o.Parents = slices.Clone(o.Parents)
		o.Parents[0].Weight = o.Weight
	}
	if err := validAlignments(o.ParentsField(), o.single, Ref{ItemObjective, o.ID}, o.Parents); err != nil {
		return err
	}
	if len(o.Parents) == 0 {
		o.Parent = nil
		return validWeight(&o.Weight)
	}
	p := o.Parents[0].Ref()
	o.Parent, o.Weight = &p, o.Parents[0].Weight
	return nil
}

// MetricKind is the kind of a metric.
type MetricKind string

// The metric kinds of PRODUCT.md §1.
const (
	MetricPercentage MetricKind = "percentage"
	MetricNumber     MetricKind = "number"
	MetricCurrency   MetricKind = "currency"
)

// MetricGoal says which way a metric should move, or which side of a threshold it should
// stay on. docs/progress.md gives the progress and status rules of each.
type MetricGoal string

// The goals of a metric.
const (
	// GoalIncrease: the value should rise from start to target.
	GoalIncrease MetricGoal = "increase"
	// GoalDecrease: the value should fall from start to target.
	GoalDecrease MetricGoal = "decrease"
	// GoalStayAbove: the value should stay at or above the target, a threshold; the start
	// is the floor below it where progress is 0.
	GoalStayAbove MetricGoal = "stay_above"
	// GoalStayBelow: the value should stay at or below the target, a threshold; the start
	// is the ceiling above it where progress is 0.
	GoalStayBelow MetricGoal = "stay_below"
)

// Control reports whether g is a control goal, stay_above or stay_below: a threshold to
// hold all period rather than a target to reach.
func (g MetricGoal) Control() bool { return g == GoalStayAbove || g == GoalStayBelow }

// Milestone is a dated intermediate target of a key result: the value, in the metric's
// unit, it should have reached by the end of Date.
type Milestone struct {
	Date  Date    `json:"date"`
	Value float64 `json:"value"`
}

// MaxMilestones bounds the milestones of one key result: one a week of a quarter, and some.
const MaxMilestones = 24

// Metric is a measurable quantity with a start and a target. Current is the latest value.
//
// While BaselinePending is set the start is still to be measured: Start and Current are
// meaningless (0) and read as null over the API, progress is not computed, and the first
// check-in sets the start.
type Metric struct {
	Kind MetricKind `json:"kind"`
	// Goal is how the metric should move; Validate infers increase or decrease from start
	// and target when it is empty.
	Goal            MetricGoal `json:"goal"`
	Start           float64    `json:"start"`
	Target          float64    `json:"target"`
	Unit            string     `json:"unit"`
	Current         float64    `json:"current"`
	BaselinePending bool       `json:"baseline_pending"`
	// Milestones are dated intermediate targets in date order; key results only.
	Milestones []Milestone `json:"milestones"`
}

// MarshalJSON writes the metric with a null start and current while the baseline is
// pending, and an empty list when it has no milestones.
func (m Metric) MarshalJSON() ([]byte, error) {
	type plain Metric
	out := struct {
		plain
		Start      *float64    `json:"start"`
		Current    *float64    `json:"current"`
		Milestones []Milestone `json:"milestones"`
	}{plain: plain(m), Milestones: m.Milestones}
	if !m.BaselinePending {
		out.Start, out.Current = &m.Start, &m.Current
	}
	if out.Milestones == nil {
		out.Milestones = []Milestone{}
	}
	return json.Marshal(out)
}

// Progress returns the metric as the progress package reads it.
func (m Metric) Progress() progress.Metric {
	pm := progress.Metric{Goal: progress.Goal(m.Goal), Start: m.Start, Target: m.Target}
	for _, ms := range m.Milestones {
		pm.Milestones = append(pm.Milestones, progress.Milestone{Date: ms.Date.Time(), Value: ms.Value})
	}
	return pm
}

// Validate checks a metric; prefix names the enclosing field. An empty goal becomes
// increase or decrease as start and target say.
func (m *Metric) Validate(prefix string) error {
	switch m.Kind {
	case MetricPercentage, MetricNumber, MetricCurrency:
	case "":
		return FieldError(prefix+".kind", "metric kind is required (percentage, number or currency)")
	default:
		return FieldError(prefix+".kind", "metric kind must be percentage, number or currency, not %q", m.Kind)
	}
	if m.BaselinePending {
		m.Start, m.Current = 0, 0
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
	switch m.Goal {
	case "":
		if m.BaselinePending {
			return FieldError(prefix+".goal", "say whether the metric should increase or decrease: with the baseline still to be measured, start and target cannot tell")
		}
		m.Goal = MetricGoal(progress.InferGoal(m.Start, m.Target))
	case GoalIncrease, GoalDecrease, GoalStayAbove, GoalStayBelow:
	default:
		return FieldError(prefix+".goal", "goal must be increase, decrease, stay_above or stay_below, not %q", m.Goal)
	}
	if m.BaselinePending && m.Goal.Control() {
		return FieldError(prefix+".baseline_pending", "a %s goal needs its start now: it is the %s where progress is 0, not a measurement", m.Goal, floorOrCeiling(m.Goal))
	}
	if !m.BaselinePending {
		if err := m.validateDirection(prefix); err != nil {
			return err
		}
	}
	m.Unit = strings.TrimSpace(m.Unit)
	if len(m.Unit) > 20 {
		return FieldError(prefix+".unit", "unit is longer than 20 characters")
	}
	return m.validateMilestones(prefix)
}

func floorOrCeiling(g MetricGoal) string {
	if g == GoalStayBelow {
		return "ceiling"
	}
	return "floor"
}

// validateDirection checks that start and target agree with the goal.
func (m *Metric) validateDirection(prefix string) error {
	if m.Start == m.Target {
		return FieldError(prefix+".target", "target must differ from start (both are %g)", m.Start)
	}
	switch m.Goal {
	case GoalIncrease:
		if m.Target < m.Start {
			return FieldError(prefix+".target", "for a metric that should increase, the target must be above the start (%g); choose the goal decrease to go down", m.Start)
		}
	case GoalDecrease:
		if m.Target > m.Start {
			return FieldError(prefix+".target", "for a metric that should decrease, the target must be below the start (%g); choose the goal increase to go up", m.Start)
		}
	case GoalStayAbove:
		if m.Start > m.Target {
			return FieldError(prefix+".start", "for stay_above, the start is the floor where progress is 0: it must be below the threshold (target %g)", m.Target)
		}
	case GoalStayBelow:
		if m.Start < m.Target {
			return FieldError(prefix+".start", "for stay_below, the start is the ceiling where progress is 0: it must be above the threshold (target %g)", m.Target)
		}
	}
	return nil
}

// validateMilestones checks the milestones on their own: in date order, one per date, not
// going backwards and not past the target. Whether they fall in the period is
// ValidateMilestonesIn's job, since the metric does not know its period.
func (m *Metric) validateMilestones(prefix string) error {
	if len(m.Milestones) == 0 {
		m.Milestones = nil
		return nil
	}
	field := func(i int, f string) string { return fmt.Sprintf("%s.milestones[%d].%s", prefix, i, f) }
	if m.Goal.Control() {
		return FieldError(prefix+".milestones", "milestones are for goals to increase or decrease: a %s goal holds its threshold all period", m.Goal)
	}
	if len(m.Milestones) > MaxMilestones {
		return FieldError(prefix+".milestones", "at most %d milestones, not %d", MaxMilestones, len(m.Milestones))
	}
	up := m.Goal == GoalIncrease
	for i, ms := range m.Milestones {
		if ms.Date.IsZero() {
			return FieldError(field(i, "date"), "milestone %d needs a date", i+1)
		}
		if !finite(ms.Value) {
			return FieldError(field(i, "value"), "milestone %d needs a finite value", i+1)
		}
		if (up && ms.Value > m.Target) || (!up && ms.Value < m.Target) {
			return FieldError(field(i, "value"), "milestone %d (%g) is past the target %g", i+1, ms.Value, m.Target)
		}
		if i == 0 {
			continue
		}
		prev := m.Milestones[i-1]
		if !prev.Date.Before(ms.Date) {
			return FieldError(field(i, "date"), "milestone %d (%s) is not after milestone %d (%s): list milestones in date order, one per date", i+1, ms.Date, i, prev.Date)
		}
		if (up && ms.Value < prev.Value) || (!up && ms.Value > prev.Value) {
			return FieldError(field(i, "value"), "milestone %d (%g) goes back from milestone %d (%g): a metric that should %s cannot be expected to go back", i+1, ms.Value, i, prev.Value, m.Goal)
		}
	}
	return nil
}

// ValidateMilestonesIn checks that the milestones fall within the period, and that one on
// its last day is the target itself: the expected line reaches the target at the end of
// the period, and a milestone there cannot say otherwise.
func (m *Metric) ValidateMilestonesIn(prefix string, p *Period) error {
	for i, ms := range m.Milestones {
		field := fmt.Sprintf("%s.milestones[%d].date", prefix, i)
		if ms.Date.Before(p.Start) {
			return FieldError(field, "milestone %d (%s) is before the period %s starts on %s", i+1, ms.Date, p.Name, p.Start)
		}
		if p.End.Before(ms.Date) {
			return FieldError(field, "milestone %d (%s) is after the period %s ends on %s", i+1, ms.Date, p.Name, p.End)
		}
		if ms.Date == p.End && ms.Value != m.Target {
			return FieldError(fmt.Sprintf("%s.milestones[%d].value", prefix, i), "milestone %d falls on the period's last day, so it must be the target %g, not %g", i+1, m.Target, ms.Value)
		}
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
	Description    string         `json:"description"`
	Metric         Metric         `json:"metric"`
	ProgressSource ProgressSource `json:"progress_source"`
	OwnerIDs       []int64        `json:"owner_ids"`
	// Weight is the key result's weight towards its own objective; 0 means the default 1.
	Weight float64 `json:"weight"`
	// Parents are the other objectives and key results the key result also counts towards,
	// each with its weight (see Alignment). Its own objective is not among them: a key
	// result always counts there, with Weight.
	Parents []Alignment `json:"parents"`
	// Score and ClosingStatus are the closing score and status, as on Objective.
	Score         *float64               `json:"score"`
	ClosingStatus progress.ClosingStatus `json:"closing_status"`
	// CarriedFromID is the unfinished key result of an earlier period that this one
	// carries forward; CarriedToID is that copy, seen from the original, which the store
	// fills in on reads.
	CarriedFromID *int64     `json:"carried_from_id"`
	CarriedToID   *int64     `json:"carried_to_id"`
	LastCheckInAt *time.Time `json:"last_check_in_at"`
	// ClosedAt is when the key result was closed on its own, ahead of its period, as Viva
	// Goals closed items one by one; it then shows as closed with its score.
	ClosedAt  *time.Time `json:"closed_at"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`

	// EditorIDs may change the key result as its owners may; CheckInOwnerIDs may check in
	// on it and nothing more.
	EditorIDs       []int64 `json:"editor_ids"`
	CheckInOwnerIDs []int64 `json:"checkin_owner_ids"`
}

// Validate checks a key result's own fields.
func (k *KeyResult) Validate() error {
	k.Title = strings.TrimSpace(k.Title)
	if err := validTitle("title", k.Title, 300); err != nil {
		return err
	}
	if len(k.Description) > 10000 {
		return FieldError("description", "description is longer than 10000 characters")
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
	if err := validPeople(&k.OwnerIDs, &k.EditorIDs, &k.CheckInOwnerIDs); err != nil {
		return err
	}
	if k.Parents == nil {
		k.Parents = []Alignment{}
	}
	if err := validAlignments("parents", false, Ref{ItemKeyResult, k.ID}, k.Parents); err != nil {
		return err
	}
	for n, a := range k.Parents {
		if a.Type == ItemObjective && a.ID == k.ObjectiveID {
			return FieldError("parents["+strconv.Itoa(n)+"].id", "objective %d is the key result's own objective, which it always counts towards (with weight)", a.ID)
		}
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
	// Score is the grade from 0 to 1 the initiative was closed with, and ClosedAt when it
	// was closed on its own, as Viva Goals closed items one by one.
	Score     *float64   `json:"score"`
	ClosedAt  *time.Time `json:"closed_at"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	// Automated reports whether an Azure DevOps data source sets the initiative's progress;
	// the store fills it in on reads.
	Automated bool `json:"-"`

	// EditorIDs may change the initiative as its owners may; CheckInOwnerIDs may check in
	// on it and nothing more.
	EditorIDs       []int64 `json:"editor_ids"`
	CheckInOwnerIDs []int64 `json:"checkin_owner_ids"`
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
		switch {
		case i.Metric.Goal.Control():
			return FieldError("metric.goal", "an initiative's metric increases or decreases; %s is for key results", i.Metric.Goal)
		case i.Metric.BaselinePending:
			return FieldError("metric.baseline_pending", "an initiative's metric needs its start; a baseline to be measured is for key results")
		case len(i.Metric.Milestones) > 0:
			return FieldError("metric.milestones", "milestones are for key results")
		}
	default:
		return FieldError("progress_mode", "progress_mode must be manual, metric or tasks, not %q", i.ProgressMode)
	}
	if err := validPeople(&i.OwnerIDs, &i.EditorIDs, &i.CheckInOwnerIDs); err != nil {
		return err
	}
	if err := validClosing(i.Score, ""); err != nil {
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

	// Confidence is how sure the author is, from 1 to 10, that the key result will reach
	// its target; nil when not given. Only key result check-ins carry one.
	Confidence *int `json:"confidence"`
}

// The bounds of a check-in's confidence.
const (
	MinConfidence = 1
	MaxConfidence = 10
)

// CheckInStatuses are the statuses a person may give with a check-in; empty means "let Cairn
// compute it". A status given is the item's status until its next check-in
// (docs/progress.md).
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
	if c.Confidence != nil {
		if c.Item.Type != ItemKeyResult {
			return FieldError("confidence", "confidence is for key result check-ins only")
		}
		if *c.Confidence < MinConfidence || *c.Confidence > MaxConfidence {
			return FieldError("confidence", "confidence must be a whole number from %d to %d, not %d", MinConfidence, MaxConfidence, *c.Confidence)
		}
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

// validPeople checks the owners, editors and check-in owners of a key result or an
// initiative, and makes missing lists empty.
func validPeople(owners, editors, checkInOwners *[]int64) error {
	for _, l := range []struct {
		field string
		ids   *[]int64
	}{{"owner_ids", owners}, {"editor_ids", editors}, {"checkin_owner_ids", checkInOwners}} {
		if *l.ids == nil {
			*l.ids = []int64{}
		}
		if err := validIDs(l.field, *l.ids); err != nil {
			return err
		}
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
