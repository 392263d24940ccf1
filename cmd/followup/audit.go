package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/actions"
	"github.com/followup-dev/followup/bot"
	"github.com/followup-dev/followup/store"
)

// osUser is who runs the command, as the audit log names them: the OS
// user, else "cli".
func (a *app) osUser() string {
	for _, k := range []string{"USER", "LOGNAME", "USERNAME"} {
		if v := strings.TrimSpace(a.getenv(k)); v != "" {
			return v
		}
	}
	return cliAuthor
}

// actor is who acts at the command line: the agent a command acts as,
// else the OS user.
func (a *app) actor(agent followup.Agent) actions.Actor {
	return actions.Actor{Agent: agent, Name: a.osUser(), Source: followup.SourceCLI}
}

// audit records a change made at the command line by who ("" for the OS
// user). The change has been made: a failure to record it is logged, and
// the command still succeeds.
func (a *app) audit(st *store.Store, who string, e followup.AuditEntry) {
	if who == "" || who == cliAuthor {
		who = a.osUser()
	}
	e.Actor, e.Source = who, followup.SourceCLI
	if err := st.AddAudit(a.ctx, e); err != nil {
		a.logger().Error("audit log: record a change", "action", e.Action, "err", err)
	}
}

// parseSince reads --since: a duration back from now (24h, 7d) or a time
// in RFC 3339.
func parseSince(v string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	d, err := time.ParseDuration(v)
	if n, ok := strings.CutSuffix(v, "d"); ok && err != nil {
		var days int
		if days, err = strconv.Atoi(n); err == nil {
			d = time.Duration(days) * 24 * time.Hour
		}
	}
	if err != nil || d <= 0 {
		return time.Time{}, followup.Errorf(followup.EInvalid, "--since %q: want a duration back from now (24h, 7d) or a time in RFC 3339 (2026-03-10T09:00:00Z)", v)
	}
	return now.Add(-d), nil
}

func (a *app) auditCmd() *cobra.Command {
	var since, contact string
	var limit int
	var asJSON bool
	c := &cobra.Command{
		Use:   "audit [--since 24h|RFC3339] [--contact CONTACT] [--limit N] [--json]",
		Short: a.p.Text("Show the audit log: who changed what, when and from where (Slack, CLI), newest first"),
		Long: a.p.Text(`Show the audit log, newest first: agents added or removed, settings set,
templates added, cadences added or removed, follow-ups sent, scheduled,
cancelled and closed, each with who did it, when and from where (slack or
cli). CONTACT is an id (#42), an email, a phone number or a name that
matches exactly one contact.`),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var f store.AuditFilter
			if since != "" {
				t, err := parseSince(since, timeNow())
				if err != nil {
					return usageError{err}
				}
				f.Since = t
			}
			if limit < 1 {
				return usageError{followup.Errorf(followup.EInvalid, "--limit must be 1 or more")}
			}
			f.Limit = limit
			st, err := a.store()
			if err != nil {
				return err
			}
			if contact != "" {
				c, err := st.Resolve(a.ctx, contact)
				if err != nil {
					return err
				}
				f.ContactID = c.ID
			}
			es, err := st.Audit(a.ctx, f)
			if err != nil {
				return err
			}
			if asJSON {
				return a.printJSON(es)
			}
			if len(es) == 0 {
				a.p.Fprintf(a.stdout, "no changes recorded\n")
				return nil
			}
			tw := newTable(a.stdout, a.p.Sprintf("AT"), a.p.Sprintf("ACTOR"), a.p.Sprintf("SOURCE"), a.p.Sprintf("ACTION"), a.p.Sprintf("CONTACT"), a.p.Sprintf("CHANNEL"), a.p.Sprintf("DETAIL"))
			for _, e := range es {
				tw.row(e.At.UTC().Format(time.RFC3339), e.Actor, bot.AuditSource(a.p, e.Source), bot.AuditAction(a.p, e.Action), auditContact(e),
					orDash(string(e.Channel)), orDash(bot.AuditDetail(a.p, e)))
			}
			return tw.flush()
		},
	}
	c.Flags().StringVar(&since, "since", "", a.p.Text("only changes since then: a duration back from now (24h, 7d) or an RFC 3339 time"))
	c.Flags().StringVar(&contact, "contact", "", a.p.Text("only changes to this contact"))
	c.Flags().IntVar(&limit, "limit", 50, a.p.Text("at most this many rows"))
	c.Flags().BoolVar(&asJSON, "json", false, a.p.Text("print a JSON array"))
	return c
}

// auditContact names an entry's contact: "Jane Doe #42", "#42" when the
// contact is gone, "-" when there is none.
func auditContact(e followup.AuditEntry) string {
	switch {
	case e.ContactID == 0:
		return "-"
	case e.ContactName == "":
		return fmt.Sprintf("#%d", e.ContactID)
	}
	return fmt.Sprintf("%s #%d", e.ContactName, e.ContactID)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
