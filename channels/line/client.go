// Package line sends follow-ups through the LINE Messaging API push
// endpoint and reads its webhooks (channels.md §6.2).
package line

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
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

// DefaultBaseURL is the Messaging API; the client posts to {BaseURL}/v2/bot/message/push.
const DefaultBaseURL = "https://api.line.me"

// Header names the push API reads and answers.
const (
	// RetryKeyHeader makes a push idempotent: LINE executes a request once
	// per key and answers 409 to a retry of an accepted one.
	RetryKeyHeader = "X-Line-Retry-Key"
	// AcceptedRequestIDHeader names the accepted request on such a 409.
	AcceptedRequestIDHeader = "X-Line-Accepted-Request-Id"
	// RequestIDHeader identifies every answered request.
	RequestIDHeader = "X-Line-Request-Id"
)

// MonthlyLimitMessage is LINE's 429 message when the plan's monthly message
// allowance (or additional-message cap) is used up; a rate-limit 429 says
// "The API rate limit has been exceeded. Try again later." instead.
const MonthlyLimitMessage = "You have reached your monthly limit."

// maxResponse bounds how much of an answer the client reads.
const maxResponse = 64 << 10

// Config is what the client needs to push as one LINE Official Account.
type Config struct {
	// BaseURL is the API root; empty means DefaultBaseURL.
	BaseURL string
	// ChannelAccessToken is the Messaging API channel's access token.
	ChannelAccessToken string
}

// Client pushes text messages to LINE users.
type Client struct {
	base  string
	token string
	hc    *http.Client
}

// New checks cfg and returns a client using hc (http.DefaultClient when nil).
func New(cfg Config, hc *http.Client) (*Client, error) {
	if cfg.ChannelAccessToken == "" {
		return nil, errors.New("line: missing channel access token")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{base: strings.TrimRight(cfg.BaseURL, "/"), token: cfg.ChannelAccessToken, hc: hc}, nil
}

// TextMessage is a LINE text message object.
type TextMessage struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// PushRequest is the body of POST /v2/bot/message/push.
type PushRequest struct {
	To                   string        `json:"to"`
	Messages             []TextMessage `json:"messages"`
	NotificationDisabled bool          `json:"notificationDisabled"`
}

// SentMessage is one accepted message in a push answer.
type SentMessage struct {
	ID         string `json:"id"`
	QuoteToken string `json:"quoteToken,omitempty"`
}

// ErrorResponse is LINE's error body; a 409 for an already accepted retry
// key also lists the messages that request sent.
type ErrorResponse struct {
	Message string `json:"message"`
	Details []struct {
		Message  string `json:"message"`
		Property string `json:"property"`
	} `json:"details,omitempty"`
	SentMessages []SentMessage `json:"sentMessages,omitempty"`
}

// RetryKey is the X-Line-Retry-Key for an idempotency key: a name-based
// UUID (version 5 layout), so every retry of one message carries the same
// key and LINE sends it once. LINE requires a hexadecimal UUID.
func RetryKey(idempotencyKey string) string {
	h := sha1.New()
	h.Write([]byte("followup/line-retry-key\x00"))
	h.Write([]byte(idempotencyKey))
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	x := hex.EncodeToString(u)
	return x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}

// Send pushes m as one text message. LINE has no messaging window, only a
// monthly message allowance, and no templates here, so only free text is
// accepted. The idempotency key becomes X-Line-Retry-Key; a 409 naming the
// accepted request means an earlier attempt was accepted, which is success.
func (c *Client) Send(ctx context.Context, m channels.Outbound) (channels.Sent, error) {
	switch {
	case m.To == "":
		return channels.Sent{}, &followup.SendError{Class: followup.Permanent, Code: "no_recipient", Message: "the contact has no LINE user id"}
	case m.Mode != followup.ModeFreeText && m.Mode != "":
		return channels.Sent{}, &followup.SendError{Class: followup.Permanent, Code: "unsupported_mode", Message: fmt.Sprintf("LINE sends free text only, not %s", m.Mode)}
	case m.Text == "":
		return channels.Sent{}, &followup.SendError{Class: followup.Permanent, Code: "empty_text", Message: "LINE refuses an empty message"}
	}
	body, err := json.Marshal(PushRequest{To: m.To, Messages: []TextMessage{{Type: "text", Text: m.Text}}})
	if err != nil {
		return channels.Sent{}, fmt.Errorf("line: encode push: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v2/bot/message/push", bytes.NewReader(body))
	if err != nil {
		return channels.Sent{}, fmt.Errorf("line: build push: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	if m.IdempotencyKey != "" {
		req.Header.Set(RetryKeyHeader, RetryKey(m.IdempotencyKey))
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return channels.Sent{}, fmt.Errorf("line: push: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return channels.Sent{}, fmt.Errorf("line: read push answer: %w", err)
	}
	if resp.StatusCode == http.StatusOK {
		var ok struct {
			SentMessages []SentMessage `json:"sentMessages"`
		}
		if err := json.Unmarshal(raw, &ok); err != nil || len(ok.SentMessages) == 0 || ok.SentMessages[0].ID == "" {
			return channels.Sent{}, fmt.Errorf("line: push answered 200 without sentMessages: %.200s", raw)
		}
		return channels.Sent{ProviderID: ok.SentMessages[0].ID}, nil
	}
	var e ErrorResponse
	_ = json.Unmarshal(raw, &e)
	if resp.StatusCode == http.StatusConflict {
		if accepted := resp.Header.Get(AcceptedRequestIDHeader); accepted != "" {
			// LINE's retry-key rule: the first request was accepted; this
			// retry is the same message, not a failure.
			if len(e.SentMessages) > 0 && e.SentMessages[0].ID != "" {
				return channels.Sent{ProviderID: e.SentMessages[0].ID}, nil
			}
			return channels.Sent{ProviderID: "request:" + accepted}, nil
		}
	}
	return channels.Sent{}, classify(resp, e)
}

// classify maps a LINE error answer to its class. LINE has no error codes:
// the HTTP status is the code and the message tells 429s apart.
func classify(resp *http.Response, e ErrorResponse) *followup.SendError {
	msg := e.Message
	if msg == "" {
		msg = "LINE answered " + resp.Status
	}
	for _, d := range e.Details {
		msg += "; " + strings.TrimSpace(d.Property+" "+d.Message)
	}
	se := &followup.SendError{Code: strconv.Itoa(resp.StatusCode), Message: msg}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests && e.Message == MonthlyLimitMessage:
		// channels.md §6.2 / PRODUCT.md: push is over the plan's monthly
		// allowance; nothing more goes out on LINE this month, so it is
		// handled like a closed window (fall back), not retried.
		se.Class = followup.WindowClosed
	case resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 500:
		se.Class = followup.Retryable
		se.RetryAfter = retryAfter(resp.Header)
	default:
		// 400 "Failed to send messages" (no such user) or a bad request,
		// 401 bad token, 403 plan/permission, 409 without an accepted id.
		se.Class = followup.Permanent
	}
	return se
}

// retryAfter reads a Retry-After header in seconds or as an HTTP date.
func retryAfter(h http.Header) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}
