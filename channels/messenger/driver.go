package messenger

import (
	"net/http"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
)

// Driver is Messenger for the product: the Page's credentials, the client
// and the webhook (its fake is messengertest.Fake).
func Driver() channels.Driver {
	return channels.Driver{
		Channel: followup.Messenger,
		Send: []channels.Var{
			{Name: "MESSENGER_PAGE_ID", Usage: "the Facebook Page's id"},
			{Name: "MESSENGER_PAGE_TOKEN", Secret: true, Usage: "a Page access token with pages_messaging"},
		},
		Hook: []channels.Var{
			{Name: "META_APP_SECRET", Secret: true, Usage: "the Meta app secret: verifies X-Hub-Signature-256 (WhatsApp, Messenger, Instagram)"},
			{Name: "META_VERIFY_TOKEN", Secret: true, Usage: "the token Meta's GET subscription handshake must echo (WhatsApp, Messenger, Instagram)"},
		},
		Optional: []channels.Var{
			{Name: "MESSENGER_API_URL", Usage: "the Graph API base URL (default https://graph.facebook.com; a fake's in tests)"},
		},
		NewSender: func(env func(string) string, hc *http.Client) (channels.Sender, error) {
			return New(Config{BaseURL: env("MESSENGER_API_URL"), PageID: env("MESSENGER_PAGE_ID"), PageToken: env("MESSENGER_PAGE_TOKEN")}, hc)
		},
		NewWebhook: func(env func(string) string) (channels.Webhook, error) {
			return NewWebhook(env("META_APP_SECRET"), env("META_VERIFY_TOKEN"))
		},
		// A page-scoped id (PSID).
		ID: channels.IDForm{Alphabet: channels.Digits, Len: 16},
	}
}
