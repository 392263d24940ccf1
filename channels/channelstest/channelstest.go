// Package channelstest holds the checks the channel packages' tests
// share: the classified error of a send, the way the webhook server
// verifies and parses a request, and the properties every webhook and
// every adapter keeps (signatures refused, transport errors retried,
// fuzzed bodies parsed safely). Only tests import it.
package channelstest

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/signature"
)

// Must is v for a test: a constructor's error fails it at once.
//
//	hook := channelstest.Must(line.NewWebhook(secret))(t)
func Must[V any](v V, err error) func(testing.TB) V {
	return func(t testing.TB) V {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// SendError is err as the *followup.SendError an adapter returns for a
// refusal; anything else fails the test at once.
func SendError(t testing.TB, err error) *followup.SendError {
	t.Helper()
	var se *followup.SendError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v (%T), want *followup.SendError", err, err)
	}
	return se
}

// Refusal checks err is a SendError of class and code ("" for any code)
// with a message for the agent.
func Refusal(t testing.TB, err error, class followup.SendErrorClass, code string) *followup.SendError {
	t.Helper()
	se := SendError(t, err)
	if se.Class != class || (code != "" && se.Code != code) || se.Message == "" {
		t.Errorf("got %+v, want %s %s with a message", se, class, code)
	}
	return se
}

// Retried checks err is what the activity retries after a transport
// failure: an error, and not a SendError of another class than Retryable.
func Retried(t testing.TB, err error) {
	t.Helper()
	var se *followup.SendError
	if err == nil || (errors.As(err, &se) && se.Class != followup.Retryable) {
		t.Errorf("err = %v, want a retryable error", err)
	}
}

// Plain checks err is a plain error, no SendError: the activity retries
// it as a transport failure.
func Plain(t testing.TB, err error) {
	t.Helper()
	var se *followup.SendError
	if err == nil || errors.As(err, &se) {
		t.Errorf("err = %v, want a plain (retried) error", err)
	}
}

// Body reads a request's body.
func Body(t testing.TB, r *http.Request) []byte {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Receive verifies and parses r the way the webhook server does; a
// refused signature or an unreadable body fails the test at once.
func Receive(t testing.TB, h channels.Webhook, r *http.Request) []channels.Event {
	t.Helper()
	body := Body(t, r)
	if err := h.Verify(r, body); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	events, err := h.Parse(r, body)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return events
}

// Refuses checks, in a subtest each, that h refuses each request's
// signature over its body with channels.ErrSignature.
func Refuses(t *testing.T, h channels.Webhook, requests map[string]Signed) {
	t.Helper()
	for name, s := range requests {
		t.Run(name, func(t *testing.T) {
			if err := h.Verify(s.R, s.Body); !errors.Is(err, channels.ErrSignature) {
				t.Errorf("Verify = %v, want ErrSignature", err)
			}
		})
	}
}

// Signed is a webhook request and the body it arrived with.
type Signed struct {
	R    *http.Request
	Body []byte
}

// NoHandshake checks h takes a GET for no handshake: the provider has
// none.
func NoHandshake(t testing.TB, h channels.Webhook, target string) {
	t.Helper()
	if h.Handshake(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, target, nil)) {
		t.Error("the provider has no handshake, but Handshake handled a GET")
	}
}

// Fuzz fuzzes h.Parse from the seeds: it gives no events with an error,
// and every event is ch's and has a DedupKey and passes check (nil for
// none), which returns what is wrong or "".
func Fuzz(f *testing.F, h channels.Webhook, ch followup.Channel, check func(channels.Event) string, seeds ...[]byte) {
	for _, b := range seeds {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := h.Parse(nil, body)
		if err != nil && events != nil {
			t.Error("events with an error")
		}
		for _, e := range events {
			if e.DedupKey == "" || e.Channel != ch {
				t.Errorf("event %+v", e)
			}
			if check != nil {
				if msg := check(e); msg != "" {
					t.Errorf("%s: %+v", msg, e)
				}
			}
		}
	})
}

// HasExternalID is a Fuzz check for channels whose every event names the
// customer.
func HasExternalID(e channels.Event) string {
	if e.ExternalID == "" {
		return "event without ExternalID"
	}
	return ""
}

// OwnSignature checks h verifies requests as package signature signs them:
// sign builds a request of body signed at a time. One signed now or four
// minutes ago passes; one with the signature or the timestamp missing,
// without "sha256=", with the body changed, with the timestamp moved or
// outside signature.MaxSkew either way is refused.
func OwnSignature(t *testing.T, h channels.Webhook, sign func(body []byte, at time.Time) *http.Request) {
	t.Helper()
	body := []byte(`{"text":"the refund arrived"}`)
	for _, at := range []time.Time{time.Now(), time.Now().Add(-4 * time.Minute)} {
		if err := h.Verify(sign(body, at), body); err != nil {
			t.Errorf("signed at %s: Verify = %v", at.Format(time.TimeOnly), err)
		}
	}
	with := func(header, value string) Signed {
		r := sign(body, time.Now())
		if value == "" {
			r.Header.Del(header)
		} else {
			r.Header.Set(header, value)
		}
		return Signed{R: r, Body: body}
	}
	sig := sign(body, time.Now()).Header.Get(signature.Header)
	Refuses(t, h, map[string]Signed{
		"missing signature": with(signature.Header, ""),
		"missing timestamp": with(signature.TimestampHeader, ""),
		"no sha256= prefix": with(signature.Header, strings.TrimPrefix(sig, "sha256=")),
		"timestamp moved":   with(signature.TimestampHeader, strconv.FormatInt(time.Now().Unix()+1, 10)),
		"tampered body":     {R: sign(body, time.Now()), Body: []byte(`{"text":"the refund is missing"}`)},
		"stale":             {R: sign(body, time.Now().Add(-6*time.Minute)), Body: body},
		"future":            {R: sign(body, time.Now().Add(6*time.Minute)), Body: body},
	})
}
