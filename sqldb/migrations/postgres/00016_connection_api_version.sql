-- +goose Up
-- A connection records the REST API version Cairn negotiated with its organization or
-- collection ('7.1' on Azure DevOps Services, as low as '5.0' on Azure DevOps Server 2019),
-- and whether it is Services or Server; both '' until the connection is checked. Forward
-- only. Keep in parity with ../sqlite/00016_connection_api_version.sql.
ALTER TABLE azdo_connections ADD COLUMN api_version TEXT NOT NULL DEFAULT '';
ALTER TABLE azdo_connections ADD COLUMN deployment TEXT NOT NULL DEFAULT '';
