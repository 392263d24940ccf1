package workflows_test

import (
	"context"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/workflows"
)

// firstTask lists the event types of a follow-up's first workflow task:
// from its start to the next WorkflowTaskScheduled.
func (l *live) firstTask(workflowID string) []enumspb.EventType {
	l.t.Helper()
	it := l.c.GetWorkflowHistory(l.ctx, workflowID, "", false, 0)
	var out []enumspb.EventType
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			l.t.Fatal(err)
		}
		if e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED && len(out) > 1 {
			break
		}
		out = append(out, e.GetEventType())
	}
	return out
}

func count(events []enumspb.EventType, t enumspb.EventType) int {
	n := 0
	for _, e := range events {
		if e == t {
			n++
		}
	}
	return n
}

// A follow-up started by its first send reads the contact once, through
// that send (load, reopen, send, notify: four markers), and starts its
// first timer once the send is done: no second load, no timer started
// and cancelled in the same task.
func TestLiveFirstSendLoadsOnce(t *testing.T) {
	t.Parallel()
	l := newLive(t, passThrough)
	id := l.contact(followup.WhatsApp, time.Hour)
	ctx, cancel := context.WithTimeout(l.ctx, 30*time.Second)
	defer cancel()
	out, err := l.fc.Send(ctx, l.input(id, followup.WhatsApp), workflows.SendRequest{AgentID: l.agent.ID, Text: "Your refund has landed."}, "first")
	if err != nil || out.Outcome != workflows.OutcomeSent {
		t.Fatalf("send: %+v %v", out, err)
	}
	wid := workflows.WorkflowID(id, followup.WhatsApp)
	first := l.firstTask(wid)
	if m, ts, tc := count(first, enumspb.EVENT_TYPE_MARKER_RECORDED), count(first, enumspb.EVENT_TYPE_TIMER_STARTED), count(first, enumspb.EVENT_TYPE_TIMER_CANCELED); m != 4 || ts != 1 || tc != 0 {
		t.Errorf("first task: %d markers, %d timers started, %d cancelled; want 4, 1, 0: %v", m, ts, tc, first)
	}
	s, err := l.fc.State(ctx, id, followup.WhatsApp)
	if err != nil || !s.Loaded || s.Window.OpenUntil.IsZero() || s.SentInWindow != 1 {
		t.Fatalf("state: %+v %v", s, err)
	}
	recordHistory(t, l.c, wid, "whatsapp_started_by_send")
	if _, err := l.fc.Cancel(ctx, id, followup.WhatsApp); err != nil {
		t.Fatal(err)
	}
}

// A first send the validator refuses still starts the follow-up, which
// then reads the contact itself; so does one that is only scheduled.
func TestLiveFirstSendRefusedOrScheduledStillLoads(t *testing.T) {
	t.Parallel()
	l := newLive(t, passThrough)
	ctx, cancel := context.WithTimeout(l.ctx, 30*time.Second)
	defer cancel()
	refused := l.contact(followup.WhatsApp, time.Hour)
	if _, err := l.fc.Send(ctx, l.input(refused, followup.WhatsApp), workflows.SendRequest{AgentID: l.agent.ID, Text: "x", Tag: "NOT_A_TAG"}, "bad"); followup.ErrorCodeOf(err) != followup.ERefused {
		t.Fatalf("invalid tag: %v", err)
	}
	later := l.contact(followup.WhatsApp, time.Hour)
	if out, err := l.fc.Send(ctx, l.input(later, followup.WhatsApp), workflows.SendRequest{AgentID: l.agent.ID, Text: "later", At: time.Now().Add(2 * time.Hour)}, "later"); err != nil || out.Outcome != workflows.OutcomeScheduled {
		t.Fatalf("scheduled: %+v %v", out, err)
	}
	for _, id := range []int64{refused, later} {
		var s workflows.State
		var err error
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if s, err = l.fc.State(ctx, id, followup.WhatsApp); err == nil && s.Loaded {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if !s.Loaded || s.Window.OpenUntil.IsZero() || s.Window.Allowance != "free_text" {
			t.Errorf("contact %d: the follow-up did not read its contact: %+v %v", id, s, err)
		}
		_, _ = l.fc.Cancel(ctx, id, followup.WhatsApp)
	}
}
