package email_test

import (
	"context"
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/channelstest"
	"github.com/followup-dev/followup/channels/email"
	"github.com/followup-dev/followup/channels/email/emailtest"
)

func newClient(t *testing.T, srv *emailtest.Server, mod ...func(*email.Config)) *email.Client {
	t.Helper()
	cfg := email.Config{BaseURL: srv.URL(), From: "Acme Support <support@acme.test>", Subject: "Ваш запрос — update"}
	if p := srv.CertPool(); p != nil {
		cfg.TLS = &tls.Config{RootCAs: p, MinVersion: tls.VersionTLS12}
	}
	for _, m := range mod {
		m(&cfg)
	}
	return channelstest.Must(email.New(cfg, nil))(t)
}

func out(to, text, key string) channels.Outbound {
	return channels.Outbound{Channel: followup.Email, To: to, Mode: followup.ModeFreeText, Text: text, IdempotencyKey: key}
}

func TestNewNamesMissingConfig(t *testing.T) {
	for _, tc := range []struct {
		cfg  email.Config
		want string
	}{
		{email.Config{From: "a@b.test"}, "SMTP URL"},
		{email.Config{BaseURL: "smtp://h:25"}, "From"},
		{email.Config{BaseURL: "http://h", From: "a@b.test"}, "scheme"},
		{email.Config{BaseURL: "smtp://h:25", From: "not an address"}, "From address"},
	} {
		if _, err := email.New(tc.cfg, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) = %v, want error naming %q", tc.cfg, err, tc.want)
		}
	}
}

func TestSendBuildsRFC5322Message(t *testing.T) {
	srv := emailtest.New(emailtest.WithAuth("apikey", "s3cret"))
	defer srv.Close()
	c := newClient(t, srv)
	long := strings.Repeat("Привет, ваш возврат оформлен. ", 60) // one line far beyond 998 octets
	text := "Hi Ana,\n.hidden dot line\n" + long + "\nThanks"
	sent, err := c.Send(context.Background(), out("Ana Lima <ana@example.test>", text, "fu-42-1"))
	if err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("server got %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.AuthUser != "apikey" {
		t.Errorf("AuthUser = %q, want apikey (AUTH PLAIN)", m.AuthUser)
	}
	if m.From != "support@acme.test" || len(m.To) != 1 || m.To[0] != "ana@example.test" {
		t.Errorf("envelope = %q -> %v", m.From, m.To)
	}
	if got := m.Header.Get("Message-ID"); got != sent.ProviderID || !strings.HasSuffix(got, "@acme.test>") {
		t.Errorf("Message-ID = %q, ProviderID = %q", got, sent.ProviderID)
	}
	if d, err := m.Header.Date(); err != nil || time.Since(d) > time.Minute {
		t.Errorf("Date = %q (%v)", m.Header.Get("Date"), err)
	}
	if m.Header.Get("To") != `"Ana Lima" <ana@example.test>` {
		t.Errorf("To header = %q", m.Header.Get("To"))
	}
	if m.Subject != "Ваш запрос — update" {
		t.Errorf("Subject decoded = %q", m.Subject)
	}
	if !strings.HasPrefix(m.Header.Get("Subject"), "=?utf-8?") {
		t.Errorf("raw Subject %q is not an RFC 2047 encoded word", m.Header.Get("Subject"))
	}
	if ct := m.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if got := strings.ReplaceAll(strings.TrimSuffix(m.Body, "\r\n"), "\r\n", "\n"); got != text {
		t.Errorf("Body decoded = %q, want %q", got, text)
	}
}

