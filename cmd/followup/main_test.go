package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/followup-dev/followup/internal/pgtest"
)

// cli runs the real program in-process against its own database.
type cli struct {
	t   *testing.T
	env map[string]string
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	c := &cli{t: t, env: map[string]string{"DATABASE_URL": pgtest.New(t), "FOLLOWUP_DATA_DIR": t.TempDir()}}
	return c
}

func (c *cli) run(stdin string, args ...string) (code int, stdout, stderr string) {
	c.t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, func(k string) string { return c.env[k] }, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// ok runs a command that must succeed and returns its output.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	code, out, errs := c.run("", args...)
	if code != 0 {
		c.t.Fatalf("followup %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

func TestMigrateTwice(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if out := c.ok("migrate"); !strings.Contains(out, "up to date") {
		t.Fatalf("migrate on a migrated database: %q", out)
	}
	c.env["DATABASE_URL"] = pgtest.Empty(t)
	if out := c.ok("migrate"); !strings.Contains(out, "applied") {
		t.Fatalf("first migrate: %q", out)
	}
	if out := c.ok("migrate"); !strings.Contains(out, "up to date") {
		t.Fatalf("second migrate: %q", out)
	}
}

func TestAgentsCommands(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.ok("agents", "add", "--slack-user", "U1", "--name", "Ann Lee")
	c.ok("agents", "add", "--slack-user", "U2", "--name", "Bo", "--role", "supervisor")
	var agents []map[string]any
	if err := json.Unmarshal([]byte(c.ok("agents", "list", "--json")), &agents); err != nil {
		t.Fatal(err)
	}
	if len(agents) != 2 || agents[0]["slack_user_id"] != "U1" || agents[1]["role"] != "supervisor" {
		t.Fatalf("agents: %v", agents)
	}
	if code, _, errs := c.run("", "agents", "add", "--slack-user", "U3", "--name", "X", "--role", "boss"); code != 1 || !strings.Contains(errs, "unknown role") {
		t.Fatalf("bad role: %d %q", code, errs)
	}
	c.ok("agents", "remove", "U1")
	if code, _, errs := c.run("", "agents", "remove", "U1"); code != 1 || !strings.Contains(errs, "no agent") {
		t.Fatalf("remove twice: %d %q", code, errs)
	}
}

const contactsCSV = `first_name,last_name,email,phone,vip,channel,external_id,last_inbound_at,conversation_status,assignee
José,Álvarez,jose@example.com,+34 612 345 678,true,whatsapp,,2026-11-20T14:05:00Z,closed,U1
Jane,Doe,jane@example.com,+1 (415) 555-0142,false,telegram,998877,,closed,
Bad,Phone,bad@example.com,555-0142,,,,,,
Dup,Email,JANE@EXAMPLE.COM,,,,,,,
Ghost,Agent,ghost@example.com,,,,,,open,U404
Дмитрий,Иванов,dima@example.ru,+7 912 345 67 89,,line,U4af4980629a0c8a6e0e7b7e4d5f3b2a1,,open,U1
`

func TestImportFindClose(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.ok("agents", "add", "--slack-user", "U1", "--name", "Ann")
	path := filepath.Join(t.TempDir(), "contacts.csv")
	if err := os.WriteFile(path, []byte(contactsCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := c.run("", "contacts", "import", path)
	if code != 1 || !strings.Contains(out, "3 created, 0 updated") {
		t.Fatalf("import: %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{"line 4: phone", "line 5: email", "line 6: assignee \"U404\""} {
		if !strings.Contains(errs, want) {
			t.Errorf("import errors lack %q:\n%s", want, errs)
		}
	}
	// Re-importing updates instead of duplicating.
	code, out, _ = c.run("", "contacts", "import", path)
	if code != 1 || !strings.Contains(out, "0 created, 3 updated") {
		t.Fatalf("re-import: %d %s", code, out)
	}
	// From standard input too.
	code, out, _ = c.run("first_name,email\nLi,li@example.cn\n", "contacts", "import", "-")
	if code != 0 || !strings.Contains(out, "1 created") {
		t.Fatalf("stdin import: %d %s", code, out)
	}

	var found []map[string]any
	if err := json.Unmarshal([]byte(c.ok("contacts", "find", "jose", "--json")), &found); err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 {
		t.Fatalf("find jose: %v", found)
	}
	for _, k := range []string{"id", "first_name", "last_name", "email", "phone", "vip", "conversation_status", "assignee_id", "last_activity_at", "identities", "match"} {
		if _, ok := found[0][k]; !ok {
			t.Errorf("JSON lacks key %q: %v", k, found[0])
		}
	}
	if found[0]["phone"] != "+34612345678" || found[0]["vip"] != true {
		t.Errorf("find jose: %v", found[0])
	}
	// José's closed conversation kept U1 as assignee: he is in U1's inbox.
	if out := c.ok("contacts", "find", "alv", "--mine", "--agent", "U1"); !strings.Contains(out, "José Álvarez") || !strings.Contains(out, "WhatsApp:") {
		t.Fatalf("mine: %s", out)
	}
	if out := c.ok("contacts", "find", "555 0142"); !strings.Contains(out, "Jane Doe") {
		t.Fatalf("phone: %s", out)
	}
	if out := c.ok("contacts", "find", "дмит"); !strings.Contains(out, "no closed contacts") {
		t.Fatalf("open contact in a closed search: %s", out)
	}
	out = c.ok("conversations", "close", "dima@example.ru")
	if !strings.Contains(out, "unassigned") {
		t.Fatalf("close: %s", out)
	}
	if out := c.ok("contacts", "find", "дмит"); !strings.Contains(out, "Дмитрий Иванов") {
		t.Fatalf("closed contact not found: %s", out)
	}
	if code, _, errs := c.run("", "conversations", "close", "dima@example.ru"); code != 1 || !strings.Contains(errs, "no open conversation") {
		t.Fatalf("close twice: %d %s", code, errs)
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"contacts", "find", strings.Repeat("x", 10000)}, 1, "limit is 200"},
		{[]string{"contacts", "find", " "}, 1, "empty search"},
		{[]string{"contacts", "find", "jane", "--frobnicate"}, 2, "unknown flag"},
		{[]string{"contacts", "find", "jane", "--mine"}, 2, "--mine needs --agent"},
		{[]string{"contacts", "find", "jane", "--open", "--any"}, 2, "pick one"},
		{[]string{"contacts", "find", "jane", "--limit", "100000"}, 1, "limit must be"},
		{[]string{"contacts", "find", "100%_'\\"}, 0, "no closed contacts"},
		{[]string{"contacts", "import", "/nonexistent.csv"}, 1, "cannot open"},
		{[]string{"settings", "set", "wechat_message_limit", "zero"}, 1, "whole number"},
		{[]string{"settings", "set", "nope", "1"}, 1, "unknown setting"},
		{[]string{"templates", "add", "x", "--status", "maybe"}, 1, "unknown template status"},
		{[]string{"frobnicate"}, 2, "unknown command"},
	}
	for _, tc := range cases {
		code, out, errs := c.run("", tc.args...)
		if code != tc.code || !strings.Contains(out+errs, tc.want) {
			t.Errorf("followup %.60s: exit %d, output %q; want exit %d and %q", strings.Join(tc.args, " "), code, out+errs, tc.code, tc.want)
		}
	}
	c.env["DATABASE_URL"] = "mysql://nope"
	if code, _, errs := c.run("", "agents", "list"); code != 2 || !strings.Contains(errs, "DATABASE_URL") {
		t.Errorf("bad DATABASE_URL: %d %q", code, errs)
	}
	c.env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=2"
	if code, _, errs := c.run("", "agents", "list"); code != 1 || !strings.Contains(errs, "cannot reach Postgres") {
		t.Errorf("unreachable Postgres: %d %q", code, errs)
	}
}

func TestSettingsAndTemplates(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.ok("settings", "set", "reminder_lead", "30m")
	c.ok("settings", "set", "viber_commercial_terms", "true")
	var s map[string]string
	if err := json.Unmarshal([]byte(c.ok("settings", "show", "--json")), &s); err != nil {
		t.Fatal(err)
	}
	if s["reminder_lead"] != "30m0s" || s["viber_commercial_terms"] != "true" || s["wechat_message_limit"] != "20" || s["human_agent_window"] != "7d" {
		t.Fatalf("settings: %v", s)
	}
	c.ok("templates", "add", "order_update", "--params", "2", "--body", "Hi {{1}}, your order {{2}} shipped")
	c.ok("templates", "add", "promo", "--status", "pending")
	var ts []map[string]any
	if err := json.Unmarshal([]byte(c.ok("templates", "list", "--json")), &ts); err != nil {
		t.Fatal(err)
	}
	if len(ts) != 2 || ts[0]["name"] != "order_update" || ts[0]["param_count"] != float64(2) || ts[1]["status"] != "pending" {
		t.Fatalf("templates: %v", ts)
	}
}

func TestHelpEverywhere(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	for _, args := range [][]string{{"--help"}, {"migrate", "--help"}, {"agents", "add", "--help"}, {"contacts", "import", "--help"}, {"contacts", "find", "--help"}, {"conversations", "close", "--help"}, {"templates", "list", "--help"}, {"settings", "set", "--help"}, {"seed", "--help"}} {
		if out := c.ok(args...); !strings.Contains(out, "Usage:") {
			t.Errorf("%v: no usage: %q", args, out)
		}
	}
}

func TestSeedCommand(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.ok("agents", "add", "--slack-user", "U1", "--name", "Ann")
	if out := c.ok("seed", "--contacts", "2000"); !strings.Contains(out, "seeded 2000 contacts") {
		t.Fatalf("seed: %s", out)
	}
	if code, _, errs := c.run("", "seed", "--contacts", "0"); code != 2 || !strings.Contains(errs, "positive") {
		t.Fatalf("seed 0: %d %s", code, errs)
	}
	var found []map[string]any
	if err := json.Unmarshal([]byte(c.ok("contacts", "find", "a", "--any", "--json", "--limit", "5")), &found); err != nil || len(found) != 5 {
		t.Fatalf("find in seeded data: %v %d", err, len(found))
	}
	var mine []map[string]any
	if err := json.Unmarshal([]byte(c.ok("contacts", "find", "a", "--mine", "--agent", "U1", "--any", "--json")), &mine); err != nil || len(mine) == 0 {
		t.Fatalf("the seed assigns conversations to registered agents: %v %d", err, len(mine))
	}
}

func TestPartialChannelCredentialsNameTheMissingVariable(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.env["HTTP_ADDR"] = "127.0.0.1:0"
	for k, want := range map[string]string{
		"WHATSAPP_TOKEN":     "WHATSAPP_PHONE_NUMBER_ID",
		"TWILIO_ACCOUNT_SID": "TWILIO_AUTH_TOKEN",
		"META_APP_SECRET":    "META_VERIFY_TOKEN",
		"SMTP_URL":           "EMAIL_FROM",
	} {
		c.env[k] = "x"
		code, _, errs := c.run("", "serve")
		delete(c.env, k)
		if code != 2 || !strings.Contains(errs, want) {
			t.Errorf("%s alone: exit %d %q, want exit 2 naming %s", k, code, errs, want)
		}
	}
}

func TestFindNothingSaysSo(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if out := c.ok("contacts", "find", "zzzz", "--any"); !strings.Contains(out, "no contacts match") || strings.Contains(out, "  ") {
		t.Fatalf("find --any: %q", out)
	}
	if out := c.ok("contacts", "find", "zzzz"); !strings.Contains(out, "no closed contacts match") {
		t.Fatalf("find: %q", out)
	}
}
