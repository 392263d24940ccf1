package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/bot"
	"github.com/followup-dev/followup/csvimport"
	"github.com/followup-dev/followup/i18n"
	"github.com/followup-dev/followup/store"
	"github.com/followup-dev/followup/window"
)

// timeNow is the wall clock; commands (never workflows) may read it.
var timeNow = time.Now

func (a *app) contactsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "contacts", Short: a.p.Text("Import and find contacts")}
	cmd.AddCommand(a.importCmd(), a.findCmd())
	return cmd
}

func (a *app) importCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE.csv",
		Short: a.p.Text("Import or update contacts from a CSV file (- reads standard input)"),
		Long: a.p.Text(`Import contacts from a CSV file with a header row. Known columns:

  first_name, last_name, email, phone   the contact; phone in any format with a country code
                                        (+44 20 7946 0958, 0044 20 7946 0958), or national
                                        (020 7946 0958) once default_region is set
                                        (followup settings set default_region GB)
  vip                                   true or false
  channel, external_id                  one channel identity (whatsapp, messenger, instagram,
                                        viber, wechat, telegram, line, webchat, sms, email);
                                        whatsapp/sms/viber default to the phone, email to the email
  last_inbound_at                       when the customer last wrote on that channel (RFC 3339)
  conversation_status                   open or closed
  assignee                              the assigned agent's Slack user id

Rows with the same email, or else the same phone, are one contact: give one
row per channel, each with its external_id (the other fields may be left
empty on the extra rows, and must agree where given). Ids are checked per
channel: a Telegram chat id is a number, a LINE user id is U and 32 hex
digits, WhatsApp and SMS take a phone number, and so on.

A contact that already exists (same email, else same phone, else same channel
identity) is updated, not duplicated, so importing a file twice is safe. Bad
rows are reported with their line number and reason; the good rows are kept,
also after a row with a broken quote. The exit status is 1 if any row was
not imported.`),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var r io.Reader = a.stdin
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return followup.Errorf(followup.EInvalid, "cannot open %s: %v", args[0], err)
				}
				defer f.Close()
				r = f
			}
			st, err := a.store()
			if err != nil {
				return err
			}
			set, err := st.Settings(a.ctx)
			if err != nil {
				return err
			}
			contacts, bad, err := csvimport.Parse(r, csvimport.Options{Region: set.DefaultRegion})
			if err != nil {
				return err
			}
			var rows, created, updated int
			for _, c := range contacts {
				_, isNew, err := st.SaveContact(a.ctx, c.Contact)
				switch {
				case err == nil && isNew:
					created++
				case err == nil:
					updated++
				case followup.ErrorCodeOf(err) == followup.EInternal:
					return fmt.Errorf("line %d: %w", c.Line, err)
				default:
					bad = append(bad, csvimport.RowError{Line: c.Line, Reason: followup.ErrorMessage(err), Err: err})
					for _, l := range c.Lines[1:] {
						why := followup.Errorf(followup.EInvalid, "the contact of line %d was not imported", c.Line)
						bad = append(bad, csvimport.RowError{Line: l, Reason: why.Message, Err: why})
					}
					continue
				}
				rows += len(c.Lines)
			}
			if rows == created+updated {
				a.p.Fprintf(a.stdout, "imported %d row(s): %d created, %d updated\n", rows, created, updated)
			} else {
				a.p.Fprintf(a.stdout, "imported %d row(s) as %d contact(s): %d created, %d updated\n", rows, created+updated, created, updated)
			}
			if len(bad) == 0 {
				return nil
			}
			sortRowErrors(bad)
			a.p.Fprintf(a.stderr, "%d row(s) not imported:\n", len(bad))
			for _, b := range bad {
				why := b.Reason
				if b.Err != nil {
					why = a.p.Error(b.Err)
				}
				a.p.Fprintf(a.stderr, "  line %d: %s\n", b.Line, why)
			}
			return followup.Errorf(followup.EInvalid, "%d row(s) not imported; fix them and import the file again (imported rows are updated, not duplicated)", len(bad))
		},
	}
}

func sortRowErrors(bad []csvimport.RowError) {
	for i := 1; i < len(bad); i++ {
		for j := i; j > 0 && bad[j].Line < bad[j-1].Line; j-- {
			bad[j], bad[j-1] = bad[j-1], bad[j]
		}
	}
}

