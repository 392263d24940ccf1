package activities_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/activities"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/internal/pgtest"
	"github.com/followup-dev/followup/sandbox"
	"github.com/followup-dev/followup/store"
)

// scripted answers each send with the next error (nil: pass to the sandbox).
type scripted struct {
	errs  []error
	calls int
	next  channels.Sender
}

func (s *scripted) Send(ctx context.Context, m channels.Outbound) (channels.Sent, error) {
	s.calls++
	if len(s.errs) > 0 {
		err := s.errs[0]
		s.errs = s.errs[1:]
		if err != nil {
			return channels.Sent{}, err
		}
	}
	return s.next.Send(ctx, m)
}

func setup(t *testing.T, sender *scripted) (*store.Store, *testsuite.TestActivityEnvironment, int64, int64) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	sender.next = sandbox.New(st.DB())
	agent, _, _ := st.SaveAgent(ctx, followup.Agent{SlackUserID: "U1", Name: "Ann"})
	id, _, err := st.SaveContact(ctx, store.ContactInput{FirstName: "Jane", Phone: "+14155550142", Channel: followup.WhatsApp})
	if err != nil {
		t.Fatal(err)
	}
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(activities.New(st, map[followup.Channel]channels.Sender{followup.WhatsApp: sender, followup.LINE: sender}, activities.NewRecorder(st)))
	return st, env, id, agent.ID
}

func sendInput(id, agent int64, key string) activities.SendInput {
	return activities.SendInput{ContactID: id, AgentID: agent, Message: channels.Outbound{
		Channel: followup.WhatsApp, To: "+14155550142", Mode: followup.ModeFreeText, Text: "hi", IdempotencyKey: key}}
}

func TestSendIsIdempotent(t *testing.T) {
	t.Parallel()
	s := &scripted{}
	st, env, id, agent := setup(t, s)
	var first, second activities.SendResult
	v, err := env.ExecuteActivity(activities.NameSend, sendInput(id, agent, "k1"))
	if err != nil {
		t.Fatal(err)
	}
	v.Get(&first)
	v, err = env.ExecuteActivity(activities.NameSend, sendInput(id, agent, "k1"))
	if err != nil {
		t.Fatal(err)
	}
	v.Get(&second)
	if !second.Duplicate || second.MessageID != first.MessageID || s.calls != 1 {
		t.Fatalf("second send of the same key: %+v (provider called %d times)", second, s.calls)
	}
	msgs, _ := st.Messages(context.Background(), id, 10)
	if len(msgs) != 1 || msgs[0].Status != followup.StatusSent {
		t.Fatalf("messages: %+v", msgs)
	}
}

func TestSendThatMayHaveReachedAProviderWithoutDedupIsNotRepeated(t *testing.T) {
	t.Parallel()
	// The first try fails after the provider may have accepted it (the
	// connection was reset). WhatsApp cannot tell a repeat from a new
	// message: the message becomes unconfirmed and is never sent again.
	s := &scripted{errs: []error{errors.New("connection reset by peer")}}
	st, env, id, agent := setup(t, s)
	_, err := env.ExecuteActivity(activities.NameSend, sendInput(id, agent, "k2"))
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) || ae.Type() != activities.ErrUnconfirmed || !ae.NonRetryable() {
		t.Fatalf("want a non-retryable Unconfirmed error, got %v", err)
	}
	// A retry of the same request (a crash re-ran it) does not send either.
	_, err = env.ExecuteActivity(activities.NameSend, sendInput(id, agent, "k2"))
	if !errors.As(err, &ae) || ae.Type() != activities.ErrUnconfirmed {
		t.Fatalf("retry: want Unconfirmed, got %v", err)
	}
	msgs, _ := st.Messages(context.Background(), id, 10)
	if len(msgs) != 1 || msgs[0].Status != followup.StatusUnconfirmed || s.calls != 1 {
		t.Fatalf("messages %+v, provider called %d times (want unconfirmed, once)", msgs, s.calls)
	}
}

func TestSendRetriesOnAProviderThatDeduplicates(t *testing.T) {
	t.Parallel()
	// LINE recognises X-Line-Retry-Key: after a lost answer the retry
	// sends again with the same key and the provider delivers once (the
	// storing sandbox keeps one outbox row per key, as LINE would).
	s := &scripted{errs: []error{errors.New("connection reset by peer")}}
	st, env, id, agent := setup(t, s)
	in := sendInput(id, agent, "k3")
	in.Message.Channel, in.Message.To = followup.LINE, "U0123456789abcdef0123456789abcdef"
	if _, err := env.ExecuteActivity(activities.NameSend, in); err == nil {
		t.Fatal("a transport error must fail the attempt so Temporal retries it")
	}
	v, err := env.ExecuteActivity(activities.NameSend, in)
	if err != nil {
		t.Fatal(err)
	}
	var r activities.SendResult
	v.Get(&r)
	msgs, _ := st.Messages(context.Background(), id, 10)
	box, _ := sandbox.New(st.DB()).Outbox(context.Background(), 10)
	if len(msgs) != 1 || msgs[0].Status != followup.StatusSent || len(box) != 1 || s.calls != 2 {
		t.Fatalf("messages %+v outbox %d calls %d", msgs, len(box), s.calls)
	}
}

