package messenger

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/meta"
)

// Webhook verifies and reads Messenger webhooks for one Meta app.
type Webhook struct {
	appSecret   string
	verifyToken string
}

// NewWebhook returns the webhook of the app whose secret signs the events
// and whose verify token answers the subscription handshake.
func NewWebhook(appSecret, verifyToken string) (*Webhook, error) {
	switch {
	case appSecret == "":
		return nil, errors.New("messenger: missing app secret")
	case verifyToken == "":
		return nil, errors.New("messenger: missing webhook verify token")
	}
	return &Webhook{appSecret: appSecret, verifyToken: verifyToken}, nil
}

var _ channels.Webhook = (*Webhook)(nil)

// Handshake answers Meta's hub.challenge subscription check.
func (h *Webhook) Handshake(w http.ResponseWriter, r *http.Request) bool {
	return meta.Handshake(w, r, h.verifyToken)
}

// Verify checks X-Hub-Signature-256 over the raw body.
func (h *Webhook) Verify(r *http.Request, body []byte) error {
	return meta.Verify(h.appSecret, r, body)
}

// Parse reads messages and postbacks (any interaction restarts Messenger's
// window), deliveries and reads. Echoes of our own sends and other events
// are skipped. A delivery names its mids when Meta sends them, one event
// each; a delivery without mids and every read carry only a watermark
// ("all messages sent before this time"), so their event has no
// ProviderMessageID and At is the watermark.
func (h *Webhook) Parse(_ *http.Request, body []byte) ([]channels.Event, error) {
	var p meta.MessagingPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("messenger webhook: %w", err)
	}
	if p.Object != "page" {
		return nil, fmt.Errorf("messenger webhook: object %q is not page", p.Object)
	}
	var events []channels.Event
	for _, entry := range p.Entry {
		for _, m := range entry.Messaging {
			user := m.Sender.ID
			switch {
			case m.Message != nil:
				if m.Message.IsEcho {
					continue
				}
				if m.Message.Mid == "" || user == "" {
					return nil, errors.New("messenger webhook: message without mid or sender")
				}
				events = append(events, channels.Event{
					Channel: followup.Messenger, Kind: channels.Message, ExternalID: user,
					Text: m.Message.Text, At: meta.Millis(m.Timestamp),
					ProviderMessageID: m.Message.Mid, DedupKey: "messenger:message:" + m.Message.Mid,
				})
			case m.Postback != nil:
				if user == "" {
					return nil, errors.New("messenger webhook: postback without sender")
				}
				key := "messenger:postback:" + m.Postback.Mid
				if m.Postback.Mid == "" {
					key = "messenger:postback:" + user + ":" + strconv.FormatInt(m.Timestamp, 10)
				}
				events = append(events, channels.Event{
					Channel: followup.Messenger, Kind: channels.Message, ExternalID: user,
					Text: m.Postback.Title, At: meta.Millis(m.Timestamp),
					ProviderMessageID: m.Postback.Mid, DedupKey: key,
				})
			case m.Delivery != nil:
				at := meta.Millis(m.Delivery.Watermark)
				for _, mid := range m.Delivery.Mids {
					events = append(events, channels.Event{
						Channel: followup.Messenger, Kind: channels.Status, ExternalID: user,
						At: at, ProviderMessageID: mid, Status: followup.StatusDelivered,
						DedupKey: "messenger:delivered:" + mid,
					})
				}
				if len(m.Delivery.Mids) == 0 {
					events = append(events, watermark(user, followup.StatusDelivered, m.Delivery.Watermark))
				}
			case m.Read != nil:
				events = append(events, watermark(user, followup.StatusRead, m.Read.Watermark))
			}
		}
	}
	return events, nil
}

func watermark(user string, status followup.MessageStatus, ms int64) channels.Event {
	return channels.Event{
		Channel: followup.Messenger, Kind: channels.Status, ExternalID: user,
		At: meta.Millis(ms), Status: status,
		DedupKey: "messenger:" + string(status) + ":" + user + ":" + strconv.FormatInt(ms, 10),
	}
}
