package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/spf13/cobra"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/actions"
	"github.com/followup-dev/followup/activities"
	"github.com/followup-dev/followup/bot"
	"github.com/followup-dev/followup/demo"
	"github.com/followup-dev/followup/store"
	"github.com/followup-dev/followup/workflows"
)

// slackConfig is the Slack part of the environment.
type slackConfig struct {
	SigningSecret     string
	BotToken          string
	AppToken          string
	APIURL            string
	TeamID            string
	SupervisorChannel string
	Command           string
	// Local is true in `followup dev` without a Slack app: requests are
	// signed with a secret kept in the data directory (which `followup
	// slash` reads) and Web API calls are printed instead of sent.
	Local bool
}

// devSigningSecretFile holds the signing secret of a local dev workspace.
const devSigningSecretFile = "slack-signing-secret"

// loadSlack reads and checks the Slack variables. Without any, Slack is
// off (ok false) except in dev, which runs a local workspace.
func (a *app) loadSlack(dev bool) (cfg slackConfig, ok bool, err error) {
	return a.readSlack(dev, true)
}

// readSlack is loadSlack; serving requests needs the signing secret (or
// Socket Mode), sending notifications only the bot token.
func (a *app) readSlack(dev, serving bool) (cfg slackConfig, ok bool, err error) {
	env := func(k string) string { return strings.TrimSpace(a.getenv(k)) }
	cfg = slackConfig{
		SigningSecret: env("SLACK_SIGNING_SECRET"), BotToken: env("SLACK_BOT_TOKEN"), AppToken: env("SLACK_APP_TOKEN"),
		APIURL: env("SLACK_API_URL"), TeamID: env("SLACK_TEAM_ID"), SupervisorChannel: env("SLACK_SUPERVISOR_CHANNEL"),
		Command: env("SLACK_COMMAND"),
	}
	if cfg.Command == "" {
		cfg.Command = "/followup"
	}
	if !strings.HasPrefix(cfg.Command, "/") {
		return cfg, false, &ConfigError{"SLACK_COMMAND", fmt.Sprintf("%q must start with /", cfg.Command)}
	}
	if cfg.APIURL != "" {
		u, perr := url.Parse(cfg.APIURL)
		if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return cfg, false, &ConfigError{"SLACK_API_URL", fmt.Sprintf("%q is not an http(s) URL", cfg.APIURL)}
		}
		if !strings.HasSuffix(cfg.APIURL, "/") {
			cfg.APIURL += "/"
		}
	}
	switch {
	case serving && cfg.BotToken == "" && (cfg.SigningSecret != "" || cfg.AppToken != ""):
		return cfg, false, &ConfigError{"SLACK_BOT_TOKEN", "required with SLACK_SIGNING_SECRET or SLACK_APP_TOKEN (the bot's xoxb- token)"}
	case serving && cfg.BotToken != "" && cfg.SigningSecret == "" && cfg.AppToken == "":
		return cfg, false, &ConfigError{"SLACK_SIGNING_SECRET", "required with SLACK_BOT_TOKEN (or set SLACK_APP_TOKEN for Socket Mode)"}
	case cfg.BotToken != "" && !strings.HasPrefix(cfg.BotToken, "xoxb-"):
		return cfg, false, &ConfigError{"SLACK_BOT_TOKEN", "a bot token starts with xoxb-"}
	case cfg.AppToken != "" && !strings.HasPrefix(cfg.AppToken, "xapp-"):
		return cfg, false, &ConfigError{"SLACK_APP_TOKEN", "an app-level token (Socket Mode) starts with xapp-"}
	case cfg.BotToken != "":
		return cfg, true, nil
	case !dev:
		return cfg, false, nil
	}
	cfg.Local = true
	if cfg.SigningSecret, err = a.devSigningSecret(true); err != nil {
		return cfg, false, err
	}
	return cfg, true, nil
}

