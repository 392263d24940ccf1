package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/i18n"
	"github.com/followup-dev/followup/store"
	"github.com/followup-dev/followup/workflows"
)

// app is what every command shares: the environment and, once opened, the store.
type app struct {
	ctx    context.Context
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	cfg    Config
	st     *store.Store
	tc     client.Client
	fc     *workflows.Client
	// httpAddr is where the HTTP server listens once started.
	httpAddr string
	// p writes what the CLI says in the language of its environment
	// (LC_ALL, LC_MESSAGES, LANG).
	p i18n.Printer
}

// usageError marks an error in how a command was called (exit status 2).
type usageError struct{ error }

// run is the whole program; main only supplies the process's environment.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{ctx: ctx, getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr, p: i18n.New(i18n.FromEnv(getenv))}
	defer func() {
		if a.st != nil {
			a.st.Close()
		}
		if a.tc != nil {
			a.tc.Close()
		}
	}()
	root := a.rootCmd()
	root.SetArgs(negativesAsArgs(root, args))
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ue usageError
	var ce *ConfigError
	p := a.p
	switch {
	case errors.As(err, &ue):
		p.Fprintf(stderr, "error: %v\n", usageText(p, ue.error))
		return 2
	case strings.HasPrefix(err.Error(), "unknown command"):
		p.Fprintf(stderr, "error: %v (see followup --help)\n", err)
		return 2
	case errors.As(err, &ce):
		p.Fprintf(stderr, "configuration error: %s\n", ce.In(p))
		return 2
	}
	var fe *followup.Error
	if errors.As(err, &fe) {
		p.Fprintf(stderr, "error: %s\n", p.Error(fe))
		if fe.Err != nil && debugging(getenv) {
			p.Fprintf(stderr, "cause: %v\n", fe.Err)
		}
		return 1
	}
	p.Fprintf(stderr, "error: %v\n", err)
	return 1
}

// usageText is a usage error's message in p's language when it is a
// message for a person (followup.Errorf), else as cobra or pflag wrote it.
func usageText(p i18n.Printer, err error) string {
	if fe, ok := errors.AsType[*followup.Error](err); ok {
		return p.Error(fe)
	}
	return err.Error()
}

// store opens the database on first use.
func (a *app) store() (*store.Store, error) {
	if a.st != nil {
		return a.st, nil
	}
	if err := a.config(); err != nil {
		return nil, err
	}
	st, err := store.Open(a.ctx, a.cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	a.st = st
	return st, nil
}

func (a *app) config() error {
	cfg, err := loadConfig(a.getenv)
	if err != nil {
		return err
	}
	cfg.logger = newLogger(a.stderr, cfg.LogLevel, cfg.LogFormat)
	cfg.metrics = a.cfg.metrics // built once per process (app.observe)
	a.cfg = cfg
	return nil
}

func (a *app) rootCmd() *cobra.Command {
	p := a.p
	root := &cobra.Command{
		Use:   "followup",
		Short: p.Sprintf("Follow up with customers on every messaging channel, from Slack"),
		Long: p.Sprintf(`followup finds contacts whose conversations are closed and sends them
follow-ups in the only form each channel allows.

Configuration is read from environment variables (see the README);
DATABASE_URL defaults to %s.`, DefaultDatabaseURL),
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       buildVersion(),
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{followup.Errorf(followup.EInvalid, "%v (see %s --help)", cobraMsg(err), c.CommandPath())}
	})
	if p.Lang() != i18n.English {
		root.SetUsageTemplate(usageTemplate(p, root.UsageTemplate()))
	}
	defer func() {
		if p.Lang() != i18n.English {
			localizeCobra(p, root)
		}
	}()
	root.AddCommand(a.migrateCmd(), a.agentsCmd(), a.contactsCmd(), a.conversationsCmd(),
		a.templatesCmd(), a.cadencesCmd(), a.settingsCmd(), a.seedCmd(), a.benchCmd(),
		a.devCmd(), a.temporalCmd(), a.serveCmd(), a.workerCmd(), a.historyCmd(), a.replayCmd(), a.sendCmd(), a.templateSendCmd(), a.laterCmd(), a.cadenceCmd(), a.statusCmd(),
		a.cancelCmd(), a.closeCmd(), a.takeOverCmd(), a.snoozeCmd(), a.replyCmd(), a.outboxCmd(), a.notificationsCmd(), a.slashCmd(), a.auditCmd(), a.digestCmd())
	for _, c := range root.Commands() {
		markUsage(c)
	}
	return root
}

