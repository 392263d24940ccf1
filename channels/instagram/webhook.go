package instagram

import (
	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels/meta"
)

// Webhook verifies and reads Instagram messaging webhooks for one Meta
// app: messages and postbacks (the customer interacted: the window
// restarts) and read receipts (messaging_seen, which name the read mid).
// Echoes of our own messages, which Instagram includes in the messages
// field, are skipped; Instagram sends no delivery events.
type Webhook = meta.MessagingWebhook

// NewWebhook returns the webhook of the app whose secret signs the events
// and whose verify token answers the subscription handshake.
func NewWebhook(appSecret, verifyToken string) (*Webhook, error) {
	return meta.NewMessagingWebhook(meta.MessagingProduct{Channel: followup.Instagram, Object: "instagram"}, appSecret, verifyToken)
}
