package meta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
)

// Messenger Platform webhooks (Messenger and Instagram messaging) share one
// shape: {"object":…,"entry":[{"id","time","messaging":[…]}]}. These types
// are that shape; each product decides which events it turns into what.

// MessagingPayload is a Messenger Platform webhook body.
type MessagingPayload struct {
	Object string           `json:"object"`
	Entry  []MessagingEntry `json:"entry"`
}

// MessagingEntry is one page's (or Instagram account's) batch of events.
type MessagingEntry struct {
	ID        string           `json:"id"`
	Time      int64            `json:"time"`
	Messaging []MessagingEvent `json:"messaging"`
}

// MessagingEvent is one entry of "messaging"; exactly one of Message,
// Delivery, Read, Postback is set for the events we read.
type MessagingEvent struct {
	Sender    Party     `json:"sender"`
	Recipient Party     `json:"recipient"`
	Timestamp int64     `json:"timestamp"`
	Message   *Message  `json:"message,omitempty"`
	Delivery  *Delivery `json:"delivery,omitempty"`
	Read      *Read     `json:"read,omitempty"`
	Postback  *Postback `json:"postback,omitempty"`
}

// Party is a sender or recipient (PSID, IGSID or page/account id).
type Party struct {
	ID string `json:"id"`
}

// Message is an inbound message or, with IsEcho, a copy of one we sent.
type Message struct {
	Mid      string `json:"mid"`
	Text     string `json:"text,omitempty"`
	IsEcho   bool   `json:"is_echo,omitempty"`
	Metadata string `json:"metadata,omitempty"`
}

// Delivery says messages were delivered: the listed mids, and everything
// sent before Watermark (ms).
type Delivery struct {
	Mids      []string `json:"mids,omitempty"`
	Watermark int64    `json:"watermark"`
}

// Read says messages were read: Messenger gives a Watermark (everything
// before it), Instagram's messaging_seen gives the Mid.
type Read struct {
	Watermark int64  `json:"watermark,omitempty"`
	Mid       string `json:"mid,omitempty"`
}

// Postback is a button tap; Messenger counts it as the user's interaction.
type Postback struct {
	Mid     string `json:"mid,omitempty"`
	Title   string `json:"title,omitempty"`
	Payload string `json:"payload,omitempty"`
}

// MessagingRequest is the body of a Send API request (Messenger and
// Instagram).
type MessagingRequest struct {
	Recipient Party `json:"recipient"`
	// MessagingType is RESPONSE, UPDATE or MESSAGE_TAG; Instagram takes
	// none for a plain reply.
	MessagingType string      `json:"messaging_type,omitempty"`
	Tag           string      `json:"tag,omitempty"`
	Message       SendMessage `json:"message"`
}

// SendMessage is the message of a Send API request.
type SendMessage struct {
	Text string `json:"text"`
	// Metadata is echoed in Messenger's message_echoes; the Send API has
	// no idempotency key, so ours travels here to trace retries.
	Metadata string `json:"metadata,omitempty"`
}

