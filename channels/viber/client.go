// Package viber sends follow-ups through the Viber REST bot API and reads
// its webhook callbacks (channels.md §4).
package viber

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/provider"
)

// DefaultBaseURL is Viber's bot API; the client posts to {BaseURL}/pa/send_message.
const DefaultBaseURL = "https://chatapi.viber.com"

// MaxSenderName is Viber's limit on sender.name.
const MaxSenderName = 28

// Config is what the client needs to send as one bot.
type Config struct {
	// BaseURL is the API root; empty means DefaultBaseURL.
	BaseURL string
	// AuthToken is the bot's token (X-Viber-Auth-Token); it also keys the
	// webhook signature.
	AuthToken string
	// SenderName is shown as the message's author; Viber requires it (≤ 28 chars).
	SenderName string
	// SenderAvatar is an optional avatar URL.
	SenderAvatar string
}

// Client sends text messages to Viber subscribers.
type Client struct {
	cfg Config
	api provider.API
}

// New checks cfg and returns a client using hc (http.DefaultClient when nil).
func New(cfg Config, hc *http.Client) (*Client, error) {
	if err := channels.Missing("viber", "auth token", cfg.AuthToken, "sender name", cfg.SenderName); err != nil {
		return nil, err
	}
	if len([]rune(cfg.SenderName)) > MaxSenderName {
		return nil, fmt.Errorf("viber: sender name %q is longer than %d characters", cfg.SenderName, MaxSenderName)
	}
	return &Client{cfg: cfg, api: provider.NewAPI(cfg.BaseURL, DefaultBaseURL, hc)}, nil
}

type sender struct {
	Name   string `json:"name"`
	Avatar string `json:"avatar,omitempty"`
}

type sendRequest struct {
	Receiver      string `json:"receiver"`
	MinAPIVersion int    `json:"min_api_version"`
	Sender        sender `json:"sender"`
	TrackingData  string `json:"tracking_data,omitempty"`
	Type          string `json:"type"`
	Text          string `json:"text"`
}

type sendResponse struct {
	Status        *int        `json:"status"`
	StatusMessage string      `json:"status_message"`
	MessageToken  json.Number `json:"message_token"`
}

// Send posts m as a text message. Viber has one request for both modes:
// inside the 24 h session it is free, outside it is a chatbot-initiated
// (billable) message; the rules decide which, the request is the same.
func (c *Client) Send(ctx context.Context, m channels.Outbound) (channels.Sent, error) {
	switch m.Mode {
	case followup.ModeFreeText, followup.ModeChatbot:
	default:
		return channels.Sent{}, provider.Permanent("unsupported_mode", fmt.Sprintf("Viber cannot send %q messages", m.Mode))
	}
	if m.To == "" {
		return channels.Sent{}, provider.Permanent("no_recipient", "the contact has no Viber id")
	}
	a, err := c.api.Do(ctx, provider.Request{URL: "/pa/send_message",
		Header: http.Header{"X-Viber-Auth-Token": {c.cfg.AuthToken}},
		JSON: sendRequest{
			Receiver:      m.To,
			MinAPIVersion: 1,
			Sender:        sender{Name: c.cfg.SenderName, Avatar: c.cfg.SenderAvatar},
			// Viber has no idempotency key; tracking_data is its opaque
			// field, echoed back on the customer's reply, so a duplicate
			// can be traced.
			TrackingData: m.IdempotencyKey,
			Type:         "text",
			Text:         m.Text,
		}})
	if err != nil {
		// Transport errors and timeouts: the activity retries them.
		return channels.Sent{}, fmt.Errorf("viber: send_message: %w", err)
	}
	if a.StatusCode != http.StatusOK {
		// Proxies and outages: 4xx other than 429 (and 408) is the request
		// itself, or the token.
		return channels.Sent{}, a.HTTPError(fmt.Sprintf("Viber answered HTTP %d: %s", a.StatusCode, a.Snippet()), http.StatusRequestTimeout)
	}
	var r sendResponse
	dec := json.NewDecoder(bytes.NewReader(a.Body))
	dec.UseNumber() // message_token is a 64-bit integer: a float64 would round it
	if err := dec.Decode(&r); err != nil || r.Status == nil {
		return channels.Sent{}, &followup.SendError{Class: followup.Retryable, Code: "bad_response",
			Message: "Viber answered with an unreadable body: " + a.Snippet()}
	}
	if *r.Status != 0 {
		return channels.Sent{}, statusError(a, *r.Status, r.StatusMessage)
	}
	if r.MessageToken == "" {
		return channels.Sent{}, &followup.SendError{Class: followup.Retryable, Code: "bad_response",
			Message: "Viber accepted the message without a message_token"}
	}
	return channels.Sent{ProviderID: r.MessageToken.String()}, nil
}

// Viber's status codes (channels.md §4.3). The HTTP status is 200 for all of them.
const (
	statusInvalidAuthToken      = 2
	statusReceiverNotRegistered = 5
	statusNotSubscribed         = 6
	statusTooManyRequests       = 12
	statusFreeMessagesExceeded  = 23
	statusNoBalance             = 24
)

// statusError classifies a non-zero Viber status.
func statusError(a provider.Answer, status int, msg string) *followup.SendError {
	if msg == "" {
		msg = "Viber refused the message"
	}
	var class followup.SendErrorClass
	switch {
	case status == statusNotSubscribed || status == statusReceiverNotRegistered:
		// 6: the user unsubscribed (or never subscribed); 5: the id is no
		// longer a Viber user. Either way nothing will reach them.
		class = followup.RecipientGone
	case status == statusFreeMessagesExceeded || status == statusNoBalance:
		// 23: the monthly free chatbot-initiated allowance is used up; 24: a
		// billable bot has no balance. Viber's window closes on money, not
		// time (PRODUCT.md §2): only a customer message opens a free session.
		class = followup.WindowClosed
	case status == statusTooManyRequests:
		class = followup.Retryable
	case status >= 1 && status <= 22:
		// Bad data, bad token, blocked or suspended account, unsupported
		// country…: sending the same request again cannot help.
		class = followup.Permanent
	default:
		// Viber documents "other → general error": nothing was sent, and
		// a later attempt may well succeed.
		class = followup.Retryable
	}
	return a.Refused(class, strconv.Itoa(status), msg)
}
