// Package sandbox is what `followup dev` uses for channels without
// credentials: each such channel's real adapter talks to that provider's
// local fake server (the channels/<name>/<name>test packages, which answer
// like the real API, errors included), and its webhook is verified with the
// fake's secrets. Every message a fake accepted is also stored in the
// database (listed by `followup outbox`, kept across restarts) and logged.
// WebhookRequest builds the signed webhook a provider sends when a customer
// writes, which `followup reply` posts to the running server.
package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/email"
	"github.com/followup-dev/followup/channels/email/emailtest"
	"github.com/followup-dev/followup/channels/instagram"
	"github.com/followup-dev/followup/channels/instagram/instagramtest"
	"github.com/followup-dev/followup/channels/line"
	"github.com/followup-dev/followup/channels/line/linetest"
	"github.com/followup-dev/followup/channels/messenger"
	"github.com/followup-dev/followup/channels/messenger/messengertest"
	"github.com/followup-dev/followup/channels/telegram"
	"github.com/followup-dev/followup/channels/telegram/telegramtest"
	"github.com/followup-dev/followup/channels/twilio"
	"github.com/followup-dev/followup/channels/twilio/twiliotest"
	"github.com/followup-dev/followup/channels/viber"
	"github.com/followup-dev/followup/channels/viber/vibertest"
	"github.com/followup-dev/followup/channels/webchat"
	"github.com/followup-dev/followup/channels/webchat/webchattest"
	"github.com/followup-dev/followup/channels/wechat"
	"github.com/followup-dev/followup/channels/wechat/wechattest"
	"github.com/followup-dev/followup/channels/whatsapp"
	"github.com/followup-dev/followup/channels/whatsapp/whatsapptest"
	"github.com/followup-dev/followup/store"
)

// Options say which channels to sandbox and how.
type Options struct {
	// Channels are the channels to run against fakes.
	Channels []followup.Channel
	// Log gets one line per outbound message (nil discards them).
	Log io.Writer
	// ViberSenderName is the bot name on Viber messages ("Support" when empty).
	ViberSenderName string
	// EmailFrom is the sender of emails ("Support <support@demo.followup.dev>"
	// when empty).
	EmailFrom string
	// PublicBaseURL is the origin Twilio signs its webhooks for
	// (FOLLOWUP_PUBLIC_URL); empty checks them against the request's host,
	// which is what `followup reply` posts to.
	PublicBaseURL string
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

	// The fakes that model a window or approved templates; Send tells
	// them what the database knows (see prepare).
	whatsapp  *whatsapptest.Server
	messenger *messengertest.Server
	instagram *instagramtest.Server
	wechat    *wechattest.Server
}

// Start starts a fake provider for each of o.Channels, on loopback ports.
// Close stops them.
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
		var sender channels.Sender
		var hook channels.Webhook
		var url string
		switch ch {
		case followup.WhatsApp:
			f := whatsapptest.New()
			sb.closers, sb.whatsapp, url = append(sb.closers, f.Close), f, f.URL()
			if sender, err = whatsapp.New(whatsapp.Config{BaseURL: url, Token: whatsapptest.Token, PhoneNumberID: whatsapptest.PhoneNumberID}, hc); err == nil {
				hook, err = whatsapp.NewWebhook(whatsapptest.AppSecret, whatsapptest.VerifyToken)
			}
		case followup.Messenger:
			f := messengertest.New()
			sb.closers, sb.messenger, url = append(sb.closers, f.Close), f, f.URL()
			if sender, err = messenger.New(messenger.Config{BaseURL: url, PageID: messengertest.PageID, PageToken: messengertest.PageToken}, hc); err == nil {
				hook, err = messenger.NewWebhook(messengertest.AppSecret, messengertest.VerifyToken)
			}
		case followup.Instagram:
			f := instagramtest.New()
			sb.closers, sb.instagram, url = append(sb.closers, f.Close), f, f.URL()
			if sender, err = instagram.New(instagram.Config{BaseURL: url, AccountID: instagramtest.AccountID, Token: instagramtest.Token}, hc); err == nil {
				hook, err = instagram.NewWebhook(instagramtest.AppSecret, instagramtest.VerifyToken)
			}
		case followup.Viber:
			f := vibertest.New()
			sb.closers, url = append(sb.closers, f.Close), f.URL()
			name := o.ViberSenderName
			if name == "" {
				name = "Support"
			}
			sender, err = viber.New(viber.Config{BaseURL: url, AuthToken: vibertest.Token, SenderName: name}, hc)
			hook = viber.NewWebhook(vibertest.Token)
		case followup.WeChat:
			f := wechattest.New()
			sb.closers, sb.wechat, url = append(sb.closers, f.Close), f, f.URL()
			sender, err = wechat.New(wechat.Config{BaseURL: url, AppID: wechattest.AppID, AppSecret: wechattest.AppSecret}, hc)
			hook = wechat.NewWebhook(wechattest.Token)
		case followup.Telegram:
			f := telegramtest.New()
			sb.closers, url = append(sb.closers, f.Close), f.URL()
			if sender, err = telegram.New(telegram.Config{BaseURL: url, Token: telegramtest.Token}, hc); err == nil {
				hook, err = telegram.NewWebhook(telegramtest.Secret)
			}
		case followup.LINE:
			f := linetest.New()
			sb.closers, url = append(sb.closers, f.Close), f.URL()
			if sender, err = line.New(line.Config{BaseURL: url, ChannelAccessToken: linetest.AccessToken}, hc); err == nil {
				hook, err = line.NewWebhook(linetest.ChannelSecret)
			}
		case followup.SMS:
			f := twiliotest.New()
			sb.closers, url = append(sb.closers, f.Close), f.URL()
			if sender, err = twilio.New(twilio.Config{BaseURL: url, AccountSID: twiliotest.AccountSID, AuthToken: twiliotest.AuthToken, From: twiliotest.From}, hc); err == nil {
				hook, err = twilio.NewWebhook(twilio.WebhookConfig{AuthToken: twiliotest.AuthToken, PublicBaseURL: o.PublicBaseURL})
			}
		case followup.Email:
			// A plain SMTP server on loopback: no STARTTLS offered, no AUTH.
			f := emailtest.New()
			sb.closers, url = append(sb.closers, f.Close), f.URL()
			from := o.EmailFrom
			if from == "" {
				from = "Support <support@demo.followup.dev>"
			}
			sender, err = email.New(email.Config{BaseURL: url, From: from}, hc)
			hook = email.NewWebhook(emailtest.DefaultSecret)
		case followup.Webchat:
			f := webchattest.New()
			sb.closers, url = append(sb.closers, f.Close), f.URL()
			sender, err = webchat.New(webchat.Config{BaseURL: url, Token: webchattest.DefaultToken}, hc)
			hook = webchat.NewWebhook(webchattest.DefaultSiteToken)
		default:
			return nil, fmt.Errorf("sandbox: no fake for channel %q", ch)
		}
		if err != nil {
			return nil, fmt.Errorf("sandbox: %s: %w", ch.Title(), err)
		}
		sb.chans = append(sb.chans, ch)
		sb.senders[ch] = &recorder{ch: ch, next: sender, sb: sb}
		sb.hooks[ch] = hook
		sb.urls[ch] = url
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
	sb   *Sandbox
}

