-- +goose Up
-- Failed password sign-ins, counted per typed email (scope 'account') and per client address
-- (scope 'address'), so that every replica throttles alike. Forward only. Keep in parity with
-- ../sqlite/00010_sign_in_throttles.sql.

CREATE TABLE sign_in_throttles (
    scope           TEXT NOT NULL CHECK (scope IN ('account', 'address')),
    subject         TEXT NOT NULL,
    failures        INTEGER NOT NULL CHECK (failures >= 0),
    last_failure_at TIMESTAMPTZ NOT NULL,
    retry_at        TIMESTAMPTZ NOT NULL,
    locked          BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (scope, subject)
);
CREATE INDEX sign_in_throttles_last_failure_at_idx ON sign_in_throttles (last_failure_at);
