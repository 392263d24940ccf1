// Package provider is what the channel adapters share when they call a
// provider's HTTP API: one request with its body and credentials, the
// answer read up to a limit, the Retry-After it carries, and the turning
// of a refusal into a *followup.SendError whose class (retryable, window
// closed, recipient gone, permanent) the adapter's own rules decide.
package provider

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
)

// MaxAnswer is how much of an answer is read when a Request names no
// limit: the success and error bodies of the APIs we call are a few
// hundred bytes, so anything larger is not worth holding.
const MaxAnswer = 64 << 10

// API is a provider's HTTP API: its root URL and the client that calls
// it.
type API struct {
	// Base is the root URL, without a trailing slash.
	Base string
	HTTP *http.Client
}

// NewAPI is the API at base (defaultBase when empty, the provider's
// public one) called with hc (http.DefaultClient when nil).
func NewAPI(base, defaultBase string, hc *http.Client) API {
	return API{Base: strings.TrimRight(cmp.Or(base, defaultBase), "/"), HTTP: cmp.Or(hc, http.DefaultClient)}
}

// Patient is hc, or when it is nil a client that gives up on a call after
// 30 seconds (http.DefaultClient never does).
func Patient(hc *http.Client) *http.Client {
	if hc == nil {
		return &http.Client{Timeout: 30 * time.Second}
	}
	return hc
}

// Keyed is the client of a provider's API called with one secret: a
// bearer token (LINE, the website-chat delivery service) or a token in
// the path (Telegram's bot token). An adapter whose client needs nothing
// else defines its Client as a Keyed and adds Send.
type Keyed struct {
	API
	Token string
}

// NewKeyed is the client of the API at base (defaultBase when empty)
// called with hc (http.DefaultClient when nil) and token. An empty token
// is an error naming the adapter and what the token is ("line: missing
// channel access token").
func NewKeyed(adapter, what, token, base, defaultBase string, hc *http.Client) (*Keyed, error) {
	if err := channels.Missing(adapter, what, token); err != nil {
		return nil, err
	}
	return &Keyed{API: NewAPI(base, defaultBase, hc), Token: token}, nil
}

// Do sends r, whose URL is a path (and query) below the API's root.
func (a API) Do(ctx context.Context, r Request) (Answer, error) {
	r.URL = a.Base + r.URL
	return Do(ctx, a.HTTP, r)
}

// Request is one call to a provider's API.
type Request struct {
	// Method is POST when empty.
	Method string
	URL    string
	// Header holds the credentials and keys the provider reads; the
	// Content-Type of the body is set from JSON or Form.
	Header http.Header
	// JSON is encoded as the body (application/json); Raw is an already
	// encoded JSON body; Form is a form body. At most one is set.
	JSON any
	Raw  []byte
	Form url.Values
	// Limit is the most of the answer read; MaxAnswer when zero.
	Limit int64
}

// Answer is what a provider answered, its body read up to the limit.
type Answer struct {
	StatusCode int
	// Status is the status line's text, e.g. "502 Bad Gateway".
	Status string
	Header http.Header
	Body   []byte
	// At is when the answer arrived; a Retry-After date counts from it.
	At time.Time
}

// Do sends r with hc and reads the answer. Errors before an answer
// (encoding, transport, timeouts, a body cut off) come back as plain
// errors, which the activity retries; any HTTP answer, success or not,
// comes back as an Answer for the adapter to read or classify. A
// transport error is the *url.Error of net/http: an adapter whose URL
// holds a secret redacts it (Redact).
func Do(ctx context.Context, hc *http.Client, r Request) (Answer, error) {
	var body io.Reader
	contentType := ""
	switch {
	case r.JSON != nil:
		b, err := json.Marshal(r.JSON)
		if err != nil {
			return Answer{}, fmt.Errorf("encode request: %w", err)
		}
		body, contentType = bytes.NewReader(b), "application/json"
	case r.Raw != nil:
		body, contentType = bytes.NewReader(r.Raw), "application/json"
	case r.Form != nil:
		body, contentType = strings.NewReader(r.Form.Encode()), "application/x-www-form-urlencoded"
	}
	method := r.Method
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, r.URL, body)
	if err != nil {
		return Answer{}, fmt.Errorf("build request: %w", err)
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return Answer{}, err
	}
	defer resp.Body.Close()
	limit := r.Limit
	if limit == 0 {
		limit = MaxAnswer
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return Answer{}, fmt.Errorf("read answer: %w", err)
	}
	return Answer{StatusCode: resp.StatusCode, Status: resp.Status, Header: resp.Header, Body: b, At: time.Now()}, nil
}

