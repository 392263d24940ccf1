package whatsapp

import (
	"net/http"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/meta"
)

// Driver is WhatsApp for the product: the Cloud API's credentials, the
// client and the webhook (its fake is whatsapptest.Fake).
func Driver() channels.Driver {
	return meta.Product(channels.Driver{
		Channel: followup.WhatsApp,
		Send: []channels.Var{
			{Name: "WHATSAPP_TOKEN", Secret: true, Usage: "a system-user or business access token of the WhatsApp Cloud API"},
			{Name: "WHATSAPP_PHONE_NUMBER_ID", Usage: "the id of the business phone number that sends (not the number)"},
		},
		Optional: []channels.Var{
			channels.APIURL("WHATSAPP_API_URL", "the Graph API", meta.DefaultBaseURL),
		},
		NewSender: func(env func(string) string, hc *http.Client) (channels.Sender, error) {
			return New(Config{BaseURL: env("WHATSAPP_API_URL"), Token: env("WHATSAPP_TOKEN"), PhoneNumberID: env("WHATSAPP_PHONE_NUMBER_ID")}, hc)
		},
		// The customer's phone: Meta names them by their number (without
		// the "+", which the webhooks add back).
		ID: channels.IDForm{By: channels.ByPhone},
	}, NewWebhook)
}
