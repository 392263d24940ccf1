package instagram

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

// Webhook verifies and reads Instagram messaging webhooks for one Meta app.
type Webhook struct {
	appSecret   string
	verifyToken string
}

// NewWebhook returns the webhook of the app whose secret signs the events
// and whose verify token answers the subscription handshake.
func NewWebhook(appSecret, verifyToken string) (*Webhook, error) {
	switch {
	case appSecret == "":
		return nil, errors.New("instagram: missing app secret")
	case verifyToken == "":
		return nil, errors.New("instagram: missing webhook verify token")
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

// Parse reads messages and postbacks (the customer interacted: the window
// restarts) and read receipts (messaging_seen, which name the read mid).
// Echoes of our own messages, which Instagram includes in the messages
// field, and other events are skipped. Instagram sends no delivery events.
func (h *Webhook) Parse(_ *http.Request, body []byte) ([]channels.Event, error) {
	var p meta.MessagingPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("instagram webhook: %w", err)
	}
	if p.Object != "instagram" {
		return nil, fmt.Errorf("instagram webhook: object %q is not instagram", p.Object)
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
					return nil, errors.New("instagram webhook: message without mid or sender")
				}
				events = append(events, channels.Event{
					Channel: followup.Instagram, Kind: channels.Message, ExternalID: user,
					Text: m.Message.Text, At: meta.Millis(m.Timestamp),
					ProviderMessageID: m.Message.Mid, DedupKey: "instagram:message:" + m.Message.Mid,
				})
			case m.Postback != nil:
				if user == "" {
					return nil, errors.New("instagram webhook: postback without sender")
				}
				key := "instagram:postback:" + m.Postback.Mid
				if m.Postback.Mid == "" {
					key = "instagram:postback:" + user + ":" + strconv.FormatInt(m.Timestamp, 10)
				}
				events = append(events, channels.Event{
					Channel: followup.Instagram, Kind: channels.Message, ExternalID: user,
					Text: m.Postback.Title, At: meta.Millis(m.Timestamp),
					ProviderMessageID: m.Postback.Mid, DedupKey: key,
				})
			case m.Read != nil && m.Read.Mid != "":
				events = append(events, channels.Event{
					Channel: followup.Instagram, Kind: channels.Status, ExternalID: user,
					At: meta.Millis(m.Timestamp), ProviderMessageID: m.Read.Mid, Status: followup.StatusRead,
					DedupKey: "instagram:read:" + m.Read.Mid,
				})
			}
		}
	}
	return events, nil
}