// Bearer is the header of a bearer token.
func Bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

// Basic is the header of HTTP Basic authentication (RFC 7617).
func Basic(user, password string) http.Header {
	return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))}}
}

// Redact keeps secrets out of a transport error that names the URL: the
// query parameters named are replaced by REDACTED. Other errors are
// returned as they are.
func Redact(err error, params ...string) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	u, perr := url.Parse(ue.URL)
	if perr != nil {
		return err
	}
	q := u.Query()
	for _, k := range params {
		if q.Has(k) {
			q.Set(k, "REDACTED")
		}
	}
	u.RawQuery = q.Encode()
	return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
}

// OK reports a 2xx answer.
func (a Answer) OK() bool { return a.StatusCode/100 == 2 }

// Busy reports an HTTP status that says "try again later" whatever the
// body: 429 and 5xx.
func (a Answer) Busy() bool {
	return a.StatusCode == http.StatusTooManyRequests || a.StatusCode >= 500
}

// RetryAfter is the answer's Retry-After.
func (a Answer) RetryAfter() time.Duration { return RetryAfter(a.Header, a.At) }

// Refused is the SendError of a refusal the adapter has classified; a
// retryable one carries the answer's Retry-After.
func (a Answer) Refused(class followup.SendErrorClass, code, message string) *followup.SendError {
	se := &followup.SendError{Class: class, Code: code, Message: message}
	if class == followup.Retryable {
		se.RetryAfter = a.RetryAfter()
	}
	return se
}

// HTTPError is the SendError of an answer that carries no error of the
// provider's (a proxy's HTML page, an empty 502): only the status is
// known. Code is "http_" and the status; 429, 5xx and the statuses in
// retry are retryable, anything else is permanent.
func (a Answer) HTTPError(message string, retry ...int) *followup.SendError {
	c := followup.Permanent
	if a.Busy() || slices.Contains(retry, a.StatusCode) {
		c = followup.Retryable
	}
	return a.Refused(c, "http_"+strconv.Itoa(a.StatusCode), message)
}

// Snippet is the start of the body for an error message: trimmed, at most
// 200 bytes (whole characters) and an ellipsis when it was longer.
func (a Answer) Snippet() string { return Snippet(a.Body) }

// Snippet is the start of b for an error message: trimmed, at most 200
// bytes (whole characters) and an ellipsis when it was longer.
func Snippet(b []byte) string {
	const n = 200
	s := strings.TrimSpace(string(b))
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// RetryAfter reads a Retry-After header, seconds or an HTTP date counted
// from now (RFC 9110 §10.2.3); zero when there is none, it is unreadable
// or it has passed.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// FreeText refuses, before any request, what a channel without windows
// or templates cannot send: a message to nobody, in another mode than
// free text, or without text. channel names it ("Telegram"), recipient
// the id a contact lacks ("Telegram chat id"), empty the refusal of an
// empty text; nil when m can be sent.
func FreeText(m channels.Outbound, channel, recipient, empty string) *followup.SendError {
	switch {
	case m.To == "":
		return Permanent("no_recipient", "the contact has no "+recipient)
	case m.Mode != followup.ModeFreeText && m.Mode != "":
		return Permanent("unsupported_mode", fmt.Sprintf("%s sends free text only, not %s", channel, m.Mode))
	case m.Text == "":
		return Permanent("empty_text", empty)
	}
	return nil
}

// Permanent is the SendError of a message an adapter refuses before any
// request: sending it cannot succeed, now or later.
func Permanent(code, message string) *followup.SendError {
	return &followup.SendError{Class: followup.Permanent, Code: code, Message: message}
}
