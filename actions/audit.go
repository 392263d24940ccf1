package actions

import (
	"context"
	"strconv"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/store"
	"github.com/followup-dev/followup/workflows"
)

// Actor is who acts and from where, as the audit log records it: an agent
// (in Slack, or named with --as at the command line) or, at the command
// line without one, the person at the keyboard.
type Actor struct {
	Agent  followup.Agent
	Name   string // who, when no agent acts: the OS user
	Source followup.AuditSource
}

// who is the actor as the audit log names them: the agent's Slack user
// id, else Name, else where it came from ("cli").
func (a Actor) who() string {
	switch {
	case a.Agent.SlackUserID != "":
		return a.Agent.SlackUserID
	case a.Name != "":
		return a.Name
	}
	return string(a.Source)
}

// AuditFilter picks audit log rows (since a time, of one contact, at most
// a number), newest first.
type AuditFilter = store.AuditFilter

// Audit reads the audit log, newest first.
func (s *Service) Audit(ctx context.Context, f AuditFilter) ([]followup.AuditEntry, error) {
	return s.st.Audit(ctx, f)
}

// auditTimeout bounds an audit write, which runs after the action even when
// the request that asked for it has been cancelled.
const auditTimeout = 5 * time.Second

// record writes e to the audit log as done by by. The action it records
// has happened: a failure to record it is logged, never returned, since
// the agent must hear what was done.
func (s *Service) record(ctx context.Context, by Actor, e followup.AuditEntry) {
	e.Actor, e.Source = by.who(), by.Source
	if e.Source == "" {
		e.Source = followup.SourceSystem
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), auditTimeout)
	defer cancel()
	if err := s.st.AddAudit(ctx, e); err != nil {
		s.log.Error("audit log: record a change", "action", e.Action, "actor", e.Actor, "contact", e.ContactID, "request", e.RequestID, "err", err)
	}
}

// sendEntry is the audit entry of a send that went out, was scheduled, or
// started a cadence: what kind of send, never its text.
func sendEntry(t Target, req workflows.SendRequest, out workflows.SendOutcome, requestID string) followup.AuditEntry {
	e := followup.AuditEntry{Action: followup.AuditFollowupSent, ContactID: t.Contact.ID, Channel: t.Channel, RequestID: requestID,
		Detail: map[string]string{"outcome": string(out.Outcome)}}
	switch {
	case req.Cadence != nil:
		e.Action = followup.AuditCadenceStarted
		e.Detail["cadence"] = req.Cadence.Name
	case out.Outcome == workflows.OutcomeScheduled:
		e.Action = followup.AuditFollowupScheduled
		if !out.At.IsZero() {
			e.Detail["at"] = out.At.UTC().Format(time.RFC3339)
		}
	}
	if out.Mode != "" {
		e.Detail["mode"] = string(out.Mode)
	}
	if out.Tag != "" {
		e.Detail["tag"] = string(out.Tag)
	}
	if req.Template != nil {
		e.Detail["template"] = req.Template.Name
	}
	if out.Fallback {
		e.Detail["fallback"] = strconv.FormatBool(true)
	}
	return e
}

// channelRequest is the request id of one follow-up among those a request
// cancels or closes, so that each records once ("" stays "").
func channelRequest(requestID string, ch followup.Channel) string {
	if requestID == "" {
		return ""
	}
	return requestID + "/" + string(ch)
}
