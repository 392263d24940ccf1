// Package viber sends follow-ups through the Viber REST bot API and reads
// its webhook callbacks (channels.md §4).
package viber

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
)

// DefaultBaseURL is Viber's bot API; the client posts to {BaseURL}/pa/send_message.
const DefaultBaseURL = "https://chatapi.viber.com"

// MaxSenderName is Viber's limit on sender.name.
const MaxSenderName = 28

// maxResponse bounds how much of a response the client reads: Viber's
// answers are a few hundred bytes.
const maxResponse = 64 << 10

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
	hc  *http.Client
}

// New checks cfg and returns a client using hc (http.DefaultClient when nil).
func New(cfg Config, hc *http.Client) (*Client, error) {
	switch {
	case cfg.AuthToken == "":
		return nil, errors.New("viber: missing auth token")
	case cfg.SenderName == "":
		return nil, errors.New("viber: missing sender name")
	case len([]rune(cfg.SenderName)) > MaxSenderName:
		return nil, fmt.Errorf("viber: sender name %q is longer than %d characters", cfg.SenderName, MaxSenderName)
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{cfg: cfg, hc: hc}, nil
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
		return channels.Sent{}, &followup.SendError{Class: followup.Permanent, Code: "unsupported_mode",
			Message: fmt.Sprintf("Viber cannot send %q messages", m.Mode)}
	}
	if m.To == "" {
		return channels.Sent{}, &followup.SendError{Class: followup.Permanent, Code: "no_recipient", Message: "the contact has no Viber id"}
	}
	body, err := json.Marshal(sendRequest{
		Receiver:      m.To,
		MinAPIVersion: 1,
		Sender:        sender{Name: c.cfg.SenderName, Avatar: c.cfg.SenderAvatar},
		// Viber has no idempotency key; tracking_data is its opaque field,
		// echoed back on the customer's reply, so a duplicate can be traced.
		TrackingData: m.IdempotencyKey,
		Type:         "text",
		Text:         m.Text,
	})
	if err != nil {
		return channels.Sent{}, fmt.Errorf("viber: encode message: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.BaseURL+"/pa/send_message", bytes.NewReader(body))
	if err != nil {
		return channels.Sent{}, fmt.Errorf("viber: build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Viber-Auth-Token", c.cfg.AuthToken)
	resp, err := c.hc.Do(req)
	if err != nil {
		// Transport errors and timeouts: the activity retries them.
		return channels.Sent{}, fmt.Errorf("viber: send_message: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return channels.Sent{}, fmt.Errorf("viber: read response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return channels.Sent{}, httpError(resp, raw)
	}
	var r sendResponse
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // message_token is a 64-bit integer: a float64 would round it
	if err := dec.Decode(&r); err != nil || r.Status == nil {
		return channels.Sent{}, &followup.SendError{Class: followup.Retryable, Code: "bad_response",
			Message: "Viber answered with an unreadable body: " + snippet(raw)}
	}
	if *r.Status != 0 {
		return channels.Sent{}, statusError(*r.Status, r.StatusMessage, resp.Header)
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
func statusError(status int, msg string, h http.Header) *followup.SendError {
	e := &followup.SendError{Code: strconv.Itoa(status), Message: msg}
	if e.Message == "" {
		e.Message = "Viber refused the message"
	}
	switch {
	case status == statusNotSubscribed || status == statusReceiverNotRegistered:
		// 6: the user unsubscribed (or never subscribed); 5: the id is no
		// longer a Viber user. Either way nothing will reach them.
		e.Class = followup.RecipientGone
	case status == statusFreeMessagesExceeded || status == statusNoBalance:
		// 23: the monthly free chatbot-initiated allowance is used up; 24: a
		// billable bot has no balance. Viber's window closes on money, not
		// time (PRODUCT.md §2): only a customer message opens a free session.
		e.Class = followup.WindowClosed
	case status == statusTooManyRequests:
		e.Class = followup.Retryable
		e.RetryAfter = retryAfter(h, time.Now())
	case status >= 1 && status <= 22:
		// Bad data, bad token, blocked or suspended account, unsupported
		// country…: sending the same request again cannot help.
		e.Class = followup.Permanent
	default:
		// Viber documents "other → general error": nothing was sent, and
		// a later attempt may well succeed.
		e.Class = followup.Retryable
	}
	return e
}

// httpError classifies an answer that is not HTTP 200 (proxies, outages).
func httpError(resp *http.Response, raw []byte) *followup.SendError {
	e := &followup.SendError{Code: "http_" + strconv.Itoa(resp.StatusCode),
		Message: fmt.Sprintf("Viber answered HTTP %d: %s", resp.StatusCode, snippet(raw))}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		e.Class = followup.Retryable
		e.RetryAfter = retryAfter(resp.Header, time.Now())
	case resp.StatusCode >= 500, resp.StatusCode == http.StatusRequestTimeout:
		e.Class = followup.Retryable
		e.RetryAfter = retryAfter(resp.Header, time.Now())
	default:
		// 4xx other than 429: the request itself is wrong (or the token).
		e.Class = followup.Permanent
	}
	return e
}

// retryAfter reads Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3).
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func snippet(b []byte) string {
	const n = 200
	s := strings.TrimSpace(string(b))
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}
