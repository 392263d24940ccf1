package main

import (
	"context"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/i18n"
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

// englishLine is a line of three English words in a row.
var englishLine = regexp.MustCompile(`[A-Za-z]{2,}[,;:.]? [a-z]{2,}[,;:.]? [a-z]{2,}`)

// TestEveryHelpInRussian: with LANG=ru_RU.UTF-8 the help of every command
// and subcommand, cobra's own lines included, has no English sentence
// left; what stays as written is commands, flags and examples.
func TestEveryHelpInRussian(t *testing.T) {
	t.Parallel()
	c := &cli{t: t, env: map[string]string{"LANG": "ru_RU.UTF-8"}}
	root := (&app{ctx: context.Background(), getenv: func(string) string { return "" }, stdout: io.Discard, stderr: io.Discard,
		p: i18n.New(i18n.Russian)}).rootCmd()
	var paths [][]string
	var walk func(cmd *cobra.Command, path []string)
	walk = func(cmd *cobra.Command, path []string) {
		paths = append(paths, path)
		for _, sub := range cmd.Commands() {
			walk(sub, append(slices.Clone(path), sub.Name()))
		}
	}
	walk(root, nil)
	if len(paths) < 40 {
		t.Fatalf("only %d commands", len(paths))
	}
	for _, path := range paths {
		out := c.ok(append(path, "--help")...)
		for _, line := range strings.Split(out, "\n") {
			s := strings.TrimSpace(line)
			for _, ch := range followup.Channels { // a list of channels
				s = strings.ReplaceAll(s, string(ch), "")
			}
			if cyrillic(s) || !englishLine.MatchString(s) ||
				strings.HasPrefix(s, "followup ") || strings.HasPrefix(s, "(followup ") || strings.HasPrefix(s, "'") { // a usage line, an example
				continue
			}
			t.Errorf("followup %s --help: English left: %q", strings.Join(path, " "), line)
		}
	}
}

// TestReportsInRussian: with LANG=ru_RU.UTF-8 a cadence's and a contacts
// file's errors, a setting's bad value and a cadence's days are in
// Russian.
func TestReportsInRussian(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.env["LANG"] = "ru_RU.UTF-8"
	if code, _, errs := c.run("", "cadences", "add", "nudge", `2d text "x"`, `5x template renewal`); code != 1 ||
		errs != "ошибка: шаг 2: \"5x template renewal\": \"5x\" — не сдвиг вида 2d, 36h или 1d12h\n" {
		t.Errorf("cadences add, a bad offset: %d %q", code, errs)
	}
	if code, _, errs := c.run("", "settings", "set", "quiet_hours", "late"); code != 1 ||
		errs != "ошибка: настройка quiet_hours: \"late\": нужен промежуток вида 21:00-08:00 (в 24-часовом формате, в часовом поясе контакта) или off\n" {
		t.Errorf("settings set quiet_hours late: %d %q", code, errs)
	}
	code, _, errs := c.run("first_name,email,vip\nJane,jane@example.com,maybe\n,,\nBob,\"bob@example.com,true\n", "contacts", "import", "-")
	if code != 1 || !strings.Contains(errs, "  строка 2: vip \"maybe\" — не true и не false\n") ||
		!strings.Contains(errs, "  строка 4: здесь открывается поле в кавычках и не закрывается") {
		t.Errorf("contacts import, bad rows: %d %q", code, errs)
	}
	c.ok("cadences", "add", "nudge", `36h text "Still there?"`)
	if out := c.ok("cadences", "show", "nudge"); !strings.Contains(out, "  день 1 +12h  text \"Still there?\"") {
		t.Errorf("cadences show:\n%s", out)
	}
}

// TestDigestInTheCLIsZone: followup digest writes times in the local
// zone (or --tz's) the same way in every language.
func TestDigestInTheCLIsZone(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	d := followup.Digest{Date: "2026-03-10", TimeZone: "UTC", Running: 1, ClosingToday: []followup.DigestItem{{ContactID: 7,
		Contact: "Cat Doe", Channel: followup.Telegram, Agent: "U1", WindowClosesAt: time.Date(2026, 3, 10, 17, 0, 0, 0, time.UTC)}}}
	if got := i18n.New(i18n.Russian).Phrase(d.Phrase(), localTime(berlin)); !strings.Contains(got, "  Cat Doe (#7), канал Telegram, агент U1: окно закроется 2026-03-10 18:00 CET\n") {
		t.Errorf("Russian:\n%s", got)
	}
	if got := i18n.New(i18n.English).Phrase(d.Phrase(), localTime(berlin)); !strings.Contains(got, "  Cat Doe (#7) on Telegram, agent U1: closes at 2026-03-10 18:00 CET\n") {
		t.Errorf("English:\n%s", got)
	}
}

// TestSetUpInRussian: what the command line says about its own setting
// up is Russian with LANG=ru: cobra's and pflag's errors, configuration
// errors, and followup dev's banner; in English they read as before.
func TestSetUpInRussian(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.env["LANG"] = "ru_RU.UTF-8"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"send", "--bogus"}, "ошибка: неизвестный флаг: --bogus (см. followup send --help)"},
		{[]string{"contacts", "find"}, "требует не меньше аргументов, чем 1, получено только: 0"},
		{[]string{"seed", "--contacts", "many"}, `недопустимое значение "many" для флага "--contacts"`},
	} {
		code, out, errs := c.run("", tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) || strings.Contains(errs, "unknown flag") || strings.Contains(errs, "requires at least") {
			t.Errorf("followup %q: exit %d, %s%s", tc.args, code, out, errs)
		}
	}
	c.env["DATABASE_URL"] = "mysql://x"
	if code, _, errs := c.run("", "contacts", "find", "jane"); code != 2 || !strings.Contains(errs, `ошибка конфигурации: DATABASE_URL: "mysql://x" — не URL вида postgres://`) {
		t.Errorf("configuration error: exit %d %s", code, errs)
	}
	c.env["LANG"] = "C"
	if code, _, errs := c.run("", "contacts", "find", "jane"); code != 2 || !strings.Contains(errs, `configuration error: DATABASE_URL: "mysql://x" is not a postgres:// URL`) {
		t.Errorf("configuration error in English: exit %d %s", code, errs)
	}
	if code, _, errs := c.run("", "send", "--bogus"); code != 2 || !strings.Contains(errs, "error: unknown flag: --bogus (see followup send --help)") {
		t.Errorf("flag error in English: exit %d %s", code, errs)
	}

	for _, lang := range []i18n.Lang{i18n.Russian, i18n.English} {
		var out strings.Builder
		a := &app{stdout: &out, p: i18n.New(lang), cfg: Config{TemporalNamespace: "default", DataDir: "/tmp/x", DatabaseURL: "postgres://localhost/db"}}
		a.banner("127.0.0.1:7233", "", "127.0.0.1:8080", false, channelSet{sandboxed: []followup.Channel{followup.WhatsApp}}, slackRunning{})
		got := out.String()
		if lang == i18n.Russian {
			for _, want := range []string{"followup dev запущен.", "песочница для whatsapp", "Slack не настроен", "Попробуйте из другого терминала:", "Ctrl-C останавливает его"} {
				if !strings.Contains(got, want) {
					t.Errorf("Russian banner lacks %q:\n%s", want, got)
				}
			}
			continue
		}
		if !strings.Contains(got, "followup dev is running.") || cyrillic(got) {
			t.Errorf("English banner:\n%s", got)
		}
	}
}
