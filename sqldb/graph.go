package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/cairn-okr/cairn"
)

// PeriodGraph loads every objective, key result and initiative of a period, with their
// people and parents, in ten queries whatever the number of items (up to 500 key results and
// 500 initiatives for the latest check-ins): the period, objectives, their owners and
// editors, key results, their people, the alignments of both, initiatives, their people, and
// the latest check-ins of the key results and of the initiatives. The initiatives are those
// under the period's objectives and under their key results. All run in one read
// transaction, so the graph is consistent.
func (db *DB) PeriodGraph(ctx context.Context, orgID, periodID int64) (*cairn.Graph, error) {
	g := &cairn.Graph{}
	err := db.snapshot(ctx, "period graph", func(r runner) error {
		var err error
		if g.Period, err = periodByID(ctx, r, orgID, periodID); err != nil {
			return err
		}
		return loadGraph(ctx, r, g, "", `o.org_id = ? AND o.period_id = ?`, orgID, periodID)
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// objectiveSubtree is the set of objectives under one objective: itself, the objectives
// aligned to it or to its key results, the objectives of the key results aligned to it or to
// its key results (so that such a key result is loaded whole, with what it rolls up), and
// so on down. UNION, not UNION ALL, makes it stop on a cycle. The recursive term names the
// subtree once, as PostgreSQL requires.
const objectiveSubtree = `WITH RECURSIVE subtree(id) AS (
		SELECT id FROM objectives WHERE id = ? AND org_id = ?
		UNION
		SELECT COALESCE(a.child_objective_id, ck.objective_id) FROM subtree s
		LEFT JOIN key_results sk ON sk.objective_id = s.id
		JOIN alignments a ON a.parent_objective_id = s.id OR a.parent_key_result_id = sk.id
		LEFT JOIN key_results ck ON ck.id = a.child_key_result_id
	) `

// ObjectiveGraph loads one objective and everything below it (its key results and
// initiatives, and the objectives aligned under it, recursively) with its period, in a
// fixed number of queries. The tree of one objective needs no more than this.
func (db *DB) ObjectiveGraph(ctx context.Context, orgID, objectiveID int64) (*cairn.Graph, error) {
	g := &cairn.Graph{}
	err := db.snapshot(ctx, "objective graph", func(r runner) error {
		var periodID int64
		err := r.queryRow(ctx, `SELECT period_id FROM objectives WHERE id = ? AND org_id = ?`, objectiveID, orgID).Scan(&periodID)
		if errors.Is(err, sql.ErrNoRows) {
			return cairn.NotFound("objective", objectiveID)
		}
		if err != nil {
			return err
		}
		if g.Period, err = periodByID(ctx, r, orgID, periodID); err != nil {
			return err
		}
		return loadGraph(ctx, r, g, objectiveSubtree, `o.org_id = ? AND o.id IN (SELECT id FROM subtree)`, objectiveID, orgID, orgID)
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// loadGraph loads the objectives selected by where (over objectives o, after the optional
// with clause, with args) and everything hanging from them, into g.
func loadGraph(ctx context.Context, r runner, g *cairn.Graph, with, where string, args ...any) error {
	rows, err := r.query(ctx, with+`SELECT `+objectiveColumns+` FROM objectives o
		WHERE `+where+` ORDER BY o.id`, args...)
	if err != nil {
		return err
	}
	if g.Objectives, err = scanObjectives(rows); err != nil {
		return err
	}
	err = loadObjectivePeople(ctx, r, g.Objectives, with+`SELECT p.objective_id, p.user_id, p.role
		FROM objective_people p JOIN objectives o ON o.id = p.objective_id
		WHERE `+where, args...)
	if err != nil {
		return err
	}

	rows, err = r.query(ctx, with+`SELECT `+keyResultColumns+` FROM key_results k
		JOIN objectives o ON o.id = k.objective_id
		WHERE `+where+` ORDER BY k.id`, args...)
	if err != nil {
		return err
	}
	var krByID map[int64]*cairn.KeyResult
	if g.KeyResults, krByID, err = scanKeyResults(rows); err != nil {
		return err
	}
	// The key results' people come in one query, which names the selection twice, as do the
	// alignments and the initiatives; the with clause's own arguments come first, once.
	n := len(args) - strings.Count(where, "?")
	args2 := append(append([]any{}, args[:n]...), twice(args[n:])...)
	krIDs := `SELECT k.id FROM key_results k JOIN objectives o ON o.id = k.objective_id WHERE ` + where
	ps, err := loadPeople(ctx, r, with+peopleQuery(cairn.ItemKeyResult, krIDs), args2...)
	if err != nil {
		return err
	}
	setKeyResultPeople(krByID, ps)
	// The alignments of the selected objectives and of their key results; the two halves
	// are disjoint because exactly one child column is set.
	err = loadParents(ctx, r, g.Objectives, g.KeyResults, with+`SELECT `+alignmentColumns+` FROM alignments a
		WHERE a.child_objective_id IN (SELECT o.id FROM objectives o WHERE `+where+`)
		OR a.child_key_result_id IN (SELECT k.id FROM key_results k JOIN objectives o ON o.id = k.objective_id WHERE `+where+`)
		ORDER BY a.child_objective_id, a.child_key_result_id, a.position`, args2...)
	if err != nil {
		return err
	}

	// An initiative hangs under a selected objective or under one of its key results; the
	// two halves of the union are disjoint because exactly one parent column is set.
	initiatives := `
		SELECT i.id FROM initiatives i JOIN objectives o ON o.id = i.parent_objective_id
		WHERE ` + where + `
		UNION ALL
		SELECT i.id FROM initiatives i JOIN key_results k ON k.id = i.parent_key_result_id
		JOIN objectives o ON o.id = k.objective_id
		WHERE ` + where
	rows, err = r.query(ctx, with+`SELECT `+initiativeColumns+` FROM initiatives i
		WHERE i.id IN (`+initiatives+`) ORDER BY i.id`, args2...)
	if err != nil {
		return err
	}
	var initByID map[int64]*cairn.Initiative
	if g.Initiatives, initByID, err = scanInitiatives(rows); err != nil {
		return err
	}
	ps, err = loadPeople(ctx, r, with+peopleQuery(cairn.ItemInitiative, initiatives), append(append([]any{}, args[:n]...), twice(args2[n:])...)...)
	if err != nil {
		return err
	}
	setInitiativePeople(initByID, ps)
	return loadRecent(ctx, r, g)
}
