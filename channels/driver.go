package channels

import (
	"context"
	"net/http"
	"time"

	"github.com/followup-dev/followup"
)

// Var is one environment variable a channel reads.
type Var struct {
	Name string
	// Secret: never printed or logged (tokens, app secrets).
	Secret bool
	// Usage says what it holds, for the README and the configuration error.
	Usage string
}

// Driver is everything the product knows of one channel outside the
// channel rules (package window): how it is configured, how it sends, how
// its webhooks are verified, and the fake provider the sandbox runs in its
// place. Each channel package exports one (whatsapp.Driver, …); the list
// in channels/all names the ten, and nothing else switches on a channel.
type Driver struct {
	Channel followup.Channel
	// Send are the variables that configure sending: all or none.
	Send []Var
	// Hook are the variables that verify the channel's webhooks: all or
	// none; a set secret is enforced in every mode.
	Hook []Var
	// Optional are variables read when set (an API base URL, a sender name).
	Optional []Var
	// NewSender builds the real adapter from the variables (env returns
	// "" for unset ones).
	NewSender func(env func(string) string, hc *http.Client) (Sender, error)
	// NewWebhook builds the webhook verifier from the Hook variables.
	NewWebhook func(env func(string) string) (Webhook, error)
	// Fake starts the channel's fake provider for the sandbox: the real
	// adapter pointed at it and the webhook verified with its secret.
	Fake func(o FakeOptions) (Fake, error)
	// FakeSecret signs the fake's webhooks: `followup reply` signs with it
	// when the channel's secret variable (the first Hook var) is unset.
	FakeSecret string
	// NewInbound builds the signed webhook request the provider sends when
	// a customer writes, for the server at baseURL (followup reply posts
	// it; no fake needs to run in that process).
	NewInbound func(in Inbound, baseURL, secret string) (*http.Request, error)
}

// FakeOptions configure a fake provider in the sandbox.
type FakeOptions struct {
	HTTPClient *http.Client
	// Env reads the process's variables (a sender name, the public URL
	// Twilio signs).
	Env func(string) string
}

// Fake is a running fake provider and what talks to it.
type Fake interface {
	// URL is the fake's base URL.
	URL() string
	// Sender is the real adapter pointed at the fake.
	Sender() Sender
	// Webhook verifies webhooks signed with the fake's secret.
	Webhook() Webhook
	// Prepare tells the fake what the real provider would know before a
	// send (when the customer last wrote, the approved templates, a quota).
	Prepare(ctx context.Context, facts Facts, m Outbound) error
	// Close stops the fake.
	Close()
}

// Facts is what a fake may ask the database before a send.
type Facts interface {
	LastInbound(ctx context.Context, ch followup.Channel, externalID string) (time.Time, bool, error)
	Settings(ctx context.Context) (followup.Settings, error)
	Templates(ctx context.Context, ch followup.Channel) ([]followup.Template, error)
}

// Inbound is a customer's message to simulate on one channel.
type Inbound struct {
	Channel followup.Channel
	// From is the customer's id on the channel (a phone in E.164 for
	// WhatsApp and SMS, an address for email).
	From string
	// Name is the display name the provider sends where it sends one.
	Name string
	Text string
	// At is when the customer wrote; zero is now.
	At time.Time
	// ID is the provider's message id; empty makes a unique one.
	ID string
}
