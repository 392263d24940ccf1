package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/sandbox"
	"github.com/followup-dev/followup/store"
	"github.com/followup-dev/followup/workflows"
)

// TestLiveFallbacksAndCadences runs scheduled fallbacks and cadences on
// the real server, in seconds; with FOLLOWUP_RECORD_HISTORIES set their
// histories become replay test data (the send-fallback and cadence
// versions).
func TestLiveFallbacksAndCadences(t *testing.T) {
	t.Parallel()
	l := newLive(t, passThrough)
	ctx, cancel := context.WithTimeout(l.ctx, time.Minute)
	defer cancel()
	if _, err := l.st.SaveTemplate(l.ctx, followup.Template{Channel: followup.WhatsApp, Name: "order_update", ParamCount: 1}); err != nil {
		t.Fatal(err)
	}
	contact := func(email string, ch followup.Channel, ago time.Duration) int64 {
		li := time.Now().Add(-ago)
		id, _, err := l.st.SaveContact(l.ctx, store.ContactInput{FirstName: "C", LastName: string(ch), Email: email, Channel: ch, ExternalID: "x-" + email, LastInboundAt: &li})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	send := func(id int64, ch followup.Channel, req workflows.SendRequest, rid string) workflows.SendOutcome {
		t.Helper()
		req.AgentID, req.AgentSlack = l.agent.ID, l.agent.SlackUserID
		out, err := l.fc.Send(ctx, l.input(id, ch), req, rid)
		if err != nil || out.Outcome != workflows.OutcomeScheduled {
			t.Fatalf("%s %s: %+v %v", ch, rid, out, err)
		}
		return out
	}
	until := func(what string, id int64, ch followup.Channel, ok func(workflows.State) bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			if s, err := l.fc.State(ctx, id, ch); err == nil && ok(s) {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		s, err := l.fc.State(ctx, id, ch)
		t.Fatalf("%s: %+v %v", what, s, err)
	}
	fb := &workflows.Fallback{Template: &workflows.TemplateRequest{Name: "order_update", Params: []string{"C"}}}

	// Past the window: the fallback template goes.
	used := contact("used@example.com", followup.WhatsApp, 30*time.Hour)
	send(used, followup.WhatsApp, workflows.SendRequest{Text: "Checking in", Else: fb, At: time.Now().Add(2 * time.Second)}, "f1")
	until("fallback used", used, followup.WhatsApp, func(s workflows.State) bool { return len(s.Attempts) == 1 })
	if s, _ := l.fc.State(ctx, used, followup.WhatsApp); !s.Attempts[0].Fallback || s.Attempts[0].Mode != followup.ModeTemplate {
		t.Fatalf("fallback used: %+v", s.Attempts)
	}
	l.fc.Cancel(ctx, used, followup.WhatsApp)
	recordHistory(t, l.c, workflows.WorkflowID(used, followup.WhatsApp), "whatsapp_fallback_used")

	// Inside the window: the text goes, the fallback is not needed.
	unused := contact("unused@example.com", followup.WhatsApp, time.Hour)
	send(unused, followup.WhatsApp, workflows.SendRequest{Text: "Checking in", Else: fb, At: time.Now().Add(2 * time.Second)}, "f2")
	until("fallback not needed", unused, followup.WhatsApp, func(s workflows.State) bool { return len(s.Attempts) == 1 })
	if s, _ := l.fc.State(ctx, unused, followup.WhatsApp); s.Attempts[0].Fallback || s.Attempts[0].Mode != followup.ModeFreeText {
		t.Fatalf("fallback not needed: %+v", s.Attempts)
	}
	l.fc.Cancel(ctx, unused, followup.WhatsApp)
	recordHistory(t, l.c, workflows.WorkflowID(unused, followup.WhatsApp), "whatsapp_fallback_not_needed")

	// A cadence that runs to its end.
	end := contact("end@example.com", followup.Telegram, time.Hour)
	send(end, followup.Telegram, workflows.SendRequest{Cadence: &workflows.Cadence{Name: "nudge", Touches: []workflows.Touch{
		{After: time.Second, Text: "one"}, {After: 2 * time.Second, Text: "two"}, {After: 3 * time.Second, Text: "three"},
	}}}, "c1")
	until("cadence to its end", end, followup.Telegram, func(s workflows.State) bool { return s.Cadence.Ended == "finished" && len(s.Attempts) == 3 })
	l.fc.Cancel(ctx, end, followup.Telegram)
	recordHistory(t, l.c, workflows.WorkflowID(end, followup.Telegram), "telegram_cadence_to_end")

	// A cadence that the customer's reply stops after its first touch.
	stop := contact("stop@example.com", followup.Telegram, time.Hour)
	send(stop, followup.Telegram, workflows.SendRequest{Cadence: &workflows.Cadence{Name: "nudge", Touches: []workflows.Touch{
		{After: time.Second, Text: "one"}, {After: 30 * time.Second, Text: "two"}, {After: 40 * time.Second, Text: "three"},
	}}}, "c2")
	until("first touch", stop, followup.Telegram, func(s workflows.State) bool { return len(s.Attempts) == 1 })
	if _, err := l.fc.Reply(ctx, stop, followup.Telegram, workflows.Reply{At: time.Now(), Preview: "got it", Key: "r1"}); err != nil {
		t.Fatal(err)
	}
	until("stopped by the reply", stop, followup.Telegram, func(s workflows.State) bool {
		return s.Cadence.Ended == "stopped by the customer's reply" && len(s.Scheduled) == 0
	})
	l.fc.Cancel(ctx, stop, followup.Telegram)
	recordHistory(t, l.c, workflows.WorkflowID(stop, followup.Telegram), "telegram_cadence_stopped_by_reply")

	box, _ := sandbox.New(l.st.DB()).Outbox(ctx, 20)
	if len(box) != 6 {
		t.Fatalf("outbox: %d messages, want 6: %+v", len(box), box)
	}
}
