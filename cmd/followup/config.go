package main

import (
	"fmt"
	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/i18n"
	"io"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/followup-dev/followup/channels/all"
	"github.com/followup-dev/followup/metrics"
)

// DefaultDatabaseURL is where `followup` looks for Postgres when
// DATABASE_URL is unset: the local server scripts/pg-ensure prepares.
const DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/followup?sslmode=disable"

// Config is the process configuration: every environment variable the
// program reads, read once and checked before a command runs (runs of
// the program name what is wrong: ConfigError). Only the rules that
// depend on what a process does wait for it: the Slack variables a server
// needs together (readSlack) and the channels' all-or-none groups
// (loadChannels).
type Config struct {
	DatabaseURL string
	HTTPAddr    string
	DataDir     string
	// MetricsAddr is where `followup worker` serves /metrics
	// (METRICS_ADDR, host:port; empty: nowhere). serve and dev serve it
	// on HTTPAddr.
	MetricsAddr string

	TemporalAddress   string
	TemporalNamespace string
	TemporalTaskQueue string
	TemporalAPIKey    string
	TemporalTLSCert   string
	TemporalTLSKey    string
	// TemporalUIURL is the base URL of the Web UI of a Temporal that
	// followup does not embed (the embedded server records its own in the
	// data directory).
	TemporalUIURL string

	// LogLevel is the least severe level logged (LOG_LEVEL, or its older
	// name FOLLOWUP_LOG_LEVEL). The Temporal SDK is chatty at info (every
	// worker start and stop), so the default is warn: what needs a
	// person's attention. info adds one line per HTTP request.
	LogLevel slog.Level
	// LogFormat is how log lines are written (LOG_FORMAT): "text"
	// (logfmt-like key=value, the default) or "json" (one object a line,
	// for log collectors).
	LogFormat string
	// Debug prints an error's cause beside its message (FOLLOWUP_DEBUG).
	Debug bool

	// Agent is who CLI commands act as, a Slack user id or agent id
	// (FOLLOWUP_AGENT; default the first agent), and who `followup slash`
	// types as (default the demo agent).
	Agent string
	// PublicURL is where providers reach this server from outside
	// (FOLLOWUP_PUBLIC_URL, no trailing /): Twilio signs it.
	PublicURL string
	// WorkflowCache is how many follow-ups a worker keeps in memory
	// (FOLLOWUP_WORKFLOW_CACHE, default 1000).
	WorkflowCache int
	// SendLease is how long a send is held before another attempt may
	// take it over (FOLLOWUP_SEND_LEASE; 0 keeps the activities' default).
	SendLease time.Duration
	// BenchCPUProfile is where `followup bench followups` writes a CPU
	// profile (FOLLOWUP_BENCH_CPUPROFILE).
	BenchCPUProfile string

	// Slack is the Slack app's variables (SLACK_*).
	Slack slackConfig
	// Channels holds every channel's variables, as the channels' drivers
	// name them (channels/all): read them with channelEnv.
	Channels map[string]string
	// logger is the product's logger: LogFormat to stderr at LogLevel. The
	// Temporal client and worker log through it (temporalOptions). Set by
	// app.config, not read from the environment; nil logs nothing.
	logger *slog.Logger
	// metrics is the process's metrics registry, for the Temporal client
	// and worker (temporalOptions). Set by the commands that serve
	// /metrics (app.observe); nil counts nothing.
	metrics *metrics.Metrics
}

// ConfigError names the environment variable that is wrong.
type ConfigError struct {
	Var, Problem string
	// format and args are Problem's, for the catalog (i18n): the CLI
	// says it in the reader's language.
	format string
	args   []any
}

// configErr is a ConfigError of the variable name, its problem an fmt
// format (the English, a key of the catalog) with args.
func configErr(name, format string, args ...any) *ConfigError {
	return &ConfigError{Var: name, Problem: fmt.Sprintf(format, args...), format: format, args: args}
}

