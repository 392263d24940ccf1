package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/followup-dev/followup"
)

// AuditFilter picks audit log rows: those since a time, of one contact,
// at most Limit (default 100), newest first.
type AuditFilter struct {
	Since     time.Time
	ContactID int64
	Limit     int
}

// AddAudit records a change in the audit log. An entry whose RequestID was
// recorded already is not recorded again.
func (s *Store) AddAudit(ctx context.Context, e followup.AuditEntry) error {
	detail := e.Detail
	if detail == nil {
		detail = map[string]string{}
	}
	d, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("audit detail: %w", err)
	}
	var at any
	if !e.At.IsZero() {
		at = e.At
	}
	_, err = s.db.ExecContext(ctx, `
		INSERT INTO audit_log (at, actor, source, action, contact_id, channel, detail, request_id)
		VALUES (coalesce($1, now()), $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (request_id) DO NOTHING`,
		at, e.Actor, e.Source, e.Action, nullInt(e.ContactID), nullString(string(e.Channel)), d, nullString(e.RequestID))
	return translate(err, "record "+string(e.Action)+" in the audit log")
}

// Audit reads the audit log, newest first.
func (s *Store) Audit(ctx context.Context, f AuditFilter) ([]followup.AuditEntry, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	var since any
	if !f.Since.IsZero() {
		since = f.Since
	}
	var rows []struct {
		ID        int64          `db:"id"`
		At        time.Time      `db:"at"`
		Actor     string         `db:"actor"`
		Source    string         `db:"source"`
		Action    string         `db:"action"`
		ContactID sql.NullInt64  `db:"contact_id"`
		Channel   sql.NullString `db:"channel"`
		Detail    []byte         `db:"detail"`
		RequestID sql.NullString `db:"request_id"`
		Name      sql.NullString `db:"contact_name"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT a.id, a.at, a.actor, a.source, a.action, a.contact_id, a.channel, a.detail, a.request_id,
		       nullif(trim(concat_ws(' ', c.first_name, c.last_name)), '') AS contact_name
		FROM audit_log a LEFT JOIN contacts c ON c.id = a.contact_id
		WHERE ($1::timestamptz IS NULL OR a.at >= $1) AND ($2::bigint = 0 OR a.contact_id = $2)
		ORDER BY a.at DESC, a.id DESC LIMIT $3`, since, f.ContactID, f.Limit)
	if err != nil {
		return nil, translate(err, "read the audit log")
	}
	out := make([]followup.AuditEntry, len(rows))
	for i, r := range rows {
		e := followup.AuditEntry{ID: r.ID, At: r.At, Actor: r.Actor, Source: followup.AuditSource(r.Source), Action: followup.AuditAction(r.Action),
			ContactID: r.ContactID.Int64, Channel: followup.Channel(r.Channel.String), RequestID: r.RequestID.String, ContactName: r.Name.String}
		if err := json.Unmarshal(r.Detail, &e.Detail); err != nil {
			return nil, fmt.Errorf("audit log row %d: detail: %w", r.ID, err)
		}
		if len(e.Detail) == 0 {
			e.Detail = nil
		}
		out[i] = e
	}
	return out, nil
}

// nullInt is n, or NULL for 0.
func nullInt(n int64) sql.NullInt64 { return sql.NullInt64{Int64: n, Valid: n != 0} }

// nullString is s, or NULL for "".
func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
