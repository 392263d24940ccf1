package webchat

import (
	"net/http"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
)

// Driver is the website chat for the product: the delivery service, the
// client and the widget's webhook (its fake is webchattest.Fake).
func Driver() channels.Driver {
	return channels.Driver{
		Channel: followup.Webchat,
		Send: []channels.Var{
			{Name: "WEBCHAT_API_URL", Usage: "the base URL of the website-chat delivery service (ours: no public default)"},
			{Name: "WEBCHAT_TOKEN", Secret: true, Usage: "the bearer token the delivery service expects"},
		},
		Hook: []channels.Var{
			{Name: "WEBCHAT_SITE_TOKEN", Secret: true, Usage: "the site token the widget's per-visitor signing keys are derived from"},
		},
		NewSender: func(env func(string) string, hc *http.Client) (channels.Sender, error) {
			return New(Config{BaseURL: env("WEBCHAT_API_URL"), Token: env("WEBCHAT_TOKEN")}, hc)
		},
		NewWebhook: channels.Keyed("WEBCHAT_SITE_TOKEN", channels.Infallible(NewWebhook)),
		// A visitor id.
		ID: channels.IDForm{Prefix: "v-", Alphabet: channels.HexDigits, Len: 16},
	}
}
