package wechat

import (
	"net/http"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
)

// Driver is WeChat for the product: the Official Account's credentials,
// the client and the webhook (its fake is wechattest.Fake).
func Driver() channels.Driver {
	return channels.Driver{
		Channel: followup.WeChat,
		Send: []channels.Var{
			{Name: "WECHAT_APP_ID", Usage: "the Official Account's AppID (the access token is fetched, cached and refreshed with it)"},
			{Name: "WECHAT_APP_SECRET", Secret: true, Usage: "the Official Account's AppSecret"},
		},
		Hook: []channels.Var{
			{Name: "WECHAT_TOKEN", Secret: true, Usage: "the server token: verifies the sha1 query signature and answers the GET echostr"},
		},
		Optional: []channels.Var{
			channels.APIURL("WECHAT_API_URL", "the WeChat API", DefaultBaseURL),
		},
		NewSender: func(env func(string) string, hc *http.Client) (channels.Sender, error) {
			return New(Config{BaseURL: env("WECHAT_API_URL"), AppID: env("WECHAT_APP_ID"), AppSecret: env("WECHAT_APP_SECRET")}, hc)
		},
		NewWebhook: channels.Keyed("WECHAT_TOKEN", channels.Infallible(NewWebhook)),
		// An openid.
		ID: channels.IDForm{Prefix: "o", Alphabet: channels.Base64URL, Len: 27},
	}
}
