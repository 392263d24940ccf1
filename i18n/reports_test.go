package i18n_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/followup-dev/followup"
	"github.com/followup-dev/followup/i18n"
	"github.com/followup-dev/followup/internal/i18ntest"
)

// sampleDigest names something in each of the digest's parts.
func sampleDigest() followup.Digest {
	at := time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
	return followup.Digest{Date: "2026-03-10", TimeZone: "Europe/Berlin", At: at, Running: 5,
		RunningByAgent: []followup.AgentCount{{Agent: "U1", Count: 3}, {Agent: "U2", Count: 2}},
		ClosingToday:   []followup.DigestItem{{ContactID: 7, Contact: "Cat Doe", Channel: followup.Email, Agent: "U1", WindowClosesAt: at.Add(9 * time.Hour)}},
		OverdueVIP:     []followup.DigestItem{{ContactID: 8, Contact: "Ann Doe", Channel: followup.Webchat, Agent: "U1", VIP: true, WindowClosesAt: at.Add(2 * time.Hour)}},
		EscalatedVIP: []followup.DigestItem{
			{ContactID: 9, Contact: "Bob Doe", Channel: followup.Telegram, Agent: "U2", VIP: true, Escalation: string(followup.EscalateUnanswered)},
			{ContactID: 10, Contact: "Eve Doe", Channel: followup.WhatsApp, Agent: "U2", VIP: true, Escalation: string(followup.EscalateRefused)},
			{ContactID: 11, Contact: "Dan Doe", Channel: followup.SMS, Agent: "U2", VIP: true, Escalation: string(followup.EscalateWindowClosing)},
			{ContactID: 12, Contact: "Fay Doe", Channel: followup.Viber, Agent: "U2", VIP: true, Escalation: string(followup.EscalateDeliveryFailed)},
		},
		Yesterday: []followup.ChannelCount{{Channel: followup.WhatsApp, Sent: 2, Refused: 1}, {Channel: followup.Email, Sent: 1, Failed: 1}},
	}
}

// TestDigestInRussian: the daily digest, the workspace's and an agent's,
// renders in Russian with nothing left in English but names, and reads
// the same after a trip through JSON (a notification keeps its phrase).
func TestDigestInRussian(t *testing.T) {
	t.Parallel()
	d := sampleDigest()
	ru := i18n.New(i18n.Russian)
	names := append([]string{"Cat Doe", "Ann Doe", "Bob Doe", "Eve Doe", "Dan Doe", "Fay Doe", "U1", "U2", "VIP", "Europe/Berlin", "UTC", "Mar"}, i18ntest.Channels...)
	for _, part := range []followup.Digest{d, d.ForAgent("U2"), {Date: "2026-03-11", TimeZone: "UTC"}} {
		ph := part.Phrase()
		b, err := json.Marshal(ph)
		if err != nil {
			t.Fatal(err)
		}
		var back followup.Phrase
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		got := ru.Phrase(back, nil)
		if left := i18ntest.EnglishLeft(got, names...); len(left) > 0 || strings.Contains(got, "%!") {
			t.Errorf("English left in the Russian digest %v:\n%s", left, got)
		}
		if strings.Count(got, "\n") != strings.Count(part.Text(), "\n") {
			t.Errorf("the Russian has other lines than the English:\n%s\n%s", got, part.Text())
		}
		if en := i18n.New(i18n.English).Phrase(back, nil); en != part.Text() {
			t.Errorf("English phrase %q, want the text %q", en, part.Text())
		}
	}
	got := ru.Phrase(d.Phrase(), func(t time.Time) string { return t.In(time.UTC).Format("2006-01-02 15:04 MST") })
	for _, want := range []string{
		"Ежедневная сводка за 2026-03-10 (рабочее пространство, Europe/Berlin)\n",
		"Активные фоллоу-апы: 5 (U1 3, U2 2)\n",
		"Окна, закрывающиеся сегодня: 1\n  Cat Doe (#7), канал Эл. почта, агент U1: окно закроется 2026-03-10 17:00 UTC\n",
		"  Ann Doe (#8), канал Чат на сайте, агент U1, ★ VIP: окно закрылось 2026-03-10 10:00 UTC\n",
		"  Bob Doe (#9), канал Telegram, агент U2, ★ VIP: эскалация: клиент ответил, а ему никто не ответил\n",
		"  WhatsApp: отправлено 2, отклонено 1, не доставлено 0\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the Russian digest lacks %q:\n%s", want, got)
		}
	}
	if got := ru.Phrase(d.ForAgent("U2").Phrase(), nil); !strings.HasPrefix(got, "Ежедневная сводка за 2026-03-10 (ваши фоллоу-апы, Europe/Berlin)\nАктивные фоллоу-апы: 2\n") {
		t.Errorf("U2's digest:\n%s", got)
	}
}
