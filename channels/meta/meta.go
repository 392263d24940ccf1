// Package meta holds what Meta's three messaging products (WhatsApp Cloud
// API, Messenger, Instagram messaging) share: the Graph API call and its
// error envelope, the classification of Graph error codes every product
// uses, and the webhook handshake and X-Hub-Signature-256 check.
package meta

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
)

// DefaultBaseURL is the Graph API host all three products send through.
const DefaultBaseURL = "https://graph.facebook.com"

// DefaultVersion is the Graph API version used when a Config names none.
const DefaultVersion = "v24.0"

// MaxResponse caps how much of a Graph response is read: success and error
// bodies are a few hundred bytes, so anything larger is not worth holding.
const MaxResponse = 64 << 10

// SignatureHeader carries sha256=<hex HMAC-SHA256(app secret, raw body)> on
// every webhook POST Meta sends.
const SignatureHeader = "X-Hub-Signature-256"

// Error is the "error" object of the Graph API error envelope
// {"error":{"message","type","code","error_subcode","error_data","fbtrace_id"}}.
type Error struct {
	Message   string     `json:"message"`
	Type      string     `json:"type,omitempty"`
	Code      int        `json:"code"`
	Subcode   int        `json:"error_subcode,omitempty"`
	Data      *ErrorData `json:"error_data,omitempty"`
	FBTraceID string     `json:"fbtrace_id,omitempty"`
}

// ErrorData is WhatsApp's addition to the envelope; Details is the sentence
// that tells the agent what went wrong.
type ErrorData struct {
	MessagingProduct string `json:"messaging_product,omitempty"`
	Details          string `json:"details,omitempty"`
}

// Envelope is a Graph API error response body.
type Envelope struct {
	Error *Error `json:"error"`
}

// CodeString is the code as SendError.Code carries it: "131047", or
// "10/2018278" when Meta sent a subcode (Messenger and Instagram tell their
// window errors apart only by the subcode).
func (e *Error) CodeString() string {
	if e.Subcode != 0 {
		return strconv.Itoa(e.Code) + "/" + strconv.Itoa(e.Subcode)
	}
	return strconv.Itoa(e.Code)
}

// Text is the provider's words for the agent: the message, and WhatsApp's
// details when it sent some.
func (e *Error) Text() string {
	if e.Data != nil && e.Data.Details != "" && e.Data.Details != e.Message {
		return e.Message + ": " + e.Data.Details
	}
	return e.Message
}

// Response is what the Graph API answered, read up to MaxResponse bytes.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Post sends payload as JSON to url with the bearer token. Transport errors
// come back as plain errors (the activity retries them); any HTTP answer,
// success or not, comes back as a Response for the caller to classify.
func Post(ctx context.Context, hc *http.Client, url, token string, payload any) (Response, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return Response{}, fmt.Errorf("encode request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return Response{}, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return Response{}, fmt.Errorf("post %s: %w", req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponse))
	if err != nil {
		return Response{}, fmt.Errorf("read response of %s: %w", req.URL.Path, err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// Classifier decides the class of the codes one product owns (window
// closed, recipient gone); ok false leaves the decision to Classify's
// shared rules.
type Classifier func(e *Error) (class followup.SendErrorClass, ok bool)

// SendError turns a non-2xx Graph response into a *followup.SendError. The
// product's classifier decides first; then the Graph-wide rules apply:
// HTTP 429 and 5xx, rate-limit codes and transient codes are retryable;
// everything else (auth 190, permissions 10/200-299, bad parameters) is
// permanent, because sending the same request again cannot fix it.
func SendError(resp Response, own Classifier) *followup.SendError {
	var env Envelope
	if err := json.Unmarshal(resp.Body, &env); err != nil || env.Error == nil {
		// Not a Graph envelope (a proxy's page, an empty 502): only the
		// HTTP status is known.
		se := &followup.SendError{Class: followup.Permanent, Code: "http_" + strconv.Itoa(resp.Status), Message: http.StatusText(resp.Status)}
		if resp.Status == http.StatusTooManyRequests || resp.Status >= 500 {
			se.Class = followup.Retryable
			se.RetryAfter = RetryAfter(resp.Header, time.Now())
		}
		return se
	}
	e := env.Error
	se := &followup.SendError{Class: Classify(e, own), Code: e.CodeString(), Message: e.Text()}
	if se.Message == "" {
		se.Message = http.StatusText(resp.Status)
	}
	if resp.Status == http.StatusTooManyRequests || resp.Status >= 500 {
		// The HTTP status wins over a code we would call permanent: Meta
		// answers 5xx for its own outages whatever code it puts inside.
		if se.Class == followup.Permanent {
			se.Class = followup.Retryable
		}
	}
	if se.Class == followup.Retryable {
		se.RetryAfter = RetryAfter(resp.Header, time.Now())
	}
	return se
}

// Classify is the class of a Graph error: the product's own codes first,
// then the codes all Graph products share.
func Classify(e *Error, own Classifier) followup.SendErrorClass {
	if own != nil {
		if c, ok := own(e); ok {
			return c
		}
	}
	switch e.Code {
	// 1, 2: unknown/temporary service errors ("retry"); 4, 17, 32, 613:
	// app, user and page call-rate limits; 80007, 130429, 131056: WhatsApp
	// WABA, throughput and pair rate limits; 131000, 131016: WhatsApp
	// "something went wrong" / service unavailable.
	case 1, 2, 4, 17, 32, 613, 80007, 130429, 131000, 131016, 131056:
		return followup.Retryable
	}
	return followup.Permanent
}

// RetryAfter reads a Retry-After header (seconds or an HTTP date); zero
// when there is none or it is unreadable.
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

// Sign returns the X-Hub-Signature-256 value Meta puts on body.
func Sign(appSecret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks X-Hub-Signature-256 against the raw body. It must run on
// the exact bytes received: re-encoding parsed JSON changes escapes and
// breaks the HMAC. Any failure, including a missing header or an empty
// secret, is channels.ErrSignature.
func Verify(appSecret string, r *http.Request, body []byte) error {
	if appSecret == "" {
		return channels.ErrSignature
	}
	hexSig, ok := strings.CutPrefix(r.Header.Get(SignatureHeader), "sha256=")
	if !ok {
		return channels.ErrSignature
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return channels.ErrSignature
	}
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return channels.ErrSignature
	}
	return nil
}

// Handshake answers Meta's subscription check, GET
// ?hub.mode=subscribe&hub.verify_token=<ours>&hub.challenge=<n>: 200 with
// the raw challenge when the token matches, 403 otherwise. Requests
// without hub.mode are not handshakes and are left to the caller.
func Handshake(w http.ResponseWriter, r *http.Request, verifyToken string) bool {
	if r.Method != http.MethodGet {
		return false
	}
	q := r.URL.Query()
	if !q.Has("hub.mode") {
		return false
	}
	challenge := q.Get("hub.challenge")
	token := q.Get("hub.verify_token")
	if q.Get("hub.mode") != "subscribe" || verifyToken == "" || challenge == "" ||
		subtle.ConstantTimeCompare([]byte(token), []byte(verifyToken)) != 1 {
		http.Error(w, "verify token mismatch", http.StatusForbidden)
		return true
	}
	// The challenge is echoed as plain text so a browser never renders it.
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, challenge)
	return true
}

// Millis turns Meta's millisecond timestamps (Messenger, Instagram) into UTC.
func Millis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}
