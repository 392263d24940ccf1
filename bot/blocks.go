package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/actions"
	"github.com/followup-dev/followup/window"
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
func (b *Bot) usage(v Verb) string {
	return strings.Replace(Usage(v), commandName, b.cfg.Command, 1)
}

func helpMsg(command string, agent followup.Agent) *slack.Msg {
	text := strings.ReplaceAll(Help(), commandName, command)
	intro := fmt.Sprintf("Hi %s! followup finds customers whose conversations are closed and follows up on the channel they used, in the only form that channel allows now.", agent.Name)
	return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: intro + "\n" + text, Blocks: slack.Blocks{BlockSet: []slack.Block{
		slack.NewSectionBlock(md(intro), nil, nil),
		slack.NewSectionBlock(md("```"+text+"```"), nil, nil),
		slack.NewContextBlock("", md("Channels: whatsapp, messenger, instagram, viber, wechat, telegram, line, webchat, sms, email. Tags: ACCOUNT_UPDATE, CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE.")),
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
func (b *Bot) find(ctx context.Context, q actions.Query) *slack.Msg {
	page, err := b.act.Find(ctx, q)
	if err != nil {
		return b.errorMsg(err, VerbFind)
	}
	set, err := b.act.Settings(ctx)
	if err != nil {
		return b.errorMsg(err, "")
	}
	status := q.Status
	if status == "" {
		status = actions.StatusClosed
	}
	scope := "all contacts"
	if q.Inbox == actions.InboxMine {
		scope = "your contacts"
	}
	if len(page.Results) == 0 {
		if q.Offset > 0 {
			return textMsg("No more contacts.")
		}
		if status == actions.StatusAny {
			return textMsg(fmt.Sprintf("No contact matches “%s” in %s. Search by name, email or phone; try another spelling.", escape(q.Text), scope))
		}
		return textMsg(fmt.Sprintf("No %s contact matches “%s” in %s. Try `--any` or another spelling.", status, escape(q.Text), scope))
	}
	header := fmt.Sprintf("%s contacts matching “%s” in %s (%s):", capitalize(string(status)), escape(q.Text), scope, page.Kind)
	if status == actions.StatusAny {
		header = fmt.Sprintf("Contacts matching “%s” in %s (%s):", escape(q.Text), scope, page.Kind)
	}
	if q.Offset > 0 {
		kind := string(status) + " "
		if status == actions.StatusAny {
			kind = ""
		}
		header = fmt.Sprintf("More %scontacts matching “%s” (from %d):", kind, escape(q.Text), q.Offset+1)
	}
	blocks := []slack.Block{slack.NewSectionBlock(md(header), nil, nil)}
	names := map[int64]string{}
	now := b.cfg.Now()
	for _, r := range page.Results {
		blocks = append(blocks, slack.NewDividerBlock(), contactBlock(r.Contact, r.Identities, actions.Windows(r.Identities, set, now), b.agentName(ctx, r.AssigneeID, names), now))
		id := strconv.FormatInt(r.ID, 10)
		blocks = append(blocks, slack.NewActionBlock("",
			slack.NewButtonBlockElement(ActionFollowUp, id, plain("Follow up")).WithStyle(slack.StylePrimary),
			slack.NewButtonBlockElement(ActionStatus, id, plain("Status"))))
	}
	if page.HasMore {
		v, _ := json.Marshal(moreValue{Text: q.Text, Inbox: string(q.Inbox), Status: string(q.Status), Offset: q.Offset + len(page.Results)})
		blocks = append(blocks, slack.NewDividerBlock(), slack.NewActionBlock("", slack.NewButtonBlockElement(ActionMore, string(v), plain("More"))))
	}
	return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: header, Blocks: slack.Blocks{BlockSet: blocks}}
}

// agentName names an assignee, caching lookups in names.
func (b *Bot) agentName(ctx context.Context, id *int64, names map[int64]string) string {
	if id == nil {
		return "unassigned"
	}
	if n, ok := names[*id]; ok {
		return n
	}
	n := fmt.Sprintf("agent #%d", *id)
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
func contactBlock(c followup.Contact, ids []followup.Identity, ws []window.State, assignee string, now time.Time) slack.Block {
	var sb strings.Builder
	fmt.Fprintf(&sb, "*%s*", escape(c.FullName()))
	if c.VIP {
		sb.WriteString("  :star: VIP")
	}
	fmt.Fprintf(&sb, "  ·  #%d\n", c.ID)
	last := "no activity yet"
	if c.LastActivityAt != nil {
		last = "last activity " + ago(now.Sub(*c.LastActivityAt))
	}
	fmt.Fprintf(&sb, "Conversation %s · %s · %s\n", c.Status, assignee, last)
	for i, w := range ws {
		sb.WriteString(channelLine(ids[i], w) + "\n")
	}
	return slack.NewSectionBlock(md(strings.TrimRight(sb.String(), "\n")), nil, nil)
}

// channelLine is "• WhatsApp: template only" with when that changes.
func channelLine(id followup.Identity, w window.State) string {
	icon := "🟢"
	switch w.Allowance {
	case window.Nothing:
		icon = "⛔"
	case window.TemplateOnly, window.TagOnly, window.Chatbot, window.HumanAgent:
		icon = "🟡"
	}
	return icon + " " + w.Summary()
}

func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	}
	return fmt.Sprintf("%dd ago", int(d.Hours()/24))
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// pickMsg lists the contacts an ambiguous reference matches, each with a
// button that runs the command again for that contact.
func pickMsg(cmd Command, rs []actions.Result) *slack.Msg {
	header := fmt.Sprintf("“%s” matches several contacts; which one?", escape(cmd.Contact))
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
			button = slack.NewAccessory(slack.NewButtonBlockElement(ActionPick, string(v), plain("Pick")))
		}
		blocks = append(blocks, slack.NewSectionBlock(md(line), nil, button))
	}
	return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: header, Blocks: slack.Blocks{BlockSet: blocks}}
}

