package line

import (
	"encoding/base64"
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

// SignatureHeader carries base64(HMAC-SHA256(channel secret, raw body)).
const SignatureHeader = "X-Line-Signature"

// Webhook verifies and parses the events LINE posts to the channel's webhook URL.
type Webhook struct {
	// No handshake: LINE's "Verify" button posts an ordinary signed request
	// with an empty events array, which Parse accepts.
	channels.NoHandshake
	secret string
}

// NewWebhook returns a webhook keyed by the Messaging API channel secret.
func NewWebhook(channelSecret string) (*Webhook, error) {
	if err := channels.Missing("line", "channel secret", channelSecret); err != nil {
		return nil, err
	}
	return &Webhook{secret: channelSecret}, nil
}

// Sign returns the x-line-signature LINE sends for body.
func Sign(channelSecret string, body []byte) string {
	return base64.StdEncoding.EncodeToString(signature.MAC(channelSecret, body))
}

// Verify checks x-line-signature over the raw body, as the official SDK's
// ValidateSignature does (base64-decode, HMAC-SHA256, hmac.Equal).
func (w *Webhook) Verify(r *http.Request, body []byte) error {
	got, err := signature.Base64(r, SignatureHeader)
	if err != nil {
		return err
	}
	if !signature.Equal(got, w.secret, body) {
		return fmt.Errorf("%w: %s does not match the body", channels.ErrSignature, SignatureHeader)
	}
	return nil
}

// Payload is a webhook request body.
type Payload struct {
	Destination string            `json:"destination"`
	Events      []json.RawMessage `json:"events"`
}

// WebhookEvent is the part of a webhook event the product reads.
type WebhookEvent struct {
	Type           string `json:"type"`
	Mode           string `json:"mode,omitempty"`
	Timestamp      int64  `json:"timestamp"`
	WebhookEventID string `json:"webhookEventId"`
	ReplyToken     string `json:"replyToken,omitempty"`
	Source         struct {
		Type    string `json:"type"`
		UserID  string `json:"userId,omitempty"`
		GroupID string `json:"groupId,omitempty"`
		RoomID  string `json:"roomId,omitempty"`
	} `json:"source"`
	DeliveryContext struct {
		IsRedelivery bool `json:"isRedelivery"`
	} `json:"deliveryContext"`
	Message *struct {
		ID   string `json:"id"`
		Type string `json:"type"`
		Text string `json:"text,omitempty"`
	} `json:"message,omitempty"`
}

// Parse reads the events of one webhook request. Messages a user sent the
// account one-to-one become Message events (non-text ones as "[sticker]"
// and the like, since any reply matters to the follow-up); follows,
// unfollows, postbacks, group and room messages, and events of unknown
// types are skipped. LINE sends no delivery statuses for push messages.
// A redelivered event (deliveryContext.isRedelivery) keeps its
// webhookEventId, which is the DedupKey.
func (*Webhook) Parse(_ *http.Request, body []byte) ([]channels.Event, error) {
	var p Payload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("line: read webhook: %w", err)
	}
	if p.Events == nil {
		return nil, errors.New("line: webhook without events")
	}
	var out []channels.Event
	for i, raw := range p.Events {
		var ev WebhookEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, fmt.Errorf("line: read event %d: %w", i, err)
		}
		// Standby mode: another channel (module) answers; the event is not ours to act on.
		if ev.Type != "message" || ev.Message == nil || ev.Source.Type != "user" || ev.Source.UserID == "" || ev.Mode == "standby" {
			continue
		}
		text := ev.Message.Text
		if ev.Message.Type != "text" || text == "" {
			text = "[" + strings.TrimSpace(ev.Message.Type) + "]"
		}
		key := ev.WebhookEventID
		if key == "" {
			key = "message:" + ev.Message.ID
		}
		e := channels.Event{
			Channel:           followup.LINE,
			Kind:              channels.Message,
			ExternalID:        ev.Source.UserID,
			Text:              text,
			ProviderMessageID: ev.Message.ID,
			DedupKey:          key,
		}
		if ev.Timestamp > 0 {
			e.At = time.UnixMilli(ev.Timestamp).UTC()
		}
		out = append(out, e)
	}
	return out, nil
}
