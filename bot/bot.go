package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/actions"
	"github.com/followup-dev/followup/i18n"
	"github.com/followup-dev/followup/metrics"
)

// Slack is the part of Slack's Web API the bot calls (a *slack.Client).
type Slack interface {
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	OpenViewContext(ctx context.Context, triggerID string, view slack.ModalViewRequest) (*slack.ViewResponse, error)
	PublishViewContext(ctx context.Context, req slack.PublishViewContextRequest) (*slack.ViewResponse, error)
	// GetUserInfoContext (users.info) gives an agent's time zone and
	// language.
	GetUserInfoContext(ctx context.Context, user string, options ...slack.GetUserInfoOption) (*slack.User, error)
}

// Config is the bot's settings.
type Config struct {
	// TeamID is the Slack workspace served (SLACK_TEAM_ID); requests from
	// any other are refused. Empty accepts any workspace.
	TeamID string
	// Command is the slash command's name, for help texts (default /followup).
	Command string
	// AckWithin is how long a command may work before the bot acknowledges
	// it and answers later through response_url (default 75 ms, so Slack
	// always hears back fast; a search usually answers within it).
	AckWithin time.Duration
	// WorkTimeout bounds the work of one command after it was acknowledged
	// (default 60 s).
	WorkTimeout time.Duration
	// PageSize is how many contacts one find message shows (default 10).
	PageSize int
	// HTTPClient posts to response_url (default: a client with a 10 s timeout).
	HTTPClient *http.Client
	// Now is the clock (default time.Now).
	Now    func() time.Time
	Logger *slog.Logger
	// Metrics observes how long slash commands take to be acknowledged
	// (nil: not observed).
	Metrics *metrics.Metrics
}

// Bot answers Slack: slash commands, buttons and modals, and App Home.
type Bot struct {
	reqs  Requests
	act   *actions.Service
	slack Slack
	cfg   Config
	log   *slog.Logger
	work  sync.WaitGroup // commands still answering through response_url

	profiles *profiles // agents' time zones and languages

	mu       sync.Mutex
	agents   map[string]cachedAgent // by Slack user id
	stopping bool                   // Wait was called

	carrying chan struct{} // slots of requests being carried out
	reading  chan struct{} // slots of reads (find, status, vip) running
}

// cachedAgent is a registered agent looked up at most agentTTL ago, so a
// burst of commands does not queue on the database before it is answered.
type cachedAgent struct {
	agent followup.Agent
	at    time.Time
}

// maxReading bounds the reads one process runs at once (about the cores
// Postgres has on a small machine).
const maxReading = 4

// agentTTL bounds how long a removed agent (or a changed role) may still
// be honoured.
const agentTTL = 5 * time.Second

