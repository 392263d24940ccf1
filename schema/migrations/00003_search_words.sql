-- +goose Up
-- Typo tolerance by dictionary: every distinct word of every name, so a
-- misspelt word is corrected against a few thousand words (edit distance,
-- trigram similarity) and the contacts are then found by exact key, instead
-- of comparing the query with every contact's name.
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;
CREATE TABLE name_words (
    word       text PRIMARY KEY CHECK (word <> ''),
    first_char text GENERATED ALWAYS AS (left(word, 1)) STORED,
    len        int  GENERATED ALWAYS AS (char_length(word)) STORED
);
CREATE INDEX name_words_shape ON name_words (first_char, len);
CREATE INDEX name_words_trgm ON name_words USING gin (word gin_trgm_ops);
INSERT INTO name_words (word)
SELECT DISTINCT w FROM contacts, unnest(string_to_array(full_key, ' ')) AS w WHERE w <> ''
ON CONFLICT DO NOTHING;

-- The trigram index over every full name is replaced by the dictionary.
DROP INDEX contacts_full_trgm;

-- "Mine" searches: one agent's contacts by name prefix, index-only.
CREATE INDEX contacts_assignee_first ON contacts (assignee_id, first_key text_pattern_ops)
    INCLUDE (id, last_key, conv_status, last_activity_at) WHERE assignee_id IS NOT NULL;
CREATE INDEX contacts_assignee_last ON contacts (assignee_id, last_key text_pattern_ops)
    INCLUDE (id, first_key, conv_status, last_activity_at) WHERE assignee_id IS NOT NULL;

-- +goose Down
DROP INDEX contacts_assignee_last;
DROP INDEX contacts_assignee_first;
CREATE INDEX contacts_full_trgm ON contacts USING gin (full_key gin_trgm_ops);
DROP TABLE name_words;
