-- +goose Up
-- The Azure DevOps integration: switches, connections, data sources, the per-connection
-- mirror of work items, initiative tasks and the sync log. Keep in parity with
-- ../postgres/00002_azure_devops.sql; the parity test compares both.

-- Each organization's switch and sync interval. The tenant's switch is a setting.
CREATE TABLE azdo_org_settings (
    org_id                INTEGER PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
    enabled               BOOLEAN NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
    sync_interval_minutes INTEGER NOT NULL DEFAULT 60 CHECK (sync_interval_minutes BETWEEN 5 AND 60),
    updated_at            TIMESTAMP NOT NULL
);

-- A connection to one Azure DevOps organization and project. The credential is sealed
-- (AES-256-GCM); only the SHA-256 of the service-hook secret is kept.
CREATE TABLE azdo_connections (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id             INTEGER NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    owner_id           INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name               TEXT NOT NULL,
    organization_url   TEXT NOT NULL,
    project            TEXT NOT NULL,
    project_id         TEXT NOT NULL DEFAULT '',
    visibility         TEXT NOT NULL CHECK (visibility IN ('private', 'shared')),
    auth_type          TEXT NOT NULL CHECK (auth_type IN ('pat', 'client_credentials', 'oauth')),
    credential         TEXT NOT NULL,
    hook_username      TEXT NOT NULL DEFAULT '',
    hook_secret_hash   TEXT NOT NULL DEFAULT '',
    hook_status        TEXT NOT NULL DEFAULT 'none' CHECK (hook_status IN ('active', 'manual', 'none')),
    hook_subscriptions TEXT NOT NULL DEFAULT '',
    hook_message       TEXT NOT NULL DEFAULT '',
    watermark_token    TEXT NOT NULL DEFAULT '',
    watermark_time     TIMESTAMP,
    mirror_fields      TEXT NOT NULL DEFAULT '',
    sync_requested_at  TIMESTAMP,
    last_sync_at       TIMESTAMP,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);
CREATE INDEX azdo_connections_org_id_idx ON azdo_connections (org_id);
CREATE INDEX azdo_connections_owner_id_idx ON azdo_connections (owner_id);
CREATE INDEX azdo_connections_url_idx ON azdo_connections (organization_url, project);

-- A data source binds a connection to a key result or an initiative; each item has at
-- most one.
CREATE TABLE azdo_data_sources (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id               INTEGER NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    connection_id        INTEGER NOT NULL REFERENCES azdo_connections (id) ON DELETE CASCADE,
    target_type          TEXT NOT NULL CHECK (target_type IN ('key_result', 'initiative_metric', 'initiative_tasks')),
    key_result_id        INTEGER UNIQUE REFERENCES key_results (id) ON DELETE CASCADE,
    initiative_id        INTEGER UNIQUE REFERENCES initiatives (id) ON DELETE CASCADE,
    method               TEXT NOT NULL CHECK (method IN ('shared_query', 'work_items')),
    query_id             TEXT NOT NULL DEFAULT '',
    query_name           TEXT NOT NULL DEFAULT '',
    work_item_type       TEXT NOT NULL DEFAULT '',
    work_item_ids        TEXT NOT NULL DEFAULT '',
    progress_type        TEXT NOT NULL,
    measure              TEXT NOT NULL,
    count_total          BOOLEAN NOT NULL DEFAULT 0 CHECK (count_total IN (0, 1)),
    resolved_is_complete BOOLEAN NOT NULL DEFAULT 0 CHECK (resolved_is_complete IN (0, 1)),
    paused               BOOLEAN NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    created_by           INTEGER REFERENCES users (id) ON DELETE SET NULL,
    value                REAL,
    item_count           INTEGER NOT NULL DEFAULT 0,
    measured_count       INTEGER NOT NULL DEFAULT 0,
    complete_count       INTEGER NOT NULL DEFAULT 0,
    complete_measure     REAL NOT NULL DEFAULT 0,
    total_measure        REAL NOT NULL DEFAULT 0,
    warning              TEXT NOT NULL DEFAULT '',
    error_kind           TEXT NOT NULL DEFAULT '',
    error_message        TEXT NOT NULL DEFAULT '',
    error_guidance       TEXT NOT NULL DEFAULT '',
    error_at             TIMESTAMP,
    last_attempt_at      TIMESTAMP,
    last_success_at      TIMESTAMP,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL,
    CHECK ((key_result_id IS NULL) <> (initiative_id IS NULL))
);
CREATE INDEX azdo_data_sources_org_id_idx ON azdo_data_sources (org_id);
CREATE INDEX azdo_data_sources_connection_id_idx ON azdo_data_sources (connection_id);
CREATE INDEX azdo_data_sources_created_by_idx ON azdo_data_sources (created_by);

