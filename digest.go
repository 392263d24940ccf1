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

// Text is the digest as plain text, times in its time zone.
func (d Digest) Text() string {
	loc, err := time.LoadLocation(d.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	var b strings.Builder
	who := "workspace"
	if d.Agent != "" {
		who = "your follow-ups"
	}
	fmt.Fprintf(&b, "Daily digest for %s (%s, %s)\n", d.Date, who, d.TimeZone)
	fmt.Fprintf(&b, "Running follow-ups: %d", d.Running)
	if d.Agent == "" && len(d.RunningByAgent) > 0 {
		parts := make([]string, len(d.RunningByAgent))
		for i, c := range d.RunningByAgent {
			parts[i] = fmt.Sprintf("%s %d", c.Agent, c.Count)
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(parts, ", "))
	}
	b.WriteString("\n")
	list := func(title, none string, items []DigestItem, when func(DigestItem) string) {
		fmt.Fprintf(&b, "%s: %d\n", title, len(items))
		if len(items) == 0 && none != "" {
			fmt.Fprintf(&b, "  %s\n", none)
		}
		for _, it := range items {
			vip := ""
			if it.VIP {
				vip = " ★ VIP"
			}
			fmt.Fprintf(&b, "  %s (#%d) on %s, agent %s%s: %s\n", it.Contact, it.ContactID, it.Channel.Title(), it.Agent, vip, when(it))
		}
	}
	list("Windows closing today", "", d.ClosingToday, func(it DigestItem) string {
		return "closes at " + it.WindowClosesAt.In(loc).Format("15:04 MST")
	})
	list("Overdue VIP follow-ups", "", d.OverdueVIP, func(it DigestItem) string {
		return "window closed " + it.WindowClosesAt.In(loc).Format("Jan 2 15:04 MST")
	})
	list("Escalated VIP follow-ups", "", d.EscalatedVIP, func(it DigestItem) string {
		return "escalated: " + EscalationTrigger(it.Escalation).Words()
	})
	b.WriteString("Yesterday's sends per channel:")
	if len(d.Yesterday) == 0 {
		b.WriteString(" none\n")
	} else {
		b.WriteString("\n")
	}
	for _, c := range d.Yesterday {
		fmt.Fprintf(&b, "  %s: %d sent, %d refused, %d failed\n", c.Channel.Title(), c.Sent, c.Refused, c.Failed)
	}
	return b.String()
}
