package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/spf13/cobra"

	"github.com/followup-dev/followup/actions"
	"github.com/followup-dev/followup/activities"
	"github.com/followup-dev/followup/bot"
	"github.com/followup-dev/followup/demo"
	"github.com/followup-dev/followup/i18n"
	"github.com/followup-dev/followup/slacksim"
	"github.com/followup-dev/followup/store"
	"github.com/followup-dev/followup/workflows"
)

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
	if cfg, err = readSlackEnv(a.getenv); err != nil {
		return cfg, false, err
	}
	switch {
	case serving && cfg.BotToken == "" && (cfg.SigningSecret != "" || cfg.AppToken != ""):
		return cfg, false, configErr("SLACK_BOT_TOKEN", "required with SLACK_SIGNING_SECRET or SLACK_APP_TOKEN (the bot's xoxb- token)")
	case serving && cfg.BotToken != "" && cfg.SigningSecret == "" && cfg.AppToken == "":
		return cfg, false, configErr("SLACK_SIGNING_SECRET", "required with SLACK_BOT_TOKEN (or set SLACK_APP_TOKEN for Socket Mode)")
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
		return "", configErr("SLACK_SIGNING_SECRET", "not set, and %s cannot be read (%v); is `followup dev` running with the same FOLLOWUP_DATA_DIR?", path, err)
	}
	raw := make([]byte, 16)
	_, _ = rand.Read(raw)
	secret := hex.EncodeToString(raw)
	if err := os.MkdirAll(a.cfg.DataDir, 0o700); err != nil {
		return "", configErr("FOLLOWUP_DATA_DIR", "%s", err)
	}
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return "", configErr("FOLLOWUP_DATA_DIR", "%s", err)
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
	act := actions.New(a.st, fc, timeNow)
	act.SetLogger(logger)
	b := bot.New(a.st, act, a.slackAPI(cfg), bot.Config{
		TeamID: cfg.TeamID, Command: cfg.Command, Logger: logger, Metrics: a.cfg.metrics,
	})
	// Requests a stopped process had acknowledged are carried out here.
	go b.Resume(a.ctx, 2*time.Second)
	if cfg.SigningSecret != "" {
		// Replays are refused through Postgres, so that they are refused
		// by every server behind a load balancer, not only the one that
		// saw the request first.
		v, err := bot.NewVerifier(cfg.SigningSecret, a.st)
		if err != nil {
			return nil, cfg, configErr("SLACK_SIGNING_SECRET", "%s", err)
		}
		b.Register(mux, v)
	}
	if cfg.Local {
		mux.Handle("POST /dev/slack/api/", http.StripPrefix("/dev/slack/api/", slacksim.WebAPI(a.stdout, demo.Locales)))
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
			a.logger().Error("slack socket mode stopped", "err", err)
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
			text := n.Text
			if n.Say != nil {
				text = a.devPrinter(n.AgentID).Phrase(*n.Say, nil)
			}
			fmt.Fprintf(a.stdout, "notify [%s] %s\n", n.Kind, text)
		}
	}
	return r, nil
}

func (a *app) slashCmd() *cobra.Command {
	var user, team string
	var wait time.Duration
	c := &cobra.Command{
		Use:   `slash [--user U…] [--team T…] "find jane"`,
		Short: a.p.Text("Post a signed slash command to the running server, as Slack would, and print the reply"),
		Long: a.p.Text(`Sign and post a slash command to the running server (followup dev or serve
at HTTP_ADDR) exactly as Slack does, then print the reply: the immediate
answer and, for slower commands, what arrives at the response_url (this
command listens for it locally). The signing secret is SLACK_SIGNING_SECRET,
or the local one followup dev keeps in FOLLOWUP_DATA_DIR.`),
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.config(); err != nil {
				return err
			}
			secret := a.cfg.Slack.SigningSecret
			if secret == "" {
				var err error
				if secret, err = a.devSigningSecret(false); err != nil {
					return err
				}
			}
			if user == "" {
				user = a.cfg.Agent
			}
			if user == "" {
				user = demo.Agent.SlackUserID
			}
			if team == "" {
				team = a.cfg.Slack.TeamID
			}
			if team == "" {
				team = "T0LOCAL"
			}
			return slacksim.Post(a.ctx, slacksim.Command{URL: "http://" + a.cfg.HTTPAddr + "/slack/commands", Secret: secret,
				User: user, Team: team, Text: strings.Join(args, " "), Wait: wait}, a.stdout)
		},
	}
	c.Flags().StringVar(&user, "user", "", a.p.Text("the Slack user id typing the command (default $FOLLOWUP_AGENT, else the demo agent U0DEMOANN)"))
	c.Flags().StringVar(&team, "team", "", a.p.Text("the workspace id (default $SLACK_TEAM_ID)"))
	c.Flags().DurationVar(&wait, "wait", 30*time.Second, a.p.Text("how long to wait for an answer through response_url"))
	return c
}

// devPrinter is the language a notification to agent is printed in on the
// dev console: the agent's, as the local workspace gives it
// (demo.Locales), else the command line's.
func (a *app) devPrinter(agent *int64) i18n.Printer {
	if agent == nil || a.st == nil {
		return a.p
	}
	ag, err := a.st.Agent(a.ctx, *agent)
	if err != nil {
		return a.p
	}
	if l, ok := demo.Locales[ag.SlackUserID]; ok {
		return i18n.New(i18n.ParseLocale(l))
	}
	return a.p
}
