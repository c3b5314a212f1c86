package cairn

import (
	"context"
	"strings"
	"time"
)

// RebindEntry is one item of the re-bind checklist: an item whose progress an integration drove
// before it was imported, and that should get a data source in Cairn again. Imports add
// entries and admins may add more; an entry is done when an admin marks it so or when its item
// gets a data source.
type RebindEntry struct {
	ID    int64 `json:"id"`
	OrgID int64 `json:"org_id"`
	Item  Ref   `json:"item"`
	// Title is the item's title, filled in on reads.
	Title string `json:"title"`
	// VivaID is the item's Viva Goals id when an import added the entry.
	VivaID    string     `json:"viva_id,omitempty"`
	Reason    string     `json:"reason"`
	CreatedAt time.Time  `json:"created_at"`
	DoneAt    *time.Time `json:"done_at"`
}

// Validate checks an entry before it is stored.
func (e *RebindEntry) Validate() error {
	switch e.Item.Type {
	case ItemObjective, ItemKeyResult, ItemInitiative:
	default:
		return FieldError("item.type", "item type must be objective, key_result or initiative, not %q", e.Item.Type)
	}
	if e.Item.ID <= 0 {
		return FieldError("item.id", "item id is required")
	}
	e.Reason = strings.TrimSpace(e.Reason)
	if e.Reason == "" {
		e.Reason = "bind to Azure DevOps again"
	}
	if len(e.Reason) > 500 {
		return FieldError("reason", "reason is longer than 500 characters")
	}
	return nil
}

// MappingKind names what a Viva Goals id of an import was mapped to.
type MappingKind string

// The kinds of mappings. MappingHolder is an objective an import made to hold the key results
// and initiatives that aligned to no objective; MappingObjectiveCheckIn is a check-in of an
// objective, which Cairn keeps as a comment since its objectives take no check-ins.
const (
	MappingPeriod           MappingKind = "period"
	MappingTeam             MappingKind = "team"
	MappingPerson           MappingKind = "person"
	MappingObjective        MappingKind = "objective"
	MappingKeyResult        MappingKind = "key_result"
	MappingInitiative       MappingKind = "initiative"
	MappingHolder           MappingKind = "holder"
	MappingCheckIn          MappingKind = "check_in"
	MappingObjectiveCheckIn MappingKind = "objective_check_in"
	MappingComment          MappingKind = "comment"
)

// MappingKinds lists every kind, in the order an import creates them.
var MappingKinds = []MappingKind{MappingPeriod, MappingTeam, MappingPerson, MappingHolder, MappingObjective,
	MappingKeyResult, MappingInitiative, MappingCheckIn, MappingObjectiveCheckIn, MappingComment}

