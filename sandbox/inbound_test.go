package sandbox_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
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
)

// verifier is ch's real webhook, configured with secret as the server
// would be; publicBase is Twilio's FOLLOWUP_PUBLIC_URL.
func verifier(t *testing.T, ch followup.Channel, secret, publicBase string) channels.Webhook {
	t.Helper()
	var h channels.Webhook
	var err error
	switch ch {
	case followup.WhatsApp:
		h, err = whatsapp.NewWebhook(secret, "verify")
	case followup.Messenger:
		h, err = messenger.NewWebhook(secret, "verify")
	case followup.Instagram:
		h, err = instagram.NewWebhook(secret, "verify")
	case followup.Viber:
		h = viber.NewWebhook(secret)
	case followup.WeChat:
		h = wechat.NewWebhook(secret)
	case followup.Telegram:
		h, err = telegram.NewWebhook(secret)
	case followup.LINE:
		h, err = line.NewWebhook(secret)
	case followup.SMS:
		h, err = twilio.NewWebhook(twilio.WebhookConfig{AuthToken: secret, PublicBaseURL: publicBase})
	case followup.Email:
		h = email.NewWebhook(secret)
	case followup.Webchat:
		h = webchat.NewWebhook(secret)
	default:
		t.Fatalf("no webhook for %s", ch)
	}
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// customers are an id in each provider's format and what the verified
// event's ExternalID must be (WhatsApp drops the "+").
var customers = map[followup.Channel][2]string{
	followup.WhatsApp:  {"+14155550142", "14155550142"},
	followup.Messenger: {"1254477777772919", "1254477777772919"},
	followup.Instagram: {"17841405309211844", "17841405309211844"},
	followup.Viber:     {"01234567890A+bcdEFghIJ==", "01234567890A+bcdEFghIJ=="},
	followup.WeChat:    {"oV4f2s0WJ3m1Ns8nK5zB1xY_9q-A", "oV4f2s0WJ3m1Ns8nK5zB1xY_9q-A"},
	followup.Telegram:  {"5123456789", "5123456789"},
	followup.LINE:      {"U4af4980629d9f5b9b7b1b3a2c1d0e9f8", "U4af4980629d9f5b9b7b1b3a2c1d0e9f8"},
	followup.SMS:       {"+33612345678", "+33612345678"},
	followup.Email:     {"zoe.martin@demo.followup.dev", "zoe.martin@demo.followup.dev"},
	followup.Webchat:   {"v-1a2b3c4d5e6f7a8b", "v-1a2b3c4d5e6f7a8b"},
}

// TestWebhookRequestVerifiesForEveryChannel feeds the built webhook to each
// channel's real verifier and parser, signed with the fake's secret and
// with a configured one; a verifier holding the other secret refuses it.
func TestWebhookRequestVerifiesForEveryChannel(t *testing.T) {
	if len(customers) != len(followup.Channels) {
		t.Fatalf("the test covers %d of %d channels", len(customers), len(followup.Channels))
	}
	at := time.Now().Add(-90 * time.Second).Truncate(time.Millisecond)
	for _, ch := range followup.Channels {
		for _, custom := range []string{"", "a-configured-secret-0123456789abcdef"} {
			name := string(ch) + "/fake secret"
			if custom != "" {
				name = string(ch) + "/configured secret"
			}
			t.Run(name, func(t *testing.T) {
				const target = "http://127.0.0.1:8080/webhooks/"
				from, wantID := customers[ch][0], customers[ch][1]
				in := sandbox.Inbound{Channel: ch, From: from, Name: "Zoë Martin", Text: "solved, thanks ✓", At: at}
				r, err := sandbox.WebhookRequest(in, sandbox.Target{URL: target + string(ch), Secret: custom})
				if err != nil {
					t.Fatal(err)
				}
				if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.String(), target+string(ch)) {
					t.Fatalf("%s %s", r.Method, r.URL)
				}
				body, err := io.ReadAll(r.Body)
				if err != nil {
					t.Fatal(err)
				}
				// The other secret: the fake's for a configured one, and vice versa.
				secret, other := custom, sandbox.FakeSecret(ch)
				if custom == "" {
					secret, other = sandbox.FakeSecret(ch), sandbox.FakeSecret(ch)+"x"
				}
				if err := verifier(t, ch, other, "").Verify(r, body); !errors.Is(err, channels.ErrSignature) {
					t.Fatalf("a verifier with another secret said %v", err)
				}
				h := verifier(t, ch, secret, "")
				if err := h.Verify(r, body); err != nil {
					t.Fatalf("verify: %v", err)
				}
				evs, err := h.Parse(r, body)
				if err != nil || len(evs) != 1 {
					t.Fatalf("parse: %v %+v", err, evs)
				}
				e := evs[0]
				if e.Kind != channels.Message || e.ExternalID != wantID || e.Text != in.Text {
					t.Errorf("event %+v; want a message from %q saying %q", e, wantID, in.Text)
				}
				if e.DedupKey == "" && e.ProviderMessageID == "" {
					t.Errorf("event without an id: %+v", e)
				}
				switch ch {
				case followup.SMS:
					// Twilio's inbound webhook carries no time.
					if !e.At.IsZero() {
						t.Errorf("at %v", e.At)
					}
				case followup.Messenger, followup.Instagram, followup.LINE, followup.Viber:
					if !e.At.Equal(at) {
						t.Errorf("at %v, want %v", e.At, at)
					}
				default:
					if !e.At.Equal(at.Truncate(time.Second)) {
						t.Errorf("at %v, want %v", e.At, at.Truncate(time.Second))
					}
				}
			})
		}
	}
}

