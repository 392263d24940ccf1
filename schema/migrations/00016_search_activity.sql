-- +goose Up
-- Broad name prefixes ("mar": 4% of a million contacts) in result order.
-- Search ranks by recency (last_activity_at DESC NULLS LAST, id), so with
-- only the key indexes a broad prefix read every match and sorted them all
-- to keep 21. This index is in result order and carries what the name
-- branches filter on, so the planner can walk it from the most recent
-- contact, test the prefix on each entry, and stop at the LIMIT: for "mar"
-- about 21 / 4% ≈ 500 entries instead of 39,000. Narrow prefixes keep
-- using the key indexes; the planner picks by the prefix's estimated rows.
CREATE INDEX contacts_activity ON contacts (last_activity_at DESC NULLS LAST, id)
    INCLUDE (conv_status, assignee_id, first_key, last_key);

-- +goose Down
DROP INDEX contacts_activity;
