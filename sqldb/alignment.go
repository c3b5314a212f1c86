package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/cairn-okr/cairn"
)

// alignmentColumns are the columns loadParents reads, over alignments a.
const alignmentColumns = `a.child_objective_id, a.child_key_result_id, a.parent_objective_id, a.parent_key_result_id, a.weight`

// refColumns splits a reference to an objective or key result into its two columns.
func refColumns(r cairn.Ref) (objective, keyResult any) {
	if r.Type == cairn.ItemObjective {
		return r.ID, nil
	}
	return nil, r.ID
}

// refOf joins the two columns of a reference back into it.
func refOf(objective, keyResult sql.NullInt64) cairn.Ref {
	if objective.Valid {
		return cairn.Ref{Type: cairn.ItemObjective, ID: objective.Int64}
	}
	return cairn.Ref{Type: cairn.ItemKeyResult, ID: keyResult.Int64}
}

// loadParents runs a query of alignment rows (alignmentColumns, ordered by child and
// position) and adds them to the Parents of objs and krs, which scanning left empty. An objective's Parent and Weight follow
// its first parent; one without parents keeps the weight of its row.
func loadParents(ctx context.Context, r runner, objs []*cairn.Objective, krs []*cairn.KeyResult, q string, args ...any) error {
	objByID := make(map[int64]*cairn.Objective, len(objs))
	for _, o := range objs {
		objByID[o.ID] = o
	}
	krByID := make(map[int64]*cairn.KeyResult, len(krs))
	for _, k := range krs {
		krByID[k.ID] = k
	}
	if len(objs)+len(krs) == 0 {
		return nil
	}
	rows, err := r.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var co, ck, po, pk sql.NullInt64
		var w float64
		if err := rows.Scan(&co, &ck, &po, &pk, &w); err != nil {
			return err
		}
		p := refOf(po, pk)
		a := cairn.Alignment{Type: p.Type, ID: p.ID, Weight: w}
		switch {
		case co.Valid && objByID[co.Int64] != nil:
			o := objByID[co.Int64]
			o.Parents = append(o.Parents, a)
		case ck.Valid && krByID[ck.Int64] != nil:
			k := krByID[ck.Int64]
			k.Parents = append(k.Parents, a)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, o := range objs {
		if len(o.Parents) > 0 {
			p := o.Parents[0].Ref()
			o.Parent, o.Weight = &p, o.Parents[0].Weight
		}
	}
	return nil
}

// childColumn is the alignments column that holds child.
func childColumn(child cairn.Ref) string {
	if child.Type == cairn.ItemObjective {
		return "child_objective_id"
	}
	return "child_key_result_id"
}

// setParents replaces the parents of child, in order; a new item, fresh, has none to delete.
func setParents(ctx context.Context, r runner, orgID int64, child cairn.Ref, parents []cairn.Alignment, fresh bool) error {
	col := childColumn(child)
	if !fresh {
		if _, err := r.exec(ctx, `DELETE FROM alignments WHERE `+col+` = ?`, child.ID); err != nil {
			return err
		}
	}
	for n, a := range parents {
		po, pk := refColumns(a.Ref())
		_, err := r.exec(ctx, `INSERT INTO alignments (org_id, `+col+`, parent_objective_id, parent_key_result_id, weight, position)
			VALUES (?, ?, ?, ?, ?, ?)`, orgID, child.ID, po, pk, a.Weight, n)
		if err != nil {
			return err
		}
	}
	return nil
}

// checkParents checks that every parent of child is an objective or key result of the
// organization, and that together they close no cycle of alignments through any path. The
// error names the parent by its place in field, and a cycle by its path.
func checkParents(ctx context.Context, r runner, orgID int64, child cairn.Ref, field string, single bool, parents []cairn.Alignment) error {
	refs := make([]cairn.Ref, len(parents))
	for n, a := range parents {
		f := field
		if !single {
			f = field + "[" + strconv.Itoa(n) + "]"
		}
		table := "objectives"
		if a.Type == cairn.ItemKeyResult {
			table = "key_results"
		}
		ok, err := r.exists(ctx, `SELECT 1 FROM `+table+` WHERE id = ? AND org_id = ?`, a.ID, orgID)
		if err != nil {
			return err
		}
		if !ok {
			return cairn.FieldError(f+".id", "%s %d does not exist", strings.ReplaceAll(string(a.Type), "_", " "), a.ID)
		}
		refs[n] = a.Ref()
	}
	if child.ID == 0 || len(parents) == 0 {
		return nil // nothing can count towards a new item yet
	}
	edges, err := alignmentEdges(ctx, r, orgID)
	if err != nil {
		return err
	}
	path := cairn.AlignmentCycle(edges, child, refs)
	if path == nil {
		return nil
	}
	titles := map[cairn.Ref]string{}
	for _, p := range path {
		if _, ok := titles[p]; ok {
			continue
		}
		table := "objectives"
		if p.Type == cairn.ItemKeyResult {
			table = "key_results"
		}
		var t string
		err := r.queryRow(ctx, `SELECT title FROM `+table+` WHERE id = ? AND org_id = ?`, p.ID, orgID).Scan(&t)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		titles[p] = t
	}
	f := field + ".id"
	if !single {
		f = field + "[" + strconv.Itoa(slices.Index(refs, path[1])) + "].id"
	}
	return cairn.CycleError(f, path, func(r cairn.Ref) string { return titles[r] })
}

// alignmentEdges lists every edge of the organization's alignment graph: each key result
// under its objective, and each alignment.
func alignmentEdges(ctx context.Context, r runner, orgID int64) ([]cairn.AlignmentEdge, error) {
	rows, err := r.query(ctx, `SELECT CAST(NULL AS BIGINT), id, objective_id, CAST(NULL AS BIGINT) FROM key_results WHERE org_id = ?
		UNION ALL
		SELECT a.child_objective_id, a.child_key_result_id, a.parent_objective_id, a.parent_key_result_id
		FROM alignments a WHERE a.org_id = ?`, orgID, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cairn.AlignmentEdge
	for rows.Next() {
		var co, ck, po, pk sql.NullInt64
		if err := rows.Scan(&co, &ck, &po, &pk); err != nil {
			return nil, err
		}
		out = append(out, cairn.AlignmentEdge{Child: refOf(co, ck), Parent: refOf(po, pk)})
	}
	return out, rows.Err()
}
