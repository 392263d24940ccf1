package bot_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/slack-go/slack"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/bot"
)

// cyrillic reports whether s has a Cyrillic letter.
func cyrillic(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }) >= 0
}

// TestRussianAgentReadsRussian: an agent whose Slack speaks Russian
// (users.info's locale ru-RU) gets every answer in Russian, end to end:
// the help, a search, a command the parser refuses, a send the channel
// refuses (through the follow-up, answered later), the status, and App
// Home; an agent whose Slack speaks English, in the same workspace, still
// gets English.
func TestRussianAgentReadsRussian(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.slack.setLocale(annID, "ru-RU")

	_, a := e.command(annID, "help")
	help := text(a)
	for _, want := range []string{"Привет, Ann!", "по умолчанию: --all --closed", "/followup find <query>", "Каналы: whatsapp"} {
		if !strings.Contains(help, want) {
			t.Errorf("help lacks %q:\n%s", want, help)
		}
	}
	for _, english := range []string{"Hi Ann", "defaults:", "Channels:", "supervisors:"} {
		if strings.Contains(help, english) {
			t.Errorf("help has %q in English:\n%s", english, help)
		}
	}

	_, a = e.command(annID, "find jane --any")
	if got := e.answered(a, "Все контакты по запросу «jane» (по имени):"); !strings.Contains(got, "Разговор закрыт") || !strings.Contains(got, `"text":"Написать"`) {
		t.Errorf("find: %s", got)
	}

	_, a = e.command(annID, "send jane.doe@example.com --via pigeon hello")
	if got := text(a); !strings.Contains(got, `\"pigeon\" — не канал; укажите один из:`) || !strings.Contains(got, "Использование: /followup send") || strings.Contains(got, "Usage") {
		t.Errorf("parse error: %s", got)
	}
	_, a = e.command(annID, "frobnicate")
	if got := text(a); !strings.Contains(got, "— не команда /followup; вот какие есть:") || !strings.Contains(got, "Показать") && !strings.Contains(got, "по умолчанию") {
		t.Errorf("unknown verb: %s", got)
	}

	// Carlos wrote 30 h ago: WhatsApp takes only a template, and says so
	// through the follow-up, in the agent's language.
	_, a = e.command(annID, "send carlos@example.com --via whatsapp Hello again")
	got := e.answered(a, "🚫 WhatsApp: отклонено: ")
	for _, want := range []string{"можно отправить только одобренный шаблон", "Одобренные шаблоны, которые можно отправить сейчас:", "Написать шаблоном"} {
		if !strings.Contains(got, want) {
			t.Errorf("refusal lacks %q: %s", want, got)
		}
	}
	if strings.Contains(got, "refused") || strings.Contains(got, "only an approved template") {
		t.Errorf("refusal in English: %s", got)
	}

	_, a = e.command(annID, "status carlos@example.com")
	if got := e.answered(a, "Статус: Carlos Ruiz"); !strings.Contains(got, "WhatsApp: только шаблон") || !strings.Contains(got, "разговор") {
		t.Errorf("status: %s", got)
	}

	// Sam's Slack speaks English.
	_, a = e.command(samID, "help")
	if got := text(a); !strings.Contains(got, "Hi Sam!") || cyrillic(got) {
		t.Errorf("an English agent's help: %s", got)
	}
}

// TestRussianAppHomeAndModal: App Home, the Follow up modal and the
// errors shown on its fields are in the agent's language.
func TestRussianAppHomeAndModal(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.slack.setLocale(annID, "ru_RU")
	body := `{"token":"x","team_id":"` + teamID + `","api_app_id":"A0APP","type":"event_callback","event_id":"Ev1","event_time":1,
		"event":{"type":"app_home_opened","user":"` + annID + `","channel":"D0","tab":"home","event_ts":"1.2"}}`
	if code, _ := e.post(signed(e.http.URL+"/slack/events", secret, "application/json", body, time.Now())); code != http.StatusOK {
		t.Fatalf("event: %d", code)
	}
	e.bot.Wait()
	pubs := e.slack.Calls("views.publish")
	if len(pubs) != 1 {
		t.Fatalf("%d views.publish", len(pubs))
	}
	if home := text(pubs[0].JSON); !strings.Contains(home, "Ваши фоллоу-апы") || !strings.Contains(home, "Ищите контакты командой") || strings.Contains(home, "Your follow-ups") {
		t.Errorf("App Home: %s", home)
	}

	if code, _ := e.interact(blockAction(annID, bot.ActionFollowUp, strconv.FormatInt(e.carlos, 10), e.slack.respond.URL+"/x")); code != http.StatusOK {
		t.Fatalf("button: %d", code)
	}
	opens := e.slack.Calls("views.open")
	if len(opens) != 1 {
		t.Fatalf("views.open called %d times", len(opens))
	}
	view := text(opens[0].JSON)
	for _, want := range []string{"WhatsApp — только шаблон", "order_update (en, 2 параметра)", "Параметр шаблона {{2}}", `"text":"Отправить"`, `"text":"Написать"`} {
		if !strings.Contains(view, want) {
			t.Errorf("modal lacks %q: %s", want, view)
		}
	}
	for _, english := range []string{"template only", "Template parameter", `"text":"Send"`} {
		if strings.Contains(view, english) {
			t.Errorf("modal has %q: %s", english, view)
		}
	}
	var opened struct {
		View slack.ModalViewRequest `json:"view"`
	}
	if err := json.Unmarshal([]byte(view), &opened); err != nil {
		t.Fatal(err)
	}
	// Free text to Carlos on WhatsApp, 30 h after he wrote: refused on
	// the field, in Russian.
	code, resp := e.interact(map[string]any{
		"type": "view_submission", "team": map[string]any{"id": teamID}, "user": map[string]any{"id": annID},
		"view": map[string]any{"id": "V1", "hash": "h1", "callback_id": bot.CallbackFollowUp, "private_metadata": opened.View.PrivateMetadata,
			"state": map[string]any{"values": map[string]map[string]slack.BlockAction{
				"channel": {"v": {SelectedOption: slack.OptionBlockObject{Value: "whatsapp"}}},
				"text":    {"v": {Value: "Hello again"}},
			}}},
	})
	if got := text(resp); code != http.StatusOK || !strings.Contains(got, "можно отправить только одобренный шаблон") {
		t.Errorf("submission: %d %s", code, got)
	}
}