// New returns a bot that keeps the requests it acknowledged in reqs,
// reaches contacts and follow-ups through act, and calls Slack's Web API.
func New(reqs Requests, act *actions.Service, api Slack, cfg Config) *Bot {
	if cfg.Command == "" {
		cfg.Command = "/followup"
	}
	if cfg.AckWithin <= 0 {
		cfg.AckWithin = 75 * time.Millisecond
	}
	if cfg.WorkTimeout <= 0 {
		cfg.WorkTimeout = 60 * time.Second
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = 10
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Bot{reqs: reqs, act: act, slack: api, cfg: cfg, log: cfg.Logger, agents: map[string]cachedAgent{}, profiles: newProfiles(api, cfg.Logger), carrying: make(chan struct{}, maxCarryingOut), reading: make(chan struct{}, maxReading)}
}

// Wait waits for commands still answering through response_url.
func (b *Bot) Wait() {
	b.mu.Lock()
	b.stopping = true // Resume takes nothing more while we wait
	b.mu.Unlock()
	b.work.Wait()
	b.mu.Lock()
	b.stopping = false
	b.mu.Unlock()
}

// authorize returns the registered agent behind a request from user in team.
func (b *Bot) authorize(ctx context.Context, teamID, userID string) (followup.Agent, error) {
	if b.cfg.TeamID != "" && teamID != b.cfg.TeamID {
		return followup.Agent{}, followup.Errorf(followup.EUnauthorized, "This followup app serves another Slack workspace; nothing was done.")
	}
	now := time.Now()
	b.mu.Lock()
	c, ok := b.agents[userID]
	b.mu.Unlock()
	if ok && now.Sub(c.at) < agentTTL {
		return c.agent, nil
	}
	var a followup.Agent
	err := dropped(ctx, time.Second, func(ctx context.Context) (err error) {
		a, err = b.act.AgentBySlackUser(ctx, userID)
		return err
	})
	if followup.ErrorCodeOf(err) == followup.ENotFound {
		return a, followup.Errorf(followup.EUnauthorized, "You are not registered as a followup agent, so nothing was done. An admin can add you: `followup agents add --slack-user %s --name \"Your Name\"`.", userID)
	}
	if err != nil {
		return a, err
	}
	b.mu.Lock()
	if len(b.agents) > 10000 { // bounded: a workspace has far fewer agents
		clear(b.agents)
	}
	b.agents[userID] = cachedAgent{agent: a, at: now}
	b.mu.Unlock()
	return a, nil
}

// Command answers a slash command. The returned message is the immediate
// answer (Slack shows it to the agent only); work that takes longer than
// AckWithin continues and answers through the command's response_url.
func (b *Bot) Command(ctx context.Context, sc slack.SlashCommand) *slack.Msg {
	m := b.command(ctx, sc)
	m.Type = "" // an internal mark, never sent to Slack
	return m
}

// observeAck records how long the slash command with text took from
// receipt (start) to its acknowledgement, by verb: one of the commands,
// or "invalid" for text that names none.
func (b *Bot) observeAck(text string, start time.Time) {
	verb := VerbHelp
	if f := strings.Fields(UnescapeText(text)); len(f) > 0 {
		verb = Verb(strings.ToLower(f[0]))
		switch verb {
		case "--help", "-h", "?":
			verb = VerbHelp
		}
	}
	label := string(verb)
	if !verb.Valid() {
		label = "invalid"
	}
	b.cfg.Metrics.SlackAck(label, time.Since(start))
}

func (b *Bot) command(ctx context.Context, sc slack.SlashCommand) *slack.Msg {
	// The agent reads the answer in their language, even a refusal.
	prof := b.profiles.get(ctx, sc.UserID)
	p := i18n.New(prof.lang)
	// Slack must hear back within 3 s, even if Postgres hangs.
	actx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	agent, err := b.authorize(actx, sc.TeamID, sc.UserID)
	cancel()
	if err != nil {
		return b.errorMsg(p, err, "")
	}
	text := UnescapeText(sc.Text)
	now := b.cfg.Now()
	if readsTimes(text) {
		// later and --at read "tomorrow 9:00" where the agent is.
		now = now.In(prof.loc)
	}
	cmd, err := ParseCommand(text, now)
	if err != nil {
		return b.errorMsg(p, err, "")
	}
	switch specs[cmd.Verb].answer {
	case answerNow:
		return b.run(ctx, p, agent, cmd)
	case answerDurable:
		// Commands that start or change follow-ups are acknowledged once
		// they are recorded (durable), and answer through response_url,
		// so Slack never waits on Temporal and a crash never loses them.
		id := requestID()
		return b.accept(ctx, p, id, agent, job{Command: &cmd}, sc.ResponseURL)
	}
	// Reads answer inline when they are quick.
	return b.answer(p, sc.ResponseURL, b.cfg.AckWithin, func(ctx context.Context) *slack.Msg {
		// A few reads at once: a burst of searches would otherwise take
		// every core from Postgres's other work, the acknowledgements'
		// included; the rest wait (and answer through response_url).
		select {
		case b.reading <- struct{}{}:
			defer func() { <-b.reading }()
		case <-ctx.Done():
			return b.errorMsg(p, &followup.Error{Code: followup.EUnavailable, Message: "The search did not get its turn in time", Err: ctx.Err()}, "")
		}
		return b.run(ctx, p, agent, cmd)
	})
}

// answer runs work, returning its message when it finishes within wait,
// else an acknowledgement; the message then goes to responseURL.
func (b *Bot) answer(p i18n.Printer, responseURL string, wait time.Duration, work func(context.Context) *slack.Msg) *slack.Msg {
	// The work must not end with the request that started it.
	ctx, cancel := context.WithTimeout(context.Background(), b.cfg.WorkTimeout)
	done := make(chan *slack.Msg, 1)
	b.work.Add(1)
	go func() {
		defer b.work.Done()
		defer cancel()
		done <- work(ctx)
	}()
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case m := <-done:
			return m
		case <-t.C:
		}
	}
	b.work.Add(1)
	go func() {
		defer b.work.Done()
		m := <-done
		if responseURL == "" {
			return
		}
		if err := b.respond(responseURL, m); err != nil {
			b.log.Error("slack: answer through response_url", "err", err)
		}
	}()
	return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: p.Text(ackText)}
}

