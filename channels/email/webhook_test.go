package email_test

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/email"
	"github.com/followup-dev/followup/channels/email/emailtest"
)

const target = "https://followup.test/webhooks/email"

func read(t *testing.T, r *http.Request) []byte {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

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
	req := srv.SignedMessage(target, reply)
	body := read(t, req)
	if err := hook.Verify(req, body); err != nil {
		t.Fatal(err)
	}
	evs, err := hook.Parse(req, body)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 {
		t.Fatalf("events = %+v", evs)
	}
	e := evs[0]
	want := channels.Event{
		Channel: followup.Email, Kind: channels.Message, ExternalID: "ana@example.test", Name: "Ana Lima",
		Text: reply.Text, At: time.Date(2026, 3, 3, 9, 15, 0, 0, time.UTC),
		ProviderMessageID: reply.MessageID, DedupKey: "email:" + reply.MessageID,
	}
	if e != want {
		t.Errorf("event =\n %+v\nwant\n %+v", e, want)
	}
}

func TestWebhookParsesForm(t *testing.T) {
	form := url.Values{"sender": {"ana@example.test"}, "subject": {"Re: hi"}, "body-plain": {"thanks"}, "Message-Id": {"<m1@x>"}}
	body := []byte(form.Encode())
	req := emailtest.SignedRequest("k", target, "application/x-www-form-urlencoded", body, time.Now())
	hook := email.NewWebhook("k")
	if err := hook.Verify(req, body); err != nil {
		t.Fatal(err)
	}
	evs, err := hook.Parse(req, body)
	if err != nil || len(evs) != 1 {
		t.Fatalf("Parse = %+v, %v", evs, err)
	}
	if e := evs[0]; e.ExternalID != "ana@example.test" || e.Text != "thanks" || e.ProviderMessageID != "<m1@x>" {
		t.Errorf("event = %+v", e)
	}
}

func TestWebhookRefusesBadSignatures(t *testing.T) {
	srv := emailtest.New()
	defer srv.Close()
	hook := email.NewWebhook(emailtest.DefaultSecret)
	for _, tc := range []struct {
		name string
		req  func() (*http.Request, []byte)
	}{
		{"forged", func() (*http.Request, []byte) {
			srv.Secret = "attacker"
			defer func() { srv.Secret = emailtest.DefaultSecret }()
			r := srv.SignedMessage(target, reply)
			return r, read(t, r)
		}},
		{"missing signature", func() (*http.Request, []byte) {
			r := srv.SignedMessage(target, reply)
			r.Header.Del(email.SignatureHeader)
			return r, read(t, r)
		}},
		{"missing timestamp", func() (*http.Request, []byte) {
			r := srv.SignedMessage(target, reply)
			r.Header.Del(email.TimestampHeader)
			return r, read(t, r)
		}},
		{"no sha256= prefix", func() (*http.Request, []byte) {
			r := srv.SignedMessage(target, reply)
			r.Header.Set(email.SignatureHeader, strings.TrimPrefix(r.Header.Get(email.SignatureHeader), "sha256="))
			return r, read(t, r)
		}},
		{"tampered body", func() (*http.Request, []byte) {
			r := srv.SignedMessage(target, reply)
			b := read(t, r)
			return r, []byte(strings.Replace(string(b), "refund arrived", "refund missing", 1))
		}},
		{"timestamp moved", func() (*http.Request, []byte) {
			r := srv.SignedMessage(target, reply)
			r.Header.Set(email.TimestampHeader, strconv.FormatInt(time.Now().Unix()+1, 10))
			return r, read(t, r)
		}},
		{"stale", func() (*http.Request, []byte) {
			r := srv.SignedMessageAt(target, reply, time.Now().Add(-6*time.Minute))
			return r, read(t, r)
		}},
		{"future", func() (*http.Request, []byte) {
			r := srv.SignedMessageAt(target, reply, time.Now().Add(6*time.Minute))
			return r, read(t, r)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, b := tc.req()
			if err := hook.Verify(r, b); !errors.Is(err, channels.ErrSignature) {
				t.Errorf("Verify = %v, want ErrSignature", err)
			}
		})
	}
	// An empty secret verifies nothing.
	r := emailtest.SignedRequest("", target, "application/json", []byte(`{}`), time.Now())
	if err := email.NewWebhook("").Verify(r, []byte(`{}`)); !errors.Is(err, channels.ErrSignature) {
		t.Errorf("empty secret: Verify = %v", err)
	}
}

func TestWebhookWithinSkewAccepted(t *testing.T) {
	srv := emailtest.New()
	defer srv.Close()
	r := srv.SignedMessageAt(target, reply, time.Now().Add(-4*time.Minute))
	if err := email.NewWebhook(emailtest.DefaultSecret).Verify(r, read(t, r)); err != nil {
		t.Errorf("4 minutes old: %v", err)
	}
}

func TestWebhookHandshake(t *testing.T) {
	r, _ := http.NewRequest(http.MethodGet, target+"?challenge=x", nil)
	if email.NewWebhook("k").Handshake(nil, r) {
		t.Error("email has no handshake")
	}
}

func TestWebhookRedeliverySameDedupKey(t *testing.T) {
	srv := emailtest.New()
	defer srv.Close()
	hook := email.NewWebhook(emailtest.DefaultSecret)
	parse := func(in emailtest.Inbound) string {
		r := srv.SignedMessage(target, in)
		evs, err := hook.Parse(r, read(t, r))
		if err != nil || len(evs) != 1 {
			t.Fatalf("Parse = %v, %v", evs, err)
		}
		return evs[0].DedupKey
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
