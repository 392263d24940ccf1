package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/bot"
	"github.com/followup-dev/followup/cadences"
	"github.com/followup-dev/followup/i18n"
	"github.com/followup-dev/followup/store"
)

// cliAuthor is the created_by of a cadence defined at the command line
// without --by: an operator, who may.
const cliAuthor = "cli"

const cadenceGrammar = `Each STEP is one argument (quote it for the shell):

  OFFSET TOUCH [else FALLBACK]

OFFSET   when, counted from the start of the cadence (not from the previous
         step): whole days, hours and minutes such as 2d, 36h, 1d12h or 90m;
         at least 1m, at most 90d, each step later than the one before.
TOUCH    text "…"
         template NAME [1=value 2=value …]
         tag ACCOUNT_UPDATE|CONFIRMED_EVENT_UPDATE|POST_PURCHASE_UPDATE "…"
FALLBACK what a text or tag step sends instead when the channel no longer
         takes it: template NAME [1=value …], or (text steps) tag TAG,
         which sends the step's text with the tag.

Write \" for a quote inside a message and quote parameter values that have
spaces: 1="Jane Doe". A customer's reply stops the rest of a cadence.`

func (a *app) cadencesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cadences",
		Short: a.p.Text("Define, list and remove cadences: named sequences of follow-ups that agents start on a contact"),
	}
	var by string
	add := &cobra.Command{
		Use:   "add NAME STEP… [--by SLACK_USER]",
		Short: a.p.Text("Define a cadence"),
		Long: a.p.Text(`Define a cadence: a name (1 to 40 of a-z, 0-9, _ and -) and 1 to 10 steps.
Cadences are a supervisor's to define: with --by, that agent must be a
supervisor; without it the command is an operator's.`) + "\n\n" + a.p.Text(cadenceGrammar) + "\n\n" + a.p.Text(`Example:

  followup cadences add renewal \
    '2d text "Your plan renews on Friday. Reply to keep it." else template renewal' \
    '5d template renewal' \
    '10d tag ACCOUNT_UPDATE "Your plan has lapsed; reply to renew it."'`),
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := cadences.Parse(args[0], args[1:])
			if err != nil {
				return err
			}
			st, err := a.store()
			if err != nil {
				return err
			}
			if c.CreatedBy, err = a.cadenceAuthor(st, by); err != nil {
				return err
			}
			if err := st.SaveCadence(a.ctx, c); err != nil {
				return err
			}
			a.audit(st, c.CreatedBy, followup.AuditEntry{Action: followup.AuditCadenceAdded, Detail: map[string]string{"cadence": c.Name, "steps": strconv.Itoa(len(c.Steps))}})
			a.p.Fprintf(a.stdout, "added cadence %s, %s, each counted from its start:\n", c.Name, a.p.Sprintf("%d step(s)", len(c.Steps)))
			return printSteps(a.p, a.stdout, c.Steps)
		},
	}
	add.Flags().StringVar(&by, "by", "", a.p.Text("the supervisor defining it (Slack user id U… or agent id)"))

	var asJSON bool
	list := &cobra.Command{
		Use:   "list [--json]",
		Short: bot.Summary(a.p, bot.VerbCadences),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.store()
			if err != nil {
				return err
			}
			cs, err := st.Cadences(a.ctx)
			if err != nil {
				return err
			}
			if asJSON {
				out := make([]cadenceJSON, len(cs))
				for i, c := range cs {
					out[i] = newCadenceJSON(c)
				}
				return a.printJSON(out)
			}
			if len(cs) == 0 {
				a.p.Fprintf(a.stdout, "no cadences yet; followup cadences add NAME STEP… defines one\n")
				return nil
			}
			tw := newTable(a.stdout, a.p.Sprintf("NAME"), a.p.Sprintf("STEPS"), a.p.Sprintf("LAST"), a.p.Sprintf("BY"), a.p.Sprintf("CREATED"))
			for _, c := range cs {
				tw.row(c.Name, len(c.Steps), a.p.Phrase(c.Steps[len(c.Steps)-1].WhenPhrase(), nil), c.CreatedBy, c.CreatedAt.Local().Format(time.DateTime))
			}
			return tw.flush()
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, a.p.Text("print a JSON array (steps as written for cadences add)"))

	var showJSON bool
	show := &cobra.Command{
		Use:   "show NAME [--json]",
		Short: a.p.Text("Show a cadence's steps"),
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.store()
			if err != nil {
				return err
			}
			c, err := st.Cadence(a.ctx, args[0])
			if err != nil {
				return err
			}
			if showJSON {
				return a.printJSON(newCadenceJSON(c))
			}
			a.p.Fprintf(a.stdout, "cadence %s, %s, each counted from its start (defined by %s, %s):\n",
				c.Name, a.p.Sprintf("%d step(s)", len(c.Steps)), c.CreatedBy, c.CreatedAt.Local().Format(time.DateTime))
			return printSteps(a.p, a.stdout, c.Steps)
		},
	}
	show.Flags().BoolVar(&showJSON, "json", false, a.p.Text("print a JSON object (steps as written for cadences add)"))

	var removeBy string
	remove := &cobra.Command{
		Use:   "remove NAME [--by SLACK_USER]",
		Short: a.p.Text("Remove a cadence; the ones already started go on"),
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.store()
			if err != nil {
				return err
			}
			who, err := a.cadenceAuthor(st, removeBy)
			if err != nil {
				return err
			}
			if err := st.RemoveCadence(a.ctx, args[0]); err != nil {
				return err
			}
			a.audit(st, who, followup.AuditEntry{Action: followup.AuditCadenceRemoved, Detail: map[string]string{"cadence": cadences.NormalizeName(args[0])}})
			a.p.Fprintf(a.stdout, "removed cadence %s\n", cadences.NormalizeName(args[0]))
			return nil
		},
	}
	remove.Flags().StringVar(&removeBy, "by", "", a.p.Text("the supervisor removing it (Slack user id U… or agent id)"))

	cmd.AddCommand(add, list, show, remove)
	return cmd
}

