package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/actions"
	"github.com/followup-dev/followup/i18n"
	"github.com/followup-dev/followup/window"
	"github.com/followup-dev/followup/workflows"
)

// Action ids of the bot's buttons.
const (
	ActionFollowUp = "followup.open"   // value: contact id; opens the Follow up modal
	ActionStatus   = "followup.status" // value: contact id
	ActionMore     = "followup.more"   // value: a moreValue
	ActionPick     = "followup.pick"   // value: a Command with the picked contact
)

// moreValue is the More button's value: the search and where the next page starts.
type moreValue struct {
	Text   string `json:"q"`
	Inbox  string `json:"i,omitempty"`
	Status string `json:"s,omitempty"`
	Offset int    `json:"o"`
}

// usage is the verb's usage line under the configured command name.
func (b *Bot) usage(p i18n.Printer, v Verb) string {
	return strings.Replace(usageIn(p, v), commandName, b.cfg.Command, 1)
}

func helpMsg(p i18n.Printer, command string, agent followup.Agent) *slack.Msg {
	text := strings.ReplaceAll(helpIn(p), commandName, command)
	intro := p.Sprintf("Hi %s! followup finds customers whose conversations are closed and follows up on the channel they used, in the only form that channel allows now.", agent.Name)
	return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: intro + "\n" + text, Blocks: slack.Blocks{BlockSet: []slack.Block{
		slack.NewSectionBlock(md(intro), nil, nil),
		slack.NewSectionBlock(md("```"+text+"```"), nil, nil),
		slack.NewContextBlock("", md(p.Sprintf("Channels: whatsapp, messenger, instagram, viber, wechat, telegram, line, webchat, sms, email. Tags: ACCOUNT_UPDATE, CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE."))),
	}}}
}

func md(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, text, false, false)
}

func plain(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, text, true, false)
}

// escape keeps customer-supplied text from being read as Slack markup.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// find answers a search with one page of contacts.
func (b *Bot) find(ctx context.Context, p i18n.Printer, q actions.Query) *slack.Msg {
	page, err := b.act.Find(ctx, q)
	if err != nil {
		return b.errorMsg(p, err, VerbFind)
	}
	set, err := b.act.Settings(ctx)
	if err != nil {
		return b.errorMsg(p, err, "")
	}
	status := q.Status
	if status == "" {
		status = actions.StatusClosed
	}
	mine := q.Inbox == actions.InboxMine
	if len(page.Results) == 0 {
		switch {
		case q.Offset > 0:
			return textMsg(p.Sprintf("No more contacts."))
		case status == actions.StatusAny && mine:
			return textMsg(p.Sprintf("No contact matches “%s” in your contacts. Search by name, email or phone; try another spelling.", escape(q.Text)))
		case status == actions.StatusAny:
			return textMsg(p.Sprintf("No contact matches “%s” in all contacts. Search by name, email or phone; try another spelling.", escape(q.Text)))
		case status == actions.StatusOpen && mine:
			return textMsg(p.Sprintf("No open contact matches “%s” in your contacts. Try `--any` or another spelling.", escape(q.Text)))
		case status == actions.StatusOpen:
			return textMsg(p.Sprintf("No open contact matches “%s” in all contacts. Try `--any` or another spelling.", escape(q.Text)))
		case mine:
			return textMsg(p.Sprintf("No closed contact matches “%s” in your contacts. Try `--any` or another spelling.", escape(q.Text)))
		}
		return textMsg(p.Sprintf("No closed contact matches “%s” in all contacts. Try `--any` or another spelling.", escape(q.Text)))
	}
	kind := p.Word("search", string(page.Kind))
	var header string
	switch {
	case q.Offset > 0 && status == actions.StatusAny:
		header = p.Sprintf("More contacts matching “%s” (from %d):", escape(q.Text), q.Offset+1)
	case q.Offset > 0 && status == actions.StatusOpen:
		header = p.Sprintf("More open contacts matching “%s” (from %d):", escape(q.Text), q.Offset+1)
	case q.Offset > 0:
		header = p.Sprintf("More closed contacts matching “%s” (from %d):", escape(q.Text), q.Offset+1)
	case status == actions.StatusAny && mine:
		header = p.Sprintf("Contacts matching “%s” in your contacts (%s):", escape(q.Text), kind)
	case status == actions.StatusAny:
		header = p.Sprintf("Contacts matching “%s” in all contacts (%s):", escape(q.Text), kind)
	case status == actions.StatusOpen && mine:
		header = p.Sprintf("Open contacts matching “%s” in your contacts (%s):", escape(q.Text), kind)
	case status == actions.StatusOpen:
		header = p.Sprintf("Open contacts matching “%s” in all contacts (%s):", escape(q.Text), kind)
	case mine:
		header = p.Sprintf("Closed contacts matching “%s” in your contacts (%s):", escape(q.Text), kind)
	default:
		header = p.Sprintf("Closed contacts matching “%s” in all contacts (%s):", escape(q.Text), kind)
	}
	blocks := []slack.Block{slack.NewSectionBlock(md(header), nil, nil)}
	names := map[int64]string{}
	now := b.cfg.Now()
	for _, r := range page.Results {
		blocks = append(blocks, slack.NewDividerBlock(), contactBlock(p, r.Contact, r.Identities, actions.Windows(r.Identities, set, now), b.agentName(ctx, p, r.AssigneeID, names), now))
		id := strconv.FormatInt(r.ID, 10)
		blocks = append(blocks, slack.NewActionBlock("",
			slack.NewButtonBlockElement(ActionFollowUp, id, plain(p.Sprintf("Follow up"))).WithStyle(slack.StylePrimary),
			slack.NewButtonBlockElement(ActionStatus, id, plain(p.Sprintf("Status")))))
	}
	if page.HasMore {
		v, _ := json.Marshal(moreValue{Text: q.Text, Inbox: string(q.Inbox), Status: string(q.Status), Offset: q.Offset + len(page.Results)})
		blocks = append(blocks, slack.NewDividerBlock(), slack.NewActionBlock("", slack.NewButtonBlockElement(ActionMore, string(v), plain(p.Sprintf("More")))))
	}
	return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: header, Blocks: slack.Blocks{BlockSet: blocks}}
}

