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
)

// Provider is a running fake provider and its request log; R is the
// fake's record of one request. A fake embeds it, so URL, Close and
// Requests are the fake's own.
type Provider[R any] struct {
	srv *httptest.Server

	mu  sync.Mutex
	log []R
}

// Start serves h on a local port.
func (p *Provider[R]) Start(h http.Handler) { p.srv = httptest.NewServer(h) }

// URL is the fake's base URL (the adapter's Config.BaseURL).
func (p *Provider[R]) URL() string { return p.srv.URL }

// Close stops the fake.
func (p *Provider[R]) Close() { p.srv.Close() }

// Record adds a request to the log and returns how many it holds.
func (p *Provider[R]) Record(r R) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.log = append(p.log, r)
	return len(p.log)
}

// Requests returns every request received, in order.
func (p *Provider[R]) Requests() []R {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]R(nil), p.log...)
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
