package workflows_test

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/activities"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/devserver"
	"github.com/followup-dev/followup/i18n"
	"github.com/followup-dev/followup/internal/pgtest"
	"github.com/followup-dev/followup/sandbox"
	"github.com/followup-dev/followup/store"
	"github.com/followup-dev/followup/worker"
	"github.com/followup-dev/followup/workflows"
)

// server is the in-process Temporal server every integration test shares:
// the same embedded server `followup dev` runs.
var server *devserver.Server

func TestMain(m *testing.M) {
	code := func() int {
		flag.Parse()
		if testing.Short() {
			return m.Run()
		}
		dir, err := os.MkdirTemp("", "followup-temporal-")
		if err != nil {
			panic(err)
		}
		defer os.RemoveAll(dir)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		server, err = devserver.Start(ctx, devserver.Config{DataDir: dir, SearchAttributes: workflows.SearchAttributeTypes(),
			Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))})
		if err != nil {
			fmt.Fprintln(os.Stderr, "start Temporal:", err)
			return 1
		}
		defer server.Stop()
		return m.Run()
	}()
	os.Exit(code)
}

// liveSeq numbers the tests that share the server.
var liveSeq atomic.Int64

// live is a real worker on the shared server with real activities on a
// fresh database.
type live struct {
	t         *testing.T
	ctx       context.Context
	st        *store.Store
	url       string // the database's
	timings   activities.Timings
	c         client.Client
	fc        *workflows.Client
	taskQueue string
	agent     followup.Agent
	w         sdkworker.Worker
}

func newLive(t *testing.T, sender func(*sandbox.Sender) channels.Sender) *live {
	t.Helper()
	return newLiveWith(t, activities.Timings{}, sender)
}

