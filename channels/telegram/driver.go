package telegram

import (
	"net/http"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
)

// Driver is Telegram for the product: the bot's token, the client and the
// webhook (its fake is telegramtest.Fake).
func Driver() channels.Driver {
	return channels.Driver{
		Channel: followup.Telegram,
		Send: []channels.Var{
			{Name: "TELEGRAM_BOT_TOKEN", Secret: true, Usage: "the bot token BotFather issued"},
		},
		Hook: []channels.Var{
			{Name: "TELEGRAM_WEBHOOK_SECRET", Secret: true, Usage: "the secret_token given to setWebhook: checks X-Telegram-Bot-Api-Secret-Token"},
		},
		Optional: []channels.Var{
			channels.APIURL("TELEGRAM_API_URL", "the Bot API", DefaultBaseURL),
		},
		NewSender: func(env func(string) string, hc *http.Client) (channels.Sender, error) {
			return New(Config{BaseURL: env("TELEGRAM_API_URL"), Token: env("TELEGRAM_BOT_TOKEN")}, hc)
		},
		NewWebhook: channels.Keyed("TELEGRAM_WEBHOOK_SECRET", NewWebhook),
		// A private chat's id.
		ID: channels.IDForm{Alphabet: channels.Digits, Len: 10},
	}
}
