-- +goose Up
-- Cadences: named sequences of touches a supervisor defines and an agent
-- starts on a contact. steps is the JSON of []cadences.Step, checked by
-- cadences.Validate before it is written; a running cadence carries its
-- own copy of the steps, so changing or removing one here does not touch
-- the cadences already started. created_by is the supervisor's Slack user
-- id, or 'cli' for an operator.
CREATE TABLE cadences (
    name       text        PRIMARY KEY CHECK (name ~ '^[a-z0-9_-]{1,40}$'),
    steps      jsonb       NOT NULL CHECK (jsonb_typeof(steps) = 'array'),
    created_by text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE cadences;