// agentName names an assignee, caching lookups in names.
func (b *Bot) agentName(ctx context.Context, p i18n.Printer, id *int64, names map[int64]string) string {
	if id == nil {
		return p.Sprintf("unassigned")
	}
	if n, ok := names[*id]; ok {
		return n
	}
	n := p.Sprintf("agent #%d", *id)
	if a, err := b.act.Agent(ctx, *id); err == nil {
		n = a.Name
		if a.SlackUserID != "" {
			n = "<@" + a.SlackUserID + ">"
		}
	}
	names[*id] = n
	return n
}

// contactBlock shows a contact: name, VIP badge, conversation, assignee,
// last activity, and what may be sent now on each channel.
func contactBlock(p i18n.Printer, c followup.Contact, ids []followup.Identity, ws []window.State, assignee string, now time.Time) slack.Block {
	var sb strings.Builder
	fmt.Fprintf(&sb, "*%s*", escape(c.FullName()))
	if c.VIP {
		sb.WriteString("  :star: VIP")
	}
	fmt.Fprintf(&sb, "  ·  #%d\n", c.ID)
	last := p.Sprintf("no activity yet")
	if c.LastActivityAt != nil {
		last = p.Sprintf("last activity %s", ago(p, now.Sub(*c.LastActivityAt)))
	}
	sb.WriteString(p.Sprintf("Conversation %s · %s · %s", conversationStatus(c.Status), assignee, last) + "\n")
	for i, w := range ws {
		sb.WriteString(channelLine(p, ids[i], w) + "\n")
	}
	return slack.NewSectionBlock(md(strings.TrimRight(sb.String(), "\n")), nil, nil)
}

// conversationStatus is a conversation's status (open, closed) as the
// reader's language says it.
func conversationStatus(s followup.ConvStatus) i18n.Message { return i18n.Msg(string(s)) }

