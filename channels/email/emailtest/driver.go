package emailtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/mail"
	"time"

	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/email"
	"github.com/followup-dev/followup/channels/signature"
)

// Fake is the fake SMTP relay as the sandbox runs it in place of a real
// one (channels/all gives it to email.Driver): a plain server on loopback,
// no STARTTLS offered, no AUTH; replies come through the inbound-mail
// webhook.
func Fake() channels.Fake {
	const address = "support@demo.followup.dev"
	return channels.Fake{
		Start:  channels.Serve(func() *Server { return New() }, "SMTP_URL", map[string]string{"EMAIL_FROM": "Support <" + address + ">", "EMAIL_WEBHOOK_SECRET": DefaultSecret}, nil),
		Secret: DefaultSecret,
		Inbound: func(in channels.Inbound, t channels.Target) (*http.Request, error) {
			id := in.MessageID("<", "@sandbox.followup.dev>")
			body, err := json.Marshal(Inbound{From: (&mail.Address{Name: in.Name, Address: in.From}).String(), To: address,
				Subject: "Re: " + email.DefaultSubject, Text: in.Text, MessageID: id, Date: in.At.Format(time.RFC1123Z)})
			if err != nil {
				return nil, fmt.Errorf("email webhook: %w", err)
			}
			return signature.Post(t, t.Secret, "application/json", body)
		},
	}
}
