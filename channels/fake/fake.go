// Package fake is what the fake providers (the <name>test packages the
// tests and the dev sandbox run in place of the real APIs) share: a local
// HTTP server with the log of the requests it received, the outcomes a
// test scripts per recipient, the credential checks, and the JSON answers
// and signed webhook requests they build.
package fake

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Provider is a running fake provider and its request log; R is the
// fake's record of one request. A fake embeds it, so URL, Close and
// Requests are the fake's own.
type Provider[R any] struct {
	srv *httptest.Server
	log Log[R]
}

// Start serves h on a local port.
func (p *Provider[R]) Start(h http.Handler) { p.srv = httptest.NewServer(h) }

// URL is the fake's base URL (the adapter's Config.BaseURL).
func (p *Provider[R]) URL() string { return p.srv.URL }

// Close stops the fake.
func (p *Provider[R]) Close() { p.srv.Close() }

// Record adds a request to the log and returns how many it holds.
func (p *Provider[R]) Record(r R) int { return p.log.Append(r) }

// Received is how many requests the fake received.
func (p *Provider[R]) Received() int { return p.log.Len() }

// Requests returns every request received, in order.
func (p *Provider[R]) Requests() []R { return p.log.All() }

// Log is a list a fake keeps (the requests it received, the messages it
// accepted), written by its handlers while a test reads it.
type Log[T any] struct {
	mu      sync.Mutex
	entries []T
}

// Append adds v and returns how many entries the log holds.
func (l *Log[T]) Append(v T) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, v)
	return len(l.entries)
}

// Numbered adds the entry that entry makes of its number (1 for the
// first: a fake numbers the ids it hands out) and returns it.
func (l *Log[T]) Numbered(entry func(n int) T) T {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := entry(len(l.entries) + 1)
	l.entries = append(l.entries, e)
	return e
}

// Len is how many entries the log holds.
func (l *Log[T]) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}

// All returns a copy of the entries, in order.
func (l *Log[T]) All() []T {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]T(nil), l.entries...)
}

// Setting is a value a test sets on a running fake (the Retry-After it
// sends, the status of its errors, the whole service down) while its
// handlers read it.
type Setting[T any] struct {
	mu sync.Mutex
	v  T
}

// Set sets the value.
func (s *Setting[T]) Set(v T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.v = v
}

// Get is the value last set (the zero value before any).
func (s *Setting[T]) Get() T {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.v
}

// Window is what a fake that models a messaging window knows: when each
// customer last wrote, and its clock. A fake embeds it, so LastInbound
// and SetNow are the fake's own; the zero Window knows no one and reads
// the time from time.Now.
type Window struct {
	mu   sync.Mutex
	last map[string]time.Time
	now  func() time.Time
}

// LastInbound records when the customer last wrote.
func (w *Window) LastInbound(customer string, at time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.last == nil {
		w.last = map[string]time.Time{}
	}
	w.last[customer] = at
}

// SetNow replaces the fake's clock.
func (w *Window) SetNow(now func() time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.now = now
}

// Since is how long ago, by the fake's clock, the customer last wrote;
// false when the fake does not know (the customer counts as inside the
// window).
func (w *Window) Since(customer string) (time.Duration, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	last, ok := w.last[customer]
	if !ok {
		return 0, false
	}
	now := time.Now
	if w.now != nil {
		now = w.now
	}
	return now().Sub(last), true
}

// Script is the outcome a test chose per recipient, for every request
// (FailFor) or only the next one (FailOnce). A fake embeds it.
type Script[O comparable] struct {
	mu sync.Mutex
	m  map[string]scripted[O]
}

type scripted[O comparable] struct {
	o    O
	once bool
}

// FailFor makes every request to the recipient answer o (the zero
// outcome, where it means success, clears it).
func (s *Script[O]) FailFor(to string, o O) { s.set(to, scripted[O]{o: o}) }

// FailOnce makes the next request to the recipient answer o; later ones
// succeed.
func (s *Script[O]) FailOnce(to string, o O) { s.set(to, scripted[O]{o: o, once: true}) }

func (s *Script[O]) set(to string, o scripted[O]) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]scripted[O]{}
	}
	s.m[to] = o
}

// Next is the outcome of a request to the recipient, if one is scripted;
// a FailOnce outcome is used up.
func (s *Script[O]) Next(to string) (O, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.m[to]
	if ok && o.once {
		delete(s.m, to)
	}
	return o.o, ok
}

// Body reads at most limit bytes of a request's body, as a provider
// that refuses larger requests would.
func Body(r *http.Request, limit int64) []byte {
	b, _ := io.ReadAll(io.LimitReader(r.Body, limit))
	return b
}

// Bearer is the token of an "Authorization: Bearer <token>" header, ""
// without one.
func Bearer(r *http.Request) string {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return ""
	}
	return token
}

// JSON answers v as a JSON body with status, the way every JSON API
// answers: success bodies and error envelopes alike.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Post builds the POST of body to target with the given headers (a
// content type and a signature, usually): a client request, so it can be
// sent to a running server as well as handed to a handler's ServeHTTP. It
// panics on a malformed target, as httptest.NewRequest does: that is a
// test's bug.
func Post(target string, body []byte, header ...string) *http.Request {
	r, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		panic("fake: bad webhook target: " + err.Error())
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	return r
}

// Marshal is json.Marshal for the maps and structs a fake builds; they
// always encode, so a failure is a test's bug and panics.
func Marshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("fake: " + err.Error())
	}
	return b
}
