package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/actions"
	"github.com/followup-dev/followup/bot"
	"github.com/followup-dev/followup/i18n"
	"github.com/followup-dev/followup/sandbox"
	"github.com/followup-dev/followup/workflows"
)

// sendFlags are shared by send, template and later.
type sendFlags struct {
	via, tag, as, language string
}

func (f *sendFlags) bind(p i18n.Printer, c *cobra.Command, withTag bool) {
	c.Flags().StringVar(&f.via, "via", "", p.Text("the channel (default: the contact's channel where most may be sent now)"))
	c.Flags().StringVar(&f.as, "as", "", p.Text("the sending agent's Slack user id or id (default: $FOLLOWUP_AGENT, else the first agent)"))
	if withTag {
		c.Flags().StringVar(&f.tag, "tag", "", p.Text("a Messenger message tag: ACCOUNT_UPDATE, CONFIRMED_EVENT_UPDATE or POST_PURCHASE_UPDATE"))
	}
}

// target is a resolved contact, channel and agent.
type target struct {
	actions.Target
	agent followup.Agent
}

// actions returns the agent actions over the store and Temporal.
func (a *app) actions() (*actions.Service, error) {
	st, err := a.store()
	if err != nil {
		return nil, err
	}
	fc, err := a.temporal()
	if err != nil {
		return nil, err
	}
	act := actions.New(st, fc, timeNow)
	act.SetLogger(a.logger())
	return act, nil
}

func (a *app) resolveTarget(ref string, f sendFlags, preferTemplate bool) (target, error) {
	var t target
	var via followup.Channel
	if f.via != "" {
		ch, err := followup.ParseChannel(f.via)
		if err != nil {
			return t, usageError{err}
		}
		via = ch
	}
	st, err := a.store()
	if err != nil {
		return t, err
	}
	// Resolving needs no Temporal: refusals about the contact come first.
	if t.Target, err = actions.New(st, nil, timeNow).Resolve(a.ctx, ref, via, preferTemplate); err != nil {
		return t, err
	}
	agentRef := f.as
	if agentRef == "" {
		agentRef = a.cfg.Agent
	}
	if agentRef != "" {
		t.agent, err = a.agentRef(st, agentRef)
		return t, err
	}
	agents, err := st.Agents(a.ctx)
	if err != nil {
		return t, err
	}
	if len(agents) == 0 {
		return t, followup.Errorf(followup.EUnauthorized, "no agents are registered: followup agents add --slack-user U… --name …")
	}
	sort.Slice(agents, func(i, j int) bool { return agents[i].ID < agents[j].ID })
	t.agent = agents[0]
	return t, nil
}

func requestID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "cli-" + hex.EncodeToString(b)
}

// doSend sends through the contact's follow-up and prints the outcome,
// its times in the zone tz names (the local zone when tz is empty).
func (a *app) doSend(t target, req workflows.SendRequest, tz string) error {
	act, err := a.actions()
	if err != nil {
		return err
	}
	out, err := act.Send(a.ctx, a.actor(t.agent), t.Target, req, requestID())
	if err != nil {
		return err
	}
	a.p.Fprintf(a.stdout, "%s (as %s)\n", a.p.Phrase(out.Phrase(), shownIn(tz)), t.agent.Name)
	return nil
}

// shownIn writes the times of what the CLI prints in the zone tz names,
// or in the local zone when tz is empty (or not a zone: the command has
// refused it by then).
func shownIn(tz string) func(time.Time) string {
	loc := time.Local
	if tz != "" {
		if l, err := time.LoadLocation(tz); err == nil {
			loc = l
		}
	}
	return localTime(loc)
}

