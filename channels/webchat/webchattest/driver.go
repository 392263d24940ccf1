package webchattest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/signature"
	"github.com/followup-dev/followup/channels/webchat"
)

// Fake is the fake delivery service as the sandbox runs it in place of
// ours (channels/all gives it to webchat.Driver).
func Fake() channels.Fake {
	return channels.Fake{
		Start:  channels.Serve(New, "WEBCHAT_API_URL", map[string]string{"WEBCHAT_TOKEN": DefaultToken, "WEBCHAT_SITE_TOKEN": DefaultSiteToken}, nil),
		Secret: DefaultSiteToken,
		Inbound: func(in channels.Inbound, t channels.Target) (*http.Request, error) {
			if !webchat.ValidVisitorID(in.From) {
				return nil, fmt.Errorf("%q is not a website-chat visitor id", in.From)
			}
			id := in.MessageID("wm_", "")
			body, err := json.Marshal(webchat.InboundMessage{Type: "message", VisitorID: in.From, Text: in.Text,
				SentAt: in.At.UTC().Format(time.RFC3339), MessageID: id, Name: in.Name})
			if err != nil {
				return nil, fmt.Errorf("webchat webhook: %w", err)
			}
			// The widget signs with the visitor's key, derived from the site token.
			return signature.Post(t, webchat.VisitorKey(t.Secret, in.From), "application/json", body, webchat.VisitorHeader, in.From)
		},
	}
}
