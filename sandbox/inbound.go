package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/all"
)

// SecretVar is the environment variable holding the secret that signs ch's
// webhooks (the one the server verifies them with).
func SecretVar(ch followup.Channel) string {
	d, _ := all.Driver(ch)
	return d.SecretVar()
}

// FakeSecret is the secret ch's fake provider signs its webhooks with, the
// one a sandboxed channel's webhook is verified with when SecretVar is unset.
func FakeSecret(ch followup.Channel) string {
	d, _ := all.Driver(ch)
	return d.Fake.Secret
}

// WebhookSecret is the secret that signs ch's webhooks in this
// environment: SecretVar's value when it is set (a set secret is enforced
// in every mode), else the fake's. `followup dev` verifies with the same.
func WebhookSecret(ch followup.Channel, getenv func(string) string) string {
	if v := strings.TrimSpace(getenv(SecretVar(ch))); v != "" {
		return v
	}
	return FakeSecret(ch)
}

// Inbound is a customer's message to simulate on one channel.
type Inbound = channels.Inbound

// Target is where a simulated webhook goes and how it is signed (Secret:
// WebhookSecret; empty is the fake's).
type Target = channels.Target

// WebhookRequest builds the webhook the provider of in.Channel posts when
// the customer writes in.Text: its payload (the fake's builder), signed
// the way that provider signs, ready to send to t.URL.
func WebhookRequest(in Inbound, t Target) (*http.Request, error) {
	d, ok := all.Driver(in.Channel)
	if !ok || d.Fake.Inbound == nil {
		return nil, fmt.Errorf("sandbox: no webhook for channel %q", in.Channel)
	}
	if in.From == "" {
		return nil, fmt.Errorf("sandbox: a %s message needs the customer's id", in.Channel.Title())
	}
	if t.Secret == "" {
		t.Secret = d.Fake.Secret
	}
	if in.At.IsZero() {
		in.At = time.Now()
	}
	if _, err := url.Parse(t.URL); err != nil {
		return nil, fmt.Errorf("sandbox: webhook URL: %w", err)
	}
	r, err := d.Fake.Inbound(in, t)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	return r, nil
}
