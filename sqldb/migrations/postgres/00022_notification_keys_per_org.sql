-- +goose Up
-- Reminder, follow-up and digest notifications name their organization in dedup_key, so
-- that a person in two organizations gets each organization's reminder of the same due
-- time and each organization's digest of the same week: "reminder:2026-04-06T09:00:00Z"
-- becomes "reminder:7:2026-04-06T09:00:00Z" and "digest:2026-W15" becomes
-- "digest:7:2026-W15". Forward only. Keep in parity with the other dialect's 00022.
UPDATE notifications SET dedup_key = 'reminder:' || org_id || ':' || substr(dedup_key, 10)
    WHERE kind = 'reminder' AND dedup_key LIKE 'reminder:____-%';
UPDATE notifications SET dedup_key = 'overdue:' || org_id || ':' || substr(dedup_key, 9)
    WHERE kind = 'overdue' AND dedup_key LIKE 'overdue:____-%';
UPDATE notifications SET dedup_key = 'digest:' || org_id || ':' || substr(dedup_key, 8)
    WHERE kind = 'digest' AND dedup_key LIKE 'digest:____-W%';