// devSigningSecret reads the local workspace's signing secret, creating it
// when create is set and it does not exist yet.
func (a *app) devSigningSecret(create bool) (string, error) {
	path := filepath.Join(a.cfg.DataDir, devSigningSecretFile)
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, os.ErrNotExist) || !create {
		return "", &ConfigError{"SLACK_SIGNING_SECRET", fmt.Sprintf("not set, and %s cannot be read (%v); is `followup dev` running with the same FOLLOWUP_DATA_DIR?", path, err)}
	}
	raw := make([]byte, 16)
	_, _ = rand.Read(raw)
	secret := hex.EncodeToString(raw)
	if err := os.MkdirAll(a.cfg.DataDir, 0o700); err != nil {
		return "", &ConfigError{"FOLLOWUP_DATA_DIR", err.Error()}
	}
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return "", &ConfigError{"FOLLOWUP_DATA_DIR", err.Error()}
	}
	return secret, nil
}

// slackAPI returns the Web API client: Slack's, SLACK_API_URL's, or in a
// local dev workspace this process's own /dev/slack/api/, which prints.
func (a *app) slackAPI(cfg slackConfig) *slack.Client {
	opts := []slack.Option{slack.OptionHTTPClient(&http.Client{Timeout: 15 * time.Second})}
	switch {
	case cfg.Local:
		opts = append(opts, slack.OptionAPIURL("http://"+a.httpAddr+"/dev/slack/api/"))
	case cfg.APIURL != "":
		opts = append(opts, slack.OptionAPIURL(cfg.APIURL))
	}
	if cfg.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(cfg.AppToken))
	}
	token := cfg.BotToken
	if token == "" {
		token = "xoxb-local"
	}
	return slack.New(token, opts...)
}

// slackBot builds the bot and registers its HTTP endpoints on mux (and in
// a local workspace the printing Web API). It returns the bot, nil when
// Slack is off.
func (a *app) slackBot(mux *http.ServeMux, fc *workflows.Client, dev bool) (*bot.Bot, slackConfig, error) {
	cfg, ok, err := a.loadSlack(dev)
	if err != nil || !ok {
		return nil, cfg, err
	}
	logger := a.logger()
	b := bot.New(a.st, actions.New(a.st, fc, timeNow), a.slackAPI(cfg), bot.Config{
		TeamID: cfg.TeamID, Command: cfg.Command, Logger: logger,
	})
	// Requests a stopped process had acknowledged are carried out here.
	go b.Resume(a.ctx, 2*time.Second)
	if cfg.SigningSecret != "" {
		// Replays are refused through Postgres, so that they are refused
		// by every server behind a load balancer, not only the one that
		// saw the request first.
		v, err := bot.NewVerifier(cfg.SigningSecret, a.st)
		if err != nil {
			return nil, cfg, &ConfigError{"SLACK_SIGNING_SECRET", err.Error()}
		}
		b.Register(mux, v)
	}
	if cfg.Local {
		mux.Handle("POST /dev/slack/api/", http.StripPrefix("/dev/slack/api/", localSlackAPI(a.stdout)))
	}
	if !dev && cfg.TeamID == "" {
		logger.Warn("SLACK_TEAM_ID is not set: requests signed for this app from any workspace are served")
	}
	return b, cfg, nil
}

// slackRunning is the bot an HTTP server runs, if any.
type slackRunning struct {
	bot    *bot.Bot
	cfg    slackConfig
	socket <-chan struct{} // closed when Socket Mode has stopped; nil without it
}

// wait waits for Socket Mode to stop (the process's context has ended)
// and then for commands still answering through response_url.
func (s slackRunning) wait() {
	if s.socket != nil {
		select {
		case <-s.socket:
		case <-time.After(10 * time.Second): // the HTTP server failed, not the context
		}
	}
	if s.bot != nil {
		s.bot.Wait()
	}
}

// describe says how Slack reaches this process.
func (s slackRunning) describe() string {
	switch {
	case s.bot == nil:
		return "Slack not configured"
	case s.cfg.Local:
		return "a local Slack workspace (try: followup slash \"find jane\")"
	case s.cfg.AppToken != "" && s.cfg.SigningSecret != "":
		return "Slack over /slack/* and Socket Mode"
	case s.cfg.AppToken != "":
		return "Slack over Socket Mode"
	}
	return "Slack over /slack/commands, /slack/interactivity, /slack/events"
}

