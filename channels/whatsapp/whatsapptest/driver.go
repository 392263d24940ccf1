package whatsapptest

import (
	"context"
	"fmt"
	"strings"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/meta/metatest"
)

// Fake is the fake Cloud API as the sandbox runs it in place of WhatsApp's
// (channels/all gives it to whatsapp.Driver).
func Fake() channels.Fake {
	return metatest.Fake(New, "WHATSAPP_API_URL", map[string]string{"WHATSAPP_TOKEN": Token, "WHATSAPP_PHONE_NUMBER_ID": PhoneNumberID}, AppSecret, VerifyToken,
		prepare, func(in channels.Inbound) []byte {
			// Meta names WhatsApp users by their number without the "+".
			return MessageBody(Inbound{From: strings.TrimPrefix(in.From, "+"), Name: in.Name, ID: in.MessageID("wamid.sandbox", ""), Text: in.Text, At: in.At})
		})
}

// prepare teaches f the window and the templates the workspace lists as
// approved.
func prepare(f *Server) channels.Prepare {
	tellLastInbound := channels.TellLastInbound(followup.WhatsApp, f.LastInbound)
	return func(ctx context.Context, facts channels.Facts, m channels.Outbound) error {
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
	}
}
