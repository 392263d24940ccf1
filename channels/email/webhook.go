package email

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/signature"
)

// Webhook verifies and parses inbound email forwarded as JSON or a form.
// The relay in front of the inbound-email provider signs each POST with
// the shared secret, as our own senders do (package signature); the
// inbound-email webhook has no subscription check.
type Webhook struct {
	signature.Verifier
}

// NewWebhook returns the webhook whose requests are signed with secret.
func NewWebhook(secret string) *Webhook { return &Webhook{signature.Shared(secret)} }

var _ channels.Webhook = (*Webhook)(nil)

// Parse reads one inbound email. JSON bodies and forms
// (application/x-www-form-urlencoded or multipart/form-data) are accepted
// with the field names inbound-email providers use: from, subject, text
// (or body-plain / TextBody), message_id (or Message-Id), date.
func (w *Webhook) Parse(r *http.Request, body []byte) ([]channels.Event, error) {
	f, err := fields(r.Header.Get("Content-Type"), body)
	if err != nil {
		return nil, fmt.Errorf("email: parse inbound: %w", err)
	}
	if t := f.get("type", "event"); t != "" && t != "inbound" && t != "message" {
		return nil, nil // not an inbound message (e.g. a provider test ping)
	}
	rawFrom := f.get("from", "From", "sender")
	if rawFrom == "" {
		return nil, errors.New("email: parse inbound: no from")
	}
	from, err := mail.ParseAddress(rawFrom)
	if err != nil {
		return nil, fmt.Errorf("email: parse inbound: from %q: %w", rawFrom, err)
	}
	e := channels.Event{
		Channel:    followup.Email,
		Kind:       channels.Message,
		ExternalID: strings.ToLower(from.Address),
		Name:       from.Name,
		Text:       strings.TrimSpace(f.get("text", "body-plain", "TextBody", "stripped-text")),
	}
	if s := f.get("subject", "Subject"); s != "" && e.Text == "" {
		e.Text = s
	}
	if d := f.get("date", "Date"); d != "" {
		if t, err := mail.ParseDate(d); err == nil {
			e.At = t.UTC()
		} else if t, err := time.Parse(time.RFC3339, d); err == nil {
			e.At = t.UTC()
		}
	}
	e.ProviderMessageID = strings.TrimSpace(f.get("message_id", "message-id", "Message-Id", "Message-ID", "MessageID"))
	if e.ProviderMessageID != "" {
		e.DedupKey = "email:" + e.ProviderMessageID
	} else {
		// Without a Message-ID the same forwarded content is still one
		// message: hash what identifies it.
		sum := sha256.Sum256([]byte(e.ExternalID + "\x00" + f.get("date", "Date") + "\x00" + e.Text))
		e.DedupKey = "email:sha256:" + hex.EncodeToString(sum[:16])
	}
	return []channels.Event{e}, nil
}

type form map[string]string

func (f form) get(keys ...string) string {
	for _, k := range keys {
		if v := f[k]; v != "" {
			return v
		}
	}
	return ""
}

// fields flattens the body to its string fields, whatever the encoding.
func fields(contentType string, body []byte) (form, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = "" // sniff below
	}
	out := form{}
	switch {
	case mt == "application/x-www-form-urlencoded":
		v, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, err
		}
		for k := range v {
			out[k] = v.Get(k)
		}
	case mt == "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		mf, err := mr.ReadForm(channels.MaxBody)
		if err != nil {
			return nil, err
		}
		defer func() { _ = mf.RemoveAll() }()
		for k, v := range mf.Value {
			if len(v) > 0 {
				out[k] = v[0]
			}
		}
	default: // JSON, the default for a relay that sets no type
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, err
		}
		if m == nil {
			return nil, errors.New("body is not a JSON object")
		}
		for k, v := range m {
			if s, ok := v.(string); ok {
				out[k] = s
			}
		}
	}
	return out, nil
}
