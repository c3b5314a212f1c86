-- +goose Up
-- Saved views: a named filter of the OKR list, private to its owner or shared with the
-- organization. The filter is stored as JSON (cairn.ViewFilter). Forward only. Keep in
-- parity with ../postgres/00018_saved_views.sql; the parity test compares both.

CREATE TABLE saved_views (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     INTEGER NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    owner_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    shared     BOOLEAN NOT NULL DEFAULT 0 CHECK (shared IN (0, 1)),
    filter     TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- One owner's views have distinct names.
CREATE UNIQUE INDEX saved_views_owner_name_idx ON saved_views (org_id, owner_id, name);
CREATE INDEX saved_views_owner_id_idx ON saved_views (owner_id);
