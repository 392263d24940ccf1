-- +goose Up
-- The sandbox now sends through the real adapters to local fake providers
-- and lists what they accepted here. Provider ids are the fakes': WeChat
-- returns none, and a fake restarted with `followup dev` numbers its
-- messages from 1 again, so they are not unique. The idempotency key still
-- is: a retried send is listed once.
ALTER TABLE sandbox_outbox DROP CONSTRAINT sandbox_outbox_provider_id_key;

-- +goose Down
DELETE FROM sandbox_outbox o USING sandbox_outbox d
    WHERE o.provider_id = d.provider_id AND o.id > d.id;
ALTER TABLE sandbox_outbox ADD CONSTRAINT sandbox_outbox_provider_id_key UNIQUE (provider_id);