// runSocketMode connects over Socket Mode when SLACK_APP_TOKEN is set; the
// channel is closed when it has stopped (nil when it does not run).
func (a *app) runSocketMode(b *bot.Bot, cfg slackConfig) <-chan struct{} {
	if b == nil || cfg.AppToken == "" {
		return nil
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := b.RunSocketMode(a.ctx, a.slackAPI(cfg)); err != nil {
			fmt.Fprintln(a.stderr, "slack socket mode stopped:", err)
		}
	}()
	return done
}

// notifier is how follow-ups tell agents: Slack DMs when a Slack app is
// configured (with undelivered ones posted again every 30 s), else the
// database and, in dev, this console.
func (a *app) notifier(dev bool) (activities.Notifier, error) {
	cfg, ok, err := a.readSlack(false, false)
	if err != nil {
		return nil, err
	}
	if ok {
		n := bot.NewNotifier(a.st, a.slackAPI(cfg), cfg.SupervisorChannel, timeNow, a.logger())
		go n.Redeliver(a.ctx, 30*time.Second)
		return n, nil
	}
	r := activities.NewRecorder(a.st)
	if dev {
		var mu sync.Mutex
		r.Print = func(n store.Notification) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(a.stdout, "notify [%s] %s\n", n.Kind, n.Text)
		}
	}
	return r, nil
}

// localSlackAPI stands in for Slack's Web API in a local dev workspace:
// messages and views are printed, and every call succeeds.
func localSlackAPI(w io.Writer) http.Handler {
	var mu sync.Mutex
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(http.MaxBytesReader(rw, r.Body, 1<<20))
		method := strings.Trim(r.URL.Path, "/")
		mu.Lock()
		switch method {
		case "chat.postMessage":
			f, _ := url.ParseQuery(string(body))
			fmt.Fprintf(w, "slack → %s: %s\n", f.Get("channel"), f.Get("text"))
		default:
			fmt.Fprintf(w, "slack → %s (%d bytes)\n", method, len(body))
		}
		mu.Unlock()
		rw.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(rw, `{"ok":true,"channel":"D0LOCAL","ts":"%d.000100","view":{"id":"V0LOCAL"}}`, time.Now().Unix())
	})
}