func TestSendRetryKeepsMessageID(t *testing.T) {
	srv := emailtest.New()
	defer srv.Close()
	c := newClient(t, srv)
	a, err := c.Send(context.Background(), out("ana@example.test", "hi", "key-1"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Send(context.Background(), out("ana@example.test", "hi", "key-1"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := c.Send(context.Background(), out("ana@example.test", "hi", "key-2"))
	if err != nil {
		t.Fatal(err)
	}
	if a.ProviderID != b.ProviderID || a.ProviderID == other.ProviderID {
		t.Errorf("ids: retry %q/%q, other key %q", a.ProviderID, b.ProviderID, other.ProviderID)
	}
	msgs := srv.Messages()
	if msgs[0].Header.Get("Message-ID") != msgs[1].Header.Get("Message-ID") {
		t.Error("a retry carried a different Message-ID")
	}
}

func TestSendSTARTTLS(t *testing.T) {
	srv := emailtest.New(emailtest.WithSTARTTLS(), emailtest.WithAuth("u", "p"))
	defer srv.Close()
	if _, err := newClient(t, srv).Send(context.Background(), out("ana@example.test", "hi", "k")); err != nil {
		t.Fatal(err)
	}
	if m := srv.Messages(); len(m) != 1 || !m[0].TLS || m[0].AuthUser != "u" {
		t.Fatalf("messages = %+v, want one over TLS, authenticated", m)
	}
	cmds := strings.Join(srv.Commands(), "|")
	if !strings.Contains(cmds, "STARTTLS|EHLO") {
		t.Errorf("commands %q: no EHLO again after STARTTLS (RFC 3207)", cmds)
	}

	// An untrusted certificate is a transport error, never a send.
	c := newClient(t, srv, func(cfg *email.Config) { cfg.TLS = nil })
	_, err := c.Send(context.Background(), out("ana@example.test", "hi", "k2"))
	channelstest.Plain(t, err)
}

func TestSendImplicitTLS(t *testing.T) {
	srv := emailtest.New(emailtest.WithImplicitTLS(), emailtest.WithAuth("u", "p"))
	defer srv.Close()
	if !strings.HasPrefix(srv.URL(), "smtps://") {
		t.Fatalf("URL = %s", srv.URL())
	}
	if _, err := newClient(t, srv).Send(context.Background(), out("ana@example.test", "hi", "k")); err != nil {
		t.Fatal(err)
	}
	if m := srv.Messages(); len(m) != 1 || !m[0].TLS {
		t.Fatalf("messages = %+v", m)
	}
}

func TestSendErrorClasses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(*emailtest.Server)
		mod   func(*email.Config)
		to    string
		class followup.SendErrorClass
		code  string
	}{
		{name: "mailbox unknown", setup: func(s *emailtest.Server) { s.FailFor("gone@example.test", 550, "5.1.1 User unknown") },
			to: "gone@example.test", class: followup.RecipientGone, code: "550"},
		{name: "user not local", setup: func(s *emailtest.Server) { s.FailFor("gone@example.test", 551, "5.1.6 User has moved") },
			to: "gone@example.test", class: followup.RecipientGone, code: "551"},
		{name: "mailbox name not allowed", setup: func(s *emailtest.Server) { s.FailFor("gone@example.test", 553, "5.1.3 Mailbox name not allowed") },
			to: "gone@example.test", class: followup.RecipientGone, code: "553"},
		{name: "mailbox full is transient", setup: func(s *emailtest.Server) { s.FailFor("full@example.test", 452, "4.2.2 Mailbox full") },
			to: "full@example.test", class: followup.Retryable, code: "452"},
		{name: "rcpt 554 policy", setup: func(s *emailtest.Server) { s.FailFor("x@example.test", 554, "5.7.1 Relay access denied") },
			to: "x@example.test", class: followup.Permanent, code: "554"},
		{name: "greylisted", setup: func(s *emailtest.Server) { s.FailFor("grey@example.test", 450, "4.7.1 Greylisted, try again") },
			to: "grey@example.test", class: followup.Retryable, code: "450"},
		{name: "service not available", setup: func(s *emailtest.Server) { s.FailAt(emailtest.Greeting, 421, "4.3.2 Service shutting down") },
			to: "ana@example.test", class: followup.Retryable, code: "421"},
		{name: "sender rejected", setup: func(s *emailtest.Server) { s.FailAt(emailtest.Mail, 550, "5.7.1 Sender not allowed") },
			to: "ana@example.test", class: followup.Permanent, code: "550"},
		{name: "spam at data", setup: func(s *emailtest.Server) { s.FailAt(emailtest.Data, 554, "5.7.1 Message rejected as spam") },
			to: "ana@example.test", class: followup.Permanent, code: "554"},
		{name: "local error at data", setup: func(s *emailtest.Server) { s.FailAt(emailtest.Data, 451, "4.3.0 Local error") },
			to: "ana@example.test", class: followup.Retryable, code: "451"},
		{name: "bad password", mod: func(c *email.Config) { c.BaseURL = strings.Replace(c.BaseURL, ":pw@", ":wrong@", 1) },
			to: "ana@example.test", class: followup.Permanent, code: "535"},
		{name: "invalid address", to: "not-an-address", class: followup.Permanent, code: "invalid_recipient"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := emailtest.New(emailtest.WithAuth("user", "pw"))
			defer srv.Close()
			if tc.setup != nil {
				tc.setup(srv)
			}
			mods := []func(*email.Config){}
			if tc.mod != nil {
				mods = append(mods, tc.mod)
			}
			_, err := newClient(t, srv, mods...).Send(context.Background(), out(tc.to, "hello", "k"))
			channelstest.Refusal(t, err, tc.class, tc.code)
			if len(srv.Messages()) != 0 {
				t.Error("a refused message was recorded as delivered")
			}
		})
	}
}

func TestSendRefusesOtherModes(t *testing.T) {
	srv := emailtest.New()
	defer srv.Close()
	m := out("ana@example.test", "hi", "k")
	m.Mode = followup.ModeTemplate
	_, err := newClient(t, srv).Send(context.Background(), m)
	channelstest.Refusal(t, err, followup.Permanent, "unsupported_mode")
	if len(srv.Commands()) != 0 {
		t.Error("refused mode still talked to the server")
	}
}

func TestSendTransportErrorIsRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens there now
	c := channelstest.Must(email.New(email.Config{BaseURL: "smtp://" + addr, From: "a@acme.test"}, nil))(t)
	_, err = c.Send(context.Background(), out("ana@example.test", "hi", "k"))
	channelstest.Retried(t, err)
}

func TestSendHonoursContext(t *testing.T) {
	// A server that accepts and never greets.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			defer c.Close()
			time.Sleep(2 * time.Second)
		}
	}()
	c := channelstest.Must(email.New(email.Config{BaseURL: "smtp://" + ln.Addr().String(), From: "a@acme.test"}, nil))(t)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := c.Send(ctx, out("ana@example.test", "hi", "k")); err == nil {
		t.Fatal("Send succeeded against a silent server")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Send took %s, ignoring the 100ms deadline", d)
	}
}
