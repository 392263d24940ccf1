-- +goose Up
-- When the Slack notifier delivered a notification as a direct message. A
-- notification Slack did not take is left undelivered and posted again
-- later, so a Slack outage never holds a follow-up; one that was posted is
-- not posted again (at least once if the process dies between Slack's
-- answer and this update).
ALTER TABLE notifications ADD COLUMN delivered_at timestamptz;
-- A redelivery attempt holds the row until then, so several workers do
-- not post the same notification.
ALTER TABLE notifications ADD COLUMN claimed_until timestamptz;
CREATE INDEX notifications_undelivered ON notifications (created_at) WHERE delivered_at IS NULL;

-- +goose Down
DROP INDEX notifications_undelivered;
ALTER TABLE notifications DROP COLUMN claimed_until;
ALTER TABLE notifications DROP COLUMN delivered_at;
