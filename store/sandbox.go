package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/followup-dev/followup"
)

// OutboxMessage is one message in the sandbox outbox: what a sandboxed
// channel's fake provider (or the storing sender of tests) accepted.
type OutboxMessage struct {
	ID        int64  `db:"id" json:"id"`
	Channel   string `db:"channel" json:"channel"`
	Recipient string `db:"recipient" json:"recipient"`
	Mode      string `db:"mode" json:"mode"`
	Tag       string `db:"tag" json:"tag"`
	// Template is the template's name; Body is then its call,
	// "name(param, …)".
	Template       string `db:"template" json:"template"`
	Body           string `db:"body" json:"body"`
	IdempotencyKey string `db:"idempotency_key" json:"idempotency_key"`
	ProviderID     string `db:"provider_id" json:"provider_id"`
}

// Outbox is the sandbox outbox (table sandbox_outbox), listed by `followup
// outbox` and kept across restarts.
type Outbox struct {
	db *sqlx.DB
}

// NewOutbox is the outbox in db, the product's database: it needs nothing
// but the handle, so a test's storing sender takes a Store's DB().
func NewOutbox(db *sqlx.DB) Outbox { return Outbox{db: db} }

// Outbox is the sandbox outbox in s.
func (s *Store) Outbox() Outbox { return Outbox{db: s.db} }

// Record lists m once per idempotency key (a retry after a lost answer
// sends again, as the provider decides, but is listed once) and returns
// the provider id of the message listed under its key: m's, or the first
// one's.
func (o Outbox) Record(ctx context.Context, m OutboxMessage) (providerID string, err error) {
	err = o.db.GetContext(ctx, &providerID, `
		INSERT INTO sandbox_outbox (channel, recipient, mode, tag, template, body, idempotency_key, provider_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key
		RETURNING provider_id`, m.Channel, m.Recipient, m.Mode, m.Tag, m.Template, m.Body, m.IdempotencyKey, m.ProviderID)
	if err != nil {
		return "", fmt.Errorf("store outbound: %w", err)
	}
	return providerID, nil
}

// List is the outbox, newest first, at most limit messages.
func (o Outbox) List(ctx context.Context, limit int) ([]OutboxMessage, error) {
	out := []OutboxMessage{}
	err := o.db.SelectContext(ctx, &out, `SELECT id, channel, recipient, mode, tag, template, body, idempotency_key, provider_id
		FROM sandbox_outbox ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	return out, nil
}

// LastInbound is when the customer with externalID on ch last wrote; false
// when they never did or are unknown. A sandboxed channel's fake learns its
// window from it, as the real provider would from the message itself.
func (s *Store) LastInbound(ctx context.Context, ch followup.Channel, externalID string) (time.Time, bool, error) {
	var last sql.NullTime
	err := s.db.GetContext(ctx, &last, `SELECT last_inbound_at FROM identities WHERE channel = $1 AND external_id = $2`, ch, externalID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, fmt.Errorf("last inbound of %s identity %q: %w", ch, externalID, err)
	}
	return last.Time, last.Valid, nil
}
