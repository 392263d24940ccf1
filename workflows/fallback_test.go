package workflows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/sandbox"
	"github.com/followup-dev/followup/workflows"
)

func (h *harness) template(name string, params int) {
	h.t.Helper()
	if _, err := h.st.SaveTemplate(h.ctx, followup.Template{Channel: followup.WhatsApp, Name: name, ParamCount: params}); err != nil {
		h.t.Fatal(err)
	}
}

// later schedules req d after the simulated now and checks it was scheduled.
func (h *harness) later(d time.Duration, req workflows.SendRequest) {
	h.t.Helper()
	req.At = h.env.Now().Add(d)
	h.send(req, func(out workflows.SendOutcome, rej error) {
		if rej != nil || out.Outcome != workflows.OutcomeScheduled {
			h.t.Errorf("schedule %+v: %+v %v", req, out, rej)
		}
	})
}

func orderUpdate(params ...string) *workflows.Fallback {
	return &workflows.Fallback{Template: &workflows.TemplateRequest{Name: "order_update", Params: params}}
}

// A WhatsApp follow-up scheduled past the window sends its fallback
// template when due, and says so; one due inside the window sends the
// text and leaves the fallback unused.
func TestScheduledWhatsAppSendsItsFallbackTemplateWhenTheWindowHasClosed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, followup.WhatsApp, time.Hour, nil)
	h.template("order_update", 2)
	h.run(func() {
		h.sendAll([]workflows.SendRequest{
			{Text: "Inside the window", At: h.env.Now().Add(2 * time.Hour), Else: orderUpdate("Jane", "A-1")},
			{Text: "Past the window", At: h.env.Now().Add(30 * time.Hour), Else: orderUpdate("Jane", "A-2")},
		}, func(i int, out workflows.SendOutcome, rej error) {
			if rej != nil || out.Outcome != workflows.OutcomeScheduled {
				t.Errorf("schedule %d: %+v %v", i, out, rej)
			}
		}, nil)
	})
	box := h.outbox()
	if len(box) != 2 {
		t.Fatalf("outbox: %+v", box)
	}
	// Newest first.
	if box[1].Mode != string(followup.ModeFreeText) || box[1].Body != "Inside the window" {
		t.Errorf("inside the window the text goes, not the fallback: %+v", box[1])
	}
	if box[0].Template != "order_update" || box[0].Body != "order_update(Jane, A-2)" {
		t.Errorf("past the window the fallback template goes: %+v", box[0])
	}
	sent := h.notifications("sent")
	if len(sent) != 2 || strings.Contains(sent[1].Text, "fallback") || !strings.Contains(sent[0].Text, "the approved template order_update instead of your text (the fallback; the window is closed") {
		t.Fatalf("the agent is told what went out and in which form: %+v", sent)
	}
	st := h.state()
	if n := len(st.Attempts); n != 2 || st.Attempts[0].Fallback || !st.Attempts[1].Fallback || !strings.Contains(st.Attempts[1].Describe(), "fallback") {
		t.Fatalf("attempts: %+v", st.Attempts)
	}
}

// Without a fallback of its own, a scheduled WhatsApp send falls back on
// the workspace's default re-engagement template; a send asked for now
// does not (the agent is there to choose).
func TestScheduledSendUsesTheDefaultReengagementTemplate(t *testing.T) {
	t.Parallel()
	h := newHarness(t, followup.WhatsApp, 25*time.Hour, nil)
	h.template("renewal", 0)
	h.template("order_update", 2)
	if err := h.st.SetSetting(h.ctx, "reengagement_template", "order_update"); err == nil || !strings.Contains(err.Error(), "parameter") {
		t.Fatalf("a default template with parameters must be refused: %v", err)
	}
	if err := h.st.SetSetting(h.ctx, "reengagement_template", "nosuch"); err == nil {
		t.Fatal("an unknown default template must be refused")
	}
	if err := h.st.SetSetting(h.ctx, "reengagement_template", "renewal"); err != nil {
		t.Fatal(err)
	}
	h.run(func() {
		h.send(text("now"), func(out workflows.SendOutcome, rej error) {
			if out.Outcome != workflows.OutcomeRefused || out.Reason != "window_closed_template_required" {
				t.Errorf("a send asked for now must not use the default template: %+v %v", out, rej)
			}
			h.later(time.Hour, text("Checking in"))
		})
	})
	box := h.outbox()
	if len(box) != 1 || box[0].Template != "renewal" {
		t.Fatalf("outbox: %+v", box)
	}
}

// A Messenger send scheduled past 7 days goes with its tag; one between
// 24 h and 7 d goes as the agent's own text with HUMAN_AGENT.
func TestScheduledMessengerPastSevenDaysSendsWithItsTag(t *testing.T) {
	t.Parallel()
	h := newHarness(t, followup.Messenger, time.Hour, nil)
	tag := &workflows.Fallback{Tag: followup.TagAccountUpdate}
	h.run(func() {
		h.sendAll([]workflows.SendRequest{
			{Text: "Two days on", At: h.env.Now().Add(48 * time.Hour), Else: tag},
			{Text: "Eight days on", At: h.env.Now().Add(8 * 24 * time.Hour), Else: tag},
		}, func(int, workflows.SendOutcome, error) {}, nil)
	})
	box := h.outbox()
	if len(box) != 2 || box[1].Tag != "HUMAN_AGENT" || box[0].Tag != "ACCOUNT_UPDATE" || box[0].Body != "Eight days on" {
		t.Fatalf("outbox: %+v", box)
	}
	if sent := h.notifications("sent"); len(sent) != 2 || !strings.Contains(sent[0].Text, "as your text with the ACCOUNT_UPDATE tag (the fallback;") {
		t.Fatalf("notifications: %+v", sent)
	}
}