// respond posts m to a response_url.
func (b *Bot) respond(responseURL string, m *slack.Msg) error {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	wm := &slack.WebhookMessage{Text: m.Text, ResponseType: m.ResponseType, ReplaceOriginal: m.ReplaceOriginal}
	if len(m.Blocks.BlockSet) > 0 {
		wm.Blocks = &m.Blocks
	}
	err := slack.PostWebhookCustomHTTPContext(ctx, responseURL, b.cfg.HTTPClient, wm)
	if err != nil && wm.Blocks != nil {
		// Slack refused the blocks: the agent must still hear what happened.
		err = slack.PostWebhookCustomHTTPContext(ctx, responseURL, b.cfg.HTTPClient,
			&slack.WebhookMessage{Text: clip(m.Text, 3000), ResponseType: m.ResponseType})
	}
	return err
}

// run carries out a parsed command for agent, with the handler its row
// in the table of commands names.
func (b *Bot) run(ctx context.Context, p i18n.Printer, agent followup.Agent, cmd Command) *slack.Msg {
	c, ok := specs[cmd.Verb]
	if !ok {
		return b.errorMsg(p, followup.Errorf(followup.EInvalid, "unknown command"), "")
	}
	return c.run(b, ctx, p, agent, cmd)
}

func (b *Bot) help(_ context.Context, p i18n.Printer, agent followup.Agent, _ Command) *slack.Msg {
	return helpMsg(p, b.cfg.Command, agent)
}

func (b *Bot) runFind(ctx context.Context, p i18n.Printer, agent followup.Agent, cmd Command) *slack.Msg {
	q := actions.Query{Text: cmd.Query, Inbox: actions.Inbox(cmd.Inbox), Status: actions.StatusFilter(cmd.Status), Limit: b.cfg.PageSize}
	if q.Inbox == actions.InboxMine {
		q.AgentID = agent.ID
	}
	return b.find(ctx, p, q)
}

func (b *Bot) vip(ctx context.Context, p i18n.Printer, agent followup.Agent, _ Command) *slack.Msg {
	if agent.Role != followup.RoleSupervisor {
		return b.errorMsg(p, followup.Errorf(followup.EUnauthorized, "`vip` is for supervisors; you are registered as an agent."), "")
	}
	fs, err := b.act.VIP(ctx)
	if err != nil {
		return b.errorMsg(p, err, "")
	}
	return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: p.Sprintf("%d VIP follow-up(s) running", len(fs)),
		Blocks: slack.Blocks{BlockSet: b.followupBlocks(ctx, p, p.Sprintf("Running VIP follow-ups, overdue first"), fs)}}
}

