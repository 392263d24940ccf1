package activities

import (
	"context"
	"time"

	"github.com/followup-dev/followup"
)

// EscalateInput is a VIP follow-up that needs a person and that nobody
// acted on: what happened (Trigger, Detail) since when, and the text the
// supervisors read. Key makes a retry post and record once.
type EscalateInput struct {
	ContactID int64
	Channel   followup.Channel
	AgentID   int64
	Trigger   followup.EscalationTrigger
	Detail    string
	Since     time.Time
	Text      string
	Said      *followup.Phrase `json:",omitempty"`
	Key       string
}

// Say sets what the supervisors read: the phrase and its English.
func (in EscalateInput) Say(p followup.Phrase) EscalateInput {
	in.Text, in.Said = p.String(), &p
	return in
}

// EscalateResult says whether someone had acted after all (nothing was
// posted) or the escalation was posted.
type EscalateResult struct {
	// Acted: a message went to the customer on some channel since the
	// condition began (another channel, another follow-up, a template an
	// agent sent by hand): the condition has cleared.
	Acted  bool
	Posted bool
}

// Escalate posts a VIP follow-up to the supervisors' channel unless
// someone wrote to the customer since the condition began, on any
// channel, and records the escalation for the digest.
func (a *Activities) Escalate(ctx context.Context, in EscalateInput) (EscalateResult, error) {
	n, err := a.store.OutboundToContactSince(ctx, in.ContactID, in.Since)
	if err != nil {
		return EscalateResult{}, err
	}
	if n > 0 {
		return EscalateResult{Acted: true}, nil
	}
	var agent *int64
	if in.AgentID != 0 {
		agent = &in.AgentID
	}
	if _, err := a.store.AddEscalation(ctx, followup.Escalation{Key: in.Key, ContactID: in.ContactID, Channel: in.Channel, AgentID: agent,
		Trigger: in.Trigger, Detail: in.Detail, Since: in.Since, PostedAt: a.now()}); err != nil {
		return EscalateResult{}, err
	}
	contact, key := in.ContactID, in.Key
	// No agent: the notifier posts it to the supervisors' channel.
	err = a.notifier.Notify(ctx, followup.Notification{ContactID: &contact, Channel: in.Channel, Kind: followup.NotifyEscalated,
		Text: in.Text, Say: in.Said, IdempotencyKey: &key})
	return EscalateResult{Posted: true}, err
}

// ClearEscalationsInput names a follow-up whose escalations cleared, and how.
type ClearEscalationsInput struct {
	ContactID int64
	Channel   followup.Channel
	How       string
}

// ClearEscalationsResult counts the escalations that were open.
type ClearEscalationsResult struct {
	Cleared int
}

// ClearEscalations marks a follow-up's open escalations cleared.
func (a *Activities) ClearEscalations(ctx context.Context, in ClearEscalationsInput) (ClearEscalationsResult, error) {
	n, err := a.store.ClearEscalations(ctx, in.ContactID, in.Channel, in.How, a.now())
	return ClearEscalationsResult{Cleared: n}, err
}

// AssignInput gives a contact's conversation to an agent.
type AssignInput struct {
	ContactID int64
	AgentID   int64
}

// AssignResult is the conversation assigned (0: the contact has none yet;
// the follow-up's next send opens one assigned to the agent).
type AssignResult struct {
	ConversationID int64
}

// Assign makes the agent the assignee of the contact's conversation (the
// open one, else the latest): taking a follow-up over.
func (a *Activities) Assign(ctx context.Context, in AssignInput) (AssignResult, error) {
	conv, err := a.store.AssignConversation(ctx, in.ContactID, in.AgentID, a.now())
	if followup.ErrorCodeOf(err) == followup.EConflict {
		return AssignResult{}, nil
	}
	if err != nil {
		return AssignResult{}, nonRetryable(err)
	}
	return AssignResult{ConversationID: conv.ID}, nil
}
