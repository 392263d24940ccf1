package instagramtest

import (
	"net/http"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/meta"
)

// Fake is the fake messaging API as the sandbox runs it in place of
// Instagram's (channels/all gives it to instagram.Driver).
func Fake() channels.Fake {
	return channels.Fake{
		Start: channels.Serve(New, "INSTAGRAM_API_URL",
			map[string]string{"INSTAGRAM_ACCOUNT_ID": AccountID, "INSTAGRAM_TOKEN": Token, "META_APP_SECRET": AppSecret, "META_VERIFY_TOKEN": VerifyToken},
			func(f *Server) channels.Prepare { return channels.TellLastInbound(followup.Instagram, f.LastInbound) }),
		Secret: AppSecret,
		Inbound: func(in channels.Inbound, t channels.Target) (*http.Request, error) {
			return meta.Post(t, MessageBody(Inbound{IGSID: in.From, Mid: in.MessageID("aWdfZAG1f", ""), Text: in.Text, At: in.At}))
		},
	}
}
