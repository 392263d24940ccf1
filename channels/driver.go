package channels

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/followup-dev/followup"
)

// Var is one environment variable a channel reads.
type Var struct {
	Name string
	// Secret: never printed or logged (tokens, app secrets, a URL with a
	// password).
	Secret bool
	// Usage says what it holds, for the README and the configuration error.
	Usage string
}

// APIURL is the optional variable that points a driver at its provider's
// API, api (such as "the Bot API"), at def when unset; tests and the
// sandbox point it at the channel's fake.
func APIURL(name, api, def string) Var {
	return Var{Name: name, Usage: api + " base URL (default " + def + "; a fake's in tests)"}
}

// Missing is the error of an adapter's constructor for the first of its
// settings, given as name, value pairs, that is empty: "viber: missing
// auth token" for adapter "viber"; nil when every one is set.
func Missing(adapter string, settings ...string) error {
	for i := 0; i+1 < len(settings); i += 2 {
		if settings[i+1] == "" {
			return errors.New(adapter + ": missing " + settings[i])
		}
	}
	return nil
}

// Driver is everything the product knows of one channel outside the
// channel rules (package window): how it is configured, how it sends, how
// its webhooks are verified, what its customers' ids look like, and the
// fake provider the sandbox runs in its place. Each channel package
// exports one (whatsapp.Driver(), …) and its <name>test package the fake
// (whatsapptest.Fake()); channels/all pairs them and lists the ten, and
// nothing else switches on a channel to configure, sandbox or simulate it.
type Driver struct {
	Channel followup.Channel
	// Send are the variables that configure sending: all or none.
	Send []Var
	// Hook are the variables that verify the channel's webhooks: all or
	// none; a set secret is enforced in every mode. The first one holds
	// the secret the provider signs with (SecretVar).
	Hook []Var
	// Optional are variables read when set: an API base URL (the real
	// service when unset), a sender name, the public URL a provider signs.
	Optional []Var
	// NewSender builds the real adapter from the variables (env returns
	// "" for unset ones).
	NewSender func(env func(string) string, hc *http.Client) (Sender, error)
	// NewWebhook builds the webhook verifier from the variables.
	NewWebhook func(env func(string) string) (Webhook, error)
	// ID is the form of a customer's id on the channel, which the demo
	// and seed data follow so that the fakes take them as the real
	// providers would.
	ID IDForm
	// Fake is the channel's fake provider, from its <name>test package.
	Fake Fake
}

// Keyed is the NewWebhook of a driver whose webhook newWebhook builds from
// one secret: the value of the variable name.
func Keyed[W Webhook](name string, newWebhook func(secret string) (W, error)) func(env func(string) string) (Webhook, error) {
	return func(env func(string) string) (Webhook, error) { return newWebhook(env(name)) }
}

// Infallible is newWebhook for Keyed when it cannot fail (a missing secret
// verifies nothing rather than stopping the server).
func Infallible[W Webhook](newWebhook func(secret string) W) func(secret string) (W, error) {
	return func(secret string) (W, error) { return newWebhook(secret), nil }
}

// SecretVar is the variable holding the secret the channel's webhooks are
// signed with (the first Hook variable); "" for a driver without one.
func (d Driver) SecretVar() string {
	if len(d.Hook) == 0 {
		return ""
	}
	return d.Hook[0].Name
}

// Vars are the driver's variables, each once (Viber's auth token both
// sends and verifies): Send, then Hook, then Optional.
func (d Driver) Vars() []Var {
	var vs []Var
	seen := map[string]bool{}
	for _, group := range [][]Var{d.Send, d.Hook, d.Optional} {
		for _, v := range group {
			if !seen[v.Name] {
				seen[v.Name] = true
				vs = append(vs, v)
			}
		}
	}
	return vs
}

// Address is a contact detail that names the customer on a channel.
type Address string

// Addresses.
const (
	// ByPhone: the contact's phone number in E.164.
	ByPhone Address = "phone"
	// ByEmail: the contact's email address (case-folded).
	ByEmail Address = "email"
)

// Alphabets of ids.
const (
	// Digits make a number: its first digit is never 0.
	Digits    = "0123456789"
	HexDigits = "0123456789abcdef"
	// Base64 and Base64URL encode random bits six to a character, in
	// the order of RFC 4648.
	Base64    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	Base64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
)

// IDForm is what a customer's id looks like on a channel: Prefix, then Len
// characters of Alphabet, then Suffix (a LINE user id is "U" and 32 hex
// digits). A channel whose customers are named by a contact detail says
// which in By; Viber has both (the contact's phone, or a user id of its
// own).
type IDForm struct {
	By       Address
	Prefix   string
	Alphabet string
	Len      int
	Suffix   string
	// Bits, when set, is how many random bits a hex or base64 id carries
	// when its characters could hold more: the last character's other
	// bits are zero (Viber's ids are 16 bytes in base64, 128 bits in 22
	// characters and "==").
	Bits int
}

