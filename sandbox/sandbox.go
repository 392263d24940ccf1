// Package sandbox is what `followup dev` uses for channels without
// credentials: each such channel's real adapter talks to that provider's
// local fake server (the fake of the channel's driver, from its
// channels/<name>/<name>test package, which answers like the real API,
// errors included), and its webhook is verified with the fake's secrets.
// Every message a fake accepted is also stored in the database (listed by
// `followup outbox`, kept across restarts) and logged. WebhookRequest
// builds the signed webhook a provider sends when a customer writes, which
// `followup reply` posts to the running server.
package sandbox

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/all"
	"github.com/followup-dev/followup/store"
)

// Options say which channels to sandbox and how.
type Options struct {
	// Channels are the channels to run against fakes.
	Channels []followup.Channel
	// Log gets one line per outbound message (nil discards them).
	Log io.Writer
	// Env reads the process's variables that are not the fake's to set:
	// VIBER_SENDER_NAME (the bot name on Viber messages, "Support" when
	// unset) and FOLLOWUP_PUBLIC_URL (the origin Twilio signs its webhooks
	// for; unset checks them against the request's host, which is what
	// `followup reply` posts to). Nil reads nothing.
	Env func(string) string
	// HTTPClient calls the fakes (a 20 s timeout when nil).
	HTTPClient *http.Client
}

// Sandbox is a set of running fake providers with an adapter and a webhook
// verifier for each.
type Sandbox struct {
	st  *store.Store
	log io.Writer

	logMu   sync.Mutex
	chans   []followup.Channel
	senders map[followup.Channel]channels.Sender
	hooks   map[followup.Channel]channels.Webhook
	urls    map[followup.Channel]string
	closers []func()
}

// Start starts a fake provider for each of o.Channels, on loopback ports,
// and builds each channel's sender and webhook with its driver from the
// variables the fake gives (its URL, credentials and secrets). Close stops
// them.
func Start(st *store.Store, o Options) (_ *Sandbox, err error) {
	sb := &Sandbox{st: st, log: o.Log, senders: map[followup.Channel]channels.Sender{},
		hooks: map[followup.Channel]channels.Webhook{}, urls: map[followup.Channel]string{}}
	if sb.log == nil {
		sb.log = io.Discard
	}
	defer func() {
		if err != nil {
			sb.Close()
		}
	}()
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 20 * time.Second}
	}
	for _, ch := range o.Channels {
		d, ok := all.Driver(ch)
		if !ok || d.Fake.Start == nil {
			return nil, fmt.Errorf("sandbox: no fake for channel %q", ch)
		}
		f := d.Fake.Start()
		sb.closers = append(sb.closers, f.Close)
		env := func(k string) string {
			if v, ok := f.Env[k]; ok {
				return v
			}
			if o.Env == nil {
				return ""
			}
			return strings.TrimSpace(o.Env(k))
		}
		sender, err := d.NewSender(env, hc)
		if err != nil {
			return nil, fmt.Errorf("sandbox: %s: %w", ch.Title(), err)
		}
		hook, err := d.NewWebhook(env)
		if err != nil {
			return nil, fmt.Errorf("sandbox: %s: %w", ch.Title(), err)
		}
		sb.chans = append(sb.chans, ch)
		sb.senders[ch] = &recorder{ch: ch, next: sender, prepare: f.Prepare, sb: sb}
		sb.hooks[ch] = hook
		sb.urls[ch] = f.URL
	}
	return sb, nil
}

// Channels are the sandboxed channels, in the order started.
func (sb *Sandbox) Channels() []followup.Channel { return append([]followup.Channel(nil), sb.chans...) }

// Sender is ch's adapter, pointed at its fake, recording what it sent.
func (sb *Sandbox) Sender(ch followup.Channel) channels.Sender { return sb.senders[ch] }

// Webhook verifies ch's webhooks with the fake's secrets.
func (sb *Sandbox) Webhook(ch followup.Channel) channels.Webhook { return sb.hooks[ch] }

// URL is the base URL of ch's fake provider.
func (sb *Sandbox) URL(ch followup.Channel) string { return sb.urls[ch] }

// Close stops the fakes.
func (sb *Sandbox) Close() {
	for i := len(sb.closers) - 1; i >= 0; i-- {
		sb.closers[i]()
	}
	sb.closers = nil
}

// recorder sends through the real adapter and records what was accepted.
type recorder struct {
	ch   followup.Channel
	next channels.Sender
	// prepare tells the fake what the provider would know (nil: nothing).
	prepare func(context.Context, channels.Facts, channels.Outbound) error
	sb      *Sandbox
}

// Send tells the fake what the provider would know, sends, and records an
// accepted message in the outbox and the log. A refusal is the fake's
// answer, classified by the adapter, and only logged.
func (r *recorder) Send(ctx context.Context, m channels.Outbound) (channels.Sent, error) {
	if r.prepare != nil {
		if err := r.prepare(ctx, r.sb.st, m); err != nil {
			return channels.Sent{}, fmt.Errorf("sandbox: %w", err)
		}
	}
	sent, err := r.next.Send(ctx, m)
	if err != nil {
		r.sb.logf("outbound %s → %s: %s refused: %v", r.ch, m.To, describe(m), err)
		return sent, err
	}
	// A retry after a lost answer sends again (the provider decides what a
	// repeat means, as the real one would) and is listed once.
	if _, err := r.sb.st.Outbox().Record(ctx, outboxMessage(r.ch, m, sent.ProviderID)); err != nil {
		// The provider accepted it: failing now would send it again.
		r.sb.logf("sandbox: the %s message to %s was sent but not listed in the outbox: %v", r.ch, m.To, err)
	}
	id := sent.ProviderID
	if id == "" {
		id = "no message id" // WeChat's customer-service API returns none
	}
	r.sb.logf("outbound %s → %s: %s (%s)", r.ch, m.To, describe(m), id)
	return sent, nil
}

// outboxMessage is m as the outbox lists it: a template as its call.
func outboxMessage(ch followup.Channel, m channels.Outbound, providerID string) store.OutboxMessage {
	o := store.OutboxMessage{Channel: string(ch), Recipient: m.To, Mode: string(m.Mode), Tag: string(m.Tag), Body: m.Text,
		IdempotencyKey: m.IdempotencyKey, ProviderID: providerID}
	if m.Template != nil {
		o.Template = m.Template.Name
		o.Body = m.Template.Name + "(" + strings.Join(m.Template.Params, ", ") + ")"
	}
	return o
}

func (sb *Sandbox) logf(format string, args ...any) {
	sb.logMu.Lock()
	defer sb.logMu.Unlock()
	fmt.Fprintf(sb.log, format+"\n", args...)
}

// describe is a message for the log: its form and a short text.
func describe(m channels.Outbound) string {
	if m.Template != nil {
		return "template " + m.Template.Name + "(" + strings.Join(m.Template.Params, ", ") + ")"
	}
	text := m.Text
	if r := []rune(text); len(r) > 60 {
		text = string(r[:59]) + "…"
	}
	kind := "text"
	switch m.Mode {
	case followup.ModeHumanAgent:
		kind = "text tagged " + string(m.Tag)
	case followup.ModeMessageTag:
		kind = "message tag " + string(m.Tag)
	case followup.ModeChatbot:
		kind = "chatbot message"
	}
	return fmt.Sprintf("%s %q", kind, text)
}