func (a *app) sendCmd() *cobra.Command {
	var f sendFlags
	c := &cobra.Command{
		Use:   "send CONTACT [--via CH] [--tag TAG] [--as AGENT] TEXT…",
		Short: bot.Summary(a.p, bot.VerbSend),
		Long: a.p.Text(`Send a follow-up now. CONTACT is an id (#42), an email, a phone number in any
format, or a name that matches exactly one contact. The channel's rules decide
the form (free text, HUMAN_AGENT, message tag, chatbot message) or refuse with
the reason and what to do instead. Needs a running Temporal (followup dev).`),
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := a.resolveTarget(args[0], f, false)
			if err != nil {
				return err
			}
			req := workflows.SendRequest{Text: strings.Join(args[1:], " ")}
			if f.tag != "" {
				if req.Tag, err = followup.ParseTag(strings.ToUpper(f.tag)); err != nil {
					return usageError{err}
				}
			}
			return a.doSend(t, req, "")
		},
	}
	f.bind(a.p, c, true)
	return c
}

func (a *app) templateSendCmd() *cobra.Command {
	var f sendFlags
	var at, tz string
	c := &cobra.Command{
		Use:   "template CONTACT NAME [1=value 2=value …] [--via whatsapp] [--language en] [--at WHEN [--tz ZONE]]",
		Short: bot.Summary(a.p, bot.VerbTemplate),
		Long: a.p.Text(`Send a pre-approved template. Parameters are given as number=value in the
template's order ({{1}}, {{2}} …); the count is checked before sending.
With --at (30m, 4h, 3d, an RFC 3339 time, or a day and time such as
"tomorrow 9:00" or "mon 10am" in the local time zone or --tz's) it is
scheduled instead, and a reply from the customer before then cancels it.`),
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := a.resolveTarget(args[0], f, true)
			if err != nil {
				return err
			}
			params, err := actions.TemplateParams(args[2:])
			if err != nil {
				return usageError{err}
			}
			req := workflows.SendRequest{Template: &workflows.TemplateRequest{Name: args[1], Language: f.language, Params: params}}
			if at != "" {
				now, err := nowIn(tz)
				if err != nil {
					return err
				}
				if req.At, err = actions.ParseWhen(at, now); err != nil {
					return usageError{err}
				}
			}
			return a.doSend(t, req, tz)
		},
	}
	f.bind(a.p, c, false)
	c.Flags().StringVar(&f.language, "language", "", a.p.Text("the template's language (default: the one registered)"))
	c.Flags().StringVar(&at, "at", "", a.p.Sprintf("schedule it: %s", a.p.Text(actions.WhenForms)))
	c.Flags().StringVar(&tz, "tz", "", a.p.Text(tzUsage))
	return c
}

// tzUsage is the help of --tz, the zone a day and time is read in.
const tzUsage = "the time zone WHEN's day and time are in, an IANA name such as Europe/Berlin (default: the local zone, $TZ)"

