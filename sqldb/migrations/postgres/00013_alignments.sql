-- +goose Up
-- Weighted alignment to several parents. An objective may align to several objectives and
-- key results, and a key result may count towards objectives and key results besides its own
-- objective; each edge has its own weight (0 = aligned, not counted). Forward only. Keep in
-- parity with ../sqlite/00013_alignments.sql; the parity test compares both.
--
-- Exactly one child column and one parent column are set. The edges of an item are ordered
-- by position; an objective's first edge is its primary parent. Deleting either end deletes
-- the edge.
CREATE TABLE alignments (
    org_id               BIGINT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    child_objective_id   BIGINT REFERENCES objectives (id) ON DELETE CASCADE,
    child_key_result_id  BIGINT REFERENCES key_results (id) ON DELETE CASCADE,
    parent_objective_id  BIGINT REFERENCES objectives (id) ON DELETE CASCADE,
    parent_key_result_id BIGINT REFERENCES key_results (id) ON DELETE CASCADE,
    weight               DOUBLE PRECISION NOT NULL CHECK (weight >= 0),
    position             INTEGER NOT NULL,
    CHECK ((child_objective_id IS NULL) <> (child_key_result_id IS NULL)),
    CHECK ((parent_objective_id IS NULL) <> (parent_key_result_id IS NULL))
);
CREATE INDEX alignments_org_id_idx ON alignments (org_id);
CREATE INDEX alignments_child_objective_id_idx ON alignments (child_objective_id, position);
CREATE INDEX alignments_child_key_result_id_idx ON alignments (child_key_result_id, position);
CREATE INDEX alignments_parent_objective_id_idx ON alignments (parent_objective_id);
CREATE INDEX alignments_parent_key_result_id_idx ON alignments (parent_key_result_id);

-- Each objective's one parent becomes its first edge, with its weight.
INSERT INTO alignments (org_id, child_objective_id, parent_objective_id, parent_key_result_id, weight, position)
SELECT org_id, id, parent_objective_id, parent_key_result_id, weight, 0 FROM objectives
WHERE parent_objective_id IS NOT NULL OR parent_key_result_id IS NOT NULL;

-- The old parent columns are no longer read or written. SQLite cannot drop a column that has
-- a foreign key without rebuilding the table, so both dialects keep them, empty. weight stays
-- in use: the weight towards the primary parent, kept also while there is none.
UPDATE objectives SET parent_objective_id = NULL, parent_key_result_id = NULL;
DROP INDEX objectives_parent_objective_id_idx;
DROP INDEX objectives_parent_key_result_id_idx;
