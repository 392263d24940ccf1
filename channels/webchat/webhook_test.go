package webchat_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/channelstest"
	"github.com/followup-dev/followup/channels/webchat"
	"github.com/followup-dev/followup/channels/webchat/webchattest"
)

const target = "https://followup.test/webhooks/webchat"

func TestNewVisitor(t *testing.T) {
	id, key, err := webchat.NewVisitor("site")
	if err != nil {
		t.Fatal(err)
	}
	id2, _, _ := webchat.NewVisitor("site")
	if !webchat.ValidVisitorID(id) || id == id2 || key != webchat.VisitorKey("site", id) || key == webchat.VisitorKey("other site", id) {
		t.Errorf("id %q key %q", id, key)
	}
}

func TestWebhookParsesSignedMessage(t *testing.T) {
	srv := channelstest.Start(t, webchattest.New)
	hook := webchat.NewWebhook(webchattest.DefaultSiteToken)
	sent := time.Now().Add(-30 * time.Second).UTC().Truncate(time.Second)
	in := webchat.InboundMessage{VisitorID: visitor, Text: "  Is my order shipped?  ", SentAt: sent.Format(time.RFC3339), MessageID: "b7c1e2", Name: "Ana"}
	channelstest.Event(t, channelstest.ReceiveOne(t, hook, srv.SignedMessageAt(target, in, time.Now())), channels.Event{
		Channel: followup.Webchat, Kind: channels.Message, ExternalID: visitor, Name: "Ana",
		Text: "Is my order shipped?", At: sent, ProviderMessageID: "b7c1e2", DedupKey: "webchat:" + visitor + ":b7c1e2"})
}

func TestWebhookDistrustsSkewedBrowserClock(t *testing.T) {
	srv := channelstest.Start(t, webchattest.New)
	now := time.Now().UTC().Truncate(time.Second)
	in := webchat.InboundMessage{VisitorID: visitor, Text: "hi", SentAt: "2001-01-01T00:00:00Z"}
	r := srv.SignedMessageAt(target, in, now)
	evs, err := webchat.NewWebhook(webchattest.DefaultSiteToken).Parse(r, channelstest.Body(t, r))
	if err != nil || len(evs) != 1 || !evs[0].At.Equal(now) {
		t.Fatalf("At = %v (%v), want the signed timestamp %v", evs, err, now)
	}
}

func TestWebhookRefusesBadSignatures(t *testing.T) {
	hook := webchat.NewWebhook(webchattest.DefaultSiteToken)
	key := webchat.VisitorKey(webchattest.DefaultSiteToken, visitor)
	channelstest.OwnSignature(t, hook, func(body []byte, at time.Time) *http.Request {
		return webchattest.SignedRequest(key, visitor, target, body, at)
	})
	b := []byte(`{"visitor_id":"` + visitor + `","text":"hi"}`)
	signed := func(key string) channelstest.Signed {
		return channelstest.Signed{R: webchattest.SignedRequest(key, visitor, target, b, time.Now()), Body: b}
	}
	noVisitor := signed(key)
	noVisitor.R.Header.Del(webchat.VisitorHeader)
	channelstest.Refuses(t, hook, map[string]channelstest.Signed{
		"forged with another site's token": signed(webchat.VisitorKey("attacker-site", visitor)),
		// Another visitor's own key, claiming to be visitor in the header.
		"visitor signs as another visitor": signed(webchat.VisitorKey(webchattest.DefaultSiteToken, "v_T3RoZXJWaXNpdG9yNTY3")),
		"site token used as key":           signed(webchattest.DefaultSiteToken),
		"missing visitor header":           noVisitor,
	})
	channelstest.Refuses(t, webchat.NewWebhook(""), map[string]channelstest.Signed{"empty site token": signed(key)})
}

func TestWebhookBodyVisitorMustBeSigner(t *testing.T) {
	// A visitor correctly signs a body that names someone else.
	b := []byte(`{"visitor_id":"v_T3RoZXJWaXNpdG9yNTY3","text":"hi"}`)
	r := webchattest.SignedRequest(webchat.VisitorKey(webchattest.DefaultSiteToken, visitor), visitor, target, b, time.Now())
	hook := webchat.NewWebhook(webchattest.DefaultSiteToken)
	if err := hook.Verify(r, b); err != nil {
		t.Fatal(err)
	}
	if evs, err := hook.Parse(r, b); err == nil {
		t.Errorf("Parse = %+v, want error", evs)
	}
}

func TestWebhookHandshake(t *testing.T) {
	channelstest.NoHandshake(t, webchat.NewWebhook("s"), target)
}

func TestWebhookRedeliverySameDedupKey(t *testing.T) {
	srv := channelstest.Start(t, webchattest.New)
	hook := webchat.NewWebhook(webchattest.DefaultSiteToken)
	in := webchat.InboundMessage{VisitorID: visitor, Text: "hi", SentAt: time.Now().UTC().Format(time.RFC3339)}
	key := func(in webchat.InboundMessage) string {
		return channelstest.ReceiveOne(t, hook, srv.SignedMessageAt(target, in, time.Now())).DedupKey
	}
	if a, b := key(in), key(in); a != b {
		t.Errorf("no message_id: %q != %q", a, b)
	}
	in.MessageID = "m-1"
	a := key(in)
	in.SentAt = time.Now().Add(time.Second).UTC().Format(time.RFC3339) // re-sent by the widget
	if b := key(in); a != b {
		t.Errorf("same message_id: %q != %q", a, b)
	}
	in.MessageID = "m-2"
	if b := key(in); a == b {
		t.Error("different messages share a dedup key")
	}
}

func TestWebhookMalformed(t *testing.T) {
	hook := webchat.NewWebhook(webchattest.DefaultSiteToken)
	for _, b := range []string{`{`, `[]`, `{"visitor_id":"` + visitor + `"}`, `{"visitor_id":"` + visitor + `","text":"   "}`,
		`{"visitor_id":"` + visitor + `","text":"` + strings.Repeat("x", webchat.MaxText+1) + `"}`, `{"text":"hi"}`} {
		r := webchattest.SignedRequest(webchat.VisitorKey(webchattest.DefaultSiteToken, visitor), visitor, target, []byte(b), time.Now())
		if evs, err := hook.Parse(r, []byte(b)); err == nil {
			t.Errorf("Parse(%.60s) = %+v, want error", b, evs)
		}
	}
	r := webchattest.SignedRequest("k", visitor, target, nil, time.Now())
	if evs, err := hook.Parse(r, []byte(`{"type":"typing","visitor_id":"`+visitor+`"}`)); err != nil || len(evs) != 0 {
		t.Errorf("typing event: %v %v, want skipped", evs, err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(visitor, []byte(`{"visitor_id":"`+visitor+`","text":"hi","sent_at":"2026-01-02T03:04:05Z"}`))
	f.Add(visitor, []byte(`{"type":"typing"}`))
	f.Add("", []byte(`null`))
	hook := webchat.NewWebhook("s")
	f.Fuzz(func(t *testing.T, v string, b []byte) {
		r, _ := http.NewRequest(http.MethodPost, target, nil)
		r.Header.Set(webchat.VisitorHeader, v)
		r.Header.Set(webchat.TimestampHeader, "1767225600")
		evs, err := hook.Parse(r, b)
		if err == nil {
			for _, e := range evs {
				if e.ExternalID != v || e.DedupKey == "" || e.Text == "" {
					t.Errorf("bad event %+v", e)
				}
			}
		}
	})
}
