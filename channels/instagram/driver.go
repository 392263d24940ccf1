package instagram

import (
	"net/http"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/meta"
)

// Driver is Instagram for the product: the account's credentials, the
// client and the webhook (its fake is instagramtest.Fake).
func Driver() channels.Driver {
	return meta.Product(channels.Driver{
		Channel: followup.Instagram,
		Send: []channels.Var{
			{Name: "INSTAGRAM_ACCOUNT_ID", Usage: "the Page id (Facebook Login) or Instagram account id (Instagram Login)"},
			{Name: "INSTAGRAM_TOKEN", Secret: true, Usage: "the Page token linked to the account, or an Instagram user token with instagram_business_manage_messages"},
		},
		Optional: []channels.Var{
			{Name: "INSTAGRAM_API_URL", Usage: "the API base URL (default https://graph.facebook.com; https://graph.instagram.com for Instagram Login; a fake's in tests)"},
		},
		NewSender: func(env func(string) string, hc *http.Client) (channels.Sender, error) {
			return New(Config{BaseURL: env("INSTAGRAM_API_URL"), AccountID: env("INSTAGRAM_ACCOUNT_ID"), Token: env("INSTAGRAM_TOKEN")}, hc)
		},
		// An Instagram-scoped id (IGSID).
		ID: channels.IDForm{Alphabet: channels.Digits, Len: 17},
	}, NewWebhook)
}
