package viber_test

import (
	"bytes"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/channelstest"
	"github.com/followup-dev/followup/channels/viber"
	"github.com/followup-dev/followup/channels/viber/vibertest"
)

const target = "http://followup.test/webhooks/viber"

func TestWebhookMessage(t *testing.T) {
	hook := viber.NewWebhook(vibertest.Token)
	at := time.Date(2026, 3, 1, 9, 30, 0, 123e6, time.UTC)
	channelstest.Event(t, channelstest.ReceiveOne(t, hook, vibertest.SignedMessage(target, "01234567890A=", "Ada Lovelace", "still broken", 4912661846655238145, at)), channels.Event{
		Channel: followup.Viber, Kind: channels.Message, ExternalID: "01234567890A=", Name: "Ada Lovelace",
		Text: "still broken", At: at, ProviderMessageID: "4912661846655238145", DedupKey: "viber:message:4912661846655238145"})
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
		e := channelstest.ReceiveOne(t, hook, vibertest.SignedStatus(target, tc.event, "01234567890A=", 5741311803571721088, "user device offline too long", at))
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
	withHeader := func(v string) *http.Request {
		r := vibertest.Signed(target, good)
		r.Header.Set(viber.SignatureHeader, v)
		return r
	}
	missing := vibertest.Signed(target, good)
	missing.Header.Del(viber.SignatureHeader)
	channelstest.Refuses(t, hook, map[string]channelstest.Signed{
		"forged":         {R: withHeader("00" + vibertest.Sign(good)[2:]), Body: good},
		"missing header": {R: missing, Body: good},
		"not hex":        {R: withHeader("zz"), Body: good},
		"tampered body":  {R: vibertest.Signed(target, good), Body: bytes.Replace(good, []byte(`"hi"`), []byte(`"HI"`), 1)},
	})
	channelstest.Refuses(t, viber.NewWebhook("another-bot-token"), map[string]channelstest.Signed{"other key": {R: vibertest.Signed(target, good), Body: good}})
	if err := viber.NewWebhook("").Verify(vibertest.Signed(target, good), good); !errors.Is(err, channels.ErrSignature) {
		t.Errorf("empty token must refuse everything, got %v", err)
	}
}

func TestWebhookDuplicateDeliverySameKey(t *testing.T) {
	b := vibertest.MessageBody("u=", "Ada", "hi", 77, time.Unix(1700000000, 0))
	channelstest.Redelivered(t, viber.NewWebhook(vibertest.Token), b, b, vibertest.MessageBody("u=", "Ada", "hi", 78, time.Unix(1700000000, 0)))
}

func TestWebhookSkipsAndRejects(t *testing.T) {
	hook := viber.NewWebhook(vibertest.Token)
	channelstest.Skips(t, hook,
		`{"event":"webhook","timestamp":1457764197627,"message_token":241256543215}`,
		`{"event":"subscribed","timestamp":1457764197627,"user":{"id":"u="},"message_token":1}`,
		`{"event":"conversation_started","timestamp":1457764197627,"message_token":1,"type":"open","user":{"id":"u="}}`,
		`{"event":"client_status","timestamp":1}`)
	channelstest.Rejects(t, hook, ``, `{`, `[]`, `{"timestamp":1}`, `{"event":"message","message_token":1}`,
		`{"event":"delivered","message_token":1}`, `{"event":"message","message_token":"x","sender":{"id":"u"},"message":{}}`)
}

func TestWebhookHasNoHandshake(t *testing.T) {
	channelstest.NoHandshake(t, viber.NewWebhook(vibertest.Token), target)
}

func FuzzParse(f *testing.F) {
	channelstest.Fuzz(f, viber.NewWebhook(vibertest.Token), followup.Viber, channelstest.HasExternalID,
		vibertest.MessageBody("u=", "Ada", "hi", 1, time.Unix(1, 0)),
		vibertest.StatusBody("failed", "u=", 2, "x", time.Unix(1, 0)),
		[]byte(`{"event":"message","message_token":1e400,"sender":null}`))
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
