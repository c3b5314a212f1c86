-- +goose Up
-- What an import from Viva Goals, and people, say about an item beyond its numbers: the status
-- an objective's owners state, which holds until they change or clear it; when an objective,
-- key result or initiative was closed on its own, as Viva Goals closed items one by one; an
-- initiative's score; and a key result's description. Forward only. Keep in parity with
-- ../sqlite/00020_stated_status.sql; the parity test compares both.

ALTER TABLE objectives ADD COLUMN stated_status TEXT NOT NULL DEFAULT ''
    CHECK (stated_status IN ('', 'not_started', 'on_track', 'behind', 'at_risk'));
ALTER TABLE objectives ADD COLUMN closed_at TIMESTAMPTZ;

ALTER TABLE key_results ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE key_results ADD COLUMN closed_at TIMESTAMPTZ;

ALTER TABLE initiatives ADD COLUMN score DOUBLE PRECISION;
ALTER TABLE initiatives ADD COLUMN closed_at TIMESTAMPTZ;