// TestWebhookRequestIDsAreUnique: two replies with the same text are two
// messages, not one webhook delivered twice.
func TestWebhookRequestIDsAreUnique(t *testing.T) {
	at := time.Now()
	for _, ch := range followup.Channels {
		keys := map[string]bool{}
		for range 2 {
			in := sandbox.Inbound{Channel: ch, From: customers[ch][0], Name: "Zoë Martin", Text: "same", At: at}
			r, err := sandbox.WebhookRequest(in, sandbox.Target{URL: "http://127.0.0.1:8080/webhooks/" + string(ch)})
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(r.Body)
			evs, err := verifier(t, ch, sandbox.FakeSecret(ch), "").Parse(r, body)
			if err != nil || len(evs) != 1 {
				t.Fatalf("%s: %v %v", ch, evs, err)
			}
			keys[evs[0].DedupKey+"|"+evs[0].ProviderMessageID] = true
		}
		if len(keys) != 2 {
			t.Errorf("%s: two replies share their ids: %v", ch, keys)
		}
	}
}

// TestWebhookRequestTwilioPublicURL: behind FOLLOWUP_PUBLIC_URL Twilio signs
// the public URL, not the one the request was posted to.
func TestWebhookRequestTwilioPublicURL(t *testing.T) {
	in := sandbox.Inbound{Channel: followup.SMS, From: "+33612345678", Text: "hi"}
	r, err := sandbox.WebhookRequest(in, sandbox.Target{URL: "http://127.0.0.1:8080/webhooks/sms", PublicURL: "https://followup.example.com/webhooks/sms"})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r.Body)
	if err := verifier(t, followup.SMS, sandbox.FakeSecret(followup.SMS), "https://followup.example.com").Verify(r, body); err != nil {
		t.Fatalf("public URL: %v", err)
	}
	if err := verifier(t, followup.SMS, sandbox.FakeSecret(followup.SMS), "").Verify(r, body); err == nil {
		t.Fatal("verified against the local URL too")
	}
}

func TestWebhookRequestRefusesIDsOfAnotherFormat(t *testing.T) {
	for ch, from := range map[followup.Channel]string{
		followup.Telegram: "demo-telegram-Liam",
		followup.LINE:     "demo-line-Aiko",
		followup.Webchat:  "v!",
		followup.WhatsApp: "",
	} {
		if _, err := sandbox.WebhookRequest(sandbox.Inbound{Channel: ch, From: from, Text: "x"}, sandbox.Target{URL: "http://127.0.0.1:1/"}); err == nil {
			t.Errorf("%s id %q accepted", ch, from)
		}
	}
}

func TestWebhookSecret(t *testing.T) {
	env := map[string]string{"META_APP_SECRET": " set-meta "}
	getenv := func(k string) string { return env[k] }
	if got := sandbox.WebhookSecret(followup.Messenger, getenv); got != "set-meta" {
		t.Errorf("messenger: %q", got)
	}
	if got := sandbox.WebhookSecret(followup.LINE, getenv); got != sandbox.FakeSecret(followup.LINE) || got == "" {
		t.Errorf("line: %q", got)
	}
	for _, ch := range followup.Channels {
		if sandbox.SecretVar(ch) == "" || sandbox.FakeSecret(ch) == "" {
			t.Errorf("%s: no secret", ch)
		}
	}
}
