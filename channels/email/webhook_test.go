package email_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/channelstest"
	"github.com/followup-dev/followup/channels/email"
	"github.com/followup-dev/followup/channels/email/emailtest"
)

const target = "https://followup.test/webhooks/email"

var reply = emailtest.Inbound{
	From:      "Ana Lima <Ana@Example.test>",
	To:        "support@acme.test",
	Subject:   "Re: Following up",
	Text:      "Yes, the refund arrived. Thanks!",
	MessageID: "<CAF=abc123@mail.example.test>",
	Date:      "Tue, 03 Mar 2026 10:15:00 +0100",
}

func TestWebhookParsesSignedJSON(t *testing.T) {
	srv := emailtest.New()
	defer srv.Close()
	hook := email.NewWebhook(emailtest.DefaultSecret)
	channelstest.Event(t, channelstest.ReceiveOne(t, hook, srv.SignedMessage(target, reply)), channels.Event{
		Channel: followup.Email, Kind: channels.Message, ExternalID: "ana@example.test", Name: "Ana Lima",
		Text: reply.Text, At: time.Date(2026, 3, 3, 9, 15, 0, 0, time.UTC),
		ProviderMessageID: reply.MessageID, DedupKey: "email:" + reply.MessageID,
	})
}

func TestWebhookParsesForm(t *testing.T) {
	form := url.Values{"sender": {"ana@example.test"}, "subject": {"Re: hi"}, "body-plain": {"thanks"}, "Message-Id": {"<m1@x>"}}
	body := []byte(form.Encode())
	e := channelstest.ReceiveOne(t, email.NewWebhook("k"), emailtest.SignedRequest("k", target, "application/x-www-form-urlencoded", body, time.Now()))
	if e.ExternalID != "ana@example.test" || e.Text != "thanks" || e.ProviderMessageID != "<m1@x>" {
		t.Errorf("event = %+v", e)
	}
}

func TestWebhookRefusesBadSignatures(t *testing.T) {
	hook := email.NewWebhook(emailtest.DefaultSecret)
	channelstest.OwnSignature(t, hook, func(body []byte, at time.Time) *http.Request {
		return emailtest.SignedRequest(emailtest.DefaultSecret, target, "application/json", body, at)
	})
	body, _ := json.Marshal(reply)
	channelstest.Refuses(t, hook, map[string]channelstest.Signed{
		"forged": {R: emailtest.SignedRequest("attacker", target, "application/json", body, time.Now()), Body: body},
	})
	// An empty secret verifies nothing.
	channelstest.Refuses(t, email.NewWebhook(""), map[string]channelstest.Signed{
		"empty secret": {R: emailtest.SignedRequest("", target, "application/json", []byte(`{}`), time.Now()), Body: []byte(`{}`)},
	})
}

func TestWebhookHandshake(t *testing.T) {
	channelstest.NoHandshake(t, email.NewWebhook("k"), target+"?challenge=x")
}

func TestWebhookRedeliverySameDedupKey(t *testing.T) {
	srv := emailtest.New()
	defer srv.Close()
	hook := email.NewWebhook(emailtest.DefaultSecret)
	parse := func(in emailtest.Inbound) string {
		return channelstest.ReceiveOne(t, hook, srv.SignedMessage(target, in)).DedupKey
	}
	if a, b := parse(reply), parse(reply); a != b {
		t.Errorf("redelivery keys %q != %q", a, b)
	}
	noID := reply
	noID.MessageID = ""
	a, b := parse(noID), parse(noID)
	other := noID
	other.Text = "something else"
	if a != b || a == parse(other) {
		t.Errorf("without Message-ID: keys %q %q, other %q", a, b, parse(other))
	}
}

func TestWebhookMalformed(t *testing.T) {
	hook := email.NewWebhook("k")
	for _, body := range []string{`{`, `[]`, `null`, `{"subject":"no sender"}`, `{"from":"not an address"}`} {
		r, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		if evs, err := hook.Parse(r, []byte(body)); err == nil {
			t.Errorf("Parse(%s) = %+v, want error", body, evs)
		}
	}
	// A provider's test ping is skipped, not an error.
	r, _ := http.NewRequest(http.MethodPost, target, nil)
	if evs, err := hook.Parse(r, []byte(`{"type":"ping"}`)); err != nil || len(evs) != 0 {
		t.Errorf("ping: %v, %v", evs, err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("application/json", []byte(`{"from":"a@b.c","text":"hi","message_id":"<x@y>","date":"Tue, 03 Mar 2026 10:15:00 +0100"}`))
	f.Add("application/x-www-form-urlencoded", []byte("from=a%40b.c&text=hi"))
	f.Add("multipart/form-data; boundary=XX", []byte("--XX\r\nContent-Disposition: form-data; name=\"from\"\r\n\r\na@b.c\r\n--XX--\r\n"))
	f.Add("", []byte(`{"type":"ping"}`))
	hook := email.NewWebhook("k")
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		r, _ := http.NewRequest(http.MethodPost, target, nil)
		r.Header.Set("Content-Type", ct)
		evs, err := hook.Parse(r, body)
		if err == nil {
			for _, e := range evs {
				if e.ExternalID == "" || e.DedupKey == "" {
					t.Errorf("event without sender or dedup key: %+v", e)
				}
			}
		}
	})
}
