package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/workflows"
)

// TestLiveQuietHours holds a scheduled send in the contact's quiet hours
// on the real server; with FOLLOWUP_RECORD_HISTORIES set its history
// becomes replay test data (the quiet-hours version).
func TestLiveQuietHours(t *testing.T) {
	t.Parallel()
	l := newLive(t, passThrough)
	ctx, cancel := context.WithTimeout(l.ctx, time.Minute)
	defer cancel()
	// Quiet hours around now in the contact's zone (their phone's: +1 415).
	la, _ := time.LoadLocation("America/Los_Angeles")
	now := time.Now().In(la)
	span := now.Add(-2*time.Hour).Format("15:04") + "-" + now.Add(2*time.Hour).Format("15:04")
	if err := l.st.SetSetting(ctx, "quiet_hours", span); err != nil {
		t.Fatal(err)
	}
	id := l.contact(followup.Telegram, time.Hour)
	out, err := l.fc.Send(ctx, l.input(id, followup.Telegram), workflows.SendRequest{AgentID: l.agent.ID, AgentSlack: "U1", Text: "tomorrow's plan", At: time.Now().Add(time.Second)}, "q1")
	if err != nil || out.Outcome != workflows.OutcomeScheduled {
		t.Fatalf("schedule: %+v %v", out, err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		s, err := l.fc.State(ctx, id, followup.Telegram)
		if err == nil && len(s.Scheduled) == 1 && s.Scheduled[0].Held {
			if s.Scheduled[0].At.Before(time.Now().Add(time.Hour)) {
				t.Fatalf("held until %v, want the end of the quiet hours (%s)", s.Scheduled[0].At, span)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not held: %+v %v", s.Scheduled, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := l.fc.Cancel(ctx, id, followup.Telegram); err != nil {
		t.Fatal(err)
	}
	if !hasVersionMarker(t, l, workflows.WorkflowID(id, followup.Telegram), "quiet-hours") {
		t.Fatal("no quiet-hours version marker in the history")
	}
	recordHistory(t, l.c, workflows.WorkflowID(id, followup.Telegram), "telegram_quiet_hours_hold")
}
