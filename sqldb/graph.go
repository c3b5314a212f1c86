package sqldb

import (
	"context"

	"github.com/cairn-okr/cairn"
)

// PeriodGraph loads every objective, key result and initiative of a period, with their
// people, in seven queries whatever the number of items: the period, objectives, their
// owners and editors, key results, their owners, initiatives and their owners. The
// initiatives are those under the period's objectives and under their key results. All
// seven run in one read transaction, so the graph is consistent.
func (db *DB) PeriodGraph(ctx context.Context, orgID, periodID int64) (*cairn.Graph, error) {
	g := &cairn.Graph{}
	err := db.snapshot(ctx, "period graph", func(r runner) error {
		var err error
		if g.Period, err = periodByID(ctx, r, orgID, periodID); err != nil {
			return err
		}

		rows, err := r.query(ctx, `SELECT `+objectiveColumns+` FROM objectives o
			WHERE o.org_id = ? AND o.period_id = ? ORDER BY o.id`, orgID, periodID)
		if err != nil {
			return err
		}
		if g.Objectives, err = scanObjectives(rows); err != nil {
			return err
		}
		err = loadObjectivePeople(ctx, r, g.Objectives, `SELECT p.objective_id, p.user_id, p.role
			FROM objective_people p JOIN objectives o ON o.id = p.objective_id
			WHERE o.org_id = ? AND o.period_id = ?`, orgID, periodID)
		if err != nil {
			return err
		}

		rows, err = r.query(ctx, `SELECT `+keyResultColumns+` FROM key_results k
			JOIN objectives o ON o.id = k.objective_id
			WHERE o.org_id = ? AND o.period_id = ? ORDER BY k.id`, orgID, periodID)
		if err != nil {
			return err
		}
		var krByID map[int64]*cairn.KeyResult
		if g.KeyResults, krByID, err = scanKeyResults(rows); err != nil {
			return err
		}
		owners, err := loadPairs(ctx, r, `SELECT ko.key_result_id, ko.user_id FROM key_result_owners ko
			JOIN key_results k ON k.id = ko.key_result_id JOIN objectives o ON o.id = k.objective_id
			WHERE o.org_id = ? AND o.period_id = ?`, orgID, periodID)
		if err != nil {
			return err
		}
		for id, ids := range owners {
			if k := krByID[id]; k != nil {
				k.OwnerIDs = ids
			}
		}

		// An initiative hangs under an objective of the period or under one of its key
		// results; the two halves of the union are disjoint because exactly one parent
		// column is set.
		const initiativesOfPeriod = `
			SELECT i.id FROM initiatives i JOIN objectives o ON o.id = i.parent_objective_id
			WHERE o.org_id = ? AND o.period_id = ?
			UNION ALL
			SELECT i.id FROM initiatives i JOIN key_results k ON k.id = i.parent_key_result_id
			JOIN objectives o ON o.id = k.objective_id
			WHERE o.org_id = ? AND o.period_id = ?`
		rows, err = r.query(ctx, `SELECT `+initiativeColumns+` FROM initiatives i
			WHERE i.id IN (`+initiativesOfPeriod+`) ORDER BY i.id`, orgID, periodID, orgID, periodID)
		if err != nil {
			return err
		}
		var initByID map[int64]*cairn.Initiative
		if g.Initiatives, initByID, err = scanInitiatives(rows); err != nil {
			return err
		}
		owners, err = loadPairs(ctx, r, `SELECT io.initiative_id, io.user_id FROM initiative_owners io
			WHERE io.initiative_id IN (`+initiativesOfPeriod+`)`, orgID, periodID, orgID, periodID)
		if err != nil {
			return err
		}
		for id, ids := range owners {
			if i := initByID[id]; i != nil {
				i.OwnerIDs = ids
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}
