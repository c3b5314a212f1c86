-- +goose Up
-- Goals, baselines to be measured and milestones of key results' metrics. Forward only.
-- Keep in parity with ../sqlite/00012_metric_goals.sql; the parity test compares both.

-- metric_goal says which way a key result's metric should move (increase, decrease), or on
-- which side of its target, then a threshold, it should stay (stay_above, stay_below). Key
-- results stored before goals existed go the way their start and target say.
ALTER TABLE key_results ADD COLUMN metric_goal TEXT NOT NULL DEFAULT 'increase'
    CHECK (metric_goal IN ('increase', 'decrease', 'stay_above', 'stay_below'));
UPDATE key_results SET metric_goal = 'decrease' WHERE target_value < start_value;

-- baseline_pending marks a start still to be measured: start_value means nothing until the
-- first check-in sets it, in the same statement that clears the mark.
ALTER TABLE key_results ADD COLUMN baseline_pending BOOLEAN NOT NULL DEFAULT FALSE;

-- milestones are the key result's dated intermediate targets in the metric's unit, as a
-- JSON array of {"date": "YYYY-MM-DD", "value": n} in date order. They are a value of the
-- key result, read and written whole with it, so they need no table of their own.
ALTER TABLE key_results ADD COLUMN milestones TEXT NOT NULL DEFAULT '[]';
