-- +goose Up
-- Links between Azure DevOps users (the nameid claim of the extension's app token) and Cairn
-- users, and the one-time codes that create them. Keep in parity with
-- ../sqlite/00009_extension_links.sql.

CREATE TABLE extension_links (
    azure_user_id TEXT PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX extension_links_user_id_idx ON extension_links (user_id);

CREATE TABLE extension_link_codes (
    code_hash       TEXT PRIMARY KEY,
    azure_user_id   TEXT NOT NULL,
    azure_user_name TEXT NOT NULL DEFAULT '',
    expires_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX extension_link_codes_expires_at_idx ON extension_link_codes (expires_at);

-- +goose Down
DROP TABLE extension_link_codes;
DROP TABLE extension_links;
