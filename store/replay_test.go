package store_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/internal/pgtest"
	"github.com/followup-dev/followup/store"
)

// twoServers opens the same database twice, with a pool each, as two
// `followup serve` processes do.
func twoServers(t *testing.T) (*store.Store, *store.Store) {
	t.Helper()
	url := pgtest.New(t)
	var out [2]*store.Store
	for i := range out {
		s, err := store.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		out[i] = s
	}
	return out[0], out[1]
}

func mac(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

func TestSlackRequestSeenAcrossServers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b := twoServers(t)
	now := time.Now()
	if seen := must[bool](t)(a.SlackRequestSeen(ctx, mac("one"), now)); seen {
		t.Fatal("a first request was seen before")
	}
	if seen := must[bool](t)(b.SlackRequestSeen(ctx, mac("one"), now)); !seen {
		t.Fatal("the other server accepted a replay")
	}
	if seen := must[bool](t)(a.SlackRequestSeen(ctx, mac("one"), now)); !seen {
		t.Fatal("the first server accepted a replay")
	}
	if seen := must[bool](t)(b.SlackRequestSeen(ctx, mac("two"), now)); seen {
		t.Fatal("another request was taken for a replay")
	}

	// The same request reaching both servers at once is accepted once.
	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted := 0
	for i := range 20 {
		wg.Go(func() {
			s := a
			if i%2 == 1 {
				s = b
			}
			seen, err := s.SlackRequestSeen(ctx, mac("race"), now)
			if err != nil {
				t.Error(err)
				return
			}
			if !seen {
				mu.Lock()
				accepted++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if accepted != 1 {
		t.Fatalf("a request arriving 20 times at once was accepted %d times", accepted)
	}

	// Signatures past the window are pruned as new ones arrive; recent
	// ones stay.
	if _, err := a.DB().Exec(`INSERT INTO slack_requests (signature, signed_at) VALUES ($1, now() - interval '1 hour'), ($2, now() - interval '4 minutes')`,
		mac("old"), mac("recent")); err != nil {
		t.Fatal(err)
	}
	// (in the background, at most once a second per process).
	var left []string
	for i := 0; i < 30; i++ {
		must[bool](t)(b.SlackRequestSeen(ctx, mac(fmt.Sprintf("more-%d", i)), now))
		time.Sleep(200 * time.Millisecond)
		left = nil
		if err := a.DB().Select(&left, `SELECT CASE signature WHEN $1 THEN 'old' WHEN $2 THEN 'recent' END FROM slack_requests WHERE signature IN ($1, $2)`,
			mac("old"), mac("recent")); err != nil {
			t.Fatal(err)
		}
		if len(left) == 1 {
			break
		}
	}
	if len(left) != 1 || left[0] != "recent" {
		t.Fatalf("after pruning: %v, want [recent]", left)
	}
}

func TestWebhookEventClaimsAcrossServers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b := twoServers(t)
	claim := func(s *store.Store, key string) store.EventClaim {
		t.Helper()
		return must[store.EventClaim](t)(s.ClaimWebhookEvent(ctx, followup.WhatsApp, key, time.Minute))
	}

	// Claimed by one server, in flight for the other, then done for both.
	if got := claim(a, "m1"); got != store.EventClaimed {
		t.Fatalf("first claim: %v", got)
	}
	if got := claim(b, "m1"); got != store.EventInFlight {
		t.Fatalf("claim while the other server handles it: %v", got)
	}
	if err := a.FinishWebhookEvent(ctx, followup.WhatsApp, "m1"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*store.Store{a, b} {
		if got := claim(s, "m1"); got != store.EventDone {
			t.Fatalf("claim after it was handled: %v", got)
		}
	}
	// The same key on another channel is another event.
	if got := must[store.EventClaim](t)(b.ClaimWebhookEvent(ctx, followup.Telegram, "m1", time.Minute)); got != store.EventClaimed {
		t.Fatalf("same key, other channel: %v", got)
	}

	// Released after a failure: the redelivery is handled at once.
	claim(a, "m2")
	if err := a.ReleaseWebhookEvent(ctx, followup.WhatsApp, "m2"); err != nil {
		t.Fatal(err)
	}
	if got := claim(b, "m2"); got != store.EventClaimed {
		t.Fatalf("claim after release: %v", got)
	}

	// A server that died holding a claim loses it when the lease ends.
	claim(a, "m3")
	a.DB().Exec(`UPDATE webhook_events SET claimed_until = now() - interval '1 second' WHERE dedup_key = 'm3'`)
	if got := claim(b, "m3"); got != store.EventClaimed {
		t.Fatalf("claim after the lease ended: %v", got)
	}

	// At once from both servers: one claim.
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := map[store.EventClaim]int{}
	for i := range 20 {
		wg.Go(func() {
			s := a
			if i%2 == 1 {
				s = b
			}
			c, err := s.ClaimWebhookEvent(ctx, followup.WhatsApp, "race", time.Minute)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			got[c]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if got[store.EventClaimed] != 1 || got[store.EventInFlight] != 19 {
		t.Fatalf("20 claims at once: %v", got)
	}

	// Events handled more than a week ago are pruned as others finish.
	a.DB().Exec(`UPDATE webhook_events SET claimed_at = now() - interval '8 days' WHERE dedup_key = 'm1' AND channel = 'whatsapp'`)
	if err := b.FinishWebhookEvent(ctx, followup.WhatsApp, "m2"); err != nil {
		t.Fatal(err)
	}
	var n int
	a.DB().Get(&n, `SELECT count(*) FROM webhook_events WHERE dedup_key = 'm1'`)
	if n != 1 { // the Telegram one is recent
		t.Fatalf("%d rows for m1 after pruning, want 1", n)
	}
}
