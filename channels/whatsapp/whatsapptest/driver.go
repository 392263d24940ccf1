package whatsapptest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/meta"
)

// Fake is the fake Cloud API as the sandbox runs it in place of WhatsApp's
// (channels/all gives it to whatsapp.Driver).
func Fake() channels.Fake {
	return channels.Fake{
		Start: func() channels.FakeServer {
			f := New()
			tellLastInbound := channels.TellLastInbound(followup.WhatsApp, f.LastInbound)
			return channels.FakeServer{
				URL: f.URL(),
				Env: map[string]string{"WHATSAPP_API_URL": f.URL(), "WHATSAPP_TOKEN": Token, "WHATSAPP_PHONE_NUMBER_ID": PhoneNumberID,
					"META_APP_SECRET": AppSecret, "META_VERIFY_TOKEN": VerifyToken},
				// The fake learns the window and the templates the
				// workspace lists as approved.
				Prepare: func(ctx context.Context, facts channels.Facts, m channels.Outbound) error {
					if err := tellLastInbound(ctx, facts, m); err != nil || m.Template == nil {
						return err
					}
					ts, err := facts.Templates(ctx, followup.WhatsApp)
					if err != nil {
						return fmt.Errorf("read templates: %w", err)
					}
					for _, t := range ts {
						if t.Status == followup.TemplateApproved {
							f.Template(t.Name, t.Language, t.ParamCount)
						}
					}
					return nil
				},
				Close: f.Close,
			}
		},
		Secret: AppSecret,
		Inbound: func(in channels.Inbound, t channels.Target) (*http.Request, error) {
			id := in.ID
			if id == "" {
				id = fmt.Sprintf("wamid.sandbox%016x%016x", rand.Uint64(), rand.Uint64())
			}
			// Meta names WhatsApp users by their number without the "+".
			body := MessageBody(Inbound{From: strings.TrimPrefix(in.From, "+"), Name: in.Name, ID: id, Text: in.Text, At: in.At})
			return t.Post("application/json", body, meta.SignatureHeader, meta.Sign(t.Secret, body))
		},
	}
}
