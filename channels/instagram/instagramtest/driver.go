package instagramtest

import (
	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/meta/metatest"
)

// Fake is the fake messaging API as the sandbox runs it in place of
// Instagram's (channels/all gives it to instagram.Driver).
func Fake() channels.Fake {
	return metatest.Fake(New, "INSTAGRAM_API_URL", map[string]string{"INSTAGRAM_ACCOUNT_ID": AccountID, "INSTAGRAM_TOKEN": Token}, AppSecret, VerifyToken,
		func(f *Server) channels.Prepare { return channels.TellLastInbound(followup.Instagram, f.LastInbound) },
		func(in channels.Inbound) []byte {
			return MessageBody(Inbound{IGSID: in.From, Mid: in.MessageID("aWdfZAG1f", ""), Text: in.Text, At: in.At})
		})
}
