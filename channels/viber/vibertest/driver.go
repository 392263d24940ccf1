package vibertest

import (
	"encoding/hex"
	"net/http"

	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/viber"
)

// Fake is the fake REST API as the sandbox runs it in place of Viber's
// (channels/all gives it to viber.Driver).
func Fake() channels.Fake {
	return channels.Fake{
		Start:  channels.Serve(New, "VIBER_API_URL", map[string]string{"VIBER_AUTH_TOKEN": Token}, nil),
		Secret: Token,
		Inbound: func(in channels.Inbound, t channels.Target) (*http.Request, error) {
			token, err := in.NumericID("Viber message_token")
			if err != nil {
				return nil, err
			}
			body := MessageBody(in.From, in.Name, in.Text, token, in.At)
			return t.Post("application/json", body, viber.SignatureHeader, hex.EncodeToString(viber.Sign(t.Secret, body)))
		},
	}
}