// target finds the command's contact and the channel to write on (a
// template goes to WhatsApp unless --via says otherwise).
func (b *Bot) target(ctx context.Context, p i18n.Printer, cmd Command, template bool) (actions.Target, *slack.Msg) {
	via := cmd.Via
	if via == "" && cmd.ElseTag != "" {
		via = followup.Messenger // where message tags are
	}
	t, err := b.act.Resolve(ctx, cmd.Contact, via, template)
	return t, b.unresolved(ctx, p, cmd, err)
}

// lookup finds the command's contact.
func (b *Bot) lookup(ctx context.Context, p i18n.Printer, cmd Command) (actions.Target, *slack.Msg) {
	t, err := b.act.Lookup(ctx, cmd.Contact)
	return t, b.unresolved(ctx, p, cmd, err)
}

// unresolved answers a contact that was not resolved (nil when it was):
// several matches answer with a list to pick from, which re-runs the
// command with the picked contact.
func (b *Bot) unresolved(ctx context.Context, p i18n.Printer, cmd Command, err error) *slack.Msg {
	if err == nil {
		return nil
	}
	if followup.ErrorCodeOf(err) == followup.EConflict {
		page, ferr := b.act.Find(ctx, actions.Query{Text: cmd.Contact, Status: actions.StatusAny, Limit: 5})
		if ferr == nil && len(page.Results) > 1 {
			return pickMsg(p, cmd, page.Results)
		}
	}
	return b.errorMsg(p, err, "")
}

func (b *Bot) send(ctx context.Context, p i18n.Printer, agent followup.Agent, cmd Command) *slack.Msg {
	// A template, or a template to fall back on, goes to WhatsApp unless
	// --via says otherwise.
	t, m := b.target(ctx, p, cmd, cmd.Verb == VerbTemplate || cmd.ElseTemplate != "")
	if m != nil {
		return m
	}
	req := actions.SendRequest{Text: cmd.Text, Tag: cmd.Tag, At: cmd.At}
	if cmd.Verb == VerbTemplate {
		args := make([]string, len(cmd.Params))
		for i, param := range cmd.Params {
			args[i] = param.Name + "=" + param.Value
		}
		params, err := actions.TemplateParams(args)
		if err != nil {
			return b.errorMsg(p, err, cmd.Verb)
		}
		req = actions.SendRequest{Template: &actions.TemplateRequest{Name: cmd.Template, Params: params}, At: cmd.At}
		// Scheduled, the template is checked now, as the modal does: its
		// time is no time to learn it does not exist.
		if !cmd.At.IsZero() {
			if t.Channel != followup.WhatsApp {
				return b.errorMsg(p, followup.Errorf(followup.EInvalid, "Templates are WhatsApp's, and %s has none; drop --via to send it on WhatsApp.", channelTitle(t.Channel)), cmd.Verb)
			}
			if m := b.checkTemplate(ctx, p, cmd.Template, len(params), fmt.Sprintf("%s %s #%d ", b.cfg.Command, VerbTemplate, t.Contact.ID)); m != nil {
				return m
			}
		}
	}
	if !cmd.At.IsZero() && !cmd.At.After(b.cfg.Now()) {
		return b.errorMsg(p, followup.Errorf(followup.EInvalid, "%s has passed; run the command again with a new time.", slackDate(cmd.At)), "")
	}
	switch {
	case cmd.ElseTemplate != "":
		if t.Channel != followup.WhatsApp {
			return b.errorMsg(p, followup.Errorf(followup.EInvalid, "--else-template names a WhatsApp template, and this message goes to %s; drop --else-template or use --via whatsapp.", channelTitle(t.Channel)), cmd.Verb)
		}
		if m := b.checkTemplate(ctx, p, cmd.ElseTemplate, len(cmd.ElseParams), "--else-template "); m != nil {
			return m
		}
		req.Else = &actions.Fallback{Template: &actions.TemplateRequest{Name: cmd.ElseTemplate, Params: cmd.ElseParams}}
	case cmd.ElseTag != "":
		if t.Channel != followup.Messenger {
			return b.errorMsg(p, followup.Errorf(followup.EInvalid, "--else-tag names a Messenger tag, and this message goes to %s; drop --else-tag or use --via messenger.", channelTitle(t.Channel)), cmd.Verb)
		}
		req.Else = &actions.Fallback{Tag: cmd.ElseTag}
	}
	id := cmd.RequestID
	if id == "" {
		id = requestID()
	}
	out, err := b.act.Send(ctx, actor(agent), t, req, id)
	if err != nil {
		m := b.errorMsg(p, err, "")
		if followup.ErrorCodeOf(err) == followup.ERefused && t.Channel == followup.WhatsApp && cmd.Verb != VerbTemplate {
			b.suggestTemplates(ctx, p, m, t)
		}
		return m
	}
	return outcomeMsg(p, t, out)
}

