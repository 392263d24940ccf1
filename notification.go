package followup

import "time"

// Notification is something a follow-up told an agent: recorded, then
// delivered (a Slack direct message, or the console in dev).
type Notification struct {
	ID        int64            `db:"id" json:"id"`
	AgentID   *int64           `db:"agent_id" json:"agent_id"`
	ContactID *int64           `db:"contact_id" json:"contact_id"`
	Channel   Channel          `db:"channel" json:"channel"`
	Kind      NotificationKind `db:"kind" json:"kind"`
	Text      string           `db:"text" json:"text"`
	// Say is Text as a Phrase, for each reader's language; nil in
	// notifications recorded before phrases.
	Say            *Phrase   `db:"phrase" json:"say,omitempty"`
	IdempotencyKey *string   `db:"idempotency_key" json:"-"`
	CreatedAt      time.Time `db:"created_at" json:"created_at"`
}
