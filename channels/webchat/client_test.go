package webchat_test

import (
	"cmp"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/channelstest"
	"github.com/followup-dev/followup/channels/webchat"
	"github.com/followup-dev/followup/channels/webchat/webchattest"
)

const visitor = "v_Q2hhdFZpc2l0b3IxMjM0"

func client(t *testing.T, srv *webchattest.Server) *webchat.Client {
	t.Helper()
	return channelstest.Must(webchat.New(webchat.Config{BaseURL: srv.URL(), Token: webchattest.DefaultToken}, nil))(t)
}

func msg(to, text, key string) channels.Outbound {
	return channels.Outbound{Channel: followup.Webchat, To: to, Mode: followup.ModeFreeText, Text: text, IdempotencyKey: key}
}

func TestNewNamesMissingConfig(t *testing.T) {
	_, err := webchat.New(webchat.Config{Token: "t"}, nil)
	channelstest.ErrorNames(t, err, "BaseURL")
	_, err = webchat.New(webchat.Config{BaseURL: "http://x"}, nil)
	channelstest.ErrorNames(t, err, "Token")
}

func TestSendRequestShape(t *testing.T) {
	srv := channelstest.Start(t, webchattest.New)
	sent, err := client(t, srv).Send(context.Background(), msg(visitor, "Your refund is on its way 💸", "fu-7-1"))
	if err != nil {
		t.Fatal(err)
	}
	r := channelstest.One(t, "requests", srv.Requests())
	if r.Method != http.MethodPost || r.Path != "/v1/messages" {
		t.Errorf("%s %s", r.Method, r.Path)
	}
	if r.Header.Get("Authorization") != "Bearer "+webchattest.DefaultToken || r.Header.Get("Idempotency-Key") != "fu-7-1" {
		t.Errorf("headers = %v", r.Header)
	}
	if r.Body != (webchat.OutboundMessage{VisitorID: visitor, Text: "Your refund is on its way 💸"}) {
		t.Errorf("body = %+v", r.Body)
	}
	d := srv.Deliveries()
	if len(d) != 1 || d[0].ID != sent.ProviderID {
		t.Errorf("deliveries = %+v, ProviderID %q", d, sent.ProviderID)
	}
}

func TestSendIdempotent(t *testing.T) {
	srv := channelstest.Start(t, webchattest.New)
	c := client(t, srv)
	a, err := c.Send(context.Background(), msg(visitor, "hi", "k1"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Send(context.Background(), msg(visitor, "hi", "k1"))
	if err != nil {
		t.Fatal(err)
	}
	if a != b || len(srv.Deliveries()) != 1 {
		t.Errorf("retry: %q vs %q, %d deliveries", a.ProviderID, b.ProviderID, len(srv.Deliveries()))
	}
	_, err = c.Send(context.Background(), msg(visitor, "different text", "k1"))
	channelstest.Refusal(t, err, followup.Permanent, "idempotency_conflict")
}

// failure is what goes wrong in a send: the service's scripted answer,
// a wrong token or a bad visitor id.
type failure struct {
	setup     func(*webchattest.Server)
	token, to string
}

func TestSendErrorClasses(t *testing.T) {
	channelstest.Failures(t, []channelstest.Failure[failure]{
		{Name: "visitor gone", Fail: failure{setup: func(s *webchattest.Server) { s.FailFor(visitor, webchattest.Gone) }}, Class: followup.RecipientGone, Code: "visitor_gone"},
		{Name: "down for visitor", Fail: failure{setup: func(s *webchattest.Server) { s.FailFor(visitor, webchattest.Down) }}, Class: followup.Retryable, Code: "unavailable"},
		{Name: "whole service down", Fail: failure{setup: func(s *webchattest.Server) { s.SetDown(true) }}, Class: followup.Retryable, Code: "unavailable"},
		{Name: "rate limited", Fail: failure{setup: func(s *webchattest.Server) { s.FailFor(visitor, webchattest.RateLimited) }}, Class: followup.Retryable, Code: "rate_limited",
			RetryAfter: webchattest.RetryAfterSeconds * time.Second},
		{Name: "unknown visitor", Fail: failure{setup: func(s *webchattest.Server) { s.FailFor(visitor, webchattest.Invalid) }}, Class: followup.Permanent, Code: "invalid_visitor"},
		{Name: "bad token", Fail: failure{token: "wrong"}, Class: followup.Permanent, Code: "unauthorized"},
		{Name: "bad visitor id", Fail: failure{to: "bad id\r\n"}, Class: followup.Permanent, Code: "invalid_recipient"},
	}, func(t *testing.T, f failure) error {
		srv := channelstest.Start(t, webchattest.New)
		if f.setup != nil {
			f.setup(srv)
		}
		c := channelstest.Must(webchat.New(webchat.Config{BaseURL: srv.URL(), Token: cmp.Or(f.token, webchattest.DefaultToken)}, nil))(t)
		_, err := c.Send(context.Background(), msg(cmp.Or(f.to, visitor), "hello", "k"))
		if len(srv.Deliveries()) != 0 {
			t.Error("refused message stored")
		}
		return err
	})
}

func TestSendRetryAfterDateAndBareStatus(t *testing.T) {
	// A proxy in front of the service answers without our envelope.
	when := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", when)
		http.Error(w, "upstream busy", http.StatusBadGateway)
	}))
	defer hs.Close()
	c, _ := webchat.New(webchat.Config{BaseURL: hs.URL, Token: "t"}, nil)
	_, err := c.Send(context.Background(), msg(visitor, "hi", "k"))
	if se := channelstest.Refusal(t, err, followup.Retryable, "502"); se.RetryAfter < 80*time.Second || se.RetryAfter > 91*time.Second {
		t.Errorf("RetryAfter = %s, want ~90s", se.RetryAfter)
	}
}

func TestSendTransportErrorIsRetried(t *testing.T) {
	srv := webchattest.New()
	c := client(t, srv)
	srv.Close()
	_, err := c.Send(context.Background(), msg(visitor, "hi", "k"))
	channelstest.Retried(t, err)
}

func TestSendRefusesOtherModes(t *testing.T) {
	srv := channelstest.Start(t, webchattest.New)
	channelstest.RefusesModes(t, client(t, srv), msg(visitor, "hi", "k"), srv.Received, followup.ModeTemplate)
}

func TestWidgetHandler(t *testing.T) {
	h := webchat.Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/webchat/widget.html", nil))
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("widget.html: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	page := rec.Body.String()
	if !strings.Contains(page, `<script src="widget.js">`) || strings.Contains(page, "<script>") {
		t.Error("widget.html must load its script from widget.js, no inline script (CSP script-src 'self')")
	}
	if !strings.Contains(rec.Header().Get("Content-Security-Policy"), "script-src 'self'") {
		t.Errorf("CSP = %q", rec.Header().Get("Content-Security-Policy"))
	}

	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/webchat/widget.js", nil))
	js, _ := io.ReadAll(rec.Body)
	for _, want := range []string{"/webhooks/webchat", webchat.SignatureHeader, webchat.TimestampHeader, webchat.VisitorHeader, "textContent"} {
		if !strings.Contains(string(js), want) {
			t.Errorf("widget.js lacks %q", want)
		}
	}
	if strings.Contains(string(js), "innerHTML") {
		t.Error("widget.js uses innerHTML")
	}

	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/webchat/widget.html", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST widget: %d", rec.Code)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/webchat/../go.mod", nil))
	if rec.Code == http.StatusOK {
		t.Error("served a file outside the widget")
	}
}
