// Package channels holds what every channel adapter shares: the events a
// verified webhook yields and the Webhook interface the HTTP server
// dispatches to. Each channel has its own package below this one (client,
// webhook, and a <name>test fake server that answers like the real API).
package channels

import (
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
	// Status of our message, for Status events.
	Status followup.MessageStatus
	// Err is the provider's error for a failed status (e.g. WhatsApp's
	// asynchronous 131047), classified like a send error.
	Err *followup.SendError
	// DedupKey is unique per event, so a redelivered webhook is ignored.
	DedupKey string
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
