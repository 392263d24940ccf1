package line

import (
	"net/http"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
)

// Driver is LINE for the product: the Messaging API channel's credentials,
// the client and the webhook (its fake is linetest.Fake).
func Driver() channels.Driver {
	return channels.Driver{
		Channel: followup.LINE,
		Send: []channels.Var{
			{Name: "LINE_CHANNEL_TOKEN", Secret: true, Usage: "the Messaging API channel's access token (pushes carry X-Line-Retry-Key)"},
		},
		Hook: []channels.Var{
			{Name: "LINE_CHANNEL_SECRET", Secret: true, Usage: "the channel secret: verifies x-line-signature"},
		},
		Optional: []channels.Var{
			channels.APIURL("LINE_API_URL", "the Messaging API", DefaultBaseURL),
		},
		NewSender: func(env func(string) string, hc *http.Client) (channels.Sender, error) {
			return New(Config{BaseURL: env("LINE_API_URL"), ChannelAccessToken: env("LINE_CHANNEL_TOKEN")}, hc)
		},
		NewWebhook: channels.Keyed("LINE_CHANNEL_SECRET", NewWebhook),
		// A user id.
		ID: channels.IDForm{Prefix: "U", Alphabet: channels.HexDigits, Len: 32},
	}
}
