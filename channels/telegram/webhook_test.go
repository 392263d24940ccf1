package telegram_test

import (
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/channelstest"
	"github.com/followup-dev/followup/channels/telegram"
	"github.com/followup-dev/followup/channels/telegram/telegramtest"
)

const target = "https://followup.example/webhooks/telegram"

func newWebhook(t *testing.T) *telegram.Webhook {
	return channelstest.Must(telegram.NewWebhook(telegramtest.Secret))(t)
}

func TestNewWebhookNeedsSecret(t *testing.T) {
	if _, err := telegram.NewWebhook(""); err == nil {
		t.Fatal("NewWebhook without secret succeeded")
	}
}

func TestWebhookParsesSignedMessage(t *testing.T) {
	fake := telegramtest.New()
	defer fake.Close()
	hook := newWebhook(t)
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	body := fake.Update(telegramtest.Inbound{UpdateID: 1001, ChatID: 4242, FirstName: "Ada", LastName: "Lovelace", Text: "hello?", Date: at, MessageID: 17})
	events := channelstest.Receive(t, hook, telegramtest.SignedUpdate(target, telegramtest.Secret, body))
	want := channels.Event{Channel: followup.Telegram, Kind: channels.Message, ExternalID: "4242", Name: "Ada Lovelace",
		Text: "hello?", At: at, ProviderMessageID: "4242:17", DedupKey: "1001"}
	if len(events) != 1 || events[0] != want {
		t.Fatalf("events = %+v, want %+v", events, want)
	}
}

func TestWebhookSignatureRefused(t *testing.T) {
	fake := telegramtest.New()
	defer fake.Close()
	hook := newWebhook(t)
	body := fake.Update(telegramtest.Inbound{ChatID: 1, FirstName: "A", Text: "x"})
	missing := telegramtest.SignedUpdate(target, telegramtest.Secret, body)
	missing.Header.Del(telegram.SecretHeader)
	channelstest.Refuses(t, hook, map[string]channelstest.Signed{
		"forged":  {R: telegramtest.SignedUpdate(target, "not-the-secret", body), Body: body},
		"missing": {R: missing, Body: body},
		"prefix":  {R: telegramtest.SignedUpdate(target, telegramtest.Secret[:5], body), Body: body},
	})
}

func TestWebhookHandshakeNotHandled(t *testing.T) {
	channelstest.NoHandshake(t, newWebhook(t), target)
}

func TestWebhookRedeliverySameDedupKey(t *testing.T) {
	fake := telegramtest.New()
	defer fake.Close()
	hook := newWebhook(t)
	body := fake.Update(telegramtest.Inbound{ChatID: 5, FirstName: "B", Text: "again"})
	a, err := hook.Parse(nil, body)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := hook.Parse(nil, body)
	if len(a) != 1 || len(b) != 1 || a[0].DedupKey == "" || a[0].DedupKey != b[0].DedupKey {
		t.Fatalf("redelivery keys %v / %v", a, b)
	}
	other, _ := hook.Parse(nil, fake.Update(telegramtest.Inbound{ChatID: 5, FirstName: "B", Text: "again"}))
	if other[0].DedupKey == a[0].DedupKey {
		t.Fatalf("a new update reused dedup key %q", a[0].DedupKey)
	}
}

func TestWebhookSkipsAndRejects(t *testing.T) {
	hook := newWebhook(t)
	skipped := []string{
		`{"update_id":5,"edited_message":{"message_id":1,"chat":{"id":1,"type":"private"},"date":1,"text":"x"}}`,
		`{"update_id":6,"message":{"message_id":1,"chat":{"id":1,"type":"private"},"date":1,"pinned_message":{"message_id":3}}}`,
		`{"update_id":8,"message":{"message_id":1,"from":{"id":9,"is_bot":true},"chat":{"id":1,"type":"private"},"date":1,"text":"a bot"}}`,
		`{"update_id":7,"callback_query":{"id":"1"}}`,
	}
	for _, b := range skipped {
		ev, err := hook.Parse(nil, []byte(b))
		if err != nil || len(ev) != 0 {
			t.Errorf("Parse(%s) = %v, %v; want skipped", b, ev, err)
		}
	}
	for _, b := range []string{``, `{`, `[]`, `{"message":{"text":"no update id"}}`, `{"update_id":"x"}`} {
		if _, err := hook.Parse(nil, []byte(b)); err == nil {
			t.Errorf("Parse(%q) succeeded, want an error", b)
		}
	}
}

func TestWebhookMediaIsAReply(t *testing.T) {
	hook := newWebhook(t)
	for body, want := range map[string]string{
		`{"update_id":9,"message":{"message_id":2,"chat":{"id":1,"type":"private"},"date":1,"sticker":{"file_id":"a"}}}`:                  "[sticker]",
		`{"update_id":10,"message":{"message_id":3,"chat":{"id":1,"type":"private"},"date":1,"photo":[{"file_id":"p"}],"caption":"see"}}`: "see",
	} {
		ev, err := hook.Parse(nil, []byte(body))
		if err != nil || len(ev) != 1 || ev[0].Text != want {
			t.Errorf("Parse(%s) = %+v, %v; want one message %q", body, ev, err, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	fake := telegramtest.New()
	defer fake.Close()
	hook, _ := telegram.NewWebhook("s")
	channelstest.Fuzz(f, hook, followup.Telegram, channelstest.HasExternalID,
		fake.Update(telegramtest.Inbound{ChatID: 4242, FirstName: "Ada", Text: "hello"}),
		[]byte(`{"update_id":1,"message":{"chat":{"id":-1},"from":{"is_bot":true}}}`),
		[]byte(`{}`))
}
