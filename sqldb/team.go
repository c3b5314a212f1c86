package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/cairn-okr/cairn"
)

// CreateTeam stores a team with its members.
func (db *DB) CreateTeam(ctx context.Context, t *cairn.Team) error {
	if err := t.Validate(); err != nil {
		return err
	}
	if err := validIDList("member_ids", t.MemberIDs); err != nil {
		return err
	}
	now := db.stamp()
	return db.tx(ctx, "create team", func(r runner) error { return insertTeam(ctx, r, t, now) })
}

// insertTeam stores a validated team with its members.
func insertTeam(ctx context.Context, r runner, t *cairn.Team, now time.Time) error {
	if ok, err := r.exists(ctx, `SELECT 1 FROM orgs WHERE id = ?`, t.OrgID); err != nil || !ok {
		return notFoundOr(err, "organization", t.OrgID)
	}
	err := r.queryRow(ctx, `INSERT INTO teams (org_id, name, created_at) VALUES (?, ?, ?) RETURNING id`,
		t.OrgID, t.Name, now).Scan(&t.ID)
	if err != nil {
		return err
	}
	if err := setTeamMembers(ctx, r, t); err != nil {
		return err
	}
	t.CreatedAt = now
	return nil
}

func setTeamMembers(ctx context.Context, r runner, t *cairn.Team) error {
	if _, err := r.exec(ctx, `DELETE FROM team_members WHERE team_id = ?`, t.ID); err != nil {
		return err
	}
	if err := insertPairs(ctx, r, `INSERT INTO team_members (team_id, user_id) VALUES `, t.ID, t.MemberIDs, ""); err != nil {
		if kind, _ := violation(err); kind == violForeign {
			return cairn.FieldError("member_ids", "a listed user does not exist")
		}
		return err
	}
	t.MemberIDs = sortedIDs(t.MemberIDs)
	return nil
}

// TeamByID returns a team of the organization with its member ids.
func (db *DB) TeamByID(ctx context.Context, orgID, id int64) (*cairn.Team, error) {
	var t cairn.Team
	err := db.snapshot(ctx, "team by id", func(r runner) error {
		err := r.queryRow(ctx, `SELECT id, org_id, name, created_at FROM teams WHERE id = ? AND org_id = ?`, id, orgID).
			Scan(&t.ID, &t.OrgID, &t.Name, &t.CreatedAt)
		if errors.Is(err, sql.ErrNoRows) {
			return cairn.NotFound("team", id)
		}
		if err != nil {
			return err
		}
		members, err := loadPairs(ctx, r, `SELECT team_id, user_id FROM team_members WHERE team_id = ?`, id)
		t.MemberIDs = orEmpty(members[id])
		return err
	})
	if err != nil {
		return nil, err
	}
	t.CreatedAt = t.CreatedAt.UTC()
	return &t, nil
}

// ListTeams lists an organization's teams by name, with their member ids.
func (db *DB) ListTeams(ctx context.Context, orgID int64) ([]*cairn.Team, error) {
	var teams []*cairn.Team
	err := db.snapshot(ctx, "list teams", func(r runner) error {
		var err error
		teams, err = listTeams(ctx, r, orgID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return teams, nil
}

func listTeams(ctx context.Context, r runner, orgID int64) ([]*cairn.Team, error) {
	teams := []*cairn.Team{}
	rows, err := r.query(ctx, `SELECT id, org_id, name, created_at FROM teams WHERE org_id = ? ORDER BY name, id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var t cairn.Team
		if err := rows.Scan(&t.ID, &t.OrgID, &t.Name, &t.CreatedAt); err != nil {
			return nil, err
		}
		t.CreatedAt = t.CreatedAt.UTC()
		teams = append(teams, &t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	members, err := loadPairs(ctx, r, `SELECT tm.team_id, tm.user_id FROM team_members tm
		JOIN teams t ON t.id = tm.team_id WHERE t.org_id = ?`, orgID)
	for _, t := range teams {
		t.MemberIDs = orEmpty(members[t.ID])
	}
	return teams, err
}

// UpdateTeam stores a team's name and replaces its members.
func (db *DB) UpdateTeam(ctx context.Context, t *cairn.Team) error {
	if err := t.Validate(); err != nil {
		return err
	}
	if err := validIDList("member_ids", t.MemberIDs); err != nil {
		return err
	}
	return db.tx(ctx, "update team", func(r runner) error { return updateTeam(ctx, r, t) })
}

// updateTeam stores a validated team's name and replaces its members.
func updateTeam(ctx context.Context, r runner, t *cairn.Team) error {
	n, err := r.affected(ctx, `UPDATE teams SET name = ? WHERE id = ? AND org_id = ?`, t.Name, t.ID, t.OrgID)
	if err != nil {
		return err
	}
	if n == 0 {
		return cairn.NotFound("team", t.ID)
	}
	return setTeamMembers(ctx, r, t)
}

// DeleteTeam deletes a team. It fails with ECONFLICT while objectives belong to the team.
func (db *DB) DeleteTeam(ctx context.Context, orgID, id int64) error {
	return db.tx(ctx, "delete team", func(r runner) error {
		if ok, err := r.exists(ctx, `SELECT 1 FROM teams WHERE id = ? AND org_id = ?`, id, orgID); err != nil || !ok {
			return notFoundOr(err, "team", id)
		}
		if ok, err := r.exists(ctx, `SELECT 1 FROM objectives WHERE team_id = ? LIMIT 1`, id); err != nil || ok {
			if err != nil {
				return err
			}
			return cairn.Errorf(cairn.ECONFLICT, "team %d still has objectives; move or delete them first", id)
		}
		_, err := r.exec(ctx, `DELETE FROM teams WHERE id = ?`, id)
		return err
	})
}

// validIDList checks a list of ids that may be empty.
func validIDList(field string, ids []int64) error {
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if id <= 0 {
			return cairn.FieldError(field, "%d is not a valid id", id)
		}
		if seen[id] {
			return cairn.FieldError(field, "id %d is listed twice", id)
		}
		seen[id] = true
	}
	return nil
}

// insertPairs inserts (owner, id) rows, with an optional constant third column, in
// statements of at most 200 rows.
func insertPairs(ctx context.Context, r runner, prefix string, owner int64, ids []int64, third string) error {
	row := "(?, ?)"
	if third != "" {
		row = "(?, ?, ?)"
	}
	for _, part := range chunks(ids, 200) {
		q := prefix
		args := make([]any, 0, 3*len(part))
		for i, id := range part {
			if i > 0 {
				q += ", "
			}
			q += row
			args = append(args, owner, id)
			if third != "" {
				args = append(args, third)
			}
		}
		if _, err := r.exec(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// loadPairs runs a query of (owner, id) rows and groups the ids by owner, sorted.
func loadPairs(ctx context.Context, r runner, q string, args ...any) (map[int64][]int64, error) {
	rows, err := r.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]int64{}
	for rows.Next() {
		var owner, id int64
		if err := rows.Scan(&owner, &id); err != nil {
			return nil, err
		}
		out[owner] = append(out[owner], id)
	}
	for _, ids := range out {
		slices.Sort(ids)
	}
	return out, rows.Err()
}

// sortedIDs returns a sorted copy of ids, never nil.
func sortedIDs(ids []int64) []int64 {
	out := append([]int64{}, ids...)
	slices.Sort(out)
	return out
}

// orEmpty returns ids, or an empty slice for nil.
func orEmpty(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}
