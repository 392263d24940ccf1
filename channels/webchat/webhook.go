package webchat

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/signature"
)

// Headers of a visitor's message, signed as our own senders sign
// (package signature): SignatureHeader is "sha256=" + hex
// HMAC-SHA256(VisitorKey(site token, visitor), timestamp + "." + raw
// body); TimestampHeader is Unix seconds; VisitorHeader names whose key
// signed.
const (
	SignatureHeader = signature.Header
	TimestampHeader = signature.TimestampHeader
	VisitorHeader   = "X-Followup-Visitor"
)

// MaxSkew is how far a message's timestamp may be from our clock.
const MaxSkew = signature.MaxSkew

// MaxText is the longest visitor message accepted, in bytes.
const MaxText = 4096

// VisitorKey is the key one visitor's widget signs with:
// HMAC-SHA256(site token, "webchat-visitor:" + visitor id), hex. A browser
// is handed only its own key (with its id), so it can neither speak for
// another visitor nor mint visitors; the site token never leaves servers.
func VisitorKey(siteToken, visitorID string) string {
	return hex.EncodeToString(signature.MAC(siteToken, []byte("webchat-visitor:"+visitorID)))
}

// NewVisitor mints an opaque random visitor id and its key, for the page
// that embeds the widget (widget.html#visitor=<id>&key=<key>).
func NewVisitor(siteToken string) (id, key string, err error) {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("webchat: new visitor: %w", err)
	}
	id = "v_" + base64.RawURLEncoding.EncodeToString(b)
	return id, VisitorKey(siteToken, id), nil
}

// ValidVisitorID says whether s can be a visitor id: 8 to 128 characters
// of [A-Za-z0-9_-], so it is safe in headers, URLs and logs.
func ValidVisitorID(s string) bool {
	if len(s) < 8 || len(s) > 128 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Webhook verifies and parses visitors' messages for one site. The widget
// is served from our origin, so there is no subscription check and no
// CORS preflight to answer.
type Webhook struct {
	signature.Verifier
}

// NewWebhook returns the webhook of the site whose token derives the
// visitor keys: a request is signed with the key of the visitor
// VisitorHeader names.
func NewWebhook(siteToken string) *Webhook {
	return &Webhook{signature.NewVerifier(func(r *http.Request) string {
		visitor := r.Header.Get(VisitorHeader)
		if siteToken == "" || !ValidVisitorID(visitor) {
			return ""
		}
		return VisitorKey(siteToken, visitor)
	})}
}

var _ channels.Webhook = (*Webhook)(nil)

// InboundMessage is what the widget posts.
type InboundMessage struct {
	Type      string `json:"type,omitempty"` // "message" (default); others are skipped
	VisitorID string `json:"visitor_id"`
	Text      string `json:"text"`
	SentAt    string `json:"sent_at"`              // RFC 3339, the browser's clock
	MessageID string `json:"message_id,omitempty"` // random per message, for dedup
	Name      string `json:"name,omitempty"`       // what the visitor typed as their name
}

// Parse reads one visitor message. The body's visitor must be the one
// whose key signed it (VisitorHeader).
func (w *Webhook) Parse(r *http.Request, body []byte) ([]channels.Event, error) {
	var in InboundMessage
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, fmt.Errorf("webchat: parse message: %w", err)
	}
	if in.Type != "" && in.Type != "message" {
		return nil, nil
	}
	if in.VisitorID == "" || in.VisitorID != r.Header.Get(VisitorHeader) {
		return nil, errors.New("webchat: parse message: visitor_id missing or not the signing visitor")
	}
	text := strings.TrimSpace(in.Text)
	if text == "" || len(text) > MaxText {
		return nil, fmt.Errorf("webchat: parse message: text must be 1 to %d bytes", MaxText)
	}
	// The browser's clock is the visitor's; trust sent_at only near the
	// signed timestamp, else use that.
	at := time.Time{}
	if sec, err := strconv.ParseInt(r.Header.Get(TimestampHeader), 10, 64); err == nil {
		at = time.Unix(sec, 0).UTC()
	}
	if t, err := time.Parse(time.RFC3339, in.SentAt); err == nil {
		if at.IsZero() || (t.Sub(at) <= MaxSkew && at.Sub(t) <= MaxSkew) {
			at = t.UTC()
		}
	}
	id := in.MessageID
	if id == "" || len(id) > 128 {
		// Same body, same message: a redelivered post dedups.
		sum := sha256.Sum256(body)
		id = "sha256:" + hex.EncodeToString(sum[:16])
	}
	return []channels.Event{{
		Channel:           followup.Webchat,
		Kind:              channels.Message,
		ExternalID:        in.VisitorID,
		Name:              strings.TrimSpace(in.Name),
		Text:              text,
		At:                at,
		ProviderMessageID: id,
		DedupKey:          "webchat:" + in.VisitorID + ":" + id,
	}}, nil
}
