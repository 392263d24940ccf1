package sandbox

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels/email"
	"github.com/followup-dev/followup/channels/email/emailtest"
	"github.com/followup-dev/followup/channels/instagram/instagramtest"
	"github.com/followup-dev/followup/channels/line"
	"github.com/followup-dev/followup/channels/line/linetest"
	"github.com/followup-dev/followup/channels/messenger/messengertest"
	"github.com/followup-dev/followup/channels/meta"
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
	"github.com/followup-dev/followup/channels/whatsapp/whatsapptest"
)

// SecretVar is the environment variable holding the secret that signs ch's
// webhooks (the one the server verifies them with).
func SecretVar(ch followup.Channel) string {
	switch ch {
	case followup.WhatsApp, followup.Messenger, followup.Instagram:
		return "META_APP_SECRET"
	case followup.Viber:
		return "VIBER_AUTH_TOKEN"
	case followup.WeChat:
		return "WECHAT_TOKEN"
	case followup.Telegram:
		return "TELEGRAM_WEBHOOK_SECRET"
	case followup.LINE:
		return "LINE_CHANNEL_SECRET"
	case followup.SMS:
		return "TWILIO_AUTH_TOKEN"
	case followup.Email:
		return "EMAIL_WEBHOOK_SECRET"
	case followup.Webchat:
		return "WEBCHAT_SITE_TOKEN"
	}
	return ""
}

