package messengertest

import (
	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/meta/metatest"
)

// Fake is the fake Send API as the sandbox runs it in place of
// Messenger's (channels/all gives it to messenger.Driver).
func Fake() channels.Fake {
	return metatest.Fake(New, "MESSENGER_API_URL", map[string]string{"MESSENGER_PAGE_ID": PageID, "MESSENGER_PAGE_TOKEN": PageToken}, AppSecret, VerifyToken,
		func(f *Server) channels.Prepare { return channels.TellLastInbound(followup.Messenger, f.LastInbound) },
		func(in channels.Inbound) []byte {
			return MessageBody(Inbound{PSID: in.From, Mid: in.MessageID("m_sandbox", ""), Text: in.Text, At: in.At})
		})
}