-- The state categories of each work item type of a connection's project, cached.
CREATE TABLE azdo_state_categories (
    connection_id  INTEGER NOT NULL REFERENCES azdo_connections (id) ON DELETE CASCADE,
    work_item_type TEXT NOT NULL,
    state          TEXT NOT NULL,
    category       TEXT NOT NULL,
    PRIMARY KEY (connection_id, work_item_type, state)
);

-- The mirror: the work items of every data source of a connection, each fetched once
-- per revision. fields holds the numeric fields the data sources measure, as JSON.
CREATE TABLE azdo_work_items (
    connection_id  INTEGER NOT NULL REFERENCES azdo_connections (id) ON DELETE CASCADE,
    id             INTEGER NOT NULL,
    rev            INTEGER NOT NULL,
    work_item_type TEXT NOT NULL,
    state          TEXT NOT NULL,
    title          TEXT NOT NULL DEFAULT '',
    assigned_to    TEXT NOT NULL DEFAULT '',
    parent_id      INTEGER NOT NULL DEFAULT 0,
    url            TEXT NOT NULL DEFAULT '',
    fields         TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (connection_id, id)
);

-- Which mirrored items make up each data source's item set.
CREATE TABLE azdo_memberships (
    data_source_id INTEGER NOT NULL REFERENCES azdo_data_sources (id) ON DELETE CASCADE,
    connection_id  INTEGER NOT NULL REFERENCES azdo_connections (id) ON DELETE CASCADE,
    work_item_id   INTEGER NOT NULL,
    PRIMARY KEY (data_source_id, work_item_id)
);
CREATE INDEX azdo_memberships_item_idx ON azdo_memberships (connection_id, work_item_id);

-- An initiative's tasks as the last sync wrote them, in display order.
CREATE TABLE initiative_tasks (
    initiative_id  INTEGER NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    work_item_id   INTEGER NOT NULL,
    position       INTEGER NOT NULL,
    title          TEXT NOT NULL,
    work_item_type TEXT NOT NULL,
    state          TEXT NOT NULL,
    state_category TEXT NOT NULL,
    assigned_to    TEXT NOT NULL DEFAULT '',
    parent_id      INTEGER,
    measure        REAL NOT NULL DEFAULT 0,
    url            TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (initiative_id, work_item_id)
);

-- The sync log: one row per data source per sync run.
CREATE TABLE azdo_sync_runs (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    data_source_id INTEGER NOT NULL REFERENCES azdo_data_sources (id) ON DELETE CASCADE,
    trigger_kind   TEXT NOT NULL,
    started_at     TIMESTAMP NOT NULL,
    finished_at    TIMESTAMP NOT NULL,
    api_calls      TEXT NOT NULL DEFAULT '{}',
    api_call_count INTEGER NOT NULL DEFAULT 0,
    items_fetched  INTEGER NOT NULL DEFAULT 0,
    item_count     INTEGER NOT NULL DEFAULT 0,
    value_before   REAL,
    value_after    REAL,
    check_in_id    INTEGER,
    error_kind     TEXT NOT NULL DEFAULT '',
    error_message  TEXT NOT NULL DEFAULT '',
    error_guidance TEXT NOT NULL DEFAULT ''
);
CREATE INDEX azdo_sync_runs_data_source_idx ON azdo_sync_runs (data_source_id, started_at);