// nowIn is the time now in the zone tz names, or in the local zone when
// tz is empty (Go reads $TZ).
func nowIn(tz string) (time.Time, error) {
	if tz == "" {
		return timeNow().In(time.Local), nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "Local" {
		return time.Time{}, usageError{followup.Errorf(followup.EInvalid, "--tz %q is not a time zone; use an IANA name such as Europe/Berlin or America/New_York", tz)}
	}
	return timeNow().In(loc), nil
}

func (a *app) laterCmd() *cobra.Command {
	var f sendFlags
	var elseTemplate, elseTag, tz string
	c := &cobra.Command{
		Use:   "later CONTACT WHEN TEXT… [--via CH] [--tag TAG] [--else-template NAME [1=value …]] [--else-tag TAG] [--tz ZONE]",
		Short: bot.Summary(a.p, bot.VerbLater),
		Long: a.p.Text(`Schedule a follow-up. When it falls due, the channel's rules as they are
then decide: the text if it is still allowed (with HUMAN_AGENT on Messenger
and Instagram within 7 days), else its fallback: --else-template NAME (an
approved WhatsApp template; number=value words after the text are its
parameters) or --else-tag TAG (Messenger: the text with the message tag).
Without a fallback a WhatsApp send falls back on the workspace's default
re-engagement template (followup settings set reengagement_template NAME).
If nothing fits, nothing is sent and the agent is told why.

WHEN is 30m, 4h, 3d, an RFC 3339 time, or a day and time (tomorrow 9:00,
mon 10am, today 17:00, 9am) read in the local time zone, or in --tz's.

  followup later jane tomorrow 9:00 "Checking in" --tz Europe/Berlin
  followup later jane 30h "Checking in" --else-template order_update 1=Jane 2=A-17
  followup later tom 8d "Your order shipped" --else-tag POST_PURCHASE_UPDATE`),
		Args: cobra.MinimumNArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			now, err := nowIn(tz)
			if err != nil {
				return err
			}
			// A day and time may be two or three words: tomorrow 9:00.
			n := actions.WhenSpan(args[1:len(args)-1], now)
			at, err := actions.ParseWhen(strings.Join(args[1:1+n], " "), now)
			if err != nil {
				return usageError{err}
			}
			t, err := a.resolveTarget(args[0], f, elseTemplate != "") // a template fallback is WhatsApp's
			if err != nil {
				return err
			}
			words := args[1+n:]
			req := workflows.SendRequest{At: at}
			if elseTemplate != "" || elseTag != "" {
				req.Else = &workflows.Fallback{}
			}
			if elseTemplate != "" {
				// Trailing number=value words are the fallback's parameters.
				n := len(words)
				for n > 1 && isParam(words[n-1]) {
					n--
				}
				params, err := actions.TemplateParams(words[n:])
				if err != nil {
					return usageError{err}
				}
				words = words[:n]
				req.Else.Template = &workflows.TemplateRequest{Name: elseTemplate, Language: f.language, Params: params}
			}
			if elseTag != "" {
				if req.Else.Tag, err = followup.ParseTag(strings.ToUpper(elseTag)); err != nil {
					return usageError{err}
				}
			}
			req.Text = strings.Join(words, " ")
			if f.tag != "" {
				if req.Tag, err = followup.ParseTag(strings.ToUpper(f.tag)); err != nil {
					return usageError{err}
				}
			}
			return a.doSend(t, req, tz)
		},
	}
	f.bind(a.p, c, true)
	c.Flags().StringVar(&elseTemplate, "else-template", "", a.p.Text("the approved WhatsApp template to send instead if, when due, the window has closed (number=value words after the text are its parameters)"))
	c.Flags().StringVar(&elseTag, "else-tag", "", a.p.Text("the Messenger message tag to send the text with if, when due, the window has closed"))
	c.Flags().StringVar(&tz, "tz", "", a.p.Text(tzUsage))
	c.Flags().StringVar(&f.language, "language", "", a.p.Text("the fallback template's language (default: the one registered)"))
	return c
}

func (a *app) cadenceCmd() *cobra.Command {
	var f sendFlags
	c := &cobra.Command{
		Use:   "cadence CONTACT NAME [--via CH] [--as AGENT]",
		Short: bot.Summary(a.p, bot.VerbCadence),
		Long: a.p.Text(`Start a cadence a supervisor defined (followup cadences add) on a contact.
Each touch is scheduled from now and, when it falls due, sent in the form the
channel allows then (its fallback if the window has closed, never with
HUMAN_AGENT), or refused with the reason. A reply from the customer stops the
rest, and cancel stops it. Without --via: WhatsApp when a touch is a
template, else the channel where the most may be sent now.`),
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.store()
			if err != nil {
				return err
			}
			cad, err := st.Cadence(a.ctx, args[1])
			if err != nil {
				return err
			}
			t, err := a.resolveTarget(args[0], f, actions.UsesTemplates(cad))
			if err != nil {
				return err
			}
			act, err := a.actions()
			if err != nil {
				return err
			}
			out, err := act.StartCadence(a.ctx, a.actor(t.agent), t.Target, cad, requestID())
			if err != nil {
				return err
			}
			a.p.Fprintf(a.stdout, "%s: %s (as %s)\n", a.p.Text(t.Channel.Title()), a.p.Phrase(out.Phrase(), shownIn("")), t.agent.Name)
			return nil
		},
	}
	f.bind(a.p, c, false)
	return c
}

