package webhooks_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/internal/pgtest"
	"github.com/followup-dev/followup/store"
	"github.com/followup-dev/followup/webhooks"
	"github.com/followup-dev/followup/workflows"
)

// signedJSON is a minimal channel whose webhooks carry an HMAC-SHA256 of
// the raw body, as most providers do; it exercises the handler's order of
// checks, not a provider's format (each adapter tests its own).
type signedJSON struct{ secret string }

func (s signedJSON) Handshake(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet && r.URL.Query().Get("challenge") != "" {
		io.WriteString(w, r.URL.Query().Get("challenge"))
		return true
	}
	return false
}

func (s signedJSON) Verify(r *http.Request, body []byte) error {
	m := hmac.New(sha256.New, []byte(s.secret))
	m.Write(body)
	got, err := hex.DecodeString(r.Header.Get("X-Signature"))
	if err != nil || !hmac.Equal(got, m.Sum(nil)) {
		return channels.ErrSignature
	}
	return nil
}

func (s signedJSON) Parse(r *http.Request, body []byte) ([]channels.Event, error) {
	var evs []channels.Event
	if err := json.Unmarshal(body, &evs); err != nil {
		return nil, err
	}
	return evs, nil
}

func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// recorder is a Followups that records what running follow-ups were told.
type recorder struct {
	mu      sync.Mutex
	replies []workflows.Reply
	fails   []workflows.DeliveryFailure
	down    bool
}

func (r *recorder) Reply(_ context.Context, _ int64, _ followup.Channel, rep workflows.Reply) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.down {
		return false, errors.New("temporal unavailable")
	}
	r.replies = append(r.replies, rep)
	return true, nil
}

func (r *recorder) DeliveryFailed(_ context.Context, _ int64, _ followup.Channel, d workflows.DeliveryFailure) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fails = append(r.fails, d)
	return true, nil
}

type env struct {
	st  *store.Store
	rec *recorder
	srv *httptest.Server
}

