package bot

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/actions"
	"github.com/followup-dev/followup/i18n"
)

// Interaction answers a button press or a modal submission. The result is
// the body of the immediate answer: nil for an empty 200, or a
// *slack.ViewSubmissionResponse with errors to show on the modal's fields.
// Slower work answers through the response_url or by direct message.
func (b *Bot) Interaction(ctx context.Context, cb slack.InteractionCallback) any {
	p := b.printer(ctx, cb.User.ID)
	agent, err := b.authorize(ctx, cb.Team.ID, cb.User.ID)
	if err != nil {
		if cb.Type == slack.InteractionTypeViewSubmission {
			return slack.NewErrorsViewSubmissionResponse(map[string]string{blockChannel: p.Error(err)})
		}
		m := b.errorMsg(p, err, "")
		b.later(cb, func(context.Context) *slack.Msg { return m })
		return nil
	}
	switch cb.Type {
	case slack.InteractionTypeViewSubmission:
		if cb.View.CallbackID == CallbackFollowUp {
			if r := b.submitFollowUp(ctx, p, agent, cb.View); r != nil {
				return r
			}
		}
		return nil
	case slack.InteractionTypeBlockActions:
		for _, a := range cb.ActionCallback.BlockActions {
			b.action(ctx, p, agent, cb, a)
		}
	}
	return nil
}

// action handles one button.
func (b *Bot) action(ctx context.Context, p i18n.Printer, agent followup.Agent, cb slack.InteractionCallback, a *slack.BlockAction) {
	switch a.ActionID {
	case ActionFollowUp:
		// trigger_id expires 3 s after the click: open the modal now.
		id, err := strconv.ParseInt(a.Value, 10, 64)
		if err == nil {
			err = b.openFollowUp(ctx, p, cb.TriggerID, id)
		}
		if err != nil {
			m := b.errorMsg(p, err, "")
			b.later(cb, func(context.Context) *slack.Msg { return m })
		}
	case ActionStatus:
		b.later(cb, func(ctx context.Context) *slack.Msg {
			return b.status(ctx, p, agent, Command{Verb: VerbStatus, Contact: "#" + a.Value})
		})
	case ActionSnooze:
		b.pressSnooze(ctx, p, agent, cb, a.Value)
	case ActionMore:
		var v moreValue
		if err := json.Unmarshal([]byte(a.Value), &v); err != nil {
			b.later(cb, func(context.Context) *slack.Msg {
				return textMsg(p.Sprintf("❌ This button is out of date; search again."))
			})
			return
		}
		q := actions.Query{Text: v.Text, Inbox: actions.Inbox(v.Inbox), Status: actions.StatusFilter(v.Status), Offset: v.Offset, Limit: b.cfg.PageSize}
		if q.Inbox == actions.InboxMine {
			q.AgentID = agent.ID
		}
		b.later(cb, func(ctx context.Context) *slack.Msg { return b.find(ctx, p, q) })
	case ActionPick:
		var cmd Command
		if err := json.Unmarshal([]byte(a.Value), &cmd); err != nil || !cmd.Verb.Valid() || !specs[cmd.Verb].contact {
			b.later(cb, func(context.Context) *slack.Msg {
				return textMsg(p.Sprintf("❌ This button is out of date; run the command again."))
			})
			return
		}
		if !cmd.Verb.Changes() {
			b.later(cb, func(ctx context.Context) *slack.Msg { return b.run(ctx, p, agent, cmd) })
			return
		}
		// Recorded before anything is done, like the slash command; the
		// button's request id makes a second press a no-op.
		id := cmd.RequestID
		if id == "" {
			id = requestID()
		}
		if m := b.accept(ctx, p, id, agent, job{Command: &cmd}, cb.ResponseURL); m.Type != msgAck {
			b.later(cb, func(context.Context) *slack.Msg { return m })
		}
	}
}

// later runs work in the background and answers with its message.
func (b *Bot) later(cb slack.InteractionCallback, work func(context.Context) *slack.Msg) {
	b.work.Add(1)
	go func() {
		defer b.work.Done()
		ctx, cancel := context.WithTimeout(context.Background(), b.cfg.WorkTimeout)
		defer cancel()
		b.reply(cb, work(ctx))
	}()
}

// reply answers an interaction: through its response_url when it came from
// a message, else (App Home, modals) by direct message.
func (b *Bot) reply(cb slack.InteractionCallback, m *slack.Msg) {
	if cb.ResponseURL != "" {
		if err := b.respond(cb.ResponseURL, m); err != nil {
			b.log.Error("slack: answer through response_url", "err", err)
		}
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	b.dm(ctx, cb.User.ID, m)
}

// Event handles an Events API event: App Home opened publishes the home
// tab. Other events are ignored.
func (b *Bot) Event(ctx context.Context, ev slackevents.EventsAPIEvent) {
	if ev.Type != slackevents.CallbackEvent {
		return
	}
	if b.cfg.TeamID != "" && ev.TeamID != b.cfg.TeamID {
		b.log.Warn("slack: event from another workspace ignored", "team", ev.TeamID)
		return
	}
	if e, ok := ev.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent); ok && (e.Tab == "" || e.Tab == "home") {
		if err := b.publishHome(ctx, e.User); err != nil {
			b.log.Error("slack: publish App Home", "user", e.User, "err", err)
		}
	}
}

// publishHome shows the agent's running follow-ups on their App Home, and
// for a supervisor the VIP follow-ups too, overdue first, and the latest
// changes in the audit log.
func (b *Bot) publishHome(ctx context.Context, userID string) error {
	p := b.printer(ctx, userID)
	var blocks []slack.Block
	agent, err := b.act.AgentBySlackUser(ctx, userID)
	switch {
	case followup.ErrorCodeOf(err) == followup.ENotFound:
		blocks = []slack.Block{slack.NewSectionBlock(md(p.Sprintf("You are not registered as a followup agent. An admin can add you: `followup agents add --slack-user %s --name \"Your Name\"`.", userID)), nil, nil)}
	case err != nil:
		return err
	default:
		mine, err := b.act.Following(ctx, agent.SlackUserID)
		var vip []actions.Summary
		if err == nil && agent.Role == followup.RoleSupervisor {
			vip, err = b.act.VIP(ctx)
		}
		if err != nil {
			// Say so rather than leave a stale Home.
			b.log.Error("slack: list follow-ups for App Home", "user", userID, "err", err)
			blocks = append(blocks, slack.NewSectionBlock(md(p.Sprintf("⚠️ Your follow-ups cannot be listed right now (Temporal is not answering). Open this tab again in a minute.")), nil, nil))
			break
		}
		blocks = append(blocks, b.followupBlocks(ctx, p, p.Sprintf("Your follow-ups"), mine)...)
		if agent.Role == followup.RoleSupervisor {
			blocks = append(blocks, slack.NewDividerBlock())
			blocks = append(blocks, b.followupBlocks(ctx, p, p.Sprintf("VIP follow-ups, overdue first"), vip)...)
			blocks = append(blocks, slack.NewDividerBlock())
			blocks = append(blocks, b.auditBlocks(ctx, p, userID)...)
		}
		blocks = append(blocks, slack.NewContextBlock("", md(p.Sprintf("Find contacts with `%s find <name, email or phone>`; `%s help` lists every command.", b.cfg.Command, b.cfg.Command))))
	}
	_, err = b.slack.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: userID, View: slack.HomeTabViewRequest{
		Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}})
	return err
}
