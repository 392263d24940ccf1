package store

import (
	"context"
	"time"

	"github.com/followup-dev/followup"
)

// webhookEventsKept is how long a handled webhook event is remembered:
// Meta's platforms redeliver for up to a week. A later redelivery is still
// recorded once (messages' idempotency keys are kept for good); it would
// only signal its follow-up again, which ignores it.
const webhookEventsKept = 7 * 24 * time.Hour

// EventClaim is what ClaimWebhookEvent found.
type EventClaim int

const (
	// EventClaimed: the caller now handles the event, then calls
	// FinishWebhookEvent, or ReleaseWebhookEvent if it failed.
	EventClaimed EventClaim = iota + 1
	// EventDone: the event was handled before; there is nothing to do.
	EventDone
	// EventInFlight: another server is handling the event now; the
	// provider should deliver it again later.
	EventInFlight
)

// ClaimWebhookEvent takes on a channel's webhook event by its dedup key,
// for every server sharing this database: one that is done is not handled
// again, and one being handled is left to its server for lease (then
// another server may take it over, so a crashed one does not lose it).
func (s *Store) ClaimWebhookEvent(ctx context.Context, ch followup.Channel, key string, lease time.Duration) (EventClaim, error) {
	res, err := s.db.ExecContext(ctx, `
		INSERT INTO webhook_events AS e (channel, dedup_key, claimed_until)
		VALUES ($1, $2, now() + make_interval(secs => $3))
		ON CONFLICT (channel, dedup_key) DO UPDATE SET claimed_until = EXCLUDED.claimed_until
		WHERE e.done_at IS NULL AND e.claimed_until <= now()`, ch, key, lease.Seconds())
	if err != nil {
		return 0, translate(err, "claim webhook event")
	}
	if n, err := res.RowsAffected(); err != nil {
		return 0, translate(err, "claim webhook event")
	} else if n == 1 {
		return EventClaimed, nil
	}
	var done bool
	err = s.db.GetContext(ctx, &done, `SELECT done_at IS NOT NULL FROM webhook_events WHERE channel = $1 AND dedup_key = $2`, ch, key)
	switch {
	case isNoRows(err): // released in between: let the provider come back
		return EventInFlight, nil
	case err != nil:
		return 0, translate(err, "claim webhook event")
	case done:
		return EventDone, nil
	}
	return EventInFlight, nil
}

// FinishWebhookEvent marks a claimed event handled, and prunes a few
// events handled long ago.
func (s *Store) FinishWebhookEvent(ctx context.Context, ch followup.Channel, key string) error {
	_, err := s.db.ExecContext(ctx, `
		WITH pruned AS (
			DELETE FROM webhook_events WHERE (channel, dedup_key) IN (
				SELECT channel, dedup_key FROM webhook_events
				WHERE claimed_at < now() - make_interval(secs => $3) AND (channel, dedup_key) <> ($1, $2)
				LIMIT $4 FOR UPDATE SKIP LOCKED))
		UPDATE webhook_events SET done_at = now() WHERE channel = $1 AND dedup_key = $2`,
		ch, key, webhookEventsKept.Seconds(), pruneBatch)
	return translate(err, "finish webhook event")
}

// ReleaseWebhookEvent gives up a claimed event that could not be handled,
// so its redelivery is handled at once rather than after the lease.
func (s *Store) ReleaseWebhookEvent(ctx context.Context, ch followup.Channel, key string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM webhook_events WHERE channel = $1 AND dedup_key = $2 AND done_at IS NULL`, ch, key)
	return translate(err, "release webhook event")
}
