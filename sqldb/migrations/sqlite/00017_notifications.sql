-- +goose Up
-- Check-in cadences, reminders and notifications: the organization's time zone and default
-- cadence, a team's override, each person's channels, team webhooks (sealed), the in-app
-- inbox, the deliveries of every message to every channel (one per notification, channel
-- and target, so that nothing is sent twice), and the last status a key result was seen in.
-- Forward only. Keep in parity with ../postgres/00017_notifications.sql; the parity test
-- compares both.

-- The organization's IANA time zone, in which cadences' days and hours are read.
ALTER TABLE orgs ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';

-- An organization's default check-in cadence. weekday is 0 (Sunday) to 6, month_day 1 to 28,
-- hour 0 to 23, in the organization's time zone.
CREATE TABLE org_cadences (
    org_id    INTEGER PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
    frequency TEXT NOT NULL CHECK (frequency IN ('weekly', 'biweekly', 'monthly')),
    weekday   INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    month_day INTEGER NOT NULL CHECK (month_day BETWEEN 1 AND 28),
    hour      INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23)
);

-- A team's own cadence, overriding its organization's.
CREATE TABLE team_cadences (
    team_id   INTEGER PRIMARY KEY REFERENCES teams (id) ON DELETE CASCADE,
    org_id    INTEGER NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    frequency TEXT NOT NULL CHECK (frequency IN ('weekly', 'biweekly', 'monthly')),
    weekday   INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    month_day INTEGER NOT NULL CHECK (month_day BETWEEN 1 AND 28),
    hour      INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23)
);
CREATE INDEX team_cadences_org_id_idx ON team_cadences (org_id);

-- The channels a person turned off; no row means every channel on and no digest.
CREATE TABLE notify_prefs (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    email   BOOLEAN NOT NULL DEFAULT 1 CHECK (email IN (0, 1)),
    teams   BOOLEAN NOT NULL DEFAULT 1 CHECK (teams IN (0, 1)),
    slack   BOOLEAN NOT NULL DEFAULT 1 CHECK (slack IN (0, 1)),
    digest  BOOLEAN NOT NULL DEFAULT 0 CHECK (digest IN (0, 1))
);

-- A team's incoming webhook of Microsoft Teams or Slack. url_sealed is the URL sealed with
-- Cairn's key; hint is what may be shown of it (the host and the last characters).
CREATE TABLE team_webhooks (
    team_id    INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    org_id     INTEGER NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('teams', 'slack')),
    url_sealed TEXT NOT NULL,
    hint       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (team_id, kind)
);
CREATE INDEX team_webhooks_org_id_idx ON team_webhooks (org_id);

-- The in-app inbox. dedup_key names what a notification is about (a due date, a comment, a
-- status change, a failing streak), so that it is made once per person. items is a JSON
-- array of the key results it is about: title, value and the link to the check-in form.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_id     INTEGER NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    dedup_key  TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    link       TEXT NOT NULL,
    items      TEXT NOT NULL DEFAULT '[]',
    team_id    INTEGER REFERENCES teams (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    read_at    TIMESTAMP,
    UNIQUE (user_id, dedup_key)
);
CREATE INDEX notifications_org_id_idx ON notifications (org_id);
CREATE INDEX notifications_team_id_idx ON notifications (team_id);
CREATE INDEX notifications_unread_idx ON notifications (user_id, read_at);

-- One message of a notification to one channel and target (an email address, a team's
-- webhook): sent once, failed with its last error (River retries it), or skipped when the
-- person turned the channel off before it went out.
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    notification_id INTEGER NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    org_id          INTEGER NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'teams', 'slack')),
    target          TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    updated_at      TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP,
    UNIQUE (notification_id, channel, target)
);
CREATE INDEX deliveries_org_status_idx ON deliveries (org_id, status);

-- The status each key result was last seen in, so that a turn to behind or at risk is
-- noticed once.
CREATE TABLE key_result_status_seen (
    key_result_id INTEGER PRIMARY KEY REFERENCES key_results (id) ON DELETE CASCADE,
    status        TEXT NOT NULL,
    seen_at       TIMESTAMP NOT NULL
);