// isParam says whether a word is a template parameter (1=Jane).
func isParam(w string) bool {
	n, _, ok := strings.Cut(w, "=")
	if !ok || n == "" {
		return false
	}
	_, err := strconv.Atoi(n)
	return err == nil
}

func (a *app) statusCmd() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "status CONTACT [--json]",
		Short: bot.Summary(a.p, bot.VerbStatus),
		Long: a.p.Text(`Show a contact's running follow-ups: the window, counts, scheduled sends and
attempts of each, and its page in the Temporal Web UI when one is known:
the UI of followup dev or followup temporal running on $FOLLOWUP_DATA_DIR,
or $TEMPORAL_UI_URL.`),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			act, err := a.actions()
			if err != nil {
				return err
			}
			t, err := act.Lookup(a.ctx, args[0])
			if err != nil {
				return err
			}
			c := t.Contact
			states, err := act.Status(a.ctx, c)
			if err != nil {
				return err
			}
			ui, ns := a.webUIURL(), a.cfg.TemporalNamespace
			page := func(s workflows.State) string {
				if ui == "" {
					return ""
				}
				return followUpPage(ui, ns, workflows.WorkflowID(c.ID, s.Channel))
			}
			if asJSON {
				out := make([]statusJSON, len(states))
				for i, s := range states {
					out[i] = statusJSON{State: s, WebUI: page(s)}
				}
				return a.printJSON(out)
			}
			p := a.p
			p.Fprintf(a.stdout, "%s (#%d), conversation %s\n", c.FullName(), c.ID, p.Text(string(c.Status)))
			if len(states) == 0 {
				p.Fprintf(a.stdout, "no follow-up is running\n")
			}
			for _, s := range states {
				p.Fprintf(a.stdout, "\n%s follow-up: %s, agent %s\n", p.Text(s.Channel.Title()), p.Word("status", string(s.Status)), s.AgentSlack)
				if u := page(s); u != "" {
					p.Fprintf(a.stdout, "  web UI: %s\n", u)
				}
				w := s.Window
				line := p.Sprintf("  now: %s", p.Text(w.Allowance.Label()))
				if !w.OpenUntil.IsZero() {
					line += p.Sprintf(" until %s, then %s", w.OpenUntil.UTC().Format(time.RFC3339), p.Text(w.Next.Label()))
				}
				if !w.ClosedSince.IsZero() {
					line += p.Sprintf(" (window closed since %s)", w.ClosedSince.UTC().Format(time.RFC3339))
				}
				fmt.Fprintln(a.stdout, line)
				if w.Remaining >= 0 {
					p.Fprintf(a.stdout, "  left: %d message(s)\n", w.Remaining)
				}
				p.Fprintf(a.stdout, "  sent since the customer's last message: %d\n", s.SentInWindow)
				if c := bot.CadenceStatus(p, s); c != "" {
					fmt.Fprintf(a.stdout, "  %s\n", c)
				}
				if e := s.EscalationStatus(); !e.IsZero() {
					fmt.Fprintf(a.stdout, "  %s\n", p.Phrase(e, shownIn("")))
				}
				for _, sc := range s.Scheduled {
					p.Fprintf(a.stdout, "  scheduled #%d at %s: %s\n", sc.ID, sc.At.UTC().Format(time.RFC3339), bot.DescribeScheduled(p, s, sc))
				}
				for _, at := range s.Attempts {
					fmt.Fprintf(a.stdout, "  %s %s\n", at.At.UTC().Format(time.RFC3339), bot.DescribeAttempt(p, at))
				}
			}
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, a.p.Text("print a JSON array of follow-up states"))
	return c
}

func (a *app) cancelCmd() *cobra.Command {
	var via string
	c := &cobra.Command{
		Use:   "cancel CONTACT [--via CH]",
		Short: bot.Summary(a.p, bot.VerbCancel),
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var ch followup.Channel
			if via != "" {
				var err error
				if ch, err = followup.ParseChannel(via); err != nil {
					return usageError{err}
				}
			}
			act, err := a.actions()
			if err != nil {
				return err
			}
			t, err := act.Lookup(a.ctx, args[0])
			if err != nil {
				return err
			}
			cs, err := act.Cancel(a.ctx, a.actor(followup.Agent{}), t.Contact, ch, requestID())
			for _, r := range cs {
				a.p.Fprintf(a.stdout, "cancelled the %s follow-up with %s (%d scheduled send(s) dropped)\n", a.p.Text(r.Channel.Title()), t.Contact.FullName(), r.Scheduled)
			}
			return err
		},
	}
	c.Flags().StringVar(&via, "via", "", a.p.Text("only this channel"))
	return c
}

