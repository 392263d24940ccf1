-- +goose Up
-- VIP escalation: a VIP follow-up that needs a person and that nobody acted
-- on within vip_escalate_after is posted to the supervisors' channel
-- ('0 seconds' turns escalation off). Each escalation the follow-up posts
-- is a row, open until the condition clears, someone takes the follow-up
-- over, or the follow-up ends; the digest lists the open ones. key is the
-- follow-up's own key for it, so a retried post records once.
ALTER TABLE settings ADD COLUMN vip_escalate_after interval NOT NULL DEFAULT '30 minutes'
    CHECK (vip_escalate_after >= '0 seconds');
CREATE TABLE escalations (
    id          bigserial   PRIMARY KEY,
    key         text        NOT NULL UNIQUE,
    contact_id  bigint      NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    channel     text        NOT NULL,
    agent_id    bigint      REFERENCES agents (id) ON DELETE SET NULL,
    trigger     text        NOT NULL CHECK (trigger IN ('refused', 'window_closing', 'delivery_failed', 'unanswered_reply')),
    detail      text        NOT NULL DEFAULT '',
    since       timestamptz NOT NULL,
    posted_at   timestamptz NOT NULL DEFAULT now(),
    cleared_at  timestamptz,
    cleared_how text        NOT NULL DEFAULT '',
    CHECK ((cleared_at IS NULL) = (cleared_how = ''))
);
CREATE INDEX escalations_open ON escalations (posted_at) WHERE cleared_at IS NULL;
CREATE INDEX escalations_contact ON escalations (contact_id, channel);
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('sent', 'refused', 'replied', 'window_closing', 'window_closed', 'delivery_failed', 'cancelled', 'closed', 'scheduled', 'finished', 'unconfirmed', 'digest', 'escalated', 'taken_over'));
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check
    CHECK (action IN ('agent_added', 'agent_removed', 'setting_set', 'template_added', 'cadence_added', 'cadence_removed',
                      'followup_sent', 'followup_scheduled', 'cadence_started', 'followup_cancelled', 'followup_closed',
                      'followup_taken_over', 'escalation_snoozed'));

-- +goose Down
DELETE FROM audit_log WHERE action IN ('followup_taken_over', 'escalation_snoozed');
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check
    CHECK (action IN ('agent_added', 'agent_removed', 'setting_set', 'template_added', 'cadence_added', 'cadence_removed',
                      'followup_sent', 'followup_scheduled', 'cadence_started', 'followup_cancelled', 'followup_closed'));
DELETE FROM notifications WHERE kind IN ('escalated', 'taken_over');
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('sent', 'refused', 'replied', 'window_closing', 'window_closed', 'delivery_failed', 'cancelled', 'closed', 'scheduled', 'finished', 'unconfirmed', 'digest'));
DROP TABLE escalations;
ALTER TABLE settings DROP COLUMN vip_escalate_after;
