// Package signature is how webhook requests prove where they come from.
// It holds the scheme of the senders that are ours (the relay in front
// of the inbound-email provider, the website-chat widget): Header carries
// "sha256=" + hex HMAC-SHA256(key, timestamp + "." + raw body) and
// TimestampHeader the Unix time in seconds. The timestamp is inside the
// MAC, so a captured request cannot be replayed with a fresh timestamp,
// and one further than MaxSkew from our clock is refused. It also reads
// the signatures providers send in a header of their own.
package signature

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/followup-dev/followup/channels"
)

// The headers of a signed request.
const (
	Header          = "X-Followup-Signature"
	TimestampHeader = "X-Followup-Timestamp"
)

// MaxSkew is how far a request's timestamp may be from our clock; older
// requests are refused as replays.
const MaxSkew = 5 * time.Minute

// Sign is the MAC that goes, hex-encoded after "sha256=", in Header:
// HMAC-SHA256(key, timestamp + "." + body).
func Sign(key, timestamp string, body []byte) []byte {
	return MAC(key, []byte(timestamp), []byte{'.'}, body)
}

// MAC is HMAC-SHA256 keyed with key over the parts, one after the other:
// what LINE, Viber and Meta sign a webhook's raw body with (each in an
// encoding of its own), and what our own scheme signs.
func MAC(key string, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, []byte(key))
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// Equal reports whether got is the MAC of the parts under key, comparing
// in constant time; an empty key matches nothing.
func Equal(got []byte, key string, parts ...[]byte) bool {
	return key != "" && hmac.Equal(got, MAC(key, parts...))
}

// Set signs body with key at time at into h.
func Set(h http.Header, key string, body []byte, at time.Time) {
	ts := strconv.FormatInt(at.Unix(), 10)
	h.Set(TimestampHeader, ts)
	h.Set(Header, "sha256="+hex.EncodeToString(Sign(key, ts, body)))
}

// Post is the request a sender of ours posts to t: body, signed now with
// key, with its content type and the headers given as name, value pairs.
func Post(t channels.Target, key, contentType string, body []byte, headers ...string) (*http.Request, error) {
	r, err := t.Post(contentType, body, headers...)
	if err != nil {
		return nil, err
	}
	Set(r.Header, key, body, time.Now())
	return r, nil
}

// Base64 is the base64 signature a provider sends in the header name
// (LINE, Twilio); a missing or undecodable one is channels.ErrSignature.
func Base64(r *http.Request, name string) ([]byte, error) {
	sig := r.Header.Get(name)
	if sig == "" {
		return nil, fmt.Errorf("%w: no %s header", channels.ErrSignature, name)
	}
	got, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not base64", channels.ErrSignature, name)
	}
	return got, nil
}

// Verify checks the signature in h over the timestamp and the raw body,
// and that the timestamp is within MaxSkew of now. Any failure, an empty
// key included, is channels.ErrSignature.
func Verify(key string, h http.Header, body []byte, now time.Time) error {
	if key == "" {
		return channels.ErrSignature
	}
	hexSig, ok := strings.CutPrefix(strings.TrimSpace(h.Get(Header)), "sha256=")
	if !ok {
		return channels.ErrSignature
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) != sha256.Size {
		return channels.ErrSignature
	}
	ts := strings.TrimSpace(h.Get(TimestampHeader))
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return channels.ErrSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > MaxSkew || d < -MaxSkew {
		return fmt.Errorf("%w: timestamp %s is more than %s from now", channels.ErrSignature, ts, MaxSkew)
	}
	if !hmac.Equal(got, Sign(key, ts, body)) {
		return channels.ErrSignature
	}
	return nil
}

// Verifier is the Verify of a webhook whose requests are signed in our own
// scheme (the inbound-email relay, the website-chat widget): a product's
// Webhook embeds it and adds Parse. It has no handshake.
type Verifier struct {
	channels.NoHandshake
	key func(r *http.Request) string
	now func() time.Time
}

// NewVerifier verifies requests signed with the key that key finds for
// each one: a secret shared with the sender, or one derived per sender
// ("" refuses the request).
func NewVerifier(key func(r *http.Request) string) Verifier {
	return Verifier{key: key, now: time.Now}
}

// Shared verifies requests signed with secret.
func Shared(secret string) Verifier {
	return NewVerifier(func(*http.Request) string { return secret })
}

// Verify checks the signature over the timestamp and raw body with the
// request's key, and that the timestamp is within MaxSkew of now.
func (v Verifier) Verify(r *http.Request, body []byte) error {
	return Verify(v.key(r), r.Header, body, v.now())
}
