package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/followup-dev/followup"
)

// Outbound is a message a follow-up is about to send.
type Outbound struct {
	ContactID      int64
	ConversationID *int64
	AgentID        *int64
	Channel        followup.Channel
	Mode           followup.Mode
	Tag            followup.Tag
	Template       string
	Body           string
	IdempotencyKey string
	// Wire is the whole message as the channel's adapter sends it (JSON),
	// so a message a crash left behind can be resent with its own key.
	Wire []byte
}

const messageCols = `id, contact_id, conversation_id, agent_id, direction, channel, mode, tag, template, body, status, reason, provider_id, idempotency_key, created_at`

// BeginOutbound records a message as pending, until the lease ends, before
// the provider is called; the caller then claims it (ClaimOutbound). If a
// message with the same idempotency key exists it is returned instead
// (existing is true) and nothing changes: the caller decides from its
// status whether it may try. A key recorded for another text or template is an
// EConflict: a key belongs to one requested message.
func (s *Store) BeginOutbound(ctx context.Context, o Outbound, lease time.Duration) (m followup.Message, existing bool, err error) {
	var tag, tmpl *string
	if o.Tag != "" {
		t := string(o.Tag)
		tag = &t
	}
	if o.Template != "" {
		tmpl = &o.Template
	}
	var wire *string
	if len(o.Wire) > 0 {
		w := string(o.Wire)
		wire = &w
	}
	err = s.db.GetContext(ctx, &m, `
		INSERT INTO messages (contact_id, conversation_id, agent_id, direction, channel, mode, tag, template, body, status, idempotency_key, attempt_until, outbound)
		VALUES ($1, $2, $3, 'outbound', $4, $5, $6, $7, $8, 'pending', $9, now() + $10 * interval '1 millisecond', $11)
		ON CONFLICT (idempotency_key) DO NOTHING
		RETURNING `+messageCols,
		o.ContactID, o.ConversationID, o.AgentID, o.Channel, o.Mode, tag, tmpl, o.Body, o.IdempotencyKey, lease.Milliseconds(), wire)
	if err == nil {
		return m, false, nil
	}
	if !isNoRows(err) {
		return m, false, translate(err, "record outbound message")
	}
	err = s.db.GetContext(ctx, &m, `SELECT `+messageCols+` FROM messages WHERE idempotency_key = $1`, o.IdempotencyKey)
	if err != nil {
		return m, true, translate(err, "read outbound message")
	}
	if m.Body != o.Body || m.Channel != o.Channel || (m.Template == nil) != (tmpl == nil) || (tmpl != nil && *m.Template != *tmpl) {
		return m, true, followup.Errorf(followup.EConflict, "idempotency key %q already names another message", o.IdempotencyKey)
	}
	return m, true, nil
}

// OutboundByKey reads the message recorded under an idempotency key.
func (s *Store) OutboundByKey(ctx context.Context, key string) (followup.Message, error) {
	var m followup.Message
	err := s.db.GetContext(ctx, &m, `SELECT `+messageCols+` FROM messages WHERE idempotency_key = $1`, key)
	return m, translate(err, "read outbound message")
}

