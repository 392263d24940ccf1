package vibertest

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"

	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/viber"
)

// Fake is the fake REST API as the sandbox runs it in place of Viber's
// (channels/all gives it to viber.Driver).
func Fake() channels.Fake {
	return channels.Fake{
		Start: func() channels.FakeServer {
			f := New()
			return channels.FakeServer{
				URL:   f.URL(),
				Env:   map[string]string{"VIBER_API_URL": f.URL(), "VIBER_AUTH_TOKEN": Token},
				Close: f.Close,
			}
		},
		Secret: Token,
		Inbound: func(in channels.Inbound, t channels.Target) (*http.Request, error) {
			token := rand.Int64()
			if in.ID != "" {
				n, err := strconv.ParseInt(in.ID, 10, 64)
				if err != nil {
					return nil, fmt.Errorf("a Viber message_token is a number, not %q", in.ID)
				}
				token = n
			}
			body := MessageBody(in.From, in.Name, in.Text, token, in.At)
			return t.Post("application/json", body, viber.SignatureHeader, hex.EncodeToString(viber.Sign(t.Secret, body)))
		},
	}
}