// usageTemplate is cobra's usage template with its headings in p's
// language.
func usageTemplate(p i18n.Printer, tmpl string) string {
	for _, h := range []string{"Usage:", "Aliases:", "Examples:", "Available Commands:", "Additional Commands:",
		"Global Flags:", "Additional help topics:"} {
		tmpl = strings.ReplaceAll(tmpl, h, p.Text(h))
	}
	tmpl = strings.ReplaceAll(tmpl, "\nFlags:", "\n"+p.Sprintf("Flags:"))
	// pflag writes a flag's default as " (default 50)".
	def, _, _ := strings.Cut(p.Text("(default %s)"), "%s")
	for _, fl := range []string{".LocalFlags.FlagUsages", ".InheritedFlags.FlagUsages"} {
		tmpl = strings.ReplaceAll(tmpl, "{{"+fl+" | trimTrailingWhitespaces}}",
			fmt.Sprintf("{{replaceAll (%s | trimTrailingWhitespaces) %q %q}}", fl, "(default ", def))
	}
	return strings.ReplaceAll(tmpl, `Use "{{.CommandPath}} [command] --help" for more information about a command.`,
		p.Sprintf("Use \"%s [command] --help\" for more information about a command.", "{{.CommandPath}}"))
}

func init() { cobra.AddTemplateFunc("replaceAll", strings.ReplaceAll) }

// localizeCobra gives the flags and the command cobra adds by itself
// (--help, --version, help) their help in p's language.
func localizeCobra(p i18n.Printer, root *cobra.Command) {
	root.InitDefaultVersionFlag()
	if f := root.Flags().Lookup("version"); f != nil {
		f.Usage = p.Sprintf("version for %s", root.DisplayName())
	}
	root.InitDefaultHelpCmd()
	for _, c := range root.Commands() {
		if c.Name() == "help" {
			c.Short = p.Sprintf("Help about any command")
			c.Long = p.Sprintf("Help provides help for any command in the application.\nSimply type %s help [path to command] for full details.", root.DisplayName())
		}
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.InitDefaultHelpFlag()
		if f := c.Flags().Lookup("help"); f != nil {
			f.Usage = p.Sprintf("help for %s", c.DisplayName())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// negativesAsArgs keeps values such as -1 and -5m arguments: pflag reads
// any word starting with a dash as flags ("-1" is the shorthand '1'), so
// `settings set wechat_message_limit -1` would fail with "unknown shorthand
// flag" instead of saying what is wrong with -1. When the command's
// arguments include such a word, its flags are moved ahead of a "--", after
// which pflag reads every word as an argument, in the order given. A word
// that is the value of a flag (--limit -1) stays with its flag.
func negativesAsArgs(root *cobra.Command, args []string) []string {
	cmd, rest, err := root.Find(args)
	if err != nil || cmd == root || cmd.HasSubCommands() || cmd.DisableFlagParsing {
		return args
	}
	// flag reports whether the command has the flag and whether it takes a
	// value (a switch such as --json does not).
	flag := func(name string, short bool) (found, takesValue bool) {
		local, inherited := cmd.Flags(), cmd.InheritedFlags()
		f := local.Lookup(name)
		if f == nil {
			f = inherited.Lookup(name)
		}
		if short {
			if f = local.ShorthandLookup(name); f == nil {
				f = inherited.ShorthandLookup(name)
			}
		}
		return f != nil, f != nil && f.NoOptDefVal == ""
	}
	isShorthand := func(letter string) bool { found, _ := flag(letter, true); return found }
	var flags, positional []string
	negative := false
	for i := 0; i < len(rest); i++ {
		s := rest[i]
		switch {
		case s == "--":
			positional = append(positional, rest[i+1:]...)
			i = len(rest)
		case len(s) > 1 && s[0] == '-' && (s[1] >= '0' && s[1] <= '9' || s[1] == '.') && !isShorthand(s[1:2]):
			positional = append(positional, s)
			negative = true
		case strings.HasPrefix(s, "--"):
			flags = append(flags, s)
			if _, takes := flag(s[2:], false); takes && !strings.Contains(s, "=") && i+1 < len(rest) {
				i++
				flags = append(flags, rest[i])
			}
		case len(s) > 1 && s[0] == '-':
			flags = append(flags, s)
			// -abc: each letter a flag, until one that takes a value, which
			// is the rest of the word or else the next word.
			for j := 1; j < len(s) && !strings.Contains(s, "="); j++ {
				if _, takes := flag(s[j:j+1], true); takes {
					if j == len(s)-1 && i+1 < len(rest) {
						i++
						flags = append(flags, rest[i])
					}
					break
				}
			}
		default:
			positional = append(positional, s)
		}
	}
	if !negative {
		return args
	}
	out := strings.Fields(cmd.CommandPath())[1:]
	out = append(out, flags...)
	out = append(out, "--")
	return append(out, positional...)
}

// markUsage makes argument-count errors usage errors, recursively.
func markUsage(c *cobra.Command) {
	if c.Args != nil {
		check := c.Args
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				return usageError{followup.Errorf(followup.EInvalid, "%s: %v (see %s --help)", cmd.CommandPath(), cobraMsg(err), cmd.CommandPath())}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		markUsage(sub)
	}
	if c.RunE == nil && c.HasSubCommands() {
		c.Args = func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{followup.Errorf(followup.EInvalid, "unknown command %q for %s (see %s --help)", args[0], cmd.CommandPath(), cmd.CommandPath())}
			}
			return nil
		}
		c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	}
}

func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (a *app) migrateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: a.p.Sprintf("Apply the database migrations (safe to run again)"),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.store()
			if err != nil {
				return err
			}
			res, err := st.Migrate(a.ctx)
			if err != nil {
				return err
			}
			if len(res.Applied) == 0 {
				a.p.Fprintf(a.stdout, "schema is up to date (version %d)\n", res.Version)
				return nil
			}
			a.p.Fprintf(a.stdout, "applied %d migration(s); schema version %d\n", len(res.Applied), res.Version)
			return nil
		},
	}
}

