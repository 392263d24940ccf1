package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestLogConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		env        map[string]string
		wantLevel  slog.Level
		wantFormat string
		wantVar    string // the variable a ConfigError names; "" for none
	}{
		{"defaults", nil, slog.LevelWarn, "text", ""},
		{"LOG_LEVEL", map[string]string{"LOG_LEVEL": "info"}, slog.LevelInfo, "text", ""},
		{"FOLLOWUP_LOG_LEVEL alias", map[string]string{"FOLLOWUP_LOG_LEVEL": "debug"}, slog.LevelDebug, "text", ""},
		{"LOG_LEVEL wins over the alias", map[string]string{"LOG_LEVEL": "error", "FOLLOWUP_LOG_LEVEL": "debug"}, slog.LevelError, "text", ""},
		{"json", map[string]string{"LOG_FORMAT": "JSON"}, slog.LevelWarn, "json", ""},
		{"bad LOG_FORMAT", map[string]string{"LOG_FORMAT": "xml"}, 0, "", "LOG_FORMAT"},
		{"bad LOG_LEVEL", map[string]string{"LOG_LEVEL": "loud"}, 0, "", "LOG_LEVEL"},
		{"bad alias", map[string]string{"FOLLOWUP_LOG_LEVEL": "loud"}, 0, "", "FOLLOWUP_LOG_LEVEL"},
	}
	for _, tt := range tests {
		cfg, err := loadConfig(func(k string) string { return tt.env[k] })
		if tt.wantVar != "" {
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Var != tt.wantVar {
				t.Errorf("%s: error %v, want a configuration error naming %s", tt.name, err, tt.wantVar)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if cfg.LogLevel != tt.wantLevel || cfg.LogFormat != tt.wantFormat {
			t.Errorf("%s: level %v format %q, want %v %q", tt.name, cfg.LogLevel, cfg.LogFormat, tt.wantLevel, tt.wantFormat)
		}
	}
}

// TestJSONLogs checks that with LOG_FORMAT=json every line the product's
// logger writes is one JSON object with time, level and msg.
func TestJSONLogs(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := newLogger(&buf, slog.LevelInfo, "json")
	log.Info("http request", "route", "GET /healthz")
	log.Warn("webhook refused: bad signature", "channel", "telegram", "err", errors.New("two\nlines"))
	log.Debug("not shown")
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines:\n%s", len(lines), buf.String())
	}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %v: %s", err, l)
		}
		for _, k := range []string{"time", "level", "msg"} {
			if _, ok := m[k]; !ok {
				t.Errorf("no %q: %s", k, l)
			}
		}
	}
}
