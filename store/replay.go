package store

import (
	"context"
	"time"
)

// slackRequestsKept is how long an accepted Slack signature is remembered:
// twice Slack's 5-minute timestamp window, so servers whose clocks differ
// from the database's by a few minutes still find it. Older ones are
// refused as stale before they get here.
const slackRequestsKept = 10 * time.Minute

// pruneBatch bounds the old rows one insert deletes: more than one, so the
// table shrinks faster than it grows, and few, so no request waits on a
// large delete.
const pruneBatch = 100

// SlackRequestSeen records a verified Slack request by its signature (the
// HMAC of timestamp and body) and reports whether it was recorded before,
// by this server or another one: the replay guard of bot.Verifier. It also
// prunes a few signatures past their window (rows another server is pruning
// at the same moment are skipped, not waited for).
func (s *Store) SlackRequestSeen(ctx context.Context, signature []byte, signedAt time.Time) (seen bool, err error) {
	res, err := s.db.ExecContext(ctx, `
		WITH pruned AS (
			DELETE FROM slack_requests WHERE signature IN (
				SELECT signature FROM slack_requests
				WHERE signed_at < now() - make_interval(secs => $3) AND signature <> $1
				LIMIT $4 FOR UPDATE SKIP LOCKED))
		INSERT INTO slack_requests (signature, signed_at) VALUES ($1, $2)
		ON CONFLICT (signature) DO NOTHING`,
		signature, signedAt.UTC(), slackRequestsKept.Seconds(), pruneBatch)
	if err != nil {
		return false, translate(err, "record Slack request")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, translate(err, "record Slack request")
	}
	return n == 0, nil
}