func (a *app) closeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "close CONTACT",
		Short: bot.Summary(a.p, bot.VerbClose),
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			act, err := a.actions()
			if err != nil {
				return err
			}
			t, err := act.Lookup(a.ctx, args[0])
			if err != nil {
				return err
			}
			ended, err := act.Close(a.ctx, a.actor(followup.Agent{}), t.Contact, requestID())
			for _, ch := range ended {
				a.p.Fprintf(a.stdout, "closed the conversation with %s; the %s follow-up has ended\n", t.Contact.FullName(), a.p.Text(ch.Title()))
			}
			if err != nil {
				return err
			}
			if len(ended) == 0 {
				a.p.Fprintf(a.stdout, "closed the conversation with %s\n", t.Contact.FullName())
			}
			return nil
		},
	}
}

func (a *app) replyCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "reply CONTACT CHANNEL TEXT…",
		Short: a.p.Text("Simulate a customer's reply: post the provider's signed webhook to the running server"),
		Long: a.p.Text(`Simulate a customer's message on CHANNEL: build the webhook that channel's
provider sends when the customer writes TEXT, sign it as the provider does, and
post it to http://$HTTP_ADDR/webhooks/CHANNEL of the running followup dev (or
serve). The server verifies it, records the message (the window restarts) and
tells the running follow-up. The secret is the channel's webhook variable
(META_APP_SECRET, VIBER_AUTH_TOKEN, WECHAT_TOKEN, TELEGRAM_WEBHOOK_SECRET,
LINE_CHANNEL_SECRET, TWILIO_AUTH_TOKEN, EMAIL_WEBHOOK_SECRET, WEBCHAT_SITE_TOKEN)
when it is set, else the sandbox's, as the server decides.`),
		Args: cobra.MinimumNArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			ch, err := followup.ParseChannel(args[1])
			if err != nil {
				return usageError{err}
			}
			st, err := a.store()
			if err != nil {
				return err
			}
			c, err := st.Resolve(a.ctx, args[0])
			if err != nil {
				return err
			}
			ids, err := st.Identities(a.ctx, c.ID)
			if err != nil {
				return err
			}
			var from string
			for _, id := range ids {
				if id.Channel == ch {
					from = id.ExternalID
				}
			}
			if from == "" {
				return followup.Errorf(followup.EInvalid, "%s has no %s identity to write from (channels: %s)", c.FullName(), ch.Title(), actions.ChannelList(ids))
			}
			base := "http://" + dialAddr(a.cfg.HTTPAddr)
			path := "/webhooks/" + string(ch)
			t := sandbox.Target{URL: base + path, Secret: sandbox.WebhookSecret(ch, a.cfg.channelEnv)}
			if pub := a.cfg.PublicURL; pub != "" {
				t.PublicURL = pub + path // what Twilio signs, and the server checks
			}
			text := strings.Join(args[2:], " ")
			req, err := sandbox.WebhookRequest(sandbox.Inbound{Channel: ch, From: from, Name: c.FullName(), Text: text, At: timeNow()}, t)
			if err != nil {
				return followup.Errorf(followup.EInvalid, "%s's %s id cannot be used: %v", c.FullName(), ch.Title(), err)
			}
			ctx, cancel := context.WithTimeout(a.ctx, 30*time.Second)
			defer cancel()
			start := time.Now()
			resp, err := http.DefaultClient.Do(req.WithContext(ctx))
			if err != nil {
				return followup.Wrapf(followup.EInternal, err, "cannot post the webhook to %s: is `followup dev` running on %s? (HTTP_ADDR)", base+path, a.cfg.HTTPAddr)
			}
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
			resp.Body.Close()
			took := time.Since(start)
			if resp.StatusCode/100 != 2 {
				msg := fmt.Sprintf("the server answered the %s webhook with %s: %s", ch.Title(), resp.Status, strings.TrimSpace(string(body)))
				switch resp.StatusCode {
				case http.StatusUnauthorized:
					msg += fmt.Sprintf("\n(the server verifies %s webhooks with another secret: give this command the server's %s, or unset it on both for the sandbox's)", ch.Title(), sandbox.SecretVar(ch))
				case http.StatusNotFound:
					msg += fmt.Sprintf("\n(the server takes no %s webhooks: %s is not set for it, and it has no sandbox for the channel: the channel has credentials, or the server is followup serve)", ch.Title(), sandbox.SecretVar(ch))
				}
				return followup.Errorf(followup.ERefused, "%s", msg)
			}
			a.p.Fprintf(a.stdout, "%s wrote on %s (webhook %d in %d ms); the window restarts now", c.FullName(), a.p.Text(ch.Title()), resp.StatusCode, took.Milliseconds())
			// The server told a running follow-up before it answered.
			if fc, err := a.temporal(); err == nil {
				if running, err := fc.Running(ctx, c.ID, ch); err == nil && running {
					a.p.Fprintf(a.stdout, " and the running follow-up was told")
				}
			}
			fmt.Fprintln(a.stdout)
			return nil
		},
	}
}

