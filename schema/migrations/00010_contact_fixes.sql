-- +goose Up
-- The region national phone numbers are read in (ISO 3166 alpha-2, "GB"),
-- when a person writes them without a country code; '' means none: every
-- number must then be international. The store checks that the phone
-- library knows the region; the database only its shape.
ALTER TABLE settings ADD COLUMN default_region text NOT NULL DEFAULT ''
    CHECK (default_region ~ '^([A-Z]{2})?$');

-- +goose Down
ALTER TABLE settings DROP COLUMN default_region;
