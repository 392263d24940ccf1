-- +goose Up
-- Exactly once, or told (docs/RELIABILITY.md). A message is recorded
-- 'pending', and is 'sending' while a try may reach the provider, until
-- attempt_until; a try that may
-- have reached a provider that cannot deduplicate is never repeated: the
-- message becomes 'unconfirmed' and the agent is told. Rows left 'pending'
-- or 'sending' by a crash are resolved once attempt_until has passed.
ALTER TABLE messages DROP CONSTRAINT messages_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_status_check
    CHECK (status IN ('pending', 'sending', 'unconfirmed', 'sent', 'delivered', 'read', 'failed', 'undeliverable', 'received'));
ALTER TABLE messages ADD COLUMN attempt_until timestamptz;
-- The try that marked it sending: that try may repeat its own database
-- writes (a dropped connection) without mistaking itself for another.
ALTER TABLE messages ADD COLUMN attempt_token text;
-- The whole outbound message (recipient, template parameters), so a
-- message left behind by a crash can be resent with its own key on a
-- channel that deduplicates.
ALTER TABLE messages ADD COLUMN outbound jsonb;
CREATE INDEX messages_unresolved ON messages (attempt_until) WHERE status IN ('pending', 'sending');
-- The agent is told of a message that may not have been sent.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('sent', 'refused', 'replied', 'window_closing', 'window_closed', 'delivery_failed', 'cancelled', 'closed', 'scheduled', 'finished', 'unconfirmed'));

-- Durable Slack requests: a command that starts or changes a follow-up is
-- written here before Slack hears "working on it", and carried out by
-- whichever process holds its lease; a process that dies leaves it to be
-- resumed after a restart or by another instance.
CREATE TABLE requests (
    id            text        PRIMARY KEY,
    agent_slack   text        NOT NULL,
    payload       jsonb       NOT NULL,
    response_url  text        NOT NULL DEFAULT '',
    state         text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done')),
    claimed_until timestamptz,
    tries         int         NOT NULL DEFAULT 0,
    answer        text        NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    done_at       timestamptz
);
CREATE INDEX requests_pending ON requests (claimed_until) WHERE state = 'pending';

-- +goose Down
DROP TABLE requests;
UPDATE notifications SET kind = 'delivery_failed' WHERE kind = 'unconfirmed';
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('sent', 'refused', 'replied', 'window_closing', 'window_closed', 'delivery_failed', 'cancelled', 'closed', 'scheduled', 'finished'));
DROP INDEX messages_unresolved;
ALTER TABLE messages DROP COLUMN outbound;
ALTER TABLE messages DROP COLUMN attempt_token;
ALTER TABLE messages DROP COLUMN attempt_until;
UPDATE messages SET status = 'pending' WHERE status = 'sending';
UPDATE messages SET status = 'sent' WHERE status = 'unconfirmed';
ALTER TABLE messages DROP CONSTRAINT messages_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_status_check
    CHECK (status IN ('pending', 'sent', 'delivered', 'read', 'failed', 'undeliverable', 'received'));
