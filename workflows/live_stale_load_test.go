package workflows_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/activities"
	"github.com/followup-dev/followup/channels"
	"github.com/followup-dev/followup/sandbox"
	"github.com/followup-dev/followup/workflows"
)

// TestLiveFirstSendIsCountedOnce: a follow-up started by its first send
// (update-with-start) loads its state while the send runs; when the send
// overtakes that load, the send is still counted once (it was counted
// twice: status said 2 after one message, and WeChat's limit came one
// early). With FOLLOWUP_RECORD_HISTORIES set, a history in which the send
// overtook the load is recorded (the stale-load-counts version).
func TestLiveFirstSendIsCountedOnce(t *testing.T) {
	t.Parallel()
	l := newLive(t, passThrough)
	ctx, cancel := context.WithTimeout(l.ctx, time.Minute)
	defer cancel()
	// A worker of its own whose first-run load (no sending key) is slow,
	// as a loaded database makes it, so that the send overtakes it.
	queue := l.taskQueue + "-slow-load"
	acts := activities.New(l.st, map[followup.Channel]channels.Sender{followup.WhatsApp: sandbox.New(l.st.DB())}, activities.NewRecorder(l.st))
	w := sdkworker.New(l.c, queue, sdkworker.Options{WorkerStopTimeout: time.Second})
	w.RegisterWorkflowWithOptions(workflows.FollowUp, workflows.RegisterOptions())
	w.RegisterActivity(acts)
	w.RegisterActivityWithOptions(func(ctx context.Context, in activities.LoadInput) (activities.LoadResult, error) {
		if in.SendingKey == "" {
			time.Sleep(500 * time.Millisecond)
		}
		return acts.Load(ctx, in)
	}, activity.RegisterOptions{Name: activities.NameLoad, DisableAlreadyRegisteredCheck: true})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	fc := workflows.NewClient(l.c, queue)
	overtaken, recorded := 0, false
	for range 3 {
		id := l.contact(followup.WhatsApp, time.Hour)
		in := l.input(id, followup.WhatsApp)
		out, err := fc.Send(ctx, in, workflows.SendRequest{AgentID: l.agent.ID, Text: "hello"}, fmt.Sprintf("first-%d", id))
		if err != nil || out.Outcome != workflows.OutcomeSent {
			t.Fatalf("send: %+v %v", out, err)
		}
		var s workflows.State
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			// The first run's load may complete after the send answered.
			if s, err = fc.State(ctx, id, followup.WhatsApp); err == nil && s.Loaded && len(s.Attempts) == 1 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(700 * time.Millisecond) // the slow load has completed
		if s, err = fc.State(ctx, id, followup.WhatsApp); err != nil {
			t.Fatal(err)
		}
		if s.SentInWindow != 1 {
			t.Fatalf("follow-up %d: one message sent, %d counted", id, s.SentInWindow)
		}
		wid := workflows.WorkflowID(id, followup.WhatsApp)
		if hasVersionMarker(t, l, wid, "stale-load-counts") {
			overtaken++
			if !recorded {
				fc.Cancel(ctx, id, followup.WhatsApp)
				recordHistory(t, l.c, wid, "whatsapp_first_send_overtakes_load")
				recorded = true
			}
		}
	}
	if overtaken == 0 {
		t.Fatal("the send never overtook the slow first load: the test no longer tests the race")
	}
}

// hasVersionMarker says whether the workflow's history has a version
// marker for changeID.
func hasVersionMarker(t *testing.T, l *live, workflowID, changeID string) bool {
	t.Helper()
	it := l.c.GetWorkflowHistory(l.ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		a := e.GetMarkerRecordedEventAttributes()
		if a == nil || a.GetMarkerName() != "Version" {
			continue
		}
		var id string
		if p := a.GetDetails()["change-id"]; p != nil && len(p.GetPayloads()) > 0 {
			_ = converter.GetDefaultDataConverter().FromPayload(p.GetPayloads()[0], &id)
		}
		if id == changeID {
			return true
		}
	}
	return false
}
