package viber_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/viber"
	"github.com/followup-dev/followup/channels/viber/vibertest"
)

const target = "http://followup.test/webhooks/viber"

func body(t *testing.T, r *http.Request) []byte {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWebhookMessage(t *testing.T) {
	hook := viber.NewWebhook(vibertest.Token)
	at := time.Date(2026, 3, 1, 9, 30, 0, 123e6, time.UTC)
	r := vibertest.SignedMessage(target, "01234567890A=", "Ada Lovelace", "still broken", 4912661846655238145, at)
	b := body(t, r)
	if err := hook.Verify(r, b); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	evs, err := hook.Parse(r, b)
	if err != nil || len(evs) != 1 {
		t.Fatalf("Parse = %v, %v", evs, err)
	}
	e := evs[0]
	want := channels.Event{Channel: followup.Viber, Kind: channels.Message, ExternalID: "01234567890A=", Name: "Ada Lovelace",
		Text: "still broken", At: at, ProviderMessageID: "4912661846655238145", DedupKey: "viber:message:4912661846655238145"}
	if e != want {
		t.Errorf("event = %+v\nwant    %+v", e, want)
	}
}

func TestWebhookStatuses(t *testing.T) {
	hook := viber.NewWebhook(vibertest.Token)
	at := time.Unix(1750857384, 0).UTC()
	for _, tc := range []struct {
		event  string
		status followup.MessageStatus
		err    bool
	}{
		{"delivered", followup.StatusDelivered, false},
		{"seen", followup.StatusRead, false},
		{"failed", followup.StatusFailed, true},
	} {
		r := vibertest.SignedStatus(target, tc.event, "01234567890A=", 5741311803571721088, "user device offline too long", at)
		b := body(t, r)
		if err := hook.Verify(r, b); err != nil {
			t.Fatalf("%s: Verify: %v", tc.event, err)
		}
		evs, err := hook.Parse(r, b)
		if err != nil || len(evs) != 1 {
			t.Fatalf("%s: Parse = %v, %v", tc.event, evs, err)
		}
		e := evs[0]
		if e.Kind != channels.Status || e.Status != tc.status || e.ExternalID != "01234567890A=" ||
			e.ProviderMessageID != "5741311803571721088" || !e.At.Equal(at) || e.DedupKey != "viber:"+tc.event+":5741311803571721088" {
			t.Errorf("%s: event = %+v", tc.event, e)
		}
		if tc.err != (e.Err != nil) {
			t.Fatalf("%s: Err = %v", tc.event, e.Err)
		}
		if e.Err != nil && (e.Err.Class != followup.Permanent || e.Err.Message != "user device offline too long") {
			t.Errorf("%s: Err = %+v", tc.event, e.Err)
		}
	}
}

func TestWebhookSignature(t *testing.T) {
	hook := viber.NewWebhook(vibertest.Token)
	good := vibertest.MessageBody("u=", "Ada", "hi", 1, time.Unix(1, 0))
	cases := map[string]func() (*http.Request, []byte){
		"forged": func() (*http.Request, []byte) {
			r := vibertest.Signed(target, good)
			r.Header.Set(viber.SignatureHeader, "00"+vibertest.Sign(good)[2:])
			return r, good
		},
		"other key": func() (*http.Request, []byte) {
			r := vibertest.Signed(target, good)
			return r, good
		},
		"missing header": func() (*http.Request, []byte) {
			r := vibertest.Signed(target, good)
			r.Header.Del(viber.SignatureHeader)
			return r, good
		},
		"not hex": func() (*http.Request, []byte) {
			r := vibertest.Signed(target, good)
			r.Header.Set(viber.SignatureHeader, "zz")
			return r, good
		},
		"tampered body": func() (*http.Request, []byte) {
			r := vibertest.Signed(target, good)
			return r, bytes.Replace(good, []byte(`"hi"`), []byte(`"HI"`), 1)
		},
	}
	for name, mk := range cases {
		r, b := mk()
		h := hook
		if name == "other key" {
			h = viber.NewWebhook("another-bot-token")
		}
		if err := h.Verify(r, b); !errors.Is(err, channels.ErrSignature) {
			t.Errorf("%s: Verify = %v, want ErrSignature", name, err)
		}
	}
	if err := viber.NewWebhook("").Verify(vibertest.Signed(target, good), good); !errors.Is(err, channels.ErrSignature) {
		t.Errorf("empty token must refuse everything, got %v", err)
	}
}

func TestWebhookDuplicateDeliverySameKey(t *testing.T) {
	hook := viber.NewWebhook(vibertest.Token)
	b := vibertest.MessageBody("u=", "Ada", "hi", 77, time.Unix(1700000000, 0))
	first, err1 := hook.Parse(nil, b)
	again, err2 := hook.Parse(nil, b)
	other, err3 := hook.Parse(nil, vibertest.MessageBody("u=", "Ada", "hi", 78, time.Unix(1700000000, 0)))
	if err1 != nil || err2 != nil || err3 != nil {
		t.Fatal(err1, err2, err3)
	}
	if first[0].DedupKey != again[0].DedupKey || first[0].DedupKey == other[0].DedupKey {
		t.Errorf("keys %q %q %q", first[0].DedupKey, again[0].DedupKey, other[0].DedupKey)
	}
}

func TestWebhookSkipsAndRejects(t *testing.T) {
	hook := viber.NewWebhook(vibertest.Token)
	for _, b := range []string{
		`{"event":"webhook","timestamp":1457764197627,"message_token":241256543215}`,
		`{"event":"subscribed","timestamp":1457764197627,"user":{"id":"u="},"message_token":1}`,
		`{"event":"conversation_started","timestamp":1457764197627,"message_token":1,"type":"open","user":{"id":"u="}}`,
		`{"event":"client_status","timestamp":1}`,
	} {
		evs, err := hook.Parse(nil, []byte(b))
		if err != nil || len(evs) != 0 {
			t.Errorf("Parse(%s) = %v, %v; want skipped", b, evs, err)
		}
	}
	for _, b := range []string{``, `{`, `[]`, `{"timestamp":1}`, `{"event":"message","message_token":1}`,
		`{"event":"delivered","message_token":1}`, `{"event":"message","message_token":"x","sender":{"id":"u"},"message":{}}`} {
		if _, err := hook.Parse(nil, []byte(b)); err == nil {
			t.Errorf("Parse(%q) succeeded, want error", b)
		}
	}
}

func TestWebhookHasNoHandshake(t *testing.T) {
	w := httptest.NewRecorder()
	if viber.NewWebhook(vibertest.Token).Handshake(w, httptest.NewRequest(http.MethodGet, target, nil)) {
		t.Error("Handshake handled a GET; Viber has none")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(vibertest.MessageBody("u=", "Ada", "hi", 1, time.Unix(1, 0)))
	f.Add(vibertest.StatusBody("failed", "u=", 2, "x", time.Unix(1, 0)))
	f.Add([]byte(`{"event":"message","message_token":1e400,"sender":null}`))
	hook := viber.NewWebhook(vibertest.Token)
	f.Fuzz(func(t *testing.T, b []byte) {
		evs, err := hook.Parse(nil, b)
		for _, e := range evs {
			if err != nil || e.DedupKey == "" || e.ExternalID == "" {
				t.Fatalf("event %+v with err %v", e, err)
			}
		}
	})
}

func TestWebhookUnsubscribed(t *testing.T) {
	hook := viber.NewWebhook(vibertest.Token)
	evs, err := hook.Parse(nil, []byte(`{"event":"unsubscribed","timestamp":1457764197627,"user_id":"u=","message_token":1}`))
	if err != nil || len(evs) != 1 || evs[0].Kind != channels.Unsubscribed || evs[0].ExternalID != "u=" || evs[0].At.UnixMilli() != 1457764197627 {
		t.Fatalf("unsubscribed: %+v %v", evs, err)
	}
	if _, err := hook.Parse(nil, []byte(`{"event":"unsubscribed","timestamp":1}`)); err == nil {
		t.Fatal("unsubscribed without user_id must be an error")
	}
}
