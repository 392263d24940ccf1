-- +goose Up
-- A delivery status that echoes our reference for a message (WhatsApp's
-- biz_opaque_callback_data, the ref in Twilio's per-message StatusCallback
-- URL) finds the message even when the answer to the send was lost and we
-- never learnt the provider's id ('unconfirmed'). The reference is
-- channels.StatusRef in Go: the lowercase hex SHA-256 of the idempotency
-- key's UTF-8 bytes. Both must change together or not at all.
--
-- convert_to is only STABLE, which an index expression does not accept;
-- converting to UTF-8 depends on the database's encoding alone, fixed when
-- the database is created, so the function is immutable in fact. (A plain
-- idempotency_key::bytea would not do: that cast reads backslash escapes.)
-- +goose StatementBegin
CREATE FUNCTION status_ref(idempotency_key text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT encode(sha256(convert_to(idempotency_key, 'UTF8')), 'hex') $$;
-- +goose StatementEnd
-- Only outbound messages without a provider id are ever looked up this
-- way (one with an id is found by it), so the index stays small.
CREATE INDEX messages_status_ref ON messages (channel, status_ref(idempotency_key))
    WHERE direction = 'outbound' AND provider_id = '';

-- +goose Down
DROP INDEX messages_status_ref;
DROP FUNCTION status_ref(text);
