package bot

import (
	"sort"
	"strings"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/i18n"
)

// The kinds of the audit log's words in the catalog (i18n.Printer.Word).
const (
	auditActionWord = "audit action"
	auditSourceWord = "audit source"
	auditKeyWord    = "audit detail"
	auditValueWord  = "audit value"
)

// AuditAction is an audit log row's action for a person in p's language:
// in English the log's own word (cadence_added), in another language what
// it means (серия добавлена).
func AuditAction(p i18n.Printer, a followup.AuditAction) string {
	return p.Word(auditActionWord, string(a))
}

// AuditSource is where a change came from in p's language: slack and cli
// are names; system is a word.
func AuditSource(p i18n.Printer, s followup.AuditSource) string {
	return p.Word(auditSourceWord, string(s))
}

// auditValueKinds are the detail keys whose values are words, with the
// kind of word each is in the catalog.
var auditValueKinds = map[string]string{
	"outcome": "outcome", "mode": auditValueWord, "role": auditValueWord, "change": auditValueWord,
	"status": auditValueWord, "fallback": auditValueWord, "followup": auditValueWord,
}

// AuditDetail is an audit log row's detail on one line, key=value pairs
// sorted by key (followup.AuditEntry.DetailText) in English; in another
// language the keys, and the values that are words (a send's outcome and
// mode, a role), are in it, and names, ids and times stay as written.
func AuditDetail(p i18n.Printer, e followup.AuditEntry) string {
	if p.Lang() == i18n.English {
		return e.DetailText()
	}
	keys := make([]string, 0, len(e.Detail))
	for k := range e.Detail {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		v := e.Detail[k]
		if kind, ok := auditValueKinds[k]; ok {
			// The outcomes' words are the bot's: "in progress".
			v = p.Word(kind, strings.ReplaceAll(v, "_", " "))
			if v == strings.ReplaceAll(e.Detail[k], "_", " ") {
				v = e.Detail[k] // not a word the catalog has: as recorded
			}
		}
		parts[i] = p.Word(auditKeyWord, k) + "=" + v
	}
	return strings.Join(parts, " ")
}
