package store

import (
	"context"
	"time"

	"github.com/followup-dev/followup"
)

// Request is a Slack request the bot acknowledged (the type lives in
// followup, so that the bot need not import store).
type Request = followup.Request

// AddRequest records a request, claimed by the caller for lease. added is
// false when a request with that id exists (a button pressed twice): it is
// carried out once.
func (s *Store) AddRequest(ctx context.Context, r Request, lease time.Duration) (added bool, err error) {
	tag, err := s.pool.Exec(ctx, `INSERT INTO requests (id, agent_slack, payload, response_url, claimed_until, tries)
		VALUES ($1, $2, $3, $4, now() + $5 * interval '1 millisecond', 1) ON CONFLICT (id) DO NOTHING`,
		r.ID, r.AgentSlack, string(r.Payload), r.ResponseURL, lease.Milliseconds())
	if err != nil {
		return false, translate(err, "record the request")
	}
	return tag.RowsAffected() == 1, nil
}

// RenewRequest extends the caller's claim on a request it is carrying out.
func (s *Store) RenewRequest(ctx context.Context, id string, lease time.Duration) error {
	_, err := s.db.ExecContext(ctx, `UPDATE requests SET claimed_until = now() + $2 * interval '1 millisecond' WHERE id = $1 AND state = 'pending'`,
		id, lease.Milliseconds())
	return translate(err, "renew the request")
}

// FinishRequest records that a request was carried out and answered.
func (s *Store) FinishRequest(ctx context.Context, id, answer string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE requests SET state = 'done', answer = $2, done_at = now(), claimed_until = NULL WHERE id = $1`, id, answer)
	return translate(err, "finish the request")
}

// ClaimRequests claims, for lease, up to limit pending requests nobody
// holds (their process died), oldest first; several processes never claim
// the same one.
func (s *Store) ClaimRequests(ctx context.Context, lease time.Duration, limit int) ([]Request, error) {
	out := []Request{}
	err := s.db.SelectContext(ctx, &out, `UPDATE requests r SET claimed_until = now() + $1 * interval '1 millisecond', tries = r.tries + 1
		FROM (SELECT id FROM requests WHERE state = 'pending' AND (claimed_until IS NULL OR claimed_until < now())
		      ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED) c
		WHERE r.id = c.id
		RETURNING r.id, r.agent_slack, r.payload, r.response_url, r.tries, r.created_at`, lease.Milliseconds(), limit)
	return out, translate(err, "claim requests")
}

// CountPendingRequests counts requests not yet carried out.
func (s *Store) CountPendingRequests(ctx context.Context) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM requests WHERE state = 'pending'`)
	return n, translate(err, "count pending requests")
}

// PruneRequests deletes up to 1,000 requests carried out more than keep
// ago; it returns how many.
func (s *Store) PruneRequests(ctx context.Context, keep time.Duration) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM requests WHERE id IN (
		SELECT id FROM requests WHERE state = 'done' AND done_at < now() - $1 * interval '1 millisecond' LIMIT 1000)`, keep.Milliseconds())
	if err != nil {
		return 0, translate(err, "prune requests")
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
