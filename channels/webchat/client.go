// Package webchat is the product's own website-chat channel. There is no
// third-party API (channels.md §6.5), so the protocol is ours:
//
//   - Outbound: Send POSTs {visitor_id, text} with a bearer token and an
//     Idempotency-Key to the webchat delivery service (BaseURL +
//     "/v1/messages"), which stores the message until the visitor's widget
//     fetches it. 410 Gone means the visitor id no longer exists.
//   - Inbound: the widget POSTs {visitor_id, text, sent_at} to
//     /webhooks/webchat, signed per visitor (see VisitorKey): the browser
//     never holds the site token, only its own visitor's key.
//   - Handler serves the small embeddable widget page.
package webchat

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/provider"
)

// Config says where the delivery service is and how to authenticate.
type Config struct {
	// BaseURL of the webchat delivery service, e.g.
	// "https://chat.example.com". Required: the service is ours, there is
	// no public default.
	BaseURL string
	// Token is the bearer token the delivery service expects.
	Token string
}

// Client sends messages to website visitors.
type Client provider.Keyed

// New checks cfg; hc nil means a client with a 30 s timeout.
func New(cfg Config, hc *http.Client) (*Client, error) {
	if err := channels.Missing("webchat", "BaseURL of the delivery service", cfg.BaseURL); err != nil {
		return nil, err
	}
	k, err := provider.NewKeyed("webchat", "Token (delivery service bearer token)", cfg.Token, cfg.BaseURL, "", provider.Patient(hc))
	return (*Client)(k), err
}

// OutboundMessage is the body of POST /v1/messages.
type OutboundMessage struct {
	VisitorID string `json:"visitor_id"`
	Text      string `json:"text"`
}

// Delivered is the delivery service's answer to an accepted message.
type Delivered struct {
	ID        string    `json:"id"`
	VisitorID string    `json:"visitor_id"`
	CreatedAt time.Time `json:"created_at"`
}

// ErrorBody is the delivery service's error envelope.
type ErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// Send stores m.Text for the visitor m.To. The idempotency key goes in the
// Idempotency-Key header: the service answers a repeated key with the
// first message's id instead of storing it twice.
func (c *Client) Send(ctx context.Context, m channels.Outbound) (channels.Sent, error) {
	if m.Mode != "" && m.Mode != followup.ModeFreeText {
		// Website chat has no window, so the rules only choose free text.
		return channels.Sent{}, provider.Permanent("unsupported_mode", "website chat sends free text only, not "+string(m.Mode))
	}
	if !ValidVisitorID(m.To) {
		return channels.Sent{}, provider.Permanent("invalid_recipient", fmt.Sprintf("%q is not a website-chat visitor id", m.To))
	}
	h := provider.Bearer(c.Token)
	h.Set("Accept", "application/json")
	if m.IdempotencyKey != "" {
		h.Set("Idempotency-Key", m.IdempotencyKey)
	}
	a, err := c.Do(ctx, provider.Request{URL: "/v1/messages", Header: h, JSON: OutboundMessage{VisitorID: m.To, Text: m.Text}})
	if err != nil {
		return channels.Sent{}, fmt.Errorf("webchat: send to visitor: %w", err) // retried
	}
	if !a.OK() {
		return channels.Sent{}, classify(a)
	}
	var d Delivered
	if err := json.Unmarshal(a.Body, &d); err != nil || d.ID == "" {
		return channels.Sent{}, fmt.Errorf("webchat: unexpected answer %d %q", a.StatusCode, a.Snippet())
	}
	return channels.Sent{ProviderID: d.ID}, nil
}

// classify maps the delivery service's refusal: 410 means the visitor id
// is gone (expired or erased), so the follow-up stops; 429 and 5xx are
// retried, honouring Retry-After; anything else is our request's fault.
func classify(a provider.Answer) *followup.SendError {
	var eb ErrorBody
	_ = json.Unmarshal(a.Body, &eb)
	code, msg := eb.Error.Code, eb.Error.Message
	if code == "" {
		code = strconv.Itoa(a.StatusCode)
	}
	if msg == "" {
		msg = fmt.Sprintf("webchat delivery service answered %s: %s", a.Status, a.Snippet())
	}
	class := followup.Permanent
	switch {
	case a.StatusCode == http.StatusGone:
		class = followup.RecipientGone
	case a.Busy():
		class = followup.Retryable
	}
	return a.Refused(class, code, msg)
}