func (e *ConfigError) Error() string { return e.Var + ": " + e.Problem }

// In is the error in p's language.
func (e *ConfigError) In(p i18n.Printer) string {
	if e.format == "" {
		return e.Error()
	}
	return e.Var + ": " + p.Sprintf(e.format, e.args...)
}

// loadConfig reads and validates the environment.
func loadConfig(getenv func(string) string) (Config, error) {
	get := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	c := Config{
		DatabaseURL:       get("DATABASE_URL", DefaultDatabaseURL),
		HTTPAddr:          get("HTTP_ADDR", "127.0.0.1:8080"),
		MetricsAddr:       get("METRICS_ADDR", ""),
		DataDir:           get("FOLLOWUP_DATA_DIR", ".followup"),
		TemporalAddress:   get("TEMPORAL_ADDRESS", ""),
		TemporalNamespace: get("TEMPORAL_NAMESPACE", "default"),
		TemporalTaskQueue: get("TEMPORAL_TASK_QUEUE", "followup"),
		TemporalAPIKey:    get("TEMPORAL_API_KEY", ""),
		TemporalTLSCert:   get("TEMPORAL_TLS_CERT", ""),
		TemporalTLSKey:    get("TEMPORAL_TLS_KEY", ""),
		TemporalUIURL:     strings.TrimRight(get("TEMPORAL_UI_URL", ""), "/"),
		Debug:             debugging(getenv),
		Agent:             get("FOLLOWUP_AGENT", ""),
		PublicURL:         strings.TrimRight(get("FOLLOWUP_PUBLIC_URL", ""), "/"),
		BenchCPUProfile:   get("FOLLOWUP_BENCH_CPUPROFILE", ""),
		Channels:          map[string]string{},
	}
	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return c, configErr("DATABASE_URL", "%q is not a postgres:// URL", redactURL(c.DatabaseURL))
	}
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		return c, configErr("HTTP_ADDR", "%q is not host:port (e.g. 127.0.0.1:8080)", c.HTTPAddr)
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return c, configErr("METRICS_ADDR", "%q is not host:port (e.g. 127.0.0.1:9090)", c.MetricsAddr)
		}
	}
	if c.TemporalAddress != "" {
		if _, _, err := net.SplitHostPort(c.TemporalAddress); err != nil {
			return c, configErr("TEMPORAL_ADDRESS", "%q is not host:port (e.g. localhost:7233)", c.TemporalAddress)
		}
	}
	if c.TemporalUIURL != "" {
		if u, err := url.Parse(c.TemporalUIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return c, configErr("TEMPORAL_UI_URL", "%q is not the http(s):// base URL of a Temporal Web UI (e.g. http://localhost:8233)", c.TemporalUIURL)
		}
	}
	if (c.TemporalTLSCert == "") != (c.TemporalTLSKey == "") {
		missing := "TEMPORAL_TLS_KEY"
		if c.TemporalTLSCert == "" {
			missing = "TEMPORAL_TLS_CERT"
		}
		return c, configErr(missing, "TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together; set both or neither")
	}
	levelVar := "LOG_LEVEL"
	if get(levelVar, "") == "" && get("FOLLOWUP_LOG_LEVEL", "") != "" {
		levelVar = "FOLLOWUP_LOG_LEVEL"
	}
	level, err := parseLogLevel(get(levelVar, "warn"))
	if err != nil {
		return c, configErr(levelVar, "%s", err)
	}
	c.LogLevel = level
	switch c.LogFormat = strings.ToLower(get("LOG_FORMAT", "text")); c.LogFormat {
	case "text", "json":
	default:
		return c, configErr("LOG_FORMAT", "%q is not a log format: write text or json", get("LOG_FORMAT", ""))
	}
	c.DataDir = filepath.Clean(c.DataDir)
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, configErr("FOLLOWUP_PUBLIC_URL", "%q is not an http(s):// URL (e.g. https://followup.example.com)", c.PublicURL)
		}
	}
	// Cached workflows cost the worker ~50 KB each (measured); follow-ups
	// mostly sleep on timers for hours, so keep the busy ones and replay
	// the rest (a few dozen events) when their timer fires.
	c.WorkflowCache = 1000
	if v := get("FOLLOWUP_WORKFLOW_CACHE", ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return c, configErr("FOLLOWUP_WORKFLOW_CACHE", "%q is not a number of workflows", v)
		}
		c.WorkflowCache = n
	}
	if v := get("FOLLOWUP_SEND_LEASE", ""); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second {
			return c, configErr("FOLLOWUP_SEND_LEASE", "%q is not a duration of a second or more", v)
		}
		c.SendLease = d
	}
	if c.Slack, err = readSlackEnv(getenv); err != nil {
		return c, err
	}
	for _, v := range all.Vars() {
		if val := strings.TrimSpace(getenv(v.Name)); val != "" {
			c.Channels[v.Name] = val
		}
	}
	return c, nil
}

