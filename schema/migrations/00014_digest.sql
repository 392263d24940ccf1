-- +goose Up
-- The daily digest (a Temporal Schedule the worker keeps in step with
-- these settings): when it is posted, HH:MM or 'off', in which IANA time
-- zone (the store checks the name with the Go time zone database). It is
-- recorded like any notification: to an agent, or with no agent to the
-- supervisors' channel.
ALTER TABLE settings ADD COLUMN digest_time text NOT NULL DEFAULT '09:00'
    CHECK (digest_time = 'off' OR digest_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$');
ALTER TABLE settings ADD COLUMN digest_time_zone text NOT NULL DEFAULT 'UTC' CHECK (digest_time_zone <> '');
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('sent', 'refused', 'replied', 'window_closing', 'window_closed', 'delivery_failed', 'cancelled', 'closed', 'scheduled', 'finished', 'unconfirmed', 'digest'));

-- +goose Down
DELETE FROM notifications WHERE kind = 'digest';
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('sent', 'refused', 'replied', 'window_closing', 'window_closed', 'delivery_failed', 'cancelled', 'closed', 'scheduled', 'finished', 'unconfirmed'));
ALTER TABLE settings DROP COLUMN digest_time_zone;
ALTER TABLE settings DROP COLUMN digest_time;
