package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/activities"
)

// versionEscalation: a VIP follow-up that needs a person is posted to the
// supervisors' channel when nobody acts in time.
const versionEscalation = "vip-escalation"

// escalationRetry is how soon an escalation that could not be posted (the
// database or Slack down past the activity's retries) is tried again.
const escalationRetry = 5 * time.Minute

// raise notes that a VIP follow-up needs a person, from now; it is posted
// when nobody acted within the workspace's vip_escalate_after. One already
// pending stays as it is: it calls for a person already.
func (f *followUp) raise(ctx workflow.Context, trigger followup.EscalationTrigger, detail followup.Phrase) {
	after := f.Settings.VIPEscalateAfter
	if !f.VIP || after <= 0 || f.Escalation != nil {
		return
	}
	if workflow.GetVersion(ctx, versionEscalation, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	now := workflow.Now(ctx)
	f.Escalation = &Escalation{Trigger: trigger, Detail: followup.Clip(detail.String(), 300), Since: now, Due: now.Add(after)}
	if !detail.IsZero() && len(f.Escalation.Detail) == len(detail.String()) {
		// Within the clip: a longer one (a provider's words) is said as
		// its clipped English.
		f.Escalation.Said = &detail
	}
}

// clearEscalation drops the pending escalation: its condition cleared.
// One already posted is marked cleared for the digest.
func (f *followUp) clearEscalation(ctx workflow.Context, how string) {
	e := f.Escalation
	if e == nil {
		return
	}
	f.Escalation = nil
	if e.Posted > 0 {
		// The database being down must not hold the follow-up: an
		// escalation left open shows in the digest until the next clear.
		_, _ = runLocal(ctx, notifyOptions, acts.ClearEscalations, activities.ClearEscalationsInput{ContactID: f.ContactID, Channel: f.Channel, How: how})
	}
}

// escalate posts the pending escalation when it is due, unless someone
// wrote to the customer since it began (on any channel).
func (f *followUp) escalate(ctx workflow.Context, now time.Time) {
	e := f.Escalation
	if e == nil || e.Due.IsZero() || now.Before(e.Due) {
		return
	}
	e.Due = time.Time{}
	n := f.Escalated + 1
	res, err := runLocal(ctx, localOptions, acts.Escalate, activities.EscalateInput{
		ContactID: f.ContactID, Channel: f.Channel, AgentID: f.AgentID, Trigger: e.Trigger, Detail: e.Detail, Since: e.Since,
		Key: fmt.Sprintf("%s/e%d", f.key, n),
	}.Say(f.escalationText(e, now)))
	switch {
	case err != nil:
		e.Due = now.Add(escalationRetry)
	case res.Acted:
		f.Escalation = nil
	default:
		e.Posted++
		e.PostedAt = now
		f.Escalated = n
	}
}

// escalationText is what the supervisors read.
func (f *followUp) escalationText(e *Escalation, now time.Time) followup.Phrase {
	msg := say("VIP follow-up with %s on %s: %s, and nobody acted for %s (since %s).",
		f.name(), f.title(), followup.Term(e.Trigger.Words()), now.Sub(e.Since).Round(time.Minute), e.Since)
	switch {
	case e.Posted > 0 && e.SnoozedBy != "":
		msg = say("Still needs a person (snoozed by <@%s>): %s", e.SnoozedBy, msg)
	case e.Posted > 0:
		msg = say("Still needs a person: %s", msg)
	}
	switch {
	case e.Said != nil:
		msg = msg.Then(*e.Said)
	case e.Detail != "":
		msg = msg.Then(say("%s", e.Detail))
	}
	if f.AgentSlack != "" {
		msg = msg.Then(say("Agent: <@%s>.", f.AgentSlack))
	}
	return msg
}

// endEscalation settles the escalation of a follow-up that has ended. One
// that ended by itself (the customer unreachable, nothing more allowed)
// can no longer wait for a person to act through it: its escalation is
// posted at once. Then none stays open.
func (f *followUp) endEscalation(ctx workflow.Context) {
	e := f.Escalation
	if e == nil {
		return
	}
	now := workflow.Now(ctx)
	if f.Status == StatusDone && e.Posted == 0 {
		e.Due = now
		f.escalate(ctx, now)
	}
	f.clearEscalation(ctx, "the follow-up ended: "+f.Result)
}

func (f *followUp) validateSnooze(ctx workflow.Context, s Snooze) error {
	if err := f.validateOpen(ctx); err != nil {
		return err
	}
	now := workflow.Now(ctx)
	switch {
	case !s.Until.After(now):
		return refused(say("snooze until a time in the future"))
	case s.Until.After(now.Add(MaxScheduleAhead)):
		return refused(say("an escalation can be snoozed at most %d days", int(MaxScheduleAhead.Hours()/24)))
	}
	return nil
}

// handleSnooze puts off the escalation: if the follow-up still needs a
// person at Until, it is posted again.
func (f *followUp) handleSnooze(ctx workflow.Context, s Snooze) (SnoozeResult, error) {
	defer f.wake()
	e := f.Escalation
	if e == nil {
		return SnoozeResult{}.tell(say("Nothing to snooze: the follow-up with %s on %s no longer needs a person.", f.name(), f.title())), nil
	}
	e.Due, e.SnoozedUntil, e.SnoozedBy = s.Until, s.Until, s.By
	return SnoozeResult{Snoozed: true}.tell(say("Snoozed until %s: if the follow-up with %s on %s still needs a person then, it is posted again.",
		s.Until, f.name(), f.title())), nil
}

func (f *followUp) validateTakeOver(ctx workflow.Context, t TakeOver) error {
	if err := f.validateOpen(ctx); err != nil {
		return err
	}
	if t.AgentID == 0 {
		return refused(say("taking over needs the agent who takes it"))
	}
	return nil
}

// handleTakeOver gives the follow-up to the agent who asked: they become
// its agent (its scheduled sends too) and the conversation's assignee,
// and its escalation clears. The agent who had it is told.
func (f *followUp) handleTakeOver(ctx workflow.Context, t TakeOver) (TakeOverResult, error) {
	defer f.wake()
	// Under the send lock: a send in flight finishes (and reopens for its
	// agent) first.
	if err := f.mu.Lock(ctx); err != nil {
		return TakeOverResult{}, err
	}
	defer f.mu.Unlock()
	if f.finished {
		return TakeOverResult{}, fmt.Errorf("this follow-up has ended (%s)", f.Result)
	}
	res, err := runLocal(ctx, localOptions, acts.Assign, activities.AssignInput{ContactID: f.ContactID, AgentID: t.AgentID})
	if err != nil {
		return TakeOverResult{}, fmt.Errorf("assign the conversation: %s", errorText(err))
	}
	out := TakeOverResult{PreviousAgentID: f.AgentID, PreviousAgentSlack: f.AgentSlack, ConversationID: res.ConversationID}
	for i := range f.Scheduled {
		f.Scheduled[i].Request.AgentID, f.Scheduled[i].Request.AgentSlack = t.AgentID, t.AgentSlack
	}
	f.clearEscalation(ctx, "taken over by "+t.AgentSlack)
	if out.PreviousAgentID != 0 && out.PreviousAgentID != t.AgentID {
		f.notify(ctx, followup.NotifyTakenOver, say("<@%s> took over your follow-up with %s on %s.", t.AgentSlack, f.name(), f.title()))
	}
	f.AgentID, f.AgentSlack = t.AgentID, t.AgentSlack
	f.LastEventAt = workflow.Now(ctx)
	f.upsertAttrs(ctx)
	from := out.PreviousAgentSlack != "" && out.PreviousAgentSlack != t.AgentSlack
	switch {
	case from && res.ConversationID != 0:
		return out.tell(say("You now have the follow-up with %s on %s (from <@%s>), and the conversation is assigned to you.", f.name(), f.title(), out.PreviousAgentSlack)), nil
	case from:
		return out.tell(say("You now have the follow-up with %s on %s (from <@%s>); the conversation is assigned to you when a message opens it.", f.name(), f.title(), out.PreviousAgentSlack)), nil
	case res.ConversationID != 0:
		return out.tell(say("You now have the follow-up with %s on %s, and the conversation is assigned to you.", f.name(), f.title())), nil
	}
	return out.tell(say("You now have the follow-up with %s on %s; the conversation is assigned to you when a message opens it.", f.name(), f.title())), nil
}

// replyDetail is what the customer wrote, as the escalation quotes it.
func replyDetail(preview string) followup.Phrase {
	p := strings.TrimSpace(preview)
	if p == "" {
		return followup.Phrase{}
	}
	return say("They wrote: “%s”", followup.Clip(p, 140))
}

// EscalationStatus says what the VIP follow-up needs a person for and
// where its escalation is: waiting to be posted, posted (and when), or
// snoozed. Zero when it needs nobody.
func (s State) EscalationStatus() followup.Phrase {
	e := s.Escalation
	if e == nil {
		return followup.Phrase{}
	}
	why := followup.Term(e.Trigger.Words())
	switch {
	case e.Posted == 0:
		return say("Needs a person since %s: %s; posted to the supervisors at %s unless someone acts", e.Since, why, e.Due)
	case !e.Due.IsZero():
		return say("Needs a person since %s: %s; escalated, snoozed by %s until %s", e.Since, why, e.SnoozedBy, e.Due)
	}
	return say("Needs a person since %s: %s; escalated to the supervisors at %s", e.Since, why, e.PostedAt)
}
