package messenger_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/messenger"
	"github.com/followup-dev/followup/channels/messenger/messengertest"
	"github.com/followup-dev/followup/channels/meta"
)

const target = "https://followup.example/webhooks/messenger"

func newWebhook(t testing.TB) *messenger.Webhook {
	t.Helper()
	h, err := messenger.NewWebhook(messengertest.AppSecret, messengertest.VerifyToken)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func receive(t *testing.T, h *messenger.Webhook, r *http.Request) []channels.Event {
	t.Helper()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Verify(r, body); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	events, err := h.Parse(r, body)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return events
}

func TestNewWebhook(t *testing.T) {
	if _, err := messenger.NewWebhook("", "v"); err == nil || !strings.Contains(err.Error(), "app secret") {
		t.Errorf("%v", err)
	}
	if _, err := messenger.NewWebhook("s", ""); err == nil || !strings.Contains(err.Error(), "verify token") {
		t.Errorf("%v", err)
	}
}

func TestParseMessage(t *testing.T) {
	fake := messengertest.New()
	defer fake.Close()
	at := time.UnixMilli(1458692752478).UTC()
	events := receive(t, newWebhook(t), fake.SignedMessage(target, messengertest.Inbound{PSID: "PSID-1", Mid: "m_1", Text: "hello", At: at}))
	want := channels.Event{Channel: followup.Messenger, Kind: channels.Message, ExternalID: "PSID-1", Text: "hello",
		At: at, ProviderMessageID: "m_1", DedupKey: "messenger:message:m_1"}
	if len(events) != 1 || events[0] != want {
		t.Errorf("events = %+v\nwant %+v", events, want)
	}
}

func TestParseDeliveryAndRead(t *testing.T) {
	fake := messengertest.New()
	defer fake.Close()
	h := newWebhook(t)
	wm := time.UnixMilli(1458668856253).UTC()

	events := receive(t, h, fake.SignedDelivery(target, "PSID-1", []string{"m_a", "m_b"}, wm))
	if len(events) != 2 {
		t.Fatalf("events = %+v", events)
	}
	for i, mid := range []string{"m_a", "m_b"} {
		e := events[i]
		if e.Kind != channels.Status || e.Status != followup.StatusDelivered || e.ProviderMessageID != mid || e.ExternalID != "PSID-1" || !e.At.Equal(wm) {
			t.Errorf("delivery %d = %+v", i, e)
		}
	}
	if events[0].DedupKey == events[1].DedupKey {
		t.Error("two mids share a dedup key")
	}

	events = receive(t, h, fake.SignedDelivery(target, "PSID-1", nil, wm))
	if len(events) != 1 || events[0].Status != followup.StatusDelivered || events[0].ProviderMessageID != "" || !events[0].At.Equal(wm) {
		t.Errorf("watermark-only delivery = %+v", events)
	}

	read := receive(t, h, fake.SignedRead(target, "PSID-1", wm))
	if len(read) != 1 || read[0].Status != followup.StatusRead || !read[0].At.Equal(wm) || read[0].DedupKey == events[0].DedupKey {
		t.Errorf("read = %+v", read)
	}
}

func TestParseSkipsEchoesAndUnknown(t *testing.T) {
	h := newWebhook(t)
	body := `{"object":"page","entry":[{"id":"1","time":1,"messaging":[
		{"sender":{"id":"PAGE"},"recipient":{"id":"PSID"},"timestamp":1,"message":{"mid":"m_echo","text":"ours","is_echo":true}},
		{"sender":{"id":"PSID"},"recipient":{"id":"PAGE"},"timestamp":1,"reaction":{"mid":"m_x","action":"react"}},
		{"sender":{"id":"PSID"},"recipient":{"id":"PAGE"},"timestamp":1500000000000,"postback":{"mid":"m_pb","title":"Reopen","payload":"REOPEN"}}]}]}`
	events, err := h.Parse(nil, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].Kind != channels.Message || events[0].Text != "Reopen" || events[0].DedupKey != "messenger:postback:m_pb" {
		t.Errorf("events = %+v", events)
	}
}

func TestParseMalformed(t *testing.T) {
	h := newWebhook(t)
	for _, body := range []string{``, `{`, `[]`, `{"object":"instagram","entry":[]}`,
		`{"object":"page","entry":[{"messaging":[{"sender":{"id":"P"},"message":{"text":"no mid"}}]}]}`,
		`{"object":"page","entry":[{"messaging":[{"sender":{"id":"P"},"timestamp":"soon","message":{"mid":"m"}}]}]}`} {
		if _, err := h.Parse(nil, []byte(body)); err == nil {
			t.Errorf("%q: no error", body)
		}
	}
}

func TestDuplicateDeliverySameKey(t *testing.T) {
	fake := messengertest.New()
	defer fake.Close()
	h := newWebhook(t)
	in := messengertest.Inbound{PSID: "P", Mid: "m_dup", Text: "hi", At: time.Now()}
	a := receive(t, h, fake.SignedMessage(target, in))
	b := receive(t, h, fake.SignedMessage(target, in))
	if a[0].DedupKey == "" || a[0].DedupKey != b[0].DedupKey {
		t.Errorf("%q vs %q", a[0].DedupKey, b[0].DedupKey)
	}
}

func TestVerifyRefuses(t *testing.T) {
	fake := messengertest.New()
	defer fake.Close()
	h := newWebhook(t)
	r := fake.SignedMessage(target, messengertest.Inbound{PSID: "P", Mid: "m", Text: "hi", At: time.Now()})
	body, _ := io.ReadAll(r.Body)
	if err := h.Verify(r, body); err != nil {
		t.Fatalf("valid: %v", err)
	}
	tampered := []byte(strings.Replace(string(body), `"hi"`, `"hj"`, 1))
	if err := h.Verify(r, tampered); !errors.Is(err, channels.ErrSignature) {
		t.Errorf("tampered: %v", err)
	}
	forged := httptest.NewRequest(http.MethodPost, target, nil)
	forged.Header.Set(meta.SignatureHeader, meta.Sign("guessed-secret", body))
	if err := h.Verify(forged, body); !errors.Is(err, channels.ErrSignature) {
		t.Errorf("forged: %v", err)
	}
	if err := h.Verify(httptest.NewRequest(http.MethodPost, target, nil), body); !errors.Is(err, channels.ErrSignature) {
		t.Errorf("missing: %v", err)
	}
}

func TestHandshake(t *testing.T) {
	h := newWebhook(t)
	w := httptest.NewRecorder()
	ok := h.Handshake(w, httptest.NewRequest(http.MethodGet, target+"?hub.mode=subscribe&hub.verify_token="+messengertest.VerifyToken+"&hub.challenge=42", nil))
	if !ok || w.Code != 200 || w.Body.String() != "42" {
		t.Errorf("ok: %v %d %q", ok, w.Code, w.Body.String())
	}
	w = httptest.NewRecorder()
	ok = h.Handshake(w, httptest.NewRequest(http.MethodGet, target+"?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=42", nil))
	if !ok || w.Code != http.StatusForbidden || strings.Contains(w.Body.String(), "42") {
		t.Errorf("refused: %v %d %q", ok, w.Code, w.Body.String())
	}
	if h.Handshake(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, target, nil)) {
		t.Error("a POST was taken for a handshake")
	}
}

func FuzzParse(f *testing.F) {
	fake := messengertest.New()
	defer fake.Close()
	for _, r := range []*http.Request{
		fake.SignedMessage(target, messengertest.Inbound{PSID: "P", Mid: "m", Text: "hi", At: time.Unix(1, 0)}),
		fake.SignedDelivery(target, "P", []string{"m"}, time.Unix(1, 0)),
		fake.SignedRead(target, "P", time.Unix(1, 0)),
	} {
		b, _ := io.ReadAll(r.Body)
		f.Add(b)
	}
	h := newWebhook(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := h.Parse(nil, body)
		if err != nil && events != nil {
			t.Error("events with an error")
		}
		for _, e := range events {
			if e.DedupKey == "" || e.Channel != followup.Messenger {
				t.Errorf("event %+v", e)
			}
		}
	})
}
