package activities_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/activities"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/i18n"
	"github.com/followup-dev/followup/internal/pgtest"
	"github.com/followup-dev/followup/sandbox"
	"github.com/followup-dev/followup/store"
)

// TestReconcilerResolvesWhatACrashLeftBehind: messages left pending or
// sending past their lease are resolved, each as its channel allows, and
// the agent is told; a message whose lease is still running is left alone.
// Pending means the provider never had it: a fresh one is sent, a stale
// one reported as not sent.
func TestReconcilerResolvesWhatACrashLeftBehind(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	agent, _, _ := st.SaveAgent(ctx, followup.Agent{SlackUserID: "U1", Name: "Ann"})
	id, _, _ := st.SaveContact(ctx, store.ContactInput{FirstName: "Jane", LastName: "Doe", Phone: "+14155550142", Channel: followup.Telegram, ExternalID: "42"})
	sb := sandbox.New(st.DB())
	acts := activities.New(st, map[followup.Channel]channels.Sender{followup.LINE: sb, followup.Telegram: sb}, activities.NewRecorder(st))
	begin := func(ch followup.Channel, key string) followup.Message {
		out := channels.Outbound{Channel: ch, To: "x", Mode: followup.ModeFreeText, Text: "hello " + key, IdempotencyKey: key}
		wire, _ := json.Marshal(out)
		m, _, err := st.BeginOutbound(ctx, store.Outbound{ContactID: id, AgentID: &agent.ID, Channel: ch, Mode: followup.ModeFreeText,
			Body: out.Text, IdempotencyKey: key, Wire: wire}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.ClaimOutbound(ctx, m.ID, "try", time.Minute); err != nil {
			t.Fatal(err)
		}
		m.Status = followup.StatusSending
		return m
	}
	telegram := begin(followup.Telegram, "tg")   // sending: may have reached Telegram
	line := begin(followup.LINE, "line")         // sending: LINE deduplicates
	refused := begin(followup.Telegram, "later") // the provider refused the last try: never reached it
	if err := st.ReleaseOutbound(ctx, refused.ID, time.Minute); err != nil {
		t.Fatal(err)
	}
	stale := begin(followup.Telegram, "stale") // the same, an hour ago
	if err := st.ReleaseOutbound(ctx, stale.ID, time.Minute); err != nil {
		t.Fatal(err)
	}
	st.DB().MustExec(`UPDATE messages SET created_at = now() - interval '1 hour' WHERE id = $1`, stale.ID)
	live := begin(followup.Telegram, "live") // its lease still runs
	st.DB().MustExec(`UPDATE messages SET attempt_until = now() - interval '1 minute' WHERE id <> $1`, live.ID)

	n, err := activities.NewReconciler(acts, nil).Once(ctx)
	if err != nil || n != 4 {
		t.Fatalf("resolved %d (%v), want 4", n, err)
	}
	msgs, _ := st.Messages(ctx, id, 10)
	want := map[int64]followup.MessageStatus{telegram.ID: followup.StatusUnconfirmed, line.ID: followup.StatusSent,
		refused.ID: followup.StatusSent, stale.ID: followup.StatusFailed, live.ID: followup.StatusSending}
	for _, m := range msgs {
		if m.Status != want[m.ID] {
			t.Errorf("message %q: %s, want %s", m.Body, m.Status, want[m.ID])
		}
	}
	box, _ := sb.Outbox(ctx, 10)
	if len(box) != 2 {
		t.Errorf("the LINE message (again, same key) and the fresh one that never reached Telegram are sent: %+v", box)
	}
	ns, _ := st.Notifications(ctx, id, 10)
	kinds := map[string]int{}
	for _, n := range ns {
		kinds[string(n.Kind)]++
	}
	if kinds["unconfirmed"] != 1 || kinds["sent"] != 2 || kinds["delivery_failed"] != 1 {
		t.Errorf("the agent is told once about each: %v", kinds)
	}
	// Each in the agent's language too: a phrase whose English is the text.
	ru := i18n.New(i18n.Russian)
	for _, n := range ns {
		if n.Say == nil {
			t.Errorf("notification %q has no phrase", n.Text)
			continue
		}
		if got := ru.Phrase(*n.Say, nil); n.Say.String() != n.Text || !strings.HasPrefix(got, "Ваше сообщение в канале ") {
			t.Errorf("notification %q: English %q, in Russian %q", n.Text, n.Say.String(), got)
		}
	}
	if n, _ := activities.NewReconciler(acts, nil).Once(ctx); n != 0 {
		t.Errorf("resolved %d again", n)
	}
}