func (a *app) agentsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "agents", Short: a.p.Sprintf("Register, list and remove the agents who may use followup")}
	var slackUser, name, role string
	add := &cobra.Command{
		Use:   "add --slack-user U… --name NAME [--role agent|supervisor]",
		Short: a.p.Sprintf("Register an agent (or update their name and role)"),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.store()
			if err != nil {
				return err
			}
			ag, created, err := st.SaveAgent(a.ctx, followup.Agent{SlackUserID: slackUser, Name: name, Role: followup.Role(role)})
			if err != nil {
				return err
			}
			verb := "updated"
			if created {
				verb = "added"
			}
			a.audit(st, "", followup.AuditEntry{Action: followup.AuditAgentAdded,
				Detail: map[string]string{"slack_user": ag.SlackUserID, "name": ag.Name, "role": string(ag.Role), "change": verb}})
			if created {
				a.p.Fprintf(a.stdout, "added agent %d: %s (%s, Slack %s)\n", ag.ID, ag.Name, i18n.Msg(string(ag.Role)), ag.SlackUserID)
			} else {
				a.p.Fprintf(a.stdout, "updated agent %d: %s (%s, Slack %s)\n", ag.ID, ag.Name, i18n.Msg(string(ag.Role)), ag.SlackUserID)
			}
			return nil
		},
	}
	add.Flags().StringVar(&slackUser, "slack-user", "", a.p.Sprintf("the agent's Slack user id (U…)"))
	add.Flags().StringVar(&name, "name", "", a.p.Sprintf("the agent's name"))
	add.Flags().StringVar(&role, "role", "agent", a.p.Sprintf("agent or supervisor"))
	var asJSON bool
	list := &cobra.Command{
		Use:   "list [--json]",
		Short: a.p.Sprintf("List the registered agents"),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.store()
			if err != nil {
				return err
			}
			agents, err := st.Agents(a.ctx)
			if err != nil {
				return err
			}
			if asJSON {
				return a.printJSON(agents)
			}
			tw := newTable(a.stdout, "ID", a.p.Sprintf("SLACK USER"), a.p.Sprintf("NAME"), a.p.Sprintf("ROLE"))
			for _, ag := range agents {
				tw.row(ag.ID, ag.SlackUserID, ag.Name, ag.Role)
			}
			return tw.flush()
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, a.p.Sprintf("print a JSON array"))
	remove := &cobra.Command{
		Use:   "remove SLACK_USER_ID",
		Short: a.p.Sprintf("Remove an agent; their conversations become unassigned"),
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.store()
			if err != nil {
				return err
			}
			if err := st.RemoveAgent(a.ctx, args[0]); err != nil {
				return err
			}
			a.audit(st, "", followup.AuditEntry{Action: followup.AuditAgentRemoved, Detail: map[string]string{"slack_user": args[0]}})
			a.p.Fprintf(a.stdout, "removed agent %s\n", args[0])
			return nil
		},
	}
	cmd.AddCommand(add, list, remove)
	return cmd
}

// agentRef finds an agent by Slack user id or numeric id.
func (a *app) agentRef(st *store.Store, ref string) (followup.Agent, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return st.Agent(a.ctx, id)
	}
	ag, err := st.AgentBySlackUser(a.ctx, ref)
	if followup.ErrorCodeOf(err) == followup.ENotFound {
		return ag, followup.Errorf(followup.ENotFound, "no agent %q (followup agents list)", ref)
	}
	return ag, err
}

