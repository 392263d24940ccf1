package bot_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/bot"
	"github.com/followup-dev/followup/store"
)

// escalationPost waits for the escalation of a VIP follow-up in the
// supervisors' channel and returns its blocks as a message.
func (e *env) escalationPost(n int) map[string]any {
	e.t.Helper()
	var posts []recorded
	eventually(e.t, "the escalation in the supervisors' channel", func() bool {
		posts = nil
		for _, c := range e.slack.Calls("chat.postMessage") {
			if c.Form.Get("channel") == "C0SUPERVISORS" && strings.HasPrefix(c.Form.Get("text"), "🚨") {
				posts = append(posts, c)
			}
		}
		return len(posts) >= n
	})
	var blocks []json.RawMessage
	if err := json.Unmarshal([]byte(posts[n-1].Form.Get("blocks")), &blocks); err != nil {
		e.t.Fatalf("blocks: %v", err)
	}
	return map[string]any{"text": posts[n-1].Form.Get("text"), "blocks": blocks}
}

// TestEscalationButtons: a VIP follow-up whose refusal nobody follows up
// is posted to the supervisors' channel with Take over, Snooze and Status;
// an agent may not press them, a supervisor's Snooze puts it off and
// brings it back, and Take over makes the supervisor its agent and the
// conversation's assignee.
func TestEscalationButtons(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if err := e.st.SetSetting(e.ctx, "vip_escalate_after", "1s"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.DB().ExecContext(e.ctx, `UPDATE contacts SET vip = true WHERE id = $1`, e.carlos); err != nil {
		t.Fatal(err)
	}
	// His last conversation, closed and unassigned.
	if _, err := e.st.DB().ExecContext(e.ctx, `INSERT INTO conversations (contact_id, status, opened_at, closed_at)
		VALUES ($1, 'closed', now() - interval '2 days', now() - interval '1 day')`, e.carlos); err != nil {
		t.Fatal(err)
	}
	// Past WhatsApp's window: free text is refused.
	e.command(annID, `send carlos@example.com are you still interested?`)
	post := e.escalationPost(1)
	got := text(post)
	for _, want := range []string{"VIP follow-up with Carlos Ruiz on WhatsApp", "a send was refused", "<@U0ANN>", "Take over", "Snooze 1 h", "Snooze till tomorrow", "Status"} {
		if !strings.Contains(got, want) {
			t.Errorf("escalation post lacks %q: %s", want, got)
		}
	}
	take := buttonValue(t, post, bot.ActionPick)
	snooze := buttonValue(t, post, bot.ActionSnooze)

	// An agent is not a supervisor.
	e.interact(blockAction(annID, bot.ActionPick, take, e.slack.respond.URL+"/ann"))
	e.waitAnswer("the agent's refusal", "is for supervisors")

	// Snooze 1 h: nothing more within the hour.
	e.interact(blockAction(samID, bot.ActionSnooze, snooze, e.slack.respond.URL+"/snooze"))
	e.waitAnswer("the snooze", "Snoozed until")
	s, err := e.fc.State(e.ctx, e.carlos, followup.WhatsApp)
	if err != nil || s.Escalation == nil || s.Escalation.SnoozedBy != samID || s.Escalation.Due.IsZero() {
		t.Fatalf("snoozed state: %+v %v", s.Escalation, err)
	}

	e.interact(blockAction(samID, bot.ActionPick, take, e.slack.respond.URL+"/take"))
	e.waitAnswer("the take over", "You now have the follow-up with Carlos Ruiz on WhatsApp")
	eventually(t, "the follow-up to be Sam's", func() bool {
		s, err := e.fc.State(e.ctx, e.carlos, followup.WhatsApp)
		return err == nil && s.AgentSlack == samID && s.Escalation == nil
	})
	c, _ := e.st.Contact(e.ctx, e.carlos)
	if c.AssigneeID == nil || *c.AssigneeID != e.sam.ID {
		t.Fatalf("conversation assignee %v, want Sam", c.AssigneeID)
	}
	audit, err := e.st.Audit(e.ctx, store.AuditFilter{ContactID: e.carlos})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, a := range audit {
		actions = append(actions, string(a.Action)+" by "+a.Actor)
	}
	all := strings.Join(actions, ", ")
	for _, want := range []string{"followup_taken_over by " + samID, "escalation_snoozed by " + samID} {
		if !strings.Contains(all, want) {
			t.Errorf("audit log lacks %q: %s", want, all)
		}
	}
	// Ann hears that her follow-up changed hands.
	eventually(t, "Ann told", func() bool {
		for _, c := range e.slack.Calls("chat.postMessage") {
			if c.Form.Get("channel") == annID && strings.Contains(c.Form.Get("text"), "<@"+samID+"> took over your follow-up with Carlos Ruiz") {
				return true
			}
		}
		return false
	})
	_, _ = e.fc.Cancel(e.ctx, e.carlos, followup.WhatsApp)
}

// TestTakeOverAndSnoozeCommands: the slash commands do what the buttons do.
func TestTakeOverAndSnoozeCommands(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.command(annID, `send jane.doe@example.com hello`)
	eventually(t, "the follow-up", func() bool {
		s, err := e.fc.State(e.ctx, e.jane, followup.WhatsApp)
		return err == nil && len(s.Attempts) == 1
	})
	e.command(samID, `snooze jane.doe@example.com 4h`)
	e.waitAnswer("snooze with nothing escalated", "Nothing to snooze")
	e.command(samID, `takeover jane.doe@example.com --via whatsapp`)
	e.waitAnswer("takeover", "You now have the follow-up with Jane Doe on WhatsApp (from <@U0ANN>)")
	if s, err := e.fc.State(e.ctx, e.jane, followup.WhatsApp); err != nil || s.AgentSlack != samID {
		t.Fatalf("state: %s %v", s.AgentSlack, err)
	}
	_, a := e.command(annID, `takeover jane.doe@example.com`)
	if !strings.Contains(text(a)+text(e.slack.Answers()), "is for supervisors") {
		e.waitAnswer("agent refused", "is for supervisors")
	}
	_, a = e.command(samID, `snooze jane.doe@example.com`)
	if !strings.Contains(text(a), "Say until when") {
		t.Fatalf("snooze without a time: %s", text(a))
	}
	_, _ = e.fc.Cancel(e.ctx, e.jane, followup.WhatsApp)
}

// waitAnswer waits for an answer (inline or through response_url) that
// says want.
func (e *env) waitAnswer(what, want string) string {
	e.t.Helper()
	var got string
	eventually(e.t, what, func() bool {
		for _, m := range e.slack.Answers() {
			if strings.Contains(text(m), want) {
				got = text(m)
				return true
			}
		}
		return false
	})
	return got
}
