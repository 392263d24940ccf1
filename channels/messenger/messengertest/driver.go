package messengertest

import (
	"net/http"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/meta"
)

// Fake is the fake Send API as the sandbox runs it in place of
// Messenger's (channels/all gives it to messenger.Driver).
func Fake() channels.Fake {
	return channels.Fake{
		Start: channels.Serve(New, "MESSENGER_API_URL",
			map[string]string{"MESSENGER_PAGE_ID": PageID, "MESSENGER_PAGE_TOKEN": PageToken, "META_APP_SECRET": AppSecret, "META_VERIFY_TOKEN": VerifyToken},
			func(f *Server) channels.Prepare { return channels.TellLastInbound(followup.Messenger, f.LastInbound) }),
		Secret: AppSecret,
		Inbound: func(in channels.Inbound, t channels.Target) (*http.Request, error) {
			return meta.Post(t, MessageBody(Inbound{PSID: in.From, Mid: in.MessageID("m_sandbox", ""), Text: in.Text, At: in.At}))
		},
	}
}
