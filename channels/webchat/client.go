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

// maxResponse bounds what we read of the delivery service's answers.
const maxResponse = 64 << 10

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
type Client struct {
	base  string
	token string
	hc    *http.Client
	now   func() time.Time
}

// New checks cfg; hc nil means a client with a 30 s timeout.
func New(cfg Config, hc *http.Client) (*Client, error) {
	if cfg.BaseURL == "" {
		return nil, errors.New("webchat: missing BaseURL of the delivery service")
	}
	if cfg.Token == "" {
		return nil, errors.New("webchat: missing Token (delivery service bearer token)")
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Client{base: strings.TrimRight(cfg.BaseURL, "/"), token: cfg.Token, hc: hc, now: time.Now}, nil
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
		return channels.Sent{}, &followup.SendError{Class: followup.Permanent, Code: "unsupported_mode", Message: "website chat sends free text only, not " + string(m.Mode)}
	}
	if !ValidVisitorID(m.To) {
		return channels.Sent{}, &followup.SendError{Class: followup.Permanent, Code: "invalid_recipient", Message: fmt.Sprintf("%q is not a website-chat visitor id", m.To)}
	}
	body, err := json.Marshal(OutboundMessage{VisitorID: m.To, Text: m.Text})
	if err != nil {
		return channels.Sent{}, fmt.Errorf("webchat: encode message: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v1/messages", bytes.NewReader(body))
	if err != nil {
		return channels.Sent{}, fmt.Errorf("webchat: build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if m.IdempotencyKey != "" {
		req.Header.Set("Idempotency-Key", m.IdempotencyKey)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return channels.Sent{}, fmt.Errorf("webchat: send to visitor: %w", err) // retried
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return channels.Sent{}, fmt.Errorf("webchat: read response: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		return channels.Sent{}, c.classify(resp, raw)
	}
	var d Delivered
	if err := json.Unmarshal(raw, &d); err != nil || d.ID == "" {
		return channels.Sent{}, fmt.Errorf("webchat: unexpected answer %d %q", resp.StatusCode, snippet(raw))
	}
	return channels.Sent{ProviderID: d.ID}, nil
}

// classify maps the delivery service's refusal: 410 means the visitor id
// is gone (expired or erased), so the follow-up stops; 429 and 5xx are
// retried, honouring Retry-After; anything else is our request's fault.
func (c *Client) classify(resp *http.Response, raw []byte) *followup.SendError {
	var eb ErrorBody
	_ = json.Unmarshal(raw, &eb)
	se := &followup.SendError{Code: eb.Error.Code, Message: eb.Error.Message}
	if se.Code == "" {
		se.Code = strconv.Itoa(resp.StatusCode)
	}
	if se.Message == "" {
		se.Message = fmt.Sprintf("webchat delivery service answered %s: %s", resp.Status, snippet(raw))
	}
	switch {
	case resp.StatusCode == http.StatusGone:
		se.Class = followup.RecipientGone
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		se.Class = followup.Retryable
		se.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), c.now())
	default:
		se.Class = followup.Permanent
	}
	return se
}

// retryAfter reads Retry-After as seconds or an HTTP date (RFC 9110
// §10.2.3).
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func snippet(b []byte) string {
	if len(b) > 200 {
		b = b[:200]
	}
	return string(b)
}
