package bot_test

import (
	"strings"
	"testing"
	"unicode"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/bot"
	"github.com/followup-dev/followup/i18n"
	"github.com/followup-dev/followup/internal/i18ntest"
)

// TestAuditInRussian: every audit log action, where it came from, and
// the details the product records read in Russian; in English they are
// the log's own words, as recorded.
func TestAuditInRussian(t *testing.T) {
	t.Parallel()
	ru, en := i18n.New(i18n.Russian), i18n.New(i18n.English)
	cyrillic := func(s string) bool {
		return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) })
	}
	for _, a := range []followup.AuditAction{followup.AuditAgentAdded, followup.AuditAgentRemoved, followup.AuditSettingSet,
		followup.AuditTemplateAdded, followup.AuditCadenceAdded, followup.AuditCadenceRemoved, followup.AuditFollowupSent,
		followup.AuditFollowupScheduled, followup.AuditCadenceStarted, followup.AuditFollowupCancelled, followup.AuditFollowupClosed,
		followup.AuditFollowupTakenOver, followup.AuditEscalationSnoozed} {
		if got := bot.AuditAction(ru, a); !cyrillic(got) || len(i18ntest.EnglishLeft(got)) > 0 {
			t.Errorf("%s in Russian: %q", a, got)
		}
		if got := bot.AuditAction(en, a); got != string(a) {
			t.Errorf("%s in English: %q", a, got)
		}
	}
	if got := bot.AuditSource(ru, followup.SourceSystem); got != "система" {
		t.Errorf("system: %q", got)
	}
	if got := bot.AuditSource(ru, followup.SourceCLI); got != "cli" {
		t.Errorf("cli: %q", got)
	}
	// The details the product records (actions, cmd/followup).
	for _, d := range []map[string]string{
		{"outcome": "sent", "mode": "free_text", "tag": "ACCOUNT_UPDATE", "template": "renewal", "fallback": "true"},
		{"outcome": "in_progress", "mode": "human_agent"}, {"outcome": "scheduled", "at": "2026-03-10T09:00:00Z", "mode": "template"},
		{"outcome": "refused", "mode": "message_tag"}, {"outcome": "undeliverable", "mode": "chatbot"}, {"outcome": "unconfirmed"},
		{"outcome": "cancelled", "cadence": "nudge"}, {"from": "U1"}, {"conversation": "7", "followup": "none running"},
		{"until": "2026-03-10T09:00:00Z"}, {"scheduled_dropped": "2"},
		{"slack_user": "U0SAM", "name": "Sam", "role": "supervisor", "change": "added"}, {"role": "agent", "change": "updated"},
		{"cadence": "nudge", "steps": "1"}, {"template": "renewal", "language": "en", "status": "approved"},
		{"status": "pending"}, {"status": "rejected"}, {"status": "paused"}, {"setting": "reminder_lead", "value": "2h0m0s"},
	} {
		e := followup.AuditEntry{Detail: d}
		if got := bot.AuditDetail(en, e); got != e.DetailText() {
			t.Errorf("English %q, want %q", got, e.DetailText())
		}
		got := bot.AuditDetail(ru, e)
		if left := i18ntest.EnglishLeft(got, "ACCOUNT_UPDATE", "HUMAN_AGENT", "renewal", "nudge", "U0SAM", "Sam", "reminder_lead", "en", "Slack", "T09", "U1"); len(left) > 0 {
			t.Errorf("%v in Russian: %q (English: %v)", d, got, left)
		}
	}
	e := followup.AuditEntry{Detail: map[string]string{"outcome": "sent", "mode": "free_text", "cadence": "nudge"}}
	if got := bot.AuditDetail(ru, e); got != "серия=nudge способ=свободный текст итог=отправлено" {
		t.Errorf("%q", got)
	}
}