// channelLine is "• WhatsApp: template only" with when that changes.
func channelLine(p i18n.Printer, id followup.Identity, w window.State) string {
	icon := "🟢"
	switch w.Allowance {
	case window.Nothing:
		icon = "⛔"
	case window.TemplateOnly, window.TagOnly, window.Chatbot, window.HumanAgent:
		icon = "🟡"
	}
	return icon + " " + windowSummary(p, w)
}

// windowSummary is window.State.Summary in p's language: "WhatsApp: free
// text until Mar 2 14:05 UTC, then template only".
func windowSummary(p i18n.Printer, s window.State) string {
	title, now := p.Text(s.Channel.Title()), p.Text(s.Allowance.Label())
	var out string
	switch {
	case s.OpenUntil.IsZero():
		out = p.Sprintf("%s: %s", title, now)
	case s.Next == "":
		out = p.Sprintf("%s: %s until %s", title, now, s.OpenUntil.UTC().Format(utcLayout))
	default:
		out = p.Sprintf("%s: %s until %s, then %s", title, now, s.OpenUntil.UTC().Format(utcLayout), p.Text(s.Next.Label()))
	}
	if s.Remaining >= 0 && s.Allowance != window.Nothing {
		out += p.Sprintf(" (%d left)", s.Remaining)
	}
	return out
}

func ago(p i18n.Printer, d time.Duration) string {
	switch {
	case d < time.Minute:
		return p.Sprintf("just now")
	case d < time.Hour:
		return p.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return p.Sprintf("%dh ago", int(d.Hours()))
	}
	return p.Sprintf("%dd ago", int(d.Hours()/24))
}

// capitalize upper-cases the first letter of s (of any alphabet).
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// pickMsg lists the contacts an ambiguous reference matches, each with a
// button that runs the command again for that contact.
func pickMsg(p i18n.Printer, cmd Command, rs []actions.Result) *slack.Msg {
	header := p.Sprintf("“%s” matches several contacts; which one?", escape(cmd.Contact))
	blocks := []slack.Block{slack.NewSectionBlock(md(header), nil, nil)}
	for _, r := range rs {
		line := fmt.Sprintf("*%s*  #%d", escape(r.FullName()), r.ID)
		if r.Email != "" {
			line += " · " + escape(r.Email)
		}
		if r.VIP {
			line += " · :star: VIP"
		}
		line += " · " + actions.ChannelList(r.Identities)
		picked := cmd
		picked.Contact = "#" + strconv.FormatInt(r.ID, 10)
		picked.RequestID = "pick-" + requestID()
		v, err := json.Marshal(picked)
		var button *slack.Accessory
		if err == nil && len(v) <= 2000 {
			button = slack.NewAccessory(slack.NewButtonBlockElement(ActionPick, string(v), plain(p.Sprintf("Pick"))))
		}
		blocks = append(blocks, slack.NewSectionBlock(md(line), nil, button))
	}
	return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: header, Blocks: slack.Blocks{BlockSet: blocks}}
}

// outcomeMsg tells the agent what a send did, in the follow-up's own
// words (package workflows writes them as a phrase) in the agent's
// language; its times show in the reader's zone.
func outcomeMsg(p i18n.Printer, t actions.Target, out actions.SendOutcome) *slack.Msg {
	said := slackDates(escape(p.Phrase(out.Phrase(), nil)), time.Now())
	switch out.Outcome {
	case actions.OutcomeScheduled:
		return textMsg(p.Sprintf("🕒 %s with %s: %s", p.Text(t.Channel.Title()), escape(t.Contact.FullName()), said))
	case actions.OutcomeUnconfirmed:
		return textMsg("⚠️ " + said)
	case actions.OutcomeInProgress:
		return textMsg("⏳ " + said)
	}
	// The follow-up's message names the contact, the channel and the mode.
	return textMsg("✅ " + said)
}