func TestSendRetriesWhatTheProviderRefusedForNow(t *testing.T) {
	t.Parallel()
	// A 429 or a refused connection never reached the provider: the retry
	// sends, on any channel.
	for _, first := range []error{
		&followup.SendError{Class: followup.Retryable, Code: "429", Message: "rate limited"},
		&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")},
	} {
		s := &scripted{errs: []error{first}}
		st, env, id, agent := setup(t, s)
		if _, err := env.ExecuteActivity(activities.NameSend, sendInput(id, agent, "k4")); err == nil {
			t.Fatal("want a retryable error")
		}
		if msgs, _ := st.Messages(context.Background(), id, 10); msgs[0].Status != followup.StatusPending {
			t.Fatalf("after %v: %s, want pending", first, msgs[0].Status)
		}
		if _, err := env.ExecuteActivity(activities.NameSend, sendInput(id, agent, "k4")); err != nil {
			t.Fatal(err)
		}
		msgs, _ := st.Messages(context.Background(), id, 10)
		box, _ := sandbox.New(st.DB()).Outbox(context.Background(), 10)
		if len(msgs) != 1 || msgs[0].Status != followup.StatusSent || len(box) != 1 || s.calls != 2 {
			t.Fatalf("after %v: messages %+v outbox %d calls %d", first, msgs, len(box), s.calls)
		}
	}
}

func TestAKeyNamesOneMessage(t *testing.T) {
	t.Parallel()
	s := &scripted{}
	_, env, id, agent := setup(t, s)
	if _, err := env.ExecuteActivity(activities.NameSend, sendInput(id, agent, "k5")); err != nil {
		t.Fatal(err)
	}
	other := sendInput(id, agent, "k5")
	other.Message.Text = "another text"
	if _, err := env.ExecuteActivity(activities.NameSend, other); err == nil || s.calls != 1 {
		t.Fatalf("a key reused for another text: %v (provider called %d times)", err, s.calls)
	}
}

// cutAfterProvider lets the provider accept, then cuts the database before
// the send can record it.
type cutAfterProvider struct {
	next channels.Sender
	cut  func()
}

func (c cutAfterProvider) Send(ctx context.Context, m channels.Outbound) (channels.Sent, error) {
	sent, err := c.next.Send(ctx, m)
	if err == nil {
		c.cut()
	}
	return sent, err
}

func TestDatabaseOutageAfterTheProviderAcceptedNeverResends(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.New(t)
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	admin, _ := store.Open(ctx, url)
	t.Cleanup(admin.Close)
	id, _, _ := st.SaveContact(ctx, store.ContactInput{FirstName: "Jane", Phone: "+14155550142", Channel: followup.Telegram, ExternalID: "42"})
	var end func()
	sender := cutAfterProvider{next: sandbox.New(admin.DB()), cut: func() { end = pgtest.Outage(t, url) }}
	acts := activities.New(st, map[followup.Channel]channels.Sender{followup.Telegram: sender}, activities.NewRecorder(st))
	acts.Timings.RecordBudget = time.Second
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(acts)
	in := activities.SendInput{ContactID: id, Message: channels.Outbound{Channel: followup.Telegram, To: "42", Mode: followup.ModeFreeText, Text: "hi", IdempotencyKey: "k6"}}
	v, err := env.ExecuteActivity(activities.NameSend, in)
	if err != nil {
		t.Fatalf("the provider accepted it: the send must not fail over the database: %v", err)
	}
	var r activities.SendResult
	v.Get(&r)
	if !r.Unrecorded || r.ProviderID == "" || r.MessageID == 0 {
		t.Fatalf("want an unrecorded result with the provider id: %+v", r)
	}
	// RecordSent fails while the database is down (the workflow retries
	// it), and records the message once it is back.
	if _, err := env.ExecuteActivity(activities.NameRecordSent, activities.RecordSentInput{MessageID: r.MessageID, ProviderID: r.ProviderID}); err == nil {
		t.Fatal("RecordSent succeeded with the database down")
	}
	end()
	if _, err := env.ExecuteActivity(activities.NameRecordSent, activities.RecordSentInput{MessageID: r.MessageID, ProviderID: r.ProviderID}); err != nil {
		t.Fatal(err)
	}
	msgs, _ := st.Messages(ctx, id, 10)
	box, _ := sandbox.New(st.DB()).Outbox(ctx, 10)
	if len(msgs) != 1 || msgs[0].Status != followup.StatusSent || msgs[0].ProviderID != r.ProviderID || len(box) != 1 {
		t.Fatalf("messages %+v outbox %d", msgs, len(box))
	}
}

