package main

import (
	"strings"
	"testing"
	"unicode"
)

func cyrillic(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }) >= 0
}

// TestCLISpeaksTheLanguageOfLANG: with LANG=ru_RU.UTF-8 followup writes
// Russian: its help, what its commands did, and its errors; LC_ALL and
// LC_MESSAGES win over LANG, and without them it writes English.
func TestCLISpeaksTheLanguageOfLANG(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.env["LANG"] = "ru_RU.UTF-8"

	help := c.ok("--help")
	for _, want := range []string{"followup находит контакты с закрытыми разговорами", "Команды:", "Флаги:", "Импортировать и искать контакты",
		"Подробнее о команде: \"followup [команда] --help\"."} {
		if !strings.Contains(help, want) {
			t.Errorf("help lacks %q:\n%s", want, help)
		}
	}
	for _, english := range []string{"Available Commands:", "Import and find contacts", "for more information about a command"} {
		if strings.Contains(help, english) {
			t.Errorf("help has %q:\n%s", english, help)
		}
	}
	if out := c.ok("contacts", "find", "--help"); !strings.Contains(out, "Запрос читается по его виду") || !strings.Contains(out, "только контакты с открытым разговором") {
		t.Errorf("contacts find --help:\n%s", out)
	}

	if out := c.ok("migrate"); !strings.Contains(out, "схема актуальна (версия") {
		t.Errorf("migrate: %q", out)
	}
	if out := c.ok("agents", "add", "--slack-user", "U1", "--name", "Анна"); out != "добавлен агент 1: Анна (агент, Slack U1)\n" {
		t.Errorf("agents add: %q", out)
	}
	if out := c.ok("agents", "list"); !strings.Contains(out, "ПОЛЬЗОВАТЕЛЬ SLACK") || !strings.Contains(out, "РОЛЬ") {
		t.Errorf("agents list:\n%s", out)
	}
	if out := c.ok("contacts", "find", "nobody"); out != "ни один контакт с закрытым разговором не подходит под \"nobody\" (поиск по имени)\n" {
		t.Errorf("contacts find: %q", out)
	}
	if code, _, errs := c.run("", "agents", "add", "--slack-user", "U3", "--name", "X", "--role", "boss"); code != 1 ||
		errs != "ошибка: неизвестная роль \"boss\" (agent или supervisor)\n" {
		t.Errorf("a bad role: %d %q", code, errs)
	}
	if code, _, errs := c.run("", "agents", "remove"); code != 2 || !strings.HasPrefix(errs, "ошибка: followup agents remove: ") || !strings.Contains(errs, "(см. followup agents remove --help)") {
		t.Errorf("a missing argument: %d %q", code, errs)
	}
	if code, _, errs := c.run("first_name,nickname\nJane,J\n", "contacts", "import", "-"); code != 1 ||
		!strings.HasPrefix(errs, "ошибка: неизвестный столбец \"nickname\" в заголовке (известные: first_name,") {
		t.Errorf("an unknown column: %d %q", code, errs)
	}
	c.env["TEMPORAL_ADDRESS"] = "127.0.0.1:1"
	if code, _, errs := c.run("", "status", "nobody@example.com"); code != 1 || !strings.HasPrefix(errs, "ошибка: не удаётся связаться с Temporal по адресу 127.0.0.1:1") {
		t.Errorf("status without Temporal: %d %q", code, errs)
	}

	// LC_ALL=C speaks English, whatever LANG says; so does no locale.
	c.env["LC_ALL"] = "C"
	if out := c.ok("agents", "add", "--slack-user", "U2", "--name", "Bo"); out != "added agent 2: Bo (agent, Slack U2)\n" {
		t.Errorf("LC_ALL=C: %q", out)
	}
	c.env["LC_ALL"], c.env["LC_MESSAGES"] = "", "ru_RU.UTF-8"
	c.env["LANG"] = "en_US.UTF-8"
	if out := c.ok("agents", "remove", "U2"); out != "агент U2 удалён\n" {
		t.Errorf("LC_MESSAGES=ru_RU.UTF-8: %q", out)
	}
	delete(c.env, "LC_MESSAGES")
	delete(c.env, "LANG")
	delete(c.env, "LC_ALL")
	if help := c.ok("--help"); cyrillic(help) {
		t.Errorf("no locale, yet:\n%s", help)
	}
}
