package twilio_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/channelstest"
	"github.com/followup-dev/followup/channels/twilio"
	"github.com/followup-dev/followup/channels/twilio/twiliotest"
)

const public = "https://followup.example"

func newWebhook(t *testing.T) *twilio.Webhook {
	return channelstest.Must(twilio.NewWebhook(twilio.WebhookConfig{AuthToken: twiliotest.AuthToken, PublicBaseURL: public}))(t)
}

// behindProxy is the request as our server sees it when a proxy
// terminates TLS: plain http, an internal host, the same path and query.
func behindProxy(t *testing.T, signed *http.Request) (*http.Request, []byte) {
	t.Helper()
	body := channelstest.Body(t, signed)
	r := httptest.NewRequest(http.MethodPost, "http://10.0.0.7:8080"+signed.URL.RequestURI(), strings.NewReader(string(body)))
	r.Header = signed.Header.Clone()
	return r, body
}

func TestSignatureMatchesTwilioDocExample(t *testing.T) {
	// The example from Twilio's webhook-security docs.
	params := url.Values{"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+12349013030"}, "Digits": {"1234"}, "From": {"+12349013030"}, "To": {"+18005551212"}}
	got := twilio.Signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params)
	if got != "0/KCTR6DLpKmkAf8muzZqo1nDgQ=" {
		t.Fatalf("Signature = %q, want Twilio's documented 0/KCTR6DLpKmkAf8muzZqo1nDgQ=", got)
	}
	if twiliotest.Sign("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params) != got {
		t.Fatal("the fake signs differently from the adapter")
	}
}

func TestWebhookInboundMessage(t *testing.T) {
	hook := newWebhook(t)
	signed := twiliotest.SignedMessage(public+"/webhooks/sms", "SM11111111111111111111111111111111", "+33612345678", "Yes, it works now, thanks!")
	r, body := behindProxy(t, signed)
	if err := hook.Verify(r, body); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	events, err := hook.Parse(r, body)
	if err != nil {
		t.Fatal(err)
	}
	want := channels.Event{Channel: followup.SMS, Kind: channels.Message, ExternalID: "+33612345678", Text: "Yes, it works now, thanks!",
		ProviderMessageID: "SM11111111111111111111111111111111", DedupKey: "SM11111111111111111111111111111111"}
	if len(events) != 1 || events[0] != want {
		t.Fatalf("events = %+v, want %+v", events, want)
	}
}

func TestWebhookStatuses(t *testing.T) {
	hook := newWebhook(t)
	sid := "SM22222222222222222222222222222222"
	tests := []struct {
		status string
		code   int
		want   followup.MessageStatus
		class  followup.SendErrorClass
	}{
		{"sent", 0, followup.StatusSent, ""},
		{"delivered", 0, followup.StatusDelivered, ""},
		{"undelivered", 30003, followup.StatusFailed, followup.Permanent},
		{"failed", 21610, followup.StatusFailed, followup.RecipientGone},
		{"undelivered", 30004, followup.StatusFailed, followup.RecipientGone},
		{"failed", 30017, followup.StatusFailed, followup.Retryable},
	}
	for _, tt := range tests {
		// A query string is part of what Twilio signs.
		r, body := behindProxy(t, twiliotest.SignedStatus(public+"/webhooks/sms?attempt=1", sid, "+33612345678", tt.status, tt.code))
		if err := hook.Verify(r, body); err != nil {
			t.Fatalf("%s: Verify: %v", tt.status, err)
		}
		events, err := hook.Parse(r, body)
		if err != nil || len(events) != 1 {
			t.Fatalf("%s: Parse = %v, %v", tt.status, events, err)
		}
		e := events[0]
		if e.Kind != channels.Status || e.ProviderMessageID != sid || e.ExternalID != "+33612345678" || e.Status != tt.want {
			t.Errorf("%s: event = %+v", tt.status, e)
		}
		if (e.Err == nil) != (tt.class == "") || (e.Err != nil && (e.Err.Class != tt.class || e.Err.Code == "0" || e.Err.Message == "")) {
			t.Errorf("%s %d: Err = %+v, want class %q", tt.status, tt.code, e.Err, tt.class)
		}
	}
	// A status callback URL carrying our reference: signed with the rest
	// of the URL, and carried as the event's Ref.
	ref := channels.StatusRef("fu-3/upd-1")
	r, body := behindProxy(t, twiliotest.SignedStatus(public+"/webhooks/sms?ref="+ref, sid, "+33612345678", "delivered", 0))
	if err := hook.Verify(r, body); err != nil {
		t.Fatalf("with ref: Verify: %v", err)
	}
	if events, err := hook.Parse(r, body); err != nil || len(events) != 1 || events[0].Ref != ref {
		t.Errorf("with ref: Parse = %+v, %v; want Ref %s", events, err, ref)
	}
	// The ref is part of what Twilio signed: another one is refused.
	r.URL.RawQuery = "ref=" + channels.StatusRef("fu-3/upd-2")
	if err := hook.Verify(r, body); !errors.Is(err, channels.ErrSignature) {
		t.Errorf("ref swapped: Verify = %v, want ErrSignature", err)
	}
	for _, early := range []string{"queued", "accepted", "sending", "scheduled", "something_new"} {
		body := []byte(twiliotest.StatusParams(sid, "+1", early, 0).Encode())
		if ev, err := hook.Parse(nil, body); err != nil || len(ev) != 0 {
			t.Errorf("%s: Parse = %v, %v; want skipped", early, ev, err)
		}
	}
}

