-- +goose Up
-- How the provider refused an undeliverable message (window_closed,
-- recipient_gone, permanent) and its code, so a send run again after a
-- crash reports the refusal as the first run did (a closed window closes
-- the follow-up's window; a recipient gone ends it).
ALTER TABLE messages ADD COLUMN error_class text NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN error_code text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE messages DROP COLUMN error_code;
ALTER TABLE messages DROP COLUMN error_class;
