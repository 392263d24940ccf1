package twiliotest

import (
	"net/http"

	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/twilio"
)

// Fake is the fake Messages API as the sandbox runs it in place of
// Twilio's (channels/all gives it to twilio.Driver).
func Fake() channels.Fake {
	return channels.Fake{
		// FOLLOWUP_PUBLIC_URL stays the process's: the webhook checks
		// what Twilio signs against it.
		Start:  channels.Serve(New, "TWILIO_API_URL", map[string]string{"TWILIO_ACCOUNT_SID": AccountSID, "TWILIO_AUTH_TOKEN": AuthToken, "TWILIO_FROM": From}, nil),
		Secret: AuthToken,
		Inbound: func(in channels.Inbound, t channels.Target) (*http.Request, error) {
			sid := in.ID
			if sid == "" {
				sid = NewSID("SM")
			}
			params := InboundParams(sid, in.From, in.Text)
			// Twilio signs the public URL it called.
			signed := t.PublicURL
			if signed == "" {
				signed = t.URL
			}
			return t.Post("application/x-www-form-urlencoded", []byte(params.Encode()),
				"User-Agent", "TwilioProxy/1.1", twilio.SignatureHeader, twilio.Signature(t.Secret, signed, params))
		},
	}
}
