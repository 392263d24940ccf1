package bot

import (
	"strings"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/i18n"
	"github.com/followup-dev/followup/workflows"
)

// A follow-up's state in words, in the reader's language, for Slack and
// the CLI. These say what workflows.State.CadenceStatus,
// State.DescribeScheduled and Attempt.Describe say in English, word for
// word (a test holds them to it); the follow-up's own texts can move here
// once package workflows is free to change.

// CadenceStatus says in p's language where the follow-up's cadence is: the touch reached
// and what became of it, and when the next is due or why none will come.
// "" when the follow-up has no cadence.
func CadenceStatus(p i18n.Printer, s workflows.State) string {
	c := s.Cadence
	if c == nil {
		return ""
	}
	var where string
	switch {
	case c.Reached == 0 && c.Ended == "":
		where = p.Sprintf("cadence %s: %d touch(es), none yet", c.Name, c.Touches)
	case c.Reached == 0:
		where = p.Sprintf("cadence %s: %d touch(es), none reached", c.Name, c.Touches)
	default:
		where = p.Sprintf("cadence %s: touch %d of %d %s", c.Name, c.Reached, c.Touches, touchOutcome(p, s.Attempts, c.Reached))
	}
	if c.Ended != "" {
		return where + p.Sprintf("; ended: %s", p.Word("cadence end", c.Ended))
	}
	var next time.Time
	for _, sc := range s.Scheduled {
		if sc.Touch > 0 && (next.IsZero() || sc.At.Before(next)) {
			next = sc.At
		}
	}
	if !next.IsZero() {
		where += p.Sprintf("; next %s", next.UTC().Format(utcLayout))
	}
	return where
}

// touchOutcome is what became of a cadence's touch, from the latest
// attempt that was that touch: "sent", "refused", … or "reached" while it
// is being sent.
func touchOutcome(p i18n.Printer, attempts []workflows.Attempt, touch int) string {
	for i := len(attempts) - 1; i >= 0; i-- {
		if a := attempts[i]; a.Touch == touch {
			if a.Outcome == workflows.OutcomeSent && a.Fallback {
				return p.Sprintf("sent (the fallback)")
			}
			return p.Word("outcome", strings.ReplaceAll(string(a.Outcome), "_", " "))
		}
	}
	return p.Sprintf("reached")
}

// DescribeScheduled says in p's language what a scheduled send will send, and what
// instead if the window has closed by then: its own fallback, or on
// WhatsApp the workspace's re-engagement template (as last read).
func DescribeScheduled(p i18n.Printer, s workflows.State, sc workflows.Scheduled) string {
	req := sc.Request
	var what string
	switch {
	case req.Template != nil:
		what = p.Sprintf("the template %s", req.Template.Name)
	case req.Tag != "":
		what = p.Sprintf("“%s” with the %s tag", followup.Clip(req.Text, 80), req.Tag)
	default:
		what = "“" + followup.Clip(req.Text, 80) + "”"
	}
	if sc.Touch > 0 && s.Cadence != nil {
		what = p.Sprintf("touch %d of %d of the cadence %s: %s", sc.Touch, s.Cadence.Touches, s.Cadence.Name, what)
	}
	if req.Template != nil {
		return what
	}
	switch e := req.Else; {
	case e != nil && e.Tag != "":
		what += p.Sprintf(", then with the %s tag if the window has closed", e.Tag)
	case e != nil && e.Template != nil:
		what += p.Sprintf(", then the template %s if the window has closed", e.Template.Name)
	case s.Channel == followup.WhatsApp && s.Settings.ReengagementTemplate != "":
		name, _ := s.Settings.Reengagement()
		what += p.Sprintf(", then the workspace's re-engagement template %s if the window has closed", name)
	}
	return what
}

// DescribeAttempt says in p's language what became of an attempt: "sent as free text",
// "refused: only an approved template may be sent".
func DescribeAttempt(p i18n.Printer, a workflows.Attempt) string {
	switch a.Outcome {
	case workflows.OutcomeSent:
		if a.Fallback {
			return p.Sprintf("sent as %s, the fallback (the text was no longer allowed)", modeLabel(p, a.Mode, a.Tag))
		}
		return p.Sprintf("sent as %s", modeLabel(p, a.Mode, a.Tag))
	case workflows.OutcomeUnconfirmed:
		return p.Sprintf("may not have been sent (%s): the connection was lost while sending", modeLabel(p, a.Mode, a.Tag))
	case workflows.OutcomeRefused:
		return p.Sprintf("refused: %s", reasonWords(p, a.Reason))
	case workflows.OutcomeUndeliverable:
		return p.Sprintf("not delivered: %s", reasonWords(p, a.Reason))
	}
	return p.Word("outcome", strings.ReplaceAll(string(a.Outcome), "_", " "))
}

// modeLabel is the form a message went out in.
func modeLabel(p i18n.Printer, m followup.Mode, t followup.Tag) string {
	switch m {
	case followup.ModeFreeText:
		return p.Sprintf("free text")
	case followup.ModeHumanAgent:
		return p.Sprintf("free text with the HUMAN_AGENT tag")
	case followup.ModeMessageTag:
		return p.Sprintf("a message with the %s tag", t)
	case followup.ModeTemplate:
		return p.Sprintf("an approved template")
	case followup.ModeChatbot:
		return p.Sprintf("a chatbot-initiated (billable) message")
	}
	return string(m)
}

// reasonWords says a refusal's reason (a window.Reason, a provider
// refusal's kind, or the follow-up's own) in words, in p's language.
func reasonWords(p i18n.Printer, r string) string {
	return p.Text(workflows.ReasonWords(r))
}