// Message sends a Send API request; the id returned is its message_id.
func (c *Client) Message(ctx context.Context, req MessagingRequest, own Classifier) (channels.Sent, error) {
	body, err := c.Post(ctx, req, own)
	if err != nil {
		return channels.Sent{}, err
	}
	var out struct {
		RecipientID string `json:"recipient_id"`
		MessageID   string `json:"message_id"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.MessageID == "" {
		return channels.Sent{}, fmt.Errorf("%s: accepted without a message id: %.200s", c.name, body)
	}
	return channels.Sent{ProviderID: out.MessageID}, nil
}

// MessagingProduct names a Messenger Platform product's webhooks.
type MessagingProduct struct {
	Channel followup.Channel
	// Object is the payload's "object": "page" or "instagram".
	Object string
	// Watermarks: deliveries and reads carry a watermark, "all messages
	// sent before this time" (Messenger). Otherwise a read
	// (messaging_seen) names the mid it read and there are no deliveries
	// (Instagram).
	Watermarks bool
}

// MessagingWebhook verifies and reads one product's Messenger Platform
// webhooks for one Meta app. Messenger and Instagram send the same
// shape; they differ in names and in how they report reads.
type MessagingWebhook struct {
	App
	product MessagingProduct
}

// NewMessagingWebhook returns the product's webhook of the app whose
// secret signs the events and whose verify token answers the
// subscription handshake.
func NewMessagingWebhook(p MessagingProduct, appSecret, verifyToken string) (*MessagingWebhook, error) {
	app, err := NewApp(string(p.Channel), appSecret, verifyToken)
	if err != nil {
		return nil, err
	}
	return &MessagingWebhook{App: app, product: p}, nil
}

var _ channels.Webhook = (*MessagingWebhook)(nil)

// Parse reads messages and postbacks (the customer interacted: the window
// restarts), and reads and deliveries as the product reports them. Echoes
// of our own sends and other events are skipped. With watermarks a
// delivery names its mids when Meta sends them, one event each; a
// delivery without mids and every read carry only the watermark, so
// their event has no ProviderMessageID and At is the watermark.
func (h *MessagingWebhook) Parse(_ *http.Request, body []byte) ([]channels.Event, error) {
	name, object := string(h.product.Channel), h.product.Object
	var p MessagingPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("%s webhook: %w", name, err)
	}
	if p.Object != object {
		return nil, fmt.Errorf("%s webhook: object %q is not %s", name, p.Object, object)
	}
	var events []channels.Event
	for _, entry := range p.Entry {
		for _, m := range entry.Messaging {
			e, err := h.events(m)
			if err != nil {
				return nil, err
			}
			events = append(events, e...)
		}
	}
	return events, nil
}

func (h *MessagingWebhook) events(m MessagingEvent) ([]channels.Event, error) {
	name, user := string(h.product.Channel), m.Sender.ID
	event := func(kind channels.EventKind, at int64, mid string, key ...string) channels.Event {
		return channels.Event{Channel: h.product.Channel, Kind: kind, ExternalID: user, At: Millis(at),
			ProviderMessageID: mid, DedupKey: name + ":" + strings.Join(key, ":")}
	}
	switch {
	case m.Message != nil:
		if m.Message.IsEcho {
			return nil, nil
		}
		if m.Message.Mid == "" || user == "" {
			return nil, errors.New(name + " webhook: message without mid or sender")
		}
		e := event(channels.Message, m.Timestamp, m.Message.Mid, "message", m.Message.Mid)
		e.Text = m.Message.Text
		return []channels.Event{e}, nil
	case m.Postback != nil:
		if user == "" {
			return nil, errors.New(name + " webhook: postback without sender")
		}
		key := []string{"postback", m.Postback.Mid}
		if m.Postback.Mid == "" {
			key = []string{"postback", user, strconv.FormatInt(m.Timestamp, 10)}
		}
		e := event(channels.Message, m.Timestamp, m.Postback.Mid, key...)
		e.Text = m.Postback.Title
		return []channels.Event{e}, nil
	case m.Delivery != nil && h.product.Watermarks:
		var events []channels.Event
		for _, mid := range m.Delivery.Mids {
			e := event(channels.Status, m.Delivery.Watermark, mid, string(followup.StatusDelivered), mid)
			e.Status = followup.StatusDelivered
			events = append(events, e)
		}
		if len(m.Delivery.Mids) == 0 {
			events = append(events, h.watermark(user, followup.StatusDelivered, m.Delivery.Watermark))
		}
		return events, nil
	case m.Read != nil && h.product.Watermarks:
		return []channels.Event{h.watermark(user, followup.StatusRead, m.Read.Watermark)}, nil
	case m.Read != nil && m.Read.Mid != "":
		e := event(channels.Status, m.Timestamp, m.Read.Mid, string(followup.StatusRead), m.Read.Mid)
		e.Status = followup.StatusRead
		return []channels.Event{e}, nil
	}
	return nil, nil
}

func (h *MessagingWebhook) watermark(user string, status followup.MessageStatus, ms int64) channels.Event {
	return channels.Event{
		Channel: h.product.Channel, Kind: channels.Status, ExternalID: user, At: Millis(ms), Status: status,
		DedupKey: string(h.product.Channel) + ":" + string(status) + ":" + user + ":" + strconv.FormatInt(ms, 10),
	}
}