// outcomeMsg tells the agent what a send did.
func outcomeMsg(t actions.Target, out actions.SendOutcome) *slack.Msg {
	switch out.Outcome {
	case actions.OutcomeScheduled:
		// The follow-up's message says when in UTC ("Scheduled for …").
		return textMsg(fmt.Sprintf("🕒 %s with %s: %s", t.Channel.Title(), escape(t.Contact.FullName()), slackDates(escape(out.Message), time.Now())))
	case actions.OutcomeUnconfirmed:
		return textMsg("⚠️ " + escape(out.Message))
	case actions.OutcomeInProgress:
		return textMsg("⏳ " + escape(out.Message))
	}
	// The follow-up's message names the contact, the channel and the mode.
	return textMsg("✅ " + escape(out.Message))
}

// statusBlocks shows a contact's channels and running follow-ups.
func statusBlocks(t actions.Target, states []actions.State, ws []window.State) []slack.Block {
	c := t.Contact
	head := fmt.Sprintf("*%s*", escape(c.FullName()))
	if c.VIP {
		head += "  :star: VIP"
	}
	head += fmt.Sprintf("  ·  #%d · conversation %s", c.ID, c.Status)
	lines := []string{head}
	for i, w := range ws {
		lines = append(lines, channelLine(t.Identities[i], w))
	}
	blocks := []slack.Block{slack.NewSectionBlock(md(clip(strings.Join(lines, "\n"), maxSectionText)), nil, nil)}
	if len(states) == 0 {
		blocks = append(blocks, slack.NewContextBlock("", md("No follow-up is running.")))
	}
	for _, s := range states {
		w := s.Window
		var sb strings.Builder
		fmt.Fprintf(&sb, "*%s follow-up*: %s, agent <@%s>\nNow: %s", s.Channel.Title(), s.Status, s.AgentSlack, w.Allowance.Label())
		if !w.OpenUntil.IsZero() {
			fmt.Fprintf(&sb, " until %s, then %s", slackDate(w.OpenUntil), w.Next.Label())
		}
		if w.Remaining >= 0 {
			fmt.Fprintf(&sb, " (%d left)", w.Remaining)
		}
		fmt.Fprintf(&sb, "\nSent since the customer last wrote: %d", s.SentInWindow)
		if c := s.CadenceStatus(); c != "" {
			sb.WriteString("\n🔁 " + slackDates(capitalize(c), time.Now()))
		}
		if e := s.EscalationStatus(); e != "" {
			sb.WriteString("\n🚨 " + slackDates(capitalize(e), time.Now()))
		}
		scheduled := slices.Clone(s.Scheduled)
		slices.SortStableFunc(scheduled, func(a, b actions.Scheduled) int { return a.At.Compare(b.At) })
		for _, sc := range scheduled {
			sb.WriteString("\n" + scheduledLine(s, sc))
		}
		for i := max(0, len(s.Attempts)-3); i < len(s.Attempts); i++ {
			at := s.Attempts[i]
			touch := ""
			if at.Touch > 0 {
				touch = fmt.Sprintf("touch %d ", at.Touch)
			}
			fmt.Fprintf(&sb, "\n• %s %s%s", slackDate(at.At), touch, at.Describe())
		}
		blocks = append(blocks, slack.NewDividerBlock(), slack.NewSectionBlock(md(clip(sb.String(), maxSectionText)), nil, nil))
	}
	return blocks
}

