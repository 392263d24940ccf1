package main

import (
	"fmt"
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
	if (c.TemporalTLSCert == "") != (c.TemporalTLSKey == "") {
		missing := "TEMPORAL_TLS_KEY"
		if c.TemporalTLSCert == "" {
			missing = "TEMPORAL_TLS_CERT"
		}
		return c, &ConfigError{missing, "TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together; set both or neither"}
	}
	c.DataDir = filepath.Clean(c.DataDir)
	return c, nil
}

func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return "(unparseable)"
}
