package linetest

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/line"
)

// Fake is the fake Messaging API as the sandbox runs it in place of
// LINE's (channels/all gives it to line.Driver).
func Fake() channels.Fake {
	return channels.Fake{
		Start:  channels.Serve(New, "LINE_API_URL", map[string]string{"LINE_CHANNEL_TOKEN": AccessToken, "LINE_CHANNEL_SECRET": ChannelSecret}, nil),
		Secret: ChannelSecret,
		Inbound: func(in channels.Inbound, t channels.Target) (*http.Request, error) {
			// A user id is "U" and 32 lower-case hex digits.
			if len(in.From) != 33 || in.From[0] != 'U' || strings.Trim(in.From[1:], "0123456789abcdef") != "" {
				return nil, fmt.Errorf("a LINE user id is U and 32 hex digits, not %q", in.From)
			}
			body := MessagePayload(Inbound{UserID: in.From, Text: in.Text, MessageID: in.ID, Timestamp: in.At})
			return t.Post("application/json; charset=utf-8", body, line.SignatureHeader, line.Sign(t.Secret, body))
		},
	}
}