// statusBlocks shows a contact's channels and running follow-ups.
func statusBlocks(p i18n.Printer, t actions.Target, states []actions.State, ws []window.State) []slack.Block {
	c := t.Contact
	head := fmt.Sprintf("*%s*", escape(c.FullName()))
	if c.VIP {
		head += "  :star: VIP"
	}
	head += p.Sprintf("  ·  #%d · conversation %s", c.ID, conversationStatus(c.Status))
	lines := []string{head}
	for i, w := range ws {
		lines = append(lines, channelLine(p, t.Identities[i], w))
	}
	blocks := []slack.Block{slack.NewSectionBlock(md(clip(strings.Join(lines, "\n"), maxSectionText)), nil, nil)}
	if len(states) == 0 {
		blocks = append(blocks, slack.NewContextBlock("", md(p.Sprintf("No follow-up is running."))))
	}
	for _, s := range states {
		w := s.Window
		var sb strings.Builder
		sb.WriteString(p.Sprintf("*%s follow-up*: %s, agent <@%s>\nNow: %s", p.Text(s.Channel.Title()), followupStatus(s.Status), s.AgentSlack, p.Text(w.Allowance.Label())))
		if !w.OpenUntil.IsZero() {
			sb.WriteString(p.Sprintf(" until %s, then %s", slackDate(w.OpenUntil), p.Text(w.Next.Label())))
		}
		if w.Remaining >= 0 {
			sb.WriteString(p.Sprintf(" (%d left)", w.Remaining))
		}
		sb.WriteString(p.Sprintf("\nSent since the customer last wrote: %d", s.SentInWindow))
		if c := CadenceStatus(p, s); c != "" {
			sb.WriteString("\n🔁 " + slackDates(capitalize(c), time.Now()))
		}
		if e := s.EscalationStatus(); !e.IsZero() {
			sb.WriteString("\n🚨 " + slackDates(escape(p.Phrase(e, nil)), time.Now()))
		}
		scheduled := slices.Clone(s.Scheduled)
		slices.SortStableFunc(scheduled, func(a, b actions.Scheduled) int { return a.At.Compare(b.At) })
		for _, sc := range scheduled {
			sb.WriteString("\n" + scheduledLine(p, s, sc))
		}
		for i := max(0, len(s.Attempts)-3); i < len(s.Attempts); i++ {
			at := s.Attempts[i]
			if at.Touch > 0 {
				sb.WriteString(p.Sprintf("\n• %s touch %d %s", slackDate(at.At), at.Touch, DescribeAttempt(p, at)))
			} else {
				fmt.Fprintf(&sb, "\n• %s %s", slackDate(at.At), DescribeAttempt(p, at))
			}
		}
		blocks = append(blocks, slack.NewDividerBlock(), slack.NewSectionBlock(md(clip(sb.String(), maxSectionText)), nil, nil))
	}
	return blocks
}

// followupStatus is a follow-up's status (waiting, scheduled, …) as the
// reader's language says it.
func followupStatus(s workflows.Status) i18n.Message { return i18n.Word("status", string(s)) }

// scheduledLine is a scheduled send as status shows it: when, what, and
// what goes instead if the window has closed by then.
func scheduledLine(p i18n.Printer, s actions.State, sc actions.Scheduled) string {
	return p.Sprintf("🕒 #%d at %s: %s", sc.ID, slackDate(sc.At), escape(DescribeScheduled(p, s, sc)))
}

