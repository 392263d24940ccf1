-- +goose Up
-- Quiet hours: a scheduled send that falls in the contact's night waits for
-- the morning. A contact's time zone is an IANA name ('' = unknown: then
-- the one of its phone number's country, when that country has one zone).
-- quiet_hours is HH:MM-HH:MM in the contact's zone (it may span midnight),
-- or off.
ALTER TABLE contacts ADD COLUMN time_zone text NOT NULL DEFAULT '';
ALTER TABLE settings ADD COLUMN quiet_hours text NOT NULL DEFAULT 'off'
    CHECK (quiet_hours = 'off' OR quiet_hours ~ '^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$');

-- +goose Down
ALTER TABLE settings DROP COLUMN quiet_hours;
ALTER TABLE contacts DROP COLUMN time_zone;
