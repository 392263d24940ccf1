-- +goose Up
-- The workspace's default re-engagement template: what a scheduled send
-- falls back on when, by its time, the channel's window has closed and
-- the agent gave no fallback of their own. 'NAME' or 'NAME:LANGUAGE' of a
-- WhatsApp template without parameters; '' means none.
ALTER TABLE settings ADD COLUMN reengagement_template text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE settings DROP COLUMN reengagement_template;