func setup(t *testing.T) env {
	t.Helper()
	st, err := store.Open(context.Background(), pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	rec := &recorder{}
	mux := http.NewServeMux()
	webhooks.New(st, rec, map[followup.Channel]channels.Webhook{followup.Telegram: signedJSON{"s3cret"}, followup.WhatsApp: signedJSON{"s3cret"}},
		slog.New(slog.NewTextHandler(io.Discard, nil)), nil).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return env{st, rec, srv}
}

func (e env) post(t *testing.T, body []byte, sig string) int {
	t.Helper()
	return e.postTo(t, "telegram", body, sig)
}

func (e env) postTo(t *testing.T, ch string, body []byte, sig string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/webhooks/"+ch, bytes.NewReader(body))
	if sig != "" {
		req.Header.Set("X-Signature", sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestInboundMessageCreatesContactOpensConversationAndSignals(t *testing.T) {
	t.Parallel()
	e := setup(t)
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	body, _ := json.Marshal([]channels.Event{{Kind: channels.Message, ExternalID: "4242", Name: "Ada Lovelace", Text: "hello?", At: at, DedupKey: "upd-1"}})
	if code := e.post(t, body, sign("s3cret", body)); code != 200 {
		t.Fatalf("status %d", code)
	}
	// A redelivery changes nothing in the database and signals nothing.
	if code := e.post(t, body, sign("s3cret", body)); code != 200 {
		t.Fatalf("redelivery: %d", code)
	}
	ctx := context.Background()
	id, err := e.st.ContactByIdentity(ctx, followup.Telegram, "4242")
	if err != nil {
		t.Fatal(err)
	}
	c, _ := e.st.Contact(ctx, id)
	if c.FirstName != "Ada" || c.LastName != "Lovelace" || c.Status != followup.Open {
		t.Fatalf("contact: %+v", c)
	}
	ident, _ := e.st.Identity(ctx, id, followup.Telegram)
	if ident.LastInboundAt == nil || !ident.LastInboundAt.Equal(at) {
		t.Fatalf("window not restarted: %v", ident.LastInboundAt)
	}
	msgs, _ := e.st.Messages(ctx, id, 10)
	if len(msgs) != 1 || msgs[0].Direction != followup.Inbound || msgs[0].Body != "hello?" {
		t.Fatalf("messages: %+v", msgs)
	}
	if len(e.rec.replies) != 1 || !e.rec.replies[0].At.Equal(at) {
		t.Fatalf("replies signalled: %+v", e.rec.replies)
	}
}

func TestForgedOversizedAndMalformedWebhooksChangeNothing(t *testing.T) {
	t.Parallel()
	e := setup(t)
	body, _ := json.Marshal([]channels.Event{{Kind: channels.Message, ExternalID: "1", Text: "x", DedupKey: "a"}})
	cases := []struct {
		name string
		body []byte
		sig  string
		want int
	}{
		{"no signature", body, "", 401},
		{"forged", body, sign("wrong", body), 401},
		{"tampered body", append(bytes.Clone(body), ' '), sign("s3cret", body), 401},
		{"too large", bytes.Repeat([]byte("a"), channels.MaxBody+1), "", 413},
		{"signed garbage", []byte("{not json"), sign("s3cret", []byte("{not json")), 400},
	}
	for _, tc := range cases {
		if code := e.post(t, tc.body, tc.sig); code != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, code, tc.want)
		}
	}
	var n int
	e.st.DB().Get(&n, `SELECT count(*) FROM contacts`)
	if n != 0 || len(e.rec.replies) != 0 {
		t.Fatalf("a refused webhook changed something: %d contacts, %d signals", n, len(e.rec.replies))
	}
	for path, want := range map[string]int{"/webhooks/fax": 404, "/webhooks/viber": 404, "/webhooks/telegram?challenge=42": 200} {
		resp, _ := http.Get(e.srv.URL + path)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
}

func TestTemporalDownMeansRetryAndNothingLost(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.rec.down = true
	body, _ := json.Marshal([]channels.Event{{Kind: channels.Message, ExternalID: "7", Text: "hi", DedupKey: "u7"}})
	if code := e.post(t, body, sign("s3cret", body)); code != 503 {
		t.Fatalf("with Temporal down: %d, want 503 so the provider retries", code)
	}
	e.rec.down = false
	if code := e.post(t, body, sign("s3cret", body)); code != 200 {
		t.Fatalf("retry: %d", code)
	}
	if len(e.rec.replies) != 1 {
		t.Fatalf("the retried delivery must reach the follow-up: %+v", e.rec.replies)
	}
	var n int
	e.st.DB().Get(&n, `SELECT count(*) FROM messages WHERE direction = 'inbound'`)
	if n != 1 {
		t.Fatalf("%d inbound messages, want 1", n)
	}
}

func TestStatusesUpdateMessagesAndLateFailuresReachTheFollowUp(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	id, _, _ := e.st.SaveContact(ctx, store.ContactInput{FirstName: "B", Channel: followup.Telegram, ExternalID: "9"})
	for _, pid := range []string{"m1", "m2"} {
		m, _, _ := e.st.BeginOutbound(ctx, store.Outbound{ContactID: id, Channel: followup.Telegram, Mode: followup.ModeFreeText, Body: "x", IdempotencyKey: pid}, time.Minute)
		e.st.FinishOutbound(ctx, m.ID, followup.StatusSent, pid, "")
	}
	body, _ := json.Marshal([]channels.Event{
		{Kind: channels.Status, ProviderMessageID: "m1", Status: followup.StatusRead},
		{Kind: channels.Status, ProviderMessageID: "m1", Status: followup.StatusDelivered}, // late: must not move back
		{Kind: channels.Status, ProviderMessageID: "m2", Status: followup.StatusFailed, Err: &followup.SendError{Class: followup.WindowClosed, Code: "131047", Message: "Re-engagement message"}},
		{Kind: channels.Status, ProviderMessageID: "unknown", Status: followup.StatusDelivered},
	})
	if code := e.post(t, body, sign("s3cret", body)); code != 200 {
		t.Fatalf("status %d", code)
	}
	msgs, _ := e.st.Messages(ctx, id, 10)
	got := map[string]followup.Message{}
	for _, m := range msgs {
		got[m.ProviderID] = m
	}
	if got["m1"].Status != followup.StatusRead {
		t.Errorf("m1: %s", got["m1"].Status)
	}
	if got["m2"].Status != followup.StatusUndeliverable || !strings.Contains(got["m2"].Reason, "131047") {
		t.Errorf("m2: %s %q", got["m2"].Status, got["m2"].Reason)
	}
	if len(e.rec.fails) != 1 || e.rec.fails[0].Class != followup.WindowClosed {
		t.Fatalf("late failure not signalled: %+v", e.rec.fails)
	}
}

func TestFirstMessageFromAKnownPhoneJoinsThatContact(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	jane, _, _ := e.st.SaveContact(ctx, store.ContactInput{FirstName: "Jane", LastName: "Doe", Phone: "+14155550142", Channel: followup.WhatsApp})
	bob, _, _ := e.st.SaveContact(ctx, store.ContactInput{FirstName: "Bob", LastName: "Stone", Phone: "+14155550199"})
	body, _ := json.Marshal([]channels.Event{
		// WhatsApp's wa_id has no plus.
		{Kind: channels.Message, ExternalID: "14155550142", Name: "JD 🌟", Text: "hi", DedupKey: "w1"},
		{Kind: channels.Message, ExternalID: "14155550199", Name: "bobby", Text: "hello", DedupKey: "w2"},
	})
	if code := e.postTo(t, "whatsapp", body, sign("s3cret", body)); code != 200 {
		t.Fatalf("status %d", code)
	}
	for id, want := range map[int64]string{jane: "Jane Doe", bob: "Bob Stone"} {
		c, _ := e.st.Contact(ctx, id)
		if c.FullName() != want || c.Status != followup.Open {
			t.Errorf("contact %d: %q %s, want %q open", id, c.FullName(), c.Status, want)
		}
	}
	var n int
	e.st.DB().Get(&n, `SELECT count(*) FROM contacts`)
	if n != 2 {
		t.Fatalf("%d contacts: a known customer's first WhatsApp message made a new one", n)
	}
	if got, err := e.st.ContactByIdentity(ctx, followup.WhatsApp, "+14155550199"); err != nil || got != bob {
		t.Fatalf("bob's WhatsApp identity: %d %v", got, err)
	}
}

func TestUnsubscribeReachesTheFollowUp(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	e.st.SaveContact(ctx, store.ContactInput{FirstName: "V", Channel: followup.Telegram, ExternalID: "55"})
	body, _ := json.Marshal([]channels.Event{
		{Kind: channels.Unsubscribed, ExternalID: "55", DedupKey: "u1"},
		{Kind: channels.Unsubscribed, ExternalID: "not-ours", DedupKey: "u2"},
	})
	if code := e.post(t, body, sign("s3cret", body)); code != 200 {
		t.Fatalf("status %d", code)
	}
	if len(e.rec.fails) != 1 || e.rec.fails[0].Class != followup.RecipientGone {
		t.Fatalf("unsubscribe: %+v", e.rec.fails)
	}
}
