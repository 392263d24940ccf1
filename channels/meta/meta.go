// Package meta holds what Meta's three messaging products (WhatsApp Cloud
// API, Messenger, Instagram messaging) share: the Graph API call and its
// error envelope, the classification of Graph error codes every product
// uses, the webhook handshake and X-Hub-Signature-256 check, and the one
// Messenger Platform webhook Messenger and Instagram both send.
package meta

import (
	"context"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/provider"
	"github.com/followup-dev/followup/channels/signature"
)

// DefaultBaseURL is the Graph API host all three products send through.
const DefaultBaseURL = "https://graph.facebook.com"

// DefaultVersion is the Graph API version used when a Config names none.
const DefaultVersion = "v24.0"

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

// Client posts to one product's messages endpoint,
// {base}/{version}/{node}/messages, with a bearer token.
type Client struct {
	name     string
	endpoint string
	path     string // the endpoint's path, for errors
	token    string
	hc       *http.Client
}

// NewClient is the client of product name ("whatsapp", for errors) for
// the node (phone number id, Page or account id, "me"); an empty base or
// version is the default, hc nil a client with a 30 s timeout.
func NewClient(name, base, version, node, token string, hc *http.Client) *Client {
	if base = strings.TrimRight(base, "/"); base == "" {
		base = DefaultBaseURL
	}
	if version == "" {
		version = DefaultVersion
	}
	endpoint := base + "/" + version + "/" + url.PathEscape(node) + "/messages"
	path := endpoint
	if u, err := url.Parse(endpoint); err == nil {
		path = u.Path
	}
	return &Client{name: name, endpoint: endpoint, path: path, token: token, hc: provider.Patient(hc)}
}

// Post sends payload as JSON. Transport errors come back as plain errors
// (the activity retries them); an answer that is not 2xx as a
// *followup.SendError classified by own and then the Graph-wide rules; a
// success as its body.
func (c *Client) Post(ctx context.Context, payload any, own Classifier) ([]byte, error) {
	h := provider.Bearer(c.token)
	h.Set("Accept", "application/json")
	a, err := provider.Do(ctx, c.hc, provider.Request{URL: c.endpoint, Header: h, JSON: payload})
	if err != nil {
		return nil, fmt.Errorf("%s: post %s: %w", c.name, c.path, err)
	}
	if !a.OK() {
		return nil, SendError(a, own)
	}
	return a.Body, nil
}

// Classifier decides the class of the codes one product owns (window
// closed, recipient gone); ok false leaves the decision to Classify's
// shared rules.
type Classifier func(e *Error) (class followup.SendErrorClass, ok bool)

// SendError turns a non-2xx Graph answer into a *followup.SendError. The
// product's classifier decides first; then the Graph-wide rules apply:
// HTTP 429 and 5xx, rate-limit codes and transient codes are retryable;
// everything else (auth 190, permissions 10/200-299, bad parameters) is
// permanent, because sending the same request again cannot fix it.
func SendError(a provider.Answer, own Classifier) *followup.SendError {
	var env Envelope
	if err := json.Unmarshal(a.Body, &env); err != nil || env.Error == nil {
		// Not a Graph envelope (a proxy's page, an empty 502): only the
		// HTTP status is known.
		return a.HTTPError(http.StatusText(a.StatusCode))
	}
	e := env.Error
	class := Classify(e, own)
	if class == followup.Permanent && a.Busy() {
		// The HTTP status wins over a code we would call permanent: Meta
		// answers 5xx for its own outages whatever code it puts inside.
		class = followup.Retryable
	}
	msg := e.Text()
	if msg == "" {
		msg = http.StatusText(a.StatusCode)
	}
	return a.Refused(class, e.CodeString(), msg)
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

// Sign returns the X-Hub-Signature-256 value Meta puts on body.
func Sign(appSecret string, body []byte) string {
	return "sha256=" + hex.EncodeToString(signature.MAC(appSecret, body))
}

// App is the Meta app whose webhooks a product receives: its secret signs
// every event, its verify token answers the subscription handshake. A
// product's Webhook embeds it and adds Parse.
type App struct {
	secret      string
	verifyToken string
}

// NewApp checks the credentials of product name's webhook.
func NewApp(name, appSecret, verifyToken string) (App, error) {
	if err := channels.Missing(name, "app secret", appSecret, "webhook verify token", verifyToken); err != nil {
		return App{}, err
	}
	return App{secret: appSecret, verifyToken: verifyToken}, nil
}

// Verify checks X-Hub-Signature-256 against the raw body. It must run on
// the exact bytes received: re-encoding parsed JSON changes escapes and
// breaks the HMAC. Any failure, including a missing header or an empty
// secret, is channels.ErrSignature.
func (a App) Verify(r *http.Request, body []byte) error {
	hexSig, ok := strings.CutPrefix(r.Header.Get(SignatureHeader), "sha256=")
	if !ok {
		return channels.ErrSignature
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || !signature.Equal(got, a.secret, body) {
		return channels.ErrSignature
	}
	return nil
}

// Handshake answers Meta's subscription check, GET
// ?hub.mode=subscribe&hub.verify_token=<ours>&hub.challenge=<n>: 200 with
// the raw challenge when the token matches, 403 otherwise. Requests
// without hub.mode are not handshakes and are left to the caller.
func (a App) Handshake(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet {
		return false
	}
	q := r.URL.Query()
	if !q.Has("hub.mode") {
		return false
	}
	challenge := q.Get("hub.challenge")
	token := q.Get("hub.verify_token")
	if q.Get("hub.mode") != "subscribe" || a.verifyToken == "" || challenge == "" ||
		subtle.ConstantTimeCompare([]byte(token), []byte(a.verifyToken)) != 1 {
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

// The variables of the Meta app whose webhooks every Meta product
// (WhatsApp, Messenger, Instagram) receives.
const (
	AppSecretVar   = "META_APP_SECRET"
	VerifyTokenVar = "META_VERIFY_TOKEN"
)

// Product is d, the driver of one of Meta's products, with the webhook of
// the Meta app all three share: its variables (the app secret first,
// which signs every event) and newWebhook built from them.
func Product[W channels.Webhook](d channels.Driver, newWebhook func(appSecret, verifyToken string) (W, error)) channels.Driver {
	d.Hook = []channels.Var{
		{Name: AppSecretVar, Secret: true, Usage: "the Meta app secret: verifies X-Hub-Signature-256 (WhatsApp, Messenger, Instagram)"},
		{Name: VerifyTokenVar, Secret: true, Usage: "the token Meta's GET subscription handshake must echo (WhatsApp, Messenger, Instagram)"},
	}
	d.NewWebhook = func(env func(string) string) (channels.Webhook, error) {
		return newWebhook(env(AppSecretVar), env(VerifyTokenVar))
	}
	return d
}

// Post is the webhook request Meta posts to t: the JSON body, signed with
// t.Secret (the app secret).
func Post(t channels.Target, body []byte) (*http.Request, error) {
	return t.Post("application/json", body, SignatureHeader, Sign(t.Secret, body))
}

// Millis turns Meta's millisecond timestamps (Messenger, Instagram) into UTC.
func Millis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}