// suggestTemplates adds to a WhatsApp refusal the approved templates that
// may be sent instead, and how.
func (b *Bot) suggestTemplates(ctx context.Context, p i18n.Printer, m *slack.Msg, t actions.Target) {
	ts, err := b.act.Templates(ctx, followup.WhatsApp)
	if err != nil {
		return
	}
	text := templateList(p.Sprintf("Approved templates that may be sent now:"), fmt.Sprintf("%s %s #%d ", b.cfg.Command, VerbTemplate, t.Contact.ID), ts)
	if text == "" {
		return
	}
	m.Text += "\n" + text
	m.Blocks.BlockSet = append(m.Blocks.BlockSet, slack.NewSectionBlock(md(text), nil, nil),
		slack.NewActionBlock("", slack.NewButtonBlockElement(ActionFollowUp, strconv.FormatInt(t.Contact.ID, 10), plain(p.Sprintf("Follow up with a template"))).WithStyle(slack.StylePrimary)))
}

// templateList lists up to five approved templates under header, each as
// prefix NAME 1=… 2=… with the start of its body; "" when none is approved.
func templateList(header, prefix string, ts []followup.Template) string {
	var lines []string
	for _, tpl := range ts {
		if tpl.Status != followup.TemplateApproved {
			continue
		}
		lines = append(lines, fmt.Sprintf("• `%s%s` — %s", prefix, templateUsage(tpl.Name, tpl.ParamCount), escape(truncate(tpl.Body, 80))))
		if len(lines) == 5 {
			break
		}
	}
	if len(lines) == 0 {
		return ""
	}
	return header + "\n" + strings.Join(lines, "\n")
}

// templateUsage is "name 1=… 2=…": how a template with n parameters is named.
func templateUsage(name string, n int) string {
	params := make([]string, n)
	for i := range params {
		params[i] = fmt.Sprintf("%d=…", i+1)
	}
	return strings.TrimSpace(name + " " + strings.Join(params, " "))
}

// checkTemplate says, before anything is scheduled, when the WhatsApp
// template name is not approved or does not take the given number of
// parameters, listing the approved templates, each after prefix; nil
// when it fits.
func (b *Bot) checkTemplate(ctx context.Context, p i18n.Printer, name string, given int, prefix string) *slack.Msg {
	ts, err := b.act.Templates(ctx, followup.WhatsApp)
	if err != nil {
		return b.errorMsg(p, err, "")
	}
	problem := templateProblem(name, given, ts)
	if problem == nil {
		return nil
	}
	m := b.errorMsg(p, followup.Errorf(followup.EInvalid, "%s, so nothing was scheduled.", problem), "")
	if list := templateList(p.Sprintf("Approved WhatsApp templates:"), prefix, ts); list != "" {
		m.Text += "\n" + list
		m.Blocks.BlockSet = append(m.Blocks.BlockSet, slack.NewSectionBlock(md(clip(list, maxSectionText)), nil, nil))
	} else {
		none := p.Sprintf("No WhatsApp template is approved yet; an admin adds them with `followup templates add`.")
		m.Text += "\n" + none
		m.Blocks.BlockSet = append(m.Blocks.BlockSet, slack.NewContextBlock("", md(none)))
	}
	return m
}