// FakeSecret is the secret ch's fake provider signs its webhooks with, the
// one a sandboxed channel's webhook is verified with when SecretVar is unset.
func FakeSecret(ch followup.Channel) string {
	switch ch {
	case followup.WhatsApp:
		return whatsapptest.AppSecret
	case followup.Messenger:
		return messengertest.AppSecret
	case followup.Instagram:
		return instagramtest.AppSecret
	case followup.Viber:
		return vibertest.Token
	case followup.WeChat:
		return wechattest.Token
	case followup.Telegram:
		return telegramtest.Secret
	case followup.LINE:
		return linetest.ChannelSecret
	case followup.SMS:
		return twiliotest.AuthToken
	case followup.Email:
		return emailtest.DefaultSecret
	case followup.Webchat:
		return webchattest.DefaultSiteToken
	}
	return ""
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

// Target is where a simulated webhook goes and how it is signed.
type Target struct {
	// URL is where to POST: http://HTTP_ADDR/webhooks/<channel>.
	URL string
	// PublicURL is the URL Twilio signs (FOLLOWUP_PUBLIC_URL + the path);
	// empty means URL, which is what the server checks when
	// FOLLOWUP_PUBLIC_URL is unset.
	PublicURL string
	// Secret signs the request (WebhookSecret); empty is the fake's.
	Secret string
}

var (
	digits   = regexp.MustCompile(`^[1-9][0-9]*$`)
	lineUser = regexp.MustCompile(`^U[0-9a-f]{32}$`)
)

// WebhookRequest builds the webhook the provider of in.Channel posts when
// the customer writes in.Text: its payload (the fake's builder), signed
// the way that provider signs, ready to send to t.URL.
func WebhookRequest(in Inbound, t Target) (*http.Request, error) {
	if in.From == "" {
		return nil, fmt.Errorf("sandbox: a %s message needs the customer's id", in.Channel.Title())
	}
	secret := t.Secret
	if secret == "" {
		secret = FakeSecret(in.Channel)
	}
	now := time.Now()
	if in.At.IsZero() {
		in.At = now
	}
	if _, err := url.Parse(t.URL); err != nil {
		return nil, fmt.Errorf("sandbox: webhook URL: %w", err)
	}
	post := func(contentType string, body []byte) (*http.Request, error) {
		r, err := http.NewRequest(http.MethodPost, t.URL, bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("sandbox: webhook request: %w", err)
		}
		r.Header.Set("Content-Type", contentType)
		return r, nil
	}
	metaSigned := func(body []byte) (*http.Request, error) {
		r, err := post("application/json", body)
		if err == nil {
			r.Header.Set(meta.SignatureHeader, meta.Sign(secret, body))
		}
		return r, err
	}
	ts := strconv.FormatInt(now.Unix(), 10)

	switch in.Channel {
	case followup.WhatsApp:
		id := in.ID
		if id == "" {
			id = "wamid.sandbox" + randomHex(16)
		}
		// Meta names WhatsApp users by their number without the "+".
		return metaSigned(whatsapptest.MessageBody(whatsapptest.Inbound{
			From: strings.TrimPrefix(in.From, "+"), Name: in.Name, ID: id, Text: in.Text, At: in.At}))
	case followup.Messenger:
		return metaSigned(messengertest.MessageBody(messengertest.Inbound{PSID: in.From, Mid: orRandom(in.ID, "m_sandbox"), Text: in.Text, At: in.At}))
	case followup.Instagram:
		return metaSigned(instagramtest.MessageBody(instagramtest.Inbound{IGSID: in.From, Mid: orRandom(in.ID, "aWdfZAG1f"), Text: in.Text, At: in.At}))
	case followup.Viber:
		token := int64(randomUint63())
		if in.ID != "" {
			n, err := strconv.ParseInt(in.ID, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("sandbox: a Viber message_token is a number, not %q", in.ID)
			}
			token = n
		}
		body := vibertest.MessageBody(in.From, in.Name, in.Text, token, in.At)
		r, err := post("application/json", body)
		if err == nil {
			r.Header.Set(viber.SignatureHeader, hex.EncodeToString(viber.Sign(secret, body)))
		}
		return r, err
	case followup.WeChat:
		msgID := int64(randomUint63())
		if in.ID != "" {
			n, err := strconv.ParseInt(in.ID, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("sandbox: a WeChat MsgId is a number, not %q", in.ID)
			}
			msgID = n
		}
		// WeChat signs the query: token, timestamp and nonce.
		nonce := strconv.FormatUint(randomUint63()%1e10, 10)
		q := url.Values{"signature": {wechat.Signature(secret, ts, nonce)}, "timestamp": {ts}, "nonce": {nonce}}
		sep := "?"
		if strings.Contains(t.URL, "?") {
			sep = "&"
		}
		r, err := http.NewRequest(http.MethodPost, t.URL+sep+q.Encode(), bytes.NewReader(wechattest.TextBody(in.From, in.Text, msgID, in.At)))
		if err != nil {
			return nil, fmt.Errorf("sandbox: webhook request: %w", err)
		}
		r.Header.Set("Content-Type", "text/xml")
		return r, nil
	case followup.Telegram:
		chat, err := strconv.ParseInt(in.From, 10, 64)
		if err != nil || !digits.MatchString(in.From) {
			return nil, fmt.Errorf("sandbox: a Telegram chat id is a positive integer, not %q", in.From)
		}
		first, last, _ := strings.Cut(strings.TrimSpace(in.Name), " ")
		update := int64(randomUint63()>>32) + 1
		body := telegramtest.UpdateBody(telegramtest.Inbound{UpdateID: update, ChatID: chat, FirstName: first, LastName: last,
			Text: in.Text, Date: in.At, MessageID: int64(randomUint63()>>40) + 1})
		r, err := post("application/json", body)
		if err == nil {
			r.Header.Set(telegram.SecretHeader, secret)
		}
		return r, err
	case followup.LINE:
		if !lineUser.MatchString(in.From) {
			return nil, fmt.Errorf("sandbox: a LINE user id is U and 32 hex digits, not %q", in.From)
		}
		body := linetest.MessagePayload(linetest.Inbound{UserID: in.From, Text: in.Text, MessageID: in.ID, Timestamp: in.At})
		r, err := post("application/json; charset=utf-8", body)
		if err == nil {
			r.Header.Set(line.SignatureHeader, line.Sign(secret, body))
		}
		return r, err
	case followup.SMS:
		sid := in.ID
		if sid == "" {
			sid = twiliotest.NewSID("SM")
		}
		params := twiliotest.InboundParams(sid, in.From, in.Text)
		r, err := post("application/x-www-form-urlencoded", []byte(params.Encode()))
		if err != nil {
			return nil, err
		}
		signed := t.PublicURL
		if signed == "" {
			signed = t.URL
		}
		r.Header.Set("User-Agent", "TwilioProxy/1.1")
		r.Header.Set(twilio.SignatureHeader, twilio.Signature(secret, signed, params))
		return r, nil
	case followup.Email:
		from := (&mail.Address{Name: in.Name, Address: in.From}).String()
		id := in.ID
		if id == "" {
			id = "<" + randomHex(16) + "@sandbox.followup.dev>"
		}
		body, err := json.Marshal(emailtest.Inbound{From: from, To: "support@demo.followup.dev", Subject: "Re: " + email.DefaultSubject,
			Text: in.Text, MessageID: id, Date: in.At.Format(time.RFC1123Z)})
		if err != nil {
			return nil, fmt.Errorf("sandbox: email webhook: %w", err)
		}
		r, err := post("application/json", body)
		if err == nil {
			r.Header.Set(email.TimestampHeader, ts)
			r.Header.Set(email.SignatureHeader, "sha256="+hex.EncodeToString(email.Sign(secret, ts, body)))
		}
		return r, err
	case followup.Webchat:
		if !webchat.ValidVisitorID(in.From) {
			return nil, fmt.Errorf("sandbox: %q is not a website-chat visitor id", in.From)
		}
		body, err := json.Marshal(webchat.InboundMessage{Type: "message", VisitorID: in.From, Text: in.Text,
			SentAt: in.At.UTC().Format(time.RFC3339), MessageID: orRandom(in.ID, "wm_"), Name: in.Name})
		if err != nil {
			return nil, fmt.Errorf("sandbox: webchat webhook: %w", err)
		}
		r, err := post("application/json", body)
		if err == nil {
			// The widget signs with the visitor's key, derived from the site token.
			r.Header.Set(webchat.VisitorHeader, in.From)
			r.Header.Set(webchat.TimestampHeader, ts)
			r.Header.Set(webchat.SignatureHeader, "sha256="+hex.EncodeToString(webchat.Sign(webchat.VisitorKey(secret, in.From), ts, body)))
		}
		return r, err
	}
	return nil, fmt.Errorf("sandbox: no webhook for channel %q", in.Channel)
}

func orRandom(id, prefix string) string {
	if id != "" {
		return id
	}
	return prefix + randomHex(16)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func randomUint63() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint64(b[:]) >> 1
}