// dialAddr is a listen address as a client dials it: an unspecified host
// (":8080", "0.0.0.0:8080") is this machine.
func dialAddr(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

func (a *app) outboxCmd() *cobra.Command {
	var limit int
	var asJSON bool
	c := &cobra.Command{
		Use:   "outbox [--limit N] [--json]",
		Short: a.p.Text("List what the sandbox's fake providers accepted (channels without credentials in dev)"),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.store()
			if err != nil {
				return err
			}
			ms, err := sandbox.Outbox(a.ctx, st.DB(), limit)
			if err != nil {
				return err
			}
			if asJSON {
				return a.printJSON(ms)
			}
			tw := newTable(a.stdout, "ID", "CHANNEL", "TO", "MODE", "TAG", "TEMPLATE", "TEXT")
			for _, m := range ms {
				tw.row(m.ID, m.Channel, m.Recipient, m.Mode, m.Tag, m.Template, m.Body)
			}
			return tw.flush()
		},
	}
	c.Flags().IntVar(&limit, "limit", 20, a.p.Text("how many"))
	c.Flags().BoolVar(&asJSON, "json", false, a.p.Text("print a JSON array"))
	return c
}

func (a *app) notificationsCmd() *cobra.Command {
	var limit int
	var asJSON bool
	var contact string
	c := &cobra.Command{
		Use:   "notifications [--contact C] [--limit N] [--json]",
		Short: a.p.Text("List what follow-ups told agents (sent, refused, replied, window closing …)"),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.store()
			if err != nil {
				return err
			}
			var id int64
			if contact != "" {
				c, err := st.Resolve(a.ctx, contact)
				if err != nil {
					return err
				}
				id = c.ID
			}
			ns, err := st.Notifications(a.ctx, id, limit)
			if err != nil {
				return err
			}
			if asJSON {
				return a.printJSON(ns)
			}
			tw := newTable(a.stdout, "TIME", "KIND", "CHANNEL", "TEXT")
			for _, n := range ns {
				text := n.Text
				if n.Say != nil { // in the command line's language and zone
					text = a.p.Phrase(*n.Say, shownIn(""))
				}
				tw.row(n.CreatedAt.UTC().Format("15:04:05"), n.Kind, n.Channel, text)
			}
			return tw.flush()
		},
	}
	c.Flags().IntVar(&limit, "limit", 20, a.p.Text("how many"))
	c.Flags().StringVar(&contact, "contact", "", a.p.Text("only this contact"))
	c.Flags().BoolVar(&asJSON, "json", false, a.p.Text("print a JSON array"))
	return c
}