func (a *app) conversationsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "conversations", Short: a.p.Sprintf("Work with contacts' conversations")}
	var logic string
	closeCmd := &cobra.Command{
		Use:   "close CONTACT",
		Short: a.p.Sprintf("Close a contact's open conversation (the workspace's closing logic applies)"),
		Long: a.p.Sprintf(`Close a contact's open conversation. CONTACT is an id (#42), an email, a phone
number in any format, or a name that matches exactly one contact. The
workspace's closing logic (followup settings show) decides whether the
assignee is kept; --logic overrides it for this call.`),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.store()
			if err != nil {
				return err
			}
			c, err := st.Resolve(a.ctx, args[0])
			if err != nil {
				return err
			}
			var l followup.ClosingLogic
			switch logic {
			case "":
			case "unassign", "keep":
				l = followup.ClosingLogic(logic)
			default:
				return usageError{followup.Errorf(followup.EInvalid, "--logic must be unassign or keep")}
			}
			conv, err := st.CloseConversation(a.ctx, c.ID, l, timeNow())
			if err != nil {
				return err
			}
			e := followup.AuditEntry{Action: followup.AuditFollowupClosed, ContactID: c.ID}
			if l != "" {
				e.Detail = map[string]string{"logic": string(l)}
			}
			a.audit(st, "", e)
			who := a.p.Sprintf("unassigned")
			if conv.AssigneeID != nil {
				who = a.p.Sprintf("still assigned to agent %d", *conv.AssigneeID)
			}
			a.p.Fprintf(a.stdout, "closed conversation %d with %s (#%d), %s\n", conv.ID, c.FullName(), c.ID, who)
			return nil
		},
	}
	closeCmd.Flags().StringVar(&logic, "logic", "", a.p.Sprintf("unassign or keep (default: the workspace setting)"))
	cmd.AddCommand(closeCmd)
	return cmd
}

func (a *app) templatesCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "templates", Short: a.p.Sprintf("Manage pre-approved message templates (WhatsApp)")}
	var t followup.Template
	var channel, status string
	add := &cobra.Command{
		Use:   "add NAME --params N [--language en] [--status approved] [--body TEXT] [--channel whatsapp]",
		Short: a.p.Sprintf("Add or update a template as the provider approved it"),
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.store()
			if err != nil {
				return err
			}
			t.Name, t.Channel, t.Status = args[0], followup.Channel(channel), followup.TemplateStatus(status)
			saved, err := st.SaveTemplate(a.ctx, t)
			if err != nil {
				return err
			}
			a.audit(st, "", followup.AuditEntry{Action: followup.AuditTemplateAdded, Channel: saved.Channel,
				Detail: map[string]string{"template": saved.Name, "language": saved.Language, "status": string(saved.Status)}})
			a.p.Fprintf(a.stdout, "saved %s template %q (%s, %s, %d parameter(s))\n", a.p.Text(saved.Channel.Title()), saved.Name, saved.Language, a.p.Text(string(saved.Status)), saved.ParamCount)
			return nil
		},
	}
	add.Flags().StringVar(&channel, "channel", string(followup.WhatsApp), a.p.Sprintf("the channel the template belongs to"))
	add.Flags().StringVar(&t.Language, "language", "en", a.p.Sprintf("the template's language code"))
	add.Flags().StringVar(&status, "status", "approved", a.p.Sprintf("approved, pending, rejected or paused"))
	add.Flags().IntVar(&t.ParamCount, "params", 0, a.p.Sprintf("how many parameters the template takes"))
	add.Flags().StringVar(&t.Body, "body", "", a.p.Sprintf("the template text, with {{1}}-style parameters"))
	var asJSON bool
	var listChannel string
	list := &cobra.Command{
		Use:   "list [--channel CH] [--json]",
		Short: a.p.Sprintf("List templates"),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.store()
			if err != nil {
				return err
			}
			if listChannel != "" {
				if _, err := followup.ParseChannel(listChannel); err != nil {
					return usageError{err}
				}
			}
			ts, err := st.Templates(a.ctx, followup.Channel(listChannel))
			if err != nil {
				return err
			}
			if asJSON {
				return a.printJSON(ts)
			}
			tw := newTable(a.stdout, "ID", a.p.Sprintf("CHANNEL"), a.p.Sprintf("NAME"), a.p.Sprintf("LANGUAGE"), a.p.Sprintf("STATUS"), a.p.Sprintf("PARAMS"), a.p.Sprintf("BODY"))
			for _, t := range ts {
				tw.row(t.ID, t.Channel, t.Name, t.Language, t.Status, t.ParamCount, t.Body)
			}
			return tw.flush()
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, a.p.Sprintf("print a JSON array"))
	list.Flags().StringVar(&listChannel, "channel", "", a.p.Sprintf("only this channel"))
	cmd.AddCommand(add, list)
	return cmd
}

