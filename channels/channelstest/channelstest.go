// Package channelstest holds the checks the channel packages' tests
// share: the classified error of a send, the way the webhook server
// verifies and parses a request, and the properties every webhook and
// every adapter keeps (signatures refused, transport errors retried,
// fuzzed bodies parsed safely). Only tests import it.
package channelstest

import (
	"context"
	"errors"
	"fmt"
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

// Start starts a fake with start and closes it when the test ends.
//
//	fake := channelstest.Start(t, linetest.New)
func Start[S interface{ Close() }](t testing.TB, start func() S) S {
	t.Helper()
	s := start()
	t.Cleanup(s.Close)
	return s
}

// One is the one element of got, whose elements what names ("events",
// "requests"); none or several fail the test at once.
func One[T any](t testing.TB, what string, got []T) T {
	t.Helper()
	if len(got) != 1 {
		t.Fatalf("%d %s %+v, want exactly one", len(got), what, got)
	}
	return got[0]
}

// ErrorNames checks err is an error that names what: the setting a
// constructor found missing, the rule a value broke.
func ErrorNames(t testing.TB, err error, what string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), what) {
		t.Errorf("err = %v, want an error naming %s", err, what)
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

// Failure is an answer a fake is scripted to give (Fail, in the fake's
// own terms) and the refusal the adapter must make of it: its class, its
// code and Retry-After, and its message when one is given.
type Failure[F any] struct {
	// Name names the subtest; when empty, Fail does if it is a
	// fmt.Stringer, else the code (and the message).
	Name       string
	Fail       F
	Class      followup.SendErrorClass
	Code       string
	Message    string
	RetryAfter time.Duration
}

// Failures runs a subtest per failure: send has the fake answer a
// message with f.Fail and returns what Send returned, which must be the
// refusal f describes.
func Failures[F any](t *testing.T, fs []Failure[F], send func(t *testing.T, fail F) error) {
	t.Helper()
	for _, f := range fs {
		name := f.Name
		if s, ok := any(f.Fail).(fmt.Stringer); ok && name == "" {
			name = s.String()
		} else if name == "" {
			name = strings.TrimSpace(f.Code + " " + f.Message)
		}
		t.Run(name, func(t *testing.T) {
			se := Refusal(t, send(t, f.Fail), f.Class, f.Code)
			if (f.Message != "" && se.Message != f.Message) || se.RetryAfter != f.RetryAfter {
				t.Errorf("got message %q, Retry-After %s; want %q, %s", se.Message, se.RetryAfter, f.Message, f.RetryAfter)
			}
		})
	}
}

// RefusesModes checks s refuses m in each of the modes as a Permanent
// unsupported_mode, before any request: received, what the fake counts,
// stays at zero.
func RefusesModes(t testing.TB, s channels.Sender, m channels.Outbound, received func() int, modes ...followup.Mode) {
	t.Helper()
	for _, mode := range modes {
		m.Mode = mode
		_, err := s.Send(context.Background(), m)
		Refusal(t, err, followup.Permanent, "unsupported_mode")
	}
	if n := received(); n != 0 {
		t.Errorf("%d requests reached the provider for modes it lacks", n)
	}
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

// ReceiveOne is Receive of a request that carries exactly one event.
func ReceiveOne(t testing.TB, h channels.Webhook, r *http.Request) channels.Event {
	t.Helper()
	return One(t, "events", Receive(t, h, r))
}

// Event checks got is want.
func Event(t testing.TB, got, want channels.Event) {
	t.Helper()
	if got != want {
		t.Errorf("event =\n %+v\nwant\n %+v", got, want)
	}
}

// Skips checks h reads each body (with no request) as no event and no
// error: something the provider posts that the product does not record.
func Skips(t testing.TB, h channels.Webhook, bodies ...string) {
	t.Helper()
	for _, b := range bodies {
		if evs, err := h.Parse(nil, []byte(b)); err != nil || len(evs) != 0 {
			t.Errorf("Parse(%s) = %+v, %v; want skipped", b, evs, err)
		}
	}
}

// Rejects checks h refuses to read each body (with no request): the
// server answers 400.
func Rejects(t testing.TB, h channels.Webhook, bodies ...string) {
	t.Helper()
	for _, b := range bodies {
		if evs, err := h.Parse(nil, []byte(b)); err == nil {
			t.Errorf("Parse(%q) = %+v, want an error", b, evs)
		}
	}
}

// Redelivered checks h gives the event of a redelivered body (again)
// the DedupKey of the first delivery's (first), and another event
// (other) another key; each body carries one event.
func Redelivered(t testing.TB, h channels.Webhook, first, again, other []byte) {
	t.Helper()
	key := func(b []byte) string {
		t.Helper()
		evs, err := h.Parse(nil, b)
		if err != nil {
			t.Fatalf("Parse(%s): %v", b, err)
		}
		return One(t, "events", evs).DedupKey
	}
	if a, b, o := key(first), key(again), key(other); a == "" || a != b || a == o {
		t.Errorf("dedup keys %q, redelivered %q, another event's %q", a, b, o)
	}
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