// channelEnv reads a channel's variable, as the channels' drivers and the
// sandbox take them ("" when unset).
func (c Config) channelEnv(name string) string { return c.Channels[name] }

// debugging reads FOLLOWUP_DEBUG (also for an error met before the
// configuration was read).
func debugging(getenv func(string) string) bool {
	return strings.TrimSpace(getenv("FOLLOWUP_DEBUG")) != ""
}

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

// readSlackEnv reads the Slack variables and checks each on its own;
// which a process needs together is readSlack's.
func readSlackEnv(getenv func(string) string) (slackConfig, error) {
	env := func(k string) string { return strings.TrimSpace(getenv(k)) }
	cfg := slackConfig{
		SigningSecret: env("SLACK_SIGNING_SECRET"), BotToken: env("SLACK_BOT_TOKEN"), AppToken: env("SLACK_APP_TOKEN"),
		APIURL: env("SLACK_API_URL"), TeamID: env("SLACK_TEAM_ID"), SupervisorChannel: env("SLACK_SUPERVISOR_CHANNEL"),
		Command: env("SLACK_COMMAND"),
	}
	if cfg.Command == "" {
		cfg.Command = "/followup"
	}
	if !strings.HasPrefix(cfg.Command, "/") {
		return cfg, configErr("SLACK_COMMAND", "%q must start with /", cfg.Command)
	}
	if cfg.APIURL != "" {
		u, err := url.Parse(cfg.APIURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return cfg, configErr("SLACK_API_URL", "%q is not an http(s) URL", cfg.APIURL)
		}
		if !strings.HasSuffix(cfg.APIURL, "/") {
			cfg.APIURL += "/"
		}
	}
	switch {
	case cfg.BotToken != "" && !strings.HasPrefix(cfg.BotToken, "xoxb-"):
		return cfg, configErr("SLACK_BOT_TOKEN", "a bot token starts with xoxb-")
	case cfg.AppToken != "" && !strings.HasPrefix(cfg.AppToken, "xapp-"):
		return cfg, configErr("SLACK_APP_TOKEN", "an app-level token (Socket Mode) starts with xapp-")
	}
	return cfg, nil
}

// newLogger is the product's logger: lines on w (stderr, never stdout,
// which carries a command's output) at level and above, as JSON objects
// when format is "json", else as text.
func newLogger(w io.Writer, level slog.Level, format string) *slog.Logger {
	o := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, o))
	}
	return slog.New(slog.NewTextHandler(w, o))
}

// logger is the product's logger once the configuration is read; before
// that, stderr at the default level.
func (a *app) logger() *slog.Logger {
	if a.cfg.logger != nil {
		return a.cfg.logger
	}
	return newLogger(a.stderr, slog.LevelWarn, "text")
}

// parseLogLevel reads debug, info, warn (or warning) or error, in any case.
func parseLogLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return slog.LevelWarn, followup.Errorf(followup.EInvalid, "%q is not a log level: write debug, info, warn or error", s)
}

func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return "(unparseable)"
}
