package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/followup-dev/followup"
)

const convCols = `id, contact_id, status, assignee_id, opened_at, closed_at`

// OpenConversation returns the contact's open conversation, if any.
func (s *Store) OpenConversation(ctx context.Context, contactID int64) (followup.Conversation, error) {
	var c followup.Conversation
	err := s.db.GetContext(ctx, &c, `SELECT `+convCols+` FROM conversations WHERE contact_id = $1 AND status = 'open'`, contactID)
	return c, translate(err, fmt.Sprintf("open conversation of contact %d", contactID))
}

// Conversations lists a contact's conversations, newest first.
func (s *Store) Conversations(ctx context.Context, contactID int64) ([]followup.Conversation, error) {
	out := []followup.Conversation{}
	err := s.db.SelectContext(ctx, &out, `SELECT `+convCols+` FROM conversations WHERE contact_id = $1 ORDER BY opened_at DESC, id DESC`, contactID)
	return out, translate(err, "list conversations")
}

// ReopenAndAssign opens the contact's conversation (or keeps the open one)
// and assigns it to the agent: what a follow-up does when it sends.
func (s *Store) ReopenAndAssign(ctx context.Context, contactID, agentID int64, at time.Time) (followup.Conversation, error) {
	var conv followup.Conversation
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		conv, err = openConversation(ctx, tx, contactID, &agentID, true, at)
		return err
	})
	return conv, err
}

// CloseConversation closes the contact's open conversation applying the
// closing logic (unassign or keep). With logic "" the workspace setting
// applies. Closing a contact with nothing open is an EConflict.
func (s *Store) CloseConversation(ctx context.Context, contactID int64, logic followup.ClosingLogic, at time.Time) (followup.Conversation, error) {
	if logic == "" {
		set, err := s.Settings(ctx)
		if err != nil {
			return followup.Conversation{}, err
		}
		logic = set.ClosingLogic
	}
	var conv followup.Conversation
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		conv, err = closeConversation(ctx, tx, contactID, logic, at, true)
		return err
	})
	return conv, err
}

// openConversation opens a conversation unless one is open; with
// setAssignee the open conversation is assigned to assignee.
func openConversation(ctx context.Context, tx *sqlx.Tx, contactID int64, assignee *int64, setAssignee bool, at time.Time) (followup.Conversation, error) {
	var c followup.Conversation
	// Lock the contact so concurrent opens cannot both insert.
	var one int
	if err := tx.GetContext(ctx, &one, `SELECT 1 FROM contacts WHERE id = $1 FOR UPDATE`, contactID); err != nil {
		return c, translate(err, fmt.Sprintf("contact %d", contactID))
	}
	err := tx.GetContext(ctx, &c, `SELECT `+convCols+` FROM conversations WHERE contact_id = $1 AND status = 'open'`, contactID)
	switch {
	case err == nil:
		if setAssignee {
			err = tx.GetContext(ctx, &c, `UPDATE conversations SET assignee_id = $2 WHERE id = $1 RETURNING `+convCols, c.ID, assignee)
		}
	case isNoRows(err):
		err = tx.GetContext(ctx, &c, `INSERT INTO conversations (contact_id, status, assignee_id, opened_at) VALUES ($1, 'open', $2, $3) RETURNING `+convCols, contactID, assignee, at)
	}
	if err != nil {
		return c, translate(err, "open conversation")
	}
	return c, syncContact(ctx, tx, c, at)
}

func closeConversation(ctx context.Context, tx *sqlx.Tx, contactID int64, logic followup.ClosingLogic, at time.Time, mustBeOpen bool) (followup.Conversation, error) {
	var c followup.Conversation
	err := tx.GetContext(ctx, &c, `
		UPDATE conversations SET status = 'closed', closed_at = GREATEST($2, opened_at),
			assignee_id = CASE WHEN $3 = 'unassign' THEN NULL ELSE assignee_id END
		WHERE contact_id = $1 AND status = 'open' RETURNING `+convCols, contactID, at, logic)
	if isNoRows(err) {
		if mustBeOpen {
			return c, followup.Errorf(followup.EConflict, "contact %d has no open conversation", contactID)
		}
		return c, nil
	}
	if err != nil {
		return c, translate(err, "close conversation")
	}
	return c, syncContact(ctx, tx, c, at)
}

// syncContact copies the current conversation's state onto the contact row,
// where search reads it.
func syncContact(ctx context.Context, tx *sqlx.Tx, c followup.Conversation, at time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE contacts SET conv_status = $2, assignee_id = $3,
		last_activity_at = GREATEST(last_activity_at, $4), updated_at = now() WHERE id = $1`,
		c.ContactID, c.Status, c.AssigneeID, at)
	return translate(err, "update contact status")
}
