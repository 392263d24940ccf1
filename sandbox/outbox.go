package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/store"
)

// Sender is a provider that only stores outbound messages in the outbox
// (no adapter, no fake): the test double of the workflow, activity and
// worker tests, and a send costs one insert. A repeated idempotency key
// returns the first message's id, as a provider with idempotent sends does.
type Sender struct {
	box store.Outbox
}

// New returns a storing sender over the product's database.
func New(db *sqlx.DB) *Sender { return &Sender{box: store.NewOutbox(db)} }

// Send records the message; failures are the database's.
func (s *Sender) Send(ctx context.Context, m channels.Outbound) (channels.Sent, error) {
	if m.To == "" {
		return channels.Sent{}, &followup.SendError{Class: followup.Permanent, Code: "no_recipient", Message: "the contact has no address on " + m.Channel.Title()}
	}
	sum := sha256.Sum256([]byte(m.IdempotencyKey))
	pid := "sandbox-" + string(m.Channel) + "-" + hex.EncodeToString(sum[:8])
	got, err := s.box.Record(ctx, outboxMessage(m.Channel, m, pid))
	if err != nil {
		return channels.Sent{}, fmt.Errorf("sandbox: %w", err)
	}
	return channels.Sent{ProviderID: got}, nil
}

// Outbox lists the outbox, newest first.
func (s *Sender) Outbox(ctx context.Context, limit int) ([]Message, error) {
	return list(ctx, s.box, limit)
}

// Message is one message in the sandbox outbox.
type Message = store.OutboxMessage

// Outbox lists the messages the sandbox's providers accepted, newest first.
func Outbox(ctx context.Context, db *sqlx.DB, limit int) ([]Message, error) {
	return list(ctx, store.NewOutbox(db), limit)
}

func list(ctx context.Context, box store.Outbox, limit int) ([]Message, error) {
	ms, err := box.List(ctx, limit)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	return ms, nil
}
