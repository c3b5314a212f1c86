package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"time"

	"github.com/cairn-okr/cairn"
)

var _ cairn.ImportStore = (*DB)(nil)

// importLock is the class of the PostgreSQL advisory locks that keep two imports into one
// organization apart: the lock's key is the class in the high 32 bits and the organization's
// id in the low.
const importLock = int64(0x56495641) << 32 // "VIVA"

// Import runs fn with an ImportTx of the organization: in one write transaction with write,
// else on a read-only snapshot whose writes fail. Imports into one organization take turns,
// so that two cannot both create what neither has mapped yet (SQLite has one writer
// anyway). An import runs the same few statements many thousand times, so it prepares each
// once.
func (db *DB) Import(ctx context.Context, orgID int64, write bool, fn func(tx cairn.ImportTx) error) error {
	run := db.snapshot
	if write {
		run = db.tx
	}
	err := run(ctx, "import", func(r runner) error {
		tx, ok := r.q.(*sql.Tx)
		if !ok {
			return cairn.Internal("import", errors.New("not in a transaction"))
		}
		ps := &preparedTx{tx: tx, stmts: map[string]*sql.Stmt{}}
		defer ps.close()
		r = runner{db, ps}
		if ok, err := r.exists(ctx, `SELECT 1 FROM orgs WHERE id = ?`, orgID); err != nil || !ok {
			return notFoundOr(err, "organization", orgID)
		}
		if write && db.dialect == DialectPostgres {
			if _, err := r.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, importLock|(orgID&0xffffffff)); err != nil {
				return err
			}
		}
		t := &importTx{r: r, orgID: orgID, now: db.stamp(), write: write, known: map[cairn.Ref]bool{}}
		if err := fn(t); err != nil {
			return err
		}
		return t.flush(ctx)
	})
	if err == nil && write {
		// An import may write tens of thousands of rows: give the planner their
		// statistics now. The import has committed, so a failure here changes nothing
		// but the speed of the next minutes' reads.
		_ = db.Analyze(ctx)
	}
	return err
}

// preparedTx runs statements on a transaction, preparing each distinct one once.
type preparedTx struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func (p *preparedTx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := p.stmts[query]; ok {
		return s, nil
	}
	s, err := p.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	p.stmts[query] = s
	return s, nil
}

func (p *preparedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, args...)
}

