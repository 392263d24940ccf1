package twilio

import (
	"net/http"
	"strings"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
)

// Driver is SMS through Twilio for the product: the account's
// credentials, the client and the webhook (its fake is twiliotest.Fake).
func Driver() channels.Driver {
	return channels.Driver{
		Channel: followup.SMS,
		Send: []channels.Var{
			{Name: "TWILIO_ACCOUNT_SID", Usage: `the account SID ("AC…")`},
			{Name: "TWILIO_AUTH_TOKEN", Secret: true, Usage: "the account's auth token: HTTP Basic auth, and the key of X-Twilio-Signature"},
			{Name: "TWILIO_FROM", Usage: "the sending number in E.164"},
		},
		Hook: []channels.Var{
			{Name: "TWILIO_AUTH_TOKEN", Secret: true, Usage: "the account's auth token: HTTP Basic auth, and the key of X-Twilio-Signature"},
		},
		Optional: []channels.Var{
			channels.APIURL("TWILIO_API_URL", "the Twilio REST API", DefaultBaseURL),
			{Name: "FOLLOWUP_PUBLIC_URL", Usage: "the public origin providers call: Twilio signs it, and posts delivery statuses to it + /webhooks/sms"},
		},
		NewSender: func(env func(string) string, hc *http.Client) (channels.Sender, error) {
			// With a public URL, Twilio posts each message's delivery
			// statuses there, carrying our reference: a message left
			// unconfirmed by a lost answer is confirmed by them.
			callback := ""
			if pub := strings.TrimRight(strings.TrimSpace(env("FOLLOWUP_PUBLIC_URL")), "/"); pub != "" {
				callback = pub + "/webhooks/sms"
			}
			return New(Config{BaseURL: env("TWILIO_API_URL"), AccountSID: env("TWILIO_ACCOUNT_SID"), AuthToken: env("TWILIO_AUTH_TOKEN"), From: env("TWILIO_FROM"), StatusCallback: callback}, hc)
		},
		NewWebhook: func(env func(string) string) (channels.Webhook, error) {
			// Twilio signs the public URL it called: FOLLOWUP_PUBLIC_URL.
			return NewWebhook(WebhookConfig{AuthToken: env("TWILIO_AUTH_TOKEN"), PublicBaseURL: env("FOLLOWUP_PUBLIC_URL")})
		},
		ID: channels.IDForm{By: channels.ByPhone},
	}
}
