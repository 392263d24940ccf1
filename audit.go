package followup

import (
	"sort"
	"strings"
	"time"
)

// AuditSource is where a change was made from.
type AuditSource string

// The places changes come from.
const (
	SourceSlack  AuditSource = "slack"
	SourceCLI    AuditSource = "cli"
	SourceSystem AuditSource = "system"
)

// AuditAction names a change the audit log records.
type AuditAction string

// The changes the audit log records.
const (
	AuditAgentAdded        AuditAction = "agent_added"
	AuditAgentRemoved      AuditAction = "agent_removed"
	AuditSettingSet        AuditAction = "setting_set"
	AuditTemplateAdded     AuditAction = "template_added"
	AuditCadenceAdded      AuditAction = "cadence_added"
	AuditCadenceRemoved    AuditAction = "cadence_removed"
	AuditFollowupSent      AuditAction = "followup_sent"
	AuditFollowupScheduled AuditAction = "followup_scheduled"
	AuditCadenceStarted    AuditAction = "cadence_started"
	AuditFollowupCancelled AuditAction = "followup_cancelled"
	AuditFollowupClosed    AuditAction = "followup_closed"
	AuditFollowupTakenOver AuditAction = "followup_taken_over"
	AuditEscalationSnoozed AuditAction = "escalation_snoozed"
)

// AuditEntry is one row of the audit log: who changed what, when and from
// where. Detail is small and says what changed (a setting's name and new
// value, a template's name, a send's outcome and mode); it never holds a
// message's text or a phone number.
type AuditEntry struct {
	ID        int64             `json:"id"`
	At        time.Time         `json:"at"`
	Actor     string            `json:"actor"` // a Slack user id; at the command line the OS user, or "cli"
	Source    AuditSource       `json:"source"`
	Action    AuditAction       `json:"action"`
	ContactID int64             `json:"contact_id,omitempty"` // 0: no contact
	Channel   Channel           `json:"channel,omitempty"`
	Detail    map[string]string `json:"detail,omitempty"`
	// RequestID, when set, makes recording the same request again do
	// nothing.
	RequestID string `json:"request_id,omitempty"`
	// ContactName is the contact's name when read back ("" when the
	// contact is gone or there is none).
	ContactName string `json:"contact_name,omitempty"`
}

// DetailText is the entry's detail on one line, as key=value pairs sorted
// by key.
func (e AuditEntry) DetailText() string {
	keys := make([]string, 0, len(e.Detail))
	for k := range e.Detail {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + e.Detail[k]
	}
	return strings.Join(parts, " ")
}
