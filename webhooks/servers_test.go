package webhooks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/internal/pgtest"
	"github.com/followup-dev/followup/store"
	"github.com/followup-dev/followup/webhooks"
	"github.com/followup-dev/followup/workflows"
)

// twoServers is two `followup serve` behind a load balancer: one database,
// a connection pool, webhook handler and follow-up client each.
func twoServers(t *testing.T, followups ...webhooks.Followups) [2]env {
	t.Helper()
	url := pgtest.New(t)
	var out [2]env
	for i := range out {
		st, err := store.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(st.Close)
		rec := &recorder{}
		var f webhooks.Followups = rec
		if i < len(followups) {
			f = followups[i]
		}
		mux := http.NewServeMux()
		webhooks.New(st, f, map[followup.Channel]channels.Webhook{followup.Telegram: signedJSON{"s3cret"}},
			slog.New(slog.NewTextHandler(io.Discard, nil)), nil).Register(mux)
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		out[i] = env{st, rec, srv}
	}
	return out
}

func (r *recorder) signals() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.replies) + len(r.fails)
}

func count(t *testing.T, st *store.Store, query string) int {
	t.Helper()
	var n int
	if err := st.DB().Get(&n, query); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTwoServersActOnAWebhookOnce: a webhook redelivered to the other
// server is recorded once and signals its follow-up once.
func TestTwoServersActOnAWebhookOnce(t *testing.T) {
	t.Parallel()
	s := twoServers(t)
	ctx := context.Background()
	id, _, err := s[0].st.SaveContact(ctx, store.ContactInput{FirstName: "B", Channel: followup.Telegram, ExternalID: "9"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s[0].st.DB().Exec(`INSERT INTO messages (contact_id, direction, channel, mode, body, status, provider_id, idempotency_key)
		VALUES ($1, 'outbound', 'telegram', 'free_text', 'x', 'sent', 'm1', 'k1')`, id); err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal([]channels.Event{
		{Kind: channels.Message, ExternalID: "9", Text: "hello?", At: time.Now(), DedupKey: "update-1"},
		{Kind: channels.Status, ProviderMessageID: "m1", Status: followup.StatusFailed, DedupKey: "status-m1-failed",
			Err: &followup.SendError{Class: followup.RecipientGone, Code: "403", Message: "bot was blocked by the user"}},
	})
	for i, srv := range []env{s[0], s[1], s[0], s[1]} {
		if code := srv.post(t, body, sign("s3cret", body)); code != 200 {
			t.Fatalf("delivery %d: status %d", i+1, code)
		}
	}
	if n := count(t, s[1].st, `SELECT count(*) FROM messages WHERE direction = 'inbound'`); n != 1 {
		t.Errorf("%d inbound messages, want 1", n)
	}
	if n := count(t, s[1].st, `SELECT count(*) FROM messages WHERE provider_id = 'm1' AND status = 'undeliverable'`); n != 1 {
		t.Errorf("the failure was not recorded")
	}
	if len(s[0].rec.replies) != 1 || len(s[0].rec.fails) != 1 || s[1].rec.signals() != 0 {
		t.Fatalf("signals: server 1 %d replies, %d failures; server 2 %d; want the reply and the failure once",
			len(s[0].rec.replies), len(s[0].rec.fails), s[1].rec.signals())
	}
}

// TestFailedWebhookIsRetriedOnTheOtherServer: an event one server could not
// finish (Temporal down) is handled by the provider's retry on the other
// server, at once, and signalled once.
func TestFailedWebhookIsRetriedOnTheOtherServer(t *testing.T) {
	t.Parallel()
	s := twoServers(t)
	s[0].rec.down = true
	body, _ := json.Marshal([]channels.Event{{Kind: channels.Message, ExternalID: "7", Text: "hi", DedupKey: "u7"}})
	if code := s[0].post(t, body, sign("s3cret", body)); code != 503 {
		t.Fatalf("with Temporal down: %d, want 503 so the provider retries", code)
	}
	for i := range 2 {
		if code := s[1].post(t, body, sign("s3cret", body)); code != 200 {
			t.Fatalf("retry %d on server 2: %d", i+1, code)
		}
	}
	if len(s[1].rec.replies) != 1 {
		t.Fatalf("server 2 signalled %d replies, want 1", len(s[1].rec.replies))
	}
	if n := count(t, s[1].st, `SELECT count(*) FROM messages WHERE direction = 'inbound'`); n != 1 {
		t.Errorf("%d inbound messages, want 1", n)
	}
}

// slowFollowups holds Reply until released, as a slow Temporal would.
type slowFollowups struct {
	*recorder
	entered, release chan struct{}
}

func (f slowFollowups) Reply(ctx context.Context, id int64, ch followup.Channel, r workflows.Reply) (bool, error) {
	close(f.entered)
	<-f.release
	return f.recorder.Reply(ctx, id, ch, r)
}

// TestWebhookInFlightOnOneServerIsRetriedLater: a redelivery reaching the
// other server while the first still handles the event gets 503 (the
// provider comes back), not a second signal, and not a 200 that the first
// server's failure would make a lie.
func TestWebhookInFlightOnOneServerIsRetriedLater(t *testing.T) {
	t.Parallel()
	slow := slowFollowups{&recorder{}, make(chan struct{}), make(chan struct{})}
	s := twoServers(t, slow)
	body, _ := json.Marshal([]channels.Event{{Kind: channels.Message, ExternalID: "8", Text: "hi", DedupKey: "u8"}})
	first := make(chan int)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, s[0].srv.URL+"/webhooks/telegram", bytes.NewReader(body))
		req.Header.Set("X-Signature", sign("s3cret", body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			first <- 0
			return
		}
		resp.Body.Close()
		first <- resp.StatusCode
	}()
	<-slow.entered
	req, _ := http.NewRequest(http.MethodPost, s[1].srv.URL+"/webhooks/telegram", bytes.NewReader(body))
	req.Header.Set("X-Signature", sign("s3cret", body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("redelivery while in flight: %d (Retry-After %q), want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	close(slow.release)
	if code := <-first; code != 200 {
		t.Fatalf("first delivery: %d", code)
	}
	if code := s[1].post(t, body, sign("s3cret", body)); code != 200 {
		t.Fatalf("redelivery once done: %d", code)
	}
	if len(slow.replies) != 1 || s[1].rec.signals() != 0 {
		t.Fatalf("signals: server 1 %d, server 2 %d; want 1 and 0", len(slow.replies), s[1].rec.signals())
	}
}
