// Package line sends follow-ups through the LINE Messaging API push
// endpoint and reads its webhooks (channels.md §6.2).
package line

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/provider"
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

// Config is what the client needs to push as one LINE Official Account.
type Config struct {
	// BaseURL is the API root; empty means DefaultBaseURL.
	BaseURL string
	// ChannelAccessToken is the Messaging API channel's access token.
	ChannelAccessToken string
}

// Client pushes text messages to LINE users.
type Client provider.Keyed

// New checks cfg and returns a client using hc (http.DefaultClient when nil).
func New(cfg Config, hc *http.Client) (*Client, error) {
	k, err := provider.NewKeyed("line", "channel access token", cfg.ChannelAccessToken, cfg.BaseURL, DefaultBaseURL, hc)
	return (*Client)(k), err
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
	if se := provider.FreeText(m, "LINE", "LINE user id", "LINE refuses an empty message"); se != nil {
		return channels.Sent{}, se
	}
	h := provider.Bearer(c.Token)
	if m.IdempotencyKey != "" {
		h.Set(RetryKeyHeader, RetryKey(m.IdempotencyKey))
	}
	a, err := c.Do(ctx, provider.Request{URL: "/v2/bot/message/push", Header: h,
		JSON: PushRequest{To: m.To, Messages: []TextMessage{{Type: "text", Text: m.Text}}}})
	if err != nil {
		return channels.Sent{}, fmt.Errorf("line: push: %w", err)
	}
	if a.StatusCode == http.StatusOK {
		var ok struct {
			SentMessages []SentMessage `json:"sentMessages"`
		}
		if err := json.Unmarshal(a.Body, &ok); err != nil || len(ok.SentMessages) == 0 || ok.SentMessages[0].ID == "" {
			return channels.Sent{}, fmt.Errorf("line: push answered 200 without sentMessages: %.200s", a.Body)
		}
		return channels.Sent{ProviderID: ok.SentMessages[0].ID}, nil
	}
	var e ErrorResponse
	_ = json.Unmarshal(a.Body, &e)
	if a.StatusCode == http.StatusConflict {
		if accepted := a.Header.Get(AcceptedRequestIDHeader); accepted != "" {
			// LINE's retry-key rule: the first request was accepted; this
			// retry is the same message, not a failure.
			if len(e.SentMessages) > 0 && e.SentMessages[0].ID != "" {
				return channels.Sent{ProviderID: e.SentMessages[0].ID}, nil
			}
			return channels.Sent{ProviderID: "request:" + accepted}, nil
		}
	}
	return channels.Sent{}, classify(a, e)
}

// classify maps a LINE error answer to its class. LINE has no error codes:
// the HTTP status is the code and the message tells 429s apart.
func classify(a provider.Answer, e ErrorResponse) *followup.SendError {
	msg := e.Message
	if msg == "" {
		msg = "LINE answered " + a.Status
	}
	for _, d := range e.Details {
		msg += "; " + strings.TrimSpace(d.Property+" "+d.Message)
	}
	class := followup.Permanent
	switch {
	case a.StatusCode == http.StatusTooManyRequests && e.Message == MonthlyLimitMessage:
		// channels.md §6.2 / PRODUCT.md: push is over the plan's monthly
		// allowance; nothing more goes out on LINE this month, so it is
		// handled like a closed window (fall back), not retried.
		class = followup.WindowClosed
	case a.Busy():
		class = followup.Retryable
	}
	// Otherwise 400 "Failed to send messages" (no such user) or a bad
	// request, 401 bad token, 403 plan/permission, 409 without an
	// accepted id: permanent.
	return a.Refused(class, strconv.Itoa(a.StatusCode), msg)
}
