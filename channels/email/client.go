// Package email sends follow-ups over SMTP (RFC 5321) and reads replies
// forwarded by an inbound-email provider's webhook.
//
// Email has no messaging window (PRODUCT.md §2); what stops a follow-up is
// the receiving server refusing the recipient, which SMTP says at RCPT with
// a 5xx reply.
package email

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
)

// DefaultSubject is the subject of a follow-up when Config.Subject is empty.
// Outbound carries no subject: every other channel is a chat.
const DefaultSubject = "Following up on your request"

// defaultTimeout bounds a whole SMTP transaction when the context has no
// deadline: a server that stalls must not hold the activity forever.
const defaultTimeout = time.Minute

// Config says which SMTP server to submit through and as whom.
type Config struct {
	// BaseURL is the SMTP server as a URL: smtp://user:pass@host:port
	// (STARTTLS when the server offers it; port 587 by default) or
	// smtps://user:pass@host:port (implicit TLS, RFC 8314; port 465 by
	// default). There is no default server. User and password are
	// optional; when present they are sent with AUTH PLAIN.
	BaseURL string
	// From is the sender address, e.g. "Acme Support <support@acme.test>".
	From string
	// Subject of every follow-up; DefaultSubject when empty.
	Subject string
	// TLS overrides the TLS settings (e.g. RootCAs for a private relay).
	// ServerName defaults to the URL's host.
	TLS *tls.Config
	// Hostname is what we announce in EHLO; "localhost" when empty.
	Hostname string
}

// Client submits messages to one SMTP server.
type Client struct {
	addr     string // host:port
	host     string
	implicit bool // smtps://
	auth     smtp.Auth
	from     *mail.Address
	subject  string
	tls      *tls.Config
	hostname string
	now      func() time.Time
}

// New checks cfg. hc is unused (SMTP is not HTTP); it is accepted so every
// channel is built the same way.
func New(cfg Config, _ *http.Client) (*Client, error) {
	if err := channels.Missing("email", "SMTP URL (BaseURL, smtp://user:pass@host:port)", cfg.BaseURL, "From address", cfg.From); err != nil {
		return nil, err
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("email: SMTP URL: %w", err)
	}
	c := &Client{host: u.Hostname(), hostname: cfg.Hostname, subject: cfg.Subject, now: time.Now}
	port := u.Port()
	switch u.Scheme {
	case "smtp":
		if port == "" {
			port = "587" // RFC 6409 submission
		}
	case "smtps":
		c.implicit = true
		if port == "" {
			port = "465" // RFC 8314 submissions
		}
	default:
		return nil, fmt.Errorf("email: SMTP URL scheme %q (smtp or smtps)", u.Scheme)
	}
	if c.host == "" {
		return nil, errors.New("email: missing SMTP host in BaseURL")
	}
	c.addr = net.JoinHostPort(c.host, port)
	if u.User != nil && u.User.Username() != "" {
		pass, _ := u.User.Password()
		// net/smtp's PlainAuth refuses to send the password over a
		// connection that is neither TLS nor to localhost.
		c.auth = smtp.PlainAuth("", u.User.Username(), pass, c.host)
	}
	if c.from, err = mail.ParseAddress(cfg.From); err != nil {
		return nil, fmt.Errorf("email: From address %q: %w", cfg.From, err)
	}
	if c.subject == "" {
		c.subject = DefaultSubject
	}
	if c.hostname == "" {
		c.hostname = "localhost"
	}
	if cfg.TLS != nil {
		c.tls = cfg.TLS.Clone()
	} else {
		c.tls = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if c.tls.ServerName == "" {
		c.tls.ServerName = c.host
	}
	return c, nil
}

// Send submits m.Text as a plain-text email to m.To. The Message-ID is
// derived from the idempotency key and returned as ProviderID, so a retry
// after a lost 250 carries the same Message-ID and receivers (and our
// bounce handling) can recognise the duplicate: SMTP itself has no
// idempotent submission.
func (c *Client) Send(ctx context.Context, m channels.Outbound) (channels.Sent, error) {
	if m.Mode != "" && m.Mode != followup.ModeFreeText {
		// Email has no window, so the rules only ever choose free text.
		return channels.Sent{}, &followup.SendError{Class: followup.Permanent, Code: "unsupported_mode", Message: "email sends free text only, not " + string(m.Mode)}
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return channels.Sent{}, &followup.SendError{Class: followup.Permanent, Code: "invalid_recipient", Message: fmt.Sprintf("%q is not an email address", m.To)}
	}
	msgID := c.messageID(m.IdempotencyKey)
	data := c.compose(to, msgID, m.Text)

	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultTimeout)
		defer cancel()
	}
	if err := c.submit(ctx, to.Address, data); err != nil {
		return channels.Sent{}, err
	}
	return channels.Sent{ProviderID: msgID}, nil
}

// stage is the SMTP command a reply answered; a 5xx means different
// things at RCPT (this recipient) and elsewhere (this message or us).
type stage string

const (
	stageConnect stage = "connect"
	stageHello   stage = "EHLO"
	stageTLS     stage = "STARTTLS"
	stageAuth    stage = "AUTH"
	stageMail    stage = "MAIL"
	stageRcpt    stage = "RCPT"
	stageData    stage = "DATA"
)

