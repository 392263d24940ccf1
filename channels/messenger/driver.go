package messenger

import (
	"net/http"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/meta"
)

// Driver is Messenger for the product: the Page's credentials, the client
// and the webhook (its fake is messengertest.Fake).
func Driver() channels.Driver {
	return meta.Product(channels.Driver{
		Channel: followup.Messenger,
		Send: []channels.Var{
			{Name: "MESSENGER_PAGE_ID", Usage: "the Facebook Page's id"},
			{Name: "MESSENGER_PAGE_TOKEN", Secret: true, Usage: "a Page access token with pages_messaging"},
		},
		Optional: []channels.Var{
			channels.APIURL("MESSENGER_API_URL", "the Graph API", meta.DefaultBaseURL),
		},
		NewSender: func(env func(string) string, hc *http.Client) (channels.Sender, error) {
			return New(Config{BaseURL: env("MESSENGER_API_URL"), PageID: env("MESSENGER_PAGE_ID"), PageToken: env("MESSENGER_PAGE_TOKEN")}, hc)
		},
		// A page-scoped id (PSID).
		ID: channels.IDForm{Alphabet: channels.Digits, Len: 16},
	}, NewWebhook)
}
