-- +goose Up
-- A connection counts the changes of its mirror of work items: every sync that upserts or
-- deletes mirrored items adds one. A sync engine that keeps a mirror in memory knows it
-- is still current when the count has not moved. Forward only. Keep in parity with
-- ../postgres/00021_mirror_version.sql.
ALTER TABLE azdo_connections ADD COLUMN mirror_version BIGINT NOT NULL DEFAULT 0;