func (a *app) slashCmd() *cobra.Command {
	var user, team string
	var wait time.Duration
	c := &cobra.Command{
		Use:   `slash [--user U…] [--team T…] "find jane"`,
		Short: "Post a signed slash command to the running server, as Slack would, and print the reply",
		Long: `Sign and post a slash command to the running server (followup dev or serve
at HTTP_ADDR) exactly as Slack does, then print the reply: the immediate
answer and, for slower commands, what arrives at the response_url (this
command listens for it locally). The signing secret is SLACK_SIGNING_SECRET,
or the local one followup dev keeps in FOLLOWUP_DATA_DIR.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.config(); err != nil {
				return err
			}
			secret := strings.TrimSpace(a.getenv("SLACK_SIGNING_SECRET"))
			if secret == "" {
				var err error
				if secret, err = a.devSigningSecret(false); err != nil {
					return err
				}
			}
			if user == "" {
				user = a.getenv("FOLLOWUP_AGENT")
			}
			if user == "" {
				user = demo.Agent.SlackUserID
			}
			if team == "" {
				team = a.getenv("SLACK_TEAM_ID")
			}
			if team == "" {
				team = "T0LOCAL"
			}
			return a.slash(secret, user, team, strings.Join(args, " "), wait)
		},
	}
	c.Flags().StringVar(&user, "user", "", "the Slack user id typing the command (default $FOLLOWUP_AGENT, else the demo agent U0DEMOANN)")
	c.Flags().StringVar(&team, "team", "", "the workspace id (default $SLACK_TEAM_ID)")
	c.Flags().DurationVar(&wait, "wait", 30*time.Second, "how long to wait for an answer through response_url")
	return c
}

// slash posts one signed command and prints the answers.
func (a *app) slash(secret, user, team, text string, wait time.Duration) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen for response_url: %w", err)
	}
	answers := make(chan slack.Msg, 8)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m slack.Msg
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		answers <- m
	})}
	go srv.Serve(ln) //nolint:errcheck // Serve returns on Close
	defer srv.Close()

	triggerID := make([]byte, 8)
	_, _ = rand.Read(triggerID)
	form := url.Values{
		"team_id": {team}, "team_domain": {"local"}, "channel_id": {"C0LOCAL"}, "channel_name": {"local"},
		"user_id": {user}, "user_name": {user}, "command": {"/followup"}, "text": {bot.EscapeText(text)}, "api_app_id": {"A0LOCAL"},
		"response_url": {"http://" + ln.Addr().String() + "/response"}, "trigger_id": {hex.EncodeToString(triggerID)},
	}.Encode()
	target := "http://" + a.cfg.HTTPAddr + "/slack/commands"
	req, err := http.NewRequestWithContext(a.ctx, http.MethodPost, target, strings.NewReader(form))
	if err != nil {
		return err
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(bot.HeaderTimestamp, ts)
	req.Header.Set(bot.HeaderSignature, bot.Sign(secret, ts, []byte(form)))
	start := time.Now()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return followup.Errorf(followup.EInternal, "cannot reach %s (is `followup dev` running?): %v", target, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return followup.Errorf(followup.EInternal, "%s answered %s: %s", target, resp.Status, strings.TrimSpace(string(body)))
	}
	var first slack.Msg
	if err := json.Unmarshal(body, &first); err != nil {
		return fmt.Errorf("reply is not a Slack message: %w", err)
	}
	fmt.Fprintf(a.stdout, "(answered in %d ms)\n", time.Since(start).Milliseconds())
	fmt.Fprint(a.stdout, renderMsg(first))
	if !strings.HasPrefix(first.Text, "⏳") {
		return nil
	}
	ctx, cancel := context.WithTimeout(a.ctx, wait)
	defer cancel()
	select {
	case m := <-answers:
		fmt.Fprintf(a.stdout, "\n(through response_url after %d ms)\n", time.Since(start).Milliseconds())
		fmt.Fprint(a.stdout, renderMsg(m))
		return nil
	case <-ctx.Done():
		return followup.Errorf(followup.EInternal, "no answer through response_url within %s", wait)
	}
}

// renderMsg prints a Block Kit message for a terminal: the texts, and the
// buttons with what they carry.
func renderMsg(m slack.Msg) string {
	var sb strings.Builder
	if len(m.Blocks.BlockSet) == 0 {
		return m.Text + "\n"
	}
	for _, b := range m.Blocks.BlockSet {
		switch b := b.(type) {
		case *slack.HeaderBlock:
			fmt.Fprintf(&sb, "== %s ==\n", b.Text.Text)
		case *slack.SectionBlock:
			if b.Text != nil {
				sb.WriteString(unescape(b.Text.Text) + "\n")
			}
			if b.Accessory != nil && b.Accessory.ButtonElement != nil {
				sb.WriteString("  " + button(b.Accessory.ButtonElement) + "\n")
			}
		case *slack.ContextBlock:
			for _, e := range b.ContextElements.Elements {
				if t, ok := e.(*slack.TextBlockObject); ok {
					sb.WriteString("  " + unescape(t.Text) + "\n")
				}
			}
		case *slack.ActionBlock:
			var bs []string
			for _, e := range b.Elements.ElementSet {
				if be, ok := e.(*slack.ButtonBlockElement); ok {
					bs = append(bs, button(be))
				}
			}
			sb.WriteString("  " + strings.Join(bs, "  ") + "\n")
		case *slack.DividerBlock:
			sb.WriteString("  ──\n")
		}
	}
	return sb.String()
}

func button(b *slack.ButtonBlockElement) string {
	switch b.ActionID {
	case bot.ActionFollowUp, bot.ActionStatus:
		return fmt.Sprintf("[%s #%s]", b.Text.Text, b.Value)
	}
	return "[" + b.Text.Text + "]"
}

func unescape(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}