// templateProblem says what keeps the WhatsApp template name from being
// sent with given parameters (nil when nothing does): it is unknown, not
// approved, or approved with another number of parameters (in every
// language it has).
func templateProblem(name string, given int, ts []followup.Template) *followup.Error {
	var status followup.TemplateStatus
	var counts []string
	for _, t := range ts {
		if t.Name != name {
			continue
		}
		if t.Status != followup.TemplateApproved {
			status = t.Status
			continue
		}
		if t.ParamCount == given {
			return nil
		}
		counts = append(counts, strconv.Itoa(t.ParamCount))
	}
	switch {
	case len(counts) == 1:
		return followup.Errorf(followup.EInvalid, "The WhatsApp template %s takes %s parameter(s), and %d were given (write them as 1=… 2=…)", escape(name), counts[0], given)
	case len(counts) > 0:
		return followup.Errorf(followup.EInvalid, "The WhatsApp template %s takes %s parameter(s), and %d were given (write them as 1=… 2=…)", escape(name),
			i18n.Func(func(p i18n.Printer) string { return strings.Join(counts, p.Sprintf(" or ")) }), given)
	case status != "":
		return followup.Errorf(followup.EInvalid, "The WhatsApp template %s is %s, not approved", escape(name), templateStatus(status))
	}
	return followup.Errorf(followup.EInvalid, "There is no approved WhatsApp template called %s", escape(name))
}

func (b *Bot) status(ctx context.Context, p i18n.Printer, _ followup.Agent, cmd Command) *slack.Msg {
	t, m := b.lookup(ctx, p, cmd)
	if m != nil {
		return m
	}
	states, err := b.act.Status(ctx, t.Contact)
	if err != nil {
		return b.errorMsg(p, err, "")
	}
	set, err := b.act.Settings(ctx)
	if err != nil {
		return b.errorMsg(p, err, "")
	}
	return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: p.Sprintf("Status of %s", t.Contact.FullName()),
		Blocks: slack.Blocks{BlockSet: statusBlocks(p, t, states, actions.Windows(t.Identities, set, b.cfg.Now()))}}
}

func (b *Bot) cancel(ctx context.Context, p i18n.Printer, agent followup.Agent, cmd Command) *slack.Msg {
	t, m := b.lookup(ctx, p, cmd)
	if m != nil {
		return m
	}
	cs, err := b.act.Cancel(ctx, actor(agent), t.Contact, cmd.Via, cmd.RequestID)
	var lines []string
	for _, c := range cs {
		lines = append(lines, p.Sprintf("✅ Cancelled the %s follow-up with %s (%d scheduled message(s) dropped).", p.Text(c.Channel.Title()), escape(t.Contact.FullName()), c.Scheduled))
	}
	switch {
	case err != nil && followup.ErrorCodeOf(err) == followup.ENotFound && resumed(ctx):
		// Run again after a restart: the first run may have cancelled it.
		lines = append(lines, p.Sprintf("✅ No follow-up with %s is running now: your cancel, interrupted by a restart, had already ended it (or nothing was running).", escape(t.Contact.FullName())))
	case err != nil:
		lines = append(lines, b.errorMsg(p, err, "").Text)
	}
	return textMsg(strings.Join(lines, "\n"))
}