func (a *app) settingsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "settings", Short: a.p.Sprintf("Show or change the workspace settings (channel limits, closing logic)")}
	var asJSON bool
	show := &cobra.Command{
		Use:   "show [--json]",
		Short: a.p.Sprintf("Show the workspace settings"),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.store()
			if err != nil {
				return err
			}
			s, err := st.Settings(a.ctx)
			if err != nil {
				return err
			}
			if asJSON {
				m := map[string]string{}
				for _, n := range store.SettingNames() {
					m[n] = store.ShowSetting(s, n)
				}
				return a.printJSON(m)
			}
			tw := newTable(a.stdout, a.p.Sprintf("SETTING"), a.p.Sprintf("VALUE"))
			for _, n := range store.SettingNames() {
				tw.row(n, store.ShowSetting(s, n))
			}
			return tw.flush()
		},
	}
	show.Flags().BoolVar(&asJSON, "json", false, a.p.Sprintf("print a JSON object"))
	set := &cobra.Command{
		Use:   "set NAME VALUE",
		Short: a.p.Sprintf("Change one setting, e.g. `settings set wechat_message_limit 5`"),
		Long: a.p.Sprintf(`Change one setting. Names: %s.
Durations are written like 45m, 24h or 7d; switches as true or false;
default_region (the country of phone numbers written without a country
code) as an ISO 3166 code like GB or US, or none.`, strings.Join(store.SettingNames(), ", ")),
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.store()
			if err != nil {
				return err
			}
			if err := st.SetSetting(a.ctx, args[0], args[1]); err != nil {
				return err
			}
			s, err := st.Settings(a.ctx)
			if err != nil {
				return err
			}
			a.audit(st, "", followup.AuditEntry{Action: followup.AuditSettingSet, Detail: map[string]string{"setting": args[0], "value": store.ShowSetting(s, args[0])}})
			fmt.Fprintf(a.stdout, "%s = %s\n", args[0], store.ShowSetting(s, args[0]))
			a.digestSettingSet(args[0], s)
			return nil
		},
	}
	cmd.AddCommand(show, set)
	return cmd
}

// cobraTexts are the errors cobra and pflag write that people meet, as
// patterns of their English and the catalog's key for each (its %s are the
// pattern's groups, in order).
var cobraTexts = []struct {
	re  *regexp.Regexp
	key string
}{
	{regexp.MustCompile(`^unknown flag: (\S+)$`), "unknown flag: %s"},
	{regexp.MustCompile(`^unknown shorthand flag: '(.)' in (\S+)$`), "unknown shorthand flag: '%s' in %s"},
	{regexp.MustCompile(`^flag needs an argument: (.+)$`), "flag needs an argument: %s"},
	{regexp.MustCompile(`^invalid argument ("(?:[^"\\]|\\.)*") for ("[^"]+") flag: (.*)$`), "invalid argument %s for %s flag: %s"},
	{regexp.MustCompile(`^bad flag syntax: (.*)$`), "bad flag syntax: %s"},
	{regexp.MustCompile(`^accepts (\d+) arg\(s\), received (\d+)$`), "accepts %s arg(s), received %s"},
	{regexp.MustCompile(`^accepts at most (\d+) arg\(s\), received (\d+)$`), "accepts at most %s arg(s), received %s"},
	{regexp.MustCompile(`^requires at least (\d+) arg\(s\), only received (\d+)$`), "requires at least %s arg(s), only received %s"},
	{regexp.MustCompile(`^accepts between (\d+) and (\d+) arg\(s\), received (\d+)$`), "accepts between %s and %s arg(s), received %s"},
	{regexp.MustCompile(`^required flag\(s\) (.+) not set$`), "required flag(s) %s not set"},
}

// cobraMsg is an error cobra or pflag wrote, as a message: the catalog's
// where it is one of cobraTexts, else as they wrote it.
func cobraMsg(err error) i18n.Message {
	s := err.Error()
	for _, t := range cobraTexts {
		if m := t.re.FindStringSubmatch(s); m != nil {
			args := make([]any, len(m)-1)
			for i, g := range m[1:] {
				args[i] = g
			}
			return i18n.Msg(t.key, args...)
		}
	}
	return i18n.Text(s)
}