// ImportMapping records what one Viva Goals id of an organization became in Cairn, so that a
// second import of the same export updates instead of duplicating.
type ImportMapping struct {
	Kind MappingKind `json:"kind"`
	// VivaID is the Viva Goals id, or for what has none a key made of what identifies it.
	VivaID  string `json:"viva_id"`
	CairnID int64  `json:"cairn_id"`
	// Matched says that the import found the Cairn row (a period or team of the same name, a
	// person with the same email or name) rather than creating it.
	Matched bool `json:"matched"`
	// Hash is that of the record as imported; an unchanged hash means an unchanged record.
	Hash string `json:"hash"`
	// Data is the record as read, in JSON, with everything Cairn has no column for. Lists of
	// mappings leave it empty; MappingData reads it.
	Data      string    `json:"data,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ClaimInput names the account an unclaimed member is claimed for: an existing user by id or
// by email. An email no account has becomes the member's own, making it an ordinary account.
type ClaimInput struct {
	UserID int64  `json:"user_id"`
	Email  string `json:"email"`
}

// ClaimMember merges an unclaimed member, a person an import named, into a real account: the
// account takes over the member's ownerships, memberships, team places, check-ins and
// comments, and the unclaimed user is deleted. Organization admins may, for the unclaimed
// members of their organization. It returns the account's membership.
func (s *Service) ClaimMember(ctx context.Context, org string, userID int64, in ClaimInput) (*Member, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	if err := a.requireAdmin("claim members"); err != nil {
		return nil, err
	}
	m, err := s.store.Membership(ctx, a.org.ID, userID)
	if err != nil {
		return nil, err
	}
	if !m.Unclaimed {
		return nil, Errorf(ECONFLICT, "member %d has an account already; only unclaimed members can be claimed", userID)
	}
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	if (in.UserID == 0) == (in.Email == "") {
		return nil, FieldError("user_id", "name the account by user_id or by email (one of the two)")
	}
	var into *User
	switch {
	case in.UserID != 0:
		into, err = s.store.UserByID(ctx, in.UserID)
		if ErrorCode(err) == ENOTFOUND {
			return nil, FieldError("user_id", "user %d does not exist", in.UserID)
		}
	default:
		into, err = s.store.UserByEmail(ctx, in.Email)
		if ErrorCode(err) == ENOTFOUND {
			into = &User{Email: in.Email, Name: m.Name, CreatedAt: s.now().UTC()}
			if err := into.Validate(); err != nil {
				return nil, err
			}
			err = nil
		}
	}
	if err != nil {
		return nil, err
	}
	if into.ID == userID {
		return nil, FieldError("user_id", "a member cannot be claimed for itself")
	}
	if into.Unclaimed {
		return nil, FieldError("user_id", "user %d is unclaimed too: claim it for a real account", into.ID)
	}
	if err := s.store.MergeUsers(ctx, into, []int64{userID}); err != nil {
		return nil, err
	}
	return s.store.Membership(ctx, a.org.ID, into.ID)
}

// ClaimByName is the first sign-in of a person whom an import named: when exactly one
// unclaimed user carries the new user's name, the new user takes its place, with its
// memberships, ownerships, check-ins and comments. It stores the new user either way and
// reports whether it claimed one.
//
// Names are compared without regard to case or surrounding spaces. Two unclaimed users with
// the name leave the choice to an admin (ClaimMember), since either could be someone else.
func (s *Service) ClaimByName(ctx context.Context, u *User) (bool, error) {
	if u.ID != 0 || u.Unclaimed {
		return false, FieldError("user", "ClaimByName takes a new account")
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = s.now().UTC()
	}
	if err := u.Validate(); err != nil {
		return false, err
	}
	var from []int64
	if name := strings.TrimSpace(u.Name); name != "" {
		matches, err := s.store.UnclaimedUsersByName(ctx, name)
		if err != nil {
			return false, err
		}
		if len(matches) == 1 {
			from = []int64{matches[0].ID}
		}
	}
	if len(from) == 0 {
		return false, s.store.CreateUser(ctx, u)
	}
	return true, s.store.MergeUsers(ctx, u, from)
}

// RebindChecklist lists the re-bind checklist of the organization, oldest first: the open
// entries, and the done ones too with all. Organization admins may.
func (s *Service) RebindChecklist(ctx context.Context, org string, all bool) ([]*RebindEntry, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	if err := a.requireAdmin("read the re-bind checklist"); err != nil {
		return nil, err
	}
	return s.store.ListRebinds(ctx, a.org.ID, all)
}

// AddRebind puts an item on the re-bind checklist, or opens its entry again with the new
// reason. An item that has a data source already is done at once. Organization admins may.
func (s *Service) AddRebind(ctx context.Context, org string, e *RebindEntry) error {
	a, err := s.access(ctx, org)
	if err != nil {
		return err
	}
	if err := a.requireAdmin("change the re-bind checklist"); err != nil {
		return err
	}
	e.ID, e.OrgID, e.DoneAt, e.CreatedAt = 0, a.org.ID, nil, s.now().UTC()
	if err := e.Validate(); err != nil {
		return err
	}
	return s.store.AddRebind(ctx, e, true)
}

// MarkRebindDone marks an entry of the re-bind checklist done. Organization admins may.
func (s *Service) MarkRebindDone(ctx context.Context, org string, id int64) (*RebindEntry, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	if err := a.requireAdmin("change the re-bind checklist"); err != nil {
		return nil, err
	}
	return s.store.MarkRebindDone(ctx, a.org.ID, id, s.now().UTC())
}

// AuthorizeImport returns the organization when the signed-in user may import OKRs into it:
// its admins and tenant admins. Import code, which writes through an ImportStore rather than
// the service, calls it first.
func (s *Service) AuthorizeImport(ctx context.Context, org string) (*Org, error) {
	a, err := s.access(ctx, org)
	if err != nil {
		return nil, err
	}
	if err := a.requireAdmin("import OKRs"); err != nil {
		return nil, err
	}
	return a.org, nil
}
