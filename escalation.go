package followup

import "time"

// EscalationTrigger is why a VIP follow-up needs a person.
type EscalationTrigger string

// The conditions that escalate a VIP follow-up when nobody acts on them
// within the workspace's vip_escalate_after.
const (
	// EscalateRefused: a send was refused, and no template, tag or other
	// channel followed.
	EscalateRefused EscalationTrigger = "refused"
	// EscalateWindowClosing: the window closes within the reminder lead
	// and nothing was sent.
	EscalateWindowClosing EscalationTrigger = "window_closing"
	// EscalateDeliveryFailed: the provider did not deliver a message.
	EscalateDeliveryFailed EscalationTrigger = "delivery_failed"
	// EscalateUnanswered: the customer replied and no agent answered.
	EscalateUnanswered EscalationTrigger = "unanswered_reply"
)

// Words says the trigger as a supervisor reads it.
func (t EscalationTrigger) Words() string {
	switch t {
	case EscalateRefused:
		return "a send was refused and nothing else was tried"
	case EscalateWindowClosing:
		return "the window is closing and nothing was sent"
	case EscalateDeliveryFailed:
		return "a message was not delivered"
	case EscalateUnanswered:
		return "the customer replied and nobody answered"
	}
	return string(t)
}

// Escalation is one time a VIP follow-up was posted to the supervisors'
// channel, open until its condition cleared, someone took the follow-up
// over, or the follow-up ended.
type Escalation struct {
	ID         int64             `db:"id" json:"id"`
	Key        string            `db:"key" json:"-"`
	ContactID  int64             `db:"contact_id" json:"contact_id"`
	Channel    Channel           `db:"channel" json:"channel"`
	AgentID    *int64            `db:"agent_id" json:"agent_id"`
	Trigger    EscalationTrigger `db:"trigger" json:"trigger"`
	Detail     string            `db:"detail" json:"detail"`
	Since      time.Time         `db:"since" json:"since"`
	PostedAt   time.Time         `db:"posted_at" json:"posted_at"`
	ClearedAt  *time.Time        `db:"cleared_at" json:"cleared_at"`
	ClearedHow string            `db:"cleared_how" json:"cleared_how"`
}
