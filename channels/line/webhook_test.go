package line_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/channelstest"
	"github.com/followup-dev/followup/channels/line"
	"github.com/followup-dev/followup/channels/line/linetest"
)

const target = "https://followup.example/webhooks/line"

func newWebhook(t *testing.T) *line.Webhook {
	return channelstest.Must(line.NewWebhook(linetest.ChannelSecret))(t)
}

func TestNewWebhookNeedsSecret(t *testing.T) {
	_, err := line.NewWebhook("")
	channelstest.ErrorNames(t, err, "secret")
}

func TestWebhookParsesSignedMessage(t *testing.T) {
	fake := channelstest.Start(t, linetest.New)
	at := time.Date(2026, 3, 1, 9, 30, 0, 123e6, time.UTC)
	in := linetest.Inbound{UserID: ada, Text: "hello?", MessageID: "468789577898262530", WebhookEventID: "01H810YECXQQZ37VAXPF6H9E6T", Timestamp: at}
	channelstest.Event(t, channelstest.ReceiveOne(t, newWebhook(t), fake.SignedMessage(target, in)), channels.Event{
		Channel: followup.LINE, Kind: channels.Message, ExternalID: ada, Text: "hello?", At: at,
		ProviderMessageID: "468789577898262530", DedupKey: "01H810YECXQQZ37VAXPF6H9E6T"})
}

func TestWebhookSignatureRefused(t *testing.T) {
	fake := channelstest.Start(t, linetest.New)
	hook := newWebhook(t)
	body := fake.Payload(linetest.Inbound{UserID: ada, Text: "x"})
	channelstest.Refuses(t, hook, map[string]channelstest.Signed{
		"forged":   {R: linetest.SignedRequest(target, "another-secret", body), Body: body},
		"tampered": {R: linetest.SignedRequest(target, linetest.ChannelSecret, body), Body: append(append([]byte{}, body...), ' ')},
		"missing":  {R: withoutHeader(linetest.SignedRequest(target, linetest.ChannelSecret, body), line.SignatureHeader), Body: body},
		"garbage":  {R: withHeader(linetest.SignedRequest(target, linetest.ChannelSecret, body), line.SignatureHeader, "%%%"), Body: body},
	})
}

func TestWebhookHandshakeNotHandled(t *testing.T) {
	channelstest.NoHandshake(t, newWebhook(t), target)
}

func TestWebhookRedeliverySameDedupKey(t *testing.T) {
	fake := channelstest.Start(t, linetest.New)
	channelstest.Redelivered(t, newWebhook(t),
		fake.Payload(linetest.Inbound{UserID: ada, Text: "again", MessageID: "1", WebhookEventID: "01EVT"}),
		fake.Payload(linetest.Inbound{UserID: ada, Text: "again", MessageID: "1", WebhookEventID: "01EVT", Redelivery: true}),
		fake.Payload(linetest.Inbound{UserID: ada, Text: "again"}))
}

func TestWebhookSkipsAndRejects(t *testing.T) {
	hook := newWebhook(t)
	// The console's "Verify" request: no events, nothing to do.
	channelstest.Skips(t, hook, `{"destination":"U1","events":[]}`)
	body := []byte(`{"destination":"U1","events":[
	 {"type":"follow","timestamp":1,"webhookEventId":"a","source":{"type":"user","userId":"U1"}},
	 {"type":"message","timestamp":1,"webhookEventId":"b","source":{"type":"group","groupId":"C1","userId":"U1"},"message":{"id":"1","type":"text","text":"in a group"}},
	 {"type":"message","mode":"standby","timestamp":1,"webhookEventId":"c","source":{"type":"user","userId":"U1"},"message":{"id":"2","type":"text","text":"standby"}},
	 {"type":"somethingNew","timestamp":1,"webhookEventId":"d"},
	 {"type":"message","timestamp":1700000000000,"webhookEventId":"e","source":{"type":"user","userId":"U2"},"message":{"id":"3","type":"sticker","packageId":"1","stickerId":"1"}}]}`)
	ev, err := hook.Parse(nil, body)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev) != 1 || ev[0].ExternalID != "U2" || ev[0].Text != "[sticker]" || ev[0].DedupKey != "e" || !ev[0].At.Equal(time.UnixMilli(1700000000000)) {
		t.Fatalf("events = %+v, want only U2's sticker", ev)
	}
	channelstest.Rejects(t, hook, ``, `{`, `[]`, `{"destination":"U1"}`, `{"events":[1]}`, `{"events":{}}`)
}

func FuzzParse(f *testing.F) {
	fake := channelstest.Start(f, linetest.New)
	hook, _ := line.NewWebhook("s")
	channelstest.Fuzz(f, hook, followup.LINE, channelstest.HasExternalID,
		fake.Payload(linetest.Inbound{UserID: ada, Text: "hello"}),
		[]byte(`{"events":[{"type":"message","source":{"type":"user","userId":"U"},"message":{}}]}`),
		[]byte(`{"events":[null]}`))
}

func withoutHeader(r *http.Request, h string) *http.Request { r.Header.Del(h); return r }

func withHeader(r *http.Request, h, v string) *http.Request { r.Header.Set(h, v); return r }