func (c *Client) submit(ctx context.Context, rcpt string, data []byte) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return fmt.Errorf("email: connect %s: %w", c.addr, err)
	}
	// The whole transaction obeys ctx: the deadline covers slow servers,
	// cancellation closes the connection under net/smtp.
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	if c.implicit {
		tc := tls.Client(conn, c.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			_ = conn.Close()
			return fmt.Errorf("email: TLS handshake with %s: %w", c.addr, err)
		}
		conn = tc
	}
	sc, err := smtp.NewClient(conn, c.host)
	if err != nil {
		_ = conn.Close()
		return c.classify(stageConnect, err)
	}
	defer sc.Close()
	if err := sc.Hello(c.hostname); err != nil {
		return c.classify(stageHello, err)
	}
	if !c.implicit {
		if ok, _ := sc.Extension("STARTTLS"); ok {
			if err := sc.StartTLS(c.tls); err != nil {
				return c.classify(stageTLS, err)
			}
		}
	}
	if c.auth != nil {
		if ok, _ := sc.Extension("AUTH"); !ok {
			return &followup.SendError{Class: followup.Permanent, Code: "auth_unsupported", Message: "the SMTP server does not offer AUTH but credentials are configured"}
		}
		if err := sc.Auth(c.auth); err != nil {
			return c.classify(stageAuth, err)
		}
	}
	if err := sc.Mail(c.from.Address); err != nil {
		return c.classify(stageMail, err)
	}
	if err := sc.Rcpt(rcpt); err != nil {
		_ = sc.Reset()
		_ = sc.Quit()
		return c.classify(stageRcpt, err)
	}
	w, err := sc.Data()
	if err != nil {
		return c.classify(stageData, err)
	}
	if _, err := w.Write(data); err != nil {
		return c.classify(stageData, err)
	}
	// Close sends "." and reads the server's verdict on the message.
	if err := w.Close(); err != nil {
		return c.classify(stageData, err)
	}
	// The message is accepted at the 250 after DATA; a failed QUIT changes
	// nothing (RFC 5321 §4.1.1.10).
	_ = sc.Quit()
	return nil
}

// classify maps an SMTP reply to a SendError (RFC 5321 §4.2.1): 4yz is
// transient, so retried; 550/551/553 at RCPT mean the mailbox is gone
// (unknown, moved, not allowed), which stops the follow-up like a block;
// any other 5yz is permanent for this message. Errors without a reply
// (network, TLS) are returned as plain errors, which the activity retries.
func (c *Client) classify(st stage, err error) error {
	var te *textproto.Error
	if !errors.As(err, &te) {
		if st == stageAuth {
			var ne net.Error
			if !errors.As(err, &ne) {
				// net/smtp's own refusals (e.g. plain auth on an
				// unencrypted link) are configuration, not luck.
				return &followup.SendError{Class: followup.Permanent, Code: "auth", Message: "SMTP authentication: " + err.Error()}
			}
		}
		return fmt.Errorf("email: SMTP %s: %w", st, err)
	}
	se := &followup.SendError{Code: fmt.Sprint(te.Code), Message: fmt.Sprintf("SMTP %s: %s", st, te.Msg)}
	switch {
	case te.Code >= 400 && te.Code < 500:
		se.Class = followup.Retryable
	case st == stageRcpt && (te.Code == 550 || te.Code == 551 || te.Code == 553):
		se.Class = followup.RecipientGone
	default:
		se.Class = followup.Permanent
	}
	return se
}

// messageID is <hex@domain> with hex from the idempotency key, so every
// retry of one follow-up has the same Message-ID (RFC 5322 §3.6.4 wants it
// unique per message, which one follow-up is). The domain is the sender's.
func (c *Client) messageID(key string) string {
	var id string
	if key == "" {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
	} else {
		sum := sha256.Sum256([]byte("followup-email:" + key))
		id = hex.EncodeToString(sum[:16])
	}
	domain := "followup.invalid"
	if _, d, ok := strings.Cut(c.from.Address, "@"); ok && d != "" {
		domain = d
	}
	return "<" + id + "@" + domain + ">"
}

// compose builds the RFC 5322 message: 7-bit headers (the subject as an
// RFC 2047 encoded word when it is not ASCII) and a UTF-8 body in
// quoted-printable, whose soft line breaks keep every line under the 998
// characters RFC 5322 §2.1.1 allows and which needs no 8BITMIME.
func (c *Client) compose(to *mail.Address, msgID, text string) []byte {
	var b bytes.Buffer
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", c.from.String())
	h("To", to.String())
	h("Subject", mime.QEncoding.Encode("utf-8", c.subject))
	h("Date", c.now().Format(time.RFC1123Z))
	h("Message-ID", msgID)
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	// Normalise line ends so quoted-printable emits hard CRLF breaks, not
	// an encoded =0D.
	text = strings.ReplaceAll(text, "\r\n", "\n")
	_, _ = qp.Write([]byte(strings.ReplaceAll(text, "\n", "\r\n")))
	_ = qp.Close()
	b.WriteString("\r\n")
	return b.Bytes()
}