func TestWebhookSignatureRefused(t *testing.T) {
	hook := newWebhook(t)
	target := public + "/webhooks/sms"
	params := twiliotest.InboundParams("SM3", "+33612345678", "hi")
	body := []byte(params.Encode())
	forged, _ := behindProxy(t, twiliotest.SignedForm(target, "another-token", params))
	tampered := url.Values{}
	for k, v := range params {
		tampered[k] = v
	}
	tampered.Set("Body", "hi!")
	r, _ := behindProxy(t, twiliotest.SignedForm(target, twiliotest.AuthToken, params))
	missing, _ := behindProxy(t, twiliotest.SignedForm(target, twiliotest.AuthToken, params))
	missing.Header.Del(twilio.SignatureHeader)
	// Signed for another URL (a replay to a different endpoint).
	other, _ := behindProxy(t, twiliotest.SignedForm(public+"/webhooks/other", twiliotest.AuthToken, params))
	other.URL.Path = "/webhooks/sms"
	channelstest.Refuses(t, hook, map[string]channelstest.Signed{
		"forged": {R: forged, Body: body}, "tampered": {R: r, Body: []byte(tampered.Encode())},
		"missing": {R: missing, Body: body}, "other url": {R: other, Body: body},
	})
	// Without the public base URL the internal URL is not what Twilio signed.
	plain, _ := twilio.NewWebhook(twilio.WebhookConfig{AuthToken: twiliotest.AuthToken})
	r, body2 := behindProxy(t, twiliotest.SignedForm(target, twiliotest.AuthToken, params))
	channelstest.Refuses(t, plain, map[string]channelstest.Signed{"no public URL behind a proxy": {R: r, Body: body2}})
}

func TestWebhookDefaultPortVariant(t *testing.T) {
	hook := newWebhook(t)
	params := twiliotest.InboundParams("SM4", "+33612345678", "hi")
	r, body := behindProxy(t, twiliotest.SignedForm(public+":443/webhooks/sms", twiliotest.AuthToken, params))
	if err := hook.Verify(r, body); err != nil {
		t.Fatalf("URL signed with :443: Verify = %v", err)
	}
}

func TestWebhookWithoutPublicURLUsesHost(t *testing.T) {
	hook, _ := twilio.NewWebhook(twilio.WebhookConfig{AuthToken: twiliotest.AuthToken})
	params := twiliotest.InboundParams("SM5", "+33612345678", "hi")
	signed := twiliotest.SignedForm("https://followup.example/webhooks/sms", twiliotest.AuthToken, params)
	body := channelstest.Body(t, signed)
	r := httptest.NewRequest(http.MethodPost, "/webhooks/sms", strings.NewReader(string(body)))
	r.Host = "followup.example"
	r.Header = signed.Header.Clone()
	r.Header.Set("X-Forwarded-Proto", "https")
	if err := hook.Verify(r, body); err != nil {
		t.Fatalf("Verify = %v", err)
	}
}

func TestNewWebhookChecksConfig(t *testing.T) {
	if _, err := twilio.NewWebhook(twilio.WebhookConfig{}); err == nil {
		t.Error("no auth token accepted")
	}
	if _, err := twilio.NewWebhook(twilio.WebhookConfig{AuthToken: "t", PublicBaseURL: "followup.example"}); err == nil {
		t.Error("a public base URL without scheme accepted")
	}
}

func TestWebhookHandshakeNotHandled(t *testing.T) {
	channelstest.NoHandshake(t, newWebhook(t), "/webhooks/sms")
}

func TestWebhookRedeliverySameDedupKey(t *testing.T) {
	hook := newWebhook(t)
	p := twiliotest.InboundParams("", "+33612345678", "again")
	a, _ := hook.Parse(nil, []byte(p.Encode()))
	b, _ := hook.Parse(nil, []byte(p.Encode()))
	c, _ := hook.Parse(nil, []byte(twiliotest.InboundParams("", "+33612345678", "again").Encode()))
	if len(a) != 1 || len(b) != 1 || a[0].DedupKey != b[0].DedupKey || a[0].DedupKey == c[0].DedupKey {
		t.Fatalf("dedup keys: %v %v %v", a, b, c)
	}
}

func TestWebhookMalformed(t *testing.T) {
	channelstest.Rejects(t, newWebhook(t), "%zz", "", "Body=hi&From=%2B1", "MessageSid=SM1&To=%2B1", "MessageSid=SM1&SmsStatus=received&Body=hi")
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(twiliotest.InboundParams("SM1", "+1555", "hi").Encode()))
	f.Add([]byte(twiliotest.StatusParams("SM1", "+1555", "failed", 30007).Encode()))
	f.Add([]byte("MessageSid=SM1&MessageStatus=undelivered&ErrorCode=abc"))
	hook, _ := twilio.NewWebhook(twilio.WebhookConfig{AuthToken: "t"})
	withRef := httptest.NewRequest(http.MethodPost, "/webhooks/sms?ref="+channels.StatusRef("k"), nil)
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := hook.Parse(withRef, body)
		if err == nil {
			for _, e := range events {
				if e.ProviderMessageID == "" || e.DedupKey == "" || (e.Status == followup.StatusFailed && e.Err == nil) {
					t.Fatalf("incomplete event: %+v", e)
				}
				if (e.Kind == channels.Status) != (e.Ref != "") {
					t.Fatalf("a %s event with Ref %q", e.Kind, e.Ref)
				}
			}
		}
	})
}
