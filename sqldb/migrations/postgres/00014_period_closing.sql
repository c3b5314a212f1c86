-- +goose Up
-- Closing a period: its note, each objective's and key result's closing status next to its
-- score, and the links from the copies that carry unfinished key results (and their
-- objectives) into a later period back to the originals. Forward only. Keep in parity with
-- ../sqlite/00014_period_closing.sql; the parity test compares both.

ALTER TABLE periods ADD COLUMN closing_note TEXT NOT NULL DEFAULT '';

-- closing_status is '' until chosen or until the period closes.
ALTER TABLE objectives ADD COLUMN closing_status TEXT NOT NULL DEFAULT ''
    CHECK (closing_status IN ('', 'achieved', 'partially_achieved', 'missed'));
ALTER TABLE objectives ADD COLUMN carried_from_id BIGINT REFERENCES objectives (id) ON DELETE SET NULL;
CREATE INDEX objectives_carried_from_id_idx ON objectives (carried_from_id);

ALTER TABLE key_results ADD COLUMN closing_status TEXT NOT NULL DEFAULT ''
    CHECK (closing_status IN ('', 'achieved', 'partially_achieved', 'missed'));
-- A key result is carried forward at most once.
ALTER TABLE key_results ADD COLUMN carried_from_id BIGINT REFERENCES key_results (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX key_results_carried_from_id_idx ON key_results (carried_from_id);
