package workflows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/workflows"
)

// TestLiveVIPEscalation runs an escalation on the real server, in
// seconds: a refusal nobody follows up is posted, snoozed and posted
// again, then taken over; the customer's reply raises another. With
// FOLLOWUP_RECORD_HISTORIES set its history becomes replay test data (the
// vip-escalation version).
func TestLiveVIPEscalation(t *testing.T) {
	t.Parallel()
	l := newLive(t, passThrough)
	ctx, cancel := context.WithTimeout(l.ctx, time.Minute)
	defer cancel()
	if err := l.st.SetSetting(ctx, "vip_escalate_after", "1s"); err != nil {
		t.Fatal(err)
	}
	sup, _, err := l.st.SaveAgent(ctx, followup.Agent{SlackUserID: "U2", Name: "Sue", Role: followup.RoleSupervisor})
	if err != nil {
		t.Fatal(err)
	}
	id := l.contact(followup.WhatsApp, 30*time.Hour)
	if _, err := l.st.DB().ExecContext(ctx, `UPDATE contacts SET vip = true WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	until := func(what string, ok func(workflows.State) bool) workflows.State {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			if s, err := l.fc.State(ctx, id, followup.WhatsApp); err == nil && ok(s) {
				return s
			}
			time.Sleep(50 * time.Millisecond)
		}
		s, err := l.fc.State(ctx, id, followup.WhatsApp)
		t.Fatalf("%s: %+v %v", what, s, err)
		return s
	}
	out, err := l.fc.Send(ctx, l.input(id, followup.WhatsApp), workflows.SendRequest{AgentID: l.agent.ID, AgentSlack: "U1", Text: "hi"}, "r1")
	if err != nil || out.Outcome != workflows.OutcomeRefused {
		t.Fatalf("send: %+v %v", out, err)
	}
	until("posted", func(s workflows.State) bool { return s.Escalated == 1 })
	sn, err := l.fc.Snooze(ctx, id, followup.WhatsApp, workflows.Snooze{Until: time.Now().Add(time.Second), By: "U2"}, "s1")
	if err != nil || !sn.Snoozed {
		t.Fatalf("snooze: %+v %v", sn, err)
	}
	until("posted again", func(s workflows.State) bool { return s.Escalated == 2 })
	to, err := l.fc.TakeOver(ctx, id, followup.WhatsApp, workflows.TakeOver{AgentID: sup.ID, AgentSlack: "U2"}, "t1")
	if err != nil || to.PreviousAgentSlack != "U1" {
		t.Fatalf("take over: %+v %v", to, err)
	}
	until("taken over", func(s workflows.State) bool { return s.AgentSlack == "U2" && s.Escalation == nil })
	if _, err := l.fc.Reply(ctx, id, followup.WhatsApp, workflows.Reply{At: time.Now(), Preview: "hello?", Key: "wa:1"}); err != nil {
		t.Fatal(err)
	}
	until("unanswered reply posted", func(s workflows.State) bool { return s.Escalated == 3 })
	if _, err := l.fc.Cancel(ctx, id, followup.WhatsApp); err != nil {
		t.Fatal(err)
	}
	notes, err := l.st.Notifications(ctx, id, 100)
	if err != nil {
		t.Fatal(err)
	}
	var posts []string
	for _, n := range notes {
		if n.Kind == followup.NotifyEscalated {
			posts = append(posts, n.Text)
		}
	}
	if len(posts) != 3 || !strings.Contains(strings.Join(posts, "\n"), "Still needs a person (snoozed by <@U2>)") {
		t.Fatalf("escalation posts: %q", posts)
	}
	if open, _ := l.st.OpenEscalations(ctx); len(open) != 0 {
		t.Fatalf("open after cancel: %+v", open)
	}
	if !hasVersionMarker(t, l, workflows.WorkflowID(id, followup.WhatsApp), "vip-escalation") {
		t.Fatal("no vip-escalation version marker in the history")
	}
	recordHistory(t, l.c, workflows.WorkflowID(id, followup.WhatsApp), "whatsapp_vip_escalation")
}
