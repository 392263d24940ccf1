package email

import (
	"net/http"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
)

// Driver is email for the product: the SMTP relay, the client and the
// inbound webhook (its fake is emailtest.Fake).
func Driver() channels.Driver {
	return channels.Driver{
		Channel: followup.Email,
		Send: []channels.Var{
			// The URL may carry the relay's password.
			{Name: "SMTP_URL", Secret: true, Usage: "the SMTP relay: smtp://user:pass@host:587 (STARTTLS), smtps:// for implicit TLS"},
			{Name: "EMAIL_FROM", Usage: `the sender, e.g. "Acme Support <support@acme.test>"`},
		},
		Hook: []channels.Var{
			{Name: "EMAIL_WEBHOOK_SECRET", Secret: true, Usage: "verifies the inbound-mail webhook's X-Followup-Signature (over timestamp + body)"},
		},
		NewSender: func(env func(string) string, hc *http.Client) (channels.Sender, error) {
			return New(Config{BaseURL: env("SMTP_URL"), From: env("EMAIL_FROM")}, hc)
		},
		NewWebhook: channels.Keyed("EMAIL_WEBHOOK_SECRET", channels.Infallible(NewWebhook)),
		ID:         channels.IDForm{By: channels.ByEmail},
	}
}
