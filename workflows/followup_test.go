package workflows_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/activities"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/internal/pgtest"
	"github.com/followup-dev/followup/sandbox"
	"github.com/followup-dev/followup/store"
	"github.com/followup-dev/followup/workflows"
)

// harness runs the real workflow with the real activities on real Postgres
// and the sandbox provider, in the SDK's time-skipping test environment.
type harness struct {
	t       *testing.T
	ctx     context.Context
	st      *store.Store
	env     *testsuite.TestWorkflowEnvironment
	agent   followup.Agent
	start   time.Time
	contact int64
	ch      followup.Channel
}

func newHarness(t *testing.T, ch followup.Channel, lastInboundAgo time.Duration, settings map[string]string) *harness {
	t.Helper()
	return newHarnessWith(t, ch, lastInboundAgo, settings, nil)
}

// newHarnessWith wraps the sandbox sender (to make the provider refuse).
func newHarnessWith(t *testing.T, ch followup.Channel, lastInboundAgo time.Duration, settings map[string]string, wrap func(channels.Sender) channels.Sender) *harness {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	for k, v := range settings {
		if err := st.SetSetting(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	agent, _, err := st.SaveAgent(ctx, followup.Agent{SlackUserID: "U1", Name: "Ann"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().UTC().Truncate(time.Second)
	in := store.ContactInput{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com", Phone: "+14155550142", Channel: ch, ConvStatus: followup.Closed}
	if !strings.Contains("whatsapp sms viber email", string(ch)) {
		in.ExternalID = "ext-" + string(ch)
	}
	if lastInboundAgo >= 0 {
		li := start.Add(-lastInboundAgo)
		in.LastInboundAt = &li
	}
	id, _, err := st.SaveContact(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	// A second channel, so refusals can point to it.
	if ch != followup.Email {
		if _, _, err := st.SaveContact(ctx, store.ContactInput{Email: "jane@example.com", Channel: followup.Email}); err != nil {
			t.Fatal(err)
		}
	}
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(start)
	env.RegisterWorkflowWithOptions(workflows.FollowUp, workflows.RegisterOptions())
	senders := map[followup.Channel]channels.Sender{}
	for _, c := range followup.Channels {
		senders[c] = sandbox.New(st.DB())
		if wrap != nil {
			senders[c] = wrap(senders[c])
		}
	}
	env.RegisterActivity(activities.New(st, senders, activities.NewRecorder(st)))
	return &harness{t: t, ctx: ctx, st: st, env: env, agent: agent, start: start, contact: id, ch: ch}
}

// at runs f at a simulated offset from the start.
func (h *harness) at(d time.Duration, f func()) { h.env.RegisterDelayedCallback(f, d) }

// send asks the running follow-up to send; then runs with what it answered
// (or the validator's rejection) once the update has completed.
func (h *harness) send(req workflows.SendRequest, then func(out workflows.SendOutcome, rejected error)) {
	h.t.Helper()
	if req.AgentID == 0 {
		req.AgentID, req.AgentSlack = h.agent.ID, h.agent.SlackUserID
	}
	h.env.UpdateWorkflow(workflows.UpdateSend, "", &testsuite.TestUpdateCallback{
		OnAccept: func() {},
		OnReject: func(err error) { then(workflows.SendOutcome{}, err) },
		OnComplete: func(v any, err error) {
			if err != nil {
				h.t.Errorf("send update failed: %v", err)
			}
			o, _ := v.(workflows.SendOutcome)
			then(o, nil)
		},
	}, req)
}

// sendAll sends the requests one after another, then calls done.
func (h *harness) sendAll(reqs []workflows.SendRequest, each func(i int, out workflows.SendOutcome, rejected error), done func()) {
	var step func(i int)
	step = func(i int) {
		if i == len(reqs) {
			if done != nil {
				done()
			}
			return
		}
		h.send(reqs[i], func(out workflows.SendOutcome, rej error) {
			each(i, out, rej)
			step(i + 1)
		})
	}
	step(0)
}

func (h *harness) run(body func()) workflows.State {
	h.t.Helper()
	h.at(time.Second, body) // after the follow-up has loaded its state
	h.env.ExecuteWorkflow(workflows.FollowUp, workflows.Input{ContactID: h.contact, Channel: h.ch, AgentID: h.agent.ID, AgentSlack: "U1"})
	if !h.env.IsWorkflowCompleted() {
		h.t.Fatal("workflow did not complete")
	}
	if err := h.env.GetWorkflowError(); err != nil {
		h.t.Fatalf("workflow error: %v", err)
	}
	var st workflows.State
	if err := h.env.GetWorkflowResult(&st); err != nil {
		h.t.Fatal(err)
	}
	return st
}

func (h *harness) state() workflows.State {
	h.t.Helper()
	v, err := h.env.QueryWorkflow(workflows.QueryState)
	if err != nil {
		h.t.Fatal(err)
	}
	var s workflows.State
	if err := v.Get(&s); err != nil {
		h.t.Fatal(err)
	}
	return s
}

func (h *harness) outbox() []sandbox.Message {
	h.t.Helper()
	m, err := sandbox.New(h.st.DB()).Outbox(h.ctx, 100)
	if err != nil {
		h.t.Fatal(err)
	}
	return m
}

func (h *harness) notifications(kind string) []store.Notification {
	h.t.Helper()
	all, err := h.st.Notifications(h.ctx, h.contact, 1000)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []store.Notification
	for _, n := range all {
		if kind == "" || string(n.Kind) == kind {
			out = append(out, n)
		}
	}
	return out
}

func (h *harness) contactRow() followup.Contact {
	c, err := h.st.Contact(h.ctx, h.contact)
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

func text(s string) workflows.SendRequest { return workflows.SendRequest{Text: s} }

// refusal is why a send was refused, by the validator (rej) or by the
// rules after a fresh read (a refused outcome); "" when it was not.
func refusal(out workflows.SendOutcome, rej error) string {
	if rej != nil {
		return rej.Error()
	}
	if out.Outcome == workflows.OutcomeRefused {
		return out.Message
	}
	return ""
}

func expect(t *testing.T, out workflows.SendOutcome, rejected error, outcome workflows.Outcome, mode followup.Mode) {
	t.Helper()
	if rejected != nil {
		t.Fatalf("rejected: %v", rejected)
	}
	if out.Outcome != outcome || out.Mode != mode {
		t.Fatalf("outcome %s/%s (%s: %s), want %s/%s", out.Outcome, out.Mode, out.Reason, out.Message, outcome, mode)
	}
}

func TestWhatsAppInsideWindowSendsFreeTextAndReopens(t *testing.T) {
	t.Parallel()
	h := newHarness(t, followup.WhatsApp, 2*time.Hour, nil)
	h.run(func() {
		h.send(text("Your refund has landed."), func(out workflows.SendOutcome, rej error) {
			expect(t, out, rej, workflows.OutcomeSent, followup.ModeFreeText)
			c := h.contactRow()
			if c.Status != followup.Open || c.AssigneeID == nil || *c.AssigneeID != h.agent.ID {
				t.Errorf("conversation not reopened and assigned: %+v", c)
			}
			s := h.state()
			if want := h.start.Add(22 * time.Hour); !s.Window.OpenUntil.Equal(want) || s.Window.Next != "template_only" {
				t.Errorf("window %+v, want open until %v then template only", s.Window, want)
			}
		})
	})
	box := h.outbox()
	if len(box) != 1 || box[0].Mode != "free_text" || box[0].Recipient != "+14155550142" || box[0].Body != "Your refund has landed." {
		t.Fatalf("outbox: %+v", box)
	}
	msgs, _ := h.st.Messages(h.ctx, h.contact, 10)
	if len(msgs) != 1 || msgs[0].Status != followup.StatusSent || msgs[0].ProviderID != box[0].ProviderID {
		t.Fatalf("messages: %+v", msgs)
	}
	if n := h.notifications("sent"); len(n) != 1 || !strings.Contains(n[0].Text, "free text") {
		t.Fatalf("sent notification: %+v", n)
	}
}

func TestWhatsAppAfterWindow(t *testing.T) {
	t.Parallel()
	h := newHarness(t, followup.WhatsApp, 25*time.Hour, nil)
	for _, tp := range []followup.Template{
		{Channel: followup.WhatsApp, Name: "order_update", ParamCount: 2},
		{Channel: followup.WhatsApp, Name: "promo", ParamCount: 0, Status: followup.TemplatePending},
	} {
		if _, err := h.st.SaveTemplate(h.ctx, tp); err != nil {
			t.Fatal(err)
		}
	}
	reqs := []workflows.SendRequest{
		text("hello?"),
		{Template: &workflows.TemplateRequest{Name: "promo"}},
		{Template: &workflows.TemplateRequest{Name: "order_update", Params: []string{"Jane"}}},
		{Template: &workflows.TemplateRequest{Name: "order_update", Params: []string{"Jane", "A-1"}}},
	}
	h.run(func() {
		h.sendAll(reqs, func(i int, out workflows.SendOutcome, rej error) {
			switch i {
			case 0:
				if msg := refusal(out, rej); !strings.Contains(msg, "template") {
					t.Errorf("free text after 24 h: %+v %v", out, rej)
				}
			case 1:
				if rej != nil || out.Outcome != workflows.OutcomeRefused || out.Reason != "template_not_approved" {
					t.Errorf("pending template: %+v %v", out, rej)
				}
			case 2:
				if rej != nil || out.Outcome != workflows.OutcomeRefused || out.Reason != "template_params" {
					t.Errorf("wrong parameter count: %+v %v", out, rej)
				}
				if c := h.contactRow(); c.Status != followup.Closed {
					t.Errorf("a refusal reopened the conversation")
				}
			case 3:
				expect(t, out, rej, workflows.OutcomeSent, followup.ModeTemplate)
			}
		}, nil)
	})
	box := h.outbox()
	if len(box) != 1 || box[0].Template != "order_update" || box[0].Body != "order_update(Jane, A-1)" {
		t.Fatalf("outbox: %+v", box)
	}
	// Every refusal of the running follow-up reaches the agent (a DM),
	// naming the contact's other channels.
	refused := h.notifications("refused")
	if len(refused) != 3 {
		t.Fatalf("%d refusals told, want 3: %+v", len(refused), refused)
	}
	for _, n := range refused {
		if !strings.Contains(n.Text, "Email") {
			t.Errorf("a refusal should name the other channel: %s", n.Text)
		}
	}
}

func TestMessengerHumanAgentThenTag(t *testing.T) {
	t.Parallel()
	h := newHarness(t, followup.Messenger, 30*time.Hour, nil)
	h.run(func() {
		h.send(text("A person writes this"), func(out workflows.SendOutcome, rej error) {
			expect(t, out, rej, workflows.OutcomeSent, followup.ModeHumanAgent)
			if out.Tag != followup.TagHumanAgent {
				t.Errorf("tag %q", out.Tag)
			}
		})
	})
	// Exactly 7 days after the last inbound: only a tag.
	h2 := newHarness(t, followup.Messenger, 7*24*time.Hour, nil)
	h2.run(func() {
		h2.sendAll([]workflows.SendRequest{text("hi"), {Text: "Your order shipped", Tag: followup.TagPostPurchaseUpdate}},
			func(i int, out workflows.SendOutcome, rej error) {
				if i == 0 && refusal(out, rej) == "" {
					t.Error("free text at exactly 7 days was accepted")
				}
				if i == 1 {
					expect(t, out, rej, workflows.OutcomeSent, followup.ModeMessageTag)
				}
			}, nil)
	})
	if box := h2.outbox(); len(box) != 1 || box[0].Tag != "POST_PURCHASE_UPDATE" {
		t.Fatalf("outbox: %+v", box)
	}
}

func TestInstagramAfterSevenDaysEndsTheFollowUp(t *testing.T) {
	t.Parallel()
	h := newHarness(t, followup.Instagram, 8*24*time.Hour, nil)
	st := h.run(func() {})
	if len(h.outbox()) != 0 {
		t.Fatal("instagram after 7 days sent something")
	}
	if st.Status != workflows.StatusDone || st.Result != "no further outbound possible" {
		t.Fatalf("state: %s %q", st.Status, st.Result)
	}
	if n := h.notifications("finished"); len(n) != 1 {
		t.Fatalf("finished notification: %+v", n)
	}
}

func TestViberQuotaAndCommercialTerms(t *testing.T) {
	t.Parallel()
	h := newHarness(t, followup.Viber, 48*time.Hour, map[string]string{"viber_free_allowance": "1"})
	h.run(func() {
		h.sendAll([]workflows.SendRequest{text("first"), text("second")}, func(i int, out workflows.SendOutcome, rej error) {
			if i == 0 {
				expect(t, out, rej, workflows.OutcomeSent, followup.ModeChatbot)
			}
			if i == 1 && !strings.Contains(strings.ToLower(refusal(out, rej)), "viber") {
				t.Errorf("past the free allowance: %+v %v", out, rej)
			}
		}, func() {
			if err := h.st.SetSetting(h.ctx, "viber_commercial_terms", "true"); err != nil {
				t.Error(err)
			}
			// The validator still has the old settings, so schedule: the
			// due send reloads them.
			h.send(workflows.SendRequest{Text: "third", At: h.env.Now().Add(time.Minute)}, func(out workflows.SendOutcome, rej error) {
				if rej != nil || out.Outcome != workflows.OutcomeScheduled {
					t.Errorf("schedule: %+v %v", out, rej)
				}
			})
		})
	})
	box := h.outbox()
	if len(box) != 2 || box[0].Body != "third" || box[0].Mode != "chatbot" {
		t.Fatalf("outbox: %+v", box)
	}
}

func TestWeChatTwentyThenTwentyOne(t *testing.T) {
	t.Parallel()
	h := newHarness(t, followup.WeChat, time.Hour, nil)
	reqs := make([]workflows.SendRequest, 21)
	for i := range reqs {
		reqs[i] = text("message")
	}
	st := h.run(func() {
		h.sendAll(reqs, func(i int, out workflows.SendOutcome, rej error) {
			if i < 20 {
				expect(t, out, rej, workflows.OutcomeSent, followup.ModeFreeText)
			} else if refusal(out, rej) == "" {
				t.Errorf("the 21st WeChat message was accepted: %+v", out)
			}
		}, nil)
	})
	if len(h.outbox()) != 20 {
		t.Fatalf("outbox %d, want 20", len(h.outbox()))
	}
	// The 20th message closed the window: nothing more is possible.
	if st.Status != workflows.StatusDone || st.SentInWindow != 20 {
		t.Fatalf("state: %s, sent %d", st.Status, st.SentInWindow)
	}
}

func TestReplyResetsCountAndWindow(t *testing.T) {
	t.Parallel()
	h := newHarness(t, followup.WeChat, 47*time.Hour, map[string]string{"wechat_message_limit": "3"})
	h.at(time.Second, func() {
		h.sendAll([]workflows.SendRequest{text("1"), text("2")}, func(i int, out workflows.SendOutcome, rej error) {
			expect(t, out, rej, workflows.OutcomeSent, followup.ModeFreeText)
		}, func() {
			if s := h.state(); s.SentInWindow != 2 || s.Window.Remaining != 1 {
				t.Errorf("before the reply: sent %d remaining %d", s.SentInWindow, s.Window.Remaining)
			}
		})
	})
	h.at(30*time.Minute, func() {
		h.env.SignalWorkflow(workflows.SignalReply, workflows.Reply{At: h.env.Now(), Preview: "still there?"})
	})
	h.at(31*time.Minute, func() {
		s := h.state()
		if s.SentInWindow != 0 || !s.Window.OpenUntil.Equal(h.start.Add(30*time.Minute+48*time.Hour)) {
			t.Errorf("after the reply: sent %d, open until %v", s.SentInWindow, s.Window.OpenUntil)
		}
		h.sendAll([]workflows.SendRequest{text("3"), text("4"), text("5"), text("6")}, func(i int, out workflows.SendOutcome, rej error) {
			if i < 3 {
				expect(t, out, rej, workflows.OutcomeSent, followup.ModeFreeText)
			} else if refusal(out, rej) == "" {
				t.Error("a 4th message in the new window was accepted with a limit of 3")
			}
		}, nil)
	})
	st := h.run(func() {})
	if len(h.outbox()) != 5 {
		t.Fatalf("outbox %d, want 5", len(h.outbox()))
	}
	if st.Status != workflows.StatusDone {
		t.Fatalf("the wechat follow-up should end when nothing more is possible: %s", st.Status)
	}
	if n := h.notifications("replied"); len(n) != 1 || !strings.Contains(n[0].Text, "still there?") {
		t.Fatalf("replied notification: %+v", n)
	}
}

func TestReminderAtLeadTime(t *testing.T) {
	t.Parallel()
	h := newHarness(t, followup.WhatsApp, 2*time.Hour, map[string]string{"reminder_lead": "30m"})
	// The window closes 22 h after the start; the reminder is due at 21 h 30 m.
	h.at(time.Second, func() {
		h.send(text("hi"), func(out workflows.SendOutcome, rej error) {
			expect(t, out, rej, workflows.OutcomeSent, followup.ModeFreeText)
		})
	})
	h.at(21*time.Hour+29*time.Minute, func() {
		if n := h.notifications("window_closing"); len(n) != 0 {
			t.Errorf("reminder before the lead time: %+v", n)
		}
	})
	h.at(21*time.Hour+31*time.Minute, func() {
		if n := h.notifications("window_closing"); len(n) != 1 || !strings.Contains(n[0].Text, "template only") {
			t.Errorf("reminder at the lead time: %+v", n)
		}
	})
	h.at(22*time.Hour+time.Minute, func() {
		s := h.state()
		if s.Window.Allowance != "template_only" || !s.Window.ClosedSince.Equal(h.start.Add(22*time.Hour)) {
			t.Errorf("after the window: %+v", s.Window)
		}
		if n := h.notifications("window_closed"); len(n) != 1 {
			t.Errorf("window closed notification: %+v", n)
		}
	})
	h.run(func() {})
	if n := h.notifications("window_closing"); len(n) != 1 {
		t.Fatalf("reminders: %d", len(n))
	}
}

func TestScheduledSendCancelledByReply(t *testing.T) {
	t.Parallel()
	h := newHarness(t, followup.Telegram, -1, nil)
	h.at(time.Second, func() {
		h.send(workflows.SendRequest{Text: "checking in", At: h.env.Now().Add(4 * time.Hour)}, func(out workflows.SendOutcome, rej error) {
			if rej != nil || out.Outcome != workflows.OutcomeScheduled {
				t.Errorf("schedule: %+v %v", out, rej)
			}
			if s := h.state(); len(s.Scheduled) != 1 || s.Status != workflows.StatusScheduled {
				t.Errorf("state: %+v", s)
			}
		})
	})
	h.at(time.Hour, func() {
		h.env.SignalWorkflow(workflows.SignalReply, workflows.Reply{At: h.env.Now(), Preview: "never mind, solved"})
	})
	h.at(5*time.Hour, func() {
		if len(h.outbox()) != 0 {
			t.Error("the scheduled send went out after the customer replied")
		}
	})
	h.run(func() {})
	if n := h.notifications("replied"); len(n) != 1 || !strings.Contains(n[0].Text, "cancelled") {
		t.Fatalf("reply notification should say the schedule was cancelled: %+v", n)
	}
}

func TestScheduledSendGoesOutThenCancel(t *testing.T) {
	t.Parallel()
	h := newHarness(t, followup.LINE, -1, nil)
	h.at(time.Second, func() {
		h.sendAll([]workflows.SendRequest{
			{Text: "later 1", At: h.env.Now().Add(time.Hour)},
			{Text: "later 2", At: h.env.Now().Add(3 * time.Hour)},
		}, func(int, workflows.SendOutcome, error) {}, nil)
	})
	h.at(2*time.Hour, func() {
		if box := h.outbox(); len(box) != 1 || box[0].Body != "later 1" {
			t.Errorf("after 2 h: %+v", box)
		}
		h.env.UpdateWorkflow(workflows.UpdateCancel, "", &testsuite.TestUpdateCallback{
			OnAccept: func() {}, OnReject: func(err error) { t.Errorf("cancel rejected: %v", err) },
			OnComplete: func(v any, err error) {
				if r, _ := v.(workflows.CancelResult); err != nil || r.CancelledScheduled != 1 {
					t.Errorf("cancel: %+v %v", v, err)
				}
			},
		})
	})
	st := h.run(func() {})
	if st.Status != workflows.StatusCancelled || len(h.outbox()) != 1 {
		t.Fatalf("status %s, outbox %d", st.Status, len(h.outbox()))
	}
}

func TestCloseWithEachClosingLogic(t *testing.T) {
	t.Parallel()
	for _, logic := range []string{"unassign", "keep"} {
		t.Run(logic, func(t *testing.T) {
			h := newHarness(t, followup.SMS, -1, map[string]string{"closing_logic": logic})
			h.at(time.Second, func() {
				h.send(text("fixed!"), func(out workflows.SendOutcome, rej error) {
					expect(t, out, rej, workflows.OutcomeSent, followup.ModeFreeText)
					h.env.UpdateWorkflow(workflows.UpdateClose, "", &testsuite.TestUpdateCallback{
						OnAccept: func() {}, OnReject: func(err error) { t.Errorf("close rejected: %v", err) },
						OnComplete: func(v any, err error) {
							if err != nil {
								t.Errorf("close: %v", err)
							}
						},
					})
				})
			})
			st := h.run(func() {})
			c := h.contactRow()
			if st.Status != workflows.StatusClosed || c.Status != followup.Closed {
				t.Fatalf("status %s, contact %s", st.Status, c.Status)
			}
			if (logic == "keep") != (c.AssigneeID != nil) {
				t.Fatalf("%s: assignee %v", logic, c.AssigneeID)
			}
		})
	}
}

func TestContinueAsNewCarriesState(t *testing.T) {
	t.Parallel()
	h := newHarness(t, followup.Telegram, -1, nil)
	h.at(time.Second, func() {
		h.sendAll([]workflows.SendRequest{text("1"), text("2")}, func(int, workflows.SendOutcome, error) {}, func() {
			h.env.SetContinueAsNewSuggested(true)
			h.env.SignalWorkflow(workflows.SignalReply, workflows.Reply{At: h.env.Now(), Preview: "ok"})
		})
	})
	h.env.ExecuteWorkflow(workflows.FollowUp, workflows.Input{ContactID: h.contact, Channel: h.ch, AgentID: h.agent.ID})
	err := h.env.GetWorkflowError()
	var can *workflow.ContinueAsNewError
	if !errors.As(err, &can) {
		t.Fatalf("want continue-as-new, got %v", err)
	}
	var in workflows.Input
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &in); err != nil {
		t.Fatal(err)
	}
	if in.Carry == nil || in.Carry.Seq != 2 || len(in.Carry.Attempts) != 2 || in.ContactID != h.contact {
		t.Fatalf("carried state: %+v", in.Carry)
	}
	if len(h.outbox()) != 2 {
		t.Fatalf("outbox %d", len(h.outbox()))
	}
}

func quietLogger() log.Logger {
	return log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// refusing is a provider that refuses every message with err.
type refusing struct{ err error }

func (r refusing) Send(context.Context, channels.Outbound) (channels.Sent, error) {
	return channels.Sent{}, r.err
}

func TestProviderWindowErrorIsFinalAndNeverRetriedAsFreeText(t *testing.T) {
	t.Parallel()
	calls := 0
	h := newHarnessWith(t, followup.WhatsApp, time.Hour, nil, func(channels.Sender) channels.Sender {
		return countingRefuser{&calls, &followup.SendError{Class: followup.WindowClosed, Code: "131047", Message: "Re-engagement message"}}
	})
	h.run(func() {
		h.send(text("hi"), func(out workflows.SendOutcome, rej error) {
			if rej != nil || out.Outcome != workflows.OutcomeUndeliverable || out.Reason != "WindowClosed" {
				t.Errorf("provider window error: %+v %v", out, rej)
			}
			if s := h.state(); !s.ProviderClosed || s.Window.Allowance != "template_only" {
				t.Errorf("after the provider's window error: %+v", s.Window)
			}
			// Our clock says the window is open; the provider's word wins.
			h.send(text("again"), func(out workflows.SendOutcome, rej error) {
				if refusal(out, rej) == "" {
					t.Errorf("free text accepted after the provider closed the window: %+v", out)
				}
			})
		})
	})
	if calls != 1 {
		t.Fatalf("the provider was called %d times; a window error must not be retried", calls)
	}
	msgs, _ := h.st.Messages(h.ctx, h.contact, 10)
	if len(msgs) != 1 || msgs[0].Status != followup.StatusUndeliverable || msgs[0].Reason == "" {
		t.Fatalf("the refused message must be recorded as undeliverable with its reason: %+v", msgs)
	}
	if n := h.notifications("delivery_failed"); len(n) != 1 || !strings.Contains(n[0].Text, "template only") {
		t.Fatalf("agent not told what may be sent now: %+v", n)
	}
}

type countingRefuser struct {
	calls *int
	err   error
}

func (c countingRefuser) Send(context.Context, channels.Outbound) (channels.Sent, error) {
	*c.calls++
	return channels.Sent{}, c.err
}

func TestRecipientGoneEndsTheFollowUp(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, followup.Telegram, -1, nil, func(channels.Sender) channels.Sender {
		return refusing{&followup.SendError{Class: followup.RecipientGone, Code: "403", Message: "Forbidden: bot was blocked by the user"}}
	})
	st := h.run(func() {
		h.send(text("hi"), func(out workflows.SendOutcome, rej error) {
			if out.Outcome != workflows.OutcomeUndeliverable || out.Reason != "RecipientGone" {
				t.Errorf("recipient gone: %+v %v", out, rej)
			}
		})
	})
	if st.Status != workflows.StatusDone || st.Result != "recipient gone" {
		t.Fatalf("state: %s %q", st.Status, st.Result)
	}
}

func TestAsyncWindowFailureClosesTheWindow(t *testing.T) {
	t.Parallel()
	h := newHarness(t, followup.WhatsApp, time.Hour, nil)
	h.at(time.Second, func() {
		h.send(text("hi"), func(out workflows.SendOutcome, rej error) {
			expect(t, out, rej, workflows.OutcomeSent, followup.ModeFreeText)
		})
	})
	// WhatsApp accepted it (200), then reported 131047 in a failed status.
	h.at(time.Minute, func() {
		h.env.SignalWorkflow(workflows.SignalDeliveryFailed, workflows.DeliveryFailure{Class: followup.WindowClosed, Code: "131047", Message: "Re-engagement message"})
	})
	h.at(2*time.Minute, func() {
		if s := h.state(); !s.ProviderClosed || s.Window.Allowance != "template_only" {
			t.Errorf("after the async failure: %+v", s.Window)
		}
		// It closed when the provider said so, not at the old window end.
		if s := h.state(); s.Window.ClosedSince.IsZero() || s.Window.ClosedSince.After(h.env.Now()) {
			t.Errorf("closed since %v, now is %v", s.Window.ClosedSince, h.env.Now())
		}
		h.send(text("again"), func(out workflows.SendOutcome, rej error) {
			if refusal(out, rej) == "" {
				t.Error("free text accepted after the provider closed the window")
			}
		})
	})
	h.run(func() {})
	if n := h.notifications("delivery_failed"); len(n) != 1 || !strings.Contains(n[0].Text, "131047") {
		t.Fatalf("agent not told: %+v", n)
	}
}

func TestRedeliveredReplyIsHandledOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, followup.Telegram, -1, nil)
	h.at(time.Second, func() {
		h.send(workflows.SendRequest{Text: "later", At: h.env.Now().Add(4 * time.Hour)}, func(workflows.SendOutcome, error) {})
	})
	h.at(time.Hour, func() {
		h.env.SignalWorkflow(workflows.SignalReply, workflows.Reply{At: h.env.Now(), Preview: "hi", Key: "Telegram:upd-1"})
	})
	h.at(time.Hour+time.Minute, func() {
		// The provider redelivers the same update after a new schedule.
		h.send(workflows.SendRequest{Text: "later again", At: h.env.Now().Add(time.Hour)}, func(workflows.SendOutcome, error) {
			h.env.SignalWorkflow(workflows.SignalReply, workflows.Reply{At: h.env.Now(), Preview: "hi", Key: "Telegram:upd-1"})
		})
	})
	h.run(func() {})
	if n := h.notifications("replied"); len(n) != 1 {
		t.Fatalf("replied notifications: %d, want 1", len(n))
	}
	if box := h.outbox(); len(box) != 1 || box[0].Body != "later again" {
		t.Fatalf("a redelivered reply cancelled the new schedule: %+v", box)
	}
}

// TestRunningFollowUpDecidesWithCurrentSettings: every input of the rules
// that can change outside a running follow-up is read afresh when a send
// is decided. For each setting: a first send decided with the old value,
// the setting changed, and a second send to the same running follow-up
// decided with the new one (before the fix, the validator refused it on
// the values loaded earlier).
func TestRunningFollowUpDecidesWithCurrentSettings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		setting, before, after string
		ch                     followup.Channel
		lastInbound            time.Duration
		req                    workflows.SendRequest
		first, second          followup.Mode // "" means refused
	}{
		{"viber_commercial_terms", "false", "true", followup.Viber, 30 * time.Hour, text("hi"), "", followup.ModeChatbot},
		{"viber_free_allowance", "0", "5", followup.Viber, 30 * time.Hour, text("hi"), "", followup.ModeChatbot},
		{"wechat_message_limit", "1", "3", followup.WeChat, time.Hour, text("hi"), followup.ModeFreeText, followup.ModeFreeText},
		{"message_tags_enabled", "false", "true", followup.Messenger, 8 * 24 * time.Hour, workflows.SendRequest{Text: "shipped", Tag: followup.TagPostPurchaseUpdate}, "", followup.ModeMessageTag},
		{"whatsapp_window", "24h", "48h", followup.WhatsApp, 30 * time.Hour, text("hi"), "", followup.ModeFreeText},
		{"messenger_window", "24h", "48h", followup.Messenger, 30 * time.Hour, text("hi"), followup.ModeHumanAgent, followup.ModeFreeText},
		{"instagram_window", "24h", "48h", followup.Instagram, 30 * time.Hour, text("hi"), followup.ModeHumanAgent, followup.ModeFreeText},
		{"human_agent_window", "7d", "10d", followup.Messenger, 8 * 24 * time.Hour, text("hi"), "", followup.ModeHumanAgent},
		{"viber_window", "24h", "48h", followup.Viber, 30 * time.Hour, text("hi"), followup.ModeChatbot, followup.ModeFreeText},
		{"wechat_window", "48h", "72h", followup.WeChat, 50 * time.Hour, text("hi"), "", followup.ModeFreeText},
	}
	for _, tc := range cases {
		t.Run(tc.setting, func(t *testing.T) {
			settings := map[string]string{tc.setting: tc.before}
			if tc.setting == "viber_commercial_terms" {
				settings["viber_free_allowance"] = "0" // past the allowance: only the terms allow it
			}
			h := newHarness(t, tc.ch, tc.lastInbound, settings)
			check := func(what string, want followup.Mode, out workflows.SendOutcome, rej error) {
				t.Helper()
				switch {
				case want == "" && refusal(out, rej) == "":
					t.Errorf("%s: %+v, want refused", what, out)
				case want != "" && (rej != nil || out.Outcome != workflows.OutcomeSent || out.Mode != want):
					t.Errorf("%s: %+v %v, want sent as %s", what, out, rej, want)
				}
			}
			h.run(func() {
				h.send(tc.req, func(out workflows.SendOutcome, rej error) {
					check(tc.setting+"="+tc.before, tc.first, out, rej)
					if err := h.st.SetSetting(h.ctx, tc.setting, tc.after); err != nil {
						t.Fatal(err)
					}
					h.send(tc.req, func(out workflows.SendOutcome, rej error) {
						check(tc.setting+"="+tc.after, tc.second, out, rej)
					})
				})
			})
		})
	}
}
