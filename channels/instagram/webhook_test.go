package instagram_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/channels/instagram"
	"github.com/followup-dev/followup/channels/instagram/instagramtest"
	"github.com/followup-dev/followup/channels/meta"
)

const target = "https://followup.example/webhooks/instagram"

func newWebhook(t testing.TB) *instagram.Webhook {
	t.Helper()
	h, err := instagram.NewWebhook(instagramtest.AppSecret, instagramtest.VerifyToken)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func receive(t *testing.T, h *instagram.Webhook, r *http.Request) []channels.Event {
	t.Helper()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Verify(r, body); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	events, err := h.Parse(r, body)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return events
}

func TestNewWebhook(t *testing.T) {
	if _, err := instagram.NewWebhook("", "v"); err == nil || !strings.Contains(err.Error(), "app secret") {
		t.Errorf("%v", err)
	}
	if _, err := instagram.NewWebhook("s", ""); err == nil || !strings.Contains(err.Error(), "verify token") {
		t.Errorf("%v", err)
	}
}

func TestParseMessageSeenAndEcho(t *testing.T) {
	fake := instagramtest.New()
	defer fake.Close()
	h := newWebhook(t)
	at := time.UnixMilli(1700000000123).UTC()

	events := receive(t, h, fake.SignedMessage(target, instagramtest.Inbound{IGSID: "IGSID-1", Mid: "ig_1", Text: "hello", At: at}))
	want := channels.Event{Channel: followup.Instagram, Kind: channels.Message, ExternalID: "IGSID-1", Text: "hello",
		At: at, ProviderMessageID: "ig_1", DedupKey: "instagram:message:ig_1"}
	if len(events) != 1 || events[0] != want {
		t.Errorf("message = %+v\nwant %+v", events, want)
	}

	seen := receive(t, h, fake.SignedSeen(target, "IGSID-1", "ig_out", at))
	if len(seen) != 1 || seen[0].Kind != channels.Status || seen[0].Status != followup.StatusRead || seen[0].ProviderMessageID != "ig_out" || seen[0].DedupKey != "instagram:read:ig_out" {
		t.Errorf("seen = %+v", seen)
	}

	if echo := receive(t, h, fake.SignedEcho(target, "IGSID-1", "ig_out", "ours", at)); len(echo) != 0 {
		t.Errorf("echo produced events %+v", echo)
	}
}

func TestParseMalformed(t *testing.T) {
	h := newWebhook(t)
	for _, body := range []string{``, `{`, `[]`, `{"object":"page","entry":[]}`,
		`{"object":"instagram","entry":[{"messaging":[{"sender":{"id":"I"},"message":{"text":"no mid"}}]}]}`,
		`{"object":"instagram","entry":[{"messaging":[{"sender":{"id":"I"},"timestamp":"x","message":{"mid":"m"}}]}]}`} {
		if _, err := h.Parse(nil, []byte(body)); err == nil {
			t.Errorf("%q: no error", body)
		}
	}
	events, err := h.Parse(nil, []byte(`{"object":"instagram","entry":[{"messaging":[{"sender":{"id":"I"},"reaction":{"mid":"m","action":"react"}}]}]}`))
	if err != nil || len(events) != 0 {
		t.Errorf("unknown event: %v %v", events, err)
	}
}

func TestDuplicateDeliverySameKey(t *testing.T) {
	fake := instagramtest.New()
	defer fake.Close()
	h := newWebhook(t)
	in := instagramtest.Inbound{IGSID: "I", Mid: "ig_dup", Text: "hi", At: time.Now()}
	a := receive(t, h, fake.SignedMessage(target, in))
	b := receive(t, h, fake.SignedMessage(target, in))
	if a[0].DedupKey == "" || a[0].DedupKey != b[0].DedupKey {
		t.Errorf("%q vs %q", a[0].DedupKey, b[0].DedupKey)
	}
}

func TestVerifyRefuses(t *testing.T) {
	fake := instagramtest.New()
	defer fake.Close()
	h := newWebhook(t)
	r := fake.SignedMessage(target, instagramtest.Inbound{IGSID: "I", Mid: "m", Text: "hi", At: time.Now()})
	body, _ := io.ReadAll(r.Body)
	if err := h.Verify(r, body); err != nil {
		t.Fatalf("valid: %v", err)
	}
	if err := h.Verify(r, append(body, ' ')); !errors.Is(err, channels.ErrSignature) {
		t.Errorf("tampered: %v", err)
	}
	forged := httptest.NewRequest(http.MethodPost, target, nil)
	forged.Header.Set(meta.SignatureHeader, meta.Sign("messenger-app-secret", body))
	if err := h.Verify(forged, body); !errors.Is(err, channels.ErrSignature) {
		t.Errorf("forged: %v", err)
	}
	if err := h.Verify(httptest.NewRequest(http.MethodPost, target, nil), body); !errors.Is(err, channels.ErrSignature) {
		t.Errorf("missing: %v", err)
	}
}

func TestHandshake(t *testing.T) {
	h := newWebhook(t)
	w := httptest.NewRecorder()
	ok := h.Handshake(w, httptest.NewRequest(http.MethodGet, target+"?hub.mode=subscribe&hub.verify_token="+instagramtest.VerifyToken+"&hub.challenge=99", nil))
	if !ok || w.Code != 200 || w.Body.String() != "99" {
		t.Errorf("ok: %v %d %q", ok, w.Code, w.Body.String())
	}
	w = httptest.NewRecorder()
	ok = h.Handshake(w, httptest.NewRequest(http.MethodGet, target+"?hub.mode=subscribe&hub.verify_token=x&hub.challenge=99", nil))
	if !ok || w.Code != http.StatusForbidden {
		t.Errorf("refused: %v %d", ok, w.Code)
	}
	if h.Handshake(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, target, nil)) {
		t.Error("a POST was taken for a handshake")
	}
}

func FuzzParse(f *testing.F) {
	fake := instagramtest.New()
	defer fake.Close()
	for _, r := range []*http.Request{
		fake.SignedMessage(target, instagramtest.Inbound{IGSID: "I", Mid: "m", Text: "hi", At: time.Unix(1, 0)}),
		fake.SignedSeen(target, "I", "m", time.Unix(1, 0)),
		fake.SignedEcho(target, "I", "m", "x", time.Unix(1, 0)),
	} {
		b, _ := io.ReadAll(r.Body)
		f.Add(b)
	}
	h := newWebhook(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := h.Parse(nil, body)
		if err != nil && events != nil {
			t.Error("events with an error")
		}
		for _, e := range events {
			if e.DedupKey == "" || e.Channel != followup.Instagram {
				t.Errorf("event %+v", e)
			}
		}
	})
}