// TestRussianFollowUpTexts: what the follow-up itself says (package
// workflows writes it as a phrase) reaches a Russian-speaking agent in
// Russian: the answer to a send, the direct message the follow-up sends,
// a scheduled send's time (as a Slack date, in the reader's zone), the
// cancel's message; and the escalation posted to the supervisors' channel
// speaks the workspace's supervisor_language, its buttons too. (English
// agents still read English: the other tests of this package.)
func TestRussianFollowUpTexts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.slack.setLocale(annID, "ru-RU")
	if err := e.st.SetSetting(e.ctx, "supervisor_language", "ru"); err != nil {
		t.Fatal(err)
	}
	if err := e.st.SetSetting(e.ctx, "vip_escalate_after", "1s"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.DB().ExecContext(e.ctx, `UPDATE contacts SET vip = true WHERE id = $1`, e.carlos); err != nil {
		t.Fatal(err)
	}

	e.command(annID, `send jane.doe@example.com hello`)
	e.waitAnswer("the send, in Russian", "✅ Отправлено контакту Jane Doe в канале WhatsApp: свободный текст.")
	dm := e.dm(annID, "✅ Отправлено контакту Jane Doe")
	if !strings.Contains(dm, `Свободный текст до \u003c!date^`) || strings.Contains(dm, "Sent to") || strings.Contains(dm, "until") {
		t.Errorf("the direct message: %s", dm)
	}

	e.command(annID, `later jane.doe@example.com 3d "checking in"`)
	got := e.waitAnswer("the scheduled send, in Russian", "Запланировано на <!date^")
	if strings.Contains(got, "Scheduled") || strings.Contains(got, "UTC|") && !strings.Contains(got, "{date_short_pretty}") {
		t.Errorf("scheduled: %s", got)
	}

	e.command(annID, `cancel jane.doe@example.com`)
	e.dm(annID, "Фоллоу-ап с контактом Jane Doe в канале WhatsApp отменён (снято 1 запланированное сообщение).")

	// A VIP refusal nobody follows: the supervisors read Russian.
	if _, err := e.st.DB().ExecContext(e.ctx, `INSERT INTO conversations (contact_id, status, opened_at, closed_at)
		VALUES ($1, 'closed', now() - interval '2 days', now() - interval '1 day')`, e.carlos); err != nil {
		t.Fatal(err)
	}
	e.command(annID, `send carlos@example.com are you still interested?`)
	post := text(e.escalationPost(1))
	for _, want := range []string{"VIP-фоллоу-ап с контактом Carlos Ruiz в канале WhatsApp: отправку отклонили", "Агент: <@U0ANN>", "Забрать", "Отложить на 1 ч", "Статус"} {
		if !strings.Contains(post, want) {
			t.Errorf("escalation post lacks %q: %s", want, post)
		}
	}
	for _, english := range []string{"VIP follow-up with", "nobody acted", "Take over", "Snooze"} {
		if strings.Contains(post, english) {
			t.Errorf("escalation post has %q in English: %s", english, post)
		}
	}
	_, _ = e.fc.Cancel(e.ctx, e.carlos, followup.WhatsApp)
}

// dm waits for a direct message to user containing want and returns it.
func (e *env) dm(user, want string) string {
	e.t.Helper()
	var got string
	eventually(e.t, "a direct message with "+want, func() bool {
		for _, c := range e.slack.Calls("chat.postMessage") {
			if c.Form.Get("channel") == user && strings.Contains(c.Form.Get("text")+c.Form.Get("blocks"), want) {
				got = c.Form.Get("text") + "\n" + c.Form.Get("blocks")
				return true
			}
		}
		return false
	})
	return got
}
