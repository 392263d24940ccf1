// Package channels holds what every channel adapter shares: the events a
// verified webhook yields and the Webhook interface the HTTP server
// dispatches to. Each channel has its own package below this one (client,
// webhook, and a <name>test fake server that answers like the real API).
package channels

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	"github.com/followup-dev/followup"
)

// MaxBody is the largest webhook body read; larger requests get 413 and
// change nothing.
const MaxBody = 1 << 20

// ErrSignature is returned by Verify for a missing or wrong signature (401).
var ErrSignature = errors.New("webhook signature missing or invalid")

// EventKind says what a webhook event is.
type EventKind string

// Event kinds.
const (
	// Message: the customer wrote (the window restarts).
	Message EventKind = "message"
	// Status: a delivery status of one of our messages.
	Status EventKind = "status"
	// Unsubscribed: the customer opted out of the channel (Viber's
	// unsubscribed); nothing reaches them there until they write again.
	Unsubscribed EventKind = "unsubscribed"
)

// Event is one thing a provider told us in a webhook.
type Event struct {
	Channel followup.Channel
	Kind    EventKind
	// ExternalID is the customer's id on the channel: the sender of a
	// message, the recipient of a status.
	ExternalID string
	// Name is the customer's display name when the provider sends one (a
	// first message creates the contact).
	Name string
	Text string
	// At is the provider's timestamp (UTC).
	At time.Time
	// ProviderMessageID identifies the message (ours for statuses).
	ProviderMessageID string
	// Ref is our reference for the message (StatusRef of its idempotency
	// key) when the provider echoes it in a status (WhatsApp's
	// biz_opaque_callback_data, the ref in Twilio's StatusCallback URL).
	// It finds a message whose send answer was lost, so whose provider id
	// we never learnt ('unconfirmed').
	Ref string
	// Status of our message, for Status events.
	Status followup.MessageStatus
	// Err is the provider's error for a failed status (e.g. WhatsApp's
	// asynchronous 131047), classified like a send error.
	Err *followup.SendError
	// DedupKey is unique per event, so a redelivered webhook is ignored.
	DedupKey string
}

// StatusRef is the reference an adapter hands a provider that echoes it
// in delivery statuses: the lowercase hex SHA-256 of the message's
// idempotency key (of its UTF-8 bytes), always 64 characters. A key may be
// longer than a provider takes (WhatsApp: 512 characters) and names our
// workflows; its hash fits everywhere, is safe in a URL, and tells the
// provider nothing. The database computes the same value from the
// messages.idempotency_key column (status_ref(), migration 00008), so the
// rule must change in both places or not at all.
func StatusRef(idempotencyKey string) string {
	if idempotencyKey == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(idempotencyKey))
	return hex.EncodeToString(sum[:])
}

// Webhook verifies and parses one channel's webhook requests. The server
// reads at most MaxBody bytes, calls Verify on the raw bytes before
// anything else, and only then Parse.
type Webhook interface {
	// Handshake answers a subscription check (Meta's hub.challenge,
	// WeChat's echostr) and reports whether r was one.
	Handshake(w http.ResponseWriter, r *http.Request) (handled bool)
	// Verify checks the provider's signature over the raw body (and the
	// headers or query it signs); it returns ErrSignature when it fails.
	Verify(r *http.Request, body []byte) error
	// Parse turns a verified body into events. A body it cannot read is
	// an error (400); events it does not care about are skipped.
	Parse(r *http.Request, body []byte) ([]Event, error)
}

// NoHandshake is embedded by the Webhook of a provider that has no
// subscription handshake: its Handshake handles nothing.
type NoHandshake struct{}

// Handshake reports false: the provider has no handshake.
func (NoHandshake) Handshake(http.ResponseWriter, *http.Request) bool { return false }

// Outbound is one message as a channel adapter sends it.
type Outbound struct {
	Channel        followup.Channel
	To             string // the contact's external id on the channel
	Mode           followup.Mode
	Tag            followup.Tag // HUMAN_AGENT or the agent's tag, when Mode needs one
	Text           string
	Template       *TemplateRef
	IdempotencyKey string // the same for every retry of one message
}

// TemplateRef is an approved template with its parameters.
type TemplateRef struct {
	Name     string
	Language string
	Params   []string
}

// Sent is what a provider answered to a message it accepted.
type Sent struct {
	ProviderID string
}

// Sender sends on one channel. Errors the provider gave are
// *followup.SendError with their class; anything else is retried.
type Sender interface {
	Send(ctx context.Context, m Outbound) (Sent, error)
}