func (p *preparedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

// QueryRowContext answers like *sql.Tx's: a failure to prepare shows when the row is
// scanned.
func (p *preparedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := p.stmt(ctx, query)
	if err != nil {
		return p.tx.QueryRowContext(ctx, query, args...)
	}
	return s.QueryRowContext(ctx, args...)
}

func (p *preparedTx) close() {
	for _, s := range p.stmts {
		s.Close()
	}
}

// ImportMappings lists the organization's import mappings of a kind, with their data, by
// Viva id.
func (db *DB) ImportMappings(ctx context.Context, orgID int64, kind cairn.MappingKind) ([]*cairn.ImportMapping, error) {
	rows, err := db.read().query(ctx, `SELECT kind, viva_id, cairn_id, matched, hash, data, created_at, updated_at
		FROM viva_mappings WHERE org_id = ? AND kind = ? ORDER BY viva_id`, orgID, kind)
	if err != nil {
		return nil, db.wrap("import mappings", err)
	}
	defer rows.Close()
	out := []*cairn.ImportMapping{}
	for rows.Next() {
		m := &cairn.ImportMapping{}
		if err := rows.Scan(&m.Kind, &m.VivaID, &m.CairnID, &m.Matched, &m.Hash, &m.Data, &m.CreatedAt, &m.UpdatedAt); err != nil {
			return nil, db.wrap("import mappings", err)
		}
		m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
		out = append(out, m)
	}
	return out, db.wrap("import mappings", rows.Err())
}

// importTx is an ImportTx on one transaction or snapshot.
type importTx struct {
	r     runner
	orgID int64
	now   time.Time
	write bool
	// pending are mappings not stored yet: they are stored many rows to a statement.
	pending []*cairn.ImportMapping
	// known are the items this transaction created or found, which check-ins and comments
	// need not look up again.
	known map[cairn.Ref]bool
}

// mappingBatch is how many mappings one statement stores.
const mappingBatch = 200

// flush stores the pending mappings.
func (t *importTx) flush(ctx context.Context) error {
	for len(t.pending) > 0 {
		n := min(len(t.pending), mappingBatch)
		batch := t.pending[:n]
		t.pending = t.pending[n:]
		q := `INSERT INTO viva_mappings (org_id, kind, viva_id, cairn_id, matched, hash, data, created_at, updated_at) VALUES `
		args := make([]any, 0, 9*n)
		for i, m := range batch {
			if i > 0 {
				q += ", "
			}
			q += "(?, ?, ?, ?, ?, ?, ?, ?, ?)"
			args = append(args, t.orgID, m.Kind, m.VivaID, m.CairnID, m.Matched, m.Hash, m.Data, t.now, t.now)
		}
		q += ` ON CONFLICT (org_id, kind, viva_id) DO UPDATE SET cairn_id = excluded.cairn_id,
			matched = excluded.matched, hash = excluded.hash, data = excluded.data, updated_at = excluded.updated_at`
		if _, err := t.r.exec(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

var _ cairn.ImportTx = (*importTx)(nil)

// writable refuses writes to a dry run's snapshot.
func (t *importTx) writable(what string) error {
	if !t.write {
		return cairn.Internal("import", errors.New("a dry run cannot "+what))
	}
	return nil
}

func (t *importTx) Mappings(ctx context.Context) ([]*cairn.ImportMapping, error) {
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	rows, err := t.r.query(ctx, `SELECT kind, viva_id, cairn_id, matched, hash, created_at, updated_at FROM viva_mappings
		WHERE org_id = ?`, t.orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*cairn.ImportMapping{}
	for rows.Next() {
		m := &cairn.ImportMapping{}
		if err := rows.Scan(&m.Kind, &m.VivaID, &m.CairnID, &m.Matched, &m.Hash, &m.CreatedAt, &m.UpdatedAt); err != nil {
			return nil, err
		}
		m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

// PutMapping stores a mapping when the transaction ends, or sooner; a statement stores many.
// One key mapped twice in a transaction keeps the last.
func (t *importTx) PutMapping(ctx context.Context, m *cairn.ImportMapping) error {
	if err := t.writable("store a mapping"); err != nil {
		return err
	}
	if m.VivaID == "" || m.CairnID <= 0 {
		return cairn.FieldError("viva_id", "a mapping needs a Viva id and a Cairn id")
	}
	for _, p := range t.pending {
		if p.Kind == m.Kind && p.VivaID == m.VivaID {
			*p = *m
			return nil
		}
	}
	c := *m
	t.pending = append(t.pending, &c)
	if len(t.pending) >= mappingBatch {
		return t.flush(ctx)
	}
	return nil
}

// existingQueries select the ids of an organization's rows, per mapping kind.
var existingQueries = map[cairn.MappingKind]string{
	cairn.MappingPeriod:           `SELECT id FROM periods WHERE org_id = ?`,
	cairn.MappingTeam:             `SELECT id FROM teams WHERE org_id = ?`,
	cairn.MappingPerson:           `SELECT user_id FROM memberships WHERE org_id = ?`,
	cairn.MappingObjective:        `SELECT id FROM objectives WHERE org_id = ?`,
	cairn.MappingHolder:           `SELECT id FROM objectives WHERE org_id = ?`,
	cairn.MappingKeyResult:        `SELECT id FROM key_results WHERE org_id = ?`,
	cairn.MappingInitiative:       `SELECT id FROM initiatives WHERE org_id = ?`,
	cairn.MappingCheckIn:          `SELECT id FROM check_ins WHERE org_id = ?`,
	cairn.MappingObjectiveCheckIn: `SELECT id FROM item_comments WHERE org_id = ?`,
	cairn.MappingComment:          `SELECT id FROM item_comments WHERE org_id = ?`,
}

func (t *importTx) ExistingIDs(ctx context.Context, kind cairn.MappingKind) (map[int64]bool, error) {
	q, ok := existingQueries[kind]
	if !ok {
		return nil, cairn.FieldError("kind", "unknown mapping kind %q", kind)
	}
	rows, err := t.r.query(ctx, q, t.orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

func (t *importTx) ListPeriods(ctx context.Context) ([]*cairn.Period, error) {
	return listPeriods(ctx, t.r, t.orgID)
}

func (t *importTx) CreatePeriod(ctx context.Context, p *cairn.Period) error {
	if err := t.writable("create a period"); err != nil {
		return err
	}
	p.OrgID = t.orgID
	if err := p.Validate(); err != nil {
		return err
	}
	return insertPeriod(ctx, t.r, p)
}

func (t *importTx) UpdatePeriod(ctx context.Context, p *cairn.Period) error {
	if err := t.writable("change a period"); err != nil {
		return err
	}
	p.OrgID = t.orgID
	if err := p.Validate(); err != nil {
		return err
	}
	return updatePeriod(ctx, t.r, p)
}

func (t *importTx) ListTeams(ctx context.Context) ([]*cairn.Team, error) {
	return listTeams(ctx, t.r, t.orgID)
}

func (t *importTx) CreateTeam(ctx context.Context, team *cairn.Team) error {
	if err := t.writable("create a team"); err != nil {
		return err
	}
	team.OrgID = t.orgID
	if err := team.Validate(); err != nil {
		return err
	}
	if err := validIDList("member_ids", team.MemberIDs); err != nil {
		return err
	}
	return insertTeam(ctx, t.r, team, t.now)
}

func (t *importTx) UpdateTeam(ctx context.Context, team *cairn.Team) error {
	if err := t.writable("change a team"); err != nil {
		return err
	}
	team.OrgID = t.orgID
	if err := team.Validate(); err != nil {
		return err
	}
	if err := validIDList("member_ids", team.MemberIDs); err != nil {
		return err
	}
	return updateTeam(ctx, t.r, team)
}

func (t *importTx) ListMembers(ctx context.Context) ([]*cairn.Member, error) {
	return listMembers(ctx, t.r, t.orgID, t.now)
}

func (t *importTx) UserByEmail(ctx context.Context, email string) (*cairn.User, error) {
	u, err := scanUser(t.r.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, normEmail(email)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cairn.NotFound("user", email)
	}
	return u, err
}

func (t *importTx) CreateUser(ctx context.Context, u *cairn.User) error {
	if err := t.writable("create a user"); err != nil {
		return err
	}
	if err := u.Validate(); err != nil {
		return err
	}
	return insertUser(ctx, t.r, u, t.now)
}

func (t *importTx) AddMember(ctx context.Context, userID int64, role cairn.Role) error {
	if err := t.writable("add a member"); err != nil {
		return err
	}
	if err := validRole(role); err != nil {
		return err
	}
	_, err := t.r.exec(ctx, `INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (org_id, user_id) DO NOTHING`, t.orgID, userID, role, t.now)
	return err
}

func (t *importTx) ObjectiveByID(ctx context.Context, id int64) (*cairn.Objective, error) {
	return objectiveByID(ctx, t.r, t.orgID, id)
}

func (t *importTx) CreateObjective(ctx context.Context, o *cairn.Objective) error {
	if err := t.writable("create an objective"); err != nil {
		return err
	}
	o.OrgID = t.orgID
	if err := o.Validate(); err != nil {
		return err
	}
	if err := insertObjective(ctx, t.r, o, t.now); err != nil {
		return err
	}
	t.known[cairn.Ref{Type: cairn.ItemObjective, ID: o.ID}] = true
	return nil
}

func (t *importTx) UpdateObjective(ctx context.Context, o *cairn.Objective) error {
	if err := t.writable("change an objective"); err != nil {
		return err
	}
	o.OrgID = t.orgID
	if err := o.Validate(); err != nil {
		return err
	}
	if err := updateObjective(ctx, t.r, o, t.now); err != nil {
		return err
	}
	t.known[cairn.Ref{Type: cairn.ItemObjective, ID: o.ID}] = true
	return nil
}

func (t *importTx) KeyResultByID(ctx context.Context, id int64) (*cairn.KeyResult, error) {
	return keyResultByID(ctx, t.r, t.orgID, id)
}

func (t *importTx) CreateKeyResult(ctx context.Context, k *cairn.KeyResult) error {
	if err := t.writable("create a key result"); err != nil {
		return err
	}
	k.OrgID = t.orgID
	if err := k.Validate(); err != nil {
		return err
	}
	if err := insertKeyResult(ctx, t.r, k, t.now); err != nil {
		return err
	}
	t.known[cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}] = true
	return nil
}

func (t *importTx) UpdateKeyResult(ctx context.Context, k *cairn.KeyResult) error {
	if err := t.writable("change a key result"); err != nil {
		return err
	}
	k.OrgID = t.orgID
	if err := k.Validate(); err != nil {
		return err
	}
	if err := updateKeyResult(ctx, t.r, k, t.now); err != nil {
		return err
	}
	t.known[cairn.Ref{Type: cairn.ItemKeyResult, ID: k.ID}] = true
	return nil
}

func (t *importTx) InitiativeByID(ctx context.Context, id int64) (*cairn.Initiative, error) {
	return initiativeByID(ctx, t.r, t.orgID, id)
}

func (t *importTx) CreateInitiative(ctx context.Context, i *cairn.Initiative) error {
	if err := t.writable("create an initiative"); err != nil {
		return err
	}
	i.OrgID = t.orgID
	if err := i.Validate(); err != nil {
		return err
	}
	if err := insertInitiative(ctx, t.r, i, t.now); err != nil {
		return err
	}
	t.known[cairn.Ref{Type: cairn.ItemInitiative, ID: i.ID}] = true
	return nil
}

func (t *importTx) UpdateInitiative(ctx context.Context, i *cairn.Initiative) error {
	if err := t.writable("change an initiative"); err != nil {
		return err
	}
	i.OrgID = t.orgID
	if err := i.Validate(); err != nil {
		return err
	}
	if err := updateInitiative(ctx, t.r, i, t.now); err != nil {
		return err
	}
	t.known[cairn.Ref{Type: cairn.ItemInitiative, ID: i.ID}] = true
	return nil
}

func (t *importTx) SetCurrent(ctx context.Context, item cairn.Ref, value float64, lastCheckIn *time.Time) error {
	if err := t.writable("set a current value"); err != nil {
		return err
	}
	table, err := itemTable(item.Type)
	if err != nil {
		return err
	}
	if math.IsNaN(value) || math.IsInf(value, 0) {
		return cairn.FieldError("current", "current must be a finite number")
	}
	n, err := t.r.affected(ctx, `UPDATE `+table+` SET current_value = ?, last_check_in_at = ? WHERE id = ? AND org_id = ?`,
		value, nullTime(lastCheckIn), item.ID, t.orgID)
	if err != nil {
		return err
	}
	if n == 0 {
		return cairn.NotFound(itemKind(item.Type), item.ID)
	}
	return nil
}

// checkInItem checks that a check-in's item is a key result or initiative of the
// organization.
func (t *importTx) checkInItem(ctx context.Context, c *cairn.CheckIn) error {
	table, err := itemTable(c.Item.Type)
	if err != nil {
		return err
	}
	if t.known[c.Item] {
		return nil
	}
	ok, err := t.r.exists(ctx, `SELECT 1 FROM `+table+` WHERE id = ? AND org_id = ?`, c.Item.ID, t.orgID)
	if err != nil || !ok {
		return notFoundOr(err, itemKind(c.Item.Type), c.Item.ID)
	}
	t.known[c.Item] = true
	return nil
}

func (t *importTx) AddCheckIn(ctx context.Context, c *cairn.CheckIn) error {
	if err := t.writable("add a check-in"); err != nil {
		return err
	}
	c.OrgID = t.orgID
	if err := c.Validate(); err != nil {
		return err
	}
	if err := t.checkInItem(ctx, c); err != nil {
		return err
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = t.now
	}
	c.CreatedAt = clean(c.CreatedAt)
	return insertCheckInRow(ctx, t.r, c)
}

func (t *importTx) UpdateCheckIn(ctx context.Context, c *cairn.CheckIn) error {
	if err := t.writable("change a check-in"); err != nil {
		return err
	}
	c.OrgID = t.orgID
	if err := c.Validate(); err != nil {
		return err
	}
	c.CreatedAt = clean(c.CreatedAt)
	n, err := t.r.affected(ctx, `UPDATE check_ins SET value = ?, status = ?, note = ?, author_id = ?, source = ?, created_at = ?
		WHERE id = ? AND org_id = ?`, c.Value, c.Status, c.Note, nullInt(c.AuthorID), c.Source, c.CreatedAt, c.ID, t.orgID)
	if err != nil {
		return err
	}
	if n == 0 {
		return cairn.NotFound("check-in", c.ID)
	}
	return nil
}

// commentItem checks that a comment's item is an item of the organization.
func (t *importTx) commentItem(ctx context.Context, c *cairn.Comment) error {
	table, kind, err := okrTable(c.Item.Type)
	if err != nil {
		return err
	}
	if t.known[c.Item] {
		return nil
	}
	ok, err := t.r.exists(ctx, `SELECT 1 FROM `+table+` WHERE id = ? AND org_id = ?`, c.Item.ID, t.orgID)
	if err != nil || !ok {
		return notFoundOr(err, kind, c.Item.ID)
	}
	t.known[c.Item] = true
	return nil
}

func (t *importTx) AddComment(ctx context.Context, c *cairn.Comment) error {
	if err := t.writable("add a comment"); err != nil {
		return err
	}
	c.OrgID = t.orgID
	if err := c.Validate(); err != nil {
		return err
	}
	if err := t.commentItem(ctx, c); err != nil {
		return err
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = t.now
	}
	return insertComment(ctx, t.r, c)
}

func (t *importTx) UpdateComment(ctx context.Context, c *cairn.Comment) error {
	if err := t.writable("change a comment"); err != nil {
		return err
	}
	c.OrgID = t.orgID
	if err := c.Validate(); err != nil {
		return err
	}
	c.CreatedAt = clean(c.CreatedAt)
	n, err := t.r.affected(ctx, `UPDATE item_comments SET body = ?, author_id = ?, created_at = ? WHERE id = ? AND org_id = ?`,
		c.Body, nullInt(c.AuthorID), c.CreatedAt, c.ID, t.orgID)
	if err != nil {
		return err
	}
	if n == 0 {
		return cairn.NotFound("comment", c.ID)
	}
	return nil
}

func (t *importTx) RebindItems(ctx context.Context) (map[cairn.Ref]bool, error) {
	rows, err := t.r.query(ctx, `SELECT item_type, item_id FROM import_rebinds WHERE org_id = ?`, t.orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[cairn.Ref]bool{}
	for rows.Next() {
		var ref cairn.Ref
		if err := rows.Scan(&ref.Type, &ref.ID); err != nil {
			return nil, err
		}
		out[ref] = true
	}
	return out, rows.Err()
}

func (t *importTx) AddRebind(ctx context.Context, e *cairn.RebindEntry) (bool, error) {
	if err := t.writable("add a re-bind entry"); err != nil {
		return false, err
	}
	e.OrgID = t.orgID
	if err := e.Validate(); err != nil {
		return false, err
	}
	return addRebind(ctx, t.r, e, false, t.now)
}
