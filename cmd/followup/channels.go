package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/email"
	"github.com/followup-dev/followup/channels/instagram"
	"github.com/followup-dev/followup/channels/line"
	"github.com/followup-dev/followup/channels/messenger"
	"github.com/followup-dev/followup/channels/telegram"
	"github.com/followup-dev/followup/channels/twilio"
	"github.com/followup-dev/followup/channels/viber"
	"github.com/followup-dev/followup/channels/webchat"
	"github.com/followup-dev/followup/channels/wechat"
	"github.com/followup-dev/followup/channels/whatsapp"
	"github.com/followup-dev/followup/sandbox"
	"github.com/followup-dev/followup/store"
)

// channelSpec says which variables configure one channel's sends and its
// webhook, and how to build them.
type channelSpec struct {
	channel followup.Channel
	send    []string // all or none must be set
	hook    []string // the webhook is verified when these are set
	build   func(env func(string) string, hc *http.Client) (channels.Sender, error)
	webhook func(env func(string) string) (channels.Webhook, error)
}

var channelSpecs = []channelSpec{
	{followup.WhatsApp, []string{"WHATSAPP_TOKEN", "WHATSAPP_PHONE_NUMBER_ID"}, []string{"META_APP_SECRET", "META_VERIFY_TOKEN"},
		func(env func(string) string, hc *http.Client) (channels.Sender, error) {
			return whatsapp.New(whatsapp.Config{BaseURL: env("WHATSAPP_API_URL"), Token: env("WHATSAPP_TOKEN"), PhoneNumberID: env("WHATSAPP_PHONE_NUMBER_ID")}, hc)
		},
		func(env func(string) string) (channels.Webhook, error) {
			return whatsapp.NewWebhook(env("META_APP_SECRET"), env("META_VERIFY_TOKEN"))
		}},
	{followup.Messenger, []string{"MESSENGER_PAGE_ID", "MESSENGER_PAGE_TOKEN"}, []string{"META_APP_SECRET", "META_VERIFY_TOKEN"},
		func(env func(string) string, hc *http.Client) (channels.Sender, error) {
			return messenger.New(messenger.Config{BaseURL: env("MESSENGER_API_URL"), PageID: env("MESSENGER_PAGE_ID"), PageToken: env("MESSENGER_PAGE_TOKEN")}, hc)
		},
		func(env func(string) string) (channels.Webhook, error) {
			return messenger.NewWebhook(env("META_APP_SECRET"), env("META_VERIFY_TOKEN"))
		}},
	{followup.Instagram, []string{"INSTAGRAM_ACCOUNT_ID", "INSTAGRAM_TOKEN"}, []string{"META_APP_SECRET", "META_VERIFY_TOKEN"},
		func(env func(string) string, hc *http.Client) (channels.Sender, error) {
			return instagram.New(instagram.Config{BaseURL: env("INSTAGRAM_API_URL"), AccountID: env("INSTAGRAM_ACCOUNT_ID"), Token: env("INSTAGRAM_TOKEN")}, hc)
		},
		func(env func(string) string) (channels.Webhook, error) {
			return instagram.NewWebhook(env("META_APP_SECRET"), env("META_VERIFY_TOKEN"))
		}},
	{followup.Viber, []string{"VIBER_AUTH_TOKEN"}, []string{"VIBER_AUTH_TOKEN"},
		func(env func(string) string, hc *http.Client) (channels.Sender, error) {
			name := env("VIBER_SENDER_NAME")
			if name == "" {
				name = "Support"
			}
			return viber.New(viber.Config{BaseURL: env("VIBER_API_URL"), AuthToken: env("VIBER_AUTH_TOKEN"), SenderName: name}, hc)
		},
		func(env func(string) string) (channels.Webhook, error) {
			return viber.NewWebhook(env("VIBER_AUTH_TOKEN")), nil
		}},
	{followup.WeChat, []string{"WECHAT_APP_ID", "WECHAT_APP_SECRET"}, []string{"WECHAT_TOKEN"},
		func(env func(string) string, hc *http.Client) (channels.Sender, error) {
			return wechat.New(wechat.Config{BaseURL: env("WECHAT_API_URL"), AppID: env("WECHAT_APP_ID"), AppSecret: env("WECHAT_APP_SECRET")}, hc)
		},
		func(env func(string) string) (channels.Webhook, error) {
			return wechat.NewWebhook(env("WECHAT_TOKEN")), nil
		}},
	{followup.Telegram, []string{"TELEGRAM_BOT_TOKEN"}, []string{"TELEGRAM_WEBHOOK_SECRET"},
		func(env func(string) string, hc *http.Client) (channels.Sender, error) {
			return telegram.New(telegram.Config{BaseURL: env("TELEGRAM_API_URL"), Token: env("TELEGRAM_BOT_TOKEN")}, hc)
		},
		func(env func(string) string) (channels.Webhook, error) {
			return telegram.NewWebhook(env("TELEGRAM_WEBHOOK_SECRET"))
		}},
	{followup.LINE, []string{"LINE_CHANNEL_TOKEN"}, []string{"LINE_CHANNEL_SECRET"},
		func(env func(string) string, hc *http.Client) (channels.Sender, error) {
			return line.New(line.Config{BaseURL: env("LINE_API_URL"), ChannelAccessToken: env("LINE_CHANNEL_TOKEN")}, hc)
		},
		func(env func(string) string) (channels.Webhook, error) {
			return line.NewWebhook(env("LINE_CHANNEL_SECRET"))
		}},
	{followup.SMS, []string{"TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM"}, []string{"TWILIO_AUTH_TOKEN"},
		func(env func(string) string, hc *http.Client) (channels.Sender, error) {
			// With a public URL, Twilio posts each message's delivery
			// statuses there, carrying our reference: a message left
			// unconfirmed by a lost answer is confirmed by them.
			callback := ""
			if pub := strings.TrimRight(strings.TrimSpace(env("FOLLOWUP_PUBLIC_URL")), "/"); pub != "" {
				callback = pub + "/webhooks/sms"
			}
			return twilio.New(twilio.Config{BaseURL: env("TWILIO_API_URL"), AccountSID: env("TWILIO_ACCOUNT_SID"), AuthToken: env("TWILIO_AUTH_TOKEN"), From: env("TWILIO_FROM"), StatusCallback: callback}, hc)
		},
		func(env func(string) string) (channels.Webhook, error) {
			// Twilio signs the public URL it called: FOLLOWUP_PUBLIC_URL.
			return twilio.NewWebhook(twilio.WebhookConfig{AuthToken: env("TWILIO_AUTH_TOKEN"), PublicBaseURL: env("FOLLOWUP_PUBLIC_URL")})
		}},
	{followup.Email, []string{"SMTP_URL", "EMAIL_FROM"}, []string{"EMAIL_WEBHOOK_SECRET"},
		func(env func(string) string, hc *http.Client) (channels.Sender, error) {
			return email.New(email.Config{BaseURL: env("SMTP_URL"), From: env("EMAIL_FROM")}, hc)
		},
		func(env func(string) string) (channels.Webhook, error) {
			return email.NewWebhook(env("EMAIL_WEBHOOK_SECRET")), nil
		}},
	{followup.Webchat, []string{"WEBCHAT_API_URL", "WEBCHAT_TOKEN"}, []string{"WEBCHAT_SITE_TOKEN"},
		func(env func(string) string, hc *http.Client) (channels.Sender, error) {
			return webchat.New(webchat.Config{BaseURL: env("WEBCHAT_API_URL"), Token: env("WEBCHAT_TOKEN")}, hc)
		},
		func(env func(string) string) (channels.Webhook, error) {
			return webchat.NewWebhook(env("WEBCHAT_SITE_TOKEN")), nil
		}},
}

