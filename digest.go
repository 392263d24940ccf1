package followup

import (
	"fmt"
	"strings"
	"time"
)

// Digest is the daily summary posted to the supervisors' channel and, cut
// down to their own follow-ups (ForAgent), to each agent: what is running,
// what closes today, which VIP follow-ups are overdue, and yesterday's
// sends and refusals per channel. `followup digest` prints the same.
type Digest struct {
	// Date is the day the digest is for (YYYY-MM-DD in TimeZone); At is
	// when it was made.
	Date     string    `json:"date"`
	TimeZone string    `json:"time_zone"`
	At       time.Time `json:"at"`
	// Agent is the Slack user id of the agent this part is for; "" for
	// the whole workspace.
	Agent          string       `json:"agent,omitempty"`
	Running        int          `json:"running"`
	RunningByAgent []AgentCount `json:"running_by_agent"`
	// ClosingToday: windows that close between At and midnight.
	ClosingToday []DigestItem `json:"closing_today"`
	// OverdueVIP: VIP follow-ups whose window closed with nothing sent
	// since.
	OverdueVIP []DigestItem `json:"overdue_vip"`
	// EscalatedVIP: VIP follow-ups posted to the supervisors' channel as
	// needing a person, not cleared yet.
	EscalatedVIP []DigestItem `json:"escalated_vip"`
	// Yesterday counts the outbound messages of the day before Date, per
	// channel (workspace-wide, also in an agent's part).
	Yesterday []ChannelCount `json:"yesterday"`
}

// AgentCount is how many follow-ups an agent (a Slack user id) has running.
type AgentCount struct {
	Agent string `json:"agent"`
	Count int    `json:"count"`
}

// DigestItem is one follow-up a digest names.
type DigestItem struct {
	ContactID      int64     `json:"contact_id"`
	Contact        string    `json:"contact"`
	Channel        Channel   `json:"channel"`
	Agent          string    `json:"agent"`
	VIP            bool      `json:"vip"`
	WindowClosesAt time.Time `json:"window_closes_at"`
	// Escalation is why an escalated follow-up needs a person (an
	// EscalationTrigger), "" for the others.
	Escalation string `json:"escalation,omitempty"`
}

// ChannelCount is a day's outbound messages on one channel: accepted by
// the provider (Sent; delivered and read ones included), refused by it as
// undeliverable (Refused), or accepted and then not delivered (Failed).
type ChannelCount struct {
	Channel Channel `db:"channel" json:"channel"`
	Sent    int     `db:"sent" json:"sent"`
	Refused int     `db:"refused" json:"refused"`
	Failed  int     `db:"failed" json:"failed"`
}

// ForAgent is the part of d about one agent's follow-ups.
func (d Digest) ForAgent(slackUserID string) Digest {
	p := d
	p.Agent, p.Running, p.RunningByAgent = slackUserID, 0, []AgentCount{}
	for _, c := range d.RunningByAgent {
		if c.Agent == slackUserID {
			p.Running = c.Count
			p.RunningByAgent = []AgentCount{c}
		}
	}
	mine := func(items []DigestItem) []DigestItem {
		out := []DigestItem{}
		for _, it := range items {
			if it.Agent == slackUserID {
				out = append(out, it)
			}
		}
		return out
	}
	p.ClosingToday, p.OverdueVIP, p.EscalatedVIP = mine(d.ClosingToday), mine(d.OverdueVIP), mine(d.EscalatedVIP)
	return p
}

// Text is the digest in English (Phrase's String): times in UTC as
// StampUTC, which the bot turns into Slack dates.
func (d Digest) Text() string { return d.Phrase().String() }

// Phrase is the digest as a Phrase, one line each, for each reader's
// language (i18n.Printer.Phrase): counts are numbers, channels' titles
// and escalations' reasons are Terms, and times are moments, shown in the
// reader's zone.
func (d Digest) Phrase() Phrase {
	var lines []Phrase
	if d.Agent != "" {
		lines = append(lines, Say("Daily digest for %s (your follow-ups, %s)", d.Date, d.TimeZone))
	} else {
		lines = append(lines, Say("Daily digest for %s (workspace, %s)", d.Date, d.TimeZone))
	}
	if d.Agent == "" && len(d.RunningByAgent) > 0 {
		parts := make([]string, len(d.RunningByAgent))
		for i, c := range d.RunningByAgent {
			parts[i] = fmt.Sprintf("%s %d", c.Agent, c.Count)
		}
		lines = append(lines, Say("Running follow-ups: %d (%s)", d.Running, strings.Join(parts, ", ")))
	} else {
		lines = append(lines, Say("Running follow-ups: %d", d.Running))
	}
	list := func(title Phrase, items []DigestItem, when func(DigestItem) Phrase) {
		lines = append(lines, title)
		for _, it := range items {
			format := "  %s (#%d) on %s, agent %s: %s"
			if it.VIP {
				format = "  %s (#%d) on %s, agent %s ★ VIP: %s"
			}
			lines = append(lines, Say(format, it.Contact, it.ContactID, Term(it.Channel.Title()), it.Agent, when(it)))
		}
	}
	list(Say("Windows closing today: %d", len(d.ClosingToday)), d.ClosingToday, func(it DigestItem) Phrase {
		return Say("closes at %s", it.WindowClosesAt)
	})
	list(Say("Overdue VIP follow-ups: %d", len(d.OverdueVIP)), d.OverdueVIP, func(it DigestItem) Phrase {
		return Say("window closed %s", it.WindowClosesAt)
	})
	list(Say("Escalated VIP follow-ups: %d", len(d.EscalatedVIP)), d.EscalatedVIP, func(it DigestItem) Phrase {
		return Say("escalated: %s", Term(EscalationTrigger(it.Escalation).Words()))
	})
	if len(d.Yesterday) == 0 {
		lines = append(lines, Say("Yesterday's sends per channel: none"))
	} else {
		lines = append(lines, Say("Yesterday's sends per channel:"))
	}
	for _, c := range d.Yesterday {
		lines = append(lines, Say("  %s: %d sent, %d refused, %d failed", Term(c.Channel.Title()), c.Sent, c.Refused, c.Failed))
	}
	return sayLines(lines)
}

// sayLines is the Phrase of lines, each ended by a line break.
func sayLines(lines []Phrase) Phrase {
	args := make([]any, len(lines))
	for i, l := range lines {
		args[i] = l
	}
	return Say(strings.Repeat("%s\n", len(lines)), args...)
}
