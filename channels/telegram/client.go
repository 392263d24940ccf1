// Package telegram sends follow-ups through the Telegram Bot API and reads
// its webhook updates (channels.md §6.1).
package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/provider"
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
type Client provider.Keyed

// New checks cfg and returns a client using hc (http.DefaultClient when nil).
func New(cfg Config, hc *http.Client) (*Client, error) {
	k, err := provider.NewKeyed("telegram", "bot token", cfg.Token, cfg.BaseURL, DefaultBaseURL, hc)
	return (*Client)(k), err
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
	if se := provider.FreeText(m, "Telegram", "Telegram chat id", "Telegram refuses an empty message"); se != nil {
		return channels.Sent{}, se
	}
	a, err := c.Do(ctx, provider.Request{URL: "/bot" + c.Token + "/sendMessage",
		JSON: sendMessageRequest{ChatID: m.To, Text: m.Text}, Limit: maxResponse})
	if err != nil {
		// The URL holds the token; never let it reach a log.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return channels.Sent{}, fmt.Errorf("telegram: sendMessage: %w", err)
	}
	var env envelope
	if jerr := json.Unmarshal(a.Body, &env); jerr != nil || (!env.OK && env.ErrorCode == 0) {
		return channels.Sent{}, httpError(a)
	}
	if !env.OK {
		return channels.Sent{}, classify(env, a)
	}
	var msg sentMessage
	if err := json.Unmarshal(env.Result, &msg); err != nil || msg.MessageID == 0 {
		return channels.Sent{}, fmt.Errorf("telegram: sendMessage answered ok without a message: %s", provider.Snippet(a.Body))
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
func classify(env envelope, a provider.Answer) *followup.SendError {
	se := a.Refused(class(env.ErrorCode), strconv.Itoa(env.ErrorCode), env.Description)
	if env.ErrorCode == http.StatusTooManyRequests && env.Parameters != nil && env.Parameters.RetryAfter > 0 {
		se.RetryAfter = time.Duration(env.Parameters.RetryAfter) * time.Second
	}
	return se
}

// httpError classifies an answer that is not a Bot API envelope (a proxy's
// HTML 502, an empty 429).
func httpError(a provider.Answer) *followup.SendError {
	return a.Refused(class(a.StatusCode), strconv.Itoa(a.StatusCode), "Telegram answered "+a.Status)
}

func class(code int) followup.SendErrorClass {
	switch {
	case code == http.StatusTooManyRequests, code >= 500:
		return followup.Retryable
	case code == http.StatusForbidden:
		// "bot was blocked by the user", "user is deactivated", "bot can't
		// initiate conversation with a user": the bot cannot reach this
		// person until they (re)start it.
		return followup.RecipientGone
	}
	// 400 "chat not found", 401 bad token, 404 unknown method or token.
	return followup.Permanent
}