// channelSet is what this process can send and receive, per channel.
type channelSet struct {
	senders   map[followup.Channel]channels.Sender
	hooks     map[followup.Channel]channels.Webhook
	sandboxed []followup.Channel
	// sandbox runs the fake providers of the sandboxed channels.
	sandbox *sandbox.Sandbox
}

// close stops the sandbox's fake providers.
func (s channelSet) close() {
	if s.sandbox != nil {
		s.sandbox.Close()
	}
}

// loadChannels reads every channel's credentials. A channel with some but
// not all of its variables is an error naming the missing one; one with
// none runs in the sandbox when sandboxOK (followup dev, worker --sandbox):
// the real adapter against a local fake provider, its outbound messages
// logged to log and listed by `followup outbox`, its webhook verified with
// the fake's secret. It is unavailable otherwise. Webhook secrets that are
// set are always enforced, in the sandbox too. Close the set when done.
func loadChannels(getenv func(string) string, st *store.Store, sandboxOK bool, log io.Writer) (channelSet, error) {
	env := func(k string) string { return strings.TrimSpace(getenv(k)) }
	set := channelSet{senders: map[followup.Channel]channels.Sender{}, hooks: map[followup.Channel]channels.Webhook{}}
	hc := &http.Client{Timeout: 20 * time.Second}
	specs := map[followup.Channel]channelSpec{}
	for _, s := range channelSpecs {
		specs[s.channel] = s
	}
	for _, ch := range followup.Channels {
		s := specs[ch]
		given, missing := 0, ""
		for _, k := range s.send {
			if env(k) != "" {
				given++
			} else if missing == "" {
				missing = k
			}
		}
		switch {
		case given == 0 && sandboxOK:
			set.sandboxed = append(set.sandboxed, ch)
		case given == 0:
		case missing != "":
			return set, &ConfigError{missing, fmt.Sprintf("%s is partly configured: set %s too (or none of them for the sandbox)", ch.Title(), strings.Join(s.send, ", "))}
		default:
			sender, err := s.build(env, hc)
			if err != nil {
				return set, &ConfigError{s.send[0], err.Error()}
			}
			set.senders[ch] = sender
		}
		hookGiven, hookMissing := 0, ""
		for _, k := range s.hook {
			if env(k) != "" {
				hookGiven++
			} else if hookMissing == "" {
				hookMissing = k
			}
		}
		switch {
		case hookGiven == 0:
		case hookMissing != "":
			return set, &ConfigError{hookMissing, fmt.Sprintf("the %s webhook needs %s", ch.Title(), strings.Join(s.hook, " and "))}
		default:
			h, err := s.webhook(env)
			if err != nil {
				return set, &ConfigError{s.hook[0], err.Error()}
			}
			set.hooks[ch] = h
		}
	}
	if len(set.sandboxed) == 0 {
		return set, nil
	}
	sb, err := sandbox.Start(st, sandbox.Options{Channels: set.sandboxed, Log: log, HTTPClient: hc,
		ViberSenderName: env("VIBER_SENDER_NAME"), PublicBaseURL: env("FOLLOWUP_PUBLIC_URL")})
	if err != nil {
		return set, fmt.Errorf("start the sandbox: %w", err)
	}
	set.sandbox = sb
	for _, ch := range set.sandboxed {
		set.senders[ch] = sb.Sender(ch)
		if set.hooks[ch] == nil {
			set.hooks[ch] = sb.Webhook(ch)
		}
	}
	return set, nil
}