// scheduledLine is a scheduled send as status shows it: when, what, and
// what goes instead if the window has closed by then.
func scheduledLine(s actions.State, sc actions.Scheduled) string {
	return fmt.Sprintf("🕒 #%d at %s: %s", sc.ID, slackDate(sc.At), escape(s.DescribeScheduled(sc)))
}

// followupBlocks lists running follow-ups (App Home, vip), overdue first.
func (b *Bot) followupBlocks(ctx context.Context, title string, fs []actions.Summary) []slack.Block {
	blocks := []slack.Block{slack.NewHeaderBlock(plain(title))}
	if len(fs) == 0 {
		return append(blocks, slack.NewContextBlock("", md("None running.")))
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
			blocks = append(blocks, slack.NewContextBlock("", md(fmt.Sprintf("…and %d more.", len(fs)-maxShown))))
			break
		}
		name := fmt.Sprintf("contact #%d", f.ContactID)
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
					cadence = s.CadenceStatus()
				}
			}
		}
		line := fmt.Sprintf("*%s* on %s · %s · <@%s>", name, f.Channel.Title(), f.Status, f.Agent)
		if f.VIP {
			line += " · :star: VIP"
		}
		switch {
		case f.WindowClosesAt.IsZero():
		case !f.WindowClosesAt.After(now):
			line += fmt.Sprintf("\n🔴 *overdue*: window closed %s", ago(now.Sub(f.WindowClosesAt)))
		default:
			line += fmt.Sprintf("\nwindow closes in %s (%s)", until(f.WindowClosesAt.Sub(now)), slackDate(f.WindowClosesAt))
		}
		if cadence != "" {
			line += "\n🔁 " + cadence
		}
		blocks = append(blocks, slack.NewSectionBlock(md(line), nil,
			slack.NewAccessory(slack.NewButtonBlockElement(ActionStatus, strconv.FormatInt(f.ContactID, 10), plain("Status")))))
	}
	return blocks
}

// stateBudget bounds the time a list of follow-ups spends reading their
// states (one query each) for their cadences.
const stateBudget = 3 * time.Second

func until(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes())+1)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

// recentChanges is how many audit log rows a supervisor's App Home shows.
const recentChanges = 10

// auditBlocks shows a supervisor the latest changes in the audit log: who
// did what, to whom, when and from where.
func (b *Bot) auditBlocks(ctx context.Context, userID string) []slack.Block {
	blocks := []slack.Block{slack.NewHeaderBlock(plain("Recent changes"))}
	es, err := b.act.Audit(ctx, actions.AuditFilter{Limit: recentChanges})
	switch {
	case err != nil:
		b.log.Error("slack: read the audit log for App Home", "user", userID, "err", err)
		return append(blocks, slack.NewContextBlock("", md("⚠️ The audit log cannot be read right now. Open this tab again in a minute.")))
	case len(es) == 0:
		return append(blocks, slack.NewContextBlock("", md("No changes recorded yet.")))
	}
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = auditLine(e)
	}
	blocks = append(blocks, sections(lines)...)
	return append(blocks, slack.NewContextBlock("", md("`followup audit` at the command line shows more.")))
}

// auditLine is one audit log row on a line.
func auditLine(e followup.AuditEntry) string {
	who := escape(e.Actor)
	if e.Source == followup.SourceSlack {
		who = "<@" + e.Actor + ">"
	}
	parts := []string{fmt.Sprintf("• %s %s (%s): *%s*", slackDate(e.At), who, e.Source, strings.ReplaceAll(string(e.Action), "_", " "))}
	switch {
	case e.ContactName != "":
		parts = append(parts, fmt.Sprintf("%s #%d", escape(e.ContactName), e.ContactID))
	case e.ContactID != 0:
		parts = append(parts, fmt.Sprintf("contact #%d", e.ContactID))
	}
	if e.Channel != "" {
		parts = append(parts, e.Channel.Title())
	}
	if d := e.DetailText(); d != "" {
		parts = append(parts, escape(truncate(d, 120)))
	}
	return strings.Join(parts, " · ")
}