// An Instagram send scheduled past 7 days sends nothing and says why,
// naming the contact's other channels.
func TestScheduledInstagramPastSevenDaysSendsNothingAndSaysWhy(t *testing.T) {
	t.Parallel()
	h := newHarness(t, followup.Instagram, time.Hour, nil)
	h.run(func() {
		h.later(8*24*time.Hour, workflows.SendRequest{Text: "Still there?", Else: &workflows.Fallback{Tag: followup.TagAccountUpdate}})
	})
	if box := h.outbox(); len(box) != 0 {
		t.Fatalf("outbox: %+v", box)
	}
	r := h.notifications("refused")
	if len(r) != 1 || !strings.Contains(r[0].Text, "Instagram") || !strings.Contains(r[0].Text, "Email") {
		t.Fatalf("the agent is told why and where else: %+v", r)
	}
}

// TestScheduledSendAtEachChannelsBoundary: a send due one minute before
// and one minute after each window's end is decided by the rules at its
// time.
func TestScheduledSendAtEachChannelsBoundary(t *testing.T) {
	t.Parallel()
	cases := []struct {
		ch       followup.Channel
		boundary time.Duration
		before   func(sandbox.Message) bool
		after    func([]sandbox.Message) bool
	}{
		{followup.WhatsApp, 24 * time.Hour,
			func(m sandbox.Message) bool { return m.Mode == string(followup.ModeFreeText) },
			func(b []sandbox.Message) bool { return len(b) == 1 && b[0].Template == "order_update" }},
		{followup.Messenger, 7 * 24 * time.Hour,
			func(m sandbox.Message) bool { return m.Tag == "HUMAN_AGENT" },
			func(b []sandbox.Message) bool { return len(b) == 1 && b[0].Tag == "ACCOUNT_UPDATE" }},
		{followup.Instagram, 7 * 24 * time.Hour,
			func(m sandbox.Message) bool { return m.Tag == "HUMAN_AGENT" },
			func(b []sandbox.Message) bool { return len(b) == 0 }},
		{followup.WeChat, 48 * time.Hour,
			func(m sandbox.Message) bool { return m.Mode == string(followup.ModeFreeText) },
			func(b []sandbox.Message) bool { return len(b) == 0 }},
	}
	for _, c := range cases {
		for _, side := range []time.Duration{-time.Minute, time.Minute} {
			name := string(c.ch) + map[bool]string{true: "/before", false: "/after"}[side < 0]
			t.Run(name, func(t *testing.T) {
				h := newHarness(t, c.ch, 0, nil)
				h.template("order_update", 2)
				else_ := &workflows.Fallback{Tag: followup.TagAccountUpdate}
				if c.ch == followup.WhatsApp {
					else_ = orderUpdate("Jane", "A-1")
				}
				h.run(func() {
					// The harness's callbacks run a second after the start,
					// which is when the customer last wrote (ago 0).
					h.later(c.boundary+side-time.Second, workflows.SendRequest{Text: "Checking in", Else: else_})
				})
				box := h.outbox()
				if side < 0 && (len(box) != 1 || !c.before(box[0])) {
					t.Fatalf("due 1 minute before the boundary: %+v", box)
				}
				if side > 0 && !c.after(box) {
					t.Fatalf("due 1 minute after the boundary: %+v", box)
				}
			})
		}
	}
}

// TestCadenceTouchAtMessengersDayBoundary: a touch is automated, so on
// Messenger one minute before 24 h it goes as free text and one minute
// after only with its tag (never HUMAN_AGENT).
func TestCadenceTouchAtMessengersDayBoundary(t *testing.T) {
	t.Parallel()
	for _, side := range []time.Duration{-time.Minute, time.Minute} {
		h := newHarness(t, followup.Messenger, 0, nil)
		h.run(func() {
			h.send(workflows.SendRequest{Cadence: &workflows.Cadence{Name: "day", Touches: []workflows.Touch{
				{After: 24*time.Hour + side - time.Second, Text: "Checking in", Else: &workflows.Fallback{Tag: followup.TagAccountUpdate}},
			}}}, func(out workflows.SendOutcome, rej error) {
				if rej != nil {
					t.Errorf("cadence: %v", rej)
				}
			})
		})
		box := h.outbox()
		if len(box) != 1 || (side < 0 && box[0].Mode != string(followup.ModeFreeText)) || (side > 0 && box[0].Tag != "ACCOUNT_UPDATE") {
			t.Fatalf("touch %v from 24 h: %+v", side, box)
		}
	}
}
