package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/actions"
	"github.com/followup-dev/followup/bot"
)

func (a *app) takeOverCmd() *cobra.Command {
	var f sendFlags
	c := &cobra.Command{
		Use:   "takeover CONTACT [--via CH] [--as AGENT]",
		Short: bot.Summary(a.p, bot.VerbTakeOver),
		Long: a.p.Text(`Take a contact's running follow-ups over (only --via's when given): the agent
(--as, else $FOLLOWUP_AGENT) becomes their agent and the conversation's
assignee, and their VIP escalations clear. With none running, the
conversation is assigned directly. The agent that had it is told.`),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := a.resolveTarget(args[0], f, false)
			if err != nil {
				return err
			}
			act, err := a.actions()
			if err != nil {
				return err
			}
			rs, err := act.TakeOver(a.ctx, a.actor(t.agent), t.Contact, viaOnly(f), requestID())
			for _, r := range rs {
				a.p.Fprintf(a.stdout, "%s (as %s)\n", a.p.Phrase(r.Phrase(), shownIn("")), t.agent.Name)
			}
			return err
		},
	}
	c.Flags().StringVar(&f.via, "via", "", a.p.Text("only this channel's follow-up"))
	c.Flags().StringVar(&f.as, "as", "", a.p.Text("the agent taking over: Slack user id or id (default: $FOLLOWUP_AGENT, else the first agent)"))
	return c
}

func (a *app) snoozeCmd() *cobra.Command {
	var f sendFlags
	var tz string
	c := &cobra.Command{
		Use:   "snooze CONTACT WHEN [--via CH] [--tz ZONE]",
		Short: bot.Summary(a.p, bot.VerbSnooze),
		Long: a.p.Sprintf(`Put off the VIP escalations of a contact's running follow-ups (only --via's
when given) until WHEN (%s); a follow-up that still
needs a person then is posted to the supervisors again.`, a.p.Text(actions.WhenForms)),
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			now, err := nowIn(tz)
			if err != nil {
				return usageError{err}
			}
			until, err := actions.ParseWhen(joinArgs(args[1:]), now)
			if err != nil {
				return usageError{err}
			}
			t, err := a.resolveTarget(args[0], f, false)
			if err != nil {
				return err
			}
			act, err := a.actions()
			if err != nil {
				return err
			}
			rs, err := act.Snooze(a.ctx, a.actor(t.agent), t.Contact, viaOnly(f), until, requestID())
			for _, r := range rs {
				fmt.Fprintln(a.stdout, a.p.Phrase(r.Phrase(), shownIn(tz)))
			}
			return err
		},
	}
	c.Flags().StringVar(&f.via, "via", "", a.p.Text("only this channel's follow-up"))
	c.Flags().StringVar(&f.as, "as", "", a.p.Text("who snoozes: Slack user id or id (default: $FOLLOWUP_AGENT, else the first agent)"))
	c.Flags().StringVar(&tz, "tz", "", a.p.Text(tzUsage))
	return c
}

// viaOnly is the channel --via names (resolveTarget checked it), or ""
// for all the contact's follow-ups.
func viaOnly(f sendFlags) followup.Channel {
	if f.via == "" {
		return ""
	}
	ch, _ := followup.ParseChannel(f.via)
	return ch
}

// joinArgs is the words of a time as typed ("tomorrow 9:00").
func joinArgs(args []string) string { return strings.Join(args, " ") }
