-- +goose Up
-- The audit log: every change (agents, settings, templates, cadences,
-- follow-ups sent, scheduled, cancelled, closed) with who made it, when
-- and from where. actor is a Slack user id, or at the command line the OS
-- user ('cli' when unknown). detail is small: a setting's name and new
-- value, a template's name, a send's outcome and mode; never a message's
-- text or a phone number. request_id makes a retried request (the bot's
-- durable requests run again after a crash) record once; NULLs are
-- distinct, so changes without one always record.
CREATE TABLE audit_log (
    id         bigserial   PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    actor      text        NOT NULL,
    source     text        NOT NULL CHECK (source IN ('slack', 'cli', 'system')),
    action     text        NOT NULL CHECK (action IN ('agent_added', 'agent_removed', 'setting_set', 'template_added',
                                                      'cadence_added', 'cadence_removed', 'followup_sent', 'followup_scheduled',
                                                      'cadence_started', 'followup_cancelled', 'followup_closed')),
    contact_id bigint,
    channel    text,
    detail     jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(detail) = 'object'),
    request_id text        UNIQUE
);
CREATE INDEX audit_log_at ON audit_log (at DESC);
CREATE INDEX audit_log_contact_at ON audit_log (contact_id, at DESC);

-- +goose Down
DROP TABLE audit_log;
