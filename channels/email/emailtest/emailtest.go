// Package emailtest is a small but real SMTP server (RFC 5321) on a local
// TCP port for testing the email channel: EHLO/HELO, optional STARTTLS and
// AUTH PLAIN, MAIL, RCPT with per-recipient reply codes, DATA, RSET, NOOP,
// QUIT. It checks what a strict receiving server checks (command order,
// authentication, 7-bit data without 8BITMIME, line length, required
// headers) and records every accepted message. It also builds signed
// inbound-email webhook requests.
package emailtest

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/followup-dev/followup/channels/fake"
	"github.com/followup-dev/followup/channels/signature"
)

// DefaultSecret signs the webhook requests the server builds unless
// Server.Secret is changed.
const DefaultSecret = "emailtest-inbound-secret"

// maxLine is RFC 5322 §2.1.1's limit (998 characters) on a message line.
const maxLine = 998

// Stage is the SMTP command a configured failure answers.
type Stage string

// Stages a failure can be set at (FailAt).
const (
	// Greeting: the server answers the connection with the code and
	// closes it (421 "service not available" is the usual one).
	Greeting Stage = "greeting"
	Mail     Stage = "MAIL"
	// Data: the reply after the message's final dot (e.g. 554 spam, 451).
	Data Stage = "DATA"
)

// Reply is an SMTP reply a test configures.
type Reply struct {
	Code int
	Text string // e.g. "5.1.1 User unknown"
}

// Message is one message the server accepted.
type Message struct {
	From     string   // MAIL FROM path
	To       []string // RCPT TO paths that were accepted
	AuthUser string   // "" when the session did not authenticate
	TLS      bool     // the session was encrypted
	Raw      []byte   // the data as received, dot-unstuffed, CRLF lines
	Header   mail.Header
	Subject  string // decoded (RFC 2047)
	Body     string // decoded from the Content-Transfer-Encoding
}

// Option configures a Server.
type Option func(*Server)

// WithAuth requires AUTH PLAIN with these credentials before MAIL.
func WithAuth(user, pass string) Option { return func(s *Server) { s.user, s.pass = user, pass } }

// WithSTARTTLS offers STARTTLS (with a fresh self-signed certificate; see
// CertPool) and advertises AUTH only once the session is encrypted, as
// submission servers do.
func WithSTARTTLS() Option { return func(s *Server) { s.startTLS = true } }

// WithImplicitTLS makes the server speak TLS from the first byte (smtps).
func WithImplicitTLS() Option { return func(s *Server) { s.implicitTLS = true } }

// Server is a running fake SMTP server.
type Server struct {
	// Secret signs the webhook requests built by SignedMessage.
	Secret string

	user, pass            string
	startTLS, implicitTLS bool
	tlsConf               *tls.Config
	pool                  *x509.CertPool
	ln                    net.Listener

	mu       sync.Mutex
	failRcpt map[string]Reply
	failAt   map[Stage]Reply
	messages []Message
	commands []string
	conns    map[net.Conn]struct{}
	closed   bool
	wg       sync.WaitGroup
	seq      int
}

// New starts a server on 127.0.0.1 with a random port.
func New(opts ...Option) *Server {
	s := &Server{Secret: DefaultSecret, failRcpt: map[string]Reply{}, failAt: map[Stage]Reply{}, conns: map[net.Conn]struct{}{}}
	for _, o := range opts {
		o(s)
	}
	if s.startTLS || s.implicitTLS {
		s.tlsConf, s.pool = selfSigned()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("emailtest: listen: " + err.Error())
	}
	if s.implicitTLS {
		ln = tls.NewListener(ln, s.tlsConf)
	}
	s.ln = ln
	s.wg.Add(1)
	go s.serve()
	return s
}

// Addr is host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is the server as an email.Config BaseURL, with the credentials
// WithAuth set.
func (s *Server) URL() string {
	scheme := "smtp"
	if s.implicitTLS {
		scheme = "smtps"
	}
	cred := ""
	if s.user != "" {
		cred = s.user + ":" + s.pass + "@"
	}
	return scheme + "://" + cred + s.Addr()
}

