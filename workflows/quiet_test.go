package workflows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/workflows"
)

// nextLocal is the first time after t that the clock in loc reads hh:mm.
func nextLocal(t time.Time, loc *time.Location, hh, mm int) time.Time {
	l := t.In(loc)
	at := time.Date(l.Year(), l.Month(), l.Day(), hh, mm, 0, 0, loc)
	if !at.After(t) {
		at = time.Date(l.Year(), l.Month(), l.Day()+1, hh, mm, 0, 0, loc)
	}
	return at
}

// A scheduled send that falls in the contact's night (their phone's zone:
// San Francisco) waits for the end of the quiet hours, and the agent is
// told; it is not held twice.
func TestQuietHoursHoldAScheduledSendUntilMorning(t *testing.T) {
	t.Parallel()
	h := newHarness(t, followup.Telegram, -1, map[string]string{"quiet_hours": "21:00-08:00"})
	la, _ := time.LoadLocation("America/Los_Angeles")
	night := nextLocal(h.start.Add(time.Hour), la, 23, 30)
	morning := nextLocal(night, la, 8, 0)
	h.at(time.Second, func() {
		h.send(workflows.SendRequest{Text: "Your order is ready", At: night}, func(out workflows.SendOutcome, rej error) {
			if rej != nil || out.Outcome != workflows.OutcomeScheduled {
				t.Errorf("schedule: %+v %v", out, rej)
			}
		})
	})
	h.at(night.Sub(h.start)+time.Minute, func() {
		if box := h.outbox(); len(box) != 0 {
			t.Errorf("sent in the night: %+v", box)
		}
		n := h.notifications("scheduled")
		if len(n) != 1 || !strings.Contains(n[0].Text, "falls in their night (America/Los_Angeles, quiet hours 21:00-08:00)") {
			t.Errorf("agent not told: %+v", n)
		}
		s := h.state()
		if len(s.Scheduled) != 1 || !s.Scheduled[0].At.Equal(morning) || !s.Scheduled[0].Held {
			t.Errorf("held until %v, want %v: %+v", s.Scheduled, morning, s.Scheduled)
		}
	})
	h.at(morning.Sub(h.start)+time.Minute, func() {
		if box := h.outbox(); len(box) != 1 || box[0].Body != "Your order is ready" {
			t.Errorf("not sent in the morning: %+v", box)
		}
		h.cancel()
	})
	h.run(func() {})
}

// The window would close before the morning: the agent is asked.
func TestQuietHoursAskWhenTheWindowClosesFirst(t *testing.T) {
	t.Parallel()
	la, _ := time.LoadLocation("America/Los_Angeles")
	now := time.Now().UTC().Truncate(time.Second)
	night := nextLocal(now.Add(time.Hour), la, 22, 0)
	// The customer wrote so that the 24-hour window closes at 1:00 there.
	closes := nextLocal(night, la, 1, 0)
	h := newHarness(t, followup.WhatsApp, 24*time.Hour-closes.Sub(now), map[string]string{"quiet_hours": "21:00-08:00"})
	h.at(time.Second, func() {
		h.send(workflows.SendRequest{Text: "Checking in", At: night}, func(workflows.SendOutcome, error) {})
	})
	h.at(night.Sub(h.start)+time.Minute, func() {
		n := h.notifications("scheduled")
		if len(n) != 1 || !strings.Contains(n[0].Text, "But the window closes first") || !strings.Contains(n[0].Text, "template only") {
			t.Errorf("agent not asked: %+v", n)
		}
		h.cancel()
	})
	h.run(func() {})
	if box := h.outbox(); len(box) != 0 {
		t.Fatalf("sent: %+v", box)
	}
}

// Quiet hours off (the default) or no known zone: sent on time.
func TestNoQuietHoursSendsOnTime(t *testing.T) {
	t.Parallel()
	h := newHarness(t, followup.Telegram, -1, nil)
	la, _ := time.LoadLocation("America/Los_Angeles")
	night := nextLocal(h.start.Add(time.Hour), la, 23, 30)
	h.at(time.Second, func() {
		h.send(workflows.SendRequest{Text: "late", At: night}, func(workflows.SendOutcome, error) {})
	})
	h.at(night.Sub(h.start)+time.Minute, func() {
		if box := h.outbox(); len(box) != 1 {
			t.Errorf("not sent on time: %+v", box)
		}
		h.cancel()
	})
	h.run(func() {})
}
