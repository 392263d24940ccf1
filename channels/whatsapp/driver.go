package whatsapp

import (
	"net/http"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
)

// Driver is WhatsApp for the product: the Cloud API's credentials, the
// client and the webhook (its fake is whatsapptest.Fake).
func Driver() channels.Driver {
	return channels.Driver{
		Channel: followup.WhatsApp,
		Send: []channels.Var{
			{Name: "WHATSAPP_TOKEN", Secret: true, Usage: "a system-user or business access token of the WhatsApp Cloud API"},
			{Name: "WHATSAPP_PHONE_NUMBER_ID", Usage: "the id of the business phone number that sends (not the number)"},
		},
		Hook: []channels.Var{
			{Name: "META_APP_SECRET", Secret: true, Usage: "the Meta app secret: verifies X-Hub-Signature-256 (WhatsApp, Messenger, Instagram)"},
			{Name: "META_VERIFY_TOKEN", Secret: true, Usage: "the token Meta's GET subscription handshake must echo (WhatsApp, Messenger, Instagram)"},
		},
		Optional: []channels.Var{
			{Name: "WHATSAPP_API_URL", Usage: "the Graph API base URL (default https://graph.facebook.com; a fake's in tests)"},
		},
		NewSender: func(env func(string) string, hc *http.Client) (channels.Sender, error) {
			return New(Config{BaseURL: env("WHATSAPP_API_URL"), Token: env("WHATSAPP_TOKEN"), PhoneNumberID: env("WHATSAPP_PHONE_NUMBER_ID")}, hc)
		},
		NewWebhook: func(env func(string) string) (channels.Webhook, error) {
			return NewWebhook(env("META_APP_SECRET"), env("META_VERIFY_TOKEN"))
		},
		// The customer's phone: Meta names them by their number (without
		// the "+", which the webhooks add back).
		ID: channels.IDForm{By: channels.ByPhone},
	}
}