// CertPool trusts the server's certificate (nil without TLS).
func (s *Server) CertPool() *x509.CertPool { return s.pool }

// Close stops the server and drops open sessions.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	_ = s.ln.Close()
	s.wg.Wait()
}

// FailFor answers RCPT TO:<rcpt> with code and text (e.g. 550 "5.1.1
// User unknown", 452 "4.2.2 Mailbox full").
func (s *Server) FailFor(rcpt string, code int, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failRcpt[strings.ToLower(rcpt)] = Reply{code, text}
}

// FailAt answers a stage with code and text for every session.
func (s *Server) FailAt(st Stage, code int, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failAt[st] = Reply{code, text}
}

// Reset clears configured failures.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failRcpt = map[string]Reply{}
	s.failAt = map[Stage]Reply{}
}

// Messages returns the accepted messages in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Commands returns every command line received, in order, across sessions
// (AUTH credentials are masked).
func (s *Server) Commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.commands...)
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			_ = c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			s.session(c)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
			_ = c.Close()
		}()
	}
}

type session struct {
	s        *Server
	conn     net.Conn
	r        *textproto.Reader
	w        *bufio.Writer
	helo     bool
	tls      bool
	authUser string
	from     *string
	rcpts    []string
}

func (ss *session) reply(code int, lines ...string) {
	for i, l := range lines {
		sep := " "
		if i < len(lines)-1 {
			sep = "-"
		}
		fmt.Fprintf(ss.w, "%d%s%s\r\n", code, sep, l)
	}
	_ = ss.w.Flush()
}

func (ss *session) replyR(r Reply) { ss.reply(r.Code, r.Text) }

func (ss *session) resetTx() { ss.from, ss.rcpts = nil, nil }

func (s *Server) failure(st Stage) (Reply, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.failAt[st]
	return r, ok
}

func (s *Server) session(c net.Conn) {
	_ = c.SetDeadline(time.Now().Add(time.Minute))
	ss := &session{s: s, conn: c, r: textproto.NewReader(bufio.NewReader(c)), w: bufio.NewWriter(c)}
	if _, ok := c.(*tls.Conn); ok {
		ss.tls = true
	}
	if r, ok := s.failure(Greeting); ok {
		ss.replyR(r)
		return
	}
	ss.reply(220, "emailtest ESMTP ready")
	for {
		line, err := ss.r.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		logged := line
		if verb == "AUTH" {
			logged = "AUTH " + strings.SplitN(arg, " ", 2)[0] + " ***"
		}
		s.mu.Lock()
		s.commands = append(s.commands, logged)
		s.mu.Unlock()
		// RFC 5321 §4.5.3.1.4: a command line is at most 512 octets.
		if len(line) > 510 {
			ss.reply(500, "5.5.2 Line too long")
			continue
		}
		switch verb {
		case "EHLO", "HELO":
			if arg == "" {
				ss.reply(501, "5.5.4 "+verb+" requires a domain")
				continue
			}
			ss.helo = true
			ss.resetTx()
			if verb == "HELO" {
				ss.reply(250, "emailtest")
				continue
			}
			lines := []string{"emailtest greets " + arg}
			if s.startTLS && !ss.tls {
				lines = append(lines, "STARTTLS")
			}
			if s.user != "" && (ss.tls || !s.startTLS) {
				lines = append(lines, "AUTH PLAIN")
			}
			lines = append(lines, "SIZE "+strconv.Itoa(10<<20))
			ss.reply(250, lines...)
		case "STARTTLS":
			if !s.startTLS || ss.tls {
				ss.reply(502, "5.5.1 STARTTLS not available")
				continue
			}
			ss.reply(220, "2.0.0 Ready to start TLS")
			tc := tls.Server(c, s.tlsConf)
			if err := tc.Handshake(); err != nil {
				return
			}
			// RFC 3207 §4.2: the session starts over after TLS.
			ss.conn, ss.tls, ss.helo = tc, true, false
			ss.r = textproto.NewReader(bufio.NewReader(tc))
			ss.w = bufio.NewWriter(tc)
			ss.resetTx()
		case "AUTH":
			ss.auth(arg)
		case "MAIL":
			ss.mail(arg)
		case "RCPT":
			ss.rcpt(arg)
		case "DATA":
			if !ss.data() {
				return
			}
		case "RSET":
			ss.resetTx()
			ss.reply(250, "2.0.0 Ok")
		case "NOOP":
			ss.reply(250, "2.0.0 Ok")
		case "QUIT":
			ss.reply(221, "2.0.0 Bye")
			return
		default:
			ss.reply(502, "5.5.2 Command not recognized")
		}
	}
}