func (b *Bot) close(ctx context.Context, p i18n.Printer, agent followup.Agent, cmd Command) *slack.Msg {
	t, m := b.lookup(ctx, p, cmd)
	if m != nil {
		return m
	}
	ended, err := b.act.Close(ctx, actor(agent), t.Contact, cmd.RequestID)
	var lines []string
	for _, ch := range ended {
		lines = append(lines, p.Sprintf("✅ Closed the conversation with %s; the %s follow-up has ended.", escape(t.Contact.FullName()), p.Text(ch.Title())))
	}
	switch {
	case err != nil:
		lines = append(lines, b.errorMsg(p, err, "").Text)
	case len(ended) == 0:
		lines = append(lines, p.Sprintf("✅ Closed the conversation with %s.", escape(t.Contact.FullName())))
	}
	return textMsg(strings.Join(lines, "\n"))
}

// errorMsg tells the agent, in p's language, what went wrong and, for a
// usage error, how to write the command.
func (b *Bot) errorMsg(p i18n.Printer, err error, verb Verb) *slack.Msg {
	icon := "❌"
	switch followup.ErrorCodeOf(err) {
	case followup.ERefused:
		icon = "🚫"
	case followup.EUnauthorized:
		icon = "🔒"
	case followup.EInternal:
		b.log.Error("slack command", "err", err)
		icon = "⚠️"
	case followup.EUnavailable:
		b.log.Error("slack command", "err", err)
		icon = "⚠️"
	}
	text := icon + " " + p.Error(err)
	// The English message says whether it told what was done.
	if followup.ErrorCodeOf(err) == followup.EUnavailable && !strings.Contains(followup.ErrorMessage(err), "nothing") {
		text += p.Sprintf("; nothing was changed. Try again in a minute.")
	}
	if verb != "" && followup.ErrorCodeOf(err) == followup.EInvalid && !hasUsage(err) {
		text += p.Sprintf("\nUsage: `%s`", b.usage(p, verb))
	}
	if b.cfg.Command != commandName {
		text = strings.ReplaceAll(text, commandName, b.cfg.Command)
	}
	m := textMsg(text)
	if followup.ErrorCodeOf(err) == followup.EUnavailable {
		m.Type = msgUnavailable
	}
	return m
}

// hasUsage reports whether err is a parse error, which ends with the
// verb's usage line.
func hasUsage(err error) bool {
	var e *followup.Error
	if !errors.As(err, &e) {
		return false
	}
	format, _ := e.MessageFormat()
	return format == usageFormat
}

// channelTitle is the channel's name in the reader's language (the
// names are the same in every language but a few: Website chat).
func channelTitle(c followup.Channel) i18n.Message { return i18n.Msg(c.Title()) }

// templateStatus is a template's status as the reader's language says it.
func templateStatus(s followup.TemplateStatus) i18n.Message { return i18n.Msg(string(s)) }

// maxSectionText is Slack's limit on a section's text.
const maxSectionText = 3000

// UnescapeText undoes what Slack does to a slash command's text: &, < and >
// arrive as &amp;, &lt; and &gt;, and links, emails and phone numbers it
// recognised as <mailto:a@b.c|a@b.c> (the text after | is what was typed).
func UnescapeText(s string) string {
	var sb strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		sb.WriteString(s[:i])
		inner := s[i+1 : i+j]
		if _, label, ok := strings.Cut(inner, "|"); ok {
			sb.WriteString(label)
		} else {
			sb.WriteString(strings.TrimPrefix(strings.TrimPrefix(inner, "mailto:"), "tel:"))
		}
		s = s[i+j+1:]
	}
	sb.WriteString(s)
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(sb.String())
}

// EscapeText escapes a slash command's text as Slack does before sending it.
func EscapeText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func textMsg(text string) *slack.Msg {
	text = clip(text, maxSectionText)
	return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: text,
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil)}}}
}

func requestID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "slack-" + hex.EncodeToString(b)
}

// actor is an agent acting from Slack, as the audit log records them.
func actor(agent followup.Agent) actions.Actor {
	return actions.Actor{Agent: agent, Source: followup.SourceSlack}
}