// ClaimOutbound marks a pending message as sending by the try token until
// the lease ends, right before the provider is called. Claiming again
// with the same token succeeds (a try repeating the write after a dropped
// connection); false when another try holds it or it was resolved.
func (s *Store) ClaimOutbound(ctx context.Context, id int64, token string, lease time.Duration) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE messages SET status = 'sending', attempt_token = $2, attempt_until = now() + $3 * interval '1 millisecond', updated_at = now()
		WHERE id = $1 AND (status = 'pending' OR (status = 'sending' AND attempt_token = $2))`, id, token, lease.Milliseconds())
	if err != nil {
		return false, translate(err, "claim outbound message")
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// ReleaseOutbound records that the provider did not take a sending
// message (it answered with an error a retry may fix): it is pending
// again, and left to the reconciler if no retry claims it within lease.
func (s *Store) ReleaseOutbound(ctx context.Context, id int64, lease time.Duration) error {
	_, err := s.db.ExecContext(ctx, `UPDATE messages SET status = 'pending', attempt_until = now() + $2 * interval '1 millisecond', updated_at = now()
		WHERE id = $1 AND status = 'sending'`, id, lease.Milliseconds())
	return translate(err, "release outbound message")
}

// MarkUnconfirmed records that a try of the message may have reached the
// provider and will not be repeated. It changes only a message still
// pending or sending, and reports whether it did.
func (s *Store) MarkUnconfirmed(ctx context.Context, id int64, reason string) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE messages SET status = 'unconfirmed', reason = $2, updated_at = now()
		WHERE id = $1 AND status IN ('pending', 'sending')`, id, reason)
	if err != nil {
		return false, translate(err, "mark message unconfirmed")
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// FinishOutbound sets a message's outcome: sent with the provider's id, or
// failed/undeliverable with the reason. A delivery status that named the
// message by its reference (UpdateStatusByRef) may have come first, while
// the send was still in flight: recording that same provider id as sent
// then keeps the later status it brought (delivered, read, or a failure
// and its reason).
func (s *Store) FinishOutbound(ctx context.Context, id int64, status followup.MessageStatus, providerID, reason string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE messages SET status = $2, provider_id = $3, reason = $4, updated_at = now()
		WHERE id = $1 AND NOT ($2 = 'sent' AND $3 <> '' AND provider_id = $3 AND status IN ('delivered', 'read', 'failed', 'undeliverable'))`,
		id, status, providerID, reason)
	if err != nil {
		return translate(err, "update message")
	}
	_, err = s.db.ExecContext(ctx, `UPDATE contacts SET last_activity_at = GREATEST(last_activity_at, now()) FROM messages m WHERE m.id = $1 AND contacts.id = m.contact_id AND $2 = 'sent'`, id, status)
	return translate(err, "touch contact")
}

// Refusal is how a provider refused a message, kept with it.
type Refusal struct {
	Class   followup.SendErrorClass `db:"error_class"`
	Code    string                  `db:"error_code"`
	Message string                  `db:"reason"`
}

// RefuseOutbound records that the provider refused a message for good:
// undeliverable, with the refusal's class, code and words.
func (s *Store) RefuseOutbound(ctx context.Context, id int64, r Refusal) error {
	_, err := s.db.ExecContext(ctx, `UPDATE messages SET status = 'undeliverable', reason = $2, error_class = $3, error_code = $4, updated_at = now() WHERE id = $1`,
		id, r.Message, r.Class, r.Code)
	return translate(err, "record the refusal")
}

// OutboundRefusal reads how the provider refused a message.
func (s *Store) OutboundRefusal(ctx context.Context, id int64) (Refusal, error) {
	var r Refusal
	err := s.db.GetContext(ctx, &r, `SELECT error_class, error_code, reason FROM messages WHERE id = $1`, id)
	return r, translate(err, "read the refusal")
}

// Unresolved is an outbound message a crash left pending or sending past
// its lease.
type Unresolved struct {
	followup.Message
	Outbound []byte `db:"outbound"`
}

// ClaimUnresolved claims, for lease, up to limit outbound messages left
// pending or sending whose lease ended at least grace ago, oldest first;
// several processes never claim the same one. Claimed messages are
// sending until the lease ends: the caller resolves each (FinishOutbound,
// MarkUnconfirmed).
func (s *Store) ClaimUnresolved(ctx context.Context, grace, lease time.Duration, limit int) ([]Unresolved, error) {
	out := []Unresolved{}
	err := s.db.SelectContext(ctx, &out, `UPDATE messages m SET attempt_until = now() + $2 * interval '1 millisecond',
		status = CASE WHEN m.status = 'pending' THEN 'pending' ELSE 'sending' END
		FROM (SELECT id FROM messages WHERE status IN ('pending', 'sending') AND attempt_until < now() - $1 * interval '1 millisecond'
		      ORDER BY attempt_until LIMIT $3 FOR UPDATE SKIP LOCKED) c
		WHERE m.id = c.id
		RETURNING m.id, m.contact_id, m.conversation_id, m.agent_id, m.direction, m.channel, m.mode, m.tag, m.template, m.body,
		          m.status, m.reason, m.provider_id, m.idempotency_key, m.created_at, m.outbound`,
		grace.Milliseconds(), lease.Milliseconds(), limit)
	return out, translate(err, "claim unresolved messages")
}

// CountUnresolved counts outbound messages pending or sending.
func (s *Store) CountUnresolved(ctx context.Context) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM messages WHERE status IN ('pending', 'sending')`)
	return n, translate(err, "count unresolved messages")
}

