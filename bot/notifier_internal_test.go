package bot

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/internal/pgtest"
	"github.com/followup-dev/followup/store"
)

// TestNotifierPostsOutOfTheFollowUpsWay: while Redeliver runs, Notify
// records and returns while Slack has not answered (here: Slack answers
// nothing until the test lets it), and the posts follow in the order they
// were recorded, once each, a retried Notify included.
func TestNotifierPostsOutOfTheFollowUpsWay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ann, _, err := st.SaveAgent(ctx, followup.Agent{SlackUserID: "U0ANN", Name: "Ann"})
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	var mu sync.Mutex
	var posts []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = r.ParseForm()
		if strings.HasSuffix(r.URL.Path, "users.info") {
			_, _ = w.Write([]byte(`{"ok":true,"user":{"id":"U0ANN","tz":"UTC","locale":"en-US"}}`))
			return
		}
		<-release
		mu.Lock()
		posts = append(posts, r.Form.Get("text"))
		mu.Unlock()
		_, _ = w.Write([]byte(`{"ok":true,"channel":"D1","ts":"1.1"}`))
	}))
	defer srv.Close()
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	n := NewNotifier(st, slack.New("xoxb-test", slack.OptionAPIURL(srv.URL+"/")), "", time.Now, nil)
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go n.Redeliver(rctx, time.Hour)
	for deadline := time.Now().Add(10 * time.Second); !n.running.Load(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("Redeliver never ran")
		}
	}

	keys := []string{"followup-9-whatsapp/n1", "followup-9-whatsapp/n2", "followup-9-whatsapp/n3"}
	notified := make(chan error, 1)
	go func() {
		for i := range keys {
			note := store.Notification{AgentID: &ann.ID, Channel: followup.WhatsApp, Kind: "sent", Text: fmt.Sprintf("message %d", i+1), IdempotencyKey: &keys[i]}
			if err := n.Notify(ctx, note); err != nil {
				notified <- err
				return
			}
		}
		// An activity retry of the first, while it waits to be posted.
		notified <- n.Notify(ctx, store.Notification{AgentID: &ann.ID, Channel: followup.WhatsApp, Kind: "sent", Text: "message 1", IdempotencyKey: &keys[0]})
	}()
	select {
	case err := <-notified:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(postTimeout - time.Second):
		// Slack answers nothing yet: a Notify that posted itself would
		// wait for it until postTimeout, four times over.
		t.Fatal("Notify waited for Slack")
	}
	close(release)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		all := true
		for _, k := range keys {
			if d, _ := st.NotificationDelivered(ctx, k); !d {
				all = false
			}
		}
		if all {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("not all delivered")
		}
	}
	cancel()
	time.Sleep(100 * time.Millisecond) // a duplicate would be on its way by now
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(posts, " | "); got != "✅ message 1 | ✅ message 2 | ✅ message 3" {
		t.Errorf("posts: %s", got)
	}
}
