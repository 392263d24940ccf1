package wechat

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
)

// MaxSkew is how far a push's timestamp may be from our clock. WeChat
// signs only token, timestamp and nonce, so a bounded timestamp is what
// stops an old signed query from being replayed with another body. Its own
// retries (3 within ~15 s) fit well inside.
const MaxSkew = 5 * time.Minute

// Webhook verifies and parses an Official Account's server pushes in
// plaintext mode (明文模式).
type Webhook struct {
	token string
	now   func() time.Time
}

// NewWebhook returns the webhook for the Token set on the account's
// server configuration page (not the access_token).
func NewWebhook(token string) *Webhook { return &Webhook{token: token, now: time.Now} }

var _ channels.Webhook = (*Webhook)(nil)

// Signature is WeChat's signature: hex sha1 of token, timestamp and nonce,
// sorted and concatenated (Receiving standard messages, server config guide).
func Signature(token, timestamp, nonce string) string {
	parts := []string{token, timestamp, nonce}
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

// check verifies the signature, timestamp and nonce query parameters.
func (w *Webhook) check(r *http.Request) error {
	q := r.URL.Query()
	sig, ts, nonce := q.Get("signature"), q.Get("timestamp"), q.Get("nonce")
	if w.token == "" || sig == "" || ts == "" || nonce == "" {
		return channels.ErrSignature
	}
	// hmac.Equal is a constant-time comparison of any two byte strings.
	if !hmac.Equal([]byte(strings.ToLower(sig)), []byte(Signature(w.token, ts, nonce))) {
		return channels.ErrSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return channels.ErrSignature
	}
	if d := w.now().Sub(time.Unix(sec, 0)); d > MaxSkew || d < -MaxSkew {
		return fmt.Errorf("%w: timestamp %s is %v away from now", channels.ErrSignature, ts, d.Round(time.Second))
	}
	return nil
}

// Handshake answers WeChat's server URL check: a GET with signature,
// timestamp, nonce and echostr, answered with echostr when the signature
// is ours. Every GET is a check; a bad one is refused with 403.
func (w *Webhook) Handshake(rw http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet {
		return false
	}
	echo := r.URL.Query().Get("echostr")
	if echo == "" || w.check(r) != nil {
		http.Error(rw, "invalid signature", http.StatusForbidden)
		return true
	}
	rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(rw, echo)
	return true
}

// Verify checks the query signature WeChat sends with every POST. In
// plaintext mode the signature does not cover the body: the timestamp
// bound (MaxSkew) is the only protection against a replayed query with a
// forged body; safe mode (msg_signature over the encrypted body) is not
// supported and is refused by Parse.
func (w *Webhook) Verify(r *http.Request, _ []byte) error { return w.check(r) }

type push struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string   `xml:"ToUserName"`
	FromUserName string   `xml:"FromUserName"`
	CreateTime   int64    `xml:"CreateTime"`
	MsgType      string   `xml:"MsgType"`
	Content      string   `xml:"Content"`
	MsgID        string   `xml:"MsgId"`
	Event        string   `xml:"Event"`
	Encrypt      string   `xml:"Encrypt"`
}

// Parse reads one XML push. User messages of every type become Message
// events, because any of them reopens the 48 h window and its quota
// (客服消息下发规则); only text carries Text. Events (follow, menu clicks,
// …) are skipped.
func (w *Webhook) Parse(_ *http.Request, body []byte) ([]channels.Event, error) {
	var p push
	dec := xml.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("wechat: parse push: %w", err)
	}
	if p.Encrypt != "" {
		return nil, errors.New("wechat: encrypted (safe mode) push; configure the account in plaintext mode")
	}
	if p.FromUserName == "" || p.MsgType == "" || p.CreateTime <= 0 {
		return nil, errors.New("wechat: push without FromUserName, MsgType or CreateTime")
	}
	switch p.MsgType {
	case "text", "image", "voice", "video", "shortvideo", "location", "link", "file":
	default:
		return nil, nil // "event" and anything newer
	}
	if p.MsgID == "" {
		return nil, fmt.Errorf("wechat: %s message without MsgId", p.MsgType)
	}
	e := channels.Event{
		Channel: followup.WeChat, Kind: channels.Message,
		ExternalID: p.FromUserName, At: time.Unix(p.CreateTime, 0).UTC(),
		ProviderMessageID: p.MsgID,
		// WeChat retries an unanswered push 3 times with the same MsgId.
		DedupKey: "wechat:" + p.ToUserName + ":" + p.MsgID,
	}
	if p.MsgType == "text" {
		e.Text = p.Content
	}
	return []channels.Event{e}, nil
}
