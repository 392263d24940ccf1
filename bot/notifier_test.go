package bot_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/bot"
	"github.com/followup-dev/followup/internal/pgtest"
	"github.com/followup-dev/followup/store"
)

// TestNotifierSurvivesSlackOutage: while Slack fails, Notify returns at
// once and keeps the notification; Redeliver posts it when Slack is back,
// once, and a retried Notify with the same key posts nothing more. VIP
// notifications that need a supervisor also reach the supervisors' channel.
func TestNotifierSurvivesSlackOutage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ann, _, _ := st.SaveAgent(ctx, followup.Agent{SlackUserID: annID, Name: "Ann"})
	vip := true
	jane, _, _ := st.SaveContact(ctx, store.ContactInput{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com", VIP: &vip})

	var down atomic.Bool
	down.Store(true)
	var mu sync.Mutex
	var posts []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_ = r.ParseForm()
		if strings.HasSuffix(r.URL.Path, "users.info") {
			// The notifier asks for the agent's language; not a post.
			_, _ = w.Write([]byte(`{"ok":true,"user":{"id":"` + r.Form.Get("user") + `","tz":"UTC","locale":"en-US"}}`))
			return
		}
		if r.Form.Get("channel") == "U0GONE" {
			_, _ = w.Write([]byte(`{"ok":false,"error":"channel_not_found"}`))
			return
		}
		mu.Lock()
		posts = append(posts, r.Form.Get("channel")+": "+r.Form.Get("text"))
		mu.Unlock()
		_, _ = w.Write([]byte(`{"ok":true,"channel":"D1","ts":"1.1"}`))
	}))
	defer srv.Close()
	api := slack.New("xoxb-test", slack.OptionAPIURL(srv.URL+"/"))
	// Redeliver leaves notifications younger than 30 s to Notify: its
	// clock runs a minute ahead.
	var ahead atomic.Bool
	clock := func() time.Time {
		if ahead.Load() {
			return time.Now().Add(time.Minute)
		}
		return time.Now()
	}
	n := bot.NewNotifier(st, api, "C0SUP", clock, nil)

	key := "followup-1-whatsapp/n1"
	note := store.Notification{AgentID: &ann.ID, ContactID: &jane, Channel: followup.WhatsApp, Kind: "replied", Text: "Jane Doe replied: thanks", IdempotencyKey: &key}
	start := time.Now()
	if err := n.Notify(ctx, note); err != nil {
		t.Fatalf("Notify during an outage: %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("Notify held the follow-up for %v during the outage", d)
	}
	if delivered, err := st.NotificationDelivered(ctx, key); err != nil || delivered {
		t.Fatalf("delivered=%v err=%v during the outage", delivered, err)
	}

	down.Store(false)
	ahead.Store(true)
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { n.Redeliver(rctx, 20*time.Millisecond); close(done) }()
	eventually(t, "redelivery", func() bool {
		d, _ := st.NotificationDelivered(ctx, key)
		return d
	})
	// The supervisors' copy follows the agent's (best effort, after the
	// record): stopping Redeliver before it is posted would drop it.
	eventually(t, "the supervisors' copy", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(posts) >= 2
	})
	cancel()
	<-done
	if err := n.Notify(ctx, note); err != nil { // an activity retry
		t.Fatal(err)
	}
	// Two workers redelivering at once post a notification once; one Slack
	// will never take is given up instead of blocking the others.
	gone, _, _ := st.SaveAgent(ctx, followup.Agent{SlackUserID: "U0GONE", Name: "Gone"})
	k2, k3 := "followup-1-whatsapp/n2", "followup-1-whatsapp/n3"
	down.Store(true)
	ahead.Store(false)
	_ = n.Notify(ctx, store.Notification{AgentID: &gone.ID, ContactID: &jane, Channel: followup.WhatsApp, Kind: "sent", Text: "to a gone agent", IdempotencyKey: &k2})
	_ = n.Notify(ctx, store.Notification{AgentID: &ann.ID, ContactID: &jane, Channel: followup.WhatsApp, Kind: "sent", Text: "Sent once", IdempotencyKey: &k3})
	down.Store(false)
	ahead.Store(true)
	n2 := bot.NewNotifier(st, api, "C0SUP", clock, nil)
	rctx, cancel = context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, x := range []*bot.Notifier{n, n2} {
		wg.Add(1)
		go func() { defer wg.Done(); x.Redeliver(rctx, 5*time.Millisecond) }()
	}
	eventually(t, "both delivered or given up", func() bool {
		a, _ := st.NotificationDelivered(ctx, k2)
		b, _ := st.NotificationDelivered(ctx, k3)
		return a && b
	})
	time.Sleep(50 * time.Millisecond)
	cancel()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	sentOnce := 0
	for _, p := range posts {
		if strings.Contains(p, "Sent once") {
			sentOnce++
		}
	}
	if sentOnce != 1 {
		t.Fatalf("posted %d times by two redelivering workers: %q", sentOnce, posts)
	}
	posts = posts[:2]
	if len(posts) != 2 || !strings.HasPrefix(posts[0], annID+": 💬 Jane Doe replied") || !strings.HasPrefix(posts[1], "C0SUP: :star: VIP Jane Doe") {
		t.Fatalf("posts %q: want the agent's DM then the supervisors' note, once each", posts)
	}
}
