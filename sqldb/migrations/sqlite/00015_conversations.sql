-- +goose Up
-- Check-ins become conversations: comments on check-ins as well as on items, with the time
-- their author last edited them and the members they mention; a confidence on key result
-- check-ins; editors and check-in owners of key results and initiatives; and the audit trail
-- of every change. Forward only. Keep in parity with ../postgres/00015_conversations.sql; the
-- parity test compares both.

-- Comments may be on check-ins too. SQLite cannot change a CHECK constraint, so the table is
-- built again with its rows, ids and indexes. Nothing references it yet.
CREATE TABLE item_comments_next (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     INTEGER NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    item_type  TEXT NOT NULL CHECK (item_type IN ('objective', 'key_result', 'initiative', 'check_in')),
    item_id    INTEGER NOT NULL,
    author_id  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    body       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    edited_at  TIMESTAMP
);
INSERT INTO item_comments_next (id, org_id, item_type, item_id, author_id, body, created_at)
    SELECT id, org_id, item_type, item_id, author_id, body, created_at FROM item_comments;
DROP TABLE item_comments;
ALTER TABLE item_comments_next RENAME TO item_comments;
CREATE INDEX item_comments_item_idx ON item_comments (item_type, item_id, created_at);
CREATE INDEX item_comments_org_id_idx ON item_comments (org_id);
CREATE INDEX item_comments_author_id_idx ON item_comments (author_id);

-- The members a comment mentions with @, as the service found them when the body was
-- written; notifications read them.
CREATE TABLE comment_mentions (
    comment_id INTEGER NOT NULL REFERENCES item_comments (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (comment_id, user_id)
);
CREATE INDEX comment_mentions_user_id_idx ON comment_mentions (user_id);

-- How sure the author of a key result check-in is that the target will be reached.
ALTER TABLE check_ins ADD COLUMN confidence INTEGER CHECK (confidence BETWEEN 1 AND 10);

-- Editors change a key result or an initiative as its owners do; check-in owners only check
-- in on it. Owners stay in key_result_owners and initiative_owners.
CREATE TABLE key_result_people (
    key_result_id INTEGER NOT NULL REFERENCES key_results (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role          TEXT NOT NULL CHECK (role IN ('editor', 'checkin_owner')),
    PRIMARY KEY (key_result_id, user_id, role)
);
CREATE INDEX key_result_people_user_id_idx ON key_result_people (user_id, role);

CREATE TABLE initiative_people (
    initiative_id INTEGER NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role          TEXT NOT NULL CHECK (role IN ('editor', 'checkin_owner')),
    PRIMARY KEY (initiative_id, user_id, role)
);
CREATE INDEX initiative_people_user_id_idx ON initiative_people (user_id, role);

-- Who changed what. item is the objective, key result or initiative whose history shows the
-- event; subject is what changed (the item, a check-in or a data source). changes is a JSON
-- array of {field, before, after}. Events outlive their item, so that a deletion stays on
-- record, and go with their organization.
CREATE TABLE audit_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id       INTEGER NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    item_type    TEXT NOT NULL CHECK (item_type IN ('objective', 'key_result', 'initiative')),
    item_id      INTEGER NOT NULL,
    subject_type TEXT NOT NULL CHECK (subject_type IN ('objective', 'key_result', 'initiative', 'check_in', 'data_source')),
    subject_id   INTEGER NOT NULL,
    actor_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    action       TEXT NOT NULL CHECK (action IN ('created', 'updated', 'deleted')),
    changes      TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX audit_events_item_idx ON audit_events (org_id, item_type, item_id, id);
CREATE INDEX audit_events_subject_idx ON audit_events (org_id, subject_type, subject_id, id);
CREATE INDEX audit_events_actor_id_idx ON audit_events (actor_id);
