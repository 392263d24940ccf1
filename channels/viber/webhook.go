package viber

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/signature"
)

// SignatureHeader carries hex HMAC-SHA256 of the raw body keyed with the
// bot's auth token (viber-bot-node message-validator.js).
const SignatureHeader = "X-Viber-Content-Signature"

// Webhook verifies and parses Viber callbacks.
type Webhook struct {
	// No handshake: Viber checks a webhook with a signed POST (event
	// "webhook"), which Parse accepts, not with a GET.
	channels.NoHandshake
	authToken string
}

// NewWebhook returns the webhook of the bot whose auth token signs the callbacks.
func NewWebhook(authToken string) *Webhook { return &Webhook{authToken: authToken} }

var _ channels.Webhook = (*Webhook)(nil)

// Verify checks X-Viber-Content-Signature over the raw body.
func (w *Webhook) Verify(r *http.Request, body []byte) error {
	got, err := hex.DecodeString(strings.TrimSpace(r.Header.Get(SignatureHeader)))
	if err != nil || !signature.Equal(got, w.authToken, body) {
		return channels.ErrSignature
	}
	return nil
}

// Sign is the MAC Viber puts (hex-encoded) in X-Viber-Content-Signature.
func Sign(authToken string, body []byte) []byte { return signature.MAC(authToken, body) }

type callback struct {
	Event        string      `json:"event"`
	Timestamp    int64       `json:"timestamp"` // milliseconds
	MessageToken json.Number `json:"message_token"`
	UserID       string      `json:"user_id"`
	Desc         string      `json:"desc"`
	Sender       *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"sender"`
	Message *struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"message"`
}

// Parse reads one callback. Viber posts one event per request.
func (w *Webhook) Parse(_ *http.Request, body []byte) ([]channels.Event, error) {
	var cb callback
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // message_token is 64-bit
	if err := dec.Decode(&cb); err != nil {
		return nil, fmt.Errorf("viber: parse callback: %w", err)
	}
	if cb.Event == "" {
		return nil, errors.New("viber: callback without event")
	}
	at := time.UnixMilli(cb.Timestamp).UTC()
	token := cb.MessageToken.String()
	dedup := "viber:" + cb.Event + ":" + token
	switch cb.Event {
	case "message":
		if cb.Sender == nil || cb.Sender.ID == "" || cb.Message == nil || token == "" {
			return nil, errors.New("viber: message callback without sender, message or message_token")
		}
		// Any message type opens a session (help.viber.com "Bot commercial
		// model"); only text carries text.
		return []channels.Event{{
			Channel: followup.Viber, Kind: channels.Message,
			ExternalID: cb.Sender.ID, Name: cb.Sender.Name, Text: cb.Message.Text,
			At: at, ProviderMessageID: token, DedupKey: dedup,
		}}, nil
	case "delivered", "seen", "failed":
		if cb.UserID == "" || token == "" {
			return nil, fmt.Errorf("viber: %s callback without user_id or message_token", cb.Event)
		}
		e := channels.Event{Channel: followup.Viber, Kind: channels.Status, ExternalID: cb.UserID,
			At: at, ProviderMessageID: token, DedupKey: dedup}
		switch cb.Event {
		case "delivered":
			e.Status = followup.StatusDelivered
		case "seen":
			e.Status = followup.StatusRead
		default:
			e.Status = followup.StatusFailed
			msg := cb.Desc
			if msg == "" {
				msg = "Viber could not deliver the message"
			}
			// Viber's failed callback carries only a free-text desc, no code;
			// it is final for that message.
			e.Err = &followup.SendError{Class: followup.Permanent, Code: "failed", Message: msg}
		}
		return []channels.Event{e}, nil
	}
	if cb.Event == "unsubscribed" {
		// Viber: after unsubscribing the user gets nothing from the bot
		// (sends fail with status 6) until they write again.
		if cb.UserID == "" {
			return nil, errors.New("viber: unsubscribed callback without user_id")
		}
		return []channels.Event{{Channel: followup.Viber, Kind: channels.Unsubscribed, ExternalID: cb.UserID, At: at, DedupKey: dedup}}, nil
	}
	// webhook (set-up check), subscribed, conversation_started, and
	// anything newer: nothing the product records.
	return nil, nil
}