// cadenceAuthor is who defines or removes a cadence: with --by, a
// registered supervisor (cadences are theirs to define); without it, the
// operator at the command line.
func (a *app) cadenceAuthor(st *store.Store, by string) (string, error) {
	if by == "" {
		return cliAuthor, nil
	}
	ag, err := a.agentRef(st, by)
	if followup.ErrorCodeOf(err) == followup.ENotFound {
		return "", followup.Errorf(followup.EUnauthorized, "%s is not a registered agent; cadences are a supervisor's to define (followup agents list)", by)
	}
	if err != nil {
		return "", err
	}
	if ag.Role != followup.RoleSupervisor {
		return "", followup.Errorf(followup.EUnauthorized,
			"%s (%s) is an agent, not a supervisor; cadences are a supervisor's to define (followup agents add --slack-user %s --name %q --role supervisor makes them one)",
			ag.Name, ag.SlackUserID, ag.SlackUserID, ag.Name)
	}
	return ag.SlackUserID, nil
}

// printSteps prints one step a line: when ("day 2", in p's language)
// and what it sends (as written for cadences add).
func printSteps(p i18n.Printer, w io.Writer, steps []cadences.Step) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, s := range steps {
		// A message's line breaks would break the table.
		fmt.Fprintf(tw, "  %s\t%s\n", p.Phrase(s.WhenPhrase(), nil), strings.ReplaceAll(s.Touch(), "\n", "⏎"))
	}
	return tw.Flush()
}

// cadenceJSON is a cadence as --json prints it: each step as written for
// `cadences add`, which reads it back.
type cadenceJSON struct {
	Name      string    `json:"name"`
	Steps     []string  `json:"steps"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

func newCadenceJSON(c cadences.Cadence) cadenceJSON {
	out := cadenceJSON{Name: c.Name, Steps: make([]string, len(c.Steps)), CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt}
	for i, s := range c.Steps {
		out.Steps[i] = s.String()
	}
	return out
}
