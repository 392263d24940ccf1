package signature_test

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/signature"
)

func TestVerify(t *testing.T) {
	body := []byte(`{"text":"hi"}`)
	now := time.Now()
	signed := func(key string, at time.Time) http.Header {
		h := http.Header{}
		signature.Set(h, key, body, at)
		return h
	}
	if err := signature.Verify("k", signed("k", now), body, now); err != nil {
		t.Fatalf("valid: %v", err)
	}
	if err := signature.Verify("k", signed("k", now.Add(-4*time.Minute)), body, now); err != nil {
		t.Errorf("four minutes old: %v", err)
	}
	moved := signed("k", now)
	moved.Set(signature.TimestampHeader, strconv.FormatInt(now.Unix()+1, 10))
	for name, tt := range map[string]struct {
		key  string
		h    http.Header
		body []byte
	}{
		"another key":   {"k", signed("other", now), body},
		"empty key":     {"", signed("", now), body},
		"tampered body": {"k", signed("k", now), []byte(`{"text":"hj"}`)},
		"moved":         {"k", moved, body},
		"stale":         {"k", signed("k", now.Add(-signature.MaxSkew-time.Second)), body},
		"future":        {"k", signed("k", now.Add(signature.MaxSkew+time.Second)), body},
		"none":          {"k", http.Header{}, body},
		"not hex":       {"k", http.Header{signature.Header: {"sha256=zz"}, signature.TimestampHeader: moved[signature.TimestampHeader]}, body},
	} {
		if err := signature.Verify(tt.key, tt.h, tt.body, now); !errors.Is(err, channels.ErrSignature) {
			t.Errorf("%s: Verify = %v, want ErrSignature", name, err)
		}
	}
}

func TestBase64(t *testing.T) {
	r, _ := http.NewRequest(http.MethodPost, "https://followup.example/webhooks/line", nil)
	if _, err := signature.Base64(r, "X-Line-Signature"); !errors.Is(err, channels.ErrSignature) {
		t.Errorf("missing: %v", err)
	}
	r.Header.Set("X-Line-Signature", "%%%")
	if _, err := signature.Base64(r, "X-Line-Signature"); !errors.Is(err, channels.ErrSignature) {
		t.Errorf("garbage: %v", err)
	}
	r.Header.Set("X-Line-Signature", "aGk=")
	if got, err := signature.Base64(r, "X-Line-Signature"); err != nil || string(got) != "hi" {
		t.Errorf("Base64 = %q, %v", got, err)
	}
}
