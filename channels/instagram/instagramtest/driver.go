package instagramtest

import (
	"fmt"
	"math/rand/v2"
	"net/http"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/meta"
)

// Fake is the fake messaging API as the sandbox runs it in place of
// Instagram's (channels/all gives it to instagram.Driver).
func Fake() channels.Fake {
	return channels.Fake{
		Start: func() channels.FakeServer {
			f := New()
			return channels.FakeServer{
				URL: f.URL(),
				Env: map[string]string{"INSTAGRAM_API_URL": f.URL(), "INSTAGRAM_ACCOUNT_ID": AccountID, "INSTAGRAM_TOKEN": Token,
					"META_APP_SECRET": AppSecret, "META_VERIFY_TOKEN": VerifyToken},
				Prepare: channels.TellLastInbound(followup.Instagram, f.LastInbound),
				Close:   f.Close,
			}
		},
		Secret: AppSecret,
		Inbound: func(in channels.Inbound, t channels.Target) (*http.Request, error) {
			mid := in.ID
			if mid == "" {
				mid = fmt.Sprintf("aWdfZAG1f%016x%016x", rand.Uint64(), rand.Uint64())
			}
			body := MessageBody(Inbound{IGSID: in.From, Mid: mid, Text: in.Text, At: in.At})
			return t.Post("application/json", body, meta.SignatureHeader, meta.Sign(t.Secret, body))
		},
	}
}
