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
	_, err := telegram.NewWebhook("")
	channelstest.ErrorNames(t, err, "secret")
}

func TestWebhookParsesSignedMessage(t *testing.T) {
	fake := channelstest.Start(t, telegramtest.New)
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	body := fake.Update(telegramtest.Inbound{UpdateID: 1001, ChatID: 4242, FirstName: "Ada", LastName: "Lovelace", Text: "hello?", Date: at, MessageID: 17})
	channelstest.Event(t, channelstest.ReceiveOne(t, newWebhook(t), telegramtest.SignedUpdate(target, telegramtest.Secret, body)), channels.Event{
		Channel: followup.Telegram, Kind: channels.Message, ExternalID: "4242", Name: "Ada Lovelace",
		Text: "hello?", At: at, ProviderMessageID: "4242:17", DedupKey: "1001"})
}

func TestWebhookSignatureRefused(t *testing.T) {
	fake := channelstest.Start(t, telegramtest.New)
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
	fake := channelstest.Start(t, telegramtest.New)
	body := fake.Update(telegramtest.Inbound{ChatID: 5, FirstName: "B", Text: "again"})
	channelstest.Redelivered(t, newWebhook(t), body, body, fake.Update(telegramtest.Inbound{ChatID: 5, FirstName: "B", Text: "again"}))
}

func TestWebhookSkipsAndRejects(t *testing.T) {
	hook := newWebhook(t)
	channelstest.Skips(t, hook,
		`{"update_id":5,"edited_message":{"message_id":1,"chat":{"id":1,"type":"private"},"date":1,"text":"x"}}`,
		`{"update_id":6,"message":{"message_id":1,"chat":{"id":1,"type":"private"},"date":1,"pinned_message":{"message_id":3}}}`,
		`{"update_id":8,"message":{"message_id":1,"from":{"id":9,"is_bot":true},"chat":{"id":1,"type":"private"},"date":1,"text":"a bot"}}`,
		`{"update_id":7,"callback_query":{"id":"1"}}`)
	channelstest.Rejects(t, hook, ``, `{`, `[]`, `{"message":{"text":"no update id"}}`, `{"update_id":"x"}`)
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
	fake := channelstest.Start(f, telegramtest.New)
	hook, _ := telegram.NewWebhook("s")
	channelstest.Fuzz(f, hook, followup.Telegram, channelstest.HasExternalID,
		fake.Update(telegramtest.Inbound{ChatID: 4242, FirstName: "Ada", Text: "hello"}),
		[]byte(`{"update_id":1,"message":{"chat":{"id":-1},"from":{"is_bot":true}}}`),
		[]byte(`{}`))
}
