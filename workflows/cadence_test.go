package workflows_test

import (
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/workflows"
)

const day = 24 * time.Hour

func threeTouches() *workflows.Cadence {
	return &workflows.Cadence{Name: "renewal", Touches: []workflows.Touch{
		{After: 2 * time.Hour, Text: "Did the fix work?"},
		{After: 2 * day, Text: "Checking in again", Else: orderUpdate("Jane", "A-1")},
		{After: 5 * day, Template: &workflows.TemplateRequest{Name: "order_update", Params: []string{"Jane", "A-2"}}},
	}}
}

// A cadence runs to its end: each touch is decided by the rules at its
// time (free text inside the window, the fallback template after it).
func TestCadenceRunsToItsEnd(t *testing.T) {
	t.Parallel()
	h := newHarness(t, followup.WhatsApp, time.Hour, nil)
	h.template("order_update", 2)
	h.run(func() {
		h.send(workflows.SendRequest{Cadence: threeTouches()}, func(out workflows.SendOutcome, rej error) {
			if rej != nil || out.Outcome != workflows.OutcomeScheduled || !strings.Contains(out.Message, "Cadence renewal started: 3 touch") {
				t.Errorf("start: %+v %v", out, rej)
			}
			s := h.state()
			if len(s.Scheduled) != 3 || s.Cadence == nil || s.Cadence.Touches != 3 || s.Cadence.Reached != 0 || s.Status != workflows.StatusScheduled {
				t.Errorf("state after start: %+v", s)
			}
		})
		h.at(3*day, func() {
			if s := h.state(); s.Cadence.Reached != 2 || len(s.Scheduled) != 1 || s.Cadence.Ended != "" {
				t.Errorf("after 3 days: %+v", s.Cadence)
			}
		})
	})
	box := h.outbox()
	if len(box) != 3 || box[2].Mode != string(followup.ModeFreeText) || box[1].Template != "order_update" || box[0].Body != "order_update(Jane, A-2)" {
		t.Fatalf("outbox: %+v", box)
	}
	s := h.state()
	if s.Cadence.Ended != "finished" || s.Cadence.Reached != 3 || s.Attempts[2].Touch != 3 {
		t.Fatalf("cadence: %+v, attempts %+v", s.Cadence, s.Attempts)
	}
	sent := h.notifications("sent")
	if len(sent) != 3 || !strings.HasPrefix(sent[2].Text, "Cadence renewal, touch 1 of 3: Sent") || !strings.Contains(sent[0].Text, "last touch") {
		t.Fatalf("notifications: %+v", sent)
	}
}

// A customer's reply stops the rest of the cadence, and the agent is told.
func TestCadenceStopsAtTheCustomersReply(t *testing.T) {
	t.Parallel()
	h := newHarness(t, followup.Telegram, -1, nil)
	h.template("order_update", 2)
	h.run(func() {
		h.send(workflows.SendRequest{Cadence: threeTouches()}, func(workflows.SendOutcome, error) {})
		h.at(day, func() {
			h.env.SignalWorkflow(workflows.SignalReply, workflows.Reply{At: h.env.Now(), Preview: "all good now"})
		})
	})
	if box := h.outbox(); len(box) != 1 || box[0].Body != "Did the fix work?" {
		t.Fatalf("only the first touch may go out: %+v", box)
	}
	r := h.notifications("replied")
	if len(r) != 1 || !strings.Contains(r[0].Text, "The cadence renewal stopped after touch 1 of 3; the other 2 will not be sent") {
		t.Fatalf("reply notification: %+v", r)
	}
	if s := h.state(); s.Cadence.Ended != "stopped by the customer's reply" || len(s.Scheduled) != 0 {
		t.Fatalf("cadence: %+v", s.Cadence)
	}
}

// Touches are automated: past Messenger's 24 h they never go out with
// HUMAN_AGENT, only with the fallback tag.
func TestCadenceTouchIsNeverHumanAgent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, followup.Messenger, time.Hour, nil)
	h.run(func() {
		h.send(workflows.SendRequest{Cadence: &workflows.Cadence{Name: "nudge", Touches: []workflows.Touch{
			{After: 2 * day, Text: "no tag"},
			{After: 3 * day, Text: "with a tag", Else: &workflows.Fallback{Tag: followup.TagPostPurchaseUpdate}},
		}}}, func(workflows.SendOutcome, error) {})
	})
	box := h.outbox()
	if len(box) != 1 || box[0].Tag != "POST_PURCHASE_UPDATE" {
		t.Fatalf("outbox: %+v", box)
	}
	if r := h.notifications("refused"); len(r) != 1 || !strings.Contains(r[0].Text, "touch 1 of 2") {
		t.Fatalf("refusal: %+v", r)
	}
}

// A second cadence while one runs, touches out of order, and an empty
// touch are refused before they enter the history; cancel stops a cadence.
func TestCadenceValidationAndCancel(t *testing.T) {
	t.Parallel()
	h := newHarness(t, followup.Telegram, -1, nil)
	bad := []*workflows.Cadence{
		{Name: "x"},
		{Name: "x", Touches: []workflows.Touch{{After: 2 * day, Text: "a"}, {After: day, Text: "b"}}},
		{Name: "x", Touches: []workflows.Touch{{After: day}}},
		{Name: "x", Touches: []workflows.Touch{{After: 100 * day, Text: "a"}}},
	}
	h.run(func() {
		for _, c := range bad {
			h.send(workflows.SendRequest{Cadence: c}, func(out workflows.SendOutcome, rej error) {
				if rej == nil {
					t.Errorf("cadence %+v accepted: %+v", c, out)
				}
			})
		}
		h.send(workflows.SendRequest{Cadence: threeTouches()}, func(out workflows.SendOutcome, rej error) {
			if rej != nil {
				t.Errorf("start: %v", rej)
			}
			h.send(workflows.SendRequest{Cadence: threeTouches()}, func(out workflows.SendOutcome, rej error) {
				if rej == nil || !strings.Contains(rej.Error(), "is running") {
					t.Errorf("a second cadence: %+v %v", out, rej)
				}
			})
		})
		h.at(3*time.Hour, func() { h.cancel() })
	})
	if n := h.notifications("cancelled"); len(n) != 1 || !strings.Contains(n[0].Text, "cadence renewal stopped after touch 1 of 3") {
		t.Fatalf("cancel: %+v", n)
	}
}

func (h *harness) cancel() {
	h.env.UpdateWorkflow(workflows.UpdateCancel, "", &testsuite.TestUpdateCallback{
		OnAccept: func() {}, OnReject: func(err error) { h.t.Errorf("cancel rejected: %v", err) },
		OnComplete: func(v any, err error) {
			if err != nil {
				h.t.Errorf("cancel: %v", err)
			}
		},
	})
}
