package main

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"strings"
)

// DefaultDatabaseURL is where `followup` looks for Postgres when
// DATABASE_URL is unset: the local server scripts/pg-ensure prepares.
const DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/followup?sslmode=disable"

// Config is the process configuration, read once from the environment.
type Config struct {
	DatabaseURL string
	HTTPAddr    string
	DataDir     string

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

	// LogLevel is the least severe level logged (FOLLOWUP_LOG_LEVEL). The
	// Temporal SDK is chatty at info (every worker start and stop), so the
	// default is warn: what needs a person's attention.
	LogLevel slog.Level
	// logger is the product's logger: text to stderr at LogLevel. The
	// Temporal client and worker log through it (temporalOptions). Set by
	// app.config, not read from the environment; nil logs nothing.
	logger *slog.Logger
}

// ConfigError names the environment variable that is wrong.
type ConfigError struct {
	Var, Problem string
}

func (e *ConfigError) Error() string { return e.Var + ": " + e.Problem }

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
		DataDir:           get("FOLLOWUP_DATA_DIR", ".followup"),
		TemporalAddress:   get("TEMPORAL_ADDRESS", ""),
		TemporalNamespace: get("TEMPORAL_NAMESPACE", "default"),
		TemporalTaskQueue: get("TEMPORAL_TASK_QUEUE", "followup"),
		TemporalAPIKey:    get("TEMPORAL_API_KEY", ""),
		TemporalTLSCert:   get("TEMPORAL_TLS_CERT", ""),
		TemporalTLSKey:    get("TEMPORAL_TLS_KEY", ""),
		TemporalUIURL:     strings.TrimRight(get("TEMPORAL_UI_URL", ""), "/"),
	}
	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return c, &ConfigError{"DATABASE_URL", fmt.Sprintf("%q is not a postgres:// URL", redactURL(c.DatabaseURL))}
	}
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		return c, &ConfigError{"HTTP_ADDR", fmt.Sprintf("%q is not host:port (e.g. 127.0.0.1:8080)", c.HTTPAddr)}
	}
	if c.TemporalAddress != "" {
		if _, _, err := net.SplitHostPort(c.TemporalAddress); err != nil {
			return c, &ConfigError{"TEMPORAL_ADDRESS", fmt.Sprintf("%q is not host:port (e.g. localhost:7233)", c.TemporalAddress)}
		}
	}
	if c.TemporalUIURL != "" {
		if u, err := url.Parse(c.TemporalUIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return c, &ConfigError{"TEMPORAL_UI_URL", fmt.Sprintf("%q is not the http(s):// base URL of a Temporal Web UI (e.g. http://localhost:8233)", c.TemporalUIURL)}
		}
	}
	if (c.TemporalTLSCert == "") != (c.TemporalTLSKey == "") {
		missing := "TEMPORAL_TLS_KEY"
		if c.TemporalTLSCert == "" {
			missing = "TEMPORAL_TLS_CERT"
		}
		return c, &ConfigError{missing, "TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together; set both or neither"}
	}
	level, err := parseLogLevel(get("FOLLOWUP_LOG_LEVEL", "warn"))
	if err != nil {
		return c, &ConfigError{"FOLLOWUP_LOG_LEVEL", err.Error()}
	}
	c.LogLevel = level
	c.DataDir = filepath.Clean(c.DataDir)
	return c, nil
}

// newLogger is the product's logger: text lines on w (stderr, never
// stdout, which carries a command's output) at level and above.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// logger is the product's logger once the configuration is read; before
// that, stderr at the default level.
func (a *app) logger() *slog.Logger {
	if a.cfg.logger != nil {
		return a.cfg.logger
	}
	return newLogger(a.stderr, slog.LevelWarn)
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
	return slog.LevelWarn, fmt.Errorf("%q is not a log level: write debug, info, warn or error", s)
}

func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return "(unparseable)"
}
