-- +goose Up
-- Cairn's first schema. Dates are 'YYYY-MM-DD' text, times are UTC TIMESTAMP text written
-- by the driver, booleans are 0/1 under a BOOLEAN declared type. Keep in parity with
-- ../postgres/00001_init.sql; the parity test compares both.

CREATE TABLE tenants (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    name       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT NOT NULL UNIQUE CHECK (email = lower(email)),
    name          TEXT NOT NULL,
    tenant_admin  BOOLEAN NOT NULL DEFAULT 0 CHECK (tenant_admin IN (0, 1)),
    password_hash TEXT NOT NULL DEFAULT '',
    oidc_subject  TEXT UNIQUE,
    created_at    TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP
);
CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id);

CREATE TABLE orgs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    slug        TEXT NOT NULL UNIQUE,
    at_risk_gap REAL NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE memberships (
    org_id     INTEGER NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user_id_idx ON memberships (user_id);

CREATE TABLE teams (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     INTEGER NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX teams_org_id_idx ON teams (org_id);

CREATE TABLE team_members (
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user_id_idx ON team_members (user_id);

CREATE TABLE periods (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     INTEGER NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date   TEXT NOT NULL,
    closed_at  TIMESTAMP,
    CHECK (end_date >= start_date)
);
CREATE INDEX periods_org_id_idx ON periods (org_id, start_date);

-- Deleting a period or a team that objectives use is refused (NO ACTION), except when the
-- whole organization goes, which removes both in the same statement.
CREATE TABLE objectives (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id               INTEGER NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    period_id            INTEGER NOT NULL REFERENCES periods (id),
    team_id              INTEGER REFERENCES teams (id),
    title                TEXT NOT NULL,
    description          TEXT NOT NULL DEFAULT '',
    level                TEXT NOT NULL CHECK (level IN ('organization', 'team', 'individual')),
    aspirational         BOOLEAN NOT NULL DEFAULT 0 CHECK (aspirational IN (0, 1)),
    parent_objective_id  INTEGER REFERENCES objectives (id) ON DELETE SET NULL,
    parent_key_result_id INTEGER REFERENCES key_results (id) ON DELETE SET NULL,
    weight               REAL NOT NULL,
    score                REAL,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL,
    CHECK (parent_objective_id IS NULL OR parent_key_result_id IS NULL)
);
CREATE INDEX objectives_org_period_idx ON objectives (org_id, period_id);
CREATE INDEX objectives_period_id_idx ON objectives (period_id);
CREATE INDEX objectives_team_id_idx ON objectives (team_id);
CREATE INDEX objectives_parent_objective_id_idx ON objectives (parent_objective_id);
CREATE INDEX objectives_parent_key_result_id_idx ON objectives (parent_key_result_id);

CREATE TABLE objective_people (
    objective_id INTEGER NOT NULL REFERENCES objectives (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         TEXT NOT NULL CHECK (role IN ('owner', 'editor')),
    PRIMARY KEY (objective_id, user_id, role)
);
CREATE INDEX objective_people_user_id_idx ON objective_people (user_id, role);

CREATE TABLE key_results (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id           INTEGER NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    objective_id     INTEGER NOT NULL REFERENCES objectives (id) ON DELETE CASCADE,
    title            TEXT NOT NULL,
    metric_kind      TEXT NOT NULL CHECK (metric_kind IN ('percentage', 'number', 'currency')),
    start_value      REAL NOT NULL,
    target_value     REAL NOT NULL,
    unit             TEXT NOT NULL DEFAULT '',
    current_value    REAL NOT NULL,
    progress_source  TEXT NOT NULL CHECK (progress_source IN ('manual', 'roll_up', 'data_source')),
    weight           REAL NOT NULL,
    score            REAL,
    last_check_in_at TIMESTAMP,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX key_results_org_id_idx ON key_results (org_id);
CREATE INDEX key_results_objective_id_idx ON key_results (objective_id);

CREATE TABLE key_result_owners (
    key_result_id INTEGER NOT NULL REFERENCES key_results (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (key_result_id, user_id)
);
CREATE INDEX key_result_owners_user_id_idx ON key_result_owners (user_id);

CREATE TABLE initiatives (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id               INTEGER NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    parent_key_result_id INTEGER REFERENCES key_results (id) ON DELETE CASCADE,
    parent_objective_id  INTEGER REFERENCES objectives (id) ON DELETE CASCADE,
    title                TEXT NOT NULL,
    contributes          BOOLEAN NOT NULL DEFAULT 1 CHECK (contributes IN (0, 1)),
    progress_mode        TEXT NOT NULL CHECK (progress_mode IN ('manual', 'metric', 'tasks')),
    metric_kind          TEXT CHECK (metric_kind IN ('percentage', 'number', 'currency')),
    start_value          REAL,
    target_value         REAL,
    unit                 TEXT,
    current_value        REAL NOT NULL DEFAULT 0,
    weight               REAL NOT NULL,
    last_check_in_at     TIMESTAMP,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL,
    CHECK ((parent_key_result_id IS NULL) <> (parent_objective_id IS NULL))
);
CREATE INDEX initiatives_org_id_idx ON initiatives (org_id);
CREATE INDEX initiatives_parent_key_result_id_idx ON initiatives (parent_key_result_id);
CREATE INDEX initiatives_parent_objective_id_idx ON initiatives (parent_objective_id);

CREATE TABLE initiative_owners (
    initiative_id INTEGER NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (initiative_id, user_id)
);
CREATE INDEX initiative_owners_user_id_idx ON initiative_owners (user_id);

-- Check-ins point at a key result or an initiative by type and id; the store deletes them
-- together with their item.
CREATE TABLE check_ins (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     INTEGER NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    item_type  TEXT NOT NULL CHECK (item_type IN ('key_result', 'initiative')),
    item_id    INTEGER NOT NULL,
    value      REAL NOT NULL,
    status     TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    author_id  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    source     TEXT NOT NULL CHECK (source IN ('manual', 'azure-devops')),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX check_ins_item_idx ON check_ins (item_type, item_id, created_at);
CREATE INDEX check_ins_org_id_idx ON check_ins (org_id);
CREATE INDEX check_ins_author_id_idx ON check_ins (author_id);
