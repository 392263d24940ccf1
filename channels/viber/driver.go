package viber

import (
	"net/http"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
)

// Driver is Viber for the product: the bot's token, the client and the
// webhook (its fake is vibertest.Fake).
func Driver() channels.Driver {
	token := channels.Var{Name: "VIBER_AUTH_TOKEN", Secret: true, Usage: "the bot's auth token (X-Viber-Auth-Token); it also keys the webhook signature (X-Viber-Content-Signature)"}
	return channels.Driver{
		Channel: followup.Viber,
		Send:    []channels.Var{token},
		Hook:    []channels.Var{token},
		Optional: []channels.Var{
			{Name: "VIBER_SENDER_NAME", Usage: `the bot name shown on messages, at most 28 characters (default "Support")`},
			channels.APIURL("VIBER_API_URL", "the Viber REST API", DefaultBaseURL),
		},
		NewSender: func(env func(string) string, hc *http.Client) (channels.Sender, error) {
			name := env("VIBER_SENDER_NAME")
			if name == "" {
				name = "Support"
			}
			return New(Config{BaseURL: env("VIBER_API_URL"), AuthToken: env("VIBER_AUTH_TOKEN"), SenderName: name}, hc)
		},
		NewWebhook: channels.Keyed("VIBER_AUTH_TOKEN", channels.Infallible(NewWebhook)),
		// A user id of 16 bytes in base64; the contact's phone also
		// names them.
		ID: channels.IDForm{By: channels.ByPhone, Alphabet: channels.Base64, Len: 22, Suffix: "==", Bits: 128},
	}
}
