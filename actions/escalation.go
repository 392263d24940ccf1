package actions

import (
	"context"
	"fmt"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/workflows"
)

// TakenOver is one follow-up that changed hands, or (Channel "") the
// conversation of a contact whose follow-ups had ended.
type TakenOver struct {
	Channel followup.Channel
	workflows.TakeOverResult
}

// TakeOver makes by.Agent the agent of the contact's running follow-ups
// (only via's when given) and the conversation's assignee; their
// escalations clear. With none running (a follow-up that ended, say, when
// the customer blocked the bot) the conversation is assigned directly and
// the contact's escalations clear. Each is recorded in the audit log.
func (s *Service) TakeOver(ctx context.Context, by Actor, c followup.Contact, via followup.Channel, requestID string) ([]TakenOver, error) {
	agent := by.Agent
	if agent.ID == 0 {
		return nil, followup.Errorf(followup.EInvalid, "taking over needs an agent: the one who takes it")
	}
	var out []TakenOver
	err := s.eachRunning(ctx, c, via, func(ch followup.Channel) error {
		r, err := s.fc.TakeOver(ctx, c.ID, ch, workflows.TakeOver{AgentID: agent.ID, AgentSlack: agent.SlackUserID}, channelRequest(requestID, ch))
		if err == nil {
			out = append(out, TakenOver{Channel: ch, TakeOverResult: r})
			s.record(ctx, by, followup.AuditEntry{Action: followup.AuditFollowupTakenOver, ContactID: c.ID, Channel: ch,
				Detail: map[string]string{"from": r.PreviousAgentSlack}, RequestID: channelRequest(requestID, ch)})
		}
		return err
	})
	if followup.ErrorCodeOf(err) != followup.ENotFound || len(out) > 0 {
		return out, err
	}
	now := s.now()
	conv, err := s.st.AssignConversation(ctx, c.ID, agent.ID, now)
	if err != nil {
		return nil, err
	}
	if _, err := s.st.ClearEscalations(ctx, c.ID, via, "taken over by "+agent.SlackUserID, now); err != nil {
		return nil, err
	}
	s.record(ctx, by, followup.AuditEntry{Action: followup.AuditFollowupTakenOver, ContactID: c.ID, Channel: via,
		Detail: map[string]string{"conversation": fmt.Sprint(conv.ID), "followup": "none running"}, RequestID: requestID})
	said := followup.Say("No follow-up with %s is running; the conversation is assigned to you.", c.FullName())
	return []TakenOver{{TakeOverResult: workflows.TakeOverResult{ConversationID: conv.ID, Message: said.String(), Say: &said}}}, nil
}

// Snoozed is one follow-up whose escalation was put off.
type Snoozed struct {
	Channel followup.Channel
	workflows.SnoozeResult
}

// Snooze puts off the escalations of the contact's running follow-ups
// (only via's when given) until until; one that still needs a person then
// is posted again. Recorded in the audit log.
func (s *Service) Snooze(ctx context.Context, by Actor, c followup.Contact, via followup.Channel, until time.Time, requestID string) ([]Snoozed, error) {
	var out []Snoozed
	err := s.eachRunning(ctx, c, via, func(ch followup.Channel) error {
		r, err := s.fc.Snooze(ctx, c.ID, ch, workflows.Snooze{Until: until, By: by.who()}, channelRequest(requestID, ch))
		if err == nil {
			out = append(out, Snoozed{Channel: ch, SnoozeResult: r})
			if r.Snoozed {
				s.record(ctx, by, followup.AuditEntry{Action: followup.AuditEscalationSnoozed, ContactID: c.ID, Channel: ch,
					Detail: map[string]string{"until": until.UTC().Format(time.RFC3339)}, RequestID: channelRequest(requestID, ch)})
			}
		}
		return err
	})
	return out, err
}
