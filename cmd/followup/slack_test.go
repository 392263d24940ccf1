package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadSlack(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		env     map[string]string
		dev     bool
		on      bool
		badVar  string
		command string
	}{
		{name: "nothing in production: off", env: nil},
		{name: "nothing in dev: local workspace", env: nil, dev: true, on: true},
		{name: "HTTP app", env: map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}, on: true},
		{name: "Socket Mode app", env: map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}, on: true},
		{name: "secret without token", env: map[string]string{"SLACK_SIGNING_SECRET": "s"}, badVar: "SLACK_BOT_TOKEN"},
		{name: "app token without bot token", env: map[string]string{"SLACK_APP_TOKEN": "xapp-1"}, dev: true, badVar: "SLACK_BOT_TOKEN"},
		{name: "token without secret", env: map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"}, badVar: "SLACK_SIGNING_SECRET"},
		{name: "user token", env: map[string]string{"SLACK_BOT_TOKEN": "xoxp-1", "SLACK_SIGNING_SECRET": "s"}, badVar: "SLACK_BOT_TOKEN"},
		{name: "bot token as app token", env: map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}, badVar: "SLACK_APP_TOKEN"},
		{name: "bad API URL", env: map[string]string{"SLACK_API_URL": "slack.example"}, badVar: "SLACK_API_URL"},
		{name: "command without slash", env: map[string]string{"SLACK_COMMAND": "fu"}, badVar: "SLACK_COMMAND"},
		{name: "other command name", env: map[string]string{"SLACK_COMMAND": "/fu", "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}, on: true, command: "/fu"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			a := &app{getenv: func(k string) string { return tc.env[k] }, cfg: Config{DataDir: dir}}
			cfg, on, err := a.loadSlack(tc.dev)
			if tc.badVar != "" {
				var ce *ConfigError
				if !errors.As(err, &ce) || ce.Var != tc.badVar {
					t.Fatalf("error %v, want one naming %s", err, tc.badVar)
				}
				return
			}
			if err != nil || on != tc.on {
				t.Fatalf("on=%v err=%v, want on=%v", on, err, tc.on)
			}
			if tc.command != "" && cfg.Command != tc.command {
				t.Fatalf("command %q", cfg.Command)
			}
			if tc.dev && tc.on && tc.env == nil {
				// The local workspace's secret is kept for followup slash, privately.
				fi, err := os.Stat(filepath.Join(dir, devSigningSecretFile))
				if err != nil || fi.Mode().Perm() != 0o600 || !cfg.Local || len(cfg.SigningSecret) < 32 {
					t.Fatalf("local secret: %v %v %+v", fi, err, cfg)
				}
				again, err := a.devSigningSecret(false)
				if err != nil || again != cfg.SigningSecret {
					t.Fatalf("secret not kept: %q %v", again, err)
				}
			}
		})
	}
	// A worker only sends notifications: the bot token is enough.
	w := &app{getenv: func(k string) string { return map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"}[k] }, cfg: Config{DataDir: t.TempDir()}}
	if _, on, err := w.readSlack(false, false); err != nil || !on {
		t.Fatalf("worker with a bot token: on=%v err=%v", on, err)
	}
	// followup slash without a running dev says what is missing.
	a := &app{getenv: func(string) string { return "" }, cfg: Config{DataDir: t.TempDir()}}
	if _, err := a.devSigningSecret(false); err == nil || !strings.Contains(err.Error(), "followup dev") {
		t.Fatalf("missing secret: %v", err)
	}
}
