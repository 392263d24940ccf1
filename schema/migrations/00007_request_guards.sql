-- +goose Up
-- What stops a request from being acted on twice, kept here rather than in
-- one server's memory so that several `followup serve` behind a load
-- balancer agree.

-- Signed Slack requests already accepted (the HMAC, which covers timestamp
-- and body): a captured request sent again within Slack's 5-minute window
-- is refused by whichever server it reaches. Rows older than the window are
-- pruned as new ones arrive.
CREATE TABLE slack_requests (
    signature bytea       PRIMARY KEY,
    signed_at timestamptz NOT NULL
);
CREATE INDEX slack_requests_signed_at ON slack_requests (signed_at);

-- Channel webhook events (by the provider's dedup key) a server has taken
-- on: claimed_until is when another server may take an unfinished one
-- over, done_at when it was handled, after which a redelivery changes
-- nothing and signals nothing. Kept a week (providers redeliver for up to
-- that long); the messages' idempotency keys still hold after.
CREATE TABLE webhook_events (
    channel       text        NOT NULL,
    dedup_key     text        NOT NULL,
    claimed_at    timestamptz NOT NULL DEFAULT now(),
    claimed_until timestamptz NOT NULL,
    done_at       timestamptz,
    PRIMARY KEY (channel, dedup_key)
);
CREATE INDEX webhook_events_claimed_at ON webhook_events (claimed_at);

-- +goose Down
DROP TABLE webhook_events;
DROP TABLE slack_requests;
