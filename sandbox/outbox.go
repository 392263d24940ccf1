package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
)

// Sender is a provider that only stores outbound messages in the outbox
// (no adapter, no fake): the test double of the workflow, activity and
// worker tests, and a send costs one insert. A repeated idempotency key
// returns the first message's id, as a provider with idempotent sends does.
type Sender struct {
	db *sqlx.DB
}

// New returns a storing sender over the product's database.
func New(db *sqlx.DB) *Sender { return &Sender{db: db} }

// Send records the message; failures are the database's.
func (s *Sender) Send(ctx context.Context, m channels.Outbound) (channels.Sent, error) {
	if m.To == "" {
		return channels.Sent{}, &followup.SendError{Class: followup.Permanent, Code: "no_recipient", Message: "the contact has no address on " + m.Channel.Title()}
	}
	sum := sha256.Sum256([]byte(m.IdempotencyKey))
	pid := "sandbox-" + string(m.Channel) + "-" + hex.EncodeToString(sum[:8])
	body := m.Text
	if m.Template != nil {
		body = m.Template.Name + "(" + strings.Join(m.Template.Params, ", ") + ")"
	}
	tmpl := ""
	if m.Template != nil {
		tmpl = m.Template.Name
	}
	var got string
	err := s.db.GetContext(ctx, &got, `
		INSERT INTO sandbox_outbox (channel, recipient, mode, tag, template, body, idempotency_key, provider_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key
		RETURNING provider_id`, m.Channel, m.To, m.Mode, m.Tag, tmpl, body, m.IdempotencyKey, pid)
	if err != nil {
		return channels.Sent{}, fmt.Errorf("sandbox: store outbound: %w", err)
	}
	return channels.Sent{ProviderID: got}, nil
}

// Outbox lists the outbox, newest first.
func (s *Sender) Outbox(ctx context.Context, limit int) ([]Message, error) {
	return Outbox(ctx, s.db, limit)
}

// Message is one message in the sandbox outbox.
type Message struct {
	ID             int64  `db:"id" json:"id"`
	Channel        string `db:"channel" json:"channel"`
	Recipient      string `db:"recipient" json:"recipient"`
	Mode           string `db:"mode" json:"mode"`
	Tag            string `db:"tag" json:"tag"`
	Template       string `db:"template" json:"template"`
	Body           string `db:"body" json:"body"`
	IdempotencyKey string `db:"idempotency_key" json:"idempotency_key"`
	ProviderID     string `db:"provider_id" json:"provider_id"`
}

// Outbox lists the messages the sandbox's providers accepted, newest first.
func Outbox(ctx context.Context, db *sqlx.DB, limit int) ([]Message, error) {
	out := []Message{}
	err := db.SelectContext(ctx, &out, `SELECT id, channel, recipient, mode, tag, template, body, idempotency_key, provider_id FROM sandbox_outbox ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("sandbox: list outbox: %w", err)
	}
	return out, nil
}