// followupBlocks lists running follow-ups (App Home, vip), overdue first,
// under title.
func (b *Bot) followupBlocks(ctx context.Context, p i18n.Printer, title string, fs []actions.Summary) []slack.Block {
	blocks := []slack.Block{slack.NewHeaderBlock(plain(title))}
	if len(fs) == 0 {
		return append(blocks, slack.NewContextBlock("", md(p.Sprintf("None running."))))
	}
	now := b.cfg.Now()
	const maxShown = 40 // Slack allows 50 blocks (100 in App Home)
	// Where a cadence is lives in the follow-up's state, not in
	// visibility: read the states, for a bounded time; a follow-up not
	// read by then is listed without it.
	sctx, cancel := context.WithTimeout(ctx, stateBudget)
	defer cancel()
	states := map[int64][]actions.State{}
	for i, f := range fs {
		if i == maxShown {
			blocks = append(blocks, slack.NewContextBlock("", md(p.Sprintf("…and %d more.", len(fs)-maxShown))))
			break
		}
		name := p.Sprintf("contact #%d", f.ContactID)
		cadence := ""
		if c, err := b.act.Contact(ctx, f.ContactID); err == nil {
			name = escape(c.FullName())
			ss, read := states[c.ID]
			if !read && sctx.Err() == nil {
				ss, _ = b.act.Status(sctx, c)
				states[c.ID] = ss
			}
			for _, s := range ss {
				if s.Channel == f.Channel {
					cadence = CadenceStatus(p, s)
				}
			}
		}
		line := p.Sprintf("*%s* on %s · %s · <@%s>", name, p.Text(f.Channel.Title()), followupStatus(f.Status), f.Agent)
		if f.VIP {
			line += " · :star: VIP"
		}
		switch {
		case f.WindowClosesAt.IsZero():
		case !f.WindowClosesAt.After(now):
			line += p.Sprintf("\n🔴 *overdue*: window closed %s", ago(p, now.Sub(f.WindowClosesAt)))
		default:
			line += p.Sprintf("\nwindow closes in %s (%s)", until(p, f.WindowClosesAt.Sub(now)), slackDate(f.WindowClosesAt))
		}
		if cadence != "" {
			line += "\n🔁 " + cadence
		}
		blocks = append(blocks, slack.NewSectionBlock(md(line), nil,
			slack.NewAccessory(slack.NewButtonBlockElement(ActionStatus, strconv.FormatInt(f.ContactID, 10), plain(p.Sprintf("Status"))))))
	}
	return blocks
}

// stateBudget bounds the time a list of follow-ups spends reading their
// states (one query each) for their cadences.
const stateBudget = 3 * time.Second

func until(p i18n.Printer, d time.Duration) string {
	switch {
	case d < time.Hour:
		return p.Sprintf("%dm", int(d.Minutes())+1)
	case d < 48*time.Hour:
		return p.Sprintf("%dh", int(d.Hours()))
	}
	return p.Sprintf("%dd", int(d.Hours()/24))
}

// recentChanges is how many audit log rows a supervisor's App Home shows.
const recentChanges = 10

// auditBlocks shows a supervisor the latest changes in the audit log: who
// did what, to whom, when and from where.
func (b *Bot) auditBlocks(ctx context.Context, p i18n.Printer, userID string) []slack.Block {
	blocks := []slack.Block{slack.NewHeaderBlock(plain(p.Sprintf("Recent changes")))}
	es, err := b.act.Audit(ctx, actions.AuditFilter{Limit: recentChanges})
	switch {
	case err != nil:
		b.log.Error("slack: read the audit log for App Home", "user", userID, "err", err)
		return append(blocks, slack.NewContextBlock("", md(p.Sprintf("⚠️ The audit log cannot be read right now. Open this tab again in a minute."))))
	case len(es) == 0:
		return append(blocks, slack.NewContextBlock("", md(p.Sprintf("No changes recorded yet."))))
	}
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = auditLine(p, e)
	}
	blocks = append(blocks, sections(p, lines)...)
	return append(blocks, slack.NewContextBlock("", md(p.Sprintf("`followup audit` at the command line shows more."))))
}

// auditLine is one audit log row on a line. In English its action
// (followup cadence started) and details (key=value) are the log's own
// words; in another language, the catalog's (AuditAction, AuditDetail).
func auditLine(p i18n.Printer, e followup.AuditEntry) string {
	who := escape(e.Actor)
	if e.Source == followup.SourceSlack {
		who = "<@" + e.Actor + ">"
	}
	action := AuditAction(p, e.Action)
	if p.Lang() == i18n.English {
		action = strings.ReplaceAll(action, "_", " ")
	}
	parts := []string{fmt.Sprintf("• %s %s (%s): *%s*", slackDate(e.At), who, AuditSource(p, e.Source), action)}
	switch {
	case e.ContactName != "":
		parts = append(parts, fmt.Sprintf("%s #%d", escape(e.ContactName), e.ContactID))
	case e.ContactID != 0:
		parts = append(parts, p.Sprintf("contact #%d", e.ContactID))
	}
	if e.Channel != "" {
		parts = append(parts, p.Text(e.Channel.Title()))
	}
	if d := AuditDetail(p, e); d != "" {
		parts = append(parts, escape(truncate(d, 120)))
	}
	return strings.Join(parts, " · ")
}
