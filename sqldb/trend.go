package sqldb

import (
	"context"

	"github.com/cairn-okr/cairn"
	"github.com/cairn-okr/cairn/progress"
)

// loadRecent fills g.Recent with the values of the latest progress.TrendWindow check-ins
// of each key result and initiative of the graph, oldest first, and g.Stated with the status
// the latest one gave, if any: one query per item type
// for every 500 items. ROW_NUMBER keeps the window in the database, whatever the length of
// an item's history, and both SQLite and PostgreSQL have it.
func loadRecent(ctx context.Context, r runner, g *cairn.Graph) error {
	g.Recent = map[cairn.Ref][]float64{}
	g.Stated = map[cairn.Ref]progress.Status{}
	if g.Period == nil {
		return nil
	}
	byType := map[cairn.ItemType][]int64{}
	for _, k := range g.KeyResults {
		byType[cairn.ItemKeyResult] = append(byType[cairn.ItemKeyResult], k.ID)
	}
	for _, i := range g.Initiatives {
		byType[cairn.ItemInitiative] = append(byType[cairn.ItemInitiative], i.ID)
	}
	for _, t := range []cairn.ItemType{cairn.ItemKeyResult, cairn.ItemInitiative} {
		for _, part := range chunks(byType[t], 500) {
			args := append([]any{g.Period.OrgID, t}, int64Args(part)...)
			args = append(args, progress.TrendWindow)
			rows, err := r.query(ctx, `SELECT item_id, value, status, n FROM (
					SELECT item_id, value, status, created_at, id,
						ROW_NUMBER() OVER (PARTITION BY item_id ORDER BY created_at DESC, id DESC) AS n
					FROM check_ins WHERE org_id = ? AND item_type = ? AND item_id IN (`+placeholders(len(part))+`)
				) recent WHERE n <= ? ORDER BY item_id, created_at, id`, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id, n int64
				var v float64
				var status string
				if err := rows.Scan(&id, &v, &status, &n); err != nil {
					rows.Close()
					return err
				}
				ref := cairn.Ref{Type: t, ID: id}
				g.Recent[ref] = append(g.Recent[ref], v)
				if n == 1 && status != "" {
					g.Stated[ref] = progress.Status(status)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
	}
	return nil
}
