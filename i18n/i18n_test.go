package i18n_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/i18n"
)

// TestParseLocale: ru and ru_* are Russian, as Slack and POSIX write
// them; anything else, unset included, is English.
func TestParseLocale(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]i18n.Lang{
		"ru": i18n.Russian, "ru-RU": i18n.Russian, "ru_RU.UTF-8": i18n.Russian, "RU_ru": i18n.Russian, "ru_UA.utf8": i18n.Russian,
		"ru@petr1708": i18n.Russian, " ru-RU ": i18n.Russian,
		"": i18n.English, "C": i18n.English, "POSIX": i18n.English, "en-US": i18n.English, "en_GB.UTF-8": i18n.English,
		"run": i18n.English, "rus": i18n.English, "de_DE.UTF-8": i18n.English, "uk_UA.UTF-8": i18n.English,
	} {
		if got := i18n.ParseLocale(in); got != want {
			t.Errorf("ParseLocale(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestFromEnv: LC_ALL wins over LC_MESSAGES, which wins over LANG; an
// empty variable counts as unset.
func TestFromEnv(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		env  map[string]string
		want i18n.Lang
	}{
		{map[string]string{}, i18n.English},
		{map[string]string{"LANG": "ru_RU.UTF-8"}, i18n.Russian},
		{map[string]string{"LANG": "ru_RU.UTF-8", "LC_MESSAGES": "C"}, i18n.English},
		{map[string]string{"LANG": "en_US.UTF-8", "LC_MESSAGES": "ru_RU.UTF-8"}, i18n.Russian},
		{map[string]string{"LC_ALL": "C", "LC_MESSAGES": "ru_RU.UTF-8", "LANG": "ru_RU.UTF-8"}, i18n.English},
		{map[string]string{"LC_ALL": "ru_RU.UTF-8", "LANG": "C"}, i18n.Russian},
		{map[string]string{"LC_ALL": "", "LANG": "ru_RU.UTF-8"}, i18n.Russian},
	} {
		if got := i18n.FromEnv(func(k string) string { return c.env[k] }); got != c.want {
			t.Errorf("%v: %v, want %v", c.env, got, c.want)
		}
	}
}

// TestErrorsInTheReadersLanguage: an error made with followup.Errorf is
// printed in the reader's language, an error within it too, and its
// English is what it always was.
func TestErrorsInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	inner := followup.Errorf(followup.ERefused, "Templates exist only on WhatsApp; type the message as text instead.")
	err := fmt.Errorf("send: %w", followup.Errorf(followup.ERefused, "%s: refused: %s", i18n.Msg("Website chat"), inner))
	if got, want := followup.ErrorMessage(err), "Website chat: refused: Templates exist only on WhatsApp; type the message as text instead."; got != want {
		t.Errorf("English %q, want %q", got, want)
	}
	if got, want := i18n.New(i18n.English).Error(err), followup.ErrorMessage(err); got != want {
		t.Errorf("English printer %q, want %q", got, want)
	}
	if got, want := i18n.New(i18n.Russian).Error(err), "Чат на сайте: отклонено: Шаблоны есть только в WhatsApp; напишите сообщение текстом."; got != want {
		t.Errorf("Russian %q, want %q", got, want)
	}
	// An Error built with its Message is looked up as a text.
	lit := &followup.Error{Code: followup.EUnavailable, Message: "The search did not get its turn in time", Err: errors.New("deadline")}
	if got := i18n.New(i18n.Russian).Error(lit); got != "Поиск не дождался своей очереди" {
		t.Errorf("literal %q", got)
	}
	// Not an Error: the generic sentence.
	if got := i18n.New(i18n.Russian).Error(errors.New("boom")); got != "У нас что-то пошло не так; ничего не изменено. Попробуйте ещё раз." {
		t.Errorf("internal %q", got)
	}
}

// TestWords: one English word, several Russian ones by what it describes.
func TestWords(t *testing.T) {
	t.Parallel()
	ru, en := i18n.New(i18n.Russian), i18n.New(i18n.English)
	for _, c := range []struct{ kind, word, ru string }{
		{"status", "cancelled", "отменён"},
		{"outcome", "cancelled", "отменено"},
		{"cadence end", "cancelled", "отменена"},
		{"status", "no such status", "no such status"},
	} {
		if got := ru.Word(c.kind, c.word); got != c.ru {
			t.Errorf("%s %s: %q, want %q", c.kind, c.word, got, c.ru)
		}
		if got := en.Word(c.kind, c.word); got != c.word {
			t.Errorf("English %s %s: %q", c.kind, c.word, got)
		}
	}
	if got := ru.Sprintf("%s", i18n.Word("outcome", "sent")); got != "отправлено" {
		t.Errorf("Word as an argument: %q", got)
	}
}

// TestPhrase: a follow-up's phrase renders in each language: its format
// from the catalog with the plural form its count asks for, its terms
// and nested phrases translated, names as they are, durations in the
// language's units, and times as the caller writes them (UTC by default).
func TestPhrase(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 1, 9, 48, 0, 0, time.UTC)
	for _, c := range []struct {
		p      followup.Phrase
		en, ru string
	}{
		{followup.Say("Follow-up with %s on %s cancelled (%d scheduled message(s) dropped).", "Jane Doe", followup.Term("WhatsApp"), 3),
			"Follow-up with Jane Doe on WhatsApp cancelled (3 scheduled message(s) dropped).",
			"Фоллоу-ап с контактом Jane Doe в канале WhatsApp отменён (снято 3 запланированных сообщения)."},
		{followup.Say("Follow-up with %s on %s cancelled (%d scheduled message(s) dropped).", "Jane Doe", followup.Term("WhatsApp"), 21),
			"Follow-up with Jane Doe on WhatsApp cancelled (21 scheduled message(s) dropped).",
			"Фоллоу-ап с контактом Jane Doe в канале WhatsApp отменён (снято 21 запланированное сообщение)."},
		{followup.Say("%s window with %s closes in %s (at %s); after that: %s.", followup.Term("WhatsApp"), "Jane", 90*time.Minute, at, followup.Term("template only")),
			"WhatsApp window with Jane closes in 1h30m (at Dec 1 09:48 UTC); after that: template only.",
			"Окно WhatsApp с контактом Jane закроется через 1 ч 30 мин (в Dec 1 09:48 UTC); после этого: только шаблон."},
		{followup.Say("Nothing was sent: %s. %s", followup.Term("the template is not approved"), followup.Say("No fallback fits.")),
			"Nothing was sent: the template is not approved. No fallback fits.",
			"Ничего не отправлено: шаблон не одобрен. Ни один запасной вариант не подходит."},
		{followup.Say("Now: %s.", followup.Term("a text the catalog lacks")),
			"Now: a text the catalog lacks.", "Теперь: a text the catalog lacks."},
	} {
		if got := i18n.New(i18n.English).Phrase(c.p, nil); got != c.en || c.p.String() != c.en {
			t.Errorf("English: %q (String %q), want %q", got, c.p.String(), c.en)
		}
		if got := i18n.New(i18n.Russian).Phrase(c.p, nil); got != c.ru {
			t.Errorf("Russian: %q, want %q", got, c.ru)
		}
	}
	local := func(t time.Time) string { return t.In(time.FixedZone("MSK", 3*3600)).Format("02.01 15:04") }
	if got := i18n.New(i18n.Russian).Phrase(followup.Say("Scheduled for %s. A reply from the customer before then cancels it.", at), local); got != "Запланировано на 01.12 12:48. Если клиент ответит раньше, отправка отменится." {
		t.Errorf("a time the caller writes: %q", got)
	}
	// An error whose argument is a phrase renders it in the language too.
	err := followup.Errorf(followup.ERefused, "%s", followup.Say("a cadence needs a name"))
	if got := i18n.New(i18n.Russian).Error(err); got != "у серии должно быть имя" {
		t.Errorf("an error of a phrase: %q", got)
	}
}

// FuzzPhrase: a phrase read from anywhere (a notification's column, an
// update's details) renders in every language without panicking, a key of
// the catalog with arguments of the wrong kinds included.
func FuzzPhrase(f *testing.F) {
	f.Add([]byte(`{"format":"Follow-up with %s on %s cancelled (%d scheduled message(s) dropped).","args":[{"s":"Jane"},{"x":"WhatsApp"},{"n":3}]}`))
	f.Add([]byte(`{"format":"Follow-up with %s on %s cancelled (%d scheduled message(s) dropped).","args":[{"s":"Jane"}]}`))
	f.Add([]byte(`{"format":"Your %d scheduled follow-up(s) were cancelled; send again if still needed.","args":[{"s":"many"}]}`))
	f.Add([]byte(`{"format":"%s","args":[{"p":{"format":"%s","args":[{"d":-5}]}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var p followup.Phrase
		if err := p.Scan(b); err != nil {
			return
		}
		for _, l := range i18n.Langs() {
			_ = i18n.New(l).Phrase(p, nil)
		}
	})
}
