package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/actions"
	"github.com/followup-dev/followup/i18n"
)

// ActionSnooze is a Snooze button of an escalation; its value is a
// snoozeValue.
const ActionSnooze = "followup.snooze"

// snoozeValue is what a Snooze button carries: the follow-up and how long,
// as `snooze` reads it (read when pressed, in the presser's time zone).
type snoozeValue struct {
	Contact string           `json:"c"`
	Via     followup.Channel `json:"v"`
	When    string           `json:"w"`
}

// snoozeChoices are the Snooze buttons of an escalation.
var snoozeChoices = []struct{ label, when string }{
	{"Snooze 1 h", "1h"}, {"Snooze 4 h", "4h"}, {"Snooze till tomorrow", "tomorrow 9:00"},
}

func (p *parser) snoozeArgs(rest []token) error {
	if len(rest) == 0 {
		return invalid(p.verb, "Say until when: 1h, 4h, tomorrow 9:00, mon 10am or an RFC 3339 time.")
	}
	if n := p.whenWords(rest); n != len(rest) {
		return invalid(p.verb, "snooze takes a contact and a time only, e.g. snooze \"Jane Doe\" 4h.")
	}
	at, err := p.when(joinVals(rest))
	p.cmd.At = at
	return err
}

// supervisorOnly refuses a verb to an agent who is not a supervisor.
func (b *Bot) supervisorOnly(p i18n.Printer, agent followup.Agent, v Verb) *slack.Msg {
	if agent.Role == followup.RoleSupervisor {
		return nil
	}
	return b.errorMsg(p, followup.Errorf(followup.EUnauthorized, "`%s` is for supervisors; you are registered as an agent.", v), "")
}

func (b *Bot) takeOver(ctx context.Context, p i18n.Printer, agent followup.Agent, cmd Command) *slack.Msg {
	if m := b.supervisorOnly(p, agent, VerbTakeOver); m != nil {
		return m
	}
	t, m := b.lookup(ctx, p, cmd)
	if m != nil {
		return m
	}
	res, err := b.act.TakeOver(ctx, actor(agent), t.Contact, cmd.Via, cmd.RequestID)
	var lines []string
	for _, r := range res {
		where := ""
		if r.Channel != "" {
			where = " (" + p.Text(r.Channel.Title()) + ")"
		}
		lines = append(lines, "✅ "+unescapeMentions(escape(p.Phrase(r.Phrase(), nil)))+where)
	}
	if err != nil {
		lines = append(lines, b.errorMsg(p, err, "").Text)
	}
	return textMsg(strings.Join(lines, "\n"))
}

func (b *Bot) snooze(ctx context.Context, p i18n.Printer, agent followup.Agent, cmd Command) *slack.Msg {
	if m := b.supervisorOnly(p, agent, VerbSnooze); m != nil {
		return m
	}
	t, m := b.lookup(ctx, p, cmd)
	if m != nil {
		return m
	}
	res, err := b.act.Snooze(ctx, actor(agent), t.Contact, cmd.Via, cmd.At, cmd.RequestID)
	var lines []string
	for _, r := range res {
		icon := "😴"
		if !r.Snoozed {
			icon = "✅"
		}
		lines = append(lines, icon+" "+slackDates(escape(p.Phrase(r.Phrase(), nil)), b.cfg.Now()))
	}
	if err != nil {
		lines = append(lines, b.errorMsg(p, err, "").Text)
	}
	return textMsg(strings.Join(lines, "\n"))
}

// pressSnooze turns a Snooze button into the snooze command, its time read
// now in the presser's zone, and carries it out like the slash command.
func (b *Bot) pressSnooze(ctx context.Context, p i18n.Printer, agent followup.Agent, cb slack.InteractionCallback, value string) {
	var v snoozeValue
	if err := json.Unmarshal([]byte(value), &v); err != nil || v.Contact == "" {
		b.later(cb, func(context.Context) *slack.Msg {
			return textMsg(p.Text("❌ This button is out of date; run the command again."))
		})
		return
	}
	at, err := actions.ParseWhen(v.When, b.cfg.Now().In(b.zone(ctx, cb.User.ID)))
	if err != nil {
		m := b.errorMsg(p, err, VerbSnooze)
		b.later(cb, func(context.Context) *slack.Msg { return m })
		return
	}
	cmd := Command{Verb: VerbSnooze, Contact: v.Contact, Via: v.Via, At: at}
	if m := b.accept(ctx, p, requestID(), agent, job{Command: &cmd}, cb.ResponseURL); m.Type != msgAck {
		b.later(cb, func(context.Context) *slack.Msg { return m })
	}
}

// escalationBlocks is an escalation as the supervisors' channel shows it:
// what happened, whose it is, and the buttons to act on it.
func escalationBlocks(p i18n.Printer, text string, contact followup.Contact, ch followup.Channel) []slack.Block {
	ref := "#" + strconv.FormatInt(contact.ID, 10)
	take, _ := json.Marshal(Command{Verb: VerbTakeOver, Contact: ref, Via: ch})
	buttons := []slack.BlockElement{
		slack.NewButtonBlockElement(ActionPick, string(take), plain(p.Sprintf("Take over"))).WithStyle(slack.StylePrimary),
	}
	for _, c := range snoozeChoices {
		v, _ := json.Marshal(snoozeValue{Contact: ref, Via: ch, When: c.when})
		buttons = append(buttons, slack.NewButtonBlockElement(ActionSnooze, string(v), plain(p.Text(c.label))))
	}
	buttons = append(buttons, slack.NewButtonBlockElement(ActionStatus, strconv.FormatInt(contact.ID, 10), plain(p.Sprintf("Status"))))
	line := fmt.Sprintf(":star: VIP %s · %s · %s", escape(contact.FullName()), ref, p.Text(ch.Title()))
	return []slack.Block{
		slack.NewSectionBlock(md(text), nil, nil),
		slack.NewContextBlock("", md(line)),
		slack.NewActionBlock("escalation", buttons...),
	}
}

// mention is a Slack user mention as escape leaves it.
var mention = regexp.MustCompile(`&lt;@([UW][A-Z0-9]{2,20})&gt;`)

// unescapeMentions restores the user mentions (<@U…>) a follow-up writes
// in its texts after escape, so Slack shows them as people.
func unescapeMentions(s string) string { return mention.ReplaceAllString(s, "<@$1>") }
