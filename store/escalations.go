package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/followup-dev/followup"
)

const escalationCols = `id, key, contact_id, channel, agent_id, trigger, detail, since, posted_at, cleared_at, cleared_how`

// AddEscalation records an escalation as posted; one whose key was
// recorded already is not recorded again (added is false).
func (s *Store) AddEscalation(ctx context.Context, e followup.Escalation) (added bool, err error) {
	res, err := s.db.ExecContext(ctx, `
		INSERT INTO escalations (key, contact_id, channel, agent_id, trigger, detail, since, posted_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (key) DO NOTHING`,
		e.Key, e.ContactID, e.Channel, e.AgentID, e.Trigger, e.Detail, e.Since, e.PostedAt)
	if err != nil {
		return false, translate(err, "record an escalation")
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ClearEscalations marks the open escalations of a follow-up (its
// contact and channel; all the contact's with channel "") cleared, saying
// how; it returns how many were open.
func (s *Store) ClearEscalations(ctx context.Context, contactID int64, ch followup.Channel, how string, at time.Time) (int, error) {
	if how == "" {
		how = "cleared"
	}
	res, err := s.db.ExecContext(ctx, `UPDATE escalations SET cleared_at = $4, cleared_how = $3
		WHERE contact_id = $1 AND ($2 = '' OR channel = $2) AND cleared_at IS NULL`, contactID, ch, how, at)
	if err != nil {
		return 0, translate(err, "clear escalations")
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// OpenEscalations lists the escalations not cleared, oldest first.
func (s *Store) OpenEscalations(ctx context.Context) ([]followup.Escalation, error) {
	out := []followup.Escalation{}
	err := s.db.SelectContext(ctx, &out, `SELECT `+escalationCols+` FROM escalations WHERE cleared_at IS NULL ORDER BY posted_at, id`)
	return out, translate(err, "list open escalations")
}

// Escalations lists a follow-up's escalations (its contact and channel),
// newest first.
func (s *Store) Escalations(ctx context.Context, contactID int64, ch followup.Channel) ([]followup.Escalation, error) {
	out := []followup.Escalation{}
	err := s.db.SelectContext(ctx, &out, `SELECT `+escalationCols+` FROM escalations WHERE contact_id = $1 AND channel = $2
		ORDER BY posted_at DESC, id DESC`, contactID, ch)
	return out, translate(err, "list escalations")
}

// OutboundToContactSince counts the outbound messages to a contact on any
// channel since a time that may have reached them (as OutboundSince
// counts): whether anyone wrote to the customer since.
func (s *Store) OutboundToContactSince(ctx context.Context, contactID int64, since time.Time) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM messages WHERE contact_id = $1 AND direction = 'outbound'
		AND created_at >= $2 AND status NOT IN ('failed', 'undeliverable', 'sending')`, contactID, since)
	return n, translate(err, "count outbound messages to the contact")
}

// AssignConversation makes agentID the assignee of the contact's open
// conversation, else of its latest one (which a send reopens), and
// returns it; a contact that never had a conversation is an EConflict.
func (s *Store) AssignConversation(ctx context.Context, contactID, agentID int64, at time.Time) (followup.Conversation, error) {
	var c followup.Conversation
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &c, `UPDATE conversations SET assignee_id = $2 WHERE id = (
			SELECT id FROM conversations WHERE contact_id = $1 ORDER BY (status = 'open') DESC, opened_at DESC, id DESC LIMIT 1)
			RETURNING `+convCols, contactID, agentID)
		if isNoRows(err) {
			return followup.Errorf(followup.EConflict, "contact %d has no conversation to assign", contactID)
		}
		if err != nil {
			return translate(err, fmt.Sprintf("assign the conversation of contact %d", contactID))
		}
		return syncContact(ctx, tx, c, at)
	})
	return c, err
}
