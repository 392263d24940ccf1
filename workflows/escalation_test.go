package workflows_test

import (
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/i18n"
	"github.com/followup-dev/followup/store"
	"github.com/followup-dev/followup/workflows"
)

// vip makes the harness's contact a VIP.
func (h *harness) vip() *harness {
	h.t.Helper()
	if _, err := h.st.DB().ExecContext(h.ctx, `UPDATE contacts SET vip = true WHERE id = $1`, h.contact); err != nil {
		h.t.Fatal(err)
	}
	return h
}

// escalations are the escalation posts to the supervisors (no agent).
func (h *harness) escalations() []store.Notification {
	h.t.Helper()
	var out []store.Notification
	for _, n := range h.notifications("escalated") {
		if n.AgentID != nil {
			h.t.Errorf("an escalation addressed to agent %d, not to the supervisors", *n.AgentID)
		}
		out = append(out, n)
	}
	return out
}

// openEscalations are the escalations the digest would list.
func (h *harness) openEscalations() []followup.Escalation {
	h.t.Helper()
	es, err := h.st.OpenEscalations(h.ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	return es
}

// expectEscalations checks, at a simulated offset, how many escalation
// posts the supervisors have had.
func (h *harness) expectEscalations(at time.Duration, n int, contains string) {
	h.at(at, func() {
		h.t.Helper()
		es := h.escalations()
		if len(es) != n {
			h.t.Errorf("at %s: %d escalation post(s), want %d: %+v", at, len(es), n, es)
			return
		}
		if n == 0 {
			return
		}
		newest := es[0]
		for _, e := range es {
			if e.ID > newest.ID {
				newest = e
			}
		}
		if n > 0 && !strings.Contains(newest.Text, contains) {
			h.t.Errorf("at %s: escalation %q does not say %q", at, newest.Text, contains)
		}
	})
}

func (h *harness) takeOver(by followup.Agent, then func(workflows.TakeOverResult, error)) {
	h.env.UpdateWorkflow(workflows.UpdateTakeOver, "", &testsuite.TestUpdateCallback{
		OnAccept: func() {}, OnReject: func(err error) { then(workflows.TakeOverResult{}, err) },
		OnComplete: func(v any, err error) {
			r, _ := v.(workflows.TakeOverResult)
			then(r, err)
		},
	}, workflows.TakeOver{AgentID: by.ID, AgentSlack: by.SlackUserID})
}

func (h *harness) snooze(d time.Duration, then func(workflows.SnoozeResult, error)) {
	h.env.UpdateWorkflow(workflows.UpdateSnooze, "", &testsuite.TestUpdateCallback{
		OnAccept: func() {}, OnReject: func(err error) { then(workflows.SnoozeResult{}, err) },
		OnComplete: func(v any, err error) {
			r, _ := v.(workflows.SnoozeResult)
			then(r, err)
		},
	}, workflows.Snooze{Until: h.env.Now().Add(d), By: "U9"})
}

// A refusal nobody follows with a template, a tag or another channel is
// posted to the supervisors once vip_escalate_after has passed, not before.
func TestVIPEscalationAfterARefusal(t *testing.T) {
	t.Parallel()
	h := newHarness(t, followup.WhatsApp, 30*time.Hour, map[string]string{"vip_escalate_after": "30m"}).vip()
	h.at(time.Second, func() {
		h.send(text("hi"), func(out workflows.SendOutcome, rej error) {
			if refusal(out, rej) == "" {
				t.Errorf("free text after the window: %+v", out)
			}
		})
	})
	h.expectEscalations(30*time.Minute, 0, "")
	h.expectEscalations(31*time.Minute, 1, "a send was refused and nothing else was tried")
	h.at(32*time.Minute, func() {
		s := h.state()
		if s.Escalation == nil || s.Escalation.Posted != 1 || s.Escalated != 1 || s.Escalation.Trigger != followup.EscalateRefused {
			t.Errorf("state after the post: %+v (escalated %d)", s.Escalation, s.Escalated)
		}
		st := s.EscalationStatus()
		if en, ru := st.String(), i18n.New(i18n.Russian).Phrase(st, nil); !strings.HasPrefix(en, "Needs a person since ") ||
			!strings.Contains(en, "; escalated to the supervisors at ") || !strings.HasPrefix(ru, "Нужен человек с ") || !strings.Contains(ru, "передано супервайзерам") {
			t.Errorf("status: %q, in Russian %q", en, ru)
		}
		if es := h.openEscalations(); len(es) != 1 || es[0].ContactID != h.contact || es[0].Trigger != followup.EscalateRefused {
			t.Errorf("open escalations: %+v", es)
		}
	})
	// Nothing more is posted while it waits for a person.
	h.expectEscalations(4*time.Hour, 1, "")
	h.at(5*time.Hour, func() { h.cancel() })
	h.run(func() {})
	if es := h.openEscalations(); len(es) != 0 {
		t.Fatalf("the follow-up ended and its escalation stayed open: %+v", es)
	}
}

// A template sent after the refusal is what a person does: nothing is
// posted.
func TestVIPRefusalFollowedByATemplateIsNotEscalated(t *testing.T) {
	t.Parallel()
	h := newHarness(t, followup.WhatsApp, 30*time.Hour, map[string]string{"vip_escalate_after": "30m"}).vip()
	h.template("order_update", 0)
	h.at(time.Second, func() {
		h.send(text("hi"), func(workflows.SendOutcome, error) {})
	})
	h.at(10*time.Minute, func() {
		h.send(workflows.SendRequest{Template: &workflows.TemplateRequest{Name: "order_update"}}, func(out workflows.SendOutcome, rej error) {
			expect(t, out, rej, workflows.OutcomeSent, followup.ModeTemplate)
		})
	})
	h.expectEscalations(2*time.Hour, 0, "")
	h.at(3*time.Hour, func() { h.cancel() })
	h.run(func() {})
}

// A message on another channel since the refusal (another follow-up, an
// agent by hand) clears it too: the post checks before it goes.
func TestVIPRefusalFollowedByAnotherChannelIsNotEscalated(t *testing.T) {
	t.Parallel()
	h := newHarness(t, followup.WhatsApp, 30*time.Hour, map[string]string{"vip_escalate_after": "30m"}).vip()
	h.at(time.Second, func() {
		h.send(text("hi"), func(workflows.SendOutcome, error) {})
	})
	h.at(10*time.Minute, func() {
		// An email to the customer, written at the simulated time.
		if _, err := h.st.DB().ExecContext(h.ctx, `INSERT INTO messages (contact_id, direction, channel, mode, body, status, created_at)
			VALUES ($1, 'outbound', 'email', 'free_text', 'see email', 'sent', $2)`, h.contact, h.env.Now()); err != nil {
			t.Error(err)
		}
	})
	h.expectEscalations(2*time.Hour, 0, "")
	h.at(2*time.Hour, func() {
		if s := h.state(); s.Escalation != nil {
			t.Errorf("escalation still pending after another channel was used: %+v", s.Escalation)
		}
	})
	h.at(3*time.Hour, func() { h.cancel() })
	h.run(func() {})
}

// The window closes within the reminder lead and nothing is sent: the
// supervisors hear of it escalate-after past the reminder. A send in time
// clears it.
func TestVIPEscalationWhenTheWindowClosesUnused(t *testing.T) {
	t.Parallel()
	for _, sendInTime := range []bool{false, true} {
		h := newHarness(t, followup.WhatsApp, 2*time.Hour, map[string]string{"reminder_lead": "60m", "vip_escalate_after": "30m"}).vip()
		h.at(time.Second, func() {
			h.send(text("hi"), func(out workflows.SendOutcome, rej error) {
				expect(t, out, rej, workflows.OutcomeSent, followup.ModeFreeText)
			})
		})
		// The window closes 22 h after the start; the reminder is at 21 h.
		if sendInTime {
			h.at(21*time.Hour+10*time.Minute, func() {
				h.send(text("still there?"), func(out workflows.SendOutcome, rej error) {
					expect(t, out, rej, workflows.OutcomeSent, followup.ModeFreeText)
				})
			})
			h.expectEscalations(23*time.Hour, 0, "")
		} else {
			h.expectEscalations(21*time.Hour+29*time.Minute, 0, "")
			h.expectEscalations(21*time.Hour+31*time.Minute, 1, "the window is closing and nothing was sent")
		}
		h.at(24*time.Hour, func() { h.cancel() })
		h.run(func() {})
	}
}

// A delivery failure the provider reports later escalates; a failure that
// ends the follow-up (the customer blocked the bot) is posted at once,
// since nobody can act through it any more.
func TestVIPEscalationOnDeliveryFailure(t *testing.T) {
	t.Parallel()
	t.Run("late failure", func(t *testing.T) {
		h := newHarness(t, followup.WhatsApp, time.Hour, map[string]string{"vip_escalate_after": "45m"}).vip()
		h.at(time.Second, func() {
			h.send(text("hi"), func(out workflows.SendOutcome, rej error) {
				expect(t, out, rej, workflows.OutcomeSent, followup.ModeFreeText)
			})
		})
		h.at(time.Minute, func() {
			h.env.SignalWorkflow(workflows.SignalDeliveryFailed, workflows.DeliveryFailure{Class: followup.Permanent, Code: "131026", Message: "Message undeliverable"})
		})
		h.expectEscalations(45*time.Minute, 0, "")
		h.expectEscalations(47*time.Minute, 1, "131026")
		h.at(2*time.Hour, func() { h.cancel() })
		h.run(func() {})
	})
	t.Run("recipient gone", func(t *testing.T) {
		h := newHarnessWith(t, followup.Telegram, -1, map[string]string{"vip_escalate_after": "30m"}, func(channels.Sender) channels.Sender {
			return refusing{&followup.SendError{Class: followup.RecipientGone, Code: "403", Message: "Forbidden: bot was blocked by the user"}}
		}).vip()
		st := h.run(func() {
			h.send(text("hi"), func(workflows.SendOutcome, error) {})
		})
		if st.Result != "recipient gone" {
			t.Fatalf("result %q", st.Result)
		}
		if es := h.escalations(); len(es) != 1 || !strings.Contains(es[0].Text, "bot was blocked") {
			t.Fatalf("escalations: %+v", es)
		}
		if es := h.openEscalations(); len(es) != 0 {
			t.Fatalf("open after the end: %+v", es)
		}
	})
}

// The customer replies and no agent answers: escalated; an answer in time
// clears it.
func TestVIPEscalationOnAnUnansweredReply(t *testing.T) {
	t.Parallel()
	for _, answer := range []bool{false, true} {
		h := newHarness(t, followup.Telegram, -1, map[string]string{"vip_escalate_after": "30m"}).vip()
		h.at(time.Second, func() {
			h.send(text("how was it?"), func(out workflows.SendOutcome, rej error) {
				expect(t, out, rej, workflows.OutcomeSent, followup.ModeFreeText)
			})
		})
		h.at(time.Hour, func() {
			h.env.SignalWorkflow(workflows.SignalReply, workflows.Reply{At: h.env.Now(), Preview: "It broke again", Key: "tg:1"})
		})
		if answer {
			h.at(time.Hour+20*time.Minute, func() {
				h.send(text("sorry, calling you now"), func(out workflows.SendOutcome, rej error) {
					expect(t, out, rej, workflows.OutcomeSent, followup.ModeFreeText)
				})
			})
			h.expectEscalations(3*time.Hour, 0, "")
		} else {
			h.expectEscalations(time.Hour+29*time.Minute, 0, "")
			h.expectEscalations(time.Hour+31*time.Minute, 1, "It broke again")
		}
		h.at(4*time.Hour, func() { h.cancel() })
		h.run(func() {})
	}
}

// Not a VIP, or escalation off: nothing is posted.
func TestNoEscalationForOthers(t *testing.T) {
	t.Parallel()
	for name, h := range map[string]*harness{
		"not a VIP":      newHarness(t, followup.WhatsApp, 30*time.Hour, map[string]string{"vip_escalate_after": "30m"}),
		"escalation off": newHarness(t, followup.WhatsApp, 30*time.Hour, map[string]string{"vip_escalate_after": "off"}).vip(),
	} {
		h.at(time.Second, func() { h.send(text("hi"), func(workflows.SendOutcome, error) {}) })
		h.at(3*time.Hour, func() { h.cancel() })
		h.run(func() {})
		if es := h.escalations(); len(es) != 0 {
			t.Errorf("%s: escalated: %+v", name, es)
		}
	}
}

// Snooze puts the post off; if the follow-up still needs a person then,
// it is posted again.
func TestVIPEscalationSnooze(t *testing.T) {
	t.Parallel()
	h := newHarness(t, followup.WhatsApp, 30*time.Hour, map[string]string{"vip_escalate_after": "30m"}).vip()
	h.at(time.Second, func() { h.send(text("hi"), func(workflows.SendOutcome, error) {}) })
	h.expectEscalations(31*time.Minute, 1, "")
	h.at(40*time.Minute, func() {
		h.snooze(time.Hour, func(r workflows.SnoozeResult, err error) {
			if err != nil || !r.Snoozed {
				t.Errorf("snooze: %+v %v", r, err)
			}
		})
	})
	h.expectEscalations(time.Hour+39*time.Minute, 1, "")
	h.expectEscalations(time.Hour+41*time.Minute, 2, "Still needs a person (snoozed by <@U9>)")
	h.at(2*time.Hour, func() {
		h.snooze(-time.Minute, func(_ workflows.SnoozeResult, err error) {
			if err == nil || !strings.Contains(err.Error(), "future") {
				t.Errorf("a snooze into the past: %v", err)
			}
		})
	})
	h.at(3*time.Hour, func() { h.cancel() })
	h.run(func() {})
}

// Take over: whoever pressed it becomes the follow-up's agent (its
// scheduled sends too) and the conversation's assignee; the escalation
// clears and the agent who had it is told.
func TestTakeOver(t *testing.T) {
	t.Parallel()
	h := newHarness(t, followup.Telegram, -1, map[string]string{"vip_escalate_after": "30m"}).vip()
	sup, _, err := h.st.SaveAgent(h.ctx, followup.Agent{SlackUserID: "U2", Name: "Sue", Role: followup.RoleSupervisor})
	if err != nil {
		t.Fatal(err)
	}
	h.at(time.Second, func() {
		h.send(text("how was it?"), func(workflows.SendOutcome, error) {})
	})
	h.at(time.Hour, func() {
		h.env.SignalWorkflow(workflows.SignalReply, workflows.Reply{At: h.env.Now(), Preview: "not good", Key: "tg:1"})
	})
	h.expectEscalations(time.Hour+31*time.Minute, 1, "not good")
	h.at(time.Hour+40*time.Minute, func() {
		h.send(workflows.SendRequest{Text: "checking in", At: h.env.Now().Add(time.Hour)}, func(workflows.SendOutcome, error) {})
	})
	h.at(time.Hour+50*time.Minute, func() {
		h.takeOver(sup, func(r workflows.TakeOverResult, err error) {
			if err != nil || r.PreviousAgentSlack != "U1" || r.ConversationID == 0 || !strings.Contains(r.Message, "assigned to you") {
				t.Errorf("take over: %+v %v", r, err)
			}
			s := h.state()
			if s.AgentID != sup.ID || s.AgentSlack != "U2" || s.Escalation != nil {
				t.Errorf("after take over: agent %d %s, escalation %+v", s.AgentID, s.AgentSlack, s.Escalation)
			}
			if c := h.contactRow(); c.AssigneeID == nil || *c.AssigneeID != sup.ID {
				t.Errorf("conversation assignee: %v", c.AssigneeID)
			}
			if es := h.openEscalations(); len(es) != 0 {
				t.Errorf("still open: %+v", es)
			}
		})
	})
	// The scheduled send goes out as the new agent's, and keeps them.
	h.at(3*time.Hour, func() {
		if s := h.state(); s.AgentSlack != "U2" {
			t.Errorf("the scheduled send gave the follow-up back to %s", s.AgentSlack)
		}
		if c := h.contactRow(); c.AssigneeID == nil || *c.AssigneeID != sup.ID {
			t.Errorf("assignee after the scheduled send: %v", c.AssigneeID)
		}
		h.cancel()
	})
	h.run(func() {})
	told := h.notifications("taken_over")
	if len(told) != 1 || told[0].AgentID == nil || *told[0].AgentID != h.agent.ID || !strings.Contains(told[0].Text, "<@U2> took over") {
		t.Fatalf("the previous agent was not told: %+v", told)
	}
	if es := h.escalations(); len(es) != 1 {
		t.Fatalf("posted again after the take over: %+v", es)
	}
}
