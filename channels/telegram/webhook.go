package telegram

import (
	"crypto/hmac"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
)

// SecretHeader carries the secret_token given to setWebhook on every update
// Telegram posts (Bot API, setWebhook).
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// Webhook verifies and parses the updates Telegram posts to the bot's webhook.
type Webhook struct {
	// No handshake: Telegram has no subscription handshake.
	channels.NoHandshake
	secret []byte
}

// NewWebhook returns a webhook checking the secret_token the bot registered
// with setWebhook: Telegram's only proof that a POST comes from Telegram.
func NewWebhook(secret string) (*Webhook, error) {
	if err := channels.Missing("telegram", "webhook secret token", secret); err != nil {
		return nil, err
	}
	return &Webhook{secret: []byte(secret)}, nil
}

// Verify compares the secret token header in constant time.
func (w *Webhook) Verify(r *http.Request, _ []byte) error {
	got := r.Header.Get(SecretHeader)
	if got == "" {
		return fmt.Errorf("%w: no %s header", channels.ErrSignature, SecretHeader)
	}
	if !hmac.Equal([]byte(got), w.secret) {
		return fmt.Errorf("%w: %s does not match", channels.ErrSignature, SecretHeader)
	}
	return nil
}

// Update is the part of a Bot API Update the product reads.
type Update struct {
	UpdateID int64    `json:"update_id"`
	Message  *Message `json:"message,omitempty"`
}

// Message is the part of a Bot API Message the product reads.
type Message struct {
	MessageID int64  `json:"message_id"`
	From      *User  `json:"from,omitempty"`
	Chat      Chat   `json:"chat"`
	Date      int64  `json:"date"`
	Text      string `json:"text,omitempty"`
	Caption   string `json:"caption,omitempty"`
	// Media the customer sent instead of text; only presence matters.
	Photo     json.RawMessage `json:"photo,omitempty"`
	Sticker   json.RawMessage `json:"sticker,omitempty"`
	Document  json.RawMessage `json:"document,omitempty"`
	Video     json.RawMessage `json:"video,omitempty"`
	Voice     json.RawMessage `json:"voice,omitempty"`
	Audio     json.RawMessage `json:"audio,omitempty"`
	Animation json.RawMessage `json:"animation,omitempty"`
	VideoNote json.RawMessage `json:"video_note,omitempty"`
	Location  json.RawMessage `json:"location,omitempty"`
	Contact   json.RawMessage `json:"contact,omitempty"`
}

// body is what the agent sees of a message: its text, a media caption, or
// the kind of media; "" for service messages (joins, pins) that are no reply.
func (m *Message) body() string {
	switch {
	case m.Text != "":
		return m.Text
	case m.Caption != "":
		return m.Caption
	}
	for _, k := range []struct {
		raw  json.RawMessage
		name string
	}{{m.Photo, "photo"}, {m.Sticker, "sticker"}, {m.Document, "document"}, {m.Video, "video"},
		{m.Voice, "voice message"}, {m.Audio, "audio"}, {m.Animation, "animation"},
		{m.VideoNote, "video message"}, {m.Location, "location"}, {m.Contact, "contact"}} {
		if len(k.raw) > 0 && string(k.raw) != "null" {
			return "[" + k.name + "]"
		}
	}
	return ""
}

// User is a Telegram user or bot.
type User struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name,omitempty"`
	Username  string `json:"username,omitempty"`
}

// Chat is the chat a message belongs to; a bot writes to its id.
type Chat struct {
	ID   int64  `json:"id"`
	Type string `json:"type"`
}

// Parse reads one Update (Telegram posts one per request). Only new
// messages from a person become events (media as "[photo]" and the like,
// since any reply matters to the follow-up); edits, callbacks, service
// messages and the like are skipped. The Bot API reports no delivery statuses.
func (*Webhook) Parse(_ *http.Request, body []byte) ([]channels.Event, error) {
	var u Update
	if err := json.Unmarshal(body, &u); err != nil {
		return nil, fmt.Errorf("telegram: read update: %w", err)
	}
	if u.UpdateID == 0 {
		return nil, errors.New("telegram: update without update_id")
	}
	m := u.Message
	if m == nil || m.Chat.ID == 0 || (m.From != nil && m.From.IsBot) {
		return nil, nil
	}
	text := m.body()
	if text == "" {
		return nil, nil
	}
	e := channels.Event{
		Channel:           followup.Telegram,
		Kind:              channels.Message,
		ExternalID:        strconv.FormatInt(m.Chat.ID, 10),
		Text:              text,
		ProviderMessageID: MessageID(m.Chat.ID, m.MessageID),
		// update_id is unique per bot and the same on every redelivery.
		DedupKey: strconv.FormatInt(u.UpdateID, 10),
	}
	if m.Date > 0 {
		e.At = time.Unix(m.Date, 0).UTC()
	}
	if m.From != nil {
		e.Name = strings.TrimSpace(m.From.FirstName + " " + m.From.LastName)
	}
	return []channels.Event{e}, nil
}