// Send tells the fake what the provider would know, sends, and records an
// accepted message in sandbox_outbox and the log. A refusal is the fake's
// answer, classified by the adapter, and only logged.
func (r *recorder) Send(ctx context.Context, m channels.Outbound) (channels.Sent, error) {
	if err := r.sb.prepare(ctx, r.ch, m); err != nil {
		return channels.Sent{}, err
	}
	sent, err := r.next.Send(ctx, m)
	if err != nil {
		r.sb.logf("outbound %s → %s: %s refused: %v", r.ch, m.To, describe(m), err)
		return sent, err
	}
	body := m.Text
	tmpl := ""
	if m.Template != nil {
		tmpl = m.Template.Name
		body = m.Template.Name + "(" + strings.Join(m.Template.Params, ", ") + ")"
	}
	// A retry after a lost answer sends again (the provider decides what a
	// repeat means, as the real one would) and is listed once.
	_, dberr := r.sb.st.DB().ExecContext(ctx, `
		INSERT INTO sandbox_outbox (channel, recipient, mode, tag, template, body, idempotency_key, provider_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (idempotency_key) DO NOTHING`, r.ch, m.To, m.Mode, m.Tag, tmpl, body, m.IdempotencyKey, sent.ProviderID)
	if dberr != nil {
		// The provider accepted it: failing now would send it again.
		r.sb.logf("sandbox: the %s message to %s was sent but not listed in the outbox: %v", r.ch, m.To, dberr)
	}
	id := sent.ProviderID
	if id == "" {
		id = "no message id" // WeChat's customer-service API returns none
	}
	r.sb.logf("outbound %s → %s: %s (%s)", r.ch, m.To, describe(m), id)
	return sent, nil
}

// prepare tells the fakes that model a window when the customer last wrote
// (the real provider saw that message; the fake learns it from the
// database), WeChat's fake the workspace's message quota, and WhatsApp's
// the templates the workspace lists as approved.
func (sb *Sandbox) prepare(ctx context.Context, ch followup.Channel, m channels.Outbound) error {
	if ch != followup.WhatsApp && ch != followup.Messenger && ch != followup.Instagram && ch != followup.WeChat {
		return nil
	}
	var last sql.NullTime
	err := sb.st.DB().GetContext(ctx, &last, `SELECT last_inbound_at FROM identities WHERE channel = $1 AND external_id = $2`, ch, m.To)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sandbox: read the customer's last message: %w", err)
	}
	if last.Valid {
		switch ch {
		case followup.WhatsApp:
			sb.whatsapp.LastInbound(m.To, last.Time)
		case followup.Messenger:
			sb.messenger.LastInbound(m.To, last.Time)
		case followup.Instagram:
			sb.instagram.LastInbound(m.To, last.Time)
		case followup.WeChat:
			sb.wechat.InboundAt(m.To, last.Time)
		}
	}
	switch {
	case ch == followup.WeChat:
		set, err := sb.st.Settings(ctx)
		if err != nil {
			return fmt.Errorf("sandbox: read settings: %w", err)
		}
		sb.wechat.SetQuota(set.WeChatMessageLimit)
	case ch == followup.WhatsApp && m.Template != nil:
		ts, err := sb.st.Templates(ctx, followup.WhatsApp)
		if err != nil {
			return fmt.Errorf("sandbox: read templates: %w", err)
		}
		for _, t := range ts {
			if t.Status == followup.TemplateApproved {
				sb.whatsapp.Template(t.Name, t.Language, t.ParamCount)
			}
		}
	}
	return nil
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