// Messages lists a contact's messages, newest first.
func (s *Store) Messages(ctx context.Context, contactID int64, limit int) ([]followup.Message, error) {
	out := []followup.Message{}
	err := s.db.SelectContext(ctx, &out, `SELECT `+messageCols+` FROM messages WHERE contact_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, contactID, limit)
	return out, translate(err, "list messages")
}

// OutboundSince counts outbound messages on a channel since a time (the
// WeChat per-window count); failed and undeliverable ones do not count.
// Unconfirmed ones do (they may have arrived). One still sending does not:
// at most one send of a follow-up is in flight, so it is the send being
// run again after a crash (which counts itself once it is done), or one a
// crash left behind, which the reconciler soon resolves.
// excludeKey leaves out the message being sent (a retried send counts
// what was sent before it).
func (s *Store) OutboundSince(ctx context.Context, contactID int64, ch followup.Channel, since time.Time, excludeKey string) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM messages WHERE contact_id = $1 AND channel = $2 AND direction = 'outbound'
		AND created_at >= $3 AND status NOT IN ('failed', 'undeliverable', 'sending') AND idempotency_key IS DISTINCT FROM $4`, contactID, ch, since, excludeKey)
	return n, translate(err, "count outbound messages")
}

// ChatbotMessagesInMonth counts Viber chatbot-initiated messages of the
// whole account in the calendar month (UTC) containing t.
// excludeKey leaves out the message being sent.
func (s *Store) ChatbotMessagesInMonth(ctx context.Context, t time.Time, excludeKey string) (int, error) {
	t = t.UTC()
	start := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM messages WHERE channel = 'viber' AND mode = 'chatbot'
		AND created_at >= $1 AND created_at < $2 AND status NOT IN ('failed', 'undeliverable') AND idempotency_key IS DISTINCT FROM $3`, start, start.AddDate(0, 1, 0), excludeKey)
	return n, translate(err, "count chatbot messages")
}

// Notification is something a follow-up told an agent (the type lives in
// followup, so that the notifiers need not import store).
type Notification = followup.Notification

// AddNotification records a notification once per idempotency key; added
// is false when the key was seen before.
func (s *Store) AddNotification(ctx context.Context, n Notification) (added bool, err error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO notifications (agent_id, contact_id, channel, kind, text, phrase, idempotency_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (idempotency_key) DO NOTHING`,
		n.AgentID, n.ContactID, n.Channel, n.Kind, n.Text, n.Say, n.IdempotencyKey)
	if err != nil {
		return false, translate(err, "record notification")
	}
	k, _ := res.RowsAffected()
	return k == 1, nil
}