func (a *app) findCmd() *cobra.Command {
	var mine, all, closed, open, anyStatus, asJSON bool
	var agent string
	var limit, offset int
	cmd := &cobra.Command{
		Use:   "find QUERY [--mine --agent ID | --all] [--closed|--open|--any] [--limit N] [--json]",
		Short: bot.Summary(a.p, bot.VerbFind),
		Long: a.p.Text(`Find contacts. The query is read by its shape:

  contains @                    email: case-insensitive, exact or prefix
  digits, + - ( ) . spaces      phone: the full number, however written (national
                                numbers in the default_region setting), or its
                                trailing digits ("555 0142" finds +1 415 555 0142)
  anything else                 name: case- and accent-insensitive prefix of the
                                first, last or full name ("jan do" finds Jane Doe),
                                with a typo-tolerant fallback when nothing matches

Results are ranked exact, prefix, then fuzzy, then by most recent activity.
Custom fields and message bodies are not searchable.`),
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q := store.Query{Text: strings.Join(args, " "), Limit: limit, Offset: offset, Inbox: store.InboxAll}
			switch {
			case mine && all:
				return usageError{followup.Errorf(followup.EInvalid, "--mine and --all exclude each other")}
			case mine && agent == "":
				return usageError{followup.Errorf(followup.EInvalid, "--mine needs --agent (a Slack user id or agent id)")}
			case !mine && agent != "":
				return usageError{followup.Errorf(followup.EInvalid, "--agent only makes sense with --mine")}
			}
			n := 0
			for _, f := range []bool{closed, open, anyStatus} {
				if f {
					n++
				}
			}
			if n > 1 {
				return usageError{followup.Errorf(followup.EInvalid, "pick one of --closed, --open, --any")}
			}
			switch {
			case open:
				q.Status = store.StatusOpen
			case anyStatus:
				q.Status = store.StatusAny
			default:
				q.Status = store.StatusClosed
			}
			st, err := a.store()
			if err != nil {
				return err
			}
			if mine {
				ag, err := a.agentRef(st, agent)
				if err != nil {
					return err
				}
				q.Inbox, q.AgentID = store.InboxMine, ag.ID
			}
			page, err := st.Find(a.ctx, q)
			if err != nil {
				return err
			}
			if asJSON {
				return a.printJSON(page.Results)
			}
			if len(page.Results) == 0 {
				switch q.Status {
				case store.StatusAny:
					a.p.Fprintf(a.stdout, "no contacts match %q (searched by %s)\n", q.Text, a.p.Word("searched by", string(page.Kind)))
				case store.StatusOpen:
					a.p.Fprintf(a.stdout, "no open contacts match %q (searched by %s)\n", q.Text, a.p.Word("searched by", string(page.Kind)))
				default:
					a.p.Fprintf(a.stdout, "no closed contacts match %q (searched by %s)\n", q.Text, a.p.Word("searched by", string(page.Kind)))
				}
				return nil
			}
			set, err := st.Settings(a.ctx)
			if err != nil {
				return err
			}
			now := timeNow()
			p := a.p
			tw := newTable(a.stdout, "ID", p.Sprintf("NAME"), p.Sprintf("PHONE"), "VIP", p.Sprintf("STATUS"), p.Sprintf("ASSIGNEE"), p.Sprintf("LAST ACTIVITY"), p.Sprintf("CAN SEND NOW"), p.Sprintf("MATCH"))
			for _, r := range page.Results {
				tw.row(r.ID, r.FullName(), phone(r.Phone), vip(r.VIP), p.Text(string(r.Status)), assignee(p, r.AssigneeID), ago(p, now, r.LastActivityAt), canSend(p, r.Identities, now, set), p.Word("match", string(r.Match)))
			}
			if err := tw.flush(); err != nil {
				return err
			}
			if page.HasMore {
				a.p.Fprintf(a.stdout, "more results: --offset %d\n", q.Offset+len(page.Results))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&mine, "mine", false, a.p.Text("only contacts assigned to --agent"))
	f.StringVar(&agent, "agent", "", a.p.Text("the agent for --mine (Slack user id or agent id)"))
	f.BoolVar(&all, "all", false, a.p.Text("every agent's contacts (default)"))
	f.BoolVar(&closed, "closed", false, a.p.Text("only contacts whose conversation is closed (default)"))
	f.BoolVar(&open, "open", false, a.p.Text("only contacts with an open conversation"))
	f.BoolVar(&anyStatus, "any", false, a.p.Text("open or closed"))
	f.IntVar(&limit, "limit", store.DefaultLimit, a.p.Sprintf("results per page (at most %d)", store.MaxLimit))
	f.IntVar(&offset, "offset", 0, a.p.Text("skip this many results (next page)"))
	f.BoolVar(&asJSON, "json", false, a.p.Text("print a JSON array"))
	return cmd
}

// phone shows a stored E.164 number in international format; --json keeps
// E.164.
func phone(e164 string) string {
	if e164 == "" {
		return "-"
	}
	return store.FormatPhone(e164)
}

func vip(b bool) string {
	if b {
		return "VIP"
	}
	return ""
}

func assignee(p i18n.Printer, id *int64) string {
	if id == nil {
		return "-"
	}
	return p.Sprintf("agent %d", *id)
}

func ago(p i18n.Printer, now time.Time, t *time.Time) string {
	if t == nil {
		return "-"
	}
	d := now.Sub(*t)
	switch {
	case d < time.Minute:
		return p.Sprintf("just now")
	case d < time.Hour:
		return p.Sprintf("%dm ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return p.Sprintf("%dh ago", int(d/time.Hour))
	}
	return p.Sprintf("%dd ago", int(d/(24*time.Hour)))
}

// canSend says, per channel the contact has, what may be sent right now.
func canSend(p i18n.Printer, ids []followup.Identity, now time.Time, set followup.Settings) string {
	parts := make([]string, 0, len(ids))
	for _, id := range ids {
		in := window.Input{Channel: id.Channel, Now: now, Settings: set}
		if id.LastInboundAt != nil {
			in.LastInbound = *id.LastInboundAt
		}
		parts = append(parts, p.Text(id.Channel.Title())+": "+p.Text(window.Window(in).Allowance.Label()))
	}
	if len(parts) == 0 {
		return p.Sprintf("no channels")
	}
	return strings.Join(parts, "; ")
}

// table prints aligned columns.
type table struct{ tw *tabwriter.Writer }

func newTable(w io.Writer, header ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)}
	fmt.Fprintln(t.tw, strings.Join(header, "\t"))
	return t
}

func (t *table) row(cells ...any) {
	s := make([]string, len(cells))
	for i, c := range cells {
		s[i] = strings.NewReplacer("\t", " ", "\n", " ").Replace(fmt.Sprint(c))
	}
	fmt.Fprintln(t.tw, strings.Join(s, "\t"))
}

func (t *table) flush() error { return t.tw.Flush() }
