package twilio

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/signature"
)

// SignatureHeader carries base64(HMAC-SHA1(auth token, URL + sorted params)).
const SignatureHeader = "X-Twilio-Signature"

// WebhookConfig is what the webhook needs to check Twilio's signatures.
type WebhookConfig struct {
	// AuthToken is the account's auth token, the signing key.
	AuthToken string
	// PublicBaseURL is the scheme and host (and any path prefix) Twilio
	// calls, e.g. "https://followup.example.com". Twilio signs the URL it
	// was configured with, which a proxy in front of us rewrites, so it is
	// rebuilt from this plus the request's path and query. Empty falls
	// back to the request's Host and X-Forwarded-Proto.
	PublicBaseURL string
}

// Webhook verifies and parses Twilio's status callbacks and inbound SMS.
type Webhook struct {
	// No handshake: Twilio has no subscription handshake.
	channels.NoHandshake
	token []byte
	base  string
}

// NewWebhook checks cfg and returns the webhook.
func NewWebhook(cfg WebhookConfig) (*Webhook, error) {
	if err := channels.Missing("twilio", "auth token for webhook signatures", cfg.AuthToken); err != nil {
		return nil, err
	}
	if cfg.PublicBaseURL != "" {
		u, err := url.Parse(cfg.PublicBaseURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("twilio: public base URL %q is not an absolute http(s) URL", cfg.PublicBaseURL)
		}
	}
	return &Webhook{token: []byte(cfg.AuthToken), base: strings.TrimRight(cfg.PublicBaseURL, "/")}, nil
}

// Signature computes X-Twilio-Signature for a request to fullURL with the
// given POST parameters: the URL, then each parameter name followed by its
// value, names sorted (values of a repeated name sorted too, as Twilio's
// SDKs do), HMAC-SHA1 keyed by the auth token, base64.
func Signature(authToken, fullURL string, params url.Values) string {
	var b strings.Builder
	b.WriteString(fullURL)
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		vs := append([]string(nil), params[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			b.WriteString(k)
			b.WriteString(v)
		}
	}
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// PublicURL is the URL Twilio called for r, as it signed it.
func (w *Webhook) PublicURL(r *http.Request) string {
	if w.base != "" {
		return w.base + r.URL.RequestURI()
	}
	scheme := "https"
	if p := r.Header.Get("X-Forwarded-Proto"); p != "" {
		scheme = strings.TrimSpace(strings.Split(p, ",")[0])
	} else if r.TLS == nil {
		scheme = "http"
	}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	return scheme + "://" + host + r.URL.RequestURI()
}

// Verify checks X-Twilio-Signature over the public URL and the raw form
// body. Twilio's SDKs accept the URL with or without an explicit default
// port, since Twilio may sign either; so does Verify. A JSON body is signed
// through the bodySHA256 query parameter instead of its fields.
func (w *Webhook) Verify(r *http.Request, body []byte) error {
	got, err := signature.Base64(r, SignatureHeader)
	if err != nil {
		return err
	}
	full := w.PublicURL(r)
	var params url.Values
	if want := r.URL.Query().Get("bodySHA256"); want != "" {
		sum := sha256.Sum256(body)
		if !hmac.Equal([]byte(strings.ToLower(want)), []byte(hex.EncodeToString(sum[:]))) {
			return fmt.Errorf("%w: bodySHA256 does not match the body", channels.ErrSignature)
		}
	} else if params, err = url.ParseQuery(string(body)); err != nil {
		return fmt.Errorf("%w: body is not a form", channels.ErrSignature)
	}
	for _, u := range urlVariants(full) {
		want, _ := base64.StdEncoding.DecodeString(Signature(string(w.token), u, params))
		if hmac.Equal(got, want) {
			return nil
		}
	}
	return fmt.Errorf("%w: %s does not match %s", channels.ErrSignature, SignatureHeader, full)
}

// urlVariants is the URL as is and with its default port added or removed.
func urlVariants(full string) []string {
	u, err := url.Parse(full)
	if err != nil {
		return []string{full}
	}
	port := map[string]string{"https": "443", "http": "80"}[u.Scheme]
	if port == "" {
		return []string{full}
	}
	alt := *u
	if u.Port() == "" {
		alt.Host = net.JoinHostPort(u.Hostname(), port)
	} else if u.Port() == port {
		alt.Host = u.Hostname()
	} else {
		return []string{full}
	}
	return []string{full, alt.String()}
}

// Parse reads a status callback (MessageStatus) or an inbound SMS
// (SmsStatus "received", a Body). Statuses before "sent" (queued,
// accepted, scheduled, sending) and unknown ones are skipped; undelivered
// and failed carry the ErrorCode, classified like a send error. A status
// carries the RefParam of the callback URL as its Ref: Verify checked it,
// since Twilio signs the whole URL.
func (*Webhook) Parse(r *http.Request, body []byte) ([]channels.Event, error) {
	f, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("twilio: read webhook form: %w", err)
	}
	sid := f.Get("MessageSid")
	if sid == "" {
		sid = f.Get("SmsSid")
	}
	if sid == "" {
		return nil, errors.New("twilio: webhook without MessageSid")
	}
	status := f.Get("MessageStatus")
	if status == "" || status == "received" {
		if f.Get("SmsStatus") != "received" && status != "received" && !f.Has("Body") {
			return nil, errors.New("twilio: webhook is neither a status callback nor a message")
		}
		text := f.Get("Body")
		if text == "" {
			if n, _ := strconv.Atoi(f.Get("NumMedia")); n > 0 {
				text = "[media]"
			}
		}
		if f.Get("From") == "" {
			return nil, errors.New("twilio: inbound message without From")
		}
		return []channels.Event{{
			Channel:           followup.SMS,
			Kind:              channels.Message,
			ExternalID:        f.Get("From"),
			Text:              text,
			ProviderMessageID: sid,
			// A MessageSid is unique and the same when Twilio retries.
			DedupKey: sid,
		}}, nil
	}
	e := channels.Event{
		Channel:           followup.SMS,
		Kind:              channels.Status,
		ExternalID:        f.Get("To"),
		ProviderMessageID: sid,
		DedupKey:          sid + ":" + status,
	}
	if r != nil {
		e.Ref = r.URL.Query().Get(RefParam)
	}
	switch status {
	case "sent":
		e.Status = followup.StatusSent
	case "delivered":
		e.Status = followup.StatusDelivered
	case "read":
		e.Status = followup.StatusRead
	case "undelivered", "failed":
		e.Status = followup.StatusFailed
		code, _ := strconv.Atoi(f.Get("ErrorCode"))
		e.Err = Classify(code, f.Get("ErrorMessage"), 0)
		if code == 0 {
			e.Err.Code, e.Err.Message = status, "Twilio reported the message "+status
		}
	default:
		return nil, nil
	}
	return []channels.Event{e}, nil
}
