-- +goose Up
-- Importing Viva Goals exports: people who have no account yet, comments on items, the map
-- from Viva Goals ids to Cairn rows that makes an import repeatable, and the checklist of
-- items to bind to Azure DevOps again. Forward only. Keep in parity with
-- ../postgres/00011_viva_import.sql; the parity test compares both.

-- An unclaimed user stands for a person an import named but who has no account: its email
-- is a placeholder under the reserved .invalid domain and it has no password or sign-in
-- subject, so it can never sign in. An admin merges it into a real account (claims it).
ALTER TABLE users ADD COLUMN unclaimed BOOLEAN NOT NULL DEFAULT 0 CHECK (unclaimed IN (0, 1));
CREATE INDEX users_unclaimed_name_idx ON users (unclaimed, name);

-- Comments on objectives, key results and initiatives. Like check-ins they point at their
-- item by type and id; the store deletes them together with their item.
CREATE TABLE item_comments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     INTEGER NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    item_type  TEXT NOT NULL CHECK (item_type IN ('objective', 'key_result', 'initiative')),
    item_id    INTEGER NOT NULL,
    author_id  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    body       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX item_comments_item_idx ON item_comments (item_type, item_id, created_at);
CREATE INDEX item_comments_org_id_idx ON item_comments (org_id);
CREATE INDEX item_comments_author_id_idx ON item_comments (author_id);

-- What each Viva Goals id of an organization became in Cairn. viva_id is the Viva Goals id,
-- or for what has none (a person named only by name, a check-in of a spreadsheet export) a
-- key built from what identifies it. matched says that the import found the row in Cairn
-- (a period or team of that name, a person with that email) rather than creating it. hash is
-- that of the imported record, so that an unchanged record is left alone; data keeps the
-- record as read, with what Cairn has no column for (every alignment and its weight, the Viva
-- status, tags, …).
CREATE TABLE viva_mappings (
    org_id     INTEGER NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('period', 'team', 'person', 'objective', 'key_result',
                   'initiative', 'holder', 'check_in', 'objective_check_in', 'comment')),
    viva_id    TEXT NOT NULL,
    cairn_id   INTEGER NOT NULL,
    matched    BOOLEAN NOT NULL DEFAULT 0 CHECK (matched IN (0, 1)),
    hash       TEXT NOT NULL DEFAULT '',
    data       TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, kind, viva_id)
);
CREATE INDEX viva_mappings_cairn_idx ON viva_mappings (org_id, kind, cairn_id);

-- Items whose progress an integration drove before the import, to bind to a data source
-- again. An entry is done when an admin says so or when its item gets a data source.
CREATE TABLE import_rebinds (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     INTEGER NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    item_type  TEXT NOT NULL CHECK (item_type IN ('objective', 'key_result', 'initiative')),
    item_id    INTEGER NOT NULL,
    viva_id    TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    done_at    TIMESTAMP,
    UNIQUE (org_id, item_type, item_id)
);