// newLiveWith is newLive with the activities' timings changed.
func newLiveWith(t *testing.T, timings activities.Timings, sender func(*sandbox.Sender) channels.Sender) *live {
	t.Helper()
	if server == nil {
		t.Skip("integration test (no -short)")
	}
	ctx := context.Background()
	url := pgtest.New(t)
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	// Workflow ids are made of contact ids and the server is shared: each
	// test's contacts get ids of their own, so no test reaches a follow-up
	// another test left running.
	if _, err := st.DB().ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('contacts', 'id'), $1)`, liveSeq.Add(1)*1_000_000); err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(client.Options{HostPort: server.FrontendHostPort(), Namespace: server.Namespace(),
		Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	agent, _, _ := st.SaveAgent(ctx, followup.Agent{SlackUserID: "U1", Name: "Ann"})
	l := &live{t: t, ctx: ctx, st: st, url: url, timings: timings, c: c, taskQueue: "it-" + strings.ReplaceAll(t.Name(), "/", "-"), agent: agent}
	l.fc = workflows.NewClient(c, l.taskQueue)
	l.startWorker(sender)
	return l
}

func (l *live) startWorker(sender func(*sandbox.Sender) channels.Sender) {
	l.t.Helper()
	senders := map[followup.Channel]channels.Sender{}
	for _, ch := range followup.Channels {
		senders[ch] = sender(sandbox.New(l.st.DB()))
	}
	acts := activities.New(l.st, senders, activities.NewRecorder(l.st))
	if l.timings.RecordBudget > 0 {
		acts.Timings.RecordBudget = l.timings.RecordBudget
	}
	l.w = worker.New(l.c, l.taskQueue, acts, sdkworker.Options{WorkerStopTimeout: time.Second})
	if err := l.w.Start(); err != nil {
		l.t.Fatal(err)
	}
	w := l.w
	l.t.Cleanup(w.Stop)
}

func (l *live) contact(ch followup.Channel, lastInboundAgo time.Duration) int64 {
	l.t.Helper()
	li := time.Now().Add(-lastInboundAgo)
	id, _, err := l.st.SaveContact(l.ctx, store.ContactInput{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com",
		Phone: "+14155550142", Channel: ch, ExternalID: "ext-" + string(ch), LastInboundAt: &li})
	if err != nil {
		l.t.Fatal(err)
	}
	return id
}

func (l *live) input(id int64, ch followup.Channel) workflows.Input {
	return workflows.Input{ContactID: id, Channel: ch, AgentID: l.agent.ID, AgentSlack: l.agent.SlackUserID}
}

func passThrough(s *sandbox.Sender) channels.Sender { return s }

func TestLiveSendReplyStateCancel(t *testing.T) {
	t.Parallel()
	l := newLive(t, passThrough)
	id := l.contact(followup.WhatsApp, time.Hour)
	in := l.input(id, followup.WhatsApp)
	ctx, cancel := context.WithTimeout(l.ctx, 30*time.Second)
	defer cancel()

	out, err := l.fc.Send(ctx, in, workflows.SendRequest{AgentID: l.agent.ID, Text: "Your refund has landed."}, "req-1")
	if err != nil || out.Outcome != workflows.OutcomeSent || out.Mode != followup.ModeFreeText {
		t.Fatalf("first send: %+v %v", out, err)
	}
	// The same request id again is deduplicated by Temporal: no second message.
	again, err := l.fc.Send(ctx, in, workflows.SendRequest{AgentID: l.agent.ID, Text: "Your refund has landed."}, "req-1")
	if err != nil || again.MessageID != out.MessageID {
		t.Fatalf("retried request: %+v %v", again, err)
	}
	// A second request for the same pair goes to the running follow-up.
	d1, _ := l.c.DescribeWorkflowExecution(ctx, workflows.WorkflowID(id, followup.WhatsApp), "")
	if _, err := l.fc.Send(ctx, in, workflows.SendRequest{AgentID: l.agent.ID, Text: "And a receipt."}, "req-2"); err != nil {
		t.Fatal(err)
	}
	d2, _ := l.c.DescribeWorkflowExecution(ctx, workflows.WorkflowID(id, followup.WhatsApp), "")
	if d1.GetWorkflowExecutionInfo().GetExecution().GetRunId() != d2.GetWorkflowExecutionInfo().GetExecution().GetRunId() {
		t.Fatal("a second request started a new run")
	}
	// A template-only request is refused by the validator before it enters history.
	_, err = l.fc.Send(ctx, in, workflows.SendRequest{AgentID: l.agent.ID, Text: "x", Tag: "NOT_A_TAG"}, "req-3")
	if followup.ErrorCodeOf(err) != followup.ERefused {
		t.Fatalf("invalid tag: %v", err)
	}
	// The refusal is the follow-up's phrase: English as it was, and in the
	// reader's language.
	if en, ru := i18n.New(i18n.English).Error(err), i18n.New(i18n.Russian).Error(err); !strings.HasPrefix(en, `"NOT_A_TAG" is not a message tag an agent may pick`) ||
		!strings.HasPrefix(ru, `"NOT_A_TAG" — не тег сообщения, который может выбрать агент`) {
		t.Fatalf("the refusal: %q, in Russian %q", en, ru)
	}
	// So is what the follow-up told its agent, as stored.
	ns, err := l.st.Notifications(ctx, id, 10)
	if err != nil || len(ns) == 0 || ns[len(ns)-1].Say == nil {
		t.Fatalf("notifications: %+v %v", ns, err)
	}
	if sent := ns[len(ns)-1]; sent.Say.String() != sent.Text || !strings.HasPrefix(i18n.New(i18n.Russian).Phrase(*sent.Say, nil), "Отправлено контакту") {
		t.Fatalf("the first send's notification: %q, in Russian %q", sent.Text, i18n.New(i18n.Russian).Phrase(*sent.Say, nil))
	}
	running, err := l.fc.Reply(ctx, id, followup.WhatsApp, workflows.Reply{At: time.Now(), Preview: "thanks"})
	if err != nil || !running {
		t.Fatalf("reply: %v %v", running, err)
	}
	var s workflows.State
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if s, err = l.fc.State(ctx, id, followup.WhatsApp); err == nil && s.SentInWindow == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if s.SentInWindow != 0 || len(s.Attempts) != 2 || s.Window.Allowance != "free_text" {
		t.Fatalf("state after reply: %+v", s)
	}
	if r, err := l.fc.Cancel(ctx, id, followup.WhatsApp); err != nil || r.CancelledScheduled != 0 {
		t.Fatalf("cancel: %+v %v", r, err)
	}
	if _, err := l.fc.Cancel(ctx, id, followup.WhatsApp); err == nil {
		t.Fatal("cancelling an ended follow-up succeeded")
	}
	box, _ := sandbox.New(l.st.DB()).Outbox(ctx, 10)
	if len(box) != 2 {
		t.Fatalf("outbox: %+v", box)
	}
	recordHistory(t, l.c, workflows.WorkflowID(id, followup.WhatsApp), "whatsapp_send_reply_cancel")
}

func TestLiveTemplateAfterWindowAndClose(t *testing.T) {
	t.Parallel()
	l := newLive(t, passThrough)
	id := l.contact(followup.WhatsApp, 30*time.Hour)
	if _, err := l.st.SaveTemplate(l.ctx, followup.Template{Channel: followup.WhatsApp, Name: "order_update", ParamCount: 1}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(l.ctx, 30*time.Second)
	defer cancel()
	in := l.input(id, followup.WhatsApp)
	out, err := l.fc.Send(ctx, in, workflows.SendRequest{AgentID: l.agent.ID, Text: "free text"}, "a")
	if err != nil || out.Outcome != workflows.OutcomeRefused {
		t.Fatalf("free text after the window on a new follow-up: %+v %v", out, err)
	}
	// The running follow-up decides after a fresh read, and the agent is
	// told of each refusal.
	if out, err := l.fc.Send(ctx, in, workflows.SendRequest{AgentID: l.agent.ID, Text: "free text"}, "b"); err != nil || out.Outcome != workflows.OutcomeRefused {
		t.Fatalf("free text after the window on a running follow-up: %+v %v", out, err)
	}
	if ns, _ := l.st.Notifications(ctx, id, 10); len(ns) != 2 || ns[0].Kind != "refused" || ns[1].Kind != "refused" {
		t.Fatalf("each refusal is told to the agent: %+v", ns)
	}
	out, err = l.fc.Send(ctx, in, workflows.SendRequest{AgentID: l.agent.ID, Template: &workflows.TemplateRequest{Name: "order_update", Params: []string{"A-1"}}}, "c")
	if err != nil || out.Mode != followup.ModeTemplate {
		t.Fatalf("template: %+v %v", out, err)
	}
	if _, err := l.fc.Close(ctx, id, followup.WhatsApp); err != nil {
		t.Fatal(err)
	}
	c, _ := l.st.Contact(ctx, id)
	if c.Status != followup.Closed || c.AssigneeID != nil {
		t.Fatalf("after close (unassign): %+v", c)
	}
	recordHistory(t, l.c, workflows.WorkflowID(id, followup.WhatsApp), "whatsapp_template_close")
}

// crashAfterProvider lets the first message reach the provider, then stops
// the worker before the activity can record it, as a killed worker would.
type crashAfterProvider struct {
	inner   channels.Sender
	crashed *atomic.Bool
	kill    func()
}

func (c crashAfterProvider) Send(ctx context.Context, m channels.Outbound) (channels.Sent, error) {
	sent, err := c.inner.Send(ctx, m)
	if err != nil || c.crashed.Swap(true) {
		return sent, err
	}
	go c.kill()
	<-ctx.Done()
	return channels.Sent{}, ctx.Err()
}

// TestLiveWorkerKilledBetweenProviderAndRecord: the worker dies after the
// provider accepted a message and before it was recorded; a new worker
// runs the workflow task again. The message reaches the customer once: a
// provider that deduplicates by our key (LINE) gets it again with the same
// key and the follow-up records it as sent; one that cannot (Telegram)
// does not get it again, and the agent is told it is unconfirmed.
func TestLiveWorkerKilledBetweenProviderAndRecord(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		ch      followup.Channel
		outcome workflows.Outcome
		status  followup.MessageStatus
	}{
		{followup.Telegram, workflows.OutcomeUnconfirmed, followup.StatusUnconfirmed},
		{followup.LINE, workflows.OutcomeSent, followup.StatusSent},
	} {
		t.Run(string(tc.ch), func(t *testing.T) {
			var crashed atomic.Bool
			var l *live
			l = newLive(t, func(s *sandbox.Sender) channels.Sender {
				return crashAfterProvider{inner: s, crashed: &crashed, kill: func() { l.w.Stop() }}
			})
			id := l.contact(tc.ch, time.Hour)
			ctx, cancel := context.WithTimeout(l.ctx, 2*time.Minute)
			defer cancel()
			done := make(chan error, 1)
			var out workflows.SendOutcome
			go func() {
				var err error
				out, err = l.fc.Send(ctx, l.input(id, tc.ch), workflows.SendRequest{AgentID: l.agent.ID, Text: "exactly once"}, "once")
				done <- err
			}()
			deadline := time.Now().Add(30 * time.Second)
			for !crashed.Load() && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if !crashed.Load() {
				t.Fatal("the provider was never called")
			}
			time.Sleep(1500 * time.Millisecond) // the first worker is gone
			l.startWorker(func(s *sandbox.Sender) channels.Sender { return crashAfterProvider{inner: s, crashed: &crashed} })
			if err := <-done; err != nil || out.Outcome != tc.outcome {
				t.Fatalf("send after restart: %+v %v", out, err)
			}
			box, _ := sandbox.New(l.st.DB()).Outbox(ctx, 10)
			msgs, _ := l.st.Messages(ctx, id, 10)
			if len(box) != 1 || len(msgs) != 1 || msgs[0].Status != tc.status {
				t.Fatalf("outbox %+v messages %+v", box, msgs)
			}
			st, err := l.fc.State(ctx, id, tc.ch)
			if err != nil || st.SentInWindow != 1 || len(st.Attempts) != 1 || st.Attempts[0].Outcome != tc.outcome {
				t.Fatalf("the follow-up counts what may have arrived: %+v %v", st, err)
			}
			ns, _ := l.st.Notifications(ctx, id, 10)
			if len(ns) == 0 || ns[0].Kind != map[workflows.Outcome]followup.NotificationKind{workflows.OutcomeSent: "sent", workflows.OutcomeUnconfirmed: "unconfirmed"}[tc.outcome] {
				t.Fatalf("the agent is told: %+v", ns)
			}
		})
	}
}

// cutAfterProvider lets the provider accept a message, then takes the
// database away for a while, as a Postgres outage in the middle of a send.
type cutAfterProvider struct {
	inner channels.Sender
	cut   func()
}

func (c cutAfterProvider) Send(ctx context.Context, m channels.Outbound) (channels.Sent, error) {
	sent, err := c.inner.Send(ctx, m)
	if err == nil {
		c.cut()
	}
	return sent, err
}

// TestLiveDatabaseDownAfterTheProviderAccepted: Postgres goes away after
// the provider accepted a message and stays away longer than the send
// waits to record it. The follow-up records it apart once Postgres is
// back (the record-sent-apart branch); nothing is sent twice.
func TestLiveDatabaseDownAfterTheProviderAccepted(t *testing.T) {
	t.Parallel()
	var l *live
	var once sync.Once
	var cutAt time.Time
	l = newLiveWith(t, activities.Timings{RecordBudget: 500 * time.Millisecond}, func(s *sandbox.Sender) channels.Sender {
		return cutAfterProvider{inner: s, cut: func() {
			once.Do(func() {
				cutAt = time.Now()
				end := pgtest.Outage(t, l.url)
				time.AfterFunc(3*time.Second, end)
			})
		}}
	})
	id := l.contact(followup.Telegram, time.Hour)
	ctx, cancel := context.WithTimeout(l.ctx, time.Minute)
	defer cancel()
	out, err := l.fc.Send(ctx, l.input(id, followup.Telegram), workflows.SendRequest{AgentID: l.agent.ID, Text: "recorded apart"}, "apart")
	if err != nil || out.Outcome != workflows.OutcomeSent {
		t.Fatalf("send: %+v %v", out, err)
	}
	if time.Since(cutAt) < 2*time.Second {
		t.Fatalf("the send finished %s after the outage began, before the database was back", time.Since(cutAt))
	}
	msgs, _ := l.st.Messages(ctx, id, 10)
	box, _ := sandbox.New(l.st.DB()).Outbox(ctx, 10)
	if len(box) != 1 || len(msgs) != 1 || msgs[0].Status != followup.StatusSent || msgs[0].ProviderID != box[0].ProviderID {
		t.Fatalf("outbox %+v messages %+v", box, msgs)
	}
	recordHistory(t, l.c, workflows.WorkflowID(id, followup.Telegram), "telegram_sent_recorded_apart")
}

// recordHistory writes the workflow's history under testdata/histories when
// FOLLOWUP_RECORD_HISTORIES is set; the replay test replays every file there.
func recordHistory(t *testing.T, c client.Client, workflowID, name string) {
	t.Helper()
	if os.Getenv("FOLLOWUP_RECORD_HISTORIES") == "" {
		return
	}
	it := c.GetWorkflowHistory(context.Background(), workflowID, "", false, 0)
	var h historypb.History
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, e)
	}
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(&h)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "histories", name+".json")
	if _, err := os.Stat(path); err == nil {
		// Recorded histories are append-only: a change that no longer
		// replays one goes behind workflow.GetVersion with a new history.
		t.Fatalf("%s exists: recorded histories are never re-recorded; give the new one another name", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %s (%d events)", path, len(h.Events))
}

// TestLiveChannelScenarios runs one short scenario per channel family on
// the real server; with FOLLOWUP_RECORD_HISTORIES set their histories
// become replay test data.
func TestLiveChannelScenarios(t *testing.T) {
	t.Parallel()
	l := newLive(t, passThrough)
	if err := l.st.SetSetting(l.ctx, "wechat_message_limit", "2"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(l.ctx, time.Minute)
	defer cancel()
	send := func(id int64, ch followup.Channel, req workflows.SendRequest, rid string) (workflows.SendOutcome, error) {
		req.AgentID = l.agent.ID
		return l.fc.Send(ctx, l.input(id, ch), req, rid)
	}
	waitEnd := func(id int64, ch followup.Channel) {
		t.Helper()
		run := l.c.GetWorkflow(ctx, workflows.WorkflowID(id, ch), "")
		var s workflows.State
		if err := run.Get(ctx, &s); err != nil {
			t.Fatalf("%s: %v", ch, err)
		}
	}
	contact := func(email string, ch followup.Channel, ago time.Duration) int64 {
		li := time.Now().Add(-ago)
		id, _, err := l.st.SaveContact(l.ctx, store.ContactInput{FirstName: "C", LastName: string(ch), Email: email, Channel: ch, ExternalID: "x-" + email, LastInboundAt: &li})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}

	m := contact("m@example.com", followup.Messenger, 30*time.Hour)
	if out, err := send(m, followup.Messenger, workflows.SendRequest{Text: "a person wrote this"}, "m1"); err != nil || out.Mode != followup.ModeHumanAgent {
		t.Fatalf("messenger: %+v %v", out, err)
	}
	if out, err := send(m, followup.Messenger, workflows.SendRequest{Text: "tagged", Tag: followup.TagAccountUpdate}, "m2"); err != nil || out.Mode != followup.ModeHumanAgent {
		t.Fatalf("messenger inside 7 d ignores the tag for a person's text: %+v %v", out, err)
	}
	l.fc.Cancel(ctx, m, followup.Messenger)
	recordHistory(t, l.c, workflows.WorkflowID(m, followup.Messenger), "messenger_human_agent")

	v := contact("v@example.com", followup.Viber, 48*time.Hour)
	if out, err := send(v, followup.Viber, workflows.SendRequest{Text: "billable"}, "v1"); err != nil || out.Mode != followup.ModeChatbot {
		t.Fatalf("viber: %+v %v", out, err)
	}
	l.fc.Cancel(ctx, v, followup.Viber)
	recordHistory(t, l.c, workflows.WorkflowID(v, followup.Viber), "viber_chatbot")

	w := contact("w@example.com", followup.WeChat, time.Hour)
	for i := 1; i <= 2; i++ {
		if out, err := send(w, followup.WeChat, workflows.SendRequest{Text: "hi"}, fmt.Sprint("w", i)); err != nil || out.Outcome != workflows.OutcomeSent {
			t.Fatalf("wechat %d: %+v %v", i, out, err)
		}
	}
	waitEnd(w, followup.WeChat) // the count is used up: the follow-up ends
	recordHistory(t, l.c, workflows.WorkflowID(w, followup.WeChat), "wechat_limit")

	g := contact("g@example.com", followup.Instagram, 8*24*time.Hour)
	if out, err := send(g, followup.Instagram, workflows.SendRequest{Text: "hello"}, "g1"); err != nil || out.Outcome != workflows.OutcomeRefused {
		t.Fatalf("instagram after 7 d: %+v %v", out, err)
	}
	waitEnd(g, followup.Instagram)
	recordHistory(t, l.c, workflows.WorkflowID(g, followup.Instagram), "instagram_refused")

	tg := contact("t@example.com", followup.Telegram, time.Hour)
	if out, err := send(tg, followup.Telegram, workflows.SendRequest{Text: "later", At: time.Now().Add(3 * time.Second)}, "t1"); err != nil || out.Outcome != workflows.OutcomeScheduled {
		t.Fatalf("telegram later: %+v %v", out, err)
	}
	if _, err := l.fc.Reply(ctx, tg, followup.Telegram, workflows.Reply{At: time.Now(), Preview: "no need"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(4 * time.Second)
	if s, _ := l.fc.State(ctx, tg, followup.Telegram); len(s.Scheduled) != 0 || len(s.Attempts) != 0 {
		t.Fatalf("the reply did not cancel the scheduled send: %+v", s)
	}
	if out, err := send(tg, followup.Telegram, workflows.SendRequest{Text: "now then"}, "t2"); err != nil || out.Outcome != workflows.OutcomeSent {
		t.Fatalf("telegram: %+v %v", out, err)
	}
	if _, err := l.fc.Close(ctx, tg, followup.Telegram); err != nil {
		t.Fatal(err)
	}
	recordHistory(t, l.c, workflows.WorkflowID(tg, followup.Telegram), "telegram_later_reply_close")
}

// languageCheck refuses a template without a language, as WhatsApp does.
type languageCheck struct{ inner channels.Sender }

func (c languageCheck) Send(ctx context.Context, m channels.Outbound) (channels.Sent, error) {
	if m.Template != nil && m.Template.Language == "" {
		return channels.Sent{}, &followup.SendError{Class: followup.Permanent, Code: "no_language", Message: "template without a language"}
	}
	return c.inner.Send(ctx, m)
}

// TestLiveTemplateStartingAFollowUpKeepsItsLanguage: a template that starts
// a follow-up (update-with-start) goes out with the stored template's
// language, although the workflow's own first load (without a template)
// may complete after the send's.
func TestLiveTemplateStartingAFollowUpKeepsItsLanguage(t *testing.T) {
	t.Parallel()
	l := newLive(t, func(s *sandbox.Sender) channels.Sender { return languageCheck{s} })
	if _, err := l.st.SaveTemplate(l.ctx, followup.Template{Channel: followup.WhatsApp, Name: "order_update", Language: "en", ParamCount: 1}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(l.ctx, 30*time.Second)
	defer cancel()
	// The race is the server's to decide: try a few new follow-ups.
	for i := range 8 {
		li := time.Now().Add(-30 * time.Hour)
		id, _, err := l.st.SaveContact(l.ctx, store.ContactInput{FirstName: "T", LastName: fmt.Sprint(i), Email: fmt.Sprintf("t%d@example.com", i),
			Phone: fmt.Sprintf("+1415555%04d", i), Channel: followup.WhatsApp, LastInboundAt: &li})
		if err != nil {
			t.Fatal(err)
		}
		out, err := l.fc.Send(ctx, l.input(id, followup.WhatsApp), workflows.SendRequest{AgentID: l.agent.ID,
			Template: &workflows.TemplateRequest{Name: "order_update", Params: []string{"A-1"}}}, "t")
		if err != nil || out.Outcome != workflows.OutcomeSent || out.Mode != followup.ModeTemplate {
			t.Fatalf("follow-up %d: %+v %v", i, out, err)
		}
	}
}
