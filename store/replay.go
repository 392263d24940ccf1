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

// pruneBatch bounds the old rows one prune deletes (once a second per
// process: far more than Slack requests arrive).
const pruneBatch = 100

// SlackRequestSeen records a verified Slack request by its signature (the
// HMAC of timestamp and body) and reports whether it was recorded before,
// by this server or another one: the replay guard of bot.Verifier.
func (s *Store) SlackRequestSeen(ctx context.Context, signature []byte, signedAt time.Time) (seen bool, err error) {
	tag, err := s.guard.Exec(ctx, `INSERT INTO slack_requests (signature, signed_at) VALUES ($1, $2) ON CONFLICT (signature) DO NOTHING`,
		signature, signedAt.UTC())
	if err != nil {
		return false, translate(err, "record Slack request")
	}
	n := tag.RowsAffected()
	// Pruning is occasional (at most once a second per process), off the
	// request's path: the acknowledgement waits for one insert only.
	if now := time.Now().UnixNano(); now-s.prunedAt.Load() > int64(time.Second) {
		s.prunedAt.Store(now)
		go s.pruneSlackRequests()
	}
	return n == 0, nil
}

// pruneSlackRequests deletes signatures past their window (rows another
// server is pruning at the same moment are skipped, not waited for).
func (s *Store) pruneSlackRequests() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = s.db.ExecContext(ctx, `DELETE FROM slack_requests WHERE signature IN (
		SELECT signature FROM slack_requests WHERE signed_at < now() - make_interval(secs => $1)
		LIMIT $2 FOR UPDATE SKIP LOCKED)`, slackRequestsKept.Seconds(), pruneBatch)
}