func (ss *session) auth(arg string) {
	s := ss.s
	if s.user == "" || (s.startTLS && !ss.tls) {
		ss.reply(503, "5.5.1 AUTH not available")
		return
	}
	if !ss.helo {
		ss.reply(503, "5.5.1 EHLO first")
		return
	}
	if ss.authUser != "" {
		ss.reply(503, "5.5.1 Already authenticated")
		return
	}
	mech, initial, _ := strings.Cut(arg, " ")
	if !strings.EqualFold(mech, "PLAIN") {
		ss.reply(504, "5.5.4 Unrecognized authentication type")
		return
	}
	if initial == "" {
		ss.reply(334, "")
		l, err := ss.r.ReadLine()
		if err != nil {
			return
		}
		initial = l
	}
	if initial == "*" {
		ss.reply(501, "5.0.0 Authentication cancelled")
		return
	}
	raw, err := base64.StdEncoding.DecodeString(initial)
	if err != nil {
		ss.reply(501, "5.5.2 Cannot decode response")
		return
	}
	// RFC 4616: authzid NUL authcid NUL passwd.
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 3 || parts[1] != s.user || parts[2] != s.pass {
		ss.reply(535, "5.7.8 Authentication credentials invalid")
		return
	}
	ss.authUser = parts[1]
	ss.reply(235, "2.7.0 Authentication successful")
}

// path reads "<addr>" after "FROM:" / "TO:", ignoring ESMTP parameters.
func path(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(rest, "<") {
		return "", false
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", false
	}
	return rest[1:end], true
}

func (ss *session) mail(arg string) {
	s := ss.s
	switch {
	case !ss.helo:
		ss.reply(503, "5.5.1 EHLO/HELO first")
		return
	case s.user != "" && ss.authUser == "":
		ss.reply(530, "5.7.0 Authentication required")
		return
	case ss.from != nil:
		ss.reply(503, "5.5.1 Nested MAIL command")
		return
	}
	from, ok := path(arg, "FROM:")
	if !ok {
		ss.reply(501, "5.5.4 Syntax: MAIL FROM:<address>")
		return
	}
	if r, ok := s.failure(Mail); ok {
		ss.replyR(r)
		return
	}
	ss.from = &from
	ss.reply(250, "2.1.0 Ok")
}

func (ss *session) rcpt(arg string) {
	if ss.from == nil {
		ss.reply(503, "5.5.1 Need MAIL command")
		return
	}
	to, ok := path(arg, "TO:")
	if !ok || !strings.Contains(to, "@") {
		ss.reply(501, "5.1.3 Bad recipient address syntax")
		return
	}
	ss.s.mu.Lock()
	r, fail := ss.s.failRcpt[strings.ToLower(to)]
	ss.s.mu.Unlock()
	if fail {
		ss.replyR(r)
		return
	}
	ss.rcpts = append(ss.rcpts, to)
	ss.reply(250, "2.1.5 Ok")
}

