-- +goose Up
-- What a follow-up tells an agent is kept as a phrase too (its English
-- format and its arguments, JSON), so that each reader gets it in their
-- language; text stays the English, for the CLI and for rows written
-- before. supervisor_language is the language of the posts to the
-- supervisors' channel (a channel has no locale of its own).
ALTER TABLE notifications ADD COLUMN phrase jsonb;
ALTER TABLE settings ADD COLUMN supervisor_language text NOT NULL DEFAULT 'en'
    CHECK (supervisor_language IN ('en', 'ru'));

-- +goose Down
ALTER TABLE settings DROP COLUMN supervisor_language;
ALTER TABLE notifications DROP COLUMN phrase;