func TestSendErrorClasses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err       error
		typ       string
		retryable bool
		status    followup.MessageStatus
	}{
		{&followup.SendError{Class: followup.WindowClosed, Code: "131047", Message: "Re-engagement message"}, activities.ErrWindowClosed, false, followup.StatusUndeliverable},
		{&followup.SendError{Class: followup.RecipientGone, Code: "403", Message: "bot was blocked by the user"}, activities.ErrRecipientGone, false, followup.StatusUndeliverable},
		{&followup.SendError{Class: followup.Permanent, Code: "132001", Message: "Template name does not exist"}, activities.ErrPermanent, false, followup.StatusUndeliverable},
		{&followup.SendError{Class: followup.Retryable, Code: "429", Message: "rate limited", RetryAfter: 7 * time.Second}, "Retryable", true, followup.StatusPending},
	}
	for _, tc := range cases {
		t.Run(tc.typ, func(t *testing.T) {
			s := &scripted{errs: []error{tc.err}}
			st, env, id, agent := setup(t, s)
			_, err := env.ExecuteActivity(activities.NameSend, sendInput(id, agent, "k"))
			var ae *temporal.ApplicationError
			if !errors.As(err, &ae) || ae.Type() != tc.typ || ae.NonRetryable() == tc.retryable {
				t.Fatalf("error %v (type %v)", err, ae)
			}
			if tc.retryable && ae.NextRetryDelay() != 7*time.Second {
				t.Errorf("Retry-After not honoured: %v", ae.NextRetryDelay())
			}
			msgs, _ := st.Messages(context.Background(), id, 10)
			if len(msgs) != 1 || msgs[0].Status != tc.status {
				t.Fatalf("message: %+v", msgs)
			}
			if tc.status == followup.StatusUndeliverable && msgs[0].Reason == "" {
				t.Error("an undeliverable message must keep its reason")
			}
			if !tc.retryable {
				// Run again after a crash lost the first answer: the same
				// refusal, of the same kind, and no second call.
				_, err := env.ExecuteActivity(activities.NameSend, sendInput(id, agent, "k"))
				if !errors.As(err, &ae) || ae.Type() != tc.typ || s.calls != 1 {
					t.Errorf("run again: %v (type %v), provider called %d times", err, ae, s.calls)
				}
			}
		})
	}
}

func TestLoadCountsSinceTheLaterInbound(t *testing.T) {
	t.Parallel()
	s := &scripted{}
	st, env, id, agent := setup(t, s)
	ctx := context.Background()
	old := time.Now().Add(-2 * time.Hour)
	st.RecordInbound(ctx, id, followup.WhatsApp, old)
	if _, err := env.ExecuteActivity(activities.NameSend, sendInput(id, agent, "a")); err != nil {
		t.Fatal(err)
	}
	var r activities.LoadResult
	v, err := env.ExecuteActivity(activities.NameLoad, activities.LoadInput{ContactID: id, Channel: followup.WhatsApp})
	if err != nil {
		t.Fatal(err)
	}
	v.Get(&r)
	if r.SentInWindow != 1 || r.ExternalID != "+14155550142" || r.Settings.WeChatMessageLimit != 20 {
		t.Fatalf("load: %+v", r)
	}
	// A reply the workflow knows of (signal) that the database has not seen yet.
	v, _ = env.ExecuteActivity(activities.NameLoad, activities.LoadInput{ContactID: id, Channel: followup.WhatsApp, Since: time.Now().Add(time.Minute)})
	v.Get(&r)
	if r.SentInWindow != 0 {
		t.Fatalf("count since a newer reply: %d", r.SentInWindow)
	}
	if _, err := env.ExecuteActivity(activities.NameLoad, activities.LoadInput{ContactID: id, Channel: followup.LINE}); err == nil {
		t.Fatal("load on a channel the contact lacks must fail")
	}
	if _, err := env.ExecuteActivity(activities.NameLoad, activities.LoadInput{ContactID: id, Channel: followup.WhatsApp, TemplateName: "nope"}); err == nil {
		t.Fatal("load of a missing template must fail")
	}
}
