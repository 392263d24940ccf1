package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup/internal/i18ntest"
)

// TestAuditCommand: changes made at the command line are in `followup
// audit`, newest first, with who made them (the OS user, or the
// supervisor named with --by) and from where.
func TestAuditCommand(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.env["USER"] = "ops"
	if out := c.ok("audit"); out != "no changes recorded\n" {
		t.Fatalf("empty audit log: %q", out)
	}
	c.ok("agents", "add", "--slack-user", "U0SAM", "--name", "Sam", "--role", "supervisor")
	c.ok("settings", "set", "reminder_lead", "2h")
	c.ok("templates", "add", "renewal", "--params", "0", "--body", "Your plan renews soon")
	c.ok("cadences", "add", "nudge", "--by", "U0SAM", `36h text "Still there?"`)

	var es []struct {
		At     time.Time         `json:"at"`
		Actor  string            `json:"actor"`
		Source string            `json:"source"`
		Action string            `json:"action"`
		Detail map[string]string `json:"detail"`
	}
	if err := json.Unmarshal([]byte(c.ok("audit", "--json")), &es); err != nil {
		t.Fatal(err)
	}
	if len(es) != 4 {
		t.Fatalf("%d rows, want 4: %+v", len(es), es)
	}
	cad, tpl, set, agent := es[0], es[1], es[2], es[3]
	if agent.Action != "agent_added" || agent.Actor != "ops" || agent.Source != "cli" || agent.Detail["slack_user"] != "U0SAM" || agent.Detail["role"] != "supervisor" {
		t.Errorf("agents add: %+v", agent)
	}
	if set.Action != "setting_set" || set.Actor != "ops" || set.Detail["setting"] != "reminder_lead" || set.Detail["value"] != "2h0m0s" {
		t.Errorf("settings set: %+v", set)
	}
	if tpl.Action != "template_added" || tpl.Detail["template"] != "renewal" || strings.Contains(c.ok("audit", "--json"), "renews soon") {
		t.Errorf("templates add (or its body recorded): %+v", tpl)
	}
	if cad.Action != "cadence_added" || cad.Actor != "U0SAM" || cad.Detail["cadence"] != "nudge" {
		t.Errorf("cadences add --by: %+v", cad)
	}
	if time.Since(agent.At) > time.Minute {
		t.Errorf("recorded at %v", agent.At)
	}

	out := c.ok("audit", "--limit", "2", "--since", "1h")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "AT") || !strings.Contains(squeeze(lines[1]), " U0SAM cli cadence_added - - cadence=nudge steps=1") ||
		!strings.Contains(squeeze(lines[2]), " ops cli template_added - whatsapp language=en status=approved template=renewal") {
		t.Fatalf("audit:\n%s", out)
	}
	if _, err := time.Parse(time.RFC3339, strings.Fields(lines[1])[0]); err != nil || !strings.HasSuffix(strings.Fields(lines[1])[0], "Z") {
		t.Errorf("time not in UTC RFC 3339: %q", lines[1])
	}
	if out := c.ok("audit", "--since", time.Now().Add(time.Hour).UTC().Format(time.RFC3339)); out != "no changes recorded\n" {
		t.Errorf("--since in an hour: %q", out)
	}
	if code, _, errs := c.run("", "audit", "--since", "yesterday"); code != 2 || !strings.Contains(errs, "RFC 3339") {
		t.Errorf("--since yesterday: %d %q", code, errs)
	}
}

// TestAuditInRussian: with LANG=ru_RU.UTF-8 the audit log's headings,
// actions and details are in Russian; names, ids and times as recorded.
func TestAuditInRussian(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.env["USER"] = "ops"
	c.env["LANG"] = "ru_RU.UTF-8"
	if out := c.ok("audit"); !cyrillic(out) {
		t.Errorf("empty audit log: %q", out)
	}
	c.ok("agents", "add", "--slack-user", "U0SAM", "--name", "Sam", "--role", "supervisor")
	c.ok("settings", "set", "reminder_lead", "2h")
	c.ok("templates", "add", "renewal", "--params", "0", "--body", "Your plan renews soon")
	c.ok("cadences", "add", "nudge", "--by", "U0SAM", `36h text "Still there?"`)
	c.ok("cadences", "remove", "nudge", "--by", "U0SAM")
	out := c.ok("audit")
	for _, want := range []string{"КОГДА", "агент добавлен", "настройка изменена", "шаблон добавлен", "серия добавлена", "серия удалена",
		"серия=nudge шагов=1", "изменение=добавлен имя=Sam роль=супервайзер пользователь_Slack=U0SAM", "настройка=reminder_lead значение=2h0m0s",
		"язык=en статус=одобрен шаблон=renewal"} {
		if !strings.Contains(out, want) {
			t.Errorf("audit lacks %q:\n%s", want, out)
		}
	}
	if code, _, errs := c.run("", "audit", "--since", "yesterday"); code != 2 || !strings.Contains(errs, "нужен срок назад") {
		t.Errorf("--since yesterday: %d %q", code, errs)
	}
	if left := i18ntest.EnglishLeft(out, "ops", "cli", "U0SAM", "Sam", "nudge", "reminder_lead", "renewal", "whatsapp", "en", "Slack"); len(left) > 0 {
		t.Errorf("English left in the audit log %v:\n%s", left, out)
	}
}
