package store

import (
	"context"
	"time"

	"github.com/followup-dev/followup"
)

// ChannelCounts counts the outbound messages created in [from, to) per
// channel, for the daily digest: accepted by the provider (sent,
// delivered, read, unconfirmed), refused as undeliverable, and failed
// after acceptance. Channels with none are left out; the rest are sorted
// by name.
func (s *Store) ChannelCounts(ctx context.Context, from, to time.Time) ([]followup.ChannelCount, error) {
	out := []followup.ChannelCount{}
	err := s.db.SelectContext(ctx, &out, `SELECT channel,
		count(*) FILTER (WHERE status IN ('sent', 'delivered', 'read', 'unconfirmed')) AS sent,
		count(*) FILTER (WHERE status = 'undeliverable') AS refused,
		count(*) FILTER (WHERE status = 'failed') AS failed
		FROM messages WHERE direction = 'outbound' AND created_at >= $1 AND created_at < $2
		GROUP BY channel HAVING count(*) FILTER (WHERE status IN ('sent', 'delivered', 'read', 'unconfirmed', 'undeliverable', 'failed')) > 0
		ORDER BY channel`, from, to)
	return out, translate(err, "count messages per channel")
}
