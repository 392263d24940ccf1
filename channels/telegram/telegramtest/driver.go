package telegramtest

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"

	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/telegram"
)

// Fake is the fake Bot API as the sandbox runs it in place of Telegram's
// (channels/all gives it to telegram.Driver).
func Fake() channels.Fake {
	return channels.Fake{
		Start:  channels.Serve(New, "TELEGRAM_API_URL", map[string]string{"TELEGRAM_BOT_TOKEN": Token, "TELEGRAM_WEBHOOK_SECRET": Secret}, nil),
		Secret: Secret,
		Inbound: func(in channels.Inbound, t channels.Target) (*http.Request, error) {
			chat, err := strconv.ParseInt(in.From, 10, 64)
			if err != nil || chat <= 0 || strconv.FormatInt(chat, 10) != in.From {
				return nil, fmt.Errorf("a Telegram chat id is a positive integer, not %q", in.From)
			}
			first, last, _ := strings.Cut(strings.TrimSpace(in.Name), " ")
			body := UpdateBody(Inbound{UpdateID: rand.Int64N(1<<31) + 1, ChatID: chat, FirstName: first, LastName: last,
				Text: in.Text, Date: in.At, MessageID: rand.Int64N(1<<23) + 1})
			return t.Post("application/json", body, telegram.SecretHeader, t.Secret)
		},
	}
}
