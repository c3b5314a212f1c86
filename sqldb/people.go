package sqldb

import (
	"context"
	"slices"

	"github.com/cairn-okr/cairn"
)

// people are the owners, editors and check-in owners of one key result or initiative.
type people struct {
	owners, editors, checkInOwners []int64
}

// The roles of key_result_people and initiative_people; owners have tables of their own.
const (
	roleEditor       = "editor"
	roleCheckInOwner = "checkin_owner"
)

// peopleQuery returns the query of (item id, user id, role) rows of every owner, editor
// and check-in owner of the key results or initiatives whose ids ids selects: a list of
// placeholders or a subquery, whose arguments the query takes twice.
func peopleQuery(t cairn.ItemType, ids string) string {
	table, col := "key_result", "key_result_id"
	if t == cairn.ItemInitiative {
		table, col = "initiative", "initiative_id"
	}
	return `SELECT ` + col + `, user_id, 'owner' FROM ` + table + `_owners WHERE ` + col + ` IN (` + ids + `)
		UNION ALL SELECT ` + col + `, user_id, role FROM ` + table + `_people WHERE ` + col + ` IN (` + ids + `)`
}

// loadPeople runs a query of (item id, user id, role) rows and groups the users by item and
// role, sorted.
func loadPeople(ctx context.Context, r runner, q string, args ...any) (map[int64]*people, error) {
	rows, err := r.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]*people{}
	for rows.Next() {
		var item, user int64
		var role string
		if err := rows.Scan(&item, &user, &role); err != nil {
			return nil, err
		}
		p := out[item]
		if p == nil {
			p = &people{}
			out[item] = p
		}
		switch role {
		case "owner":
			p.owners = append(p.owners, user)
		case roleEditor:
			p.editors = append(p.editors, user)
		case roleCheckInOwner:
			p.checkInOwners = append(p.checkInOwners, user)
		}
	}
	for _, p := range out {
		slices.Sort(p.owners)
		slices.Sort(p.editors)
		slices.Sort(p.checkInOwners)
	}
	return out, rows.Err()
}

// twice repeats the arguments of a people query's id selection.
func twice(args []any) []any { return append(append([]any{}, args...), args...) }

// setDelegates replaces the editors and check-in owners of a key result or initiative; a
// new one, fresh, has none to delete.
func setDelegates(ctx context.Context, r runner, t cairn.ItemType, id int64, editors, checkInOwners []int64, fresh bool) error {
	table, col := "key_result_people", "key_result_id"
	if t == cairn.ItemInitiative {
		table, col = "initiative_people", "initiative_id"
	}
	if !fresh {
		if _, err := r.exec(ctx, `DELETE FROM `+table+` WHERE `+col+` = ?`, id); err != nil {
			return err
		}
	}
	q := `INSERT INTO ` + table + ` (` + col + `, user_id, role) VALUES `
	if err := insertPairs(ctx, r, q, id, editors, roleEditor); err != nil {
		return peopleError(err, "editor_ids")
	}
	if err := insertPairs(ctx, r, q, id, checkInOwners, roleCheckInOwner); err != nil {
		return peopleError(err, "checkin_owner_ids")
	}
	return nil
}

// setKeyResultPeople fills in the people of key results from loadPeople's answer.
func setKeyResultPeople(byID map[int64]*cairn.KeyResult, ps map[int64]*people) {
	for id, p := range ps {
		if k := byID[id]; k != nil {
			k.OwnerIDs, k.EditorIDs, k.CheckInOwnerIDs = orEmpty(p.owners), orEmpty(p.editors), orEmpty(p.checkInOwners)
		}
	}
}

// setInitiativePeople fills in the people of initiatives from loadPeople's answer.
func setInitiativePeople(byID map[int64]*cairn.Initiative, ps map[int64]*people) {
	for id, p := range ps {
		if i := byID[id]; i != nil {
			i.OwnerIDs, i.EditorIDs, i.CheckInOwnerIDs = orEmpty(p.owners), orEmpty(p.editors), orEmpty(p.checkInOwners)
		}
	}
}
