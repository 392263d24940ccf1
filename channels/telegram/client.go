// Package telegram sends follow-ups through the Telegram Bot API and reads
// its webhook updates (channels.md §6.1).
package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
)

// DefaultBaseURL is the Bot API; the client posts to {BaseURL}/bot<token>/sendMessage.
const DefaultBaseURL = "https://api.telegram.org"

// maxResponse bounds how much of an answer the client reads: a sendMessage
// result is one Message object, a few kilobytes at most.
const maxResponse = 256 << 10

// Config is what the client needs to send as one bot.
type Config struct {
	// BaseURL is the API root; empty means DefaultBaseURL.
	BaseURL string
	// Token is the bot token BotFather issued ("123456:ABC-DEF…").
	Token string
}

// Client sends text messages to chats that started the bot.
type Client struct {
	base  string
	token string
	hc    *http.Client
}

// New checks cfg and returns a client using hc (http.DefaultClient when nil).
func New(cfg Config, hc *http.Client) (*Client, error) {
	if cfg.Token == "" {
		return nil, errors.New("telegram: missing bot token")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{base: strings.TrimRight(cfg.BaseURL, "/"), token: cfg.Token, hc: hc}, nil
}

// sendMessageRequest is the JSON body of sendMessage.
type sendMessageRequest struct {
	ChatID string `json:"chat_id"`
	Text   string `json:"text"`
}

// envelope is every Bot API answer: ok with a result, or not ok with
// error_code (equal to the HTTP status), description and, for 429,
// parameters.retry_after in seconds.
type envelope struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  *struct {
		RetryAfter      int   `json:"retry_after"`
		MigrateToChatID int64 `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

type sentMessage struct {
	MessageID int64 `json:"message_id"`
	Chat      struct {
		ID int64 `json:"id"`
	} `json:"chat"`
}

// Send posts m as a text message. Telegram has no messaging window (a bot
// may write any time after the user started it) and no templates, so only
// free text is accepted. The Bot API has no idempotency key or opaque
// field, so a retry after a lost answer can deliver twice; the activity's
// own idempotency record keeps that to the rare lost-response case.
func (c *Client) Send(ctx context.Context, m channels.Outbound) (channels.Sent, error) {
	switch {
	case m.To == "":
		return channels.Sent{}, &followup.SendError{Class: followup.Permanent, Code: "no_recipient", Message: "the contact has no Telegram chat id"}
	case m.Mode != followup.ModeFreeText && m.Mode != "":
		return channels.Sent{}, &followup.SendError{Class: followup.Permanent, Code: "unsupported_mode", Message: fmt.Sprintf("Telegram sends free text only, not %s", m.Mode)}
	case m.Text == "":
		return channels.Sent{}, &followup.SendError{Class: followup.Permanent, Code: "empty_text", Message: "Telegram refuses an empty message"}
	}
	body, err := json.Marshal(sendMessageRequest{ChatID: m.To, Text: m.Text})
	if err != nil {
		return channels.Sent{}, fmt.Errorf("telegram: encode sendMessage: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/bot"+c.token+"/sendMessage", bytes.NewReader(body))
	if err != nil {
		return channels.Sent{}, fmt.Errorf("telegram: build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		// The URL holds the token; never let it reach a log.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			return channels.Sent{}, fmt.Errorf("telegram: sendMessage: %w", uerr.Err)
		}
		return channels.Sent{}, fmt.Errorf("telegram: sendMessage: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return channels.Sent{}, fmt.Errorf("telegram: read sendMessage answer: %w", err)
	}
	var env envelope
	if jerr := json.Unmarshal(raw, &env); jerr != nil || (!env.OK && env.ErrorCode == 0) {
		return channels.Sent{}, httpError(resp)
	}
	if !env.OK {
		return channels.Sent{}, classify(env, resp.Header)
	}
	var msg sentMessage
	if err := json.Unmarshal(env.Result, &msg); err != nil || msg.MessageID == 0 {
		return channels.Sent{}, fmt.Errorf("telegram: sendMessage answered ok without a message: %s", truncate(raw))
	}
	return channels.Sent{ProviderID: MessageID(msg.Chat.ID, msg.MessageID)}, nil
}

// MessageID is the id the product stores for a Telegram message. Telegram
// numbers messages per chat, so the chat id is part of it.
func MessageID(chatID, messageID int64) string {
	return strconv.FormatInt(chatID, 10) + ":" + strconv.FormatInt(messageID, 10)
}

// classify maps a Bot API error to its class. HTTP status equals
// error_code (channels.md §6.1).
func classify(env envelope, h http.Header) *followup.SendError {
	e := &followup.SendError{Code: strconv.Itoa(env.ErrorCode), Message: env.Description}
	switch {
	case env.ErrorCode == http.StatusTooManyRequests:
		e.Class = followup.Retryable
		if env.Parameters != nil && env.Parameters.RetryAfter > 0 {
			e.RetryAfter = time.Duration(env.Parameters.RetryAfter) * time.Second
		} else {
			e.RetryAfter = retryAfter(h)
		}
	case env.ErrorCode == http.StatusForbidden:
		// "bot was blocked by the user", "user is deactivated", "bot can't
		// initiate conversation with a user": the bot cannot reach this
		// person until they (re)start it.
		e.Class = followup.RecipientGone
	case env.ErrorCode >= 500:
		e.Class = followup.Retryable
	default:
		// 400 "chat not found", 401 bad token, 404 unknown method or token.
		e.Class = followup.Permanent
	}
	return e
}

// httpError classifies an answer that is not a Bot API envelope (a proxy's
// HTML 502, an empty 429).
func httpError(resp *http.Response) error {
	e := &followup.SendError{Code: strconv.Itoa(resp.StatusCode), Message: "Telegram answered " + resp.Status}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		e.Class, e.RetryAfter = followup.Retryable, retryAfter(resp.Header)
	case resp.StatusCode >= 500:
		e.Class = followup.Retryable
	case resp.StatusCode == http.StatusForbidden:
		e.Class = followup.RecipientGone
	default:
		e.Class = followup.Permanent
	}
	return e
}

// retryAfter reads a Retry-After header in seconds.
func retryAfter(h http.Header) time.Duration {
	if n, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After"))); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	return 0
}

func truncate(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}