// Notifications lists notifications of a contact (contactID > 0) or all, newest first.
func (s *Store) Notifications(ctx context.Context, contactID int64, limit int) ([]Notification, error) {
	out := []Notification{}
	const cols = `SELECT id, agent_id, contact_id, channel, kind, text, phrase, idempotency_key, created_at FROM notifications`
	var err error
	if contactID > 0 {
		// Written out, so the planner can use notifications_contact.
		err = s.db.SelectContext(ctx, &out, cols+` WHERE contact_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, contactID, limit)
	} else {
		err = s.db.SelectContext(ctx, &out, cols+` ORDER BY created_at DESC, id DESC LIMIT $1`, limit)
	}
	return out, translate(err, "list notifications")
}

// NotificationDelivered says whether the notification with key was
// delivered to Slack; ENotFound when it was never recorded.
func (s *Store) NotificationDelivered(ctx context.Context, key string) (bool, error) {
	var delivered bool
	err := s.db.GetContext(ctx, &delivered, `SELECT delivered_at IS NOT NULL FROM notifications WHERE idempotency_key = $1`, key)
	return delivered, translate(err, "notification "+key)
}

// ClaimUndeliveredNotifications claims, for lease, up to limit notifications
// to agents created between since and before that were not delivered to
// Slack and are not claimed by another process, oldest first.
func (s *Store) ClaimUndeliveredNotifications(ctx context.Context, since, before time.Time, lease time.Duration, limit int) ([]Notification, error) {
	out := []Notification{}
	err := s.db.SelectContext(ctx, &out, `UPDATE notifications n SET claimed_until = now() + $4 * interval '1 millisecond'
		FROM (SELECT id FROM notifications
		      WHERE delivered_at IS NULL AND created_at >= $1 AND created_at < $2 AND agent_id IS NOT NULL
		        AND (claimed_until IS NULL OR claimed_until < now())
		      ORDER BY created_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) c
		WHERE n.id = c.id
		RETURNING n.id, n.agent_id, n.contact_id, n.channel, n.kind, n.text, n.phrase, n.idempotency_key, n.created_at`,
		since, before, limit, lease.Milliseconds())
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	return out, translate(err, "claim undelivered notifications")
}

// MarkNotificationDelivered records that the notification with key reached Slack.
func (s *Store) MarkNotificationDelivered(ctx context.Context, key string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE notifications SET delivered_at = $2 WHERE idempotency_key = $1 AND delivered_at IS NULL`, key, at)
	return translate(err, "mark notification delivered")
}

// ContactByIdentity finds the contact with an external id on a channel.
func (s *Store) ContactByIdentity(ctx context.Context, ch followup.Channel, externalID string) (int64, error) {
	var id int64
	err := s.db.GetContext(ctx, &id, `SELECT contact_id FROM identities WHERE channel = $1 AND external_id = $2`, ch, externalID)
	return id, translate(err, fmt.Sprintf("%s identity %q", ch.Title(), externalID))
}

// RecordInboundMessage stores a customer's message once per dedupKey (a
// redelivered webhook changes nothing) and restarts the window. added is
// false for a duplicate.
func (s *Store) RecordInboundMessage(ctx context.Context, contactID int64, ch followup.Channel, body string, at time.Time, dedupKey string) (added bool, err error) {
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		key := "in:" + string(ch) + ":" + dedupKey
		res, err := tx.ExecContext(ctx, `INSERT INTO messages (contact_id, direction, channel, body, status, idempotency_key, created_at)
			VALUES ($1, 'inbound', $2, $3, 'received', $4, $5) ON CONFLICT (idempotency_key) DO NOTHING`, contactID, ch, body, key, at)
		if err != nil {
			return translate(err, "record inbound message")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		added = true
		if _, err := tx.ExecContext(ctx, `UPDATE identities SET last_inbound_at = GREATEST(last_inbound_at, $3) WHERE contact_id = $1 AND channel = $2`, contactID, ch, at); err != nil {
			return translate(err, "record inbound")
		}
		conv, err := openConversation(ctx, tx, contactID, nil, false, at)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE messages SET conversation_id = $2 WHERE idempotency_key = $1`, key, conv.ID)
		return translate(err, "record inbound message")
	})
	return added, err
}

// UpdateStatus applies a delivery status to our message with that provider
// id. A status never moves a message backwards (read stays read when a
// late "delivered" arrives); failed and undeliverable keep their reason.
// It returns the message's contact, or ENotFound.
func (s *Store) UpdateStatus(ctx context.Context, ch followup.Channel, providerID string, status followup.MessageStatus, reason string) (contactID int64, err error) {
	err = s.db.GetContext(ctx, &contactID, `
		UPDATE messages SET status = $3, reason = CASE WHEN $4 = '' THEN reason ELSE $4 END, updated_at = now()
		WHERE channel = $1 AND provider_id = $2 AND direction = 'outbound'
		  AND (CASE status WHEN 'pending' THEN 0 WHEN 'sending' THEN 0 WHEN 'unconfirmed' THEN 1 WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 ELSE 4 END)
		    < (CASE $3 WHEN 'pending' THEN 0 WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 ELSE 4 END)
		RETURNING contact_id`, ch, providerID, status, reason)
	if isNoRows(err) {
		// Unknown id, or a status older than the one we have: both are
		// nothing to do; tell them apart for the caller's log.
		var id int64
		if e := s.db.GetContext(ctx, &id, `SELECT contact_id FROM messages WHERE channel = $1 AND provider_id = $2`, ch, providerID); e == nil {
			return id, nil
		}
	}
	return contactID, translate(err, fmt.Sprintf("%s message %q", ch.Title(), providerID))
}

// refRank orders the statuses a message found by its reference can be in,
// so a status only moves it forward: an unconfirmed message (sent or not,
// nobody knew) is behind sent.
const refRank = `CASE status WHEN 'pending' THEN 0 WHEN 'sending' THEN 0 WHEN 'unconfirmed' THEN 1 WHEN 'sent' THEN 2
	WHEN 'delivered' THEN 3 WHEN 'read' THEN 4 ELSE 5 END`

// UpdateStatusByRef applies a delivery status to our outbound message
// whose reference (channels.StatusRef of its idempotency key) the provider
// echoed, when the status's provider id matched none (UpdateStatus): the
// answer to the send was lost, so the message is unconfirmed (or still
// pending or sending, when the status outran the answer). It records the
// provider id, so later statuses find the message by it; sent, delivered
// and read confirm it, failed and undeliverable record the reason. A
// status never moves a message backwards. Only a message without a
// provider id is looked up: one with an id is UpdateStatus's. It returns
// the message's contact, or ENotFound.
func (s *Store) UpdateStatusByRef(ctx context.Context, ch followup.Channel, ref, providerID string, status followup.MessageStatus, reason string) (contactID int64, err error) {
	var rank int
	switch status {
	case followup.StatusSent:
		rank = 2
	case followup.StatusDelivered:
		rank = 3
	case followup.StatusRead:
		rank = 4
	case followup.StatusFailed, followup.StatusUndeliverable:
		rank = 5
	default:
		return 0, followup.Errorf(followup.EInvalid, "%s status %q cannot confirm a message", ch.Title(), status)
	}
	if ref == "" {
		return 0, followup.Errorf(followup.ENotFound, "%s message without a reference", ch.Title())
	}
	// The reason goes with the status: a confirmed message drops the
	// "connection lost" that made it unconfirmed.
	err = s.db.GetContext(ctx, &contactID, `
		UPDATE messages SET
		  status = CASE WHEN `+refRank+` < $5 THEN $3 ELSE status END,
		  reason = CASE WHEN `+refRank+` < $5 THEN $4 ELSE reason END,
		  provider_id = $6, updated_at = now()
		WHERE channel = $1 AND status_ref(idempotency_key) = $2 AND direction = 'outbound' AND provider_id = ''
		RETURNING contact_id`, ch, ref, status, reason, rank, providerID)
	return contactID, translate(err, fmt.Sprintf("%s message with reference %q", ch.Title(), ref))
}

// ContactByPhone finds a contact by E.164 phone (the oldest if several).
func (s *Store) ContactByPhone(ctx context.Context, phone string) (int64, error) {
	var id int64
	err := s.db.GetContext(ctx, &id, `SELECT id FROM contacts WHERE phone = $1 ORDER BY id LIMIT 1`, phone)
	return id, translate(err, "contact with phone "+phone)
}

// CountMessagesByStatus counts outbound messages in each of statuses (a
// status without messages is absent from the map).
func (s *Store) CountMessagesByStatus(ctx context.Context, statuses ...string) (map[string]int, error) {
	var rows []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	err := s.db.SelectContext(ctx, &rows, `SELECT status, count(*) AS n FROM messages
		WHERE direction = 'outbound' AND status = ANY($1) GROUP BY status`, statuses)
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, translate(err, "count messages by status")
}

// CountUndeliveredNotifications counts notifications to agents created
// since that did not reach Slack (the ones the notifier redelivers).
func (s *Store) CountUndeliveredNotifications(ctx context.Context, since time.Time) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM notifications
		WHERE delivered_at IS NULL AND agent_id IS NOT NULL AND created_at >= $1`, since)
	return n, translate(err, "count undelivered notifications")
}
