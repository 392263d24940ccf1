package messenger

import (
	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels/meta"
)

// Webhook verifies and reads Messenger webhooks for one Meta app:
// messages and postbacks (any interaction restarts Messenger's window),
// and deliveries and reads, which Messenger reports by watermark.
type Webhook = meta.MessagingWebhook

// NewWebhook returns the webhook of the app whose secret signs the events
// and whose verify token answers the subscription handshake.
func NewWebhook(appSecret, verifyToken string) (*Webhook, error) {
	return meta.NewMessagingWebhook(meta.MessagingProduct{Channel: followup.Messenger, Object: "page", Watermarks: true}, appSecret, verifyToken)
}