// data reads the message; false when the connection is unusable.
func (ss *session) data() bool {
	if ss.from == nil || len(ss.rcpts) == 0 {
		ss.reply(554, "5.5.1 No valid recipients")
		return true
	}
	ss.reply(354, "End data with <CR><LF>.<CR><LF>")
	var raw bytes.Buffer
	tooLong, eightBit := false, false
	for {
		line, err := ss.r.ReadLine()
		if err != nil {
			return false
		}
		if line == "." {
			break
		}
		// RFC 5321 §4.5.2: the client doubled a leading dot.
		line = strings.TrimPrefix(line, ".")
		if len(line) > maxLine {
			tooLong = true
		}
		for i := 0; i < len(line); i++ {
			if line[i] >= 0x80 {
				eightBit = true
				break
			}
		}
		raw.WriteString(line)
		raw.WriteString("\r\n")
	}
	defer ss.resetTx()
	switch {
	case tooLong:
		ss.reply(554, "5.6.0 Line longer than 998 characters (RFC 5322 2.1.1)")
		return true
	case eightBit:
		// We never advertised 8BITMIME (RFC 6152).
		ss.reply(554, "5.6.1 8-bit data without 8BITMIME")
		return true
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw.Bytes()))
	if err != nil {
		ss.reply(554, "5.6.0 Malformed message: "+err.Error())
		return true
	}
	for _, h := range []string{"From", "Date"} { // RFC 5322 §3.6
		if msg.Header.Get(h) == "" {
			ss.reply(554, "5.6.0 Message lacks required header "+h)
			return true
		}
	}
	body, err := decodeBody(msg)
	if err != nil {
		ss.reply(554, "5.6.0 Undecodable body: "+err.Error())
		return true
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		ss.reply(554, "5.6.0 Undecodable subject")
		return true
	}
	if r, ok := ss.s.failure(Data); ok {
		ss.replyR(r)
		return true
	}
	ss.s.mu.Lock()
	ss.s.seq++
	id := ss.s.seq
	ss.s.messages = append(ss.s.messages, Message{
		From: *ss.from, To: append([]string(nil), ss.rcpts...), AuthUser: ss.authUser, TLS: ss.tls,
		Raw: raw.Bytes(), Header: msg.Header, Subject: subject, Body: body,
	})
	ss.s.mu.Unlock()
	ss.reply(250, fmt.Sprintf("2.0.0 Ok: queued as %06X", id))
	return true
}

func decodeBody(msg *mail.Message) (string, error) {
	var r io.Reader = msg.Body
	switch strings.ToLower(msg.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, &newlineStripper{r: r})
	}
	b, err := io.ReadAll(r)
	return string(b), err
}

// newlineStripper drops CR and LF, which base64 bodies wrap with.
type newlineStripper struct{ r io.Reader }

func (n *newlineStripper) Read(p []byte) (int, error) {
	k, err := n.r.Read(p)
	j := 0
	for _, c := range p[:k] {
		if c != '\r' && c != '\n' {
			p[j] = c
			j++
		}
	}
	return j, err
}

func selfSigned() (*tls.Config, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "emailtest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}, pool
}

// Inbound is an email as an inbound-email provider forwards it.
type Inbound struct {
	From      string `json:"from"` // "Name <addr>" or addr
	To        string `json:"to,omitempty"`
	Subject   string `json:"subject,omitempty"`
	Text      string `json:"text,omitempty"`
	MessageID string `json:"message_id,omitempty"`
	Date      string `json:"date,omitempty"` // RFC 5322 date
}

// SignedMessage builds a JSON inbound-email webhook POST to target, signed
// with s.Secret at the current time.
func (s *Server) SignedMessage(target string, in Inbound) *http.Request {
	return s.SignedMessageAt(target, in, time.Now())
}

// SignedMessageAt is SignedMessage with the signature's timestamp at.
func (s *Server) SignedMessageAt(target string, in Inbound, at time.Time) *http.Request {
	return SignedRequest(s.Secret, target, "application/json", fake.Marshal(in), at)
}

// SignedRequest builds a webhook POST of body with the signature and
// timestamp headers for secret at time at.
func SignedRequest(secret, target, contentType string, body []byte, at time.Time) *http.Request {
	r := fake.Post(target, body, "Content-Type", contentType)
	signature.Set(r.Header, secret, body, at)
	return r
}