// Fake is a channel's fake provider: a local server that answers like the
// real API (errors included), and the webhooks the real provider would
// post. The sandbox runs it in place of the provider for a channel without
// credentials.
type Fake struct {
	// Start starts the fake on a loopback port.
	Start func() FakeServer
	// Secret signs the fake's webhooks: the value of the driver's
	// SecretVar in the sandbox, and what `followup reply` signs with when
	// that variable is unset.
	Secret string
	// Inbound builds the webhook request the provider posts to t when a
	// customer writes in: its payload, signed with t.Secret the way the
	// provider signs. in.From and in.At are set. It needs no running fake
	// (`followup reply` builds it in another process than the server's).
	Inbound func(in Inbound, t Target) (*http.Request, error)
}

// FakeServer is a running fake provider.
type FakeServer struct {
	// URL is the fake's base URL.
	URL string
	// Env points the channel's driver at the fake: its API URL and the
	// credentials and webhook secrets it takes. The sandbox builds the
	// real sender and webhook with the driver from these, and from the
	// process's variables for the rest (a sender name, the public URL).
	Env map[string]string
	// Prepare tells the fake what the real provider would know before a
	// send; nil when it needs nothing.
	Prepare Prepare
	// Close stops the fake.
	Close func()
}

// Prepare tells a fake what the real provider would know before a send
// of m (when the customer last wrote, the approved templates, a quota).
type Prepare func(ctx context.Context, facts Facts, m Outbound) error

// Serve is the Start of a fake provider: it starts the server with start
// and points the driver at it, urlVar (the driver's API URL) at the
// server's URL and env for the rest (the credentials and webhook secrets
// the fake takes). prepare, when not nil, gives the running server's
// Prepare.
func Serve[S interface {
	URL() string
	Close()
}](start func() S, urlVar string, env map[string]string, prepare func(S) Prepare) func() FakeServer {
	return func() FakeServer {
		s := start()
		e := map[string]string{urlVar: s.URL()}
		for k, v := range env {
			e[k] = v
		}
		fs := FakeServer{URL: s.URL(), Env: e, Close: s.Close}
		if prepare != nil {
			fs.Prepare = prepare(s)
		}
		return fs
	}
}

// Facts is what a fake may ask the database before a send.
type Facts interface {
	// LastInbound is when the customer with externalID on ch last wrote;
	// false if never (or unknown).
	LastInbound(ctx context.Context, ch followup.Channel, externalID string) (time.Time, bool, error)
	Settings(ctx context.Context) (followup.Settings, error)
	Templates(ctx context.Context, ch followup.Channel) ([]followup.Template, error)
}

// TellLastInbound is the Prepare of a fake that models a window: it tells
// the fake, through set, when the customer last wrote on ch (the real
// provider saw that message; the fake learns it from the database).
func TellLastInbound(ch followup.Channel, set func(to string, at time.Time)) Prepare {
	return func(ctx context.Context, facts Facts, m Outbound) error {
		at, ok, err := facts.LastInbound(ctx, ch, m.To)
		if err != nil {
			return fmt.Errorf("read the customer's last message: %w", err)
		}
		if ok {
			set(m.To, at)
		}
		return nil
	}
}

// Inbound is a customer's message to simulate on one channel.
type Inbound struct {
	Channel followup.Channel
	// From is the customer's id on the channel: the identity's external id
	// (a phone in E.164 for WhatsApp and SMS, an address for email).
	From string
	// Name is the display name the provider sends where it sends one
	// (WhatsApp profile, Viber, Telegram, email, website chat).
	Name string
	Text string
	// At is when the customer wrote; zero is now. Twilio sends no time
	// (the server stamps the message), and the signed timestamps of WeChat,
	// email and website chat are always now, as their verifiers require.
	At time.Time
	// ID is the provider's message id; empty makes a unique one, so two
	// simulated replies are never taken for one redelivered webhook.
	ID string
}

// MessageID is in.ID, or a new unique id when it is empty: prefix, 32
// random hex digits, suffix.
func (in Inbound) MessageID(prefix, suffix string) string {
	if in.ID != "" {
		return in.ID
	}
	return fmt.Sprintf("%s%016x%016x%s", prefix, rand.Uint64(), rand.Uint64(), suffix)
}

// NumericID is in.ID for a provider whose message ids are numbers (what
// names them in the error), or a random one when it is empty.
func (in Inbound) NumericID(what string) (int64, error) {
	if in.ID == "" {
		return rand.Int64(), nil
	}
	n, err := strconv.ParseInt(in.ID, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("a %s is a number, not %q", what, in.ID)
	}
	return n, nil
}

// Target is where a simulated webhook goes and how it is signed.
type Target struct {
	// URL is where to POST: http://HTTP_ADDR/webhooks/<channel>.
	URL string
	// PublicURL is the URL Twilio signs (FOLLOWUP_PUBLIC_URL + the path);
	// empty means URL, which is what the server checks when
	// FOLLOWUP_PUBLIC_URL is unset.
	PublicURL string
	// Secret signs the request.
	Secret string
}

// Post is the POST of body to t.URL with its content type and the
// headers given as name, value pairs (the provider's signature).
func (t Target) Post(contentType string, body []byte, headers ...string) (*http.Request, error) {
	r, err := http.NewRequest(http.MethodPost, t.URL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("webhook request: %w", err)
	}
	r.Header.Set("Content-Type", contentType)
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	return r, nil
}
