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
	for want, cfg := range map[string]email.Config{
		"SMTP URL":     {From: "a@b.test"},
		"From":         {BaseURL: "smtp://h:25"},
		"scheme":       {BaseURL: "http://h", From: "a@b.test"},
		"From address": {BaseURL: "smtp://h:25", From: "not an address"},
	} {
		_, err := email.New(cfg, nil)
		channelstest.ErrorNames(t, err, want)
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
	m := channelstest.One(t, "messages", srv.Messages())
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

// failure is what goes wrong in a send: a reply the server is told to
// give to the recipient to (setup), or a change to the configuration.
type failure struct {
	setup func(*emailtest.Server)
	mod   func(*email.Config)
	to    string
}

// refuses is the failure of the server answering code and text to the
// recipient to.
func refuses(to string, code int, text string) failure {
	return failure{setup: func(s *emailtest.Server) { s.FailFor(to, code, text) }, to: to}
}

// failsAt is the failure of the server answering code and text at stage.
func failsAt(st emailtest.Stage, code int, text string) failure {
	return failure{setup: func(s *emailtest.Server) { s.FailAt(st, code, text) }, to: "ana@example.test"}
}

func TestSendErrorClasses(t *testing.T) {
	channelstest.Failures(t, []channelstest.Failure[failure]{
		{Name: "mailbox unknown", Fail: refuses("gone@example.test", 550, "5.1.1 User unknown"), Class: followup.RecipientGone, Code: "550"},
		{Name: "user not local", Fail: refuses("gone@example.test", 551, "5.1.6 User has moved"), Class: followup.RecipientGone, Code: "551"},
		{Name: "mailbox name not allowed", Fail: refuses("gone@example.test", 553, "5.1.3 Mailbox name not allowed"), Class: followup.RecipientGone, Code: "553"},
		{Name: "mailbox full is transient", Fail: refuses("full@example.test", 452, "4.2.2 Mailbox full"), Class: followup.Retryable, Code: "452"},
		{Name: "rcpt 554 policy", Fail: refuses("x@example.test", 554, "5.7.1 Relay access denied"), Class: followup.Permanent, Code: "554"},
		{Name: "greylisted", Fail: refuses("grey@example.test", 450, "4.7.1 Greylisted, try again"), Class: followup.Retryable, Code: "450"},
		{Name: "service not available", Fail: failsAt(emailtest.Greeting, 421, "4.3.2 Service shutting down"), Class: followup.Retryable, Code: "421"},
		{Name: "sender rejected", Fail: failsAt(emailtest.Mail, 550, "5.7.1 Sender not allowed"), Class: followup.Permanent, Code: "550"},
		{Name: "spam at data", Fail: failsAt(emailtest.Data, 554, "5.7.1 Message rejected as spam"), Class: followup.Permanent, Code: "554"},
		{Name: "local error at data", Fail: failsAt(emailtest.Data, 451, "4.3.0 Local error"), Class: followup.Retryable, Code: "451"},
		{Name: "bad password", Fail: failure{mod: func(c *email.Config) { c.BaseURL = strings.Replace(c.BaseURL, ":pw@", ":wrong@", 1) }, to: "ana@example.test"},
			Class: followup.Permanent, Code: "535"},
		{Name: "invalid address", Fail: failure{to: "not-an-address"}, Class: followup.Permanent, Code: "invalid_recipient"},
	}, func(t *testing.T, f failure) error {
		srv := emailtest.New(emailtest.WithAuth("user", "pw"))
		t.Cleanup(srv.Close)
		if f.setup != nil {
			f.setup(srv)
		}
		mods := []func(*email.Config){}
		if f.mod != nil {
			mods = append(mods, f.mod)
		}
		_, err := newClient(t, srv, mods...).Send(context.Background(), out(f.to, "hello", "k"))
		if len(srv.Messages()) != 0 {
			t.Error("a refused message was recorded as delivered")
		}
		return err
	})
}

func TestSendRefusesOtherModes(t *testing.T) {
	srv := emailtest.New()
	defer srv.Close()
	channelstest.RefusesModes(t, newClient(t, srv), out("ana@example.test", "hi", "k"), func() int { return len(srv.Commands()) }, followup.ModeTemplate)
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
